/**
 * The assembler's limits (docs/isa.md#limits, issue 13): each hostile source ends in one clear
 * `file:line:col` error naming the limit and its value, quickly, never in a throw, a stack overflow
 * or minutes of work. And diagnostics come out in reading order (issue 15).
 */
import { describe, expect, it } from 'vitest';
import { asm, diags, oneError } from '../../../test/asm/helpers.js';
import { LIMITS } from './limits.js';

const note = (which: keyof typeof LIMITS) =>
  `(limit: ${LIMITS[which].name} ${LIMITS[which].value}, docs/isa.md#limits)`;

describe('limits', () => {
  it('an empty .rept of 0x7fffffff is refused at once, not run 2^31 times', () => {
    expect(oneError('.rept 0x7fffffff\n.endr')).toBe(
      `t.s:1:7: error: .rept 2147483647 would pass 1000000 expansions in all (0 so far) ${note('expansions')}`,
    );
    // The repetitions are counted across blocks too.
    expect(oneError('.rept 999999\n.endr\n.rept 2\n.endr')).toMatch(
      /^t\.s:3:7: error: .rept 2 would pass 1000000 expansions/,
    );
  });

  it('a .ascii of 125,000 characters is a line-length error, not a stack overflow', () => {
    const r = asm(`.ascii "${'a'.repeat(125_000)}"`);
    expect(r.ok).toBe(false);
    expect(diags(`.ascii "${'a'.repeat(125_000)}"`)).toEqual([
      `t.s:1:16385: error: line is 125009 characters long ${note('lineLength')}`,
    ]);
  });

  it('a string longer than the string limit (UTF-8 bytes) is an error at the string', () => {
    expect(oneError(`x: .ascii "${'é'.repeat(5000)}"`)).toBe(
      `t.s:1:11: error: string longer than 8192 bytes ${note('stringBytes')}`,
    );
    // Just under the limit assembles.
    expect(asm(`.ascii "${'é'.repeat(4096)}"`).bytes.length).toBe(8192);
  });

  it('a macro whose substitution makes a line too long is refused at the call', () => {
    const arg = 'x'.repeat(1000);
    const src = `.macro m a\n.byte ${'\\a+'.repeat(40)}0\n.endm\nm ${arg}`;
    expect(oneError(src)).toBe(
      `t.s:4:1: error: expanding macro 'm' makes line t.s:2 longer than 16384 characters ${note('lineLength')}`,
    );
  });

  it('a .rept body of 150,000 lines runs from one copy (no spread of the body as arguments)', () => {
    const r = asm(`.rept 1\n${'\n'.repeat(150_000)}.endr\n.byte 7`);
    expect(r.diagnostics).toEqual([]);
    expect([...r.bytes]).toEqual([7]);
  });

  it('the total output is bounded', () => {
    expect(oneError('.rept 5\n.space 0x1000000\n.endr')).toBe(
      `t.s:2:1: error: the program's output passes 67108864 bytes (67108864 so far, this line adds 16777216) ${note('output')}`,
    );
  });

  it('lines passed over while collecting bodies count against the lines limit', () => {
    const body = 'nop\n'.repeat(10_000);
    const src = `.macro m\n.rept 0\n${body}.endr\n.endm\n.rept 200\nm\n.endr`;
    const d = diags(src);
    expect(d).toHaveLength(1);
    expect(d[0]).toMatch(/^t\.s:2:1: error: more than 1000000 lines assembled/);
    expect(d[0]).toContain(note('lines'));
  });

  it('nesting of .rept and .if is bounded', () => {
    const rept = '.rept 1\n'.repeat(65) + 'nop\n' + '.endr\n'.repeat(65);
    expect(oneError(rept)).toBe(`t.s:65:1: error: .rept nested too deeply ${note('reptDepth')}`);
    const ifs = '.if 1\n'.repeat(257) + 'nop\n' + '.endif\n'.repeat(257);
    expect(oneError(ifs)).toBe(`t.s:257:1: error: .if nested too deeply ${note('condDepth')}`);
  });

  it('deeply nested parentheses and unary operators are errors, not stack overflows', () => {
    expect(oneError(`.word ${'('.repeat(50_00)}1${')'.repeat(50_00)}`)).toMatch(
      /^t\.s:1:\d+: error: expression nested too deeply \(limit: expression depth 100/,
    );
    expect(oneError(`.word ${'-~'.repeat(3000)}1`)).toMatch(/expression nested too deeply/);
  });

  it('warnings past the limit are counted in one last warning', () => {
    const d = diags('.rept 1000\n.warning "w"\n.endr');
    expect(d).toHaveLength(101);
    expect(d[100]).toBe(`t.s:2:1: warning: 900 more warnings not shown ${note('warnings')}`);
  });

  it('a long chain of constants defined before what they name resolves in one pass, not one per link', () => {
    const n = 20_000;
    const lines = ['.equ c0, end'];
    for (let i = 1; i < n; i++) lines.push(`.equ c${i}, c${i - 1} + 1`);
    lines.push('.word c19999', 'end:');
    const r = asm(lines.join('\n'));
    expect(r.diagnostics).toEqual([]);
    expect(r.symbols.get('c19999')).toBe(4 + n - 1);
  });
});

describe('diagnostics in reading order (issue 15)', () => {
  it('sorts errors of both passes by file, line and column', () => {
    // `j nowhere` fails in pass 2, `frob` in pass 1: they used to come out as line 3, line 1.
    expect(diags('j nowhere\nnop\nfrob\n.word 1, nowhere2')).toEqual([
      "t.s:1:3: error: undefined symbol 'nowhere'",
      "t.s:3:1: error: unknown instruction 'frob'",
      "t.s:4:10: error: undefined symbol 'nowhere2'",
    ]);
  });

  it('puts the main file first and included files in the order they were read', () => {
    const files: Record<string, string> = { 'b.s': 'j far_b', 'a.s': 'frob_a' };
    const readFile = (p: string) => files[p];
    expect(diags('.include "b.s"\n.include "a.s"\nj far_t', { readFile })).toEqual([
      "t.s:3:3: error: undefined symbol 'far_t'",
      "b.s:1:3: error: undefined symbol 'far_b'",
      "a.s:1:1: error: unknown instruction 'frob_a'",
    ]);
  });
});
