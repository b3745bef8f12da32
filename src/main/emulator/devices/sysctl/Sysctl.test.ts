/** System control (docs/devices.md#sysctl). */
import { describe, expect, it } from 'vitest';
import { DEVICE_ID, ID_OFFSET, VERSION_OFFSET } from '../identity.js';
import { Sysctl, SYSCTL_EXIT, SYSCTL_IPI, SYSCTL_NCPU, SYSCTL_RESET } from './Sysctl.js';

function sysctl() {
  const log: string[] = [];
  const s = new Sysctl('sysctl', {
    exit: (c) => log.push(`exit ${c}`),
    reset: () => log.push('reset'),
    sendIpi: (n) => (n < 2 ? (log.push(`ipi ${n}`), true) : false),
    cpuCount: () => 2,
  });
  return { s, log };
}

describe('sysctl', () => {
  it('EXIT, IPI, NCPU and RESET', () => {
    const { s, log } = sysctl();
    expect(s.read(SYSCTL_NCPU, 4)).toBe(2);
    expect(s.write(SYSCTL_IPI, 4, 1)).toBe(true);
    expect(s.write(SYSCTL_RESET, 4, 0x1234)).toBe(true);
    expect(s.write(SYSCTL_EXIT, 4, -3)).toBe(true);
    expect(log).toEqual(['ipi 1', 'reset', 'exit -3']);
    expect([s.read(SYSCTL_EXIT, 4), s.read(SYSCTL_IPI, 4), s.read(SYSCTL_RESET, 4)]).toEqual([0, 0, 0]);
  });

  it('identity, version, and bad accesses counted (no such pCPU, read-only NCPU, widths, holes)', () => {
    const { s } = sysctl();
    expect(s.read(ID_OFFSET, 4)).toBe(DEVICE_ID.sysctl);
    expect(s.read(VERSION_OFFSET, 4)).toBe(1);
    expect(s.write(SYSCTL_IPI, 4, 2)).toBe(false);
    expect(s.write(SYSCTL_NCPU, 4, 1)).toBe(false);
    expect(s.read(SYSCTL_NCPU, 1)).toBeUndefined();
    expect(s.read(0x10, 4)).toBeUndefined();
    expect(s.metrics.badAccesses).toBe(4);
  });

  it('saves and restores its state', () => {
    const a = sysctl();
    a.s.read(0x40, 4);
    const b = sysctl();
    b.s.restoreState(structuredClone(a.s.saveState()));
    expect(b.s.saveState()).toEqual(a.s.saveState());
  });
});
