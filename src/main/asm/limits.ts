/**
 * The assembler's limits (docs/isa.md#limits). Every resource a source can make the assembler spend
 * (lines read, expansions, bytes of output, nesting, the length of a line or a string) has a bound,
 * so a few bytes of hostile or mistaken input (`.rept 0x7fffffff`, a macro that calls itself, a
 * 100 KB string) end in one clear `file:line:col` error instead of minutes of work or a stack
 * overflow. The values are far above what a real program for this machine needs (the cos kernel is
 * a few thousand lines). The table is generated into docs/isa.md, so the page and the code agree.
 */

export interface Limit {
  /** How messages and docs name it. */
  name: string;
  value: number;
  /** One line for docs/isa.md. */
  doc: string;
}

function limit(name: string, value: number, doc: string): Limit {
  return { name, value, doc };
}

export const LIMITS = {
  lineLength: limit('line length', 16_384, 'characters in one source line (after macro substitution)'),
  stringBytes: limit('string length', 8_192, 'bytes in one string literal (after escapes and UTF-8)'),
  lines: limit(
    'lines assembled',
    1_000_000,
    'lines read in all, counting every line of every .rept repetition, macro expansion and skipped body',
  ),
  expansions: limit(
    'expansions',
    1_000_000,
    '.rept repetitions and macro expansions in all (an empty body counts too)',
  ),
  output: limit('output size', 64 * 1024 * 1024, 'bytes emitted in all sections (instructions, data, .space, padding)'),
  includeDepth: limit('.include depth', 32, 'files open at once through nested .include'),
  macroDepth: limit('macro depth', 64, 'macro expansions nested inside one another'),
  reptDepth: limit('.rept depth', 64, '.rept blocks running inside one another'),
  condDepth: limit('.if depth', 256, '.if blocks open inside one another in one file, macro or .rept body'),
  expressionDepth: limit('expression depth', 100, 'parentheses and unary operators nested in one expression'),
  expressionSize: limit('expression size', 1_000, 'binary operators in one expression'),
  errors: limit('errors', 100, 'errors reported before the assembler stops (later ones are mostly echoes)'),
  warnings: limit('warnings', 100, 'warnings reported (later ones are counted in one last warning)'),
} as const;

export type LimitName = keyof typeof LIMITS;

/** `(limit: lines assembled 1000000)`: every message about a limit ends with the limit's name and value. */
export function limitNote(which: LimitName): string {
  const l = LIMITS[which];
  return `(limit: ${l.name} ${l.value}, docs/isa.md#limits)`;
}
