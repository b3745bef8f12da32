/**
 * The debugger in dual boot (docs/debugger.md#pause-is-a-partition-state): the guest is the whole
 * machine, its vCPUs are the pCPUs; a held pCPU leaves its slice and a paused machine runs no time.
 */
import { describe, expect, it } from 'vitest';
import { machine, ins, words } from '../testing/harness.js';
import { Debugger } from './Debugger.js';

/** At 0: t0 counts, 2 instructions a round after 1. */
const LOOP = words(
  ins('addi', { rd: 't0', rs1: 0, imm: 0 }),
  ins('addi', { rd: 't0', rs1: 't0', imm: 1 }), // 4: loop
  ins('jal', { rd: 0, imm: -4 }),
);

describe('dual boot', () => {
  for (const engine of ['interp', 'jit'] as const) {
    it(`${engine}: breaks, holds the machine, steps one instruction and goes on`, () => {
      const { m } = machine({ engine, mem: 1 << 20 });
      m.load(0, LOOP);
      const dbg = new Debugger(
        m,
        undefined,
        () => 'bare',
        () => undefined,
      );
      m.run(100_000); // hot
      const t0 = dbg.registers(0, 0).regs[5]!.value;
      dbg.setBreakpoints(0, [{ address: 4, condition: `t0 == ${t0 + 1000}` }]);
      m.run(100_000);
      const st = dbg.state(0);
      expect(st.stop).toMatchObject({ reason: 'breakpoint', pc: 4, retired: 1 + 2 * (t0 + 1000) });
      expect(dbg.machineHeld()).toBe(true);
      const before = m.cpus[0]!.instret;
      m.run(10_000); // a held pCPU does nothing
      expect(m.cpus[0]!.instret).toBe(before);
      dbg.step(0, 0, 'instruction');
      expect(dbg.machineHeld()).toBe(false);
      m.run(10_000);
      expect(dbg.state(0).stop).toMatchObject({ reason: 'step', pc: 8 });
      expect(dbg.registers(0, 0).regs[5]!.value).toBe(t0 + 1001);
      expect(dbg.registers(0, 0).mode).toBe('hypervisor');
      dbg.setBreakpoints(0, []);
      dbg.resume(0);
      m.run(10_000);
      expect(dbg.registers(0, 0).regs[5]!.value).toBeGreaterThan(t0 + 2000);
      expect(() => dbg.state(1)).toThrow(/no guest 1 in dual boot: the one OS is guest 0/);
    });
  }
});
