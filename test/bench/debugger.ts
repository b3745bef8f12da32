/**
 * What the debugger costs (docs/debugger.md#cost): a CPU-bound guest's speed when no guest is
 * debugged, when another guest has a breakpoint or is paused (it should not change: those guests
 * alone run checked), and when it has a breakpoint itself (the checked path's speed).
 */
import { Debugger } from '../../src/main/emulator/debug/Debugger.js';
import { GUEST_ENTRY, IDLE, ins, partitionedMachine, words } from '../../src/main/emulator/testing/harness.js';

const AGENT = GUEST_ENTRY;
// Guest 1 is IDLE: it has the breakpoint and never runs.
/** t0 counts and is stored: the measured guest (guest 2). */
const COUNTER = words(
  ins('addi', { rd: 't0', rs1: 0, imm: 0 }),
  ins('addi', { rd: 't0', rs1: 't0', imm: 1 }),
  ins('sw', { rs1: 0, rs2: 't0', imm: 0x100 }),
  ins('jal', { rd: 0, imm: -8 }),
);
const NEVER = 't0 == 4000000000';
const MODES = ['none', 'bp-on-other', 'other-paused', 'bp-on-self'] as const;

function world(engine: 'interp' | 'jit') {
  const { machine, hv, parts } = partitionedMachine(engine, [IDLE, COUNTER]);
  return {
    machine,
    dbg: new Debugger(
      machine,
      hv,
      () => 'bench',
      () => undefined,
    ),
    parts,
  };
}

export function debuggerBenches(filter: string | undefined, engines: readonly ('interp' | 'jit')[]): object[] {
  if (filter && !filter.split(',').some((f) => 'debug-overhead'.includes(f))) return [];
  const out: object[] = [];
  for (const engine of engines)
    for (const mode of MODES) {
      const w = world(engine);
      if (mode === 'bp-on-other') w.dbg.setBreakpoints(1, [{ address: AGENT + 4, condition: NEVER }]);
      if (mode === 'other-paused') w.dbg.pause(1);
      if (mode === 'bp-on-self') w.dbg.setBreakpoints(2, [{ address: AGENT + 4, condition: NEVER }]);
      const v = w.parts[1]!.vcpus[0]!;
      const retired = () => (v.runningOn >= 0 ? w.machine.cpus[0]!.instret : v.instret);
      w.machine.run(2_000_000); // warm: the translator compiles the loop
      const before = retired();
      const t0 = performance.now();
      w.machine.run(mode === 'bp-on-self' ? 5_000_000 : 30_000_000);
      const ms = performance.now() - t0;
      out.push({
        bench: 'debug-overhead',
        engine,
        mode,
        mips: Math.round(((retired() - before) / ms / 1000) * 10) / 10,
      });
    }
  return out;
}
