import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { OPCODES } from '../../shared/isa/opcodes.js';
import { CSRS } from '../../shared/isa/csrs.js';
import { KIND } from '../emulator/cpu/decode.js';
import { generateIsaDoc } from './isaDoc.js';

describe('docs/isa.md', () => {
  it('is what the generator makes from the opcode table (run `npm run docs` after changing the table)', () => {
    const committed = readFileSync(new URL('../../../docs/isa.md', import.meta.url), 'utf8');
    expect(committed).toBe(generateIsaDoc());
  });
  it('lists every instruction and control register', () => {
    const doc = generateIsaDoc();
    for (const o of OPCODES) expect(doc).toContain(`| \`${o.mnemonic}\` |`);
    for (const c of CSRS) expect(doc).toContain(`| \`${c.name}\` |`);
  });
});

describe('the interpreter covers the table', () => {
  it('every mnemonic has an interpreter kind, and kinds are distinct', () => {
    const missing = OPCODES.filter((o) => KIND[o.mnemonic] === undefined).map((o) => o.mnemonic);
    expect(missing).toEqual([]);
    expect(new Set(Object.values(KIND)).size).toBe(Object.keys(KIND).length);
  });
});
