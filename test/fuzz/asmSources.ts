/**
 * Sources for the assembler campaign (asm.ts, docs/security.md#asm): random and mutated programs,
 * and the shapes that hurt an assembler: huge .rept counts, deep nesting (parentheses, macros,
 * includes, .rept, .if), long strings, long lines, macro arguments substituted many times, chains
 * of constants. Each is a function of its seed, so a report's seed rebuilds it.
 */
import { charSoup, mutateSource, tokenSoup, VALID_PROGRAMS as VALID } from '../asm/mutate.js';
import { Rng } from './rng.js';

export interface AsmSource {
  source: string;
  /** Files `.include` finds (by name as written). */
  files: Record<string, string>;
}

const HUGE = [0x7fffffff, 0xffffffff, 0x80000000, 1_000_000, 999_999, 1_000_001, 65_536, -1, 0];

const mutate = (rng: Rng, s: string): string => mutateSource(rng, s);

/** A size that is mostly small and sometimes past a limit (docs/isa.md#limits). */
function size(rng: Rng, small: number, big: number): number {
  return rng.chance(0.7) ? rng.int(0, small) : rng.int(small, big);
}

const nest = (open: string, close: string, n: number, inner: string) => open.repeat(n) + inner + close.repeat(n);

/** The kinds of source, each a function of an Rng. */
export const KINDS = {
  chars: (rng: Rng): AsmSource => ({ source: charSoup(rng, rng.int(0, 300)), files: {} }),
  tokens: (rng: Rng): AsmSource => ({ source: tokenSoup(rng, rng.int(0, 120)), files: { 'f.s': tokenSoup(rng, 20) } }),
  mutated: (rng: Rng): AsmSource => ({
    source: mutate(rng, rng.pick(VALID)),
    files: { 'f.s': mutate(rng, rng.pick(VALID)) },
  }),
  hugeRept: (rng: Rng): AsmSource => {
    const n = rng.pick(HUGE);
    const body = rng.pick(['', 'nop\n', '.word 1\n', '.endr\n', '.rept 2\n.endr\n', '.space 0x1000000\n', 'm\n']);
    const pre = rng.chance(0.3) ? '.macro m\n.endm\n' : '';
    const count = rng.pick([String(n), `0x${(n >>> 0).toString(16)}`, `${n} * ${n}`, `-${n}`, `(1 << 31) - 1`]);
    return { source: `${pre}.rept ${count}\n${body}.endr\n`.repeat(rng.int(1, 3)), files: {} };
  },
  deepNesting: (rng: Rng): AsmSource => {
    const n = size(rng, 60, 5000);
    const shape = rng.int(0, 7);
    const self = { 'f.s': '.include "f.s"\nnop' };
    switch (shape) {
      case 0:
        return { source: `.word ${nest('(', ')', n, '1')}`, files: {} };
      case 1:
        return { source: `li a0, ${'-~!+'.repeat(n).slice(0, n)}1`, files: {} };
      case 2:
        return { source: `lui a0, ${nest('%hi(', ')', n, 'x')}\nx:`, files: {} };
      case 3:
        return { source: '.macro m n\nm \\n+1\n.endm\nm 0', files: {} };
      case 4:
        return { source: '.include "f.s"', files: self };
      case 5:
        return { source: nest('.rept 1\n', '.endr\n', Math.min(n, 400), 'nop\n'), files: {} };
      case 6:
        return { source: nest('.if 1\n', '.endif\n', n, 'nop\n'), files: {} };
      default:
        return { source: `.word ${'1+'.repeat(n)}1`, files: {} };
    }
  },
  longString: (rng: Rng): AsmSource => {
    const n = size(rng, 4000, 200_000);
    const piece = rng.pick(['a', 'é', '\\x41', '\\n', '\\101', '😀', '\\"']);
    const text = piece.repeat(Math.ceil(n / piece.length)).slice(0, n);
    const dir = rng.pick(['.ascii', '.asciz', '.string', '.include', '.section', '.error', '.byte']);
    const strings = rng.chance(0.3) ? `"${text}", "${text}"` : `"${text}${rng.chance(0.2) ? '' : '"'}`;
    return { source: `${dir} ${strings}\n.word 1`, files: {} };
  },
  longLine: (rng: Rng): AsmSource => {
    const n = size(rng, 10_000, 300_000);
    const shape = rng.int(0, 6);
    const r = (s: string) => s.repeat(Math.ceil(n / s.length)).slice(0, n);
    const line = [
      `.word ${r('1,')}1`,
      r('a:'),
      `nop ${r(' ')}`,
      `.macro m ${r('a ')}\n.endm`,
      `m ${r('x,')}`,
      `.byte ${r('"a" ')}`,
      `# ${r('#')}`,
    ][shape];
    return { source: `${line}\nnop`, files: {} };
  },
  macroBlowup: (rng: Rng): AsmSource => {
    const uses = size(rng, 50, 2000);
    const arg = 'x'.repeat(size(rng, 100, 20_000));
    const source = `.macro m a\n.byte ${'\\a+'.repeat(uses)}0\n.endm\n.macro n b\nm \\b\\b\n.endm\nn ${arg}`;
    return { source, files: {} };
  },
  constChain: (rng: Rng): AsmSource => {
    const n = size(rng, 200, 5000);
    const lines = [rng.chance(0.5) ? '.equ c0, end' : 'c0 = end'];
    for (let i = 1; i < n; i++) lines.push(`.equ c${i}, c${i - 1} + ${rng.chance(0.01) ? 'c' + n : '1'}`);
    lines.push(`.word c${n - 1}`, 'end:');
    return { source: lines.join('\n'), files: {} };
  },
  manyDiagnostics: (rng: Rng): AsmSource => {
    const line = rng.pick(['frob', '.warning "w"', 'j nowhere', '.word 1/0', 'addi a0, a0, 99999']);
    return { source: `${line}\n`.repeat(size(rng, 150, 3000)), files: {} };
  },
};

export type AsmKind = keyof typeof KINDS;
export const ASM_KINDS = Object.keys(KINDS) as AsmKind[];

/** The source of `kind` made from `seed`. */
export function asmSource(kind: AsmKind, seed: number): AsmSource {
  return KINDS[kind](new Rng(seed));
}
