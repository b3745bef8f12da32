import { describe, expect, it } from 'vitest';
import type { HostInfo } from '../../shared/api.js';
import { asmWordsOf } from './context.js';

// Cast: HostInfo gains fields as the host grows; these tests are about `asm` only.
const base = {
  name: 'hyperdesk',
  version: '0',
  isa: { opcodes: 1, csrs: 1 },
  mode: 'web',
  store: { path: '' },
  workloads: [],
} as unknown as HostInfo;

describe('asmWordsOf', () => {
  it("takes the assembler's directives and pseudos from the host's info", () => {
    const words = {
      directives: [{ name: '.word', syntax: 'value, ...', doc: '32-bit values' }],
      pseudos: [{ name: 'li', syntax: 'rd, value', doc: 'load a constant' }],
    };
    expect(asmWordsOf({ ...base, asm: words } as HostInfo)).toEqual(words);
  });

  it('ignores them when absent or malformed', () => {
    expect(asmWordsOf(undefined)).toBeUndefined();
    expect(asmWordsOf(base)).toBeUndefined();
    expect(asmWordsOf({ ...base, asm: { directives: 'x', pseudos: [] } } as unknown as HostInfo)).toBeUndefined();
    expect(asmWordsOf({ ...base, asm: { directives: [{}], pseudos: [] } } as unknown as HostInfo)).toBeUndefined();
  });
});
