/**
 * Pass 2: lay the sections out, resolve constants that referred forward, then evaluate and encode
 * every statement pass 1 recorded, writing the flat image. Encoding goes through encode() and
 * checkOperands() from the shared ISA code, so the bit layout lives in one place.
 */
import { CSRS } from '../../shared/isa/csrs.js';
import { checkOperands, encode, immediateRange } from '../../shared/isa/encoding.js';
import type { Assembler, Rec } from './assembler.js';
import { didYouMean } from './diagnostics.js';
import { type EvalEnv, evaluate, symbolsOf } from './expr.js';
import { LIMITS, limitNote } from './limits.js';
import { type SymbolInfo, labelValue, layoutSections } from './symbols.js';

/** Largest image we build: a flat binary past this is almost surely a stray `.org`. */
export const MAX_IMAGE = LIMITS.output.value;

export interface Image {
  bytes: Uint8Array;
  base: number;
  /** False when layout failed and no bytes were written. */
  built: boolean;
  entry: number;
  /** Final value of every named symbol. */
  values: Map<SymbolInfo, number>;
}

const hex = (n: number) => `0x${(n >>> 0).toString(16)}`;

/** The message for a name that has no definition, with a suggestion when one is close. */
function undefinedMessage(name: string, shown: string, candidates: () => string[]): string {
  const sep = name.indexOf('\u0001');
  if (sep >= 0) return `local label '${name.slice(0, sep)}:' is not defined after this point (for '${shown}')`;
  let hint = didYouMean(name, candidates());
  // A dot-local suggestion reads best the way the user writes it.
  const scope = name.slice(0, name.length - shown.length);
  if (shown.startsWith('.') && scope && hint.includes(`'${scope}.`)) hint = hint.replace(`'${scope}.`, `'.`);
  return `undefined symbol '${shown}'${hint}`;
}

/** Values for pass 2 (and for resolving forward constants): everything is placed by now. */
function makeEnv(a: Assembler, setValues: Map<SymbolInfo, number>, dotOf: () => number): EvalEnv {
  let names: string[] | undefined;
  const candidates = () => (names ??= [...a.symbols.values()].filter((s) => !s.hidden).map((s) => s.name));
  return {
    dot: () => ({ value: dotOf() | 0, address: true }),
    lookup: (name, shown) => {
      const s = a.symbols.get(name);
      if (!s) return { error: undefinedMessage(name, shown, candidates) };
      if (s.kind === 'label') {
        const v = labelValue(s);
        return v === undefined
          ? { error: `internal error: label '${shown}' was not placed` }
          : { value: v, address: true };
      }
      const v = setValues.get(s) ?? s.value;
      if (v === undefined) return { error: `symbol '${shown}' has no value (circular or failed definition)` };
      return { value: v, address: s.address };
    },
  };
}

/**
 * Constants whose definitions referred forward. A worklist, not rounds until nothing changes: a
 * chain of 100,000 constants each naming the one before would take 100,000 rounds of 100,000
 * evaluations. Each constant is tried once, and again only when a constant it names has resolved.
 */
function resolvePending(a: Assembler): void {
  const pending = [...a.symbols.values()].filter((s) => s.pending);
  const waiting = new Map<string, SymbolInfo[]>();
  for (const s of pending) {
    for (const name of new Set(symbolsOf(s.pending!.expr))) {
      const list = waiting.get(name);
      if (list) list.push(s);
      else waiting.set(name, [s]);
    }
  }
  const work = pending.slice().reverse();
  while (work.length > 0) {
    const s = work.pop()!;
    const p = s.pending;
    if (!p) continue;
    const r = evaluate(
      p.expr,
      makeEnv(a, new Map(), () => (p.section.start ?? 0) + p.offset),
    );
    if (!r.ok) continue;
    s.value = r.value;
    s.address = r.address;
    s.pending = undefined;
    for (const next of waiting.get(s.name) ?? []) if (next.pending) work.push(next);
  }
}

export function pass2(a: Assembler): Image {
  const layoutErrors = layoutSections(a.sections);
  for (const e of layoutErrors) a.errorAt(e.pos, e.message);
  const layoutOk = layoutErrors.length === 0;
  resolvePending(a);

  let base = Infinity;
  let end = -Infinity;
  for (const s of a.sections) {
    if (s.maxEmit <= s.minEmit) continue;
    base = Math.min(base, s.start! + s.minEmit);
    end = Math.max(end, s.start! + s.maxEmit);
  }
  if (base === Infinity) [base, end] = [0, 0];
  let built = layoutOk;
  if (end - base > MAX_IMAGE) {
    const first = a.sections.find((s) => s.maxEmit > s.minEmit)!;
    a.errorAt(
      first.pos,
      `image too large: ${end - base} bytes from ${hex(base)} to ${hex(end)}; check the .org addresses ${limitNote('output')}`,
    );
    built = false;
  }
  const bytes = new Uint8Array(built ? end - base : 0);

  const setValues = new Map<SymbolInfo, number>();
  let rec: Rec | undefined;
  const env = makeEnv(a, setValues, () => rec!.section.start! + rec!.dot);
  let entry: number | undefined;
  const put = (addr: number, b: number) => {
    const i = addr - base;
    if (built && i >= 0 && i < bytes.length) bytes[i] = b & 0xff;
  };
  // The words of one pseudo-instruction share their operands: report a bad operand once.
  let failedStmt: { pos: unknown; dot: number } | undefined;
  for (rec of a.records) {
    if (a.sink.full) break;
    if (rec.kind === 'inst' && failedStmt && failedStmt.pos === rec.pos && failedStmt.dot === rec.dot) continue;
    const errorsBefore = a.sink.errors;
    const addr = rec.section.start! + rec.offset;
    switch (rec.kind) {
      case 'assign': {
        const r = evaluate(rec.expr, env);
        if (!r.ok) {
          a.errorIn(rec.pos, r.col, r.end, r.message);
          break;
        }
        if (rec.sym.kind === 'set') setValues.set(rec.sym, r.value);
        else {
          rec.sym.value = r.value;
          rec.sym.address = r.address;
        }
        break;
      }
      case 'entry': {
        const r = evaluate(rec.expr, env);
        if (!r.ok) a.errorIn(rec.pos, r.col, r.end, r.message);
        else entry = r.value >>> 0;
        break;
      }
      case 'bytes':
        rec.bytes.forEach((b, i) => put(addr + i, b));
        break;
      case 'fill':
        if (rec.value !== 0) for (let i = 0; i < rec.size; i++) put(addr + i, rec.value);
        break;
      case 'data': {
        const [min, max] =
          rec.unit === 1 ? [-0x80, 0xff] : rec.unit === 2 ? [-0x8000, 0xffff] : [-0x80000000, 0xffffffff];
        const name = rec.unit === 1 ? '.byte' : rec.unit === 2 ? '.half' : '.word';
        const { unit, pos } = rec;
        rec.exprs.forEach((e, k) => {
          const r = evaluate(e, env);
          if (!r.ok) return a.errorIn(pos, r.col, r.end, r.message);
          if (r.value < min || r.value > max)
            return a.errorIn(pos, e.col, e.end, `value ${r.value} out of range ${min}..${max} for ${name}`);
          for (let i = 0; i < unit; i++) put(addr + k * unit + i, r.value >>> (8 * i));
        });
        break;
      }
      case 'inst': {
        const ops = { rd: rec.rd, rs1: rec.rs1, rs2: rec.rs2, imm: 0 };
        let target = 0;
        if (rec.imm) {
          const r = evaluate(rec.imm, env);
          if (!r.ok) {
            const unknownCsr = rec.csrName !== undefined && r.symbol !== undefined && !a.symbols.has(r.symbol);
            const msg = unknownCsr
              ? `unknown control register '${rec.csrName}'${didYouMean(
                  rec.csrName!.toLowerCase(),
                  CSRS.map((c) => c.name),
                )}`
              : r.message;
            a.errorIn(rec.pos, r.col, r.end, msg);
            break;
          }
          target = r.value;
          ops.imm = rec.target ? (r.value - addr) | 0 : r.value;
        }
        const problem = checkOperands(rec.info, ops);
        if (problem) {
          const col = rec.imm?.col ?? 1;
          const endCol = rec.imm?.end ?? 1;
          const range = immediateRange(rec.info.format);
          if (rec.target && range && ops.imm % range.scale === 0) {
            const kind = rec.info.group === 'branch' ? 'branch' : 'jump';
            a.errorIn(
              rec.pos,
              col,
              endCol,
              `${kind} target out of range (offset ${ops.imm}, range ${range.min}..${range.max})`,
            );
          } else if (rec.target && range) {
            a.errorIn(
              rec.pos,
              col,
              endCol,
              `${rec.info.group === 'branch' ? 'branch' : 'jump'} target ${hex(target)} is not 4-byte aligned (offset ${ops.imm})`,
            );
          } else a.errorIn(rec.pos, col, endCol, problem);
          break;
        }
        const w = encode(rec.info, ops);
        for (let i = 0; i < 4; i++) put(addr + i, w >>> (8 * i));
        break;
      }
    }
    if (a.sink.errors > errorsBefore) failedStmt = { pos: rec.pos, dot: rec.dot };
  }

  for (const [name, pos] of a.globals) {
    if (!a.symbols.has(name)) {
      a.sink.add({
        file: pos.file,
        line: pos.line,
        col: pos.col,
        severity: 'warning',
        message: `.global symbol '${name}' is never defined`,
      });
    }
  }

  const values = new Map<SymbolInfo, number>();
  for (const s of a.symbols.values()) {
    const v = s.kind === 'label' ? labelValue(s) : (setValues.get(s) ?? s.value);
    if (v !== undefined) values.set(s, v >>> 0);
  }
  if (entry === undefined) {
    const start = a.symbols.get('_start');
    entry = start && values.has(start) ? values.get(start)! : base >>> 0;
  }
  return { bytes, base: base >>> 0, built, entry, values };
}
