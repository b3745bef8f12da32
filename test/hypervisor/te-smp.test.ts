/**
 * Trap-and-emulate with an SMP guest (docs/hypercalls.md#how-trap-and-emulate-works): the pagesmp
 * guest's two vCPUs share page tables, change them, switch tables, flush and shoot each other's TLB
 * down while both run, and check from inside what each one sees. Under 'trap-emulate' every vCPU
 * runs on a shadow of its own, kept by the hypervisor; under 'hardware' the MMU walks the guest's
 * tables itself, so it is the reference: the guest must see exactly the same both ways.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Partition } from '../../src/main/emulator/hypervisor/Partition.js';
import type { ParallelRunner } from '../../src/main/emulator/machine/parallel.js';
import { parallelRunner } from '../../src/main/engine/threads.js';
import { defaultImage } from '../guests/boot.js';
import { HvWorld, testGuest } from './harness.js';

type Technique = 'hardware' | 'trap-emulate';

// pagesmp's addresses and result words (test/hypervisor/guests/pagesmp.s).
const L1A = 0x10000;
const L1B = 0x12000;
const RES = 0x21000;
const WIN = 0x400000;
const ROUNDS = 2 * 600;
const IPIS = 5;
const LOAD_PAGE_FAULT = 6;
const NAMES = [
  'cpuid0',
  'cpuid1',
  'a2of1',
  'step1Window',
  'step1Identity',
  'step1Page1',
  'step2Own',
  'step2AfterShootdown',
  'step3Good',
  'step4Skipped',
  'step5Bad1',
  'step5Rounds1',
  'step5Bad0',
  'ipisSent',
  'ipisTaken',
  'faults',
  'faultCause',
  'faultAddress',
  'step3Faults',
  'privateAtEnd',
] as const;

/** What every run must find (the values real hardware gives: the guest's own reasoning). */
const EXPECTED: Record<(typeof NAMES)[number], number> = {
  cpuid0: 0, // each vCPU's cpuid is its vCPU number, whatever pCPU it runs on
  cpuid1: 1,
  a2of1: 1, // the boot protocol's a2
  step1Window: 0x1111, // vCPU 1 reads through the shared window what vCPU 0 wrote there
  step1Identity: 0x1111, // and through the identity map (the same guest-physical page)
  step1Page1: 0x5a5a,
  step2Own: 0x3333, // vCPU 0 after remapping the window page and flushing
  step2AfterShootdown: 0x3333, // vCPU 1 after its IPI handler flushed: not the stale page
  step3Good: 8, // pages vCPU 0 mapped one by one, read by vCPU 1 without a flush, same instruction
  step4Skipped: 0xdead, // the load from the page vCPU 0 unmapped faulted (and was skipped)
  step5Bad1: 0, // vCPU 1 switching between the shared and its private table saw the right page
  step5Rounds1: ROUNDS,
  step5Bad0: 0, // and vCPU 0, reading the window meanwhile, never saw vCPU 1's private page
  ipisSent: IPIS,
  ipisTaken: IPIS, // each IPI taken once: not lost, not delivered again after the guest cleared it
  faults: 1, // the one real fault (step 4): no fault for a page its table maps
  faultCause: LOAD_PAGE_FAULT,
  faultAddress: WIN + 0x1000,
  step3Faults: 0,
  privateAtEnd: 0x2222,
};

const runners: ParallelRunner[] = [];
afterEach(() => {
  for (const r of runners.splice(0)) r.close();
});

async function run(technique: Technique, cpus: number[], opts: { threads?: boolean } = {}) {
  const w = new HvWorld({ cpus: 2, memBytes: 64 << 20, diskImage: await defaultImage(), sharedMemory: opts.threads });
  const p = w.launch(1, 'pagesmp', testGuest('pagesmp'), { cpus, technique });
  if (opts.threads) {
    w.parallel = await parallelRunner(w.machine);
    runners.push(w.parallel);
  }
  // Up to 1 s of machine time: trap-and-emulate's shadow builds cost machine cycles
  // (docs/hypercalls.md#what-the-hypervisor-costs), about 0.3 s of it with both vCPUs on one pCPU.
  for (let i = 0; i < 250 && p.state === 'running'; i++) w.run(1_000_000);
  expect(p.state, w.hv.events.map((e) => `${e.partition} ${e.kind} ${e.detail}`).join('\n')).toBe('stopped');
  expect(p.exitCode).toBe(0);
  expect(w.output('pagesmp')).toBe('pagesmp done\n');
  const words = new DataView((w.hv.readGuest(p, RES, 0x84) as Uint8Array).buffer);
  const res = Object.fromEntries(NAMES.map((n, i) => [n, words.getUint32(4 * i, true)])) as typeof EXPECTED;
  // vCPU 0's rounds of reading the window while vCPU 1 switched tables (timing: not compared).
  const rounds0 = words.getUint32(0x80, true);
  return { w, p, res, rounds0, stats: { ...p.stats } };
}

/** Each vCPU has a shadow of its own: its guest ptbr, and the real ptbr pointing at the shadow. */
function expectOwnShadows(p: Partition, vptbrs: number[]): void {
  expect(p.vcpus.map((v) => v.te?.vptbr)).toEqual(vptbrs);
  const roots = p.vcpus.map((v) => v.te?.shadow?.root);
  expect(roots.every((r) => r !== undefined)).toBe(true);
  expect(new Set(roots).size).toBe(p.vcpus.length);
  expect(p.vcpus.map((v) => v.csr.ptbr)).toEqual(roots.map((r) => (r as number) | 1));
}

describe('trap-and-emulate with two vCPUs', () => {
  it('on two pCPUs: the guest sees what it sees under hardware assistance; each vCPU keeps its own shadow', async () => {
    const hw = await run('hardware', [0, 1]);
    const te = await run('trap-emulate', [0, 1]);
    expect(hw.res).toEqual(EXPECTED);
    expect(te.res).toEqual(hw.res);
    // Both vCPUs ran: vCPU 0 kept reading the window while vCPU 1 did its rounds.
    for (const r of [hw, te]) {
      expect(r.rounds0).toBeGreaterThan(100);
      expect(r.p.vcpus.map((v) => v.instret > 10_000)).toEqual([true, true]);
    }
    // Same device accesses and hypercalls both ways (IPIs and the console; yields and the shutdown).
    expect(te.stats.mmioExits).toBe(hw.stats.mmioExits);
    expect(te.stats.hypercalls).toBe(hw.stats.hypercalls);
    expect(hw.stats.mmioExits).toBeGreaterThanOrEqual(IPIS + 1);
    // Only trap-and-emulate emulates: every ptbr/asid write and tlbflush of vCPU 1's rounds at least,
    // a shadow for each ptbr write; and the only fault reflected is the guest's own.
    expect(te.stats.emulated).toBeGreaterThan(4 * ROUNDS);
    expect(te.stats.shadowBuilds).toBeGreaterThan(2 * ROUNDS);
    expect(te.stats.reflected).toBe(1);
    expect([hw.stats.emulated, hw.stats.shadowBuilds, hw.stats.reflected]).toEqual([0, 0, 0]);
    expect(hw.p.vcpus.map((v) => v.te)).toEqual([undefined, undefined]);
    // vCPU 1 ended in its private table, vCPU 0 in the shared one: two shadows.
    expectOwnShadows(te.p, [L1A | 1, L1B | 1]);
  });

  it('placed the other way round (vCPU 0 on pCPU 1): cpuid still gives each its vCPU number', async () => {
    const te = await run('trap-emulate', [1, 0]);
    expect(te.res).toEqual(EXPECTED);
    expect(te.w.hv.currentOn(1)).toBeUndefined(); // the partition is down; nothing left on pCPU 1
  });

  it('sharing one pCPU: neither vCPU sees the other one’s translations, with either technique', async () => {
    for (const technique of ['hardware', 'trap-emulate'] as const) {
      const r = await run(technique, [0, 0]);
      expect(r.res).toEqual(EXPECTED);
      // They took turns (vCPU 1 yields with its private table live, every 64 rounds).
      expect(r.stats.switches).toBeGreaterThan(ROUNDS / 64);
      if (technique === 'trap-emulate') expectOwnShadows(r.p, [L1A | 1, L1B | 1]);
    }
  });

  it('is deterministic on one thread', async () => {
    const a = await run('trap-emulate', [0, 1]);
    const b = await run('trap-emulate', [0, 1]);
    expect([b.res, b.rounds0, b.stats]).toEqual([a.res, a.rounds0, a.stats]);
    expect(b.w.machine.stateHash()).toBe(a.w.machine.stateHash());
  });

  it('runs the same with each pCPU on a thread of its own', async () => {
    const te = await run('trap-emulate', [0, 1], { threads: true });
    expect(te.res).toEqual(EXPECTED);
    expect(te.rounds0).toBeGreaterThan(100);
    expect(te.stats.reflected).toBe(1);
    expect(te.stats.emulated).toBeGreaterThan(4 * ROUNDS);
    expectOwnShadows(te.p, [L1A | 1, L1B | 1]);
    // Every privileged instruction of vCPU 1 (on pCPU 1's thread) stopped the world for the
    // hypervisor on the machine thread: at least one sync each.
    expect(te.w.parallel?.stats.syncs).toBeGreaterThanOrEqual(4 * ROUNDS);
  });
});
