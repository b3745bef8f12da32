/** Expressions: literals, C precedence, 32-bit wrapping, %hi/%lo, and their errors. */
import { describe, expect, it } from 'vitest';
import { asm, oneError, words } from '../../../test/asm/helpers.js';

/** Value of an expression as .word puts it (uint32). */
const value = (e: string, prefix = '') => words(`${prefix}\n.word ${e}`)[0];
const s32 = (e: string, prefix = '') => value(e, prefix) | 0;

describe('literals', () => {
  it.each([
    ['42', 42],
    ['0x2A', 42],
    ['0X2a', 42],
    ['0b101010', 42],
    ['0o52', 42],
    ['1_000_000', 1000000],
    ['0xffff_ffff', 0xffffffff],
    ["'a'", 97],
    ["'\\n'", 10],
    ["'\\t'", 9],
    ["'\\0'", 0],
    ["'\\\\'", 92],
    ["'\\''", 39],
    ["'\\x41'", 0x41],
    ["'#'", 35],
    ["';'", 59],
  ])('%s = %d', (e, v) => expect(value(e)).toBe(v));

  it('rejects literals past 32 bits and malformed numbers', () => {
    expect(oneError('.word 0x1_0000_0000')).toBe("t.s:1:7: error: number '0x1_0000_0000' does not fit in 32 bits");
    expect(oneError('.word 12ab')).toBe("t.s:1:7: error: invalid number '12ab'");
    expect(oneError('.word 0b102')).toBe("t.s:1:7: error: invalid number '0b102'");
    expect(oneError(".word ''")).toBe('t.s:1:7: error: empty character literal');
    expect(oneError(".word 'ab'")).toBe('t.s:1:7: error: a character literal holds one character');
    expect(oneError(".word 'a")).toBe('t.s:1:7: error: unterminated character literal');
    expect(oneError(".word '\\q'")).toBe("t.s:1:7: error: unknown escape sequence '\\q'");
  });
});

describe('operators and precedence (C rules, 32-bit)', () => {
  it.each([
    ['1 + 2 * 3', 7],
    ['(1 + 2) * 3', 9],
    ['10 - 4 - 3', 3],
    ['100 / 10 / 5', 2],
    ['7 % 4', 3],
    ['-7 / 2', -3],
    ['-7 % 2', -1],
    ['1 << 4 + 1', 32],
    ['0x80000000 >> 4', 0xf8000000 | 0],
    ['0x80000000 >>> 4', 0x08000000],
    ['1 | 2 ^ 3 & 4', 1 | (2 ^ (3 & 4))],
    ['6 & 3 == 3', 6 & 1],
    ['1 < 2 == 1', 1],
    ['3 <= 3', 1],
    ['3 > 4', 0],
    ['-1 < 0', 1],
    ['4 >= 5', 0],
    ['2 != 2', 0],
    ['1 && 0 || 1', 1],
    ['0 || 0', 0],
    ['2 && 3', 1],
    ['!0', 1],
    ['!5', 0],
    ['~0', -1],
    ['-(-5)', 5],
    ['- -5', 5],
    ['+5', 5],
    ['0x7fffffff + 1', -0x80000000],
    ['0xffffffff', -1],
    ['0x10000 * 0x10000', 0],
    ['-0x80000000 / -1', -0x80000000],
    ['-0x80000000 % -1', 0],
    ['1 << 32', 0],
    ['-1 >> 40', -1],
    ['((((1))))', 1],
  ])('%s = %d', (e, v) => expect(s32(e)).toBe(v));

  it('. is the address of the statement', () => {
    expect(words('.org 0x100\n.word ., ., . + 4\n.word .')).toEqual([0x100, 0x100, 0x104, 0x10c]);
  });

  it('symbols, including forward references', () => {
    expect(words('.word later - start\nstart: .word 0\nlater:')).toEqual([4, 0]);
  });
});

describe('%hi / %lo', () => {
  const values = [
    0, 1, 0x7fff, 0x8000, 0xffff, 0x10000, 0x12345678, 0x7fff7fff, 0x7fff8000, 0x7fffffff, 0x80000000, 0x80007fff,
    0x80008000, 0xdeadbeef, 0xffff8000, 0xffffffff, -1, -32768, -32769,
  ];
  it.each(values.map((v) => [v]))('lui %%hi + addi %%lo builds %d', (v) => {
    const r = asm(`lui a0, %hi(${v})\naddi a0, a0, %lo(${v})\n.word %hi(${v}), %lo(${v})`);
    expect(r.ok).toBe(true);
    const [, , hi, lo] = new Int32Array(r.bytes.buffer.slice(0, 16));
    expect(hi >>> 0 <= 0xffff).toBe(true);
    expect(lo >= -0x8000 && lo <= 0x7fff).toBe(true);
    expect(((hi << 16) + lo) | 0).toBe(v | 0);
  });

  it('li and la reach every value, %lo works as a load offset', () => {
    expect(value('%hi(0x7fff8000)')).toBe(0x8000);
    expect(s32('%lo(0x7fff8000)')).toBe(-0x8000);
    expect(value('%hi(0x80000000)')).toBe(0x8000);
    expect(s32('%lo(0x80000000)')).toBe(0);
    expect(value('%hi(-1)')).toBe(0);
    expect(s32('%lo(-1)')).toBe(-1);
    expect(value('%HI(0x12348000) + 1')).toBe(0x1235 + 1);
    expect(s32('7 % lo', 'lo = 5')).toBe(2);
  });
});

describe('expression errors', () => {
  it('division and modulo by zero are diagnostics', () => {
    expect(oneError('.word 1 / 0')).toBe('t.s:1:9: error: division by zero');
    expect(oneError('x = 0\n.word 5 % x')).toBe('t.s:2:9: error: modulo by zero');
  });
  it('syntax errors point at the token', () => {
    expect(oneError('.word (1 + 2')).toBe("t.s:1:7: error: missing ')' to match '('");
    expect(oneError('.word 1 + 2)')).toBe("t.s:1:12: error: unmatched ')'");
    expect(oneError('.word 1 +')).toBe('t.s:1:9: error: expected an expression');
    expect(oneError('.word 1 2')).toBe("t.s:1:9: error: unexpected '2' in expression");
    expect(oneError('.word "s"')).toBe('t.s:1:7: error: a string is not allowed in an expression');
    expect(oneError('.word 1 @ 2')).toBe("t.s:1:9: error: unexpected character '@'");
  });
  it('undefined symbols are named, with a suggestion', () => {
    expect(oneError('loop: .word lop')).toBe("t.s:1:13: error: undefined symbol 'lop' (did you mean 'loop'?)");
    expect(oneError('.word nothing_like_it')).toBe("t.s:1:7: error: undefined symbol 'nothing_like_it'");
  });
  it('deep nesting is an error, not a stack overflow', () => {
    const deep = '('.repeat(5000) + '1' + ')'.repeat(5000);
    expect(oneError(`.word ${deep}`)).toMatch(/expression nested too deeply/);
    const long = Array(5000).fill('1').join('+');
    expect(oneError(`.word ${long}`)).toMatch(/expression too long/);
  });
});
