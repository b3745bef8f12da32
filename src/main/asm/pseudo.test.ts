/** Every pseudo-instruction expands to the real instructions its doc promises. */
import { describe, expect, it } from 'vitest';
import { PSEUDOS } from './pseudo.js';
import { asm, enc, oneError, words } from '../../../test/asm/helpers.js';

const A0 = 10;
const A1 = 11;
const SP = 2;
const RA = 1;

describe('pseudo-instructions', () => {
  it.each([
    ['nop', [enc('addi')]],
    ['li a0, 5', [enc('addi', { rd: A0, imm: 5 })]],
    ['li a0, -32768', [enc('addi', { rd: A0, imm: -32768 })]],
    ['li a0, 0x70000', [enc('lui', { rd: A0, imm: 7 })]],
    ['li a0, 0x12345678', [enc('lui', { rd: A0, imm: 0x1234 }), enc('addi', { rd: A0, rs1: A0, imm: 0x5678 })]],
    ['li a0, 0x8000', [enc('lui', { rd: A0, imm: 1 }), enc('addi', { rd: A0, rs1: A0, imm: -0x8000 })]],
    ['li a0, -1', [enc('addi', { rd: A0, imm: -1 })]],
    ['li a0, 0xffffffff', [enc('addi', { rd: A0, imm: -1 })]],
    ['mv a0, a1', [enc('addi', { rd: A0, rs1: A1 })]],
    ['not a0, a1', [enc('sub', { rd: A0, rs2: A1 }), enc('addi', { rd: A0, rs1: A0, imm: -1 })]],
    ['neg a0, a1', [enc('sub', { rd: A0, rs2: A1 })]],
    ['j .+8', [enc('jal', { imm: 8 })]],
    ['jal .-4', [enc('jal', { rd: RA, imm: -4 })]],
    ['jr a0', [enc('jalr', { rs1: A0 })]],
    ['jalr a0', [enc('jalr', { rd: RA, rs1: A0 })]],
    ['call .+12', [enc('jal', { rd: RA, imm: 12 })]],
    ['ret', [enc('jalr', { rs1: RA })]],
    ['beqz a0, .+8', [enc('beq', { rs1: A0, imm: 8 })]],
    ['bnez a0, .+8', [enc('bne', { rs1: A0, imm: 8 })]],
    ['bltz a0, .+8', [enc('blt', { rs1: A0, imm: 8 })]],
    ['bgez a0, .+8', [enc('bge', { rs1: A0, imm: 8 })]],
    ['blez a0, .+8', [enc('bge', { rs2: A0, imm: 8 })]],
    ['bgtz a0, .+8', [enc('blt', { rs2: A0, imm: 8 })]],
    ['bgt a0, a1, .-8', [enc('blt', { rs1: A1, rs2: A0, imm: -8 })]],
    ['ble a0, a1, .-8', [enc('bge', { rs1: A1, rs2: A0, imm: -8 })]],
    ['bgtu a0, a1, .-8', [enc('bltu', { rs1: A1, rs2: A0, imm: -8 })]],
    ['bleu a0, a1, .-8', [enc('bgeu', { rs1: A1, rs2: A0, imm: -8 })]],
    ['seqz a0, a1', [enc('sltiu', { rd: A0, rs1: A1, imm: 1 })]],
    ['snez a0, a1', [enc('sltu', { rd: A0, rs2: A1 })]],
    ['csrr a0, sstatus', [enc('csrrs', { rd: A0, imm: 0x100 })]],
    ['csrw stvec, a1', [enc('csrrw', { rs1: A1, imm: 0x101 })]],
    ['csrs sie, a1', [enc('csrrs', { rs1: A1, imm: 0x109 })]],
    ['csrc 0x109, a1', [enc('csrrc', { rs1: A1, imm: 0x109 })]],
    ['tlbflush', [enc('tlbflush')]],
    ['tlbflush a0, a1', [enc('tlbflush', { rs1: A0, rs2: A1 })]],
    ['push a0', [enc('addi', { rd: SP, rs1: SP, imm: -4 }), enc('sw', { rs2: A0, rs1: SP })]],
    ['pop a0', [enc('lw', { rd: A0, rs1: SP }), enc('addi', { rd: SP, rs1: SP, imm: 4 })]],
  ])('%s', (src, expected) => {
    expect(words(src)).toEqual(expected);
  });

  it('li of a constant known only later, or of an address, takes two words', () => {
    expect(words('li a0, K\n.equ K, 5')).toEqual([
      enc('lui', { rd: A0, imm: 0 }),
      enc('addi', { rd: A0, rs1: A0, imm: 5 }),
    ]);
    expect(words('.equ K, 5\nli a0, K')).toEqual([enc('addi', { rd: A0, imm: 5 })]);
    expect(words('x: li a0, x')).toHaveLength(2);
  });

  it('la always takes two words and builds the address', () => {
    const r = asm('.org 0x12340000\nla a0, target\n.space 0x8000 - 8\ntarget: nop');
    expect(r.ok).toBe(true);
    const w = new Uint32Array(r.bytes.buffer.slice(0, 8));
    expect([...w]).toEqual([enc('lui', { rd: A0, imm: 0x1235 }), enc('addi', { rd: A0, rs1: A0, imm: -0x8000 })]);
  });

  it('. inside a two-word pseudo is the address of its first word', () => {
    expect(words('.org 0x100\nnop\nla a0, .')).toEqual([
      enc('addi'),
      enc('lui', { rd: A0, imm: 0 }),
      enc('addi', { rd: A0, rs1: A0, imm: 0x104 }),
    ]);
  });

  it('operand count errors name the forms', () => {
    expect(oneError('li a0')).toBe("t.s:1:1: error: 'li' expects 2 (rd, value) operands, got 1");
    expect(oneError('tlbflush a0')).toBe("t.s:1:1: error: 'tlbflush' expects 2 (rs1, rs2) or 0 (none) operands, got 1");
    expect(oneError('ret a0')).toBe("t.s:1:5: error: 'ret' expects 0 (none) operands, got 1");
  });

  it('every pseudo has a doc line and a unique (name, operand count)', () => {
    const seen = new Set<string>();
    for (const p of PSEUDOS) {
      expect(p.doc.length).toBeGreaterThan(5);
      const key = `${p.name}/${p.operands.length}`;
      expect(seen.has(key)).toBe(false);
      seen.add(key);
    }
  });
});

describe('operand spellings of the spec', () => {
  const S0 = 8;
  const A2 = 12;
  it.each([
    ['add a0, a1, a2', enc('add', { rd: A0, rs1: A1, rs2: A2 })],
    ['cas a0, a2, (a1)', enc('cas', { rd: A0, rs2: A2, rs1: A1 })],
    ['addi t0, t0, -1', enc('addi', { rd: 5, rs1: 5, imm: -1 })],
    ['lw a0, 8(sp)', enc('lw', { rd: A0, rs1: SP, imm: 8 })],
    ['lw a0, (sp)', enc('lw', { rd: A0, rs1: SP })],
    ['lw a0, (4 + 4)(sp)', enc('lw', { rd: A0, rs1: SP, imm: 8 })],
    ['sw a0, -4(s0)', enc('sw', { rs2: A0, rs1: S0, imm: -4 })],
    ['sw a0, -4(fp)', enc('sw', { rs2: A0, rs1: S0, imm: -4 })],
    ['beq a0, zero, .', enc('beq', { rs1: A0 })],
    ['jal ra, .+8', enc('jal', { rd: RA, imm: 8 })],
    ['jalr ra, 0(t0)', enc('jalr', { rd: RA, rs1: 5 })],
    ['csrrw a0, sstatus, a1', enc('csrrw', { rd: A0, rs1: A1, imm: 0x100 })],
    ['csrrw a0, 0x100, a1', enc('csrrw', { rd: A0, rs1: A1, imm: 0x100 })],
    ['CSRRW A0, SSTATUS, A1', enc('csrrw', { rd: A0, rs1: A1, imm: 0x100 })],
    ['syscall 3', enc('syscall', { imm: 3 })],
    ['eret', enc('eret')],
    ['tlbflush a0, a1', enc('tlbflush', { rs1: A0, rs2: A1 })],
    ['hflush zero', enc('hflush')],
    ['lui a0, 0xffff', enc('lui', { rd: A0, imm: 0xffff })],
    ['andi a0, a1, 0xffff', enc('andi', { rd: A0, rs1: A1, imm: 0xffff })],
  ])('%s', (src, w) => expect(words(src)).toEqual([w]));

  it('lui %hi + lw %lo(x)(r) loads from x', () => {
    const r = asm('.org 0x12340000\nlui t0, %hi(x)\nlw a0, %lo(x)(t0)\n.org 0x1234fff0\nx: .word 5');
    expect(r.ok).toBe(true);
    const w = new Uint32Array(r.bytes.buffer.slice(0, 8));
    expect([...w]).toEqual([enc('lui', { rd: 5, imm: 0x1235 }), enc('lw', { rd: A0, rs1: 5, imm: -16 })]);
  });
});
