/** Data, layout and symbol directives, and the outputs they shape (image, symbols, listing). */
import { describe, expect, it } from 'vitest';
import { asm, diags, enc, oneError, words } from '../../../test/asm/helpers.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('constants', () => {
  it('.equ, .set and = define constants usable before and after', () => {
    expect(words('.word A, B, C\n.equ A, 1\n.set B, A + 1\nC = B * 2\n.word A, B, C')).toEqual([1, 2, 4, 1, 2, 4]);
  });
  it('= and .set may change a value; each use sees the value at that point', () => {
    expect(words('x = 1\n.word x\nx = x + 1\n.word x\n.set x, 10\n.word x')).toEqual([1, 2, 10]);
  });
  it('.equ may not be redefined, nor a label', () => {
    expect(oneError('.equ A, 1\n.equ A, 2')).toBe(
      "t.s:2:6: error: symbol 'A' is already defined as a constant at t.s:1; use '=' or .set for a symbol that changes",
    );
    expect(oneError('.equ A, 1\nA = 2')).toBe("t.s:2:1: error: symbol 'A' is already defined as a constant at t.s:1");
    expect(oneError('L:\nL = 2')).toBe("t.s:2:1: error: symbol 'L' is already defined as a label at t.s:1");
    expect(oneError('.equ A')).toBe("t.s:1:6: error: .equ expects 'name, value'");
  });
  it('constants may refer to labels defined later', () => {
    const r = asm('.equ SIZE, end - start\nstart: .space 12\nend:\n.word SIZE');
    expect(r.ok).toBe(true);
    expect(r.symbols.get('SIZE')).toBe(12);
  });
  it('circular definitions are errors', () => {
    const d = diags('.equ A, B\n.equ B, A\n.word A');
    expect(d.length).toBeGreaterThan(0);
    expect(d[0]).toMatch(/^t\.s:1:9: error: symbol 'B' has no value/);
  });
  it('options.defines predefine constants', () => {
    expect(words('.word N + 1\n.ifdef DEBUG\n.word 7\n.endif', { defines: { N: 41, DEBUG: 1 } })).toEqual([42, 7]);
  });
});

describe('data', () => {
  it('.word / .half / .byte are little-endian lists', () => {
    const r = asm(".word 0x11223344, -1\n.half 0x5566, -2\n.byte 1, 0xff, -128, 'A'");
    expect(hex(r.bytes)).toBe('44332211' + 'ffffffff' + '6655' + 'feff' + '01ff8041');
  });
  it('aliases .long .int .short .hword', () => {
    expect(hex(asm('.long 1\n.int 2\n.short 3\n.hword 4').bytes)).toBe('01000000020000000300' + '0400');
  });
  it('range checks', () => {
    expect(oneError('.byte 256')).toBe('t.s:1:7: error: value 256 out of range -128..255 for .byte');
    expect(oneError('.byte 1, -129')).toBe('t.s:1:10: error: value -129 out of range -128..255 for .byte');
    expect(oneError('.half 0x10000')).toBe('t.s:1:7: error: value 65536 out of range -32768..65535 for .half');
    expect(words('.word 0xffffffff, -0x80000000')).toEqual([0xffffffff, 0x80000000]);
    expect(oneError('.word')).toBe('t.s:1:1: error: .word expects at least one value');
    expect(oneError('.word 1,,2')).toBe('t.s:1:9: error: missing value');
  });
  it('.ascii / .asciz / .string with C escapes', () => {
    const r = asm('.ascii "a\\n\\t\\0\\\\\\"\\x41\\x7e"\n.asciz "hi", "yo"\n.string "é"');
    expect(r.ok).toBe(true);
    expect([...r.bytes]).toEqual([0x61, 10, 9, 0, 92, 34, 0x41, 0x7e, 0x68, 0x69, 0, 0x79, 0x6f, 0, 0xc3, 0xa9, 0]);
  });
  it('string errors', () => {
    expect(oneError('.ascii "abc')).toBe('t.s:1:8: error: unterminated string');
    expect(oneError('.ascii "a\\qb"')).toBe("t.s:1:10: error: unknown escape sequence '\\q'");
    expect(oneError('.ascii "\\x"')).toBe("t.s:1:9: error: bad escape '\\x': expected hex digits");
    expect(oneError('.ascii 5')).toBe('t.s:1:8: error: expected a string in double quotes');
    expect(words('.ascii "a#b;c"\n.align 4')).toEqual([0x3b622361, 0x63]);
  });
  it('.space / .skip / .zero', () => {
    expect(hex(asm('.byte 1\n.space 3\n.space 2, 0xaa\n.skip 1, -1\n.zero 2\n.byte 2').bytes)).toBe(
      '01000000aaaaff000002',
    );
    expect(oneError('.space -1')).toBe('t.s:1:8: error: size -1 out of range 0..67108864');
    expect(oneError('.space 1, 300')).toBe('t.s:1:11: error: fill value 300 out of range -128..255');
    expect(oneError('.space n\nn = 3')).toBe(
      "t.s:1:8: error: .space: undefined symbol 'n' (it must be defined before this line)",
    );
  });
});

describe('alignment and .org', () => {
  it('.align / .balign / .p2align pad with zeros (or a fill byte)', () => {
    expect(hex(asm('.byte 1\n.align 4\n.byte 2\n.balign 8, 0xee\n.byte 3\n.p2align 2\n.byte 4').bytes)).toBe(
      '01000000' + '02eeeeee' + '03000000' + '04',
    );
    expect(hex(asm('.byte 1\n.align 1\n.byte 2').bytes)).toBe('0102');
  });
  it('.align needs a power of two', () => {
    expect(oneError('.align 3')).toBe('t.s:1:8: error: alignment 3 is not a power of 2 in 1..16777216');
    expect(oneError('.align 0')).toBe('t.s:1:8: error: alignment 0 is not a power of 2 in 1..16777216');
  });
  it('.org first sets the base; later it moves forward with zero fill', () => {
    const r = asm('.org 0x1000\n_start: .word 1\n.org 0x1010\n.word 2');
    expect(r.base).toBe(0x1000);
    expect(r.entry).toBe(0x1000);
    expect(hex(r.bytes)).toBe('01000000' + '00'.repeat(12) + '02000000');
    expect(words('.word 1\n. = 8\n.word 2')).toEqual([1, 0, 2]);
  });
  it('.org backwards is an error', () => {
    expect(oneError('.org 0x100\n.word 1, 2\n.org 0x104')).toBe(
      't.s:3:1: error: .org cannot move backwards (from 0x108 to 0x104)',
    );
  });
  it('.org in a section that is placed after pass 1 must come first', () => {
    expect(oneError('.word 1\n.data\n.word 2\n.org 0x100')).toMatch(
      /^t\.s:4:1: error: \.org after code or data in section '\.data'/,
    );
  });
  it('an empty program is an empty image at 0', () => {
    const r = asm('; nothing\n');
    expect(r.ok).toBe(true);
    expect(r.bytes.length).toBe(0);
    expect(r.base).toBe(0);
    expect(r.entry).toBe(0);
  });
});

describe('sections', () => {
  it('lay out in order of first appearance, each rounded up to 16 bytes', () => {
    const r = asm('.text\nstart: nop\n.data\nd: .word 7\n.text\nnop\n.bss\nb: .space 4\n.section .rodata\nro: .byte 9');
    expect(r.ok).toBe(true);
    expect(r.symbols.get('start')).toBe(0);
    expect(r.symbols.get('d')).toBe(0x10);
    expect(r.symbols.get('b')).toBe(0x20);
    expect(r.symbols.get('ro')).toBe(0x30);
    expect(r.bytes.length).toBe(0x31);
    expect(r.bytes[0x10]).toBe(7);
    expect(r.bytes[0x30]).toBe(9);
  });
  it('a section with a large .align starts on it', () => {
    const r = asm('.word 1\n.data\n.align 256\nd: .word 2');
    expect(r.symbols.get('d')).toBe(0x100);
  });
  it('a section can fix its start with .org', () => {
    const r = asm('.data\n.org 0x2000\nd: .word 2\n.text\n.org 0x1000\nt: .word 1');
    expect(r.symbols.get('d')).toBe(0x2000);
    expect(r.symbols.get('t')).toBe(0x1000);
    expect(r.base).toBe(0x1000);
    expect(r.bytes.length).toBe(0x1004);
  });
  it('overlapping sections are an error', () => {
    expect(oneError('.org 0x100\n.word 1, 2\n.data\n.org 0x104\n.word 3')).toBe(
      "t.s:3:1: error: section '.data' (0x00000104..0x00000107) overlaps section '.text' (0x00000100..0x00000107)",
    );
  });
  it('an image too large is an error, not a huge allocation', () => {
    expect(oneError('.word 1\n.data\n.org 0xf0000000\n.word 2')).toMatch(/^t\.s:1:1: error: image too large/);
  });
});

describe('symbols and entry', () => {
  it('.global marks symbols in the symbol file; the file is sorted by address', () => {
    const r = asm('.global main\n.equ K, 5\n_start: nop\nmain: nop\n.loc: nop\nx: nop\n1: nop');
    expect(r.symbolFile).toBe(
      '00000000 _start label\n00000004 main global\n00000005 K const\n00000008 main.loc label\n0000000c x label\n',
    );
    expect(r.symbols.get('main.loc')).toBe(8);
  });
  it('a .global symbol that is never defined is a warning', () => {
    expect(diags('nop\n.global nowhere')).toEqual(["t.s:2:9: warning: .global symbol 'nowhere' is never defined"]);
  });
  it('.globl is the same; .entry sets the entry point', () => {
    const r = asm('.globl go\nnop\ngo: nop\n.entry go');
    expect(r.entry).toBe(4);
    expect(r.symbolFile).toContain('00000004 go global');
    expect(oneError('.entry 0\n.entry 4')).toBe('t.s:2:1: error: the entry point is already set by an earlier .entry');
  });
  it('_start is the default entry point', () => {
    expect(asm('nop\n_start: nop').entry).toBe(4);
  });
});

describe('messages', () => {
  it('.error and .warning', () => {
    expect(diags('.warning "careful"\n.error "stop here"')).toEqual([
      't.s:1:1: warning: careful',
      't.s:2:1: error: stop here',
    ]);
    const r = asm('.warning "just a warning"\nnop');
    expect(r.ok).toBe(true);
    expect(r.bytes.length).toBe(4);
  });
  it('unknown directives suggest a close one', () => {
    expect(oneError('  .wrod 1')).toBe("t.s:1:3: error: unknown directive '.wrod' (did you mean '.word'?)");
  });
});

describe('listing and line map', () => {
  it('lists address, words and source, marking macro lines', () => {
    const r = asm('.macro two\nnop\nnop\n.endm\nstart: li a0, 0x12345678\ntwo\n.byte 1, 2');
    const lines = r.listing.split('\n');
    expect(lines[0]).toBe(';; file t.s');
    expect(r.listing).toContain(`00000000  ${enc('lui', { rd: 10, imm: 0x1234 }).toString(16).padStart(8, '0')} `);
    expect(r.listing).toMatch(/00000008 {2}[0-9a-f]{8} +2 {2}\+ nop/);
    expect(r.listing).toMatch(/00000010 {2}01 02 +7 {2}\.byte 1, 2/);
  });
  it('maps each instruction and data statement to its line (macro code to the call)', () => {
    const r = asm('.macro two\nnop\nnop\n.endm\nnop\ntwo\n.align 16\n.word 5');
    expect(r.lineMap).toEqual([
      { address: 0, file: 't.s', line: 5 },
      { address: 4, file: 't.s', line: 6 },
      { address: 8, file: 't.s', line: 6 },
      { address: 16, file: 't.s', line: 8 },
    ]);
  });
});
