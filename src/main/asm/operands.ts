/**
 * Operands: how each instruction's operand list is read. The shapes come from FORMAT_SYNTAX in the
 * opcode table (`rd, simm16(rs1)` and so on), parsed here once, so a new table entry or format
 * spelled with the same words needs no change in the assembler.
 */
import { CSR_BY_NAME } from '../../shared/isa/csrs.js';
import { FORMAT_SYNTAX, type Format } from '../../shared/isa/opcodes.js';
import { registerNumber } from '../../shared/isa/registers.js';
import { type Expr, type ExprError, type NameResolver, isExprError, num, parseExpr } from './expr.js';
import { type Token, tokensText } from './lexer.js';

export type RegRole = 'rd' | 'rs1' | 'rs2';

/** One operand position. `imm` is a plain immediate, `target` an absolute address the instruction
 *  reaches pc-relatively, `csr` a control register by name or number, `mem` is `imm(reg)` and
 *  `preg` is `(reg)`. */
export type SlotKind = 'reg' | 'imm' | 'target' | 'csr' | 'mem' | 'preg';

export interface Slot {
  kind: SlotKind;
  /** The register the slot fills (reg, mem base, preg). */
  role?: RegRole;
  /** How the slot is spelled in FORMAT_SYNTAX, for messages. */
  text: string;
}

const REG_ROLES: readonly string[] = ['rd', 'rs1', 'rs2'];
const IMM_WORDS: Record<string, SlotKind> = {
  simm16: 'imm',
  uimm16: 'imm',
  shamt: 'imm',
  target: 'target',
  csr: 'csr',
};

function parseSlot(item: string): Slot | undefined {
  let m = /^(\w+)$/.exec(item);
  if (m) {
    if (REG_ROLES.includes(m[1])) return { kind: 'reg', role: m[1] as RegRole, text: item };
    const kind = IMM_WORDS[m[1]];
    return kind ? { kind, text: item } : undefined;
  }
  m = /^(\w+)\((\w+)\)$/.exec(item);
  if (m && IMM_WORDS[m[1]] === 'imm' && REG_ROLES.includes(m[2]))
    return { kind: 'mem', role: m[2] as RegRole, text: item };
  m = /^\((\w+)\)$/.exec(item);
  if (m && REG_ROLES.includes(m[1])) return { kind: 'preg', role: m[1] as RegRole, text: item };
  return undefined;
}

const slotCache = new Map<Format, Slot[] | undefined>();

/** The operand slots of a format, or undefined if FORMAT_SYNTAX uses a word this file does not know. */
export function formatSlots(format: Format): Slot[] | undefined {
  if (!slotCache.has(format)) {
    const syntax = FORMAT_SYNTAX[format].trim();
    const items = syntax === '' ? [] : syntax.split(',').map((s) => s.trim());
    const slots = items.map(parseSlot);
    slotCache.set(format, slots.every((s) => s !== undefined) ? (slots as Slot[]) : undefined);
  }
  return slotCache.get(format);
}

/** One operand's tokens, as split at top-level commas. */
export interface OperandToks {
  toks: Token[];
  /** Column of the operand (or of the comma/end where an empty one was found). */
  col: number;
  end: number;
}

/** Split at commas outside parentheses. An empty operand (`a,,b`) is reported by the caller. */
export function splitOperands(toks: Token[], endCol: number): OperandToks[] {
  if (toks.length === 0) return [];
  const out: OperandToks[] = [];
  let depth = 0;
  let cur: Token[] = [];
  let startCol = toks[0].col;
  for (const t of toks) {
    if (t.kind === 'op' && t.text === ',' && depth === 0) {
      // An empty operand is reported at the comma that ends it.
      out.push({ toks: cur, col: cur[0]?.col ?? t.col, end: cur.length ? cur[cur.length - 1].end : t.end });
      cur = [];
      startCol = t.end;
      continue;
    }
    if (t.kind === 'op' && t.text === '(') depth++;
    if (t.kind === 'op' && t.text === ')') depth = Math.max(0, depth - 1);
    cur.push(t);
  }
  out.push({ toks: cur, col: cur[0]?.col ?? startCol, end: cur.length ? cur[cur.length - 1].end : endCol });
  return out;
}

export interface OperandError {
  message: string;
  col: number;
  end: number;
}

export type Parsed =
  | { kind: 'reg'; reg: number }
  | { kind: 'expr'; expr: Expr; csrName?: string }
  | { kind: 'mem'; reg: number; expr: Expr };

function regOf(op: OperandToks, line: string): number | OperandError {
  if (op.toks.length === 1 && op.toks[0].kind === 'ident') {
    const r = registerNumber(op.toks[0].text);
    if (r !== undefined) return r;
  }
  return {
    message: `expected a register, got '${tokensText(line, op.toks, 0, op.toks.length)}'`,
    col: op.col,
    end: op.end,
  };
}

const fromExprError = (e: ExprError): OperandError => ({ message: e.message, col: e.col, end: e.end });

/** Parse one operand as the slot kind says. `kind` here is the reading, not the encoding role. */
export function parseOperand(
  kind: SlotKind,
  op: OperandToks,
  line: string,
  resolver: NameResolver,
): Parsed | OperandError {
  if (op.toks.length === 0) return { message: 'missing operand', col: op.col, end: op.end };
  switch (kind) {
    case 'reg': {
      const r = regOf(op, line);
      return typeof r === 'number' ? { kind: 'reg', reg: r } : r;
    }
    case 'imm':
    case 'target': {
      if (op.toks.length === 1 && op.toks[0].kind === 'ident' && registerNumber(op.toks[0].text) !== undefined) {
        return {
          message: `expected ${kind === 'imm' ? 'an immediate' : 'a target address'}, got register '${op.toks[0].text}'`,
          col: op.col,
          end: op.end,
        };
      }
      const e = parseExpr(op.toks, resolver);
      return isExprError(e) ? fromExprError(e) : { kind: 'expr', expr: e };
    }
    case 'csr': {
      const t = op.toks[0];
      if (op.toks.length === 1 && t.kind === 'ident') {
        const c = CSR_BY_NAME.get(t.text.toLowerCase());
        if (c) return { kind: 'expr', expr: num(c.number, t.col, t.end) };
        if (registerNumber(t.text) !== undefined) {
          return { message: `expected a control register, got register '${t.text}'`, col: op.col, end: op.end };
        }
        const e = parseExpr(op.toks, resolver);
        return isExprError(e) ? fromExprError(e) : { kind: 'expr', expr: e, csrName: t.text };
      }
      const e = parseExpr(op.toks, resolver);
      return isExprError(e) ? fromExprError(e) : { kind: 'expr', expr: e };
    }
    case 'preg':
    case 'mem': {
      // The register is the parenthesised group at the very end: `8(sp)`, `%lo(x)(t0)`, `(sp)`.
      const n = op.toks.length;
      const last = op.toks[n - 1];
      const shape = kind === 'mem' ? "'offset(register)'" : "'(register)'";
      const got = tokensText(line, op.toks, 0, n);
      if (n < 3 || last.text !== ')' || op.toks[n - 3].text !== '(' || op.toks[n - 3].kind !== 'op') {
        return { message: `expected ${shape}, got '${got}'`, col: op.col, end: op.end };
      }
      const regTok = op.toks[n - 2];
      const r = regOf({ toks: [regTok], col: regTok.col, end: regTok.end }, line);
      if (typeof r !== 'number') return r;
      if (kind === 'preg') {
        if (n !== 3) return { message: `expected ${shape}, got '${got}'`, col: op.col, end: op.end };
        return { kind: 'reg', reg: r };
      }
      if (n === 3) return { kind: 'mem', reg: r, expr: num(0, op.col, op.col) };
      const e = parseExpr(op.toks.slice(0, n - 3), resolver);
      return isExprError(e) ? fromExprError(e) : { kind: 'mem', reg: r, expr: e };
    }
  }
}
