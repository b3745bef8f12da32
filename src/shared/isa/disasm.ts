/**
 * The disassembler: one instruction word to the text the assembler reads back to the same word
 * (docs/isa.md#assembly-syntax). Used by the CLI (trap reports, listings), the debugger and tests.
 */
import { CSR_BY_NUMBER } from './csrs.js';
import { decodeWord } from './encoding.js';
import { registerName as rn } from './registers.js';

const hex = (n: number, digits = 1) => `0x${(n >>> 0).toString(16).padStart(digits, '0')}`;

/** Relative targets print as `.+N` / `.-N` (so the text assembles back anywhere); with `pc` given, as
 *  an absolute address. */
function target(offset: number, pc: number | undefined): string {
  if (pc !== undefined) return hex((pc + offset) >>> 0, 8);
  return offset < 0 ? `.-${-offset}` : `.+${offset}`;
}

/** Disassemble one word; an invalid word gives `.word 0x...`, which also assembles back to itself. */
export function disassemble(word: number, pc?: number): string {
  const d = decodeWord(word);
  if (!d) return `.word ${hex(word, 8)}`;
  const m = d.info.mnemonic;
  switch (d.info.format) {
    case 'R':
      return `${m} ${rn(d.rd)}, ${rn(d.rs1)}, ${rn(d.rs2)}`;
    case 'A':
      return `${m} ${rn(d.rd)}, ${rn(d.rs2)}, (${rn(d.rs1)})`;
    case 'I':
    case 'SH':
      return `${m} ${rn(d.rd)}, ${rn(d.rs1)}, ${d.imm}`;
    case 'IU':
      return `${m} ${rn(d.rd)}, ${rn(d.rs1)}, ${hex(d.imm)}`;
    case 'U':
      return `${m} ${rn(d.rd)}, ${hex(d.imm)}`;
    case 'L':
      return `${m} ${rn(d.rd)}, ${d.imm}(${rn(d.rs1)})`;
    case 'S':
      return `${m} ${rn(d.rs2)}, ${d.imm}(${rn(d.rs1)})`;
    case 'B':
      return `${m} ${rn(d.rs1)}, ${rn(d.rs2)}, ${target(d.imm, pc)}`;
    case 'J':
      return `${m} ${rn(d.rd)}, ${target(d.imm, pc)}`;
    case 'CSR':
      return `${m} ${rn(d.rd)}, ${CSR_BY_NUMBER.get(d.imm)?.name ?? hex(d.imm)}, ${rn(d.rs1)}`;
    case 'SYS':
      return `${m} ${d.imm}`;
    case 'N':
      return m;
    case 'F2':
      return `${m} ${rn(d.rs1)}, ${rn(d.rs2)}`;
    case 'F1':
      return `${m} ${rn(d.rs1)}`;
  }
}
