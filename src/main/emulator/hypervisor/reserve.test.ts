/**
 * The hypervisor's reserve is sized to the machine (docs/hypercalls.md#limits-and-scale): 1/64 of
 * its RAM, at least 1 MiB, unless the caller says otherwise. A fixed 1 MiB stopped the 1,000-guest
 * soak at its 125th guest whatever the machine's memory (docs/security.md#the-soak).
 */
import { describe, expect, it } from 'vitest';
import { Machine } from '../machine/Machine.js';
import { Hypervisor, HV_RESERVE_BYTES, reserveBytesFor } from './Hypervisor.js';

const MiB = 1 << 20;
const hv = (memBytes: number, reserveBytes?: number) =>
  new Hypervisor(new Machine({ cpus: 1, memBytes }), {
    consoleFor: () => ({ write: () => {} }),
    ...(reserveBytes !== undefined ? { reserveBytes } : {}),
  });

describe('the hypervisor reserve', () => {
  it('is 1/64 of the RAM in whole pages, at least 1 MiB', () => {
    expect(reserveBytesFor(16 * MiB)).toBe(HV_RESERVE_BYTES);
    expect(reserveBytesFor(64 * MiB)).toBe(MiB);
    expect(reserveBytesFor(256 * MiB)).toBe(4 * MiB);
    expect(reserveBytesFor(814 * MiB)).toBe(Math.floor((814 * MiB) / 64 / 4096) * 4096);
    expect(reserveBytesFor(814 * MiB) % 4096).toBe(0);
  });

  it('takes that much of a machine at the top, or what the caller asks for', () => {
    const demo = hv(64 * MiB);
    expect(demo.usableBytes).toBe(63 * MiB);
    expect(demo.reserve.available).toBe(MiB / 4096);
    const big = hv(256 * MiB);
    expect(big.usableBytes).toBe(252 * MiB);
    expect(big.reserve.available).toBe((4 * MiB) / 4096);
    expect(hv(256 * MiB, 16 * MiB).usableBytes).toBe(240 * MiB);
    expect(() => hv(64 * MiB, 4096)).toThrow(/at least 1 MiB/);
  });
});
