import { describe, expect, it } from 'vitest';
import { CSRS, FORMAT_SYNTAX, OPCODES, REGISTER_ABI_NAMES } from '../../shared/isa/index.js';
import { completionsAt, hoverFor, markersFor, monarchDefinition, privilegeOf, vocabulary } from './asmLanguage.js';

const v = vocabulary({
  directives: [{ name: '.word', syntax: 'value, ...', doc: '32-bit values' }],
  pseudos: [{ name: 'li', syntax: 'rd, value', doc: 'load a constant' }],
});

/** Runs the Monarch root rules the way Monaco does, enough to classify single words. */
function classify(word: string): string {
  const def = monarchDefinition(v) as Record<string, unknown> & { tokenizer: { root: unknown[][] } };
  for (const rule of def.tokenizer.root) {
    const re = new RegExp(`^(?:${(rule[0] as RegExp).source})`, 'i');
    const m = re.exec(word);
    if (!m || m[0].length !== word.length) continue;
    const action = rule[1];
    if (typeof action === 'string') return action;
    const cases = (action as { cases: Record<string, string> }).cases;
    for (const [k, token] of Object.entries(cases)) {
      if (k === '@default') return token;
      const list = def[k.slice(1)] as string[];
      if (list.includes(word.toLowerCase())) return token;
    }
  }
  return 'none';
}

describe('the assembly language, derived from the ISA table', () => {
  it('highlights every mnemonic of the table, privileged ones apart', () => {
    for (const o of OPCODES) {
      expect(classify(o.mnemonic)).toBe(o.pg === 'innocuous' ? 'keyword' : 'keyword.privileged');
      expect(classify(o.mnemonic.toUpperCase())).toBe(o.pg === 'innocuous' ? 'keyword' : 'keyword.privileged');
    }
  });

  it('highlights registers, control registers, directives, pseudos and numbers', () => {
    for (const r of REGISTER_ABI_NAMES) expect(classify(r)).toBe('variable.register');
    expect(classify('r31')).toBe('variable.register');
    for (const c of CSRS) expect(classify(c.name)).toBe('type.csr');
    expect(classify('.asciz')).toBe('keyword.directive');
    expect(classify('li')).toBe('keyword.pseudo');
    expect(classify('0x1F')).toBe('number');
    expect(classify('greeting')).toBe('identifier');
  });

  it('documents each mnemonic with its syntax, one-line doc and privilege', () => {
    for (const o of OPCODES) {
      const lines = hoverFor(v, o.mnemonic)!;
      expect(lines.join('\n')).toContain(o.doc);
      expect(lines[0]).toContain(`${o.mnemonic} ${FORMAT_SYNTAX[o.format]}`.trim());
      expect(lines.join('\n')).toContain(privilegeOf(o));
    }
    const priv = OPCODES.find((o) => o.pg === 'privileged')!;
    expect(privilegeOf(priv)).toMatch(/traps below/);
  });

  it('documents registers by every spelling, and control registers with their modes', () => {
    expect(hoverFor(v, 'sp')!.join(' ')).toMatch(/r2.*stack pointer/);
    expect(hoverFor(v, 'r2')).toEqual(hoverFor(v, 'sp'));
    expect(hoverFor(v, 'zero')!.join(' ')).toContain('reads as zero');
    const c = CSRS[0]!;
    expect(hoverFor(v, c.name)!.join(' ')).toContain(c.doc);
    expect(hoverFor(v, 'nosuchword')).toBeUndefined();
  });

  it('completes mnemonics where the instruction goes, registers in operands, directives after a dot', () => {
    const start = completionsAt(v, '    ').map((c) => c.label);
    expect(start).toEqual(expect.arrayContaining([...new Set(OPCODES.map((o) => o.mnemonic))]));
    expect(start).toContain('li');
    expect(completionsAt(v, 'loop: ad').some((c) => c.label === 'add')).toBe(true);
    const operands = completionsAt(v, '    add a0, ');
    expect(operands[0]!.kind).toBe('register');
    expect(operands.some((c) => c.label === 'sp')).toBe(true);
    expect(completionsAt(v, '    .wo').map((c) => c.label)).toEqual(['.word']);
    expect(completionsAt(v, '    add a0, a1 # a')).toEqual([]);
  });
});

describe('markersFor', () => {
  const src = '.include "lib.inc"\n_start:\n    bogus a0, a1\n';
  it('spans the word at the column when the diagnostic has no end', () => {
    const [m] = markersFor('hello.s', src, [
      { file: 'hello.s', line: 3, col: 5, severity: 'error', message: "unknown instruction 'bogus'" },
    ]);
    expect(m).toEqual({
      startLineNumber: 3,
      startColumn: 5,
      endLineNumber: 3,
      endColumn: 10,
      message: "unknown instruction 'bogus'",
      severity: 'error',
    });
  });

  it('puts a diagnostic of an included file on its .include line', () => {
    const [m] = markersFor('hello.s', src, [
      { file: 'lib.inc', line: 7, col: 2, endCol: 4, severity: 'warning', message: 'odd' },
    ]);
    expect(m!.startLineNumber).toBe(1);
    expect(m!.message).toBe('lib.inc:7:2: odd');
    expect(m!.severity).toBe('warning');
  });

  it('keeps a marker inside the text when the line is past its end', () => {
    const [m] = markersFor('a.s', 'nop\n', [{ file: 'a.s', line: 99, col: 1, severity: 'error', message: 'x' }]);
    expect(m!.startLineNumber).toBe(2);
  });
});
