/**
 * Pseudo-instructions: conveniences spelled as instructions that expand to real ones from the opcode
 * table. This table is the one list of them (the editor shows `syntax` and `doc` in completion and
 * hovers). An expansion's size is decided in pass 1 (from the operands and the constants known at
 * that point) and never changes in pass 2. When a real mnemonic takes the same number of operands
 * as a pseudo of that name, the real instruction wins.
 */
import { type Expr, hiOf, loOf, num } from './expr.js';
import type { SlotKind } from './operands.js';

/** One real instruction of an expansion. Registers default to zero (r0), the immediate to 0. */
export interface RealInst {
  mnemonic: string;
  rd?: number;
  rs1?: number;
  rs2?: number;
  imm?: Expr;
  /** The control register operand was written as this (unknown) name: for the error message. */
  csrName?: string;
}

/** The operands of a pseudo, in order: registers as numbers, the rest as expressions. */
export interface PseudoArgs {
  reg(i: number): number;
  expr(i: number): Expr;
  csrName(i: number): string | undefined;
}

export interface PseudoDef {
  name: string;
  /** How the operands are written, for docs and the operand-count message. */
  syntax: string;
  /** One line for docs, hovers and completion. */
  doc: string;
  /** How each operand is read (the same readings as real instruction operands). */
  operands: readonly SlotKind[];
  /** `known` gives an expression's value when it is a constant already known in pass 1. */
  expand(a: PseudoArgs, known: (e: Expr) => number | undefined): RealInst[];
}

const ZERO = 0;
const RA = 1;
const SP = 2;

const fitsSimm16 = (v: number) => v >= -0x8000 && v <= 0x7fff;

/** Load a 32-bit value: lui of the rounded high half, then addi of the signed low half. */
function loadWide(rd: number, e: Expr): RealInst[] {
  return [
    { mnemonic: 'lui', rd, imm: hiOf(e) },
    { mnemonic: 'addi', rd, rs1: rd, imm: loOf(e) },
  ];
}

/** Branch-if-compare-with-zero: `zeroFirst` puts zero as rs1 (blez, bgtz). */
const branchZero = (name: string, real: string, zeroFirst: boolean, doc: string): PseudoDef => ({
  name,
  syntax: 'rs, target',
  doc,
  operands: ['reg', 'target'],
  expand: (a) => [
    zeroFirst
      ? { mnemonic: real, rs1: ZERO, rs2: a.reg(0), imm: a.expr(1) }
      : { mnemonic: real, rs1: a.reg(0), rs2: ZERO, imm: a.expr(1) },
  ],
});

/** Branch with the operands swapped (bgt a, b == blt b, a). */
const branchSwap = (name: string, real: string, doc: string): PseudoDef => ({
  name,
  syntax: 'rs1, rs2, target',
  doc,
  operands: ['reg', 'reg', 'target'],
  expand: (a) => [{ mnemonic: real, rs1: a.reg(1), rs2: a.reg(0), imm: a.expr(2) }],
});

/** csrw / csrs / csrc: the CSR instruction with rd = zero (no read). */
const csrWrite = (name: string, real: string, doc: string): PseudoDef => ({
  name,
  syntax: 'csr, rs',
  doc,
  operands: ['csr', 'reg'],
  expand: (a) => [{ mnemonic: real, rd: ZERO, rs1: a.reg(1), imm: a.expr(0), csrName: a.csrName(0) }],
});

export const PSEUDOS: readonly PseudoDef[] = [
  {
    name: 'nop',
    syntax: '',
    doc: 'do nothing (addi zero, zero, 0)',
    operands: [],
    expand: () => [{ mnemonic: 'addi', imm: num(0) }],
  },
  {
    name: 'li',
    syntax: 'rd, value',
    doc: 'rd = value: one instruction when v is a constant known at that point and fits (addi rd, zero, v for -32768..32767; lui alone when its low 16 bits are 0), else lui + addi',
    operands: ['reg', 'imm'],
    expand: (a, known) => {
      const v = known(a.expr(1));
      if (v !== undefined && fitsSimm16(v)) return [{ mnemonic: 'addi', rd: a.reg(0), rs1: ZERO, imm: a.expr(1) }];
      if (v !== undefined && (v & 0xffff) === 0) return [{ mnemonic: 'lui', rd: a.reg(0), imm: hiOf(a.expr(1)) }];
      return loadWide(a.reg(0), a.expr(1));
    },
  },
  {
    name: 'la',
    syntax: 'rd, symbol',
    doc: 'rd = address of symbol (always lui %hi + addi %lo: 2 instructions)',
    operands: ['reg', 'imm'],
    expand: (a) => loadWide(a.reg(0), a.expr(1)),
  },
  {
    name: 'mv',
    syntax: 'rd, rs',
    doc: 'rd = rs (addi rd, rs, 0)',
    operands: ['reg', 'reg'],
    expand: (a) => [{ mnemonic: 'addi', rd: a.reg(0), rs1: a.reg(1), imm: num(0) }],
  },
  {
    name: 'not',
    syntax: 'rd, rs',
    doc: 'rd = ~rs (sub rd, zero, rs; addi rd, rd, -1: xori zero-extends, so it cannot flip all bits)',
    operands: ['reg', 'reg'],
    expand: (a) => [
      { mnemonic: 'sub', rd: a.reg(0), rs1: ZERO, rs2: a.reg(1) },
      { mnemonic: 'addi', rd: a.reg(0), rs1: a.reg(0), imm: num(-1) },
    ],
  },
  {
    name: 'neg',
    syntax: 'rd, rs',
    doc: 'rd = -rs (sub rd, zero, rs)',
    operands: ['reg', 'reg'],
    expand: (a) => [{ mnemonic: 'sub', rd: a.reg(0), rs1: ZERO, rs2: a.reg(1) }],
  },
  {
    name: 'j',
    syntax: 'target',
    doc: 'goto target (jal zero, target)',
    operands: ['target'],
    expand: (a) => [{ mnemonic: 'jal', rd: ZERO, imm: a.expr(0) }],
  },
  {
    name: 'jal',
    syntax: 'target',
    doc: 'call target, return address in ra (jal ra, target)',
    operands: ['target'],
    expand: (a) => [{ mnemonic: 'jal', rd: RA, imm: a.expr(0) }],
  },
  {
    name: 'jr',
    syntax: 'rs',
    doc: 'goto the address in rs (jalr zero, 0(rs))',
    operands: ['reg'],
    expand: (a) => [{ mnemonic: 'jalr', rd: ZERO, rs1: a.reg(0), imm: num(0) }],
  },
  {
    name: 'jalr',
    syntax: 'rs',
    doc: 'call the address in rs, return address in ra (jalr ra, 0(rs))',
    operands: ['reg'],
    expand: (a) => [{ mnemonic: 'jalr', rd: RA, rs1: a.reg(0), imm: num(0) }],
  },
  {
    name: 'call',
    syntax: 'target',
    doc: 'call target, return address in ra (jal ra, target)',
    operands: ['target'],
    expand: (a) => [{ mnemonic: 'jal', rd: RA, imm: a.expr(0) }],
  },
  {
    name: 'ret',
    syntax: '',
    doc: 'return to ra (jalr zero, 0(ra))',
    operands: [],
    expand: () => [{ mnemonic: 'jalr', rd: ZERO, rs1: RA, imm: num(0) }],
  },
  branchZero('beqz', 'beq', false, 'if rs == 0 goto target (beq rs, zero, target)'),
  branchZero('bnez', 'bne', false, 'if rs != 0 goto target (bne rs, zero, target)'),
  branchZero('bltz', 'blt', false, 'if rs < 0 goto target (blt rs, zero, target)'),
  branchZero('bgez', 'bge', false, 'if rs >= 0 goto target (bge rs, zero, target)'),
  branchZero('blez', 'bge', true, 'if rs <= 0 goto target (bge zero, rs, target)'),
  branchZero('bgtz', 'blt', true, 'if rs > 0 goto target (blt zero, rs, target)'),
  branchSwap('bgt', 'blt', 'if rs1 > rs2 (signed) goto target (blt rs2, rs1, target)'),
  branchSwap('ble', 'bge', 'if rs1 <= rs2 (signed) goto target (bge rs2, rs1, target)'),
  branchSwap('bgtu', 'bltu', 'if rs1 > rs2 (unsigned) goto target (bltu rs2, rs1, target)'),
  branchSwap('bleu', 'bgeu', 'if rs1 <= rs2 (unsigned) goto target (bgeu rs2, rs1, target)'),
  {
    name: 'seqz',
    syntax: 'rd, rs',
    doc: 'rd = (rs == 0) ? 1 : 0 (sltiu rd, rs, 1)',
    operands: ['reg', 'reg'],
    expand: (a) => [{ mnemonic: 'sltiu', rd: a.reg(0), rs1: a.reg(1), imm: num(1) }],
  },
  {
    name: 'snez',
    syntax: 'rd, rs',
    doc: 'rd = (rs != 0) ? 1 : 0 (sltu rd, zero, rs)',
    operands: ['reg', 'reg'],
    expand: (a) => [{ mnemonic: 'sltu', rd: a.reg(0), rs1: ZERO, rs2: a.reg(1) }],
  },
  {
    name: 'csrr',
    syntax: 'rd, csr',
    doc: 'rd = csr (csrrs rd, csr, zero)',
    operands: ['reg', 'csr'],
    expand: (a) => [{ mnemonic: 'csrrs', rd: a.reg(0), rs1: ZERO, imm: a.expr(1), csrName: a.csrName(1) }],
  },
  csrWrite('csrw', 'csrrw', 'csr = rs (csrrw zero, csr, rs)'),
  csrWrite('csrs', 'csrrs', 'csr |= rs (csrrs zero, csr, rs)'),
  csrWrite('csrc', 'csrrc', 'csr &= ~rs (csrrc zero, csr, rs)'),
  {
    name: 'tlbflush',
    syntax: '',
    doc: 'flush all stage-1 TLB entries of every asid (tlbflush zero, zero)',
    operands: [],
    expand: () => [{ mnemonic: 'tlbflush', rs1: ZERO, rs2: ZERO }],
  },
  {
    name: 'push',
    syntax: 'rs',
    doc: 'push rs on the stack (addi sp, sp, -4; sw rs, 0(sp))',
    operands: ['reg'],
    expand: (a) => [
      { mnemonic: 'addi', rd: SP, rs1: SP, imm: num(-4) },
      { mnemonic: 'sw', rs2: a.reg(0), rs1: SP, imm: num(0) },
    ],
  },
  {
    name: 'pop',
    syntax: 'rd',
    doc: 'pop the top of the stack into rd (lw rd, 0(sp); addi sp, sp, 4)',
    operands: ['reg'],
    expand: (a) => [
      { mnemonic: 'lw', rd: a.reg(0), rs1: SP, imm: num(0) },
      { mnemonic: 'addi', rd: SP, rs1: SP, imm: num(4) },
    ],
  },
];

/** Pseudos by name (several may share a name with different operand counts). */
export const PSEUDO_BY_NAME: ReadonlyMap<string, readonly PseudoDef[]> = (() => {
  const m = new Map<string, PseudoDef[]>();
  for (const p of PSEUDOS) {
    const list = m.get(p.name) ?? [];
    list.push(p);
    m.set(p.name, list);
  }
  return m;
})();
