/**
 * Expressions: parsed once in pass 1 (where label scopes and `1b`/`1f` are resolved, since they
 * depend on the position in the source) and evaluated as often as needed. All arithmetic is 32-bit
 * two's complement, as on the machine, so `0xffffffff` and `-1` are the same value.
 */
import type { Token } from './lexer.js';
import { LIMITS, limitNote } from './limits.js';

export type Expr =
  | { k: 'num'; v: number; col: number; end: number }
  | { k: 'sym'; name: string; shown: string; col: number; end: number }
  | { k: 'dot'; col: number; end: number }
  | { k: 'un'; op: string; a: Expr; col: number; end: number }
  | { k: 'bin'; op: string; a: Expr; b: Expr; opCol: number; col: number; end: number }
  | { k: 'fn'; fn: 'hi' | 'lo'; a: Expr; col: number; end: number };

export interface ExprError {
  message: string;
  col: number;
  end: number;
}

/** How the parser turns a name token into a symbol name (dot-local scoping, `1b`/`1f`). */
export interface NameResolver {
  name(tok: Token): string;
  local(tok: Token): string | ExprError;
}

/** C precedence, loosest first. */
const BINARY_LEVELS: readonly (readonly string[])[] = [
  ['||'],
  ['&&'],
  ['|'],
  ['^'],
  ['&'],
  ['==', '!='],
  ['<', '<=', '>', '>='],
  ['<<', '>>', '>>>'],
  ['+', '-'],
  ['*', '/', '%'],
];

/** Deep enough for any real program, shallow enough that garbage cannot overflow the stack. */
const MAX_DEPTH = LIMITS.expressionDepth.value;
const MAX_NODES = LIMITS.expressionSize.value;

export const num = (v: number, col = 0, end = 0): Expr => ({ k: 'num', v: v | 0, col, end });
export const hiOf = (a: Expr): Expr => ({ k: 'fn', fn: 'hi', a, col: a.col, end: a.end });
export const loOf = (a: Expr): Expr => ({ k: 'fn', fn: 'lo', a, col: a.col, end: a.end });

class Parser {
  pos = 0;
  depth = 0;
  nodes = 0;
  constructor(
    readonly toks: Token[],
    readonly resolver: NameResolver,
  ) {}

  fail(message: string, tok?: Token): never {
    const t = tok ?? this.toks[this.pos] ?? this.toks[this.toks.length - 1];
    throw new ParseFailure({ message, col: t?.col ?? 1, end: t?.end ?? 1 });
  }

  binary(level: number): Expr {
    if (level >= BINARY_LEVELS.length) return this.unary();
    let a = this.binary(level + 1);
    for (;;) {
      const t = this.toks[this.pos];
      if (!t || t.kind !== 'op' || !BINARY_LEVELS[level].includes(t.text)) return a;
      this.pos++;
      // Evaluation recurses over the tree: bound its size so no input can overflow the stack.
      if (++this.nodes > MAX_NODES) this.fail(`expression too long ${limitNote('expressionSize')}`, t);
      const b = this.binary(level + 1);
      a = { k: 'bin', op: t.text, a, b, opCol: t.col, col: a.col, end: b.end };
    }
  }

  unary(): Expr {
    const t = this.toks[this.pos];
    if (!t) return this.fail('expected an expression');
    if (++this.depth > MAX_DEPTH) this.fail(`expression nested too deeply ${limitNote('expressionDepth')}`, t);
    try {
      if (t.kind === 'op' && (t.text === '-' || t.text === '~' || t.text === '!' || t.text === '+')) {
        this.pos++;
        const a = this.unary();
        return t.text === '+' ? a : { k: 'un', op: t.text, a, col: t.col, end: a.end };
      }
      return this.primary();
    } finally {
      this.depth--;
    }
  }

  closeParen(open: Token): Token {
    const t = this.toks[this.pos];
    if (!t || t.kind !== 'op' || t.text !== ')') this.fail(`missing ')' to match '('`, open);
    this.pos++;
    return t;
  }

  primary(): Expr {
    const t = this.toks[this.pos];
    if (!t) return this.fail('expected an expression');
    switch (t.kind) {
      case 'num':
      case 'char':
        this.pos++;
        return { k: 'num', v: t.value ?? 0, col: t.col, end: t.end };
      case 'ident':
        this.pos++;
        if (t.text === '.') return { k: 'dot', col: t.col, end: t.end };
        return { k: 'sym', name: this.resolver.name(t), shown: t.text, col: t.col, end: t.end };
      case 'localref': {
        this.pos++;
        const r = this.resolver.local(t);
        if (typeof r !== 'string') throw new ParseFailure(r);
        return { k: 'sym', name: r, shown: `${t.text}${t.dir ?? ''}`, col: t.col, end: t.end };
      }
      case 'func': {
        // The lexer has already consumed the '(' after %hi / %lo.
        this.pos++;
        const a = this.binary(0);
        const close = this.closeParen(t);
        return { k: 'fn', fn: t.text === 'hi' ? 'hi' : 'lo', a, col: t.col, end: close.end };
      }
      case 'op':
        if (t.text === '(') {
          this.pos++;
          const a = this.binary(0);
          const close = this.closeParen(t);
          return { ...a, col: t.col, end: close.end };
        }
        return this.fail(`expected an expression, got '${t.text}'`);
      case 'str':
        return this.fail('a string is not allowed in an expression');
    }
  }
}

class ParseFailure {
  constructor(readonly error: ExprError) {}
}

/** Parse tokens (all of them) as one expression. */
export function parseExpr(toks: Token[], resolver: NameResolver): Expr | ExprError {
  if (toks.length === 0) return { message: 'expected an expression', col: 1, end: 1 };
  const p = new Parser(toks, resolver);
  try {
    const e = p.binary(0);
    if (p.pos < toks.length) {
      const t = toks[p.pos];
      return {
        message: t.text === ')' ? `unmatched ')'` : `unexpected '${t.text}' in expression`,
        col: t.col,
        end: t.end,
      };
    }
    return e;
  } catch (err) {
    if (err instanceof ParseFailure) return err.error;
    throw err;
  }
}

export const isExprError = (x: Expr | ExprError): x is ExprError => 'message' in x;

/** A symbol's value during evaluation; `address` marks values that depend on the layout. */
export type Lookup = { value: number; address: boolean } | { error: string };

export interface EvalEnv {
  /** `shown` is the name as written (`.loop`, `1f`) for messages; `name` is the resolved one. */
  lookup(name: string, shown: string): Lookup;
  dot(): Lookup;
}

export type EvalResult = { ok: true; value: number; address: boolean } | ({ ok: false; symbol?: string } & ExprError);

function shift(op: string, a: number, b: number): number {
  const big = b < 0 || b > 31;
  if (op === '<<') return big ? 0 : a << b;
  if (op === '>>>') return big ? 0 : (a >>> b) | 0;
  return big ? a >> 31 : a >> b;
}

/** Evaluate to an int32. Errors (undefined symbol, division by zero) come back as values. */
export function evaluate(e: Expr, env: EvalEnv): EvalResult {
  switch (e.k) {
    case 'num':
      return { ok: true, value: e.v | 0, address: false };
    case 'sym':
    case 'dot': {
      const r = e.k === 'dot' ? env.dot() : env.lookup(e.name, e.shown);
      // `symbol` marks failures of a name (or of `.`, as '.'): pass 1 treats them as forward references.
      if ('error' in r)
        return { ok: false, message: r.error, col: e.col, end: e.end, symbol: e.k === 'sym' ? e.name : '.' };
      return { ok: true, value: r.value | 0, address: r.address };
    }
    case 'un': {
      const a = evaluate(e.a, env);
      if (!a.ok) return a;
      const v = e.op === '-' ? -a.value | 0 : e.op === '~' ? ~a.value : a.value === 0 ? 1 : 0;
      return { ok: true, value: v, address: a.address };
    }
    case 'fn': {
      const a = evaluate(e.a, env);
      if (!a.ok) return a;
      const v = e.fn === 'hi' ? ((a.value + 0x8000) >>> 16) & 0xffff : (a.value << 16) >> 16;
      return { ok: true, value: v, address: a.address };
    }
    case 'bin': {
      const a = evaluate(e.a, env);
      if (!a.ok) return a;
      const b = evaluate(e.b, env);
      if (!b.ok) return b;
      const x = a.value;
      const y = b.value;
      let v: number;
      switch (e.op) {
        case '+':
          v = (x + y) | 0;
          break;
        case '-':
          v = (x - y) | 0;
          break;
        case '*':
          v = Math.imul(x, y);
          break;
        case '/':
        case '%':
          if (y === 0)
            return {
              ok: false,
              message: e.op === '/' ? 'division by zero' : 'modulo by zero',
              col: e.opCol,
              end: e.opCol + 1,
            };
          v = e.op === '/' ? (x / y) | 0 : (x % y) | 0;
          break;
        case '<<':
        case '>>':
        case '>>>':
          v = shift(e.op, x, y);
          break;
        case '&':
          v = x & y;
          break;
        case '|':
          v = x | y;
          break;
        case '^':
          v = x ^ y;
          break;
        case '==':
          v = x === y ? 1 : 0;
          break;
        case '!=':
          v = x !== y ? 1 : 0;
          break;
        case '<':
          v = x < y ? 1 : 0;
          break;
        case '<=':
          v = x <= y ? 1 : 0;
          break;
        case '>':
          v = x > y ? 1 : 0;
          break;
        case '>=':
          v = x >= y ? 1 : 0;
          break;
        case '&&':
          v = x !== 0 && y !== 0 ? 1 : 0;
          break;
        case '||':
          v = x !== 0 || y !== 0 ? 1 : 0;
          break;
        default:
          return { ok: false, message: `unknown operator '${e.op}'`, col: e.opCol, end: e.opCol + 1 };
      }
      return { ok: true, value: v, address: a.address || b.address };
    }
  }
}

/** Every symbol name an expression mentions (for dependency checks). */
export function symbolsOf(e: Expr, out: string[] = []): string[] {
  if (e.k === 'sym') out.push(e.name);
  else if (e.k === 'un' || e.k === 'fn') symbolsOf(e.a, out);
  else if (e.k === 'bin') {
    symbolsOf(e.a, out);
    symbolsOf(e.b, out);
  }
  return out;
}
