/**
 * The JavaScript of one instruction's effect on registers and RAM, shared by a region's blocks and
 * the unchecked copy of a versioned loop (compile.ts, loops.ts; docs/architecture.md#block-translation).
 * The expressions are the interpreter's own (interpreter.ts), bit for bit.
 */
import { KIND as K } from '../decode.js';

export const lit = (v: number): string => (v < 0 ? `(${v})` : `${v}`);

export function isMem(k: number): boolean {
  return k >= K.lb && k <= K.sw;
}
export function isStore(k: number): boolean {
  return k >= K.sb && k <= K.sw;
}
/** Alignment mask of an access (0: bytes need none). */
export function alignOf(k: number): number {
  return k === K.lh || k === K.lhu || k === K.sh ? 1 : k === K.lw || k === K.sw ? 3 : 0;
}

/**
 * An arithmetic, logic or upper-immediate instruction (rd, operands a and c as JS expressions),
 * or undefined for any other kind. `i` is the instruction's index in the page (for auipc).
 */
export function aluJs(k: number, rd: string, a: string, c: string, imm: number, i: number): string | undefined {
  switch (k) {
    case K.add:
      return `${rd} = (${a} + ${c}) | 0;`;
    case K.sub:
      return `${rd} = (${a} - ${c}) | 0;`;
    case K.and:
      return `${rd} = ${a} & ${c};`;
    case K.or:
      return `${rd} = ${a} | ${c};`;
    case K.xor:
      return `${rd} = ${a} ^ ${c};`;
    case K.sll:
      return `${rd} = ${a} << (${c} & 31);`;
    case K.srl:
      return `${rd} = (${a} >>> (${c} & 31)) | 0;`;
    case K.sra:
      return `${rd} = ${a} >> (${c} & 31);`;
    case K.slt:
      return `${rd} = ${a} < ${c} ? 1 : 0;`;
    case K.sltu:
      return `${rd} = ${a} >>> 0 < ${c} >>> 0 ? 1 : 0;`;
    case K.mul:
      return `${rd} = Math.imul(${a}, ${c});`;
    case K.mulh:
      return `${rd} = mulh(${a}, ${c});`;
    case K.mulhu:
      return `${rd} = mulhu(${a}, ${c});`;
    case K.div:
      return `x = ${a}; y = ${c}; ${rd} = y === 0 ? -1 : x === -2147483648 && y === -1 ? x : (x / y) | 0;`;
    case K.divu:
      return `x = ${a} >>> 0; y = ${c} >>> 0; ${rd} = y === 0 ? -1 : (x / y) | 0;`;
    case K.rem:
      return `x = ${a}; y = ${c}; ${rd} = y === 0 ? x : y === -1 ? 0 : (x % y) | 0;`;
    case K.remu:
      return `x = ${a} >>> 0; y = ${c} >>> 0; ${rd} = y === 0 ? x | 0 : (x % y) | 0;`;
    case K.addi:
      return `${rd} = (${a} + ${lit(imm)}) | 0;`;
    case K.slti:
      return `${rd} = ${a} < ${lit(imm)} ? 1 : 0;`;
    case K.sltiu:
      return `${rd} = ${a} >>> 0 < ${imm >>> 0} ? 1 : 0;`;
    case K.andi:
      return `${rd} = ${a} & ${lit(imm)};`;
    case K.ori:
      return `${rd} = ${a} | ${lit(imm)};`;
    case K.xori:
      return `${rd} = ${a} ^ ${lit(imm)};`;
    case K.slli:
      return `${rd} = ${a} << ${lit(imm)};`;
    case K.srli:
      return `${rd} = (${a} >>> ${lit(imm)}) | 0;`;
    case K.srai:
      return `${rd} = ${a} >> ${lit(imm)};`;
    case K.lui:
      return `${rd} = ${lit(imm)};`;
    case K.auipc:
      return `${rd} = (pageVa + ${4 * i} + ${lit(imm)}) | 0;`;
    default:
      return undefined;
  }
}

/** A load or store at host byte address `pa` (already translated and checked). */
export function accessJs(k: number, rd: string, c: string): string {
  switch (k) {
    case K.lb:
      return `${rd} = m8[pa];`;
    case K.lh:
      return `${rd} = m16[pa >>> 1];`;
    case K.lw:
      return `${rd} = m32[pa >>> 2];`;
    case K.lbu:
      return `${rd} = mu8[pa];`;
    case K.lhu:
      return `${rd} = mu16[pa >>> 1];`;
    case K.sb:
      return `mu8[pa] = ${c};`;
    case K.sh:
      return `mu16[pa >>> 1] = ${c};`;
    default:
      return `m32[pa >>> 2] = ${c};`;
  }
}

/** A conditional branch's condition (taken when true). */
export function condJs(k: number, a: string, c: string): string {
  const op = { [K.beq]: '===', [K.bne]: '!==', [K.blt]: '<', [K.bge]: '>=', [K.bltu]: '<', [K.bgeu]: '>=' }[k];
  const u = k === K.bltu || k === K.bgeu ? ' >>> 0' : '';
  return `${a}${u} ${op} ${c}${u}`;
}
