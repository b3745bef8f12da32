/**
 * Diagnostics of the assembler: the record every error and warning becomes, the one text form the
 * CLI and the editor print, and the "did you mean" helper shared by mnemonics, directives and
 * symbols. Errors are collected, never thrown: one run reports as many problems as it can find.
 */
import { LIMITS, limitNote } from './limits.js';

export interface Diagnostic {
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based column of the offending token. */
  col: number;
  severity: 'error' | 'warning';
  message: string;
  /** 1-based column just past the offending token, when known (the editor underlines col..endCol). */
  endCol?: number;
}

/** `file:line:col: error: message`, the form compilers print so editors and terminals link it. */
export function formatDiagnostic(d: Diagnostic): string {
  return `${d.file}:${d.line}:${d.col}: ${d.severity}: ${d.message}`;
}

/** After this many errors the assembler stops: later ones are mostly echoes of the first. */
export const MAX_ERRORS = LIMITS.errors.value;
/** Warnings past this many are counted, not kept (a `.warning` in a long .rept would flood the list). */
export const MAX_WARNINGS = LIMITS.warnings.value;

export class DiagnosticSink {
  readonly list: Diagnostic[] = [];
  errors = 0;
  /** Set once MAX_ERRORS is reached; the assembler checks it to stop early. */
  full = false;
  private warnings = 0;
  private droppedWarnings = 0;
  private stop: Diagnostic | undefined;
  private lastWarning: Diagnostic | undefined;

  add(d: Diagnostic): void {
    if (this.full) return;
    if (d.severity !== 'error') {
      if (this.warnings >= MAX_WARNINGS) {
        this.droppedWarnings++;
        this.lastWarning = d;
        return;
      }
      this.warnings++;
      this.list.push(d);
      return;
    }
    this.list.push(d);
    this.errors++;
    if (this.errors >= MAX_ERRORS) {
      this.full = true;
      this.stop = {
        ...d,
        severity: 'error',
        message: `too many errors (${MAX_ERRORS}); stopping ${limitNote('errors')}`,
      };
      this.errors++;
    }
  }

  /**
   * Everything reported, in reading order: by file (in the order `rank` gives: the order files were
   * first read), line and column, whatever order the passes found them in (issue 15). The count of
   * dropped warnings and the "stopping" error come last, since they are about the whole run.
   */
  sorted(rank: (file: string) => number = () => 0): Diagnostic[] {
    const keyed = this.list.map((d, i) => ({ d, i, r: rank(d.file) }));
    keyed.sort(
      (x, y) =>
        x.r - y.r ||
        (x.d.file < y.d.file ? -1 : x.d.file > y.d.file ? 1 : 0) ||
        x.d.line - y.d.line ||
        x.d.col - y.d.col ||
        x.i - y.i,
    );
    const out = keyed.map((k) => k.d);
    if (this.droppedWarnings > 0 && this.lastWarning) {
      out.push({
        ...this.lastWarning,
        message: `${this.droppedWarnings} more warning${this.droppedWarnings === 1 ? '' : 's'} not shown ${limitNote('warnings')}`,
      });
    }
    if (this.stop) out.push(this.stop);
    return out;
  }
}

/** Levenshtein distance, bounded: returns max+1 as soon as it is certain to exceed max. */
export function editDistance(a: string, b: string, max = 3): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    const cur = new Array<number>(b.length + 1);
    cur[0] = i;
    let rowMin = cur[0];
    for (let j = 1; j <= b.length; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
      if (cur[j] < rowMin) rowMin = cur[j];
    }
    if (rowMin > max) return max + 1;
    prev = cur;
  }
  return prev[b.length];
}

/**
 * The candidate closest to `name` (case-insensitive), if it is close enough to be a plausible typo:
 * at most 1 edit for short names, 2 for longer ones.
 */
export function closest(name: string, candidates: Iterable<string>): string | undefined {
  const lower = name.toLowerCase();
  const limit = lower.length <= 3 ? 1 : 2;
  let best: string | undefined;
  let bestD = limit + 1;
  for (const c of candidates) {
    if (c === name) continue;
    const d = editDistance(lower, c.toLowerCase(), limit);
    if (d < bestD || (d === bestD && best !== undefined && c < best)) {
      bestD = d;
      best = c;
    }
  }
  return bestD <= limit ? best : undefined;
}

/** ` (did you mean 'x'?)` or the empty string. */
export function didYouMean(name: string, candidates: Iterable<string>): string {
  const c = closest(name, candidates);
  return c === undefined ? '' : ` (did you mean '${c}'?)`;
}
