/**
 * The call stack walker (docs/debugger.md#call-stack) on a bare machine (dual boot: the guest is
 * the machine): _start calls f, which saves ra on the stack and calls the leaf g. Stopped in g, in
 * f's prologue and in f's epilogue, the frames must name each function and stand at each caller's
 * call instruction; without symbols only the frame where the vCPU stands is given.
 */
import { describe, expect, it } from 'vitest';
import { ins, machine, words } from '../testing/harness.js';
import { Debugger } from './Debugger.js';
import type { ProgramInfo } from './program.js';

const PROGRAM = words(
  ins('addi', { rd: 'sp', rs1: 0, imm: 0x4000 }), // 0x00 _start
  ins('jal', { rd: 'ra', imm: 0x10 - 0x04 }), // 0x04 call f
  ins('jal', { rd: 0, imm: 0 }), // 0x08 j . (stays)
  ins('addi', { rd: 0, rs1: 0, imm: 0 }), // 0x0c nop
  ins('addi', { rd: 'sp', rs1: 'sp', imm: -16 }), // 0x10 f
  ins('sw', { rs2: 'ra', rs1: 'sp', imm: 12 }), // 0x14
  ins('jal', { rd: 'ra', imm: 0x28 - 0x18 }), // 0x18 call g
  ins('lw', { rd: 'ra', rs1: 'sp', imm: 12 }), // 0x1c
  ins('addi', { rd: 'sp', rs1: 'sp', imm: 16 }), // 0x20
  ins('jalr', { rd: 0, rs1: 'ra', imm: 0 }), // 0x24 ret
  ins('addi', { rd: 't0', rs1: 't0', imm: 1 }), // 0x28 g
  ins('jalr', { rd: 0, rs1: 'ra', imm: 0 }), // 0x2c ret
);

const INFO: ProgramInfo = {
  file: 'calls.s',
  entry: 0,
  lines: [0x00, 0x04, 0x08, 0x0c, 0x10, 0x14, 0x18, 0x1c, 0x20, 0x24, 0x28, 0x2c].map((address, i) => ({
    address,
    file: 'calls.s',
    line: 3 + i,
  })),
  labels: [
    { name: '_start', address: 0 },
    { name: 'f', address: 0x10 },
    { name: 'g', address: 0x28 },
  ],
};

/** The machine stopped at `address` (its first time there), with or without the program's symbols. */
function stoppedAt(address: number, symbols = true): Debugger {
  const { m } = machine({ mem: 1 << 20 });
  m.load(0, PROGRAM);
  const dbg = new Debugger(
    m,
    undefined,
    () => 'bare',
    () => undefined,
  );
  if (symbols) dbg.setProgram(0, INFO);
  dbg.setBreakpoints(0, [{ address }]);
  m.run(10_000);
  expect(dbg.state(0).stop).toMatchObject({ reason: 'breakpoint', pc: address });
  return dbg;
}

const brief = (d: Debugger) =>
  d.stack(0, 0).frames.map((f) => ({ pc: f.pc, sp: f.sp, function: f.function, line: f.line }));

describe('the call stack', () => {
  it('in a leaf called by a function that saved ra: three frames, each caller at its call', () => {
    const d = stoppedAt(0x2c);
    expect(brief(d)).toEqual([
      { pc: 0x2c, sp: 0x3ff0, function: 'g', line: 14 },
      { pc: 0x18, sp: 0x3ff0, function: 'f', line: 9 },
      { pc: 0x04, sp: 0x4000, function: '_start', line: 4 },
    ]);
    expect(d.stack(0, 0).stopped).toBeUndefined();
    expect(d.stack(0, 0).frames[1]).toMatchObject({ index: 1, function: 'f', offset: 8, file: 'calls.s' });
    expect(d.stack(0, 0).frames[1]!.label).toBeUndefined();
    expect(d.stack(0, 0).frames[0]!.label).toBeUndefined(); // 0x2c: no label there
    expect(stoppedAt(0x28).stack(0, 0).frames[0]).toMatchObject({ function: 'g', offset: 0, label: 'g' });
  });

  it('in a prologue before ra is saved, and in an epilogue after it is restored', () => {
    expect(brief(stoppedAt(0x14)).map((f) => [f.function, f.pc, f.sp])).toEqual([
      ['f', 0x14, 0x3ff0],
      ['_start', 0x04, 0x4000],
    ]);
    expect(brief(stoppedAt(0x20)).map((f) => [f.function, f.pc, f.sp])).toEqual([
      ['f', 0x20, 0x3ff0],
      ['_start', 0x04, 0x4000],
    ]);
    // At f's ret: sp is back, ra holds the return address.
    expect(brief(stoppedAt(0x24)).map((f) => [f.function, f.pc, f.sp])).toEqual([
      ['f', 0x24, 0x4000],
      ['_start', 0x04, 0x4000],
    ]);
  });

  it('without the program’s symbols: the one frame, and why', () => {
    const s = stoppedAt(0x2c, false).stack(0, 0);
    expect(s.frames).toEqual([{ index: 0, pc: 0x2c, sp: 0x3ff0 }]);
    expect(s.stopped).toMatch(/no program with symbols/);
  });

  it('stops and says why when a return address does not follow a call', () => {
    const d = stoppedAt(0x2c);
    d.setRegister(0, 0, 'ra', 0x30); // 0x2c is no call
    const s = d.stack(0, 0);
    expect(s.frames.map((f) => f.function)).toEqual(['g']);
    expect(s.stopped).toMatch(/return address of g \(0x00000030\) does not follow a call/);
  });
});
