/** Labels (local and numeric), macros, .rept, conditionals and .include. */
import { describe, expect, it } from 'vitest';
import { asm, diags, enc, oneError, words } from '../../../test/asm/helpers.js';

const A0 = 10;

describe('labels', () => {
  it('several labels per line, case-insensitive mnemonics and registers', () => {
    const r = asm('a: b: ADDI A0, Zero, 1\nc:\nd: nop');
    expect(r.ok).toBe(true);
    expect([...r.symbols]).toEqual([
      ['a', 0],
      ['b', 0],
      ['c', 4],
      ['d', 4],
    ]);
    expect(r.bytes[0] | (r.bytes[1] << 8)).toBe(enc('addi', { rd: A0, imm: 1 }) & 0xffff);
  });
  it('numeric local labels: nearest backward / forward', () => {
    const src = ['1: nop', '   j 1b', '   j 1f', '1: nop', '   j 1b', '2: j 2f', '2: j 2b'].join('\n');
    expect(words(src)).toEqual([
      enc('addi'),
      enc('jal', { imm: -4 }),
      enc('jal', { imm: 4 }),
      enc('addi'),
      enc('jal', { imm: -4 }),
      enc('jal', { imm: 4 }),
      enc('jal', { imm: 0 }),
    ]);
  });
  it('numeric local label errors', () => {
    expect(oneError('j 1b')).toBe("t.s:1:3: error: no local label '1:' before this '1b'");
    expect(oneError('j 3f\n3: nop\nj 3f')).toBe(
      "t.s:3:3: error: local label '3:' is not defined after this point (for '3f')",
    );
  });
  it('dot-local labels are scoped to the preceding global label', () => {
    const src = 'f:\n.loop: j .loop\ng:\n.loop: j .loop\n j f.loop';
    const r = asm(src);
    expect(r.ok).toBe(true);
    expect(r.symbols.get('f.loop')).toBe(0);
    expect(r.symbols.get('g.loop')).toBe(4);
    expect(words(src)).toEqual([enc('jal'), enc('jal'), enc('jal', { imm: -8 })]);
  });
  it('duplicate labels name both places', () => {
    expect(oneError('x: nop\nnop\nx: nop')).toBe("t.s:3:1: error: duplicate label 'x' (first defined at t.s:1)");
    expect(oneError('f:\n.l: nop\n.l: nop')).toBe("t.s:3:1: error: duplicate label 'f.l' (first defined at t.s:2)");
  });
  it('a register name is not a label', () => {
    expect(oneError('a0: nop')).toBe("t.s:1:1: error: 'a0' is a register name and cannot be a label");
  });
});

describe('macros', () => {
  it('arguments, defaults, keyword arguments', () => {
    const src =
      '.macro ld3 r, v=7, w=1\n addi \\r, zero, \\v\n addi \\r, \\r, \\w\n.endm\nld3 a0\nld3 a0, 5\nld3 a0, , 2\nld3 a0, w=3';
    expect(words(src)).toEqual([
      enc('addi', { rd: A0, imm: 7 }),
      enc('addi', { rd: A0, rs1: A0, imm: 1 }),
      enc('addi', { rd: A0, imm: 5 }),
      enc('addi', { rd: A0, rs1: A0, imm: 1 }),
      enc('addi', { rd: A0, imm: 7 }),
      enc('addi', { rd: A0, rs1: A0, imm: 2 }),
      enc('addi', { rd: A0, imm: 7 }),
      enc('addi', { rd: A0, rs1: A0, imm: 3 }),
    ]);
  });
  it('parameters may be separated by spaces', () => {
    expect(words('.macro m a b=2 c = 3\n.word \\a, \\b, \\c\n.endm\nm 1')).toEqual([1, 2, 3]);
    expect(oneError('.macro m a, a\n.endm')).toBe("t.s:1:8: error: duplicate macro parameter 'a'");
  });
  it('\\@ makes labels unique per expansion; \\() separates', () => {
    const src = '.macro spin\nl\\@: j l\\@\nx\\()\\@: nop\n.endm\nspin\nspin';
    const r = asm(src);
    expect(r.ok).toBe(true);
    expect(r.symbols.get('l0')).toBe(0);
    expect(r.symbols.get('x0')).toBe(4);
    expect(r.symbols.get('l1')).toBe(8);
  });
  it('nesting: macros calling macros, and defining them', () => {
    const src = '.macro inner x\n addi a0, a0, \\x\n.endm\n.macro outer y\n inner \\y\n inner \\y+1\n.endm\nouter 3';
    expect(words(src)).toEqual([enc('addi', { rd: A0, rs1: A0, imm: 3 }), enc('addi', { rd: A0, rs1: A0, imm: 4 })]);
    expect(words('.macro def\n.macro made\n nop\n.endm\n.endm\ndef\nmade')).toEqual([enc('addi')]);
  });
  it('.exitm leaves the expansion', () => {
    expect(words('.macro m n\n.if \\n == 0\n.exitm\n.endif\n.word \\n\n.endm\nm 0\nm 2')).toEqual([2]);
  });
  it('recursion works with a condition, and is bounded without one', () => {
    expect(words('.macro count n\n.if \\n > 0\n.word \\n\ncount \\n-1\n.endif\n.endm\ncount 3')).toEqual([3, 2, 1]);
    const d = diags('.macro forever\nforever\n.endm\nforever');
    expect(d).toHaveLength(1);
    expect(d[0]).toMatch(/, \.\.\. 61 more expansions \.\.\., in expansion of macro 'forever' at t\.s:4\)$/);
    expect(d[0]).toMatch(
      /^t\.s:2:1: error: macro expansion nested too deeply: does macro 'forever' call itself\? \(limit: macro depth 64, docs\/isa\.md#limits\) \(in expansion of macro 'forever' at t\.s:2, /,
    );
  });
  it('errors inside an expansion name the macro line and the call', () => {
    expect(oneError('nop\n.macro bad\n nop\n addi a0, a0, 99999\n.endm\nbad')).toBe(
      "t.s:4:15: error: immediate 99999 out of range -32768..32767 (in expansion of macro 'bad' at t.s:6)",
    );
    expect(oneError('.macro bad\n frob\n.endm\n.macro outer\n bad\n.endm\nouter')).toBe(
      "t.s:2:2: error: unknown instruction 'frob' (in expansion of macro 'bad' at t.s:5, in expansion of macro 'outer' at t.s:7)",
    );
  });
  it('structure errors', () => {
    expect(oneError('.macro m\nnop')).toBe("t.s:1:1: error: unterminated .macro 'm' (missing .endm)");
    expect(oneError('.endm')).toBe('t.s:1:1: error: .endm without .macro');
    expect(oneError('.exitm')).toBe('t.s:1:1: error: .exitm outside a macro');
    expect(oneError('.macro m a\n.endm\nm 1, 2')).toBe("t.s:3:1: error: macro 'm' takes 1 argument, got 2");
    expect(oneError('.macro m\n.endm\n.macro m\n.endm')).toBe("t.s:3:8: error: macro 'm' is already defined at t.s:1");
  });
});

describe('.rept', () => {
  it('repeats its body; nests; local labels work inside', () => {
    expect(words('.rept 3\n.byte 1\n.endr\n.align 4')).toEqual([0x010101]);
    expect(words('.rept 2\n.rept 2\n.byte 7\n.endr\n.endr')).toEqual([0x07070707]);
    expect(words('.rept 2\n1: j 1b\n.endr')).toEqual([enc('jal'), enc('jal')]);
    expect(words('.rept 0\nnop\n.endr\n.word 1')).toEqual([1]);
  });
  it('errors', () => {
    expect(oneError('.rept 2\nnop')).toBe('t.s:1:1: error: unterminated .rept (missing .endr)');
    expect(oneError('.endr')).toBe('t.s:1:1: error: .endr without .rept');
    expect(oneError('.rept -1\n.endr')).toBe('t.s:1:7: error: .rept count -1 is negative');
    expect(oneError('.rept 2000000\nnop\n.endr')).toBe(
      't.s:1:7: error: .rept 2000000 of 1 line would pass 1000000 lines assembled (limit: lines assembled 1000000, docs/isa.md#limits)',
    );
  });
});

describe('conditionals', () => {
  const pick = (cond: string) => words(`X = 2\n${cond}\n.word 1\n.elif X == 2\n.word 2\n.else\n.word 3\n.endif`);
  it('.if / .elif / .else / .endif', () => {
    expect(pick('.if X == 1')).toEqual([2]);
    expect(pick('.if X')).toEqual([1]);
    expect(words('.if 0\n.word 1\n.elif 0\n.word 2\n.else\n.word 3\n.endif')).toEqual([3]);
  });
  it('nested, and skipped blocks are not even lexed', () => {
    expect(
      words('.if 0\n.if 1\n.word 1\n.else\n.word 2\n.endif\n"garbage\n.else\n.if 1\n.word 3\n.endif\n.endif'),
    ).toEqual([3]);
  });
  it('.ifdef / .ifndef see symbols defined so far', () => {
    expect(
      words('A = 1\n.ifdef A\n.word 1\n.endif\n.ifndef B\n.word 2\n.endif\n.ifdef C\n.word 3\n.endif\nC:'),
    ).toEqual([1, 2]);
  });
  it('errors', () => {
    expect(oneError('.if 1\nnop')).toBe('t.s:1:1: error: unterminated .if (missing .endif)');
    expect(oneError('.endif')).toBe('t.s:1:1: error: .endif without .if');
    expect(oneError('  .else')).toBe('t.s:1:3: error: .else without .if');
    expect(oneError('.elif 1')).toBe('t.s:1:1: error: .elif without .if');
    expect(oneError('.if 1\n.else\n.else\n.endif')).toBe('t.s:3:1: error: .else after .else');
    expect(oneError('.if 1\n.else\n.elif 1\n.endif')).toBe('t.s:3:1: error: .elif after .else');
    expect(oneError('.if later\n.endif\nlater = 1')).toBe(
      "t.s:1:5: error: .if: undefined symbol 'later' (it must be defined before this line)",
    );
    expect(oneError('.if 1\n.endif x')).toBe("t.s:2:8: error: unexpected 'x' after .endif");
  });
});

describe('.include', () => {
  const files: Record<string, string> = {
    'lib/defs.s': '.equ SIX, 6\n.include "more.s"',
    'lib/more.s': '.macro six\n li a0, SIX\n.endm',
    'bad.s': 'nop\n frob a0',
    'self.s': '.include "self.s"',
    'guarded.s': '.ifndef GUARD\nGUARD = 1\n.word 9\n.include "guarded.s"\n.endif',
  };
  const readFile = (path: string, from: string) => {
    const dir = from.includes('/') ? from.slice(0, from.lastIndexOf('/') + 1) : '';
    return files[dir + path];
  };
  it('assembles files through readFile, relative to the including file', () => {
    expect(words('.include "lib/defs.s"\nsix', { readFile })).toEqual([enc('addi', { rd: A0, imm: 6 })]);
    expect(words('.include "guarded.s"', { readFile })).toEqual([9]);
  });
  it('reports errors at the included line', () => {
    expect(oneError('.include "bad.s"', { readFile })).toBe("bad.s:2:2: error: unknown instruction 'frob'");
  });
  it('a missing file is an error at the include line', () => {
    expect(oneError('nop\n  .include "nope.s"', { readFile })).toBe(
      "t.s:2:12: error: cannot read include file 'nope.s'",
    );
    expect(oneError('.include "x.s"')).toBe(
      "t.s:1:10: error: cannot include 'x.s': the assembler was given no readFile",
    );
    expect(
      oneError('.include "x.s"', {
        readFile: () => {
          throw new Error('EACCES');
        },
      }),
    ).toBe("t.s:1:10: error: cannot read include file 'x.s': EACCES");
  });
  it('recursion stops at the depth limit with a clear error', () => {
    expect(oneError('.include "self.s"', { readFile })).toBe(
      "self.s:1:10: error: .include nested too deeply ('self.s' includes itself) (limit: .include depth 32, docs/isa.md#limits)",
    );
  });
  it('lineMap and diagnostics name the included file', () => {
    const r = asm('nop\n.include "lib/defs.s"\nsix', { readFile });
    expect(r.lineMap.map((l) => `${l.file}:${l.line}`)).toEqual(['t.s:1', 't.s:3']);
  });
});
