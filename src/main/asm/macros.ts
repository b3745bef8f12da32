/**
 * The line sources of pass 1: files (.include), macro expansions and .rept bodies are frames on a
 * stack the assembler reads lines from, so nested expansions need no recursion in the assembler
 * itself. This file holds the text-level work: reading a macro header, splitting invocation
 * arguments, substituting `\arg` / `\@`, and collecting a body up to its closing directive.
 */
import type { SrcPos } from './symbols.js';

/** A source line with where it was written (macro and .rept bodies keep their definition lines). */
export interface SourceLine {
  text: string;
  file: string;
  line: number;
}

export interface CondEntry {
  /** Lines of the current branch are assembled. */
  active: boolean;
  /** Some branch of this .if chain has been taken (so later .elif/.else are not). */
  taken: boolean;
  /** The enclosing code is assembled (a nested .if inside a skipped block never activates). */
  parentActive: boolean;
  sawElse: boolean;
  pos: SrcPos;
  directive: string;
}

export interface Frame {
  kind: 'file' | 'macro' | 'rept';
  lines: SourceLine[];
  pos: number;
  conds: CondEntry[];
  /** "in expansion of macro 'x' at f:l" chain appended to messages from this frame, or ''. */
  ctx: string;
  /** The expansions of that chain, innermost first (ctx is made from it by expansionContext). */
  ctxParts?: string[];
  /** Where lines of this frame count as being for the line map (a macro expansion maps to its call). */
  mapTo?: { file: string; line: number };
  /** For macro frames: the macro's name (for .exitm and messages). */
  macro?: string;
  /** For .rept frames: how many more times `lines` (the body, held once) runs after this time. */
  repeat?: number;
}

export interface MacroParam {
  name: string;
  def?: string;
}

export interface MacroDef {
  name: string;
  params: MacroParam[];
  body: SourceLine[];
  pos: SrcPos;
}

/** The context text of an expansion chain: the two innermost expansions and the outermost one
 *  (the call the user wrote), eliding the middle of deep recursions. */
export function expansionContext(parts: string[]): string {
  if (parts.length <= 4) return parts.join(', ');
  return [...parts.slice(0, 2), `... ${parts.length - 3} more expansions ...`, parts[parts.length - 1]].join(', ');
}

/** The first directive word of a line after any labels (lower case), e.g. `.endm`; or undefined. */
export function directiveWord(text: string): string | undefined {
  if (!text.includes('.')) return undefined;
  const m = /^\s*(?:(?:[A-Za-z_.$][\w.$]*|\d+)\s*:\s*)*(\.[A-Za-z_]\w*)/.exec(text);
  return m ? m[1].toLowerCase() : undefined;
}

/**
 * Split text at top-level commas, respecting quotes and parentheses; used for macro arguments and
 * parameter lists, whose pieces are text (substituted), not expressions.
 */
export function splitArgs(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      cur += c;
      if (c === '\\' && i + 1 < text.length) cur += text[++i];
      else if (c === quote) quote = undefined;
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    else if (c === '(') depth++;
    else if (c === ')') depth = Math.max(0, depth - 1);
    else if (c === ',' && depth === 0) {
      out.push(cur.trim());
      cur = '';
      continue;
    }
    cur += c;
  }
  out.push(cur.trim());
  return out.length === 1 && out[0] === '' ? [] : out;
}

/**
 * Split at runs of white space that have an even number of `"` after them (so not inside a quoted
 * default), dropping empty pieces. One pass from each end: the regex with a look-ahead to the end of
 * the line that did this was quadratic (a 16 KB header of `a a a ...` took a second).
 */
function splitAtSpaces(text: string): string[] {
  const after = new Uint8Array(text.length + 1);
  for (let i = text.length - 1; i >= 0; i--) after[i] = after[i + 1] ^ (text[i] === '"' ? 1 : 0);
  const out: string[] = [];
  let start = 0;
  let i = 0;
  while (i < text.length) {
    if (!/\s/.test(text[i])) {
      i++;
      continue;
    }
    let j = i;
    while (j < text.length && /\s/.test(text[j])) j++;
    if (after[j] === 0) {
      out.push(text.slice(start, i));
      start = j;
    }
    i = j;
  }
  out.push(text.slice(start));
  return out.filter((x) => x !== '');
}

/** Parse `name a, b=default` (the text after `.macro`): the name and parameters, or an error. */
export function parseMacroHeader(text: string): { name: string; params: MacroParam[] } | string {
  const m = /^\s*([A-Za-z_$][\w.$]*)\s*,?\s*(.*)$/.exec(text);
  if (!m) return 'expected a macro name after .macro';
  const params: MacroParam[] = [];
  // GNU allows parameters separated by spaces too: `.macro m a b=1`.
  const pieces = splitArgs(m[2]).flatMap((p) => splitAtSpaces(p.replace(/\s*=\s*/g, '=')));
  const seen = new Set<string>();
  for (const p of pieces) {
    const pm = /^([A-Za-z_$][\w$]*)\s*(?:=\s*(.*))?$/.exec(p);
    if (!pm) return `bad macro parameter '${p}'`;
    if (seen.has(pm[1])) return `duplicate macro parameter '${pm[1]}'`;
    seen.add(pm[1]);
    params.push(pm[2] !== undefined ? { name: pm[1], def: pm[2].trim() } : { name: pm[1] });
  }
  return { name: m[1].toLowerCase(), params };
}

/**
 * Bind invocation arguments (positional, or `name=value`) to parameters. Returns the value of every
 * parameter or an error.
 */
export function bindArgs(def: MacroDef, argText: string): Map<string, string> | string {
  const args = splitArgs(argText);
  const values = new Map<string, string>();
  const names = new Set(def.params.map((p) => p.name));
  let positional = 0;
  for (const a of args) {
    const kw = /^([A-Za-z_$][\w$]*)\s*=(?!=)\s*(.*)$/.exec(a);
    if (kw && names.has(kw[1])) {
      values.set(kw[1], kw[2]);
      continue;
    }
    if (positional >= def.params.length) {
      return `macro '${def.name}' takes ${def.params.length} argument${def.params.length === 1 ? '' : 's'}, got ${args.length}`;
    }
    const p = def.params[positional++];
    if (a !== '' || !values.has(p.name)) values.set(p.name, a);
  }
  for (const p of def.params) {
    const v = values.get(p.name);
    if (v === undefined || v === '') {
      if (p.def !== undefined) values.set(p.name, p.def);
      else if (v === undefined) values.set(p.name, '');
    }
  }
  return values;
}

/**
 * Replace `\param`, `\@` (the expansion number) and `\()` (an empty separator) in one line.
 * Undefined when the result would be longer than `max` characters (docs/isa.md#limits): a body line
 * naming a long argument many times must not build a line of megabytes first.
 */
export function substitute(
  text: string,
  values: Map<string, string>,
  counter: number,
  max = Infinity,
): string | undefined {
  if (!text.includes('\\')) return text;
  let length = text.length;
  const out = text.replace(/\\(@|\(\)|[A-Za-z_$][\w$]*)/g, (all, name: string) => {
    const v = name === '@' ? String(counter) : name === '()' ? '' : (values.get(name) ?? all);
    length += v.length - all.length;
    return length > max ? '' : v;
  });
  return length > max ? undefined : out;
}

/**
 * Collect the body of a block opened on the line before `frame.pos`, up to its matching closer
 * (nested openers of the same kind counted). Leaves frame.pos after the closer. Returns undefined
 * when the frame ends first.
 */
export function collectBody(frame: Frame, openers: readonly string[], closer: string): SourceLine[] | undefined {
  const body: SourceLine[] = [];
  let depth = 0;
  while (frame.pos < frame.lines.length) {
    const sl = frame.lines[frame.pos++];
    const w = directiveWord(sl.text);
    if (w !== undefined && openers.includes(w)) depth++;
    else if (w === closer) {
      if (depth === 0) return body;
      depth--;
    }
    body.push(sl);
  }
  return undefined;
}

/** Split a source text into lines (any newline convention). */
export function splitLines(text: string, file: string): SourceLine[] {
  const lines = text.split(/\r\n|\r|\n/);
  // A final newline ends the last line; it does not start another.
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  return lines.map((t, i) => ({ text: t, file, line: i + 1 }));
}

/** Resolve an include path against the including file, POSIX-style and purely textual. */
export function joinPath(fromFile: string, path: string): string {
  if (path.startsWith('/') || /^[A-Za-z]:[\\/]/.test(path)) return path;
  const slash = Math.max(fromFile.lastIndexOf('/'), fromFile.lastIndexOf('\\'));
  const dir = slash >= 0 ? fromFile.slice(0, slash + 1) : '';
  const parts: string[] = [];
  for (const p of (dir + path).split(/[\\/]/)) {
    if (p === '.' || (p === '' && parts.length > 0)) continue;
    if (p === '..' && parts.length > 0 && parts[parts.length - 1] !== '..' && parts[parts.length - 1] !== '')
      parts.pop();
    else parts.push(p);
  }
  return parts.join('/');
}
