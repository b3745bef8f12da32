/** Diagnostics: every bad input names file:line:col and says what is wrong; assembly goes on. */
import { describe, expect, it } from 'vitest';
import { MAX_ERRORS, formatDiagnostic } from './diagnostics.js';
import { asm, diags, oneError } from '../../../test/asm/helpers.js';

describe('instructions', () => {
  it('unknown mnemonic, with the closest suggestion', () => {
    expect(oneError('  ad a0, a1, a2')).toBe("t.s:1:3: error: unknown instruction 'ad' (did you mean 'add'?)");
    expect(oneError('lwz a0, 0(sp)')).toBe("t.s:1:1: error: unknown instruction 'lwz' (did you mean 'lw'?)");
    expect(oneError('.macro mymac\n.endm\nmymc')).toBe(
      "t.s:3:1: error: unknown instruction 'mymc' (did you mean 'mymac'?)",
    );
    expect(oneError('qqqqqq')).toBe("t.s:1:1: error: unknown instruction 'qqqqqq'");
  });
  it('operand count', () => {
    expect(oneError('add a0, a1')).toBe("t.s:1:1: error: 'add' expects 3 (rd, rs1, rs2) operands, got 2");
    expect(oneError('add a0, a1, a2, a3')).toBe("t.s:1:17: error: 'add' expects 3 (rd, rs1, rs2) operands, got 4");
    expect(oneError('eret a0')).toBe("t.s:1:6: error: 'eret' expects 0 (none) operands, got 1");
    expect(oneError('add a0, , a2')).toBe('t.s:1:9: error: missing operand');
  });
  it('operand kinds', () => {
    expect(oneError('add a0, 5, a2')).toBe("t.s:1:9: error: expected a register, got '5'");
    expect(oneError('add a0, a1, x9')).toBe("t.s:1:13: error: expected a register, got 'x9'");
    expect(oneError('addi a0, a1, a2')).toBe("t.s:1:14: error: expected an immediate, got register 'a2'");
    expect(oneError('beq a0, a1, a2')).toBe("t.s:1:13: error: expected a target address, got register 'a2'");
    expect(oneError('lw a0, sp')).toBe("t.s:1:8: error: expected 'offset(register)', got 'sp'");
    expect(oneError('lw a0, 4(q1)')).toBe("t.s:1:10: error: expected a register, got 'q1'");
    expect(oneError('cas a0, a1, a2')).toBe("t.s:1:13: error: expected '(register)', got 'a2'");
    expect(oneError('cas a0, a1, 4(a2)')).toBe("t.s:1:13: error: expected '(register)', got '4(a2)'");
    expect(oneError('csrrw a0, a1, a2')).toBe("t.s:1:11: error: expected a control register, got register 'a1'");
  });
  it('unknown control register names suggest one', () => {
    expect(oneError('csrr a0, sstatuss')).toBe(
      "t.s:1:10: error: unknown control register 'sstatuss' (did you mean 'sstatus'?)",
    );
    expect(oneError('csrrw a0, 0x1000, a1')).toBe('t.s:1:11: error: control register number 4096 out of range 0..4095');
  });
  it('immediates out of range show the range', () => {
    expect(oneError('addi a0, a0, 40000')).toBe('t.s:1:14: error: immediate 40000 out of range -32768..32767');
    expect(oneError('andi a0, a0, -1')).toBe('t.s:1:14: error: immediate -1 out of range 0..65535');
    expect(oneError('slli a0, a0, 32')).toBe('t.s:1:14: error: immediate 32 out of range 0..31');
    expect(oneError('lui a0, 0x10000')).toBe('t.s:1:9: error: immediate 65536 out of range 0..65535');
    expect(oneError('lw a0, 0x8000(sp)')).toBe('t.s:1:8: error: immediate 32768 out of range -32768..32767');
    expect(oneError('syscall 70000')).toBe('t.s:1:9: error: immediate 70000 out of range 0..65535');
  });
  it('branch and jump targets: range and alignment', () => {
    expect(oneError('beq a0, zero, . + 140000')).toBe(
      't.s:1:15: error: branch target out of range (offset 140000, range -131072..131068)',
    );
    expect(oneError('beq a0, zero, . - 131076')).toBe(
      't.s:1:15: error: branch target out of range (offset -131076, range -131072..131068)',
    );
    expect(oneError('jal ra, . + 0x400000')).toBe(
      't.s:1:9: error: jump target out of range (offset 4194304, range -4194304..4194300)',
    );
    expect(oneError('j 6')).toBe('t.s:1:3: error: jump target 0x6 is not 4-byte aligned (offset 6)');
  });
  it('instructions must be 4-byte aligned', () => {
    expect(oneError('.byte 1\nnop')).toBe(
      't.s:2:1: error: instruction at unaligned address 0x1: instructions must be 4-byte aligned (use .align 4)',
    );
    expect(oneError('.org 0x1002\nadd a0, a0, a0')).toBe(
      't.s:2:1: error: instruction at unaligned address 0x1002: instructions must be 4-byte aligned (use .align 4)',
    );
    expect(oneError('nop\n.data\n.byte 1\nnop')).toBe(
      "t.s:4:1: error: instruction at unaligned offset 1 of section '.data': instructions must be 4-byte aligned (use .align 4)",
    );
  });
});

describe('lines', () => {
  it('unterminated strings and bad escapes point into the line', () => {
    expect(oneError('nop\n  .asciz "abc')).toBe('t.s:2:10: error: unterminated string');
    expect(oneError('.asciz "a\\yb"')).toBe("t.s:1:10: error: unknown escape sequence '\\y'");
  });
  it('stray tokens', () => {
    expect(oneError('5')).toBe("t.s:1:1: error: expected a label, directive or instruction, got '5'");
    expect(oneError('x: , nop')).toBe("t.s:1:4: error: expected a label, directive or instruction, got ','");
  });
  it('comments: # and ; but not inside literals', () => {
    expect(asm("nop # add a0\nnop ; frob\n.byte ';', '#' # done").ok).toBe(true);
  });
});

describe('many errors', () => {
  it('reports several errors in one run, in order', () => {
    const d = diags('frob\nadd a0\nnop\naddi a0, a0, 99999\n.word undefined_thing');
    expect(d).toEqual([
      "t.s:1:1: error: unknown instruction 'frob'",
      "t.s:2:1: error: 'add' expects 3 (rd, rs1, rs2) operands, got 1",
      't.s:4:14: error: immediate 99999 out of range -32768..32767',
      "t.s:5:7: error: undefined symbol 'undefined_thing'",
    ]);
  });
  it('stops after MAX_ERRORS', () => {
    const r = asm(Array(500).fill('frob').join('\n'));
    expect(r.ok).toBe(false);
    expect(r.diagnostics.length).toBe(MAX_ERRORS + 1);
    expect(formatDiagnostic(r.diagnostics[MAX_ERRORS])).toMatch(/too many errors/);
  });
  it('diagnostics carry endCol for the editor', () => {
    const [d] = asm('add a0, a1, bogus').diagnostics;
    expect(d).toMatchObject({ file: 't.s', line: 1, col: 13, endCol: 18, severity: 'error' });
  });
  it('uses <input> when no filename is given', async () => {
    const { assemble } = await import('./index.js');
    expect(formatDiagnostic(assemble('frob').diagnostics[0])).toBe("<input>:1:1: error: unknown instruction 'frob'");
  });
});
