/**
 * The HD32 assembler (docs/isa.md#assembly-syntax): source text to a flat little-endian image plus
 * a listing, a symbol file and a line map. Pure TypeScript with no Node APIs, so the same code runs
 * in the CLI, the Electron main process and the editor; files reach it only through
 * `options.readFile`. It never throws: every problem, even an internal bug, is a diagnostic.
 */
import { Assembler, type AsmOptions } from './assembler.js';
import type { Diagnostic } from './diagnostics.js';
import { lineMapOf, listingText, symbolFileText, symbolRows } from './listing.js';
import { splitLines } from './macros.js';
import { pass2 } from './output.js';

export type { AsmOptions } from './assembler.js';
export { type Diagnostic, formatDiagnostic } from './diagnostics.js';
export { PSEUDOS, type PseudoDef } from './pseudo.js';
export { DIRECTIVES, type Directive } from './directives.js';
export { LIMITS as ASM_LIMITS, type Limit } from './limits.js';

export interface AsmResult {
  /** No error diagnostics (warnings allowed). */
  ok: boolean;
  diagnostics: Diagnostic[];
  /** The image from `base` to the highest byte emitted, gaps zero-filled. */
  bytes: Uint8Array;
  /** Lowest address emitted (0 when nothing was). */
  base: number;
  /** `.entry`, else `_start`, else `base`. */
  entry: number;
  /** Every named symbol (dot-local ones as `global.local`) to its value as uint32. */
  symbols: Map<string, number>;
  listing: string;
  symbolFile: string;
  lineMap: Array<{ address: number; file: string; line: number }>;
}

/** Files rank in the order they were first read; names the assembler never read (`<defines>`) last. */
function rankOf(a: Assembler): (file: string) => number {
  return (file) => a.fileOrder.get(file) ?? a.fileOrder.size;
}

function failed(diagnostics: Diagnostic[]): AsmResult {
  return {
    ok: false,
    diagnostics,
    bytes: new Uint8Array(0),
    base: 0,
    entry: 0,
    symbols: new Map(),
    listing: '',
    symbolFile: '',
    lineMap: [],
  };
}

export function assemble(source: string, options: AsmOptions = {}): AsmResult {
  const filename = typeof options?.filename === 'string' && options.filename !== '' ? options.filename : '<input>';
  let a: Assembler | undefined;
  try {
    const text = typeof source === 'string' ? source : String(source ?? '');
    a = new Assembler(options ?? {}, filename);
    a.run(splitLines(text, filename));
    const img = pass2(a);
    const rows = symbolRows(a, img);
    const symbols = new Map(rows.map((r) => [r.name, r.value]));
    return {
      ok: a.sink.errors === 0,
      diagnostics: a.sink.sorted(rankOf(a)),
      bytes: img.bytes,
      base: img.base,
      entry: img.entry,
      symbols,
      listing: listingText(a, img),
      symbolFile: symbolFileText(rows),
      lineMap: lineMapOf(a),
    };
  } catch (e) {
    // Only a bug in the assembler gets here; report it like any other problem.
    const message = `internal error: ${e instanceof Error ? e.message : String(e)}`;
    const pos = a?.pos;
    const diag: Diagnostic = {
      file: pos?.file ?? filename,
      line: Math.max(1, pos?.line ?? 1),
      col: 1,
      severity: 'error',
      message,
    };
    return failed([...(a?.sink.sorted(rankOf(a)) ?? []), diag]);
  }
}
