/**
 * Shared helpers of the assembler tests (src/main/asm/*.test.ts): assemble and read back words,
 * format diagnostics, encode from the table, and a seeded PRNG so random tests reproduce.
 */
import { encode, type Operands } from '../../src/shared/isa/encoding.js';
import { OPCODE_BY_MNEMONIC } from '../../src/shared/isa/opcodes.js';
import { type AsmOptions, type AsmResult, assemble, formatDiagnostic } from '../../src/main/asm/index.js';

export function asm(src: string, opts: AsmOptions = {}): AsmResult {
  return assemble(src, { filename: 't.s', ...opts });
}

/** Little-endian words of an image. */
export function wordsOf(bytes: Uint8Array): number[] {
  const out: number[] = [];
  for (let i = 0; i + 3 < bytes.length; i += 4)
    out.push((bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24)) >>> 0);
  return out;
}

/** Assemble; fail loudly with the diagnostics if it does not succeed; return the words. */
export function words(src: string, opts: AsmOptions = {}): number[] {
  const r = asm(src, opts);
  if (!r.ok)
    throw new Error(`assembly failed:\n${r.diagnostics.map(formatDiagnostic).join('\n')}\n--- source:\n${src}`);
  return wordsOf(r.bytes);
}

/** All diagnostics as `file:line:col: severity: message`. */
export function diags(src: string, opts: AsmOptions = {}): string[] {
  return asm(src, opts).diagnostics.map(formatDiagnostic);
}

/** The only error of a source (fails when there is not exactly one). */
export function oneError(src: string, opts: AsmOptions = {}): string {
  const r = asm(src, opts);
  const errs = r.diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic);
  if (errs.length !== 1 || r.ok) throw new Error(`expected one error, got:\n${errs.join('\n')}\n--- source:\n${src}`);
  return errs[0];
}

export function enc(mnemonic: string, ops: Partial<Operands> = {}): number {
  const info = OPCODE_BY_MNEMONIC.get(mnemonic);
  if (!info) throw new Error(`no such mnemonic ${mnemonic}`);
  return encode(info, { rd: 0, rs1: 0, rs2: 0, imm: 0, ...ops });
}

/** mulberry32: small, fast, and the same sequence on every run for a seed. */
export function prng(seed: number): {
  next(): number;
  int(min: number, max: number): number;
  pick<T>(xs: readonly T[]): T;
} {
  let s = seed >>> 0;
  const next = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    pick: (xs) => xs[Math.floor(next() * xs.length)],
  };
}
