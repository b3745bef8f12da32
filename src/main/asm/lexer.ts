/**
 * The lexer: one source line to tokens with 1-based columns, so every later error can point at the
 * token it is about. Lines are independent (the assembler is line oriented), comments start at `#`
 * or `;` outside string and character literals.
 */
import { LIMITS, limitNote } from './limits.js';

export type TokenKind =
  | 'ident' // names, mnemonics, directives (`.word`), registers, and `.` itself
  | 'num' // integer literal; value holds it as int32
  | 'char' // 'a', '\n'; value holds the code
  | 'str' // "..."; bytes holds the UTF-8 bytes with escapes applied
  | 'localref' // `1b` / `1f`: text is the label number, dir says which way
  | 'func' // `%hi` / `%lo` (text is hi or lo)
  | 'op'; // punctuation and operators

export interface Token {
  kind: TokenKind;
  text: string;
  /** 1-based column of the first character. */
  col: number;
  /** 1-based column just past the last character. */
  end: number;
  value?: number;
  bytes?: number[];
  dir?: 'b' | 'f';
}

export interface LexError {
  col: number;
  end: number;
  message: string;
}

export interface LexResult {
  tokens: Token[];
  errors: LexError[];
  /** 0-based index where the code part of the line ends (start of the comment, or the length). */
  codeEnd: number;
}

const OPS3 = ['>>>'];
const OPS2 = ['<<', '>>', '<=', '>=', '==', '!=', '&&', '||'];
const OPS1 = '+-*/%&|^~!<>(),:=';

export const isIdentStart = (c: string): boolean => /[A-Za-z_.$]/.test(c);
export const isIdentChar = (c: string): boolean => /[A-Za-z0-9_.$]/.test(c);

/** Parse an integer literal's text (decimal, 0x, 0b, 0o, `_` separators) to a uint32, or an error. */
export function parseInteger(text: string): number | string {
  let digits = text;
  let radix = 10;
  const prefix = text.slice(0, 2).toLowerCase();
  if (prefix === '0x') [radix, digits] = [16, text.slice(2)];
  else if (prefix === '0b') [radix, digits] = [2, text.slice(2)];
  else if (prefix === '0o') [radix, digits] = [8, text.slice(2)];
  const clean = digits.replace(/_/g, '');
  const valid = { 16: /^[0-9a-f]+$/i, 10: /^[0-9]+$/, 8: /^[0-7]+$/, 2: /^[01]+$/ }[radix];
  if (clean === '' || !valid?.test(clean) || digits.startsWith('_')) return `invalid number '${text}'`;
  let v = 0;
  for (const ch of clean) {
    v = v * radix + parseInt(ch, radix);
    if (v > 0xffffffff) return `number '${text}' does not fit in 32 bits`;
  }
  return v;
}

const SIMPLE_ESCAPES: Record<string, number> = {
  n: 10,
  t: 9,
  r: 13,
  '0': 0,
  '\\': 92,
  '"': 34,
  "'": 39,
  a: 7,
  b: 8,
  f: 12,
  v: 11,
  e: 27,
};

/**
 * Read one character of a string or char literal at `i` (just past any opening quote): the code
 * (a byte value for escapes, a code point otherwise) and the index after it, or an error.
 */
function readChar(
  line: string,
  i: number,
): { code: number; next: number; raw: boolean } | { error: string; next: number } {
  const c = line[i];
  if (c !== '\\') {
    const cp = line.codePointAt(i) ?? 0;
    return { code: cp, next: i + (cp > 0xffff ? 2 : 1), raw: true };
  }
  const e = line[i + 1];
  if (e === undefined) return { error: 'unterminated escape sequence', next: i + 1 };
  if (e === 'x' || e === 'X') {
    const m = /^[0-9a-fA-F]{1,2}/.exec(line.slice(i + 2));
    if (!m) return { error: `bad escape '\\${e}': expected hex digits`, next: i + 2 };
    return { code: parseInt(m[0], 16), next: i + 2 + m[0].length, raw: false };
  }
  const oct = /^[0-7]{1,3}/.exec(line.slice(i + 1));
  if (oct && oct[0] !== '0') {
    const v = parseInt(oct[0], 8);
    if (v > 255) return { error: `bad escape '\\${oct[0]}': octal value above 255`, next: i + 1 + oct[0].length };
    return { code: v, next: i + 1 + oct[0].length, raw: false };
  }
  const code = SIMPLE_ESCAPES[e];
  if (code === undefined) return { error: `unknown escape sequence '\\${e}'`, next: i + 2 };
  return { code, next: i + 2, raw: false };
}

function utf8(cp: number, out: number[]): void {
  if (cp < 0x80) out.push(cp);
  else if (cp < 0x800) out.push(0xc0 | (cp >> 6), 0x80 | (cp & 63));
  else if (cp < 0x10000) out.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
  else out.push(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 63), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
}

export function lex(line: string): LexResult {
  const tokens: Token[] = [];
  const errors: LexError[] = [];
  let i = 0;
  const n = line.length;
  while (i < n) {
    const c = line[i];
    if (c === ' ' || c === '\t' || c === '\r' || c === '\f' || c === '\v') {
      i++;
      continue;
    }
    if (c === '#' || c === ';') return { tokens, errors, codeEnd: i };
    const start = i;
    if (c === '"') {
      const bytes: number[] = [];
      i++;
      let closed = false;
      let tooLong = false;
      while (i < n) {
        if (line[i] === '"') {
          closed = true;
          i++;
          break;
        }
        const r = readChar(line, i);
        if ('error' in r) errors.push({ col: i + 1, end: r.next + 1, message: r.error });
        else if (tooLong) {
          // Past the limit: read on to the closing quote, keep nothing.
        } else if (r.raw) utf8(r.code, bytes);
        else bytes.push(r.code);
        if (!tooLong && bytes.length > LIMITS.stringBytes.value) {
          tooLong = true;
          bytes.length = 0;
        }
        i = r.next;
      }
      if (tooLong)
        errors.push({
          col: start + 1,
          end: i + 1,
          message: `string longer than ${LIMITS.stringBytes.value} bytes ${limitNote('stringBytes')}`,
        });
      if (!closed) errors.push({ col: start + 1, end: n + 1, message: 'unterminated string' });
      tokens.push({ kind: 'str', text: line.slice(start, i), col: start + 1, end: i + 1, bytes });
      continue;
    }
    if (c === "'") {
      i++;
      if (i >= n || line[i] === "'") {
        errors.push({
          col: start + 1,
          end: i + 2,
          message: i >= n ? 'unterminated character literal' : 'empty character literal',
        });
        i = Math.min(n, i + 1);
        continue;
      }
      const r = readChar(line, i);
      i = r.next;
      if ('error' in r) errors.push({ col: start + 1, end: i + 1, message: r.error });
      if (line[i] !== "'") {
        // 'ab': report once and resume after the closing quote rather than lexing the rest.
        const close = line.indexOf("'", i);
        if (close < 0) errors.push({ col: start + 1, end: n + 1, message: 'unterminated character literal' });
        else errors.push({ col: start + 1, end: close + 2, message: 'a character literal holds one character' });
        i = close < 0 ? n : close + 1;
        continue;
      }
      i++;
      tokens.push({
        kind: 'char',
        text: line.slice(start, i),
        col: start + 1,
        end: i + 1,
        value: 'error' in r ? 0 : r.code,
      });
      continue;
    }
    if (/[0-9]/.test(c)) {
      while (i < n && /[A-Za-z0-9_]/.test(line[i])) i++;
      const text = line.slice(start, i);
      const local = /^([0-9]+)([bfBF])$/.exec(text);
      if (local) {
        const label = String(parseInt(local[1], 10));
        tokens.push({
          kind: 'localref',
          text: label,
          col: start + 1,
          end: i + 1,
          dir: local[2].toLowerCase() as 'b' | 'f',
        });
        continue;
      }
      const v = parseInteger(text);
      if (typeof v === 'string') errors.push({ col: start + 1, end: i + 1, message: v });
      tokens.push({ kind: 'num', text, col: start + 1, end: i + 1, value: typeof v === 'number' ? v | 0 : 0 });
      continue;
    }
    if (isIdentStart(c)) {
      while (i < n && isIdentChar(line[i])) i++;
      tokens.push({ kind: 'ident', text: line.slice(start, i), col: start + 1, end: i + 1 });
      continue;
    }
    if (c === '%') {
      const m = /^%(hi|lo)\s*\(/i.exec(line.slice(i));
      if (m) {
        i += m[0].length;
        tokens.push({ kind: 'func', text: m[1].toLowerCase(), col: start + 1, end: i + 1 });
        continue;
      }
    }
    const three = line.slice(i, i + 3);
    const two = line.slice(i, i + 2);
    const op = OPS3.includes(three) ? three : OPS2.includes(two) ? two : OPS1.includes(c) ? c : undefined;
    if (op === undefined) {
      const cp = line.codePointAt(i) ?? 0;
      const len = cp > 0xffff ? 2 : 1;
      errors.push({
        col: start + 1,
        end: start + 1 + len,
        message: `unexpected character '${line.slice(i, i + len)}'`,
      });
      i += len;
      continue;
    }
    i += op.length;
    tokens.push({ kind: 'op', text: op, col: start + 1, end: i + 1 });
  }
  return { tokens, errors, codeEnd: n };
}

/** The text of tokens[from..to) as written, for messages ("expected a register, got '5'"). */
export function tokensText(line: string, tokens: Token[], from: number, to: number): string {
  if (from >= to) return '';
  return line.slice(tokens[from].col - 1, tokens[to - 1].end - 1);
}
