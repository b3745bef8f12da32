/**
 * Real SMP (src/main/emulator/machine/parallel.ts): the pCPUs of one machine on threads of their
 * own over shared RAM. Parallel runs are not deterministic, so these tests check invariants that
 * must hold however the threads interleave, and compare with the one-thread mode where the result
 * does not depend on the interleaving.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { CAUSE } from '../../src/shared/isa/csrs.js';
import { SYSCTL_BASE } from '../../src/shared/isa/memoryMap.js';
import type { ParallelRunner } from '../../src/main/emulator/machine/parallel.js';
import { ins, li, machine, skipTrap, words } from '../../src/main/emulator/testing/harness.js';
import { parallelRunner } from '../../src/main/engine/threads.js';
import { defaultImage } from '../guests/boot.js';
import { HvWorld } from '../hypervisor/harness.js';

const runners: ParallelRunner[] = [];
afterEach(() => {
  for (const r of runners.splice(0)) r.close();
});
async function runner(m: Parameters<typeof parallelRunner>[0]): Promise<ParallelRunner> {
  const r = await parallelRunner(m);
  runners.push(r);
  return r;
}

describe('parallel SMP', () => {
  it('refuses a machine without shared RAM', async () => {
    const t = machine({ cpus: 2 });
    await expect(runner(t.m)).rejects.toThrow(/sharedMemory/);
  });

  it("keeps the guest's atomics atomic across threads", async () => {
    const t = machine({ cpus: 2, mem: 1 << 20, sharedMemory: true });
    // Each pCPU: amoadd 1 to the shared word at 0x8000, then count in a0; forever.
    t.m.load(
      0x1000,
      words(
        li('t0', 0x8000),
        ins('addi', { rd: 't2', imm: 1 }),
        ins('amoadd', { rd: 't1', rs1: 't0', rs2: 't2' }),
        ins('addi', { rd: 'a0', rs1: 'a0', imm: 1 }),
        ins('jal', { rd: 0, imm: -8 }),
      ),
    );
    for (const c of t.m.cpus) c.pc = 0x1000;
    const r = await runner(t.m);
    for (let i = 0; i < 10; i++) expect(r.run(300_000)).toBeNull();
    const [a, b] = t.m.cpus.map((c) => c.regs[10]);
    expect(a).toBeGreaterThan(500_000);
    expect(b).toBeGreaterThan(500_000);
    // A lost update would leave the shared word below the sum; each pCPU may be between its amoadd
    // and its count when the run ends.
    const shared = t.m.mem.read32(0x8000);
    expect(shared - (a + b)).toBeGreaterThanOrEqual(0);
    expect(shared - (a + b)).toBeLessThanOrEqual(2);
    expect(t.m.time).toBe(3_000_000);
    expect(t.m.cpus.every((c) => c.hcycle === 3_000_000)).toBe(true);
  });

  it("hands every trap a thread's pCPU took to the machine thread, in order, with its cycle", async () => {
    const t = machine({ cpus: 2, mem: 1 << 20, sharedMemory: true });
    // pCPU 1 makes a syscall every 8 steps; its vector (5 steps) counts it in a0 and returns past
    // it. pCPU 0 spins.
    const body = Array(6).fill(ins('addi', { rd: 'a1', imm: 0 }));
    t.m.load(0x1000, words(ins('syscall', { imm: 5 }), ...body, ins('jal', { rd: 0, imm: -28 })));
    t.m.load(0x2000, words(skipTrap('hepc', 't6', ins('addi', { rd: 'a0', rs1: 'a0', imm: 1 }))));
    t.m.load(0x3000, words(ins('jal', { rd: 0, imm: 0 })));
    const c1 = t.m.cpus[1];
    c1.pc = 0x1000;
    c1.htvec = 0x2000;
    t.m.cpus[0].pc = 0x3000;
    const seen: { cpu: number; cycle: number; pc: number; cause: number }[] = [];
    const r = await runner(t.m);
    r.traps = (cpu, rec) => seen.push({ cpu: cpu.id, cycle: rec.cycle, pc: rec.pc, cause: rec.cause });
    // Runs of 300 cycles: at most 24 traps between two looks, well inside the thread's ring.
    for (let i = 0; i < 20; i++) expect(r.run(300)).toBeNull();
    // A syscall every 13 cycles from cycle 0: 462 of them in 6,000 cycles (the last one's handler
    // may not have counted it yet).
    expect(seen.length).toBe(462);
    expect(seen.length - c1.regs[10]).toBeLessThanOrEqual(1);
    expect(seen.every((x) => x.cpu === 1 && x.pc === 0x1000 && x.cause === CAUSE.SYSCALL)).toBe(true);
    expect(seen.map((x) => x.cycle)).toEqual(seen.map((_, k) => 13 * k));
  });

  it("stops the machine when a thread's pCPU traps through a vector that was never set", async () => {
    const t = machine({ cpus: 2, mem: 1 << 20, sharedMemory: true, stopOnUnsetVector: true });
    // pCPU 1 counts 500 times, then makes a syscall with no htvec; pCPU 0 spins.
    t.m.load(
      0x1000,
      words(
        ins('addi', { rd: 'a0', rs1: 'a0', imm: 1 }),
        ins('slti', { rd: 't0', rs1: 'a0', imm: 500 }),
        ins('bne', { rs1: 't0', rs2: 0, imm: -8 }),
        ins('syscall', { imm: 9 }),
      ),
    );
    t.m.load(0x3000, words(ins('jal', { rd: 0, imm: 0 })));
    t.m.cpus[1].pc = 0x1000;
    t.m.cpus[0].pc = 0x3000;
    const r = await runner(t.m);
    let stop = null;
    for (let i = 0; i < 10 && !stop; i++) stop = r.run(1000);
    expect(stop).toMatchObject({
      kind: 'unhandled-trap',
      exitCode: 128 + CAUSE.SYSCALL,
      trap: { cpu: 1, cause: CAUSE.SYSCALL, pc: 0x100c, badaddr: 9, targetMode: 2, cycle: 1500 },
    });
  });

  it('runs device accesses on the machine thread, in order per pCPU, and stops on sysctl EXIT', async () => {
    const t = machine({ cpus: 2, mem: 1 << 20, sharedMemory: true });
    // pCPU 1 prints "0123456789" on uart0, then exits with 7; pCPU 0 spins.
    const uart = 0xf000_0000;
    t.m.load(
      0x1000,
      words(
        li('t0', uart),
        ins('addi', { rd: 't1', imm: 48 }),
        ins('addi', { rd: 't2', imm: 58 }),
        ins('sw', { rs1: 't0', rs2: 't1', imm: 0 }), // loop:
        ins('addi', { rd: 't1', rs1: 't1', imm: 1 }),
        ins('bne', { rs1: 't1', rs2: 't2', imm: -8 }),
        li('t0', SYSCTL_BASE),
        ins('addi', { rd: 't1', imm: 7 }),
        ins('sw', { rs1: 't0', rs2: 't1', imm: 0 }),
        ins('jal', { rd: 0, imm: 0 }),
      ),
    );
    t.m.load(0x3000, words(ins('jal', { rd: 0, imm: 0 })));
    // The printing pCPU is 1, on a thread of its own: its device accesses are calls to this thread.
    t.m.cpus[1].pc = 0x1000;
    t.m.cpus[0].pc = 0x3000;
    const r = await runner(t.m);
    let stop = null;
    for (let i = 0; i < 20 && !stop; i++) stop = r.run(100_000);
    expect(stop).toMatchObject({ kind: 'exit', exitCode: 7 });
    expect(t.out()).toBe('0123456789');
    expect(t.m.cpus.every((c) => c.halted)).toBe(true);
    expect(r.stats.mmio).toBeGreaterThanOrEqual(11);
  });

  it('sees code the machine thread loads into a page a pCPU thread already ran', async () => {
    const t = machine({ cpus: 1, mem: 1 << 20, sharedMemory: true });
    const loop = (rd: 'a0' | 'a1') => words(ins('addi', { rd, rs1: rd, imm: 1 }), ins('jal', { rd: 0, imm: -4 }));
    t.m.load(0x1000, loop('a0'));
    t.m.cpus[0].pc = 0x1000;
    const r = await runner(t.m);
    r.run(100_000);
    const a0 = t.m.cpus[0].regs[10];
    expect(a0).toBeGreaterThan(10_000);
    t.m.load(0x1000, loop('a1'));
    t.m.cpus[0].pc = 0x1000;
    r.run(100_000);
    expect(t.m.cpus[0].regs[10]).toBe(a0);
    expect(t.m.cpus[0].regs[11]).toBeGreaterThan(10_000);
  });

  it('sees code another pCPU thread writes, within a slice', async () => {
    const t = machine({ cpus: 2, mem: 1 << 20, sharedMemory: true });
    // pCPU 0 runs `addi a0, a0, 1; jal -4` at 0x1000. pCPU 1 waits for a0-ish time, then stores
    // `addi a1, a1, 1` over the addi (a store into a page pCPU 0 executes), then spins.
    const patched = ins('addi', { rd: 'a1', rs1: 'a1', imm: 1 });
    t.m.load(0x1000, words(ins('addi', { rd: 'a0', rs1: 'a0', imm: 1 }), ins('jal', { rd: 0, imm: -4 })));
    t.m.load(
      0x3000,
      words(
        li('t0', 0x1000),
        li('t1', patched),
        li('t2', 200_000),
        ins('addi', { rd: 't2', rs1: 't2', imm: -1 }), // delay:
        ins('bne', { rs1: 't2', rs2: 0, imm: -4 }),
        ins('sw', { rs1: 't0', rs2: 't1', imm: 0 }),
        ins('jal', { rd: 0, imm: 0 }),
      ),
    );
    t.m.cpus[0].pc = 0x1000;
    t.m.cpus[1].pc = 0x3000;
    const r = await runner(t.m);
    for (let i = 0; i < 10; i++) r.run(200_000);
    expect(t.m.mem.read32(0x1000)).toBe(patched);
    expect(t.m.cpus[0].regs[10]).toBeGreaterThan(10_000);
    expect(t.m.cpus[0].regs[11]).toBeGreaterThan(100_000);
  });
});

describe('parallel SMP under the hypervisor', () => {
  it('runs two cos clients on their own pCPUs and threads, with the hypervisor on the machine thread', async () => {
    const w = new HvWorld({ cpus: 2, memBytes: 64 << 20, diskImage: await defaultImage(), sharedMemory: true });
    const cos = w.diskOs('cos');
    const a = w.launch(1, 'cos1', cos, { memBytes: 8 << 20, cpu: 0, grantDiskPartition: cos.partition });
    const b = w.launch(2, 'cos2', cos, { memBytes: 8 << 20, cpu: 1, grantDiskPartition: cos.partition });
    w.parallel = await runner(w.machine);
    w.expect('cos1', 'cos> ');
    w.expect('cos2', 'cos> ');
    // Work on both at once: each answers what it does on one thread.
    w.type(1, 'primes\r');
    w.type(2, 'echo on the other thread\r');
    w.expect('cos1', '1229 primes below 10000');
    w.expect('cos2', 'on the other thread\r\n');
    expect(w.command(2, 'cos2', 'primes')).toContain('1229 primes below 10000');
    // Both pCPUs ran guest code; the hypervisor ran (on this thread) for their hypercalls and ticks.
    expect(a.vcpus[0].instret + w.machine.cpus[0].instret).toBeGreaterThan(0);
    expect(w.parallel.stats.syncs).toBeGreaterThan(10);
    expect(a.state).toBe('running');
    expect(b.state).toBe('running');
    expect(w.machine.cpus.map((c) => c.stats.hypercalls).every((n) => n > 0)).toBe(true);
    // ctl's management: stop a client whose pCPU runs on another thread, and start it again.
    expect(w.hv.stop(2)).toBeUndefined();
    w.run(2_000_000);
    expect(b.state).toBe('stopped');
    expect(w.hv.currentOn(1)?.partitionId ?? 0).toBe(0);
  });
});
