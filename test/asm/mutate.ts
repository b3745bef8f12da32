/**
 * What the assembler's two fuzzers share (src/main/asm/fuzz.test.ts, the unit test; test/fuzz/
 * asmSources.ts, the campaign of docs/security.md#asm): the valid programs they start from, the
 * characters and vocabulary (the assembler's own opcodes, pseudos, directives and registers, from
 * their tables, plus the shapes that reach its corners), the soups made of them, and the edit that
 * mutates a program. Each fuzzer keeps its own generator, so a seed rebuilds the same inputs in each.
 */
import { OPCODES } from '../../src/shared/isa/opcodes.js';
import { REGISTER_ABI_NAMES } from '../../src/shared/isa/registers.js';
import { DIRECTIVES } from '../../src/main/asm/directives.js';
import { PSEUDOS } from '../../src/main/asm/pseudo.js';

/** Small valid programs covering labels, macros, data, .rept/.if and the privileged opcodes. */
export const VALID_PROGRAMS = [
  '_start: la sp, stack_top\n call main\n1: j 1b\nmain: ret\nstack_top:',
  'main: push ra\n li a0, 0x12345678\n .loop: addi a0, a0, -1\n bnez a0, .loop\n pop ra\n ret',
  '.macro save r\n push \\r\n.endm\nsave a0\nsave s1',
  '.data\nmsg: .asciz "hello\\n"\n.align 4\nstack: .space 64\nstack_top:',
  '.equ N, 10\n.rept N\n.word . + N\n.endr\n.if N > 5\n.byte 1\n.else\n.byte 2\n.endif',
  'csrr a0, sstatus\n csrw stvec, a0\n tlbflush\n hflush zero\n eret\n syscall 3',
] as const;

/** The little a fuzzer's generator must offer: an integer in [min, max] and a pick. */
export interface EditRng {
  int(min: number, max: number): number;
  pick<T>(xs: readonly T[]): T;
}

/** Characters for soups and single-character edits: the syntax's own, controls, non-ASCII, a lone surrogate. */
export const ASM_CHARS = 'abcxyz019_.$ \t\n\r,:;#()"\'\\%+-*/<>=!~&|^@`{}[]?éλ\u0000\ud800';

/** Words for soups and insertions: every mnemonic, pseudo, directive and register, and the shapes around them. */
export const ASM_VOCAB: readonly string[] = [
  ...OPCODES.map((o) => o.mnemonic),
  ...PSEUDOS.map((p) => p.name),
  ...Object.keys(DIRECTIVES),
  ...REGISTER_ABI_NAMES,
  ...'r31 sstatus hstatus %hi( %lo( ( ) , : = . \\@ \\x \\() 1b 1f 1: x: .l: x .l m 0 -1 0x7fffffff 0xffffffff'.split(
    ' ',
  ),
  ...'99999999999 "s" "\\n" \'a\' " \' + - * / % << >>> && || == ! ~'.split(' '),
  ...['\n', '\n', '\n', '\n'],
  ...['.macro m a=1\n', '.endm\n', '.rept 3\n', '.endr\n', '.if 1\n', '.else\n', '.endif\n'],
  ...['.include "f.s"\n', '.org 0x100\n', '.data\n', '.align 4\n', '.exitm\n', 'm 1, 2\n'],
];

/** `n` random characters of ASM_CHARS. */
export function charSoup(rng: EditRng, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += ASM_CHARS[rng.int(0, ASM_CHARS.length - 1)];
  return s;
}

/** `n` random words of ASM_VOCAB, most followed by a space. */
export function tokenSoup(rng: EditRng, n: number): string {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(rng.pick(ASM_VOCAB) + (rng.int(0, 9) < 6 ? ' ' : ''));
  return out.join('');
}

/** 1-6 random edits of `s`: cut, insert a word of `vocab` or a character of `chars`, or repeat a head. */
export function mutateSource(rng: EditRng, s: string, vocab: readonly string[] = ASM_VOCAB, chars = ASM_CHARS): string {
  const edits = rng.int(1, 6);
  for (let i = 0; i < edits; i++) {
    const at = rng.int(0, s.length);
    const op = rng.int(0, 3);
    if (op === 0) s = s.slice(0, at) + s.slice(at + rng.int(1, 5));
    else if (op === 1) s = s.slice(0, at) + rng.pick(vocab) + s.slice(at);
    else if (op === 2) s = s.slice(0, at) + chars[rng.int(0, chars.length - 1)] + s.slice(at);
    else s = s + '\n' + s.slice(0, at);
  }
  return s;
}
