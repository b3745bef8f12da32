/**
 * The assembler against the shared ISA code: every mnemonic of the table assembles to what encode()
 * says, and disassemble() output assembles back to the very same word (random words, seeded).
 */
import { describe, expect, it } from 'vitest';
import { CSR_BY_NUMBER } from '../../shared/isa/csrs.js';
import { disassemble } from '../../shared/isa/disasm.js';
import { decodeWord, encode, immediateRange, type Operands } from '../../shared/isa/encoding.js';
import { FORMAT_SYNTAX, OPCODES, type OpcodeInfo } from '../../shared/isa/opcodes.js';
import { registerName } from '../../shared/isa/registers.js';
import { asm, prng, words, wordsOf } from '../../../test/asm/helpers.js';

type Rng = ReturnType<typeof prng>;

/** Random operands the format can encode (imm of B/J is the byte offset). */
function randomOperands(info: OpcodeInfo, rng: Rng): Operands {
  const ops: Operands = { rd: rng.int(0, 31), rs1: rng.int(0, 31), rs2: rng.int(0, 31), imm: 0 };
  const range = immediateRange(info.format);
  if (range) {
    // Bias towards the edges, where off-by-one and sign bugs live.
    const edge = rng.next() < 0.2;
    const k = edge
      ? rng.pick([range.min, range.max, 0, range.scale, -range.scale].filter((v) => v >= range.min && v <= range.max))
      : rng.int(range.min / range.scale, range.max / range.scale) * range.scale;
    ops.imm = k;
  }
  return ops;
}

/** Spell an instruction from FORMAT_SYNTAX, independently of the assembler's reading of it. */
function spell(info: OpcodeInfo, ops: Operands, pc: number, rng: Rng): string {
  const syntax = FORMAT_SYNTAX[info.format];
  const text = syntax.replace(/\b(rd|rs1|rs2|simm16|uimm16|shamt|target|csr)\b/g, (w) => {
    switch (w) {
      case 'rd':
      case 'rs1':
      case 'rs2':
        return rng.next() < 0.5 ? registerName(ops[w]) : `r${ops[w]}`;
      case 'target':
        return `0x${((pc + ops.imm) >>> 0).toString(16)}`;
      case 'csr':
        return CSR_BY_NUMBER.get(ops.imm)?.name ?? String(ops.imm);
      default:
        return String(ops.imm);
    }
  });
  return `${rng.next() < 0.3 ? info.mnemonic.toUpperCase() : info.mnemonic} ${text}`.trim();
}

describe('every mnemonic of the table', () => {
  it.each(OPCODES.map((o) => [o.mnemonic, o] as const))('%s assembles as encode() says', (_m, info) => {
    const rng = prng(0x5eed ^ info.opcode ^ ((info.funct ?? 0) << 8));
    const pc = 0x1000;
    const lines: string[] = [];
    const expected: number[] = [];
    for (let i = 0; i < 40; i++) {
      const ops = randomOperands(info, rng);
      lines.push(spell(info, ops, pc + 4 * i, rng));
      expected.push(encode(info, ops));
    }
    expect(words(`.org ${pc}\n${lines.join('\n')}`)).toEqual(expected);
  });

  it('covers every format with an operand syntax the test can spell', () => {
    for (const o of OPCODES) expect(FORMAT_SYNTAX[o.format]).toMatch(/^[\w(), ]*$/);
  });
});

/** assemble(disassemble(w)) at `base` for a batch of words, one per line. */
function roundTrip(ws: number[], base: number, absolute: boolean): number[] {
  const text = ws.map((w, i) => disassemble(w, absolute ? (base + 4 * i) >>> 0 : undefined)).join('\n');
  const r = asm(`.org 0x${base.toString(16)}\n${text}`);
  if (!r.ok)
    throw new Error(
      r.diagnostics
        .map((d) => `${d.line}: ${d.message}`)
        .slice(0, 5)
        .join('\n'),
    );
  return wordsOf(r.bytes);
}

describe('round trip: assemble(disassemble(w)) === w', () => {
  const bases = [0, 4, 0x1000, 0x7ffffff0, 0x80000000, 0xfff00000];

  it.each(OPCODES.map((o) => [o.mnemonic, o] as const))('%s, random operands', (_m, info) => {
    const rng = prng(0xc0ffee + info.opcode * 64 + (info.funct ?? 0));
    for (const base of bases) {
      const ws: number[] = [];
      for (let i = 0; i < 60; i++) ws.push(encode(info, randomOperands(info, rng)));
      for (const w of ws) expect(decodeWord(w)?.info).toBe(info);
      expect(roundTrip(ws, base, false)).toEqual(ws);
      expect(roundTrip(ws, base, true)).toEqual(ws);
    }
  });

  it('random 32-bit words that decode', () => {
    const rng = prng(42);
    const ws: number[] = [];
    while (ws.length < 3000) {
      // Random opcodes rarely hit assigned ones with clean fields; also build from random fields.
      const w =
        rng.next() < 0.5
          ? Math.floor(rng.next() * 2 ** 32)
          : (Math.floor(rng.next() * 2 ** 32) & ~0x3f) | rng.pick(OPCODES).opcode;
      const masked =
        rng.next() < 0.5
          ? w >>> 0
          : (w & rng.pick([0xffffffff, 0x0fffffff, 0x001fffff, 0xffff07ff, 0xffff003f, 0x3f, 0xffff, 0x7ff])) >>> 0;
      if (decodeWord(masked)) ws.push(masked);
    }
    for (const base of [0, 0x2000, 0xfff00000]) {
      expect(roundTrip(ws, base, false)).toEqual(ws);
      expect(roundTrip(ws, base, true)).toEqual(ws);
    }
  });

  it('invalid words round-trip as .word', () => {
    const rng = prng(7);
    const ws: number[] = [0, 0xffffffff, 0x3f];
    while (ws.length < 2000) {
      const w = Math.floor(rng.next() * 2 ** 32) >>> 0;
      if (!decodeWord(w)) ws.push(w);
    }
    for (const w of ws) expect(disassemble(w)).toMatch(/^\.word 0x[0-9a-f]{8}$/);
    expect(roundTrip(ws, 0x100, false)).toEqual(ws);
  });

  it('relative targets before address 0 wrap like the hardware', () => {
    const w = encode(
      OPCODES.find((o) => o.mnemonic === 'jal')!,
      { rd: 1, rs1: 0, rs2: 0, imm: -16 },
    );
    expect(disassemble(w)).toBe('jal ra, .-16');
    expect(roundTrip([w], 0, false)).toEqual([w]);
    expect(roundTrip([w], 0, true)).toEqual([w]);
  });
});
