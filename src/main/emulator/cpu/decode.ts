/**
 * The interpreter's decoded form of an instruction (docs/architecture.md#execution). Words are
 * decoded once, when first executed from a physical page, into packed fields ready to use: register numbers (a write to r0 goes to the sink register 32), immediates sign-extended,
 * scaled and shifted. The kind numbers are the interpreter's switch labels; `KIND` maps every
 * mnemonic of the opcode table to one, and a test checks that no table entry lacks one.
 */
import { decodeWord } from '../../../shared/isa/encoding.js';

/**
 * A decoded page is an Int32Array of 2048 words (plus a sentinel pair): for instruction slot i, word 2i packs
 * kind | rd << 8 | rs1 << 16 | rs2 << 24 and word 2i+1 holds the immediate. Typed arrays measured
 * ~25% faster than one object per instruction here (docs/performance.md). A zero word means "not
 * decoded yet", so a fresh page needs no initialisation.
 */
export type CodePage = Int32Array;

/** Kind of the sentinel after the last slot: execution ran off the end of the page. */
export const K_PAGE_END = 63;

export function newCodePage(): CodePage {
  const p = new Int32Array(2050);
  p[2048] = K_PAGE_END;
  return p;
}

/** The fields of a packed instruction (for slow paths). */
export interface Insn {
  k: number;
  rd: number;
  rs1: number;
  rs2: number;
  imm: number;
  word: number;
}

export function unpack(w: number, imm: number, word: number): Insn {
  return { k: w & 255, rd: (w >>> 8) & 63, rs1: (w >>> 16) & 63, rs2: w >>> 24, imm, word };
}

/** Kind 0: not decoded yet (the interpreter decodes and re-dispatches). Kind 1: illegal. */
export const K_DECODE = 0;
export const K_ILLEGAL = 1;

export const KIND: Readonly<Record<string, number>> = {
  add: 2,
  sub: 3,
  and: 4,
  or: 5,
  xor: 6,
  sll: 7,
  srl: 8,
  sra: 9,
  slt: 10,
  sltu: 11,
  mul: 12,
  mulh: 13,
  mulhu: 14,
  div: 15,
  divu: 16,
  rem: 17,
  remu: 18,
  cas: 19,
  amoswap: 20,
  amoadd: 21,
  addi: 22,
  slti: 23,
  sltiu: 24,
  andi: 25,
  ori: 26,
  xori: 27,
  slli: 28,
  srli: 29,
  srai: 30,
  lui: 31,
  auipc: 32,
  lb: 33,
  lh: 34,
  lw: 35,
  lbu: 36,
  lhu: 37,
  sb: 38,
  sh: 39,
  sw: 40,
  beq: 41,
  bne: 42,
  blt: 43,
  bge: 44,
  bltu: 45,
  bgeu: 46,
  jal: 47,
  jalr: 48,
  csrrw: 49,
  csrrs: 50,
  csrrc: 51,
  syscall: 52,
  hypercall: 53,
  brk: 54,
  eret: 55,
  wfi: 56,
  tlbflush: 57,
  hflush: 58,
};

export const SINK = 32;

/** Decode `word` into slot `slot` of a code page. */
export function decodeInto(page: CodePage, slot: number, word: number): void {
  const d = decodeWord(word);
  const k = d ? KIND[d.info.mnemonic] : undefined;
  if (!d || k === undefined) {
    page[2 * slot] = K_ILLEGAL | (SINK << 8);
    page[2 * slot + 1] = 0;
    return;
  }
  let imm = d.imm;
  if (d.info.mnemonic === 'lui' || d.info.mnemonic === 'auipc') imm = (imm << 16) | 0;
  page[2 * slot] = k | ((d.rd === 0 ? SINK : d.rd) << 8) | (d.rs1 << 16) | (d.rs2 << 24);
  page[2 * slot + 1] = imm | 0;
}

/**
 * Fused pairs (docs/performance.md#fused-pairs-in-the-interpreter): when the interpreter decodes an
 * instruction whose successor in the page makes a common pair with it (a loop's counter step and
 * its branch, an address computed and then used), the first slot's kind becomes a fused kind. Its
 * fields and immediate stay the first instruction's; the second keeps its own slot, so a jump to
 * it, a single step (the debugger, the translator's cold path) or a slice that ends between the two
 * runs it alone. The fused case runs the second only on its fast path and when the slice's budget
 * allows; anything else (a TLB miss, a branch out of the page) leaves it to its own slot: same
 * steps, same state, same trap points as without fusion.
 */
export const F_ADDI_BRANCH = 64; // 64..69: addi, then beq bne blt bge bltu bgeu
export const F_ADD_BRANCH = 70; // 70..75: add, then beq bne blt bge bltu bgeu
export const F_ADD_SB = 76;
export const F_ADD_LBU = 77;
export const F_ADD_LW = 78;
export const F_ADD_SW = 79;
export const F_ADDI_SW = 80;
export const F_ADDI_LW = 81;
export const F_LAST = 81;

/** The first instruction's kind of every fused kind (index: kind - 64). */
const FUSED_FIRST = new Uint8Array(F_LAST - 63);
FUSED_FIRST.fill(KIND.addi, 0, 6);
FUSED_FIRST.fill(KIND.add, 6, 16);
FUSED_FIRST[F_ADDI_SW - 64] = KIND.addi;
FUSED_FIRST[F_ADDI_LW - 64] = KIND.addi;

/** The instruction's own kind, whether or not the interpreter fused it with the next one. */
export function baseKind(w: number): number {
  const k = w & 255;
  return k < 64 ? k : FUSED_FIRST[k - 64]!;
}

/** The fused kind for a pair, or 0 when the pair is not one the interpreter fuses. */
function fusedKind(first: number, second: number): number {
  const branch = second >= KIND.beq && second <= KIND.bgeu ? second - KIND.beq : -1;
  if (first === KIND.addi) {
    if (branch >= 0) return F_ADDI_BRANCH + branch;
    if (second === KIND.sw) return F_ADDI_SW;
    if (second === KIND.lw) return F_ADDI_LW;
  } else if (first === KIND.add) {
    if (branch >= 0) return F_ADD_BRANCH + branch;
    if (second === KIND.sb) return F_ADD_SB;
    if (second === KIND.lbu) return F_ADD_LBU;
    if (second === KIND.lw) return F_ADD_LW;
    if (second === KIND.sw) return F_ADD_SW;
  }
  return 0;
}

/** Fuses slot `slot` with slot `slot + 1` (both decoded) when they make a pair. */
function fuse(page: CodePage, slot: number): void {
  const w = page[2 * slot]!;
  const f = fusedKind(w & 255, baseKind(page[2 * slot + 2]!));
  if (f !== 0) page[2 * slot] = (w & ~255) | f;
}

/** How far ahead the interpreter decodes a page when it meets an undecoded slot. */
const DECODE_AHEAD = 32;

/**
 * Decode slot `slot` of `page` (instruction words from `m32` at word index `base`) and the
 * undecoded slots after it, up to DECODE_AHEAD, fusing every adjacent pair that is one (pairs may
 * overlap: each slot's kind says only whether it and its successor fuse). Decoding ahead is
 * harmless: a word that is not code decodes as illegal and traps only if executed, and a write to
 * the page drops the whole decoded copy (PhysicalMemory).
 */
export function decodeRun(page: CodePage, slot: number, m32: Int32Array, base: number): void {
  decodeInto(page, slot, m32[base + slot]!);
  const end = Math.min(2048, slot + DECODE_AHEAD);
  for (let j = slot + 1; j < end; j++) {
    const known = page[2 * j] !== K_DECODE;
    if (!known) decodeInto(page, j, m32[base + j]!);
    fuse(page, j - 1);
    if (known) break;
  }
}
