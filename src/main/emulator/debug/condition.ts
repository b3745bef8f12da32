/**
 * Breakpoint conditions (docs/debugger.md#breakpoints): `REG OP NUMBER`, where REG is r0..r31, an
 * ABI name (a0, sp, ...) or pc, OP one of == != < <= > >=, and NUMBER decimal, hex (0x...) or
 * negative. Comparisons are of unsigned 32-bit values (a negative number is taken modulo 2^32), so
 * `sp < 0x7000` means what it says for addresses. Parsed once when the breakpoint is set, so a typo
 * is reported then, not silently ignored at every hit.
 */
import { registerNumber } from '../../../shared/isa/registers.js';

export type CompareOp = '==' | '!=' | '<' | '<=' | '>' | '>=';

export interface Condition {
  /** 0..31, or 32 for pc. */
  reg: number;
  op: CompareOp;
  /** Unsigned 32-bit. */
  value: number;
  text: string;
}

export const PC_REG = 32;

const FORM = /^\s*([A-Za-z][A-Za-z0-9]*)\s*(==|!=|<=|>=|<|>)\s*(-?(?:0[xX][0-9a-fA-F]+|\d+))\s*$/;

/** The condition, or an error message that says what is wrong and what is expected. */
export function parseCondition(text: string): Condition | string {
  const m = FORM.exec(text);
  if (!m)
    return `condition "${text}": expected REGISTER OP NUMBER, as in "a0 == 3" or "sp < 0x7000" (OP: == != < <= > >=)`;
  const name = m[1]!.toLowerCase();
  const reg = name === 'pc' ? PC_REG : registerNumber(name);
  if (reg === undefined)
    return `condition "${text}": no register "${m[1]}" (use r0..r31, an ABI name such as a0 or sp, or pc)`;
  const neg = m[3]!.startsWith('-');
  const digits = neg ? m[3]!.slice(1) : m[3]!;
  const n = Number(digits);
  if (!Number.isSafeInteger(n) || n > 0xffffffff) return `condition "${text}": ${m[3]} does not fit in 32 bits`;
  return { reg, op: m[2] as CompareOp, value: (neg ? -n : n) >>> 0, text: text.trim() };
}

/** Whether the condition holds for these registers (r0..r31 as the CPU keeps them) and pc. */
export function holds(c: Condition, regs: ArrayLike<number>, pc: number): boolean {
  const a = (c.reg === PC_REG ? pc : regs[c.reg]!) >>> 0;
  const b = c.value;
  switch (c.op) {
    case '==':
      return a === b;
    case '!=':
      return a !== b;
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    case '>=':
      return a >= b;
  }
}
