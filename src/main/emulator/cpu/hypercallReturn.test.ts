/**
 * A hypercall the hypervisor answers on the spot does not end the slice (Cpu.resumeInSlice,
 * docs/hypercalls.md#fast-return): the guest goes on in the same slice, in the interpreter and in
 * translated code alike. Going on must be exactly what ending the slice would have done: an
 * interrupt the hypercall makes pending is taken at the next instruction, a timer it arms fires at
 * its exact cycle, and the counters stay exact.
 */
import { describe, expect, it } from 'vitest';
import { CAUSE, CSRS, IRQ, STATUS_IE } from '../../../shared/isa/csrs.js';
import { ins, machine, step, words } from '../testing/harness.js';
import type { Cpu } from './Cpu.js';

const PC = 0x1000;
const ENGINES = ['interp', 'jit'] as const;

/**
 * A supervisor loop: `addi a1; hypercall 7; addi a2; jal back`, with a hypervisor hook that counts
 * the calls, lets `act` do something on call number n, and returns to the guest at once.
 */
function guest(engine: 'interp' | 'jit', act: (cpu: Cpu, n: number) => void = () => {}) {
  const t = machine({ engine });
  t.m.load(
    PC,
    words(
      ins('addi', { rd: 'a1', rs1: 'a1', imm: 1 }),
      ins('hypercall', { imm: 7 }),
      ins('addi', { rd: 'a2', rs1: 'a2', imm: 1 }),
      ins('jal', { rd: 0, imm: -12 }),
    ),
  );
  t.m.load(0x9000, words(ins('jal', { rd: 0, imm: 0 }))); // the supervisor's vector: spins
  const cpu = t.cpu;
  cpu.stvec = 0x9000;
  cpu.mode = 1;
  cpu.updateContext();
  cpu.pc = PC;
  const seen = { calls: 0, codes: new Set<number>() };
  cpu.hypervisorTrap = (c) => {
    expect(c.hcause).toBe(CAUSE.HYPERCALL);
    seen.calls++;
    seen.codes.add(c.hbadaddr);
    c.hepc = (c.hepc + 4) | 0;
    act(c, seen.calls);
    c.eret();
  };
  return { cpu, seen, m: t.m };
}

describe('a hypercall answered on the spot', () => {
  it('goes on in the same slice with exact counters, identically in both engines', () => {
    const states = ENGINES.map((engine) => {
      const { cpu, seen } = guest(engine);
      step(cpu, 100_000);
      // One hypercall every 4 steps; a hypercall traps, so it does not retire.
      expect(seen.calls).toBe(25_000);
      expect([...seen.codes]).toEqual([7]);
      expect(cpu.regs[11]).toBe(25_000);
      expect(cpu.regs[12]).toBe(25_000);
      expect(cpu.pc).toBe(PC);
      expect(cpu.mode).toBe(1);
      expect(cpu.hcycle).toBe(100_000);
      expect(cpu.instret).toBe(75_000);
      expect(cpu.stats.hypercalls).toBe(25_000);
      return cpu.saveState();
    });
    expect(states[1]).toEqual(states[0]);
  });

  it('lets the cycles the hypervisor charges pass, identically in both engines and however the run is cut', () => {
    // docs/hypercalls.md#what-the-hypervisor-costs: 100 cycles a call (Cpu.charge), inside the slice
    // when its budget has room, else at the start of the next; either way the same state.
    const run = (engine: 'interp' | 'jit', cuts: number[]) => {
      const { cpu, seen } = guest(engine, (c) => c.charge(100));
      for (const n of cuts) step(cpu, n);
      return { state: cpu.saveState(), calls: seen.calls };
    };
    const whole = [1_040_000];
    const cut = [1, 99, 7, 1_000, 3_333, 50_000, 985_560];
    const runs = ENGINES.flatMap((engine) => [run(engine, whole), run(engine, cut)]);
    const { state, calls } = runs[0];
    // A round is 4 steps (the hypercall's trap one of them, retiring nothing) and 100 charged cycles.
    expect(calls).toBe(10_000);
    expect(state.hcycle).toBe(1_040_000);
    expect(state.instret).toBe(30_000);
    expect(state.regs[11]).toBe(10_000);
    expect(state.regs[12]).toBe(10_000);
    expect(state.stall).toBe(0);
    for (const r of runs) expect(r).toEqual(runs[0]);
  });

  it('takes an interrupt the hypercall made pending at the very next instruction', () => {
    const states = ENGINES.map((engine) => {
      const { cpu, seen } = guest(engine, (c, n) => {
        if (n === 1000) c.hvip = 1 << IRQ.external;
      });
      cpu.hideleg = 1 << IRQ.external;
      cpu.sie = 1 << IRQ.external;
      cpu.sstatus = STATUS_IE;
      step(cpu, 20_000);
      expect(seen.calls).toBe(1000);
      expect(cpu.scause).toBe(CAUSE.INTERRUPT_EXTERNAL);
      expect(cpu.sepc).toBe(PC + 8); // the instruction after the hypercall
      expect(cpu.regs[11]).toBe(1000);
      expect(cpu.regs[12]).toBe(999);
      expect(cpu.pc).toBe(0x9000);
      return cpu.saveState();
    });
    expect(states[1]).toEqual(states[0]);
  });

  it('fires a timer the hypercall armed at its exact cycle', () => {
    const states = ENGINES.map((engine) => {
      const { cpu, seen } = guest(engine, (c, n) => {
        // The hypervisor sees the exact time of the hypercall: it is step 3997 (the 1000th call).
        if (n === 1000) {
          expect(c.now()).toBe(3997);
          c.sTimerAt = c.now() + 10;
        }
      });
      cpu.hideleg = 1 << IRQ.timer;
      cpu.sie = 1 << IRQ.timer;
      cpu.sstatus = STATUS_IE;
      step(cpu, 10_000);
      // Taken before step 4007, the jal of the 1002nd round.
      expect(cpu.scause).toBe(CAUSE.INTERRUPT_TIMER);
      expect(cpu.sepc).toBe(PC + 12);
      expect(seen.calls).toBe(1002);
      expect(cpu.regs[11]).toBe(1002);
      expect(cpu.regs[12]).toBe(1002);
      expect(cpu.instret).toBe(10_000 - 1002); // the handler's spinning jal retires
      return cpu.saveState();
    });
    expect(states[1]).toEqual(states[0]);
  });

  it('ends the slice when the hypervisor does not return to the guest', () => {
    for (const engine of ENGINES) {
      const { cpu, seen } = guest(engine, (c, n) => {
        if (n === 500) {
          c.hepc = 0x9000; // "schedules" elsewhere: the spinning vector
        }
      });
      step(cpu, 20_000);
      expect(seen.calls).toBe(500);
      expect(cpu.pc).toBe(0x9000);
      expect(cpu.regs[11]).toBe(500);
      expect(cpu.regs[12]).toBe(499);
      expect(cpu.instret).toBe(20_000 - 500);
    }
  });

  it('from user mode traps PRIVILEGED_INSTRUCTION to the kernel instead, in a hot translated loop too', () => {
    const sepc = (CSRS.find((c) => c.name === 'sepc') as { number: number }).number;
    const states = ENGINES.map((engine) => {
      const { cpu, seen, m } = guest(engine);
      // The kernel's vector: count the trap in a3, step over the word, return to the user loop.
      m.load(
        0x9000,
        words(
          ins('addi', { rd: 'a3', rs1: 'a3', imm: 1 }),
          ins('csrrs', { rd: 't0', rs1: 0, imm: sepc }),
          ins('addi', { rd: 't0', rs1: 't0', imm: 4 }),
          ins('csrrw', { rd: 0, rs1: 't0', imm: sepc }),
          ins('eret', {}),
        ),
      );
      cpu.hdeleg = 1 << CAUSE.PRIVILEGED_INSTRUCTION;
      cpu.mode = 0;
      cpu.updateContext();
      step(cpu, 90_000);
      expect(seen.calls).toBe(0);
      expect(cpu.stats.hypercalls).toBe(0);
      expect(cpu.scause).toBe(CAUSE.PRIVILEGED_INSTRUCTION);
      // 9 steps a round: addi, the trapping word, 5 in the kernel, addi, jal.
      expect(cpu.regs[13]).toBe(10_000);
      expect(cpu.regs[11]).toBe(10_000);
      return cpu.saveState();
    });
    expect(states[1]).toEqual(states[0]);
  });
});
