/**
 * The fuzz campaigns' checker is not vacuous: each invariant of invariants.ts fires on a machine
 * broken by hand the way the issue's bugs break it, and holds on a healthy one; a campaign is a
 * function of its seed; shrinking finds a minimal failing sequence.
 */
import { describe, expect, it } from 'vitest';
import { DmaTable } from '../../src/main/emulator/dma/DmaTable.js';
import { shrink } from './campaign.js';
import { CAMPAIGNS } from './campaigns.js';
import { runCampaign } from './campaign.js';
import { checkInvariants, reserveFree, walkTable } from './invariants.js';
import { agent, FuzzWorld, IDLE } from './world.js';

function healthy(): FuzzWorld {
  const w = new FuzzWorld({ ctl: 'idle', memBytes: 4 << 20 });
  w.launch(1, agent(true));
  w.launch(2, IDLE);
  w.machine.run(20_000);
  return w;
}

describe('the isolation invariants', () => {
  it('hold on a healthy machine, whose tables map exactly each partition’s memory', () => {
    const w = healthy();
    expect(checkInvariants(w.hv)).toEqual([]);
    const p = w.hv.partitions.get(1)!;
    const ram = walkTable(w.machine.mem, p.s2root).maps.filter((m) => m.hpa < w.hv.usableBytes);
    expect(ram).toEqual([{ gpa: 0, hpa: p.memory[0].hpa, size: 256 << 10 }]);
  });

  it('a page of another partition in a running partition’s stage 2 is an escape, unless shared', () => {
    const w = healthy();
    const [a, b] = [w.hv.partitions.get(1)!, w.hv.partitions.get(2)!];
    // A share of b's first page, accepted by a, that b never offered (a forged record).
    w.hv.shares.push({ id: 99, from: 2, to: 1, gpa: 0, hpa: b.memory[0].hpa, at: 0x40000000 });
    w.hv.remap(a);
    expect(checkInvariants(w.hv).map((x) => x.invariant)).toEqual(['stage2']);
    expect(checkInvariants(w.hv, { grants: [{ from: 2, to: 1, hpa: b.memory[0].hpa }] })).toEqual([]);
  });

  it('a live table page on the reserve’s free list, or there twice, is an escape', () => {
    const w = healthy();
    const p = w.hv.partitions.get(1)!;
    w.hv.reserve.release([p.s2root]);
    const found = checkInvariants(w.hv);
    expect(found.map((x) => x.invariant)).toEqual(['reserve']);
    expect(found[0].detail).toContain('on the free list');
    w.hv.reserve.release([reserveFree(w.hv)[0]]);
    expect(checkInvariants(w.hv)[0].detail).toContain('twice');
  });

  it('a DMA domain reaching past its owner’s memory is an escape', () => {
    const w = healthy();
    w.machine.setDmaDomain('nic0', DmaTable.identity(w.machine.mem.size));
    expect(checkInvariants(w.hv).map((x) => x.invariant)).toEqual(['dma']);
  });

  it('two owners of one host page is an escape', () => {
    const w = healthy();
    const [a, b] = [w.hv.partitions.get(1)!, w.hv.partitions.get(2)!];
    b.memory.push({ gpa: b.memEnd, hpa: a.memory[0].hpa, size: 4096 });
    expect(checkInvariants(w.hv).map((x) => x.invariant)).toContain('ownership');
  });
});

describe('the campaign machinery', () => {
  it('a campaign is a function of its seed', () => {
    const run = () => runCampaign(CAMPAIGNS.hypercalls, { count: 100, seed: 7, reportPerInvariant: 0 });
    const a = run();
    const b = run();
    expect({ ...a, ms: 0 }).toEqual({ ...b, ms: 0 });
    expect(a.inputs).toBeGreaterThanOrEqual(100);
  }, 30_000);

  it('shrink finds the smallest failing subsequence', () => {
    const ops = [5, 1, 9, 3, 7, 2, 8];
    const fails = (xs: readonly number[]) => xs.includes(9) && xs.includes(2);
    expect(shrink(ops, fails, 100)).toEqual([9, 2]);
  });
});
