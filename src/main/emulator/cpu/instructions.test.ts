/**
 * Per-instruction vectors (docs/isa.md#instructions): every innocuous mnemonic of the opcode table
 * has vectors with its edge cases, and a test fails if a table entry has none.
 */
import { describe, expect, it } from 'vitest';
import { CAUSE } from '../../../shared/isa/csrs.js';
import { OPCODES } from '../../../shared/isa/opcodes.js';
import { ins, machine, step, words } from '../testing/harness.js';

const MIN = -2147483648;
const MAX = 2147483647;

/** [rs1, rs2 or imm, expected rd] */
type Vec = [number, number, number];

const R_VECTORS: Record<string, Vec[]> = {
  add: [
    [1, 2, 3],
    [MAX, 1, MIN],
    [-1, -1, -2],
    [MIN, MIN, 0],
  ],
  sub: [
    [3, 5, -2],
    [MIN, 1, MAX],
    [0, MIN, MIN],
  ],
  and: [
    [0xf0f0, 0xff00, 0xf000],
    [-1, 0x1234, 0x1234],
  ],
  or: [
    [0xf0f0, 0x0f0f, 0xffff],
    [MIN, 1, MIN + 1],
  ],
  xor: [
    [-1, 0x0f0f, ~0x0f0f],
    [5, 5, 0],
  ],
  sll: [
    [1, 31, MIN],
    [1, 32, 1],
    [1, 33, 2],
    [3, -1, MIN],
  ],
  srl: [
    [MIN, 31, 1],
    [-1, 32, -1],
    [-1, 4, 0x0fffffff],
    [-8, 1, 0x7ffffffc],
  ],
  sra: [
    [MIN, 31, -1],
    [-8, 1, -4],
    [-8, 33, -4],
    [8, 2, 2],
  ],
  slt: [
    [-1, 0, 1],
    [0, -1, 0],
    [MIN, MAX, 1],
    [5, 5, 0],
  ],
  sltu: [
    [-1, 0, 0],
    [0, -1, 1],
    [1, 2, 1],
  ],
  mul: [
    [3, -4, -12],
    [0x10000, 0x10000, 0],
    [MAX, 2, -2],
    [MIN, -1, MIN],
  ],
  mulh: [
    [0x10000, 0x10000, 1],
    [-1, -1, 0],
    [MIN, MIN, 0x40000000],
    [MIN, 1, -1],
    [-2, 3, -1],
  ],
  mulhu: [
    [-1, -1, -2],
    [0x10000, 0x10000, 1],
    [MIN, 2, 1],
  ],
  div: [
    [7, 2, 3],
    [-7, 2, -3],
    [7, -2, -3],
    [5, 0, -1],
    [MIN, -1, MIN],
    [MIN, 1, MIN],
  ],
  divu: [
    [7, 2, 3],
    [-1, 2, MAX],
    [5, 0, -1],
    [MIN, -1, 0],
  ],
  rem: [
    [7, 2, 1],
    [-7, 2, -1],
    [7, -2, 1],
    [5, 0, 5],
    [MIN, -1, 0],
    [-5, 0, -5],
  ],
  remu: [
    [7, 2, 1],
    [-1, 10, 5],
    [5, 0, 5],
    [-5, 0, -5],
  ],
};

const I_VECTORS: Record<string, Vec[]> = {
  addi: [
    [1, -1, 0],
    [MAX, 1, MIN],
    [0, -32768, -32768],
    [0, 32767, 32767],
  ],
  slti: [
    [-5, -4, 1],
    [-4, -5, 0],
    [0, 0, 0],
  ],
  sltiu: [
    [0, -1, 1],
    [-2, -1, 1],
    [-1, -1, 0],
    [5, 3, 0],
  ],
  andi: [
    [-1, 0xffff, 0xffff],
    [0x12345678, 0xff00, 0x5600],
  ],
  ori: [
    [MIN, 0x8000, MIN + 0x8000],
    [0, 0xffff, 0xffff],
  ],
  xori: [
    [-1, 0xffff, -65536],
    [0x1234, 0x1234, 0],
  ],
  slli: [
    [1, 31, MIN],
    [0x12345678, 4, 0x23456780],
    [5, 0, 5],
  ],
  srli: [
    [MIN, 31, 1],
    [-1, 28, 15],
    [-1, 0, -1],
  ],
  srai: [
    [MIN, 31, -1],
    [-256, 4, -16],
    [256, 4, 16],
  ],
  lui: [
    [0, 0xffff, -65536],
    [0, 0x1234, 0x12340000],
    [0, 0, 0],
  ],
};

function runOne(word: number, init: Record<number, number>, mode = 2) {
  const t = machine();
  t.m.load(0x100, words(word));
  t.cpu.pc = 0x100;
  t.cpu.mode = mode;
  t.cpu.updateContext();
  for (const [r, v] of Object.entries(init)) t.cpu.regs[Number(r)] = v;
  step(t.cpu, 1);
  return t;
}

describe('ALU instructions', () => {
  for (const [m, vecs] of Object.entries(R_VECTORS)) {
    it.each(vecs)(`${m} %i, %i = %i`, (a, b, want) => {
      const { cpu } = runOne(ins(m, { rd: 'a0', rs1: 'a1', rs2: 'a2' }), { 11: a, 12: b });
      expect(cpu.regs[10]).toBe(want | 0);
      expect(cpu.pc).toBe(0x104);
    });
  }
  for (const [m, vecs] of Object.entries(I_VECTORS)) {
    it.each(vecs)(`${m} %i, %i = %i`, (a, imm, want) => {
      const { cpu } = runOne(ins(m, { rd: 'a0', rs1: 'a1', imm }), { 11: a });
      expect(cpu.regs[10]).toBe(want | 0);
    });
  }
  it('auipc adds to the (virtual) pc', () => {
    const { cpu } = runOne(ins('auipc', { rd: 'a0', imm: 0x1 }), {});
    expect(cpu.regs[10]).toBe(0x10100);
  });
  it('writes to r0 are discarded', () => {
    const { cpu } = runOne(ins('addi', { rd: 0, rs1: 'a1', imm: 5 }), { 11: 7 });
    expect(cpu.regs[0]).toBe(0);
  });
});

describe('loads and stores', () => {
  const setup = () => {
    const t = machine();
    t.m.mem.writeBytes(0x2000, new Uint8Array([0x80, 0xff, 0x34, 0x12, 0x78, 0x56, 0x34, 0x12]));
    return t;
  };
  const load = (m: string, addr: number) => {
    const t = setup();
    t.m.load(0x100, words(ins(m, { rd: 'a0', rs1: 'a1', imm: addr - 0x1000 })));
    t.cpu.pc = 0x100;
    t.cpu.regs[11] = 0x1000;
    step(t.cpu, 1);
    return t.cpu;
  };
  it('lb sign-extends, lbu zero-extends', () => {
    expect(load('lb', 0x2000).regs[10]).toBe(-128);
    expect(load('lbu', 0x2000).regs[10]).toBe(0x80);
  });
  it('lh sign-extends, lhu zero-extends', () => {
    expect(load('lh', 0x2000).regs[10]).toBe(-128);
    expect(load('lhu', 0x2000).regs[10]).toBe(0xff80);
    expect(load('lh', 0x2002).regs[10]).toBe(0x1234);
  });
  it('lw is little-endian', () => {
    expect(load('lw', 0x2004).regs[10]).toBe(0x12345678);
  });
  it.each([
    ['lh', 0x2001, CAUSE.MISALIGNED_LOAD],
    ['lhu', 0x2003, CAUSE.MISALIGNED_LOAD],
    ['lw', 0x2002, CAUSE.MISALIGNED_LOAD],
  ])('%s at 0x%s traps misaligned', (m, addr, cause) => {
    const cpu = load(m as string, addr as number);
    expect(cpu.hcause).toBe(cause);
    expect(cpu.hbadaddr).toBe(addr);
    expect(cpu.hepc).toBe(0x100);
    expect(cpu.regs[10]).toBe(0);
  });
  const store = (m: string, addr: number, v: number) => {
    const t = setup();
    t.m.load(0x100, words(ins(m, { rs2: 'a2', rs1: 'a1', imm: addr - 0x1000 })));
    t.cpu.pc = 0x100;
    t.cpu.regs[11] = 0x1000;
    t.cpu.regs[12] = v;
    step(t.cpu, 1);
    return t;
  };
  it('sb, sh, sw store the low bits', () => {
    expect(Array.from(store('sb', 0x2004, 0x1ff).m.mem.readBytes(0x2004, 2))).toEqual([0xff, 0x56]);
    expect(Array.from(store('sh', 0x2004, 0xabcdef).m.mem.readBytes(0x2004, 3))).toEqual([0xef, 0xcd, 0x34]);
    expect(store('sw', 0x2004, -2).m.mem.read32(0x2004)).toBe(-2);
  });
  it.each([
    ['sh', 0x2001],
    ['sw', 0x2006],
  ])('%s misaligned traps and writes nothing', (m, addr) => {
    const t = store(m as string, addr as number, -1);
    expect(t.cpu.hcause).toBe(CAUSE.MISALIGNED_STORE);
    expect(t.m.mem.read32(0x2004)).toBe(0x12345678);
  });
});

describe('branches and jumps', () => {
  const B: Record<string, [number, number, boolean][]> = {
    beq: [
      [1, 1, true],
      [1, 2, false],
    ],
    bne: [
      [1, 1, false],
      [1, 2, true],
    ],
    blt: [
      [-1, 0, true],
      [0, -1, false],
      [3, 3, false],
    ],
    bge: [
      [-1, 0, false],
      [0, -1, true],
      [3, 3, true],
    ],
    bltu: [
      [-1, 0, false],
      [0, -1, true],
    ],
    bgeu: [
      [-1, 0, true],
      [0, -1, false],
      [3, 3, true],
    ],
  };
  for (const [m, vecs] of Object.entries(B)) {
    it.each(vecs)(`${m} %i, %i taken=%s`, (a, b, taken) => {
      const { cpu } = runOne(ins(m, { rs1: 'a1', rs2: 'a2', imm: -0x40 }), { 11: a, 12: b });
      expect(cpu.pc).toBe(taken ? 0xc0 : 0x104);
    });
  }
  it('jal links and jumps', () => {
    const { cpu } = runOne(ins('jal', { rd: 'ra', imm: 0x1000 }), {});
    expect(cpu.regs[1]).toBe(0x104);
    expect(cpu.pc).toBe(0x1100);
  });
  it('jalr links and jumps to rs1 + imm, reading rs1 before writing rd', () => {
    const { cpu } = runOne(ins('jalr', { rd: 'a1', rs1: 'a1', imm: 8 }), { 11: 0x3000 });
    expect(cpu.regs[11]).toBe(0x104);
    expect(cpu.pc).toBe(0x3008);
  });
  it('jalr to a misaligned target traps MISALIGNED_FETCH at the target', () => {
    const { cpu } = runOne(ins('jalr', { rd: 'ra', rs1: 'a1', imm: 2 }), { 11: 0x3000 });
    expect(cpu.hcause).toBe(CAUSE.MISALIGNED_FETCH);
    expect(cpu.hbadaddr).toBe(0x3002);
    expect(cpu.hepc).toBe(0x3002);
  });
});

describe('atomics', () => {
  const atom = (m: string, mem: number, rd: number, rs2: number, addr = 0x2000) => {
    const t = machine();
    t.m.mem.write32(0x2000, mem);
    t.m.load(0x100, words(ins(m, { rd: 'a0', rs1: 'a1', rs2: 'a2' })));
    t.cpu.pc = 0x100;
    Object.assign(t.cpu.regs, { 10: rd, 11: addr, 12: rs2 });
    step(t.cpu, 1);
    return t;
  };
  it('cas swaps when equal and returns the old value', () => {
    const t = atom('cas', 5, 5, 9);
    expect(t.m.mem.read32(0x2000)).toBe(9);
    expect(t.cpu.regs[10]).toBe(5);
  });
  it('cas does not store when different', () => {
    const t = atom('cas', 5, 4, 9);
    expect(t.m.mem.read32(0x2000)).toBe(5);
    expect(t.cpu.regs[10]).toBe(5);
  });
  it('amoswap and amoadd', () => {
    let t = atom('amoswap', 5, 0, 9);
    expect([t.m.mem.read32(0x2000), t.cpu.regs[10]]).toEqual([9, 5]);
    t = atom('amoadd', MAX, 0, 1);
    expect([t.m.mem.read32(0x2000), t.cpu.regs[10]]).toEqual([MIN, MAX]);
  });
  it('a misaligned atomic traps', () => {
    const t = atom('amoadd', 0, 0, 1, 0x2002);
    expect(t.cpu.hcause).toBe(CAUSE.MISALIGNED_STORE);
  });
});

describe('coverage of the opcode table', () => {
  it('every innocuous ALU/immediate mnemonic has vectors here', () => {
    const covered = new Set([...Object.keys(R_VECTORS), ...Object.keys(I_VECTORS), 'auipc']);
    const missing = OPCODES.filter((o) => ['alu', 'mul', 'imm'].includes(o.group) && !covered.has(o.mnemonic));
    expect(missing.map((o) => o.mnemonic)).toEqual([]);
  });
});
