/**
 * M21, taking a vCPU away (docs/hypercalls.md#hot-add-and-remove): the highest vCPU of a partition
 * leaves it, from its pCPU too when it was running there, and the partition goes on with the others;
 * the last vCPU never goes, and that refusal leaves the machine exactly as it was.
 */
import { describe, expect, it } from 'vitest';
import { E } from '../../src/main/emulator/hypervisor/errors.js';
import { notice } from '../../src/main/emulator/hypervisor/messages.js';
import { testGuest, world, type HvWorld } from './harness.js';

const hashes = (w: HvWorld) => [w.machine.stateHash(), w.hv.stateHash()];

describe('M21: removing a vCPU', () => {
  it('a hot-added vCPU that runs on its own pCPU is taken off it; the guest goes on with vCPU 0', async () => {
    const w = await world({ cpus: 2 });
    const g = w.launch(1, 'smp', testGuest('smp'));
    w.expect('smp', 'A');
    w.hv.addVcpu(g, 1);
    notice(w.hv, g, 'cpu-added 1');
    w.expect('smp', 'B1');
    w.run(2_000_000);
    expect(w.hv.currentOn(1)?.partitionId).toBe(1); // vCPU 1 yields in a loop on pCPU 1
    expect(w.hv.removeVcpu(g)).toBeUndefined();
    expect(g.vcpus.map((v) => v.index)).toEqual([0]);
    expect(w.hv.currentOn(1)).toBeUndefined();
    expect(w.hv.check()).toBeUndefined();
    const before = g.vcpus[0].instret;
    w.run(5_000_000);
    expect(g.state).toBe('running');
    expect(g.vcpus[0].instret).toBeGreaterThan(before);
    expect(w.hv.events.at(-1)?.detail).toBe('vCPU 1 removed from pCPU 1');
  });

  it('the last vCPU is never removed: EINVAL, and nothing changes', async () => {
    const w = await world();
    const g = w.launch(1, 'idle', testGuest('idle'));
    w.run(2_000_000);
    const before = hashes(w);
    const r = w.hv.removeVcpu(g);
    expect(r?.code).toBe(E.INVAL);
    expect(String(r)).toBe('EINVAL: partition 1 has 1 vCPU: the last one is never removed');
    expect(hashes(w)).toEqual(before);
    expect(g.vcpus).toHaveLength(1);
  });

  it('a stopped partition gives its highest vCPU back at once', async () => {
    const w = await world({ cpus: 2 });
    const g = w.launch(1, 'idle', testGuest('idle'), { cpus: [0, 1, 1] });
    w.hv.stop(1);
    expect(w.hv.removeVcpu(g)).toBeUndefined();
    expect(g.vcpus.map((v) => v.home)).toEqual([0, 1]);
    expect(w.hv.start(1, 0x100000, 0)).toBeUndefined();
    w.run(2_000_000);
    expect(g.state).toBe('running');
  });
});
