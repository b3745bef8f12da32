/**
 * ctl chooses how a client is virtualized (policy in ctl, mechanism in the hypervisor:
 * part_technique, docs/hypercalls.md#virtualization-techniques): not while it runs; after a stop,
 * `technique 1 trap-emulate` and a restart, cos runs under classic trap-and-emulate.
 */
import { describe, expect, it } from 'vitest';
import { ownership, partitionCounters, perfBetween } from '../../src/main/engine/views.js';
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
    // ctl's `parts` reads the count from part_query (+60) and shows it on cos's row only (M7).
    const rows = r.cmd('ctl', 'parts').split('\n');
    const row = rows.find((l) => / cos /.test(l))!;
    const shown = / {2}trap-emulate: (\d+) emulated$/.exec(row);
    expect(shown, row).not.toBeNull();
    expect(Number(shown![1])).toBeGreaterThan(0);
    expect(Number(shown![1])).toBeLessThanOrEqual(cos.stats.emulated);
    expect(rows.find((l) => / swos /.test(l))).toMatch(/ -?\d+$/);
    expect(rows.find((l) => / ctl /.test(l))).not.toMatch(/emulated/);
    expect(r.cmd('ctl', 'technique 1 sideways')).toMatch(/usage: technique ID paravirtual\|hardware\|trap-emulate/);
    expect(r.cmd('ctl', 'technique 0 hardware')).toBe(
      'ctl: technique 0 hardware: part_technique: a bad argument (EINVAL)\n',
    );
  });

  it("shows each technique's counters in the ownership map and the performance samples (M7)", async () => {
    const r = await bootCtl();
    r.booted();
    const view = (id: number) => ownership(r.hv, r.machine).partitions.find((p) => p.id === id);
    // Paravirtual cos: counters present, trap-and-emulate's zero; ctl is not virtualized: none.
    expect(view(0)!.counters).toBeUndefined();
    const pv = view(1)!.counters!;
    expect(pv.technique).toBe('paravirtual');
    expect(pv.exits).toBeGreaterThan(0);
    expect(pv.emulated).toBe(0);
    expect(pv.shadowBuilds).toBe(0);

    r.cmd('ctl', 'stop 1');
    r.cmd('ctl', 'technique 1 trap-emulate');
    r.cmd('ctl', 'restart 1');
    r.expect('cos', /cos> $/);
    const before = partitionCounters(r.hv, r.machine);
    const t0 = r.machine.time;
    const first = view(1)!.counters!;
    expect(first.technique).toBe('trap-emulate');
    expect(first.emulated).toBeGreaterThan(0);
    expect(first.shadowBuilds).toBeGreaterThan(0);
    expect(r.cmd('cos', 'run hello')).toBe('Hello from user mode!\n');
    const later = view(1)!.counters!;
    expect(later.emulated).toBeGreaterThan(first.emulated);
    expect(later.shadowBuilds).toBeGreaterThan(first.shadowBuilds);

    const perf = perfBetween(before, partitionCounters(r.hv, r.machine), 1000, 1_000_000, r.machine.cpus.length);
    const cos = perf.find((g) => g.id === 1)!;
    expect(cos.emulatedPerSec).toBe(later.emulated - first.emulated);
    expect(cos.shadowBuildsPerSec).toBe(later.shadowBuilds - first.shadowBuilds);
    expect(cos.counters).toEqual(later);
    expect(perf.find((g) => g.id === 0)!.emulatedPerSec).toBeUndefined();

    // The hypervisor's work for cos (its traps, emulations and shadow builds, charged in machine
    // cycles: docs/hypercalls.md#what-the-hypervisor-costs) as a share of all pCPU time, on the
    // scale of cpuShare: what the Performance view shows and the comparison's hypervisorShare.
    const cycles = r.machine.time - t0;
    const cpus = r.machine.cpus.length;
    const window = perfBetween(before, partitionCounters(r.hv, r.machine), 1000, cycles, cpus);
    const te = window.find((g) => g.id === 1)!;
    const charged =
      partitionCounters(r.hv, r.machine).find((g) => g.id === 1)!.hvCycles! - before.find((g) => g.id === 1)!.hvCycles!;
    expect(charged).toBeGreaterThan(0);
    expect(te.hvShare).toBeCloseTo(charged / (cycles * cpus), 12);
    expect(te.hvShare).toBeGreaterThan(0);
    expect(te.hvShare! + te.cpuShare).toBeLessThanOrEqual(1);
  });
});
