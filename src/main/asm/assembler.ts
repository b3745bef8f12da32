/**
 * Pass 1 of the assembler: reads lines from the frame stack (files, macro expansions, .rept
 * bodies), handles conditionals, defines labels and constants, and records every statement with its
 * section and offset. Sizes are final here; pass 2 (output.ts) only evaluates and encodes the
 * recorded statements, so the two passes cannot disagree about where anything is.
 */
import type { OpcodeInfo } from '../../shared/isa/opcodes.js';
import { registerNumber } from '../../shared/isa/registers.js';
import { DIRECTIVES, isConditional, runConditional } from './directives.js';
import { DiagnosticSink, didYouMean } from './diagnostics.js';
import { instruction } from './instructions.js';
import {
  type EvalEnv,
  type EvalResult,
  type Expr,
  type NameResolver,
  evaluate,
  isExprError,
  parseExpr,
} from './expr.js';
import { type Token, lex } from './lexer.js';
import { LIMITS, type LimitName, limitNote } from './limits.js';
import {
  type Frame,
  type MacroDef,
  type SourceLine,
  bindArgs,
  directiveWord,
  expansionContext,
  substitute,
} from './macros.js';
import { type Section, type SrcPos, type SymbolInfo, labelValue, localLabelName, newSection } from './symbols.js';

export interface AsmOptions {
  filename?: string;
  /** Reads an `.include`d file; `path` as written, resolved by the caller relative to `fromFile`. */
  readFile?: (path: string, fromFile: string) => string | undefined;
  /** Constants defined before the first line (usable in .if / .ifdef). */
  defines?: Record<string, number>;
}

/** Where the line being assembled comes from. */
export interface LinePos {
  file: string;
  line: number;
  /** "in expansion of macro ..." chain, or ''. */
  ctx: string;
  /** The line the debugger shows for code from this line (a macro call site for expansions). */
  mapFile: string;
  mapLine: number;
}

interface RecBase {
  section: Section;
  offset: number;
  /** Offset of the statement (what `.` means); differs from offset inside multi-word pseudos. */
  dot: number;
  size: number;
  pos: LinePos;
}

export type Rec = RecBase &
  (
    | {
        kind: 'inst';
        info: OpcodeInfo;
        rd: number;
        rs1: number;
        rs2: number;
        imm?: Expr;
        target: boolean;
        csrName?: string;
      }
    | { kind: 'data'; unit: 1 | 2 | 4; exprs: Expr[] }
    | { kind: 'bytes'; bytes: number[] }
    | { kind: 'fill'; value: number; pad: boolean }
    | { kind: 'assign'; sym: SymbolInfo; expr: Expr }
    | { kind: 'entry'; expr: Expr; col: number; end: number }
  );

/** A listing row: one assembled source line. */
export interface Row {
  pos: LinePos;
  text: string;
  /** Macro nesting depth (0 for lines of files). */
  depth: number;
  recs: Rec[];
  /** Location counter when the line was read (the address a label on it gets). */
  section: Section;
  offset: number;
}

/** Limits that keep hostile input (runaway .rept, recursive macros) from hanging the assembler (limits.ts). */
export const MAX_MACRO_DEPTH = LIMITS.macroDepth.value;
export const MAX_LINES = LIMITS.lines.value;

export class Assembler {
  readonly sink = new DiagnosticSink();
  readonly sections: Section[] = [];
  sec: Section;
  readonly symbols = new Map<string, SymbolInfo>();
  readonly macros = new Map<string, MacroDef>();
  readonly frames: Frame[] = [];
  readonly records: Rec[] = [];
  readonly rows: Row[] = [];
  /** Names exported with .global (they may be defined later), with where. */
  readonly globals = new Map<string, SrcPos & { ctx: string }>();
  pos: LinePos;
  text = '';
  /** The last non-local label: the scope of `.name` labels. */
  scope = '';
  readonly localCounts = new Map<string, number>();
  /** Macro expansions so far (the value of `\@`). */
  expansions = 0;
  /** Lines read so far, and .rept repetitions plus macro expansions so far (docs/isa.md#limits). */
  linesRun = 0;
  expanded = 0;
  /** Bytes emitted so far, in all sections. */
  output = 0;
  /** Set when a limit stops the run: nothing more is read. */
  halted = false;
  /** Files in the order they were first read (diagnostics are sorted by it). */
  readonly fileOrder = new Map<string, number>();
  row: Row | undefined;
  hasEntry = false;

  readonly resolver: NameResolver = {
    name: (t) => this.scopedName(t.text),
    local: (t) => {
      const k = this.localCounts.get(t.text) ?? 0;
      if (t.dir === 'f') return localLabelName(t.text, k);
      if (k === 0) return { message: `no local label '${t.text}:' before this '${t.text}b'`, col: t.col, end: t.end };
      return localLabelName(t.text, k - 1);
    },
  };

  constructor(
    readonly opts: AsmOptions,
    readonly filename: string,
  ) {
    this.pos = { file: filename, line: 0, ctx: '', mapFile: filename, mapLine: 0 };
    this.sec = newSection('.text', { file: filename, line: 1, col: 1 }, true);
    this.sections.push(this.sec);
    for (const [name, value] of Object.entries(opts.defines ?? {})) {
      const v = Number.isFinite(value) ? Math.trunc(value) | 0 : 0;
      const pos = { file: '<defines>', line: 0, col: 0 };
      this.symbols.set(name, { name, kind: 'equ', value: v, address: false, pos, global: false, hidden: false });
    }
  }

  scopedName(name: string): string {
    return name.startsWith('.') && name.length > 1 ? this.scope + name : name;
  }

  // ---- diagnostics -------------------------------------------------------------------------------

  private withCtx(message: string, ctx: string): string {
    return ctx ? `${message} (${ctx})` : message;
  }

  error(col: number, end: number, message: string, severity: 'error' | 'warning' = 'error'): void {
    const p = this.pos;
    this.sink.add({ file: p.file, line: p.line, col, endCol: end, severity, message: this.withCtx(message, p.ctx) });
  }

  errorTok(t: Token | undefined, message: string): void {
    if (t) this.error(t.col, t.end, message);
    else this.error(1, this.text.length + 1, message);
  }

  /** An error on a recorded statement (pass 2), at its own line. */
  errorIn(p: LinePos, col: number, end: number, message: string): void {
    this.sink.add({
      file: p.file,
      line: p.line,
      col,
      endCol: end,
      severity: 'error',
      message: this.withCtx(message, p.ctx),
    });
  }

  errorAt(p: SrcPos & { ctx?: string }, message: string): void {
    this.sink.add({
      file: p.file,
      line: p.line,
      col: p.col,
      severity: 'error',
      message: this.withCtx(message, p.ctx ?? ''),
    });
  }

  here(col = 1): SrcPos & { ctx: string } {
    return { file: this.pos.file, line: this.pos.line, col, ctx: this.pos.ctx };
  }

  // ---- expressions in pass 1 -----------------------------------------------------------------------

  /** Values as known at this point of pass 1 (labels only in sections whose start is known). */
  pass1Env(): EvalEnv {
    const sec = this.sec;
    const dot = sec.lc;
    return {
      dot: () =>
        sec.fixed && sec.start !== undefined
          ? { value: (sec.start + dot) | 0, address: true }
          : { error: `the value of '.' is not known yet in section '${sec.name}' (its start is decided after pass 1)` },
      lookup: (name, shown) => {
        const s = this.symbols.get(name);
        if (!s) return { error: `undefined symbol '${shown}' (it must be defined before this line)` };
        if (s.kind === 'label') {
          const v = s.section?.fixed ? labelValue(s) : undefined;
          if (v === undefined)
            return { error: `the address of '${shown}' is not known yet (its section is placed after pass 1)` };
          return { value: v, address: true };
        }
        if (s.value === undefined) return { error: `the value of '${shown}' is not known yet` };
        return { value: s.value, address: s.address };
      },
    };
  }

  parse(toks: Token[]): Expr | undefined {
    const e = parseExpr(toks, this.resolver);
    if (isExprError(e)) {
      this.error(e.col, e.end, e.message);
      return undefined;
    }
    return e;
  }

  /** Evaluate now (pass 1), reporting failures; for directives whose value shapes the layout. */
  evalNow(toks: Token[], what: string): number | undefined {
    const e = this.parse(toks);
    if (!e) return undefined;
    const r = evaluate(e, this.pass1Env());
    if (!r.ok) {
      this.error(r.col, r.end, r.symbol !== undefined ? `${what}: ${r.message}` : r.message);
      return undefined;
    }
    return r.value;
  }

  /** A constant's value if it is already known and does not depend on the layout (for `li`). */
  knownConstant(e: Expr): number | undefined {
    const r: EvalResult = evaluate(e, this.pass1Env());
    return r.ok && !r.address ? r.value : undefined;
  }

  // ---- emission --------------------------------------------------------------------------------

  /** Absolute address of the location counter when known in pass 1. */
  absLc(): number | undefined {
    return this.sec.fixed && this.sec.start !== undefined ? this.sec.start + this.sec.lc : undefined;
  }

  /** Record a statement at the location counter and advance it by its size. */
  emit(
    rec: Omit<RecBase, 'section' | 'offset' | 'dot' | 'pos'> & Partial<Pick<RecBase, 'dot'>> & Record<string, unknown>,
  ): boolean {
    const sec = this.sec;
    const size = rec.size;
    const base = sec.fixed && sec.start !== undefined ? sec.start : 0;
    if (base + sec.lc + size > 0x1_0000_0000) {
      this.error(
        1,
        this.text.length + 1,
        `location counter passes the end of the 32-bit address space in section '${sec.name}'`,
      );
      return false;
    }
    if (size > 0 && this.output + size > LIMITS.output.value) {
      this.halt(
        1,
        this.text.length + 1,
        `the program's output passes ${LIMITS.output.value} bytes (${this.output} so far, this line adds ${size})`,
        'output',
      );
      return false;
    }
    this.output += size;
    const full = rec as unknown as Rec;
    full.section = sec;
    full.offset = sec.lc;
    full.dot = rec.dot ?? sec.lc;
    full.pos = this.pos;
    if (size > 0) {
      sec.started = true;
      sec.minEmit = Math.min(sec.minEmit, sec.lc);
      sec.lc += size;
      sec.maxEmit = Math.max(sec.maxEmit, sec.lc);
      sec.size = Math.max(sec.size, sec.lc);
    }
    this.records.push(full);
    this.row?.recs.push(full);
    return true;
  }

  // ---- symbols -------------------------------------------------------------------------------------

  private where(s: SymbolInfo): string {
    return s.pos.line > 0 ? `${s.pos.file}:${s.pos.line}` : s.pos.file;
  }

  defineLabel(t: Token): void {
    let name: string;
    let hidden = false;
    if (t.kind === 'num') {
      if (!/^[0-9]+$/.test(t.text)) return this.errorTok(t, `a local label must be a decimal number, got '${t.text}'`);
      const n = String(parseInt(t.text, 10));
      const k = this.localCounts.get(n) ?? 0;
      this.localCounts.set(n, k + 1);
      name = localLabelName(n, k);
      hidden = true;
    } else {
      if (t.text === '.') return this.errorTok(t, `'.' cannot be a label`);
      if (registerNumber(t.text) !== undefined)
        return this.errorTok(t, `'${t.text}' is a register name and cannot be a label`);
      name = this.scopedName(t.text);
      if (!t.text.startsWith('.')) this.scope = t.text;
    }
    const old = this.symbols.get(name);
    if (old) return this.errorTok(t, `duplicate label '${name}' (first defined at ${this.where(old)})`);
    this.sec.started = true;
    this.symbols.set(name, {
      name,
      kind: 'label',
      section: this.sec,
      offset: this.sec.lc,
      address: true,
      pos: this.here(t.col),
      global: false,
      hidden,
    });
  }

  /** `.equ name, expr` (kind equ: once) or `name = expr` / `.set` (kind set: may change). */
  defineConstant(nameTok: Token, exprToks: Token[], kind: 'equ' | 'set'): void {
    if (nameTok.kind !== 'ident' || nameTok.text === '.')
      return this.errorTok(nameTok, `expected a symbol name, got '${nameTok.text}'`);
    if (registerNumber(nameTok.text) !== undefined)
      return this.errorTok(nameTok, `'${nameTok.text}' is a register name and cannot be a symbol`);
    const e = this.parse(exprToks);
    if (!e) return;
    const name = this.scopedName(nameTok.text);
    let sym = this.symbols.get(name);
    if (sym && !(kind === 'set' && sym.kind === 'set')) {
      const what = sym.kind === 'label' ? 'a label' : 'a constant';
      const hint = sym.kind === 'set' || kind === 'set' ? '' : "; use '=' or .set for a symbol that changes";
      return this.errorTok(nameTok, `symbol '${name}' is already defined as ${what} at ${this.where(sym)}${hint}`);
    }
    if (!sym) {
      sym = { name, kind, address: false, pos: this.here(nameTok.col), global: false, hidden: false };
      this.symbols.set(name, sym);
    }
    const r = evaluate(e, this.pass1Env());
    if (r.ok) {
      sym.value = r.value;
      sym.address = r.address;
      sym.pending = undefined;
    } else if (r.symbol !== undefined) {
      // A forward reference: known after layout; pass 2 evaluates (and reports) it at this point.
      sym.value = undefined;
      sym.pending = { expr: e, section: this.sec, offset: this.sec.lc };
    } else {
      this.error(r.col, r.end, r.message);
      return;
    }
    this.emit({ kind: 'assign', size: 0, sym, expr: e });
  }

  // ---- the line loop -------------------------------------------------------------------------------

  /** Pass 1 over the lines of the top-level file. */
  run(lines: { text: string; file: string; line: number }[]): void {
    this.noteFile(this.filename);
    this.frames.push({ kind: 'file', lines, pos: 0, conds: [], ctx: '' });
    while (this.frames.length > 0 && !this.sink.full && !this.halted) {
      const f = this.frames[this.frames.length - 1];
      if (f.pos >= f.lines.length) {
        // A .rept runs its one copy of the body again (never a copy per repetition: docs/isa.md#limits).
        if (f.repeat !== undefined && f.repeat > 0) {
          f.repeat--;
          f.pos = 0;
          continue;
        }
        this.closeFrame(f);
        this.frames.pop();
        continue;
      }
      const sl = f.lines[f.pos++];
      const ctx = f.ctx;
      const map = f.mapTo ?? { file: sl.file, line: sl.line };
      this.pos = { file: sl.file, line: sl.line, ctx, mapFile: map.file, mapLine: map.line };
      this.text = sl.text;
      this.row = undefined;
      if (!this.charge(1)) break;
      if (sl.text.length > LIMITS.lineLength.value) {
        this.error(
          LIMITS.lineLength.value + 1,
          sl.text.length + 1,
          `line is ${sl.text.length} characters long ${limitNote('lineLength')}`,
        );
        continue;
      }
      this.line(f);
    }
  }

  /** Count `n` lines read (or passed over while collecting a body) against the limit; false once over. */
  charge(n: number): boolean {
    this.linesRun += n;
    if (this.linesRun <= MAX_LINES) return true;
    this.halt(1, 1, `more than ${MAX_LINES} lines assembled (a runaway .rept or macro expansion?)`, 'lines');
    return false;
  }

  /** Count `n` repetitions or expansions against the limit; false (reported) when they would pass it. */
  expand(n: number, col: number, end: number, what: string): boolean {
    if (this.expanded + n <= LIMITS.expansions.value) {
      this.expanded += n;
      return true;
    }
    this.halt(
      col,
      end,
      `${what} would pass ${LIMITS.expansions.value} expansions in all (${this.expanded} so far)`,
      'expansions',
    );
    return false;
  }

  /** Report a limit reached at the current line and stop reading: what follows would only add echoes. */
  halt(col: number, end: number, message: string, which: LimitName): void {
    this.error(col, end, `${message} ${limitNote(which)}`);
    this.halted = true;
  }

  noteFile(file: string): void {
    if (!this.fileOrder.has(file)) this.fileOrder.set(file, this.fileOrder.size);
  }

  /** Report .if blocks left open when a file, macro body or .rept body ends. */
  closeFrame(f: Frame): void {
    for (const c of f.conds) this.errorAt({ ...c.pos, ctx: f.ctx }, `unterminated ${c.directive} (missing .endif)`);
    f.conds.length = 0;
  }

  /** Nesting depth of macro expansions on the stack (for the listing and the recursion limit). */
  macroDepth(): number {
    return this.frames.filter((f) => f.kind === 'macro').length;
  }

  private line(f: Frame): void {
    const word = directiveWord(this.text);
    const top = f.conds[f.conds.length - 1];
    const active = !top || top.active;
    if (word !== undefined && isConditional(word)) {
      this.addRow();
      runConditional(this, f, word, active);
      return;
    }
    if (!active) return;
    this.addRow();
    const { tokens, errors, codeEnd } = lex(this.text);
    if (errors.length > 0) {
      for (const e of errors) this.error(e.col, e.end, e.message);
      return;
    }
    let i = 0;
    // Labels: `name:` and `1:`, several per line.
    while (
      i + 1 < tokens.length &&
      tokens[i + 1].text === ':' &&
      tokens[i + 1].kind === 'op' &&
      (tokens[i].kind === 'ident' || tokens[i].kind === 'num')
    ) {
      this.defineLabel(tokens[i]);
      i += 2;
    }
    if (i >= tokens.length) return;
    const t = tokens[i];
    const next = tokens[i + 1];
    if (t.kind === 'ident' && next?.kind === 'op' && next.text === '=') {
      if (t.text === '.') return DIRECTIVES['.org'].run(this, { tok: t, args: tokens.slice(i + 2), codeEnd });
      return this.defineConstant(t, tokens.slice(i + 2), 'set');
    }
    if (t.kind !== 'ident') return this.errorTok(t, `expected a label, directive or instruction, got '${t.text}'`);
    const lower = t.text.toLowerCase();
    const macro = this.macros.get(lower);
    if (macro) return this.expandMacro(macro, t, codeEnd);
    if (lower.startsWith('.') && lower.length > 1) {
      const d = DIRECTIVES[lower];
      if (!d) return this.errorTok(t, `unknown directive '${t.text}'${didYouMean(lower, Object.keys(DIRECTIVES))}`);
      return d.run(this, { tok: t, args: tokens.slice(i + 1), codeEnd });
    }
    instruction(this, t, tokens.slice(i + 1), codeEnd);
  }

  private addRow(): void {
    this.row = {
      pos: this.pos,
      text: this.text,
      depth: this.macroDepth(),
      recs: [],
      section: this.sec,
      offset: this.sec.lc,
    };
    this.rows.push(this.row);
  }

  private expandMacro(def: MacroDef, t: Token, codeEnd: number): void {
    const depth = this.macroDepth();
    if (depth >= MAX_MACRO_DEPTH) {
      return this.errorTok(
        t,
        `macro expansion nested too deeply: does macro '${def.name}' call itself? ${limitNote('macroDepth')}`,
      );
    }
    const values = bindArgs(def, this.text.slice(t.end - 1, codeEnd));
    if (typeof values === 'string') return this.errorTok(t, values);
    if (!this.expand(1, t.col, t.end, `expanding macro '${def.name}'`)) return;
    const counter = this.expansions++;
    const here = `in expansion of macro '${def.name}' at ${this.pos.file}:${this.pos.line}`;
    const lines: SourceLine[] = [];
    for (const sl of def.body) {
      // Substitution can multiply a line's length (`\a` many times): bounded, checked per line.
      const text = substitute(sl.text, values, counter, LIMITS.lineLength.value);
      if (text === undefined) {
        return this.errorTok(
          t,
          `expanding macro '${def.name}' makes line ${sl.file}:${sl.line} longer than ${LIMITS.lineLength.value} characters ${limitNote('lineLength')}`,
        );
      }
      lines.push({ ...sl, text });
    }
    const outer = this.frames[this.frames.length - 1];
    const parts = [here, ...(outer.ctxParts ?? [])];
    this.frames.push({
      kind: 'macro',
      lines,
      pos: 0,
      conds: [],
      ctx: expansionContext(parts),
      ctxParts: parts,
      mapTo: { file: this.pos.mapFile, line: this.pos.mapLine },
      macro: def.name,
    });
  }
}
