/**
 * ctl chooses how a client is virtualized (policy in ctl, mechanism in the hypervisor:
 * part_technique, docs/hypercalls.md#virtualization-techniques): not while it runs; after a stop,
 * `technique 1 trap-emulate` and a restart, cos runs under classic trap-and-emulate.
 */
import { describe, expect, it } from 'vitest';
import { bootCtl } from './hvrun.js';

describe('ctl technique', () => {
  it('switches a stopped cos to trap-and-emulate; it restarts and works the same', async () => {
    const r = await bootCtl();
    r.booted();
    expect(r.cmd('ctl', 'technique 1 trap-emulate')).toMatch(/part_technique: .*\(EBUSY\)\n$/);
    expect(r.cmd('ctl', 'stop 1')).toBe('ctl: stopped 1 (cos)\n');
    expect(r.cmd('ctl', 'technique 1 trap-emulate')).toBe('ctl: 1 (cos): technique trap-emulate from its next start\n');
    expect(r.cmd('ctl', 'restart 1')).toBe('ctl: restarted 1 (cos)\n');
    r.expect('cos', /booted from disk0 partition 1\r\ncos> $/);
    const cos = r.hv.partitions.get(1)!;
    expect(cos.technique).toBe('trap-emulate');
    expect(r.cmd('cos', 'run hello')).toBe('Hello from user mode!\n');
    expect(r.cmd('cos', 'run primes')).toContain('1229 primes below 10000');
    expect(cos.stats.emulated).toBeGreaterThan(0);
    expect(cos.stats.shadowBuilds).toBeGreaterThan(0);
    expect(r.cmd('ctl', 'technique 1 sideways')).toMatch(/usage: technique ID paravirtual\|hardware\|trap-emulate/);
    expect(r.cmd('ctl', 'technique 0 hardware')).toBe(
      'ctl: technique 0 hardware: part_technique: a bad argument (EINVAL)\n',
    );
  });
});
