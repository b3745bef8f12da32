/**
 * What the assembler's two fuzzers share (src/main/asm/fuzz.test.ts, the unit test; test/fuzz/
 * asmSources.ts, the campaign of docs/security.md#asm): the valid programs they start from and the
 * edit that mutates one. Each fuzzer keeps its own vocabulary, characters and generator, so a seed
 * still rebuilds the same inputs in each.
 */

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

/** 1-6 random edits of `s`: cut, insert a word of `vocab` or a character of `chars`, or repeat a head. */
export function mutateSource(rng: EditRng, s: string, vocab: readonly string[], chars: string): string {
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
