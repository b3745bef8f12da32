/**
 * The texts made from an assembled program for people and tools: the listing (address, bytes,
 * source), the symbol file the debugger reads, and the line map (address to source line).
 */
import type { Assembler, Rec, Row } from './assembler.js';
import type { Image } from './output.js';

const hex8 = (n: number) => (n >>> 0).toString(16).padStart(8, '0');
const hex2 = (n: number) => n.toString(16).padStart(2, '0');

/** Bytes shown per listing row before `...`: enough for a pseudo's words or a short string. */
const MAX_WORDS = 3;
const MAX_BYTES = 8;

function emitted(recs: Rec[]): Rec[] {
  return recs.filter((r) => r.size > 0 && r.kind !== 'assign' && r.kind !== 'entry');
}

function bytesOf(img: Image, r: Rec): Uint8Array {
  const at = r.section.start! + r.offset - img.base;
  return img.built ? img.bytes.subarray(at, at + r.size) : new Uint8Array(0);
}

/** The hex column: instruction words as 8 digits each, data as bytes. */
function codeColumn(img: Image, recs: Rec[]): string {
  const words: string[] = [];
  const bytes: string[] = [];
  let more = false;
  for (const r of recs) {
    const b = bytesOf(img, r);
    if (r.kind === 'inst' && b.length === 4) {
      if (words.length < MAX_WORDS) words.push(hex8(b[0] | (b[1] << 8) | (b[2] << 16) | (b[3] << 24)));
      else more = true;
    } else {
      // Only the bytes shown are read: a 16 MiB .space must not cost 16 million steps here.
      const shown = Math.min(b.length, MAX_BYTES - bytes.length);
      for (let i = 0; i < shown; i++) bytes.push(hex2(b[i]));
      if (r.size > shown) more = true;
    }
  }
  return [...words, ...bytes].join(' ') + (more ? ' ...' : '');
}

/**
 * The listing: one row per assembled source line, `ADDRESS  HEX  LINE  SOURCE`. ADDRESS is shown
 * for lines that emit bytes or define a label; HEX holds instruction words (8 digits) or data bytes
 * (2 digits), cut with `...` when long. Lines from macro expansions carry one `+` per nesting level
 * before the source. A `;; file NAME` row marks each change of source file.
 */
export function listingText(a: Assembler, img: Image): string {
  const out: string[] = [];
  let file: string | undefined;
  for (const row of a.rows as Row[]) {
    if (row.pos.file !== file) {
      file = row.pos.file;
      out.push(`;; file ${file}`);
    }
    const recs = emitted(row.recs);
    const first = recs[0];
    const labelled = /^\s*(?:[A-Za-z_.$][\w.$]*|\d+)\s*:/.test(row.text);
    const start = first
      ? first.section.start! + first.offset
      : row.section.start !== undefined
        ? row.section.start + row.offset
        : undefined;
    const addr = (first || labelled) && start !== undefined ? hex8(start) : '        ';
    const code = codeColumn(img, recs).padEnd(30);
    const marker = row.depth > 0 ? '+'.repeat(row.depth) + ' ' : '';
    out.push(`${addr}  ${code}  ${String(row.pos.line).padStart(5)}  ${marker}${row.text}`.trimEnd());
  }
  return out.join('\n') + (out.length ? '\n' : '');
}

export type SymbolKindName = 'label' | 'const' | 'global';

/** Named symbols with their final values and the kind the symbol file gives them. */
export function symbolRows(a: Assembler, img: Image): { name: string; value: number; kind: SymbolKindName }[] {
  const rows: { name: string; value: number; kind: SymbolKindName }[] = [];
  for (const [s, value] of img.values) {
    if (s.hidden) continue;
    const kind: SymbolKindName = a.globals.has(s.name) ? 'global' : s.kind === 'label' ? 'label' : 'const';
    rows.push({ name: s.name, value, kind });
  }
  return rows;
}

/**
 * The symbol file the debugger reads: one line per symbol, `ADDRESS NAME KIND`, separated by single
 * spaces, sorted by address then name. ADDRESS is 8 lower-case hex digits (the value as uint32, also
 * for constants); NAME is the full name (dot-local labels as `func.loop`); KIND is `label` for a
 * label, `const` for an `.equ`/`.set`/`=` constant (or a define), `global` for a symbol exported with
 * `.global`. Numeric local labels (`1:`) are left out.
 */
export function symbolFileText(rows: { name: string; value: number; kind: SymbolKindName }[]): string {
  const sorted = [...rows].sort(
    (x, y) => (x.value >>> 0) - (y.value >>> 0) || (x.name < y.name ? -1 : x.name > y.name ? 1 : 0),
  );
  return sorted.map((r) => `${hex8(r.value)} ${r.name} ${r.kind}\n`).join('');
}

/**
 * Address of each emitted instruction and data statement to the source line the debugger and the
 * editor should show for it: the line itself, or for macro expansions the line that called the
 * macro. Sorted by address. Alignment padding is left out.
 */
export function lineMapOf(a: Assembler): Array<{ address: number; file: string; line: number }> {
  const out: Array<{ address: number; file: string; line: number }> = [];
  for (const r of a.records) {
    if (r.size === 0 || r.kind === 'assign' || r.kind === 'entry' || (r.kind === 'fill' && r.pad)) continue;
    if (r.section.start === undefined) continue;
    out.push({ address: (r.section.start + r.offset) >>> 0, file: r.pos.mapFile, line: r.pos.mapLine });
  }
  return out.sort((x, y) => x.address - y.address);
}
