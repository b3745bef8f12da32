/**
 * Directives (`.word`, `.org`, `.macro`, ...), run in pass 1. Each one either records a statement
 * for pass 2 (data), changes the layout state (sections, `.org`, `.align`) or the line sources
 * (`.include`, `.macro`, `.rept`). Values that shape the layout must be known when the directive is
 * read. The table carries a one-line doc per directive for the editor.
 */
import type { Assembler } from './assembler.js';
import type { Expr } from './expr.js';
import { type Token, lex } from './lexer.js';
import { LIMITS, limitNote } from './limits.js';
import { type Frame, collectBody, joinPath, parseMacroHeader, splitLines } from './macros.js';
import { splitOperands } from './operands.js';
import { alignUp, newSection } from './symbols.js';

export interface DirectiveCall {
  /** The directive's own token. */
  tok: Token;
  /** Tokens after it. */
  args: Token[];
  /** 0-based index where the code part of the line ends (before any comment). */
  codeEnd: number;
}

export interface Directive {
  /** How the arguments are written, and one line of doc, for the editor. */
  syntax: string;
  doc: string;
  run(a: Assembler, d: DirectiveCall): void;
}

/** Largest .space we accept: beyond this it is a typo, not a program. */
const MAX_SPACE = LIMITS.output.value;
const MAX_ALIGN = 1 << 24;
export const MAX_INCLUDE_DEPTH = LIMITS.includeDepth.value;

const hex = (n: number) => `0x${(n >>> 0).toString(16)}`;
const decode = (bytes: number[]): string => new TextDecoder().decode(Uint8Array.from(bytes));

/** Expressions separated by commas (for .word and friends). */
function exprList(a: Assembler, d: DirectiveCall): Expr[] | undefined {
  if (d.args.length === 0) {
    a.errorTok(d.tok, `${d.tok.text} expects at least one value`);
    return undefined;
  }
  const out: Expr[] = [];
  for (const op of splitOperands(d.args, d.codeEnd + 1)) {
    if (op.toks.length === 0) {
      a.error(op.col, op.end, 'missing value');
      return undefined;
    }
    const e = a.parse(op.toks);
    if (!e) return undefined;
    out.push(e);
  }
  return out;
}

const data = (unit: 1 | 2 | 4, doc: string): Directive => ({
  syntax: 'value, ...',
  doc,
  run(a, d) {
    const exprs = exprList(a, d);
    if (exprs) a.emit({ kind: 'data', size: unit * exprs.length, unit, exprs });
  },
});

const strings = (zero: boolean, doc: string): Directive => ({
  syntax: '"text", ...',
  doc,
  run(a, d) {
    const ops = splitOperands(d.args, d.codeEnd + 1);
    if (ops.length === 0) return a.errorTok(d.tok, `${d.tok.text} expects a string`);
    const bytes: number[] = [];
    for (const op of ops) {
      const t = op.toks[0];
      if (op.toks.length !== 1 || t.kind !== 'str')
        return a.error(op.col, op.end, `expected a string in double quotes`);
      // A loop, not push(...bytes): spreading a long string's bytes as arguments overflows the stack.
      for (const b of t.bytes ?? []) bytes.push(b);
      if (zero) bytes.push(0);
    }
    a.emit({ kind: 'bytes', size: bytes.length, bytes });
  },
});

/** `name, value` for .equ and .set. */
const constant = (kind: 'equ' | 'set', doc: string): Directive => ({
  syntax: 'name, value',
  doc,
  run(a, d) {
    const [name, comma] = d.args;
    if (!name || !comma || comma.text !== ',') return a.errorTok(name ?? d.tok, `${d.tok.text} expects 'name, value'`);
    a.defineConstant(name, d.args.slice(2), kind);
  },
});

function space(a: Assembler, d: DirectiveCall, withFill: boolean): void {
  const ops = splitOperands(d.args, d.codeEnd + 1);
  if (ops.length === 0 || ops.length > (withFill ? 2 : 1))
    return a.errorTok(d.tok, `${d.tok.text} expects ${withFill ? 'a size and an optional fill byte' : 'a size'}`);
  const n = a.evalNow(ops[0].toks, d.tok.text);
  if (n === undefined) return;
  if (n < 0 || n > MAX_SPACE) return a.error(ops[0].col, ops[0].end, `size ${n} out of range 0..${MAX_SPACE}`);
  let fill = 0;
  if (ops[1]) {
    const f = a.evalNow(ops[1].toks, d.tok.text);
    if (f === undefined) return;
    if (f < -128 || f > 255) return a.error(ops[1].col, ops[1].end, `fill value ${f} out of range -128..255`);
    fill = f & 0xff;
  }
  a.emit({ kind: 'fill', size: n, value: fill, pad: false });
}

function align(a: Assembler, d: DirectiveCall, log2: boolean): void {
  const ops = splitOperands(d.args, d.codeEnd + 1);
  if (ops.length === 0 || ops.length > 2)
    return a.errorTok(d.tok, `${d.tok.text} expects an alignment and an optional fill byte`);
  let n = a.evalNow(ops[0].toks, d.tok.text);
  if (n === undefined) return;
  if (log2) {
    if (n < 0 || n > 24) return a.error(ops[0].col, ops[0].end, `alignment exponent ${n} out of range 0..24`);
    n = 1 << n;
  }
  if (n < 1 || n > MAX_ALIGN || (n & (n - 1)) !== 0) {
    return a.error(ops[0].col, ops[0].end, `alignment ${n} is not a power of 2 in 1..${MAX_ALIGN}`);
  }
  let fill = 0;
  if (ops[1]) {
    const f = a.evalNow(ops[1].toks, d.tok.text);
    if (f === undefined) return;
    if (f < -128 || f > 255) return a.error(ops[1].col, ops[1].end, `fill value ${f} out of range -128..255`);
    fill = f & 0xff;
  }
  const sec = a.sec;
  // A section without a fixed start is placed on its largest alignment, so offsets suffice.
  sec.align = Math.max(sec.align, n);
  const at = a.absLc() ?? sec.lc;
  const pad = alignUp(at, n) - at;
  if (pad > 0) a.emit({ kind: 'fill', size: pad, value: fill, pad: true });
}

function org(a: Assembler, d: DirectiveCall): void {
  if (d.args.length === 0) return a.errorTok(d.tok, `.org expects an address`);
  const v = a.evalNow(d.args, '.org');
  if (v === undefined) return;
  const addr = v >>> 0;
  const sec = a.sec;
  if (!sec.started) {
    // Before anything is placed, .org sets where the section starts.
    sec.start = addr;
    sec.fixed = true;
    return;
  }
  if (!sec.fixed || sec.start === undefined) {
    return a.errorTok(
      d.tok,
      `.org after code or data in section '${sec.name}', whose start is only known after pass 1: put the .org before the section's first statement`,
    );
  }
  const off = addr - sec.start;
  if (off < sec.lc)
    return a.errorTok(d.tok, `.org cannot move backwards (from ${hex(sec.start + sec.lc)} to ${hex(addr)})`);
  sec.lc = off;
  sec.size = Math.max(sec.size, off);
}

function section(a: Assembler, name: string): void {
  let s = a.sections.find((x) => x.name === name);
  if (!s) {
    s = newSection(name, a.here(), false);
    a.sections.push(s);
  }
  a.sec = s;
}

const top = (a: Assembler): Frame => a.frames[a.frames.length - 1];

function include(a: Assembler, d: DirectiveCall): void {
  const t = d.args[0];
  if (d.args.length !== 1 || t.kind !== 'str')
    return a.errorTok(t ?? d.tok, `.include expects a file name in double quotes`);
  const path = decode(t.bytes ?? []);
  if (!a.opts.readFile) return a.errorTok(t, `cannot include '${path}': the assembler was given no readFile`);
  const files = a.frames.filter((f) => f.kind === 'file');
  const file = joinPath(a.pos.file, path);
  if (files.length >= MAX_INCLUDE_DEPTH) {
    const self = files.some((f) => f.lines[0]?.file === file) ? ` ('${path}' includes itself)` : '';
    return a.errorTok(t, `.include nested too deeply${self} ${limitNote('includeDepth')}`);
  }
  let content: string | undefined;
  try {
    content = a.opts.readFile(path, a.pos.file);
  } catch (e) {
    return a.errorTok(t, `cannot read include file '${path}': ${e instanceof Error ? e.message : String(e)}`);
  }
  if (typeof content !== 'string') return a.errorTok(t, `cannot read include file '${path}'`);
  const outer = top(a);
  a.noteFile(file);
  a.frames.push({
    kind: 'file',
    lines: splitLines(content, file),
    pos: 0,
    conds: [],
    ctx: outer.ctx,
    ctxParts: outer.ctxParts,
    mapTo: outer.mapTo,
  });
}

function macro(a: Assembler, d: DirectiveCall): void {
  const hdr = parseMacroHeader(a.text.slice(d.tok.end - 1, d.codeEnd));
  const body = collectBody(top(a), ['.macro'], '.endm');
  const name = typeof hdr === 'string' ? '' : ` '${hdr.name}'`;
  if (!body) return a.errorTok(d.tok, `unterminated .macro${name} (missing .endm)`);
  // Reading a body passes over its lines: they count, or a .rept of a .macro would read unbounded.
  if (!a.charge(body.length + 1)) return;
  if (typeof hdr === 'string') return a.errorTok(d.args[0] ?? d.tok, hdr);
  const old = a.macros.get(hdr.name);
  if (old) return a.errorTok(d.args[0], `macro '${hdr.name}' is already defined at ${old.pos.file}:${old.pos.line}`);
  a.macros.set(hdr.name, { name: hdr.name, params: hdr.params, body, pos: a.here(d.tok.col) });
}

function rept(a: Assembler, d: DirectiveCall): void {
  const frame = top(a);
  const n = d.args.length === 0 ? undefined : a.evalNow(d.args, '.rept');
  if (d.args.length === 0) a.errorTok(d.tok, '.rept expects a count');
  const body = collectBody(frame, ['.rept'], '.endr');
  if (!body) return a.errorTok(d.tok, 'unterminated .rept (missing .endr)');
  if (!a.charge(body.length + 1)) return;
  if (n === undefined) return;
  const col = d.args[0].col;
  const end = d.args[d.args.length - 1].end;
  if (n < 0) return a.error(col, end, `.rept count ${n} is negative`);
  if (n === 0) return;
  // Refused up front, before any repetition runs (docs/isa.md#limits).
  if (n * body.length > LIMITS.lines.value - a.linesRun) {
    const what = `.rept ${n} of ${body.length} line${body.length === 1 ? '' : 's'}`;
    return a.halt(col, end, `${what} would pass ${LIMITS.lines.value} lines assembled`, 'lines');
  }
  if (!a.expand(n, col, end, `.rept ${n}`)) return;
  if (body.length === 0) return;
  if (a.frames.filter((f) => f.kind === 'rept').length >= LIMITS.reptDepth.value)
    return a.halt(d.tok.col, d.tok.end, '.rept nested too deeply', 'reptDepth');
  a.frames.push({
    kind: 'rept',
    lines: body,
    repeat: n - 1,
    pos: 0,
    conds: [],
    ctx: frame.ctx,
    ctxParts: frame.ctxParts,
    mapTo: frame.mapTo,
  });
}

function exitm(a: Assembler, d: DirectiveCall): void {
  let i = a.frames.length - 1;
  while (i >= 0 && a.frames[i].kind !== 'macro') i--;
  if (i < 0) return a.errorTok(d.tok, '.exitm outside a macro');
  // Leaving a macro also leaves any .rept running inside it; their open .ifs end with them.
  a.frames.length = i;
}

function message(a: Assembler, d: DirectiveCall, severity: 'error' | 'warning'): void {
  const t = d.args[0];
  const text =
    d.args.length === 1 && t.kind === 'str' ? decode(t.bytes ?? []) : a.text.slice(d.tok.end - 1, d.codeEnd).trim();
  a.error(d.tok.col, d.tok.end, text || `${d.tok.text.slice(1)} directive`, severity);
}

function global(a: Assembler, d: DirectiveCall): void {
  const ops = splitOperands(d.args, d.codeEnd + 1);
  if (ops.length === 0) return a.errorTok(d.tok, `${d.tok.text} expects symbol names`);
  for (const op of ops) {
    if (op.toks.length !== 1 || op.toks[0].kind !== 'ident') return a.error(op.col, op.end, 'expected a symbol name');
    a.globals.set(a.scopedName(op.toks[0].text), a.here(op.col));
  }
}

function entry(a: Assembler, d: DirectiveCall): void {
  if (a.hasEntry) return a.errorTok(d.tok, 'the entry point is already set by an earlier .entry');
  if (d.args.length === 0) return a.errorTok(d.tok, '.entry expects a symbol or address');
  const e = a.parse(d.args);
  if (!e) return;
  a.hasEntry = true;
  a.emit({ kind: 'entry', size: 0, expr: e, col: d.args[0].col, end: d.args[d.args.length - 1].end });
}

const stray = (what: string, opener: string) => (a: Assembler, d: DirectiveCall) =>
  a.errorTok(d.tok, `${what} without ${opener}`);

export const DIRECTIVES: Record<string, Directive> = {
  '.equ': constant('equ', 'define a constant (once)'),
  '.set': constant('set', "define or change a symbol's value (also: name = value)"),
  '.word': data(4, '32-bit little-endian values'),
  '.long': data(4, 'same as .word'),
  '.int': data(4, 'same as .word'),
  '.half': data(2, '16-bit little-endian values'),
  '.short': data(2, 'same as .half'),
  '.hword': data(2, 'same as .half'),
  '.byte': data(1, '8-bit values'),
  '.ascii': strings(false, 'string bytes, no terminator'),
  '.asciz': strings(true, 'string bytes, each followed by a 0 byte'),
  '.string': strings(true, 'same as .asciz'),
  '.space': { syntax: 'size[, fill]', doc: 'size bytes of fill (default 0)', run: (a, d) => space(a, d, true) },
  '.skip': { syntax: 'size[, fill]', doc: 'same as .space', run: (a, d) => space(a, d, true) },
  '.zero': { syntax: 'size', doc: 'size zero bytes', run: (a, d) => space(a, d, false) },
  '.align': {
    syntax: 'n[, fill]',
    doc: 'pad to a multiple of n bytes (n a power of 2)',
    run: (a, d) => align(a, d, false),
  },
  '.balign': { syntax: 'n[, fill]', doc: 'same as .align', run: (a, d) => align(a, d, false) },
  '.p2align': { syntax: 'k[, fill]', doc: 'pad to a multiple of 2^k bytes', run: (a, d) => align(a, d, true) },
  '.org': {
    syntax: 'address',
    doc: 'move the location counter forward to address (or set the start of a fresh section)',
    run: org,
  },
  '.text': { syntax: '', doc: 'switch to section .text', run: (a) => section(a, '.text') },
  '.data': { syntax: '', doc: 'switch to section .data', run: (a) => section(a, '.data') },
  '.bss': { syntax: '', doc: 'switch to section .bss (zero-filled in the image)', run: (a) => section(a, '.bss') },
  '.section': {
    syntax: 'name',
    doc: 'switch to (or create) a section',
    run(a, d) {
      const t = d.args[0];
      if (!t || (t.kind !== 'ident' && t.kind !== 'str')) return a.errorTok(t ?? d.tok, '.section expects a name');
      section(a, t.kind === 'str' ? decode(t.bytes ?? []) : t.text);
    },
  },
  '.include': { syntax: '"file"', doc: 'assemble another file here', run: include },
  '.macro': {
    syntax: 'name [param[=default], ...]',
    doc: 'define a macro up to .endm; \\param and \\@ in its body',
    run: macro,
  },
  '.endm': { syntax: '', doc: 'end a macro definition', run: stray('.endm', '.macro') },
  '.exitm': { syntax: '', doc: 'leave the current macro expansion', run: exitm },
  '.rept': { syntax: 'count', doc: 'repeat the lines up to .endr count times', run: rept },
  '.endr': { syntax: '', doc: 'end a .rept block', run: stray('.endr', '.rept') },
  '.if': {
    syntax: 'expr',
    doc: 'assemble the following lines if expr is not zero',
    run: (a, d) => runConditional(a, top(a), d.tok.text.toLowerCase(), true),
  },
  '.elif': {
    syntax: 'expr',
    doc: 'else-if of an .if chain',
    run: (a, d) => runConditional(a, top(a), d.tok.text.toLowerCase(), true),
  },
  '.else': {
    syntax: '',
    doc: 'else branch of an .if chain',
    run: (a, d) => runConditional(a, top(a), d.tok.text.toLowerCase(), true),
  },
  '.endif': {
    syntax: '',
    doc: 'end an .if chain',
    run: (a, d) => runConditional(a, top(a), d.tok.text.toLowerCase(), true),
  },
  '.ifdef': {
    syntax: 'symbol',
    doc: 'assemble the following lines if symbol is defined here',
    run: (a, d) => runConditional(a, top(a), d.tok.text.toLowerCase(), true),
  },
  '.ifndef': {
    syntax: 'symbol',
    doc: 'assemble the following lines if symbol is not defined here',
    run: (a, d) => runConditional(a, top(a), d.tok.text.toLowerCase(), true),
  },
  '.error': { syntax: '"message"', doc: 'report an error', run: (a, d) => message(a, d, 'error') },
  '.warning': { syntax: '"message"', doc: 'report a warning', run: (a, d) => message(a, d, 'warning') },
  '.global': { syntax: 'symbol, ...', doc: 'export symbols (marked global in the symbol file)', run: global },
  '.globl': { syntax: 'symbol, ...', doc: 'same as .global', run: global },
  '.entry': { syntax: 'symbol', doc: 'set the entry point (default: _start, else the lowest address)', run: entry },
};

const CONDITIONALS = new Set(['.if', '.elif', '.else', '.endif', '.ifdef', '.ifndef']);
export const isConditional = (word: string): boolean => CONDITIONALS.has(word);

/** The condition of an .if / .elif / .ifdef / .ifndef line (false after reporting an error). */
function condition(a: Assembler, word: string): boolean {
  const { tokens, errors } = lex(a.text);
  if (errors.length > 0) {
    for (const e of errors) a.error(e.col, e.end, e.message);
    return false;
  }
  const at = tokens.findIndex((t) => t.kind === 'ident' && t.text.toLowerCase() === word);
  const tok = tokens[at];
  const args = tokens.slice(at + 1);
  if (word === '.ifdef' || word === '.ifndef') {
    if (args.length !== 1 || (args[0].kind !== 'ident' && args[0].kind !== 'localref')) {
      a.errorTok(args[0] ?? tok, `${word} expects a symbol name`);
      return false;
    }
    const defined = a.symbols.has(a.scopedName(args[0].text));
    return word === '.ifdef' ? defined : !defined;
  }
  if (args.length === 0) {
    a.errorTok(tok, `${word} expects an expression`);
    return false;
  }
  const v = a.evalNow(args, word);
  return v !== undefined && v !== 0;
}

/** Report anything after .else / .endif (only where the line is not skipped). */
function noArguments(a: Assembler, word: string): void {
  const { tokens, errors } = lex(a.text);
  if (errors.length > 0) return;
  const at = tokens.findIndex((t) => t.kind === 'ident' && t.text.toLowerCase() === word);
  const extra = tokens[at + 1];
  if (at >= 0 && extra) a.errorTok(extra, `unexpected '${extra.text}' after ${word}`);
}

/** .if/.elif/.else/.endif/.ifdef/.ifndef; `active` says whether the enclosing lines are assembled. */
export function runConditional(a: Assembler, f: Frame, word: string, active: boolean): void {
  const col = Math.max(1, a.text.toLowerCase().indexOf(word) + 1);
  const err = (m: string) => a.error(col, col + word.length, m);
  const cur = f.conds[f.conds.length - 1];
  switch (word) {
    case '.if':
    case '.ifdef':
    case '.ifndef': {
      const pos = a.here(col);
      if (f.conds.length >= LIMITS.condDepth.value)
        return a.halt(col, col + word.length, `${word} nested too deeply`, 'condDepth');
      if (!active) {
        f.conds.push({ active: false, taken: true, parentActive: false, sawElse: false, pos, directive: word });
        return;
      }
      const c = condition(a, word);
      f.conds.push({ active: c, taken: c, parentActive: true, sawElse: false, pos, directive: word });
      return;
    }
    case '.elif':
      if (!cur) return err('.elif without .if');
      if (cur.sawElse) return err('.elif after .else');
      if (!cur.parentActive) return;
      if (cur.taken) cur.active = false;
      else cur.taken = cur.active = condition(a, word);
      return;
    case '.else':
      if (!cur) return err('.else without .if');
      if (cur.sawElse) return err('.else after .else');
      if (cur.parentActive) noArguments(a, word);
      cur.sawElse = true;
      cur.active = cur.parentActive && !cur.taken;
      cur.taken = true;
      return;
    case '.endif':
      if (!cur) return err('.endif without .if');
      if (cur.parentActive) noArguments(a, word);
      f.conds.pop();
      return;
  }
}
