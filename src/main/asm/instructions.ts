/**
 * Instruction lines: operands read per the format's slots (operands.ts), pseudo-instructions
 * expanded (pseudo.ts), and one recorded statement per real instruction word. Nothing here knows a
 * mnemonic: real instructions come from OPCODE_BY_MNEMONIC, so a new table entry needs no change.
 */
import { OPCODE_BY_MNEMONIC } from '../../shared/isa/opcodes.js';
import type { Assembler } from './assembler.js';
import { didYouMean } from './diagnostics.js';
import type { Expr } from './expr.js';
import type { Token } from './lexer.js';
import { type OperandToks, type Parsed, type SlotKind, formatSlots, parseOperand, splitOperands } from './operands.js';
import { PSEUDO_BY_NAME, PSEUDOS, type PseudoArgs, type RealInst } from './pseudo.js';

function checkAligned(a: Assembler, t: Token): void {
  const abs = a.absLc();
  const at = abs ?? a.sec.lc;
  if (at % 4 !== 0) {
    const where =
      abs !== undefined ? `address 0x${(abs >>> 0).toString(16)}` : `offset ${at} of section '${a.sec.name}'`;
    a.errorTok(t, `instruction at unaligned ${where}: instructions must be 4-byte aligned (use .align 4)`);
  }
}

/** An instruction line: a real instruction of the table when the operand count fits its format,
 *  else a pseudo-instruction of that name and count. */
export function instruction(a: Assembler, t: Token, toks: Token[], codeEnd: number): void {
  const mn = t.text.toLowerCase();
  const info = OPCODE_BY_MNEMONIC.get(mn);
  const ops = splitOperands(toks, codeEnd + 1);
  const empty = ops.find((o) => o.toks.length === 0);
  if (empty) return a.error(empty.col, empty.end, 'missing operand');
  const slots = info ? formatSlots(info.format) : undefined;
  if (info && !slots)
    return a.errorTok(t, `internal error: format ${info.format} has a syntax the assembler cannot read`);
  if (info && slots && slots.length === ops.length) {
    const parsed = parseOperands(
      a,
      slots.map((s) => s.kind),
      ops,
    );
    if (!parsed) return;
    // Built as one literal (no spreads): this runs once per instruction of large programs.
    const rec = {
      kind: 'inst',
      size: 4,
      info,
      rd: 0,
      rs1: 0,
      rs2: 0,
      imm: undefined as Expr | undefined,
      target: false,
      csrName: undefined as string | undefined,
    };
    slots.forEach((s, k) => {
      const p = parsed[k];
      if (s.role && 'reg' in p) rec[s.role] = p.reg;
      if ('expr' in p) rec.imm = p.expr;
      if (p.kind === 'expr' && p.csrName) rec.csrName = p.csrName;
      if (s.kind === 'target') rec.target = true;
    });
    checkAligned(a, t);
    a.emit(rec);
    return;
  }
  const alternatives = PSEUDO_BY_NAME.get(mn);
  const def = alternatives?.find((p) => p.operands.length === ops.length);
  if (def) return pseudo(a, t, def.operands, ops, def.expand);
  const forms = [
    ...(info && slots ? [{ n: slots.length, syntax: slots.map((s) => s.text).join(', ') }] : []),
    ...(alternatives ?? []).map((p) => ({ n: p.operands.length, syntax: p.syntax })),
  ];
  if (forms.length > 0) {
    const expected = forms.map((f) => `${f.n} (${f.syntax || 'none'})`).join(' or ');
    const extra = ops[Math.min(...forms.map((f) => f.n))];
    const msg = `'${mn}' expects ${expected} operand${forms.length === 1 && forms[0].n === 1 ? '' : 's'}, got ${ops.length}`;
    if (extra && ops.length > Math.max(...forms.map((f) => f.n))) return a.error(extra.col, extra.end, msg);
    return a.errorTok(t, msg);
  }
  const names = [...OPCODE_BY_MNEMONIC.keys(), ...PSEUDOS.map((p) => p.name), ...a.macros.keys()];
  a.errorTok(t, `unknown instruction '${t.text}'${didYouMean(mn, names)}`);
}

function parseOperands(a: Assembler, kinds: readonly SlotKind[], ops: OperandToks[]): Parsed[] | undefined {
  const out: Parsed[] = [];
  let ok = true;
  kinds.forEach((k, i) => {
    const p = parseOperand(k, ops[i], a.text, a.resolver);
    if ('message' in p) {
      a.error(p.col, p.end, p.message);
      ok = false;
    } else out.push(p);
  });
  return ok ? out : undefined;
}

function pseudo(
  a: Assembler,
  t: Token,
  kinds: readonly SlotKind[],
  ops: OperandToks[],
  expand: (a: PseudoArgs, known: (e: Expr) => number | undefined) => RealInst[],
): void {
  const parsed = parseOperands(a, kinds, ops);
  if (!parsed) return;
  const args: PseudoArgs = {
    reg: (i) => {
      const p = parsed[i];
      return p && 'reg' in p ? p.reg : 0;
    },
    expr: (i) => {
      const p = parsed[i];
      return p && 'expr' in p ? p.expr : { k: 'num', v: 0, col: t.col, end: t.end };
    },
    csrName: (i) => {
      const p = parsed[i];
      return p && p.kind === 'expr' ? p.csrName : undefined;
    },
  };
  const insts = expand(args, (e) => a.knownConstant(e));
  checkAligned(a, t);
  const dot = a.sec.lc;
  for (const ri of insts) {
    const info = OPCODE_BY_MNEMONIC.get(ri.mnemonic);
    const slots = info ? formatSlots(info.format) : undefined;
    if (!info || !slots)
      return a.errorTok(t, `internal error: pseudo-instruction uses unknown instruction '${ri.mnemonic}'`);
    const target = slots.some((s) => s.kind === 'target');
    const rec = {
      kind: 'inst',
      size: 4,
      dot,
      info,
      rd: ri.rd ?? 0,
      rs1: ri.rs1 ?? 0,
      rs2: ri.rs2 ?? 0,
      imm: ri.imm,
      target,
      csrName: ri.csrName,
    };
    if (!a.emit(rec)) return;
  }
}
