/**
 * Encode and decode HD32 instruction words from the opcode table (docs/isa.md#encoding).
 * Pure functions of the table: the assembler, the disassembler and the emulator's decoder all use
 * these, so the bit layout is written down exactly once.
 */
import { OPCODES, type Format, type OpcodeInfo } from './opcodes.js';

/** Operands of one instruction, in the roles of its format (unused ones are 0). */
export interface Operands {
  rd: number;
  rs1: number;
  rs2: number;
  /** Immediate as the instruction means it: sign-extended for signed formats; for B and J the
   *  byte offset from the instruction (a multiple of 4); for CSR the register number. */
  imm: number;
}

export interface Decoded extends Operands {
  info: OpcodeInfo;
}

const OPCODE_MASK = 0x3f;

/** Which word fields each format uses; every other bit must be zero. */
export const FORMAT_FIELDS: Record<Format, { usedMask: number; signed: boolean }> = {
  R: { usedMask: 0xffffffff, signed: false }, // funct fills 31:21
  A: { usedMask: 0xffffffff, signed: false },
  I: { usedMask: 0xffffffff, signed: true },
  IU: { usedMask: 0xffffffff, signed: false },
  SH: { usedMask: 0x001fffff, signed: false },
  U: { usedMask: 0xffff07ff, signed: false },
  L: { usedMask: 0xffffffff, signed: true },
  S: { usedMask: 0xffffffff, signed: true },
  B: { usedMask: 0xffffffff, signed: true },
  J: { usedMask: 0xffffffff, signed: true },
  CSR: { usedMask: 0x0fffffff, signed: false },
  SYS: { usedMask: 0xffff003f, signed: false },
  N: { usedMask: 0x0000003f, signed: false },
  F2: { usedMask: 0x0000ffff, signed: false },
  F1: { usedMask: 0x000007ff, signed: false },
};

/** Immediate range each format accepts (as written in assembly, before scaling). */
export function immediateRange(format: Format): { min: number; max: number; scale: number } | undefined {
  switch (format) {
    case 'I':
    case 'L':
    case 'S':
      return { min: -0x8000, max: 0x7fff, scale: 1 };
    case 'IU':
    case 'U':
    case 'SYS':
      return { min: 0, max: 0xffff, scale: 1 };
    case 'SH':
      return { min: 0, max: 31, scale: 1 };
    case 'CSR':
      return { min: 0, max: 0xfff, scale: 1 };
    case 'B':
      return { min: -0x8000 * 4, max: 0x7fff * 4, scale: 4 };
    case 'J':
      return { min: -0x100000 * 4, max: 0xfffff * 4, scale: 4 };
    default:
      return undefined;
  }
}

const primary: (OpcodeInfo | undefined)[] = new Array<OpcodeInfo | undefined>(64);
const functTables = new Map<number, Map<number, OpcodeInfo>>();
for (const o of OPCODES) {
  if (o.funct !== undefined) {
    let t = functTables.get(o.opcode);
    if (!t) functTables.set(o.opcode, (t = new Map()));
    t.set(o.funct, o);
  } else {
    primary[o.opcode] = o;
  }
}

/**
 * Decode a word, or return undefined when it is not a valid instruction (unassigned opcode or
 * funct, or a stray bit outside the format's fields): the CPU raises ILLEGAL_INSTRUCTION for those.
 */
export function decodeWord(word: number): Decoded | undefined {
  const w = word >>> 0;
  const opcode = w & OPCODE_MASK;
  const a = (w >>> 6) & 31;
  const b = (w >>> 11) & 31;
  const c = (w >>> 16) & 31;
  let info = primary[opcode];
  if (!info) {
    const t = functTables.get(opcode);
    if (!t) return undefined;
    info = t.get(w >>> 21);
    if (!info) return undefined;
  }
  if ((w & ~FORMAT_FIELDS[info.format].usedMask) !== 0) return undefined;
  const imm16 = w >>> 16;
  const simm16 = (w | 0) >> 16;
  switch (info.format) {
    case 'R':
    case 'A':
      return { info, rd: a, rs1: b, rs2: c, imm: 0 };
    case 'I':
    case 'L':
      return { info, rd: a, rs1: b, rs2: 0, imm: simm16 };
    case 'IU':
    case 'SH':
      return { info, rd: a, rs1: b, rs2: 0, imm: imm16 };
    case 'U':
      return { info, rd: a, rs1: 0, rs2: 0, imm: imm16 };
    case 'S':
      return { info, rd: 0, rs1: b, rs2: a, imm: simm16 };
    case 'B':
      return { info, rd: 0, rs1: a, rs2: b, imm: simm16 * 4 };
    case 'J':
      return { info, rd: a, rs1: 0, rs2: 0, imm: ((w | 0) >> 11) * 4 };
    case 'CSR':
      return { info, rd: a, rs1: b, rs2: 0, imm: imm16 };
    case 'SYS':
      return { info, rd: 0, rs1: 0, rs2: 0, imm: imm16 };
    case 'N':
      return { info, rd: 0, rs1: 0, rs2: 0, imm: 0 };
    case 'F2':
      return { info, rd: 0, rs1: a, rs2: b, imm: 0 };
    case 'F1':
      return { info, rd: 0, rs1: a, rs2: 0, imm: 0 };
  }
}

/** Why operands cannot be encoded, or undefined when they can. */
export function checkOperands(info: OpcodeInfo, ops: Operands): string | undefined {
  for (const [role, v] of [
    ['rd', ops.rd],
    ['rs1', ops.rs1],
    ['rs2', ops.rs2],
  ] as const) {
    if (!Number.isInteger(v) || v < 0 || v > 31) return `${role} must be a register r0..r31`;
  }
  const range = immediateRange(info.format);
  if (!range) return undefined;
  const { min, max, scale } = range;
  if (!Number.isInteger(ops.imm)) return `immediate must be an integer`;
  if (scale > 1 && ops.imm % scale !== 0) return `branch target offset ${ops.imm} is not a multiple of ${scale}`;
  if (ops.imm < min || ops.imm > max) {
    const what = scale > 1 ? 'target offset' : info.format === 'CSR' ? 'control register number' : 'immediate';
    return `${what} ${ops.imm} out of range ${min}..${max}`;
  }
  return undefined;
}

/** Encode an instruction. Operands must pass checkOperands (this masks, it does not check). */
export function encode(info: OpcodeInfo, ops: Operands): number {
  const op = info.opcode;
  const f = (x: number, shift: number) => ((x & 31) << shift) >>> 0;
  const i16 = ((ops.imm & 0xffff) << 16) >>> 0;
  let w: number;
  switch (info.format) {
    case 'R':
    case 'A':
      w = op | f(ops.rd, 6) | f(ops.rs1, 11) | f(ops.rs2, 16) | (((info.funct ?? 0) << 21) >>> 0);
      break;
    case 'I':
    case 'IU':
    case 'SH':
    case 'L':
    case 'CSR':
      w = op | f(ops.rd, 6) | f(ops.rs1, 11) | i16;
      break;
    case 'U':
      w = op | f(ops.rd, 6) | i16;
      break;
    case 'S':
      w = op | f(ops.rs2, 6) | f(ops.rs1, 11) | i16;
      break;
    case 'B':
      w = op | f(ops.rs1, 6) | f(ops.rs2, 11) | ((((ops.imm / 4) & 0xffff) << 16) >>> 0);
      break;
    case 'J':
      w = op | f(ops.rd, 6) | ((((ops.imm / 4) & 0x1fffff) << 11) >>> 0);
      break;
    case 'SYS':
      w = op | i16;
      break;
    case 'N':
      w = op;
      break;
    case 'F2':
      w = op | f(ops.rs1, 6) | f(ops.rs2, 11);
      break;
    case 'F1':
      w = op | f(ops.rs1, 6);
      break;
  }
  return w >>> 0;
}
