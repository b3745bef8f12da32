import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERRNO, HC, HYPERCALLS, hypercallInfo } from '../../shared/hypercalls.js';
import { E } from '../emulator/hypervisor/errors.js';
import { updateHypercallDoc } from './hypercallsDoc.js';

describe('docs/hypercalls.md', () => {
  const committed = readFileSync(new URL('../../../docs/hypercalls.md', import.meta.url), 'utf8');

  it('has the tables the generator makes from the hypercall table (run `npm run docs` after changing it)', () => {
    expect(committed).toBe(updateHypercallDoc(committed));
  });

  it('lists every hypercall once, with its number, and every error code', () => {
    for (const h of HYPERCALLS) {
      const hex = `0x${h.nr
        .toString(16)
        .toUpperCase()
        .padStart(h.nr >= 0x100 ? 3 : 2, '0')}`;
      expect(committed.split(`| ${hex} | ${h.name} |`)).toHaveLength(2);
    }
    for (const e of ERRNO) expect(committed).toContain(`| ${e.name} | ${e.value} |`);
  });

  it('a marker that is gone is an error, not a silent skip', () => {
    expect(() => updateHypercallDoc('# nothing here')).toThrow(/no <!-- generated:errors/);
  });
});

describe('the hypercall table', () => {
  it('numbers and names are unique; control calls are 0x100 and up', () => {
    expect(new Set(HYPERCALLS.map((h) => h.nr)).size).toBe(HYPERCALLS.length);
    expect(new Set(HYPERCALLS.map((h) => h.name)).size).toBe(HYPERCALLS.length);
    for (const h of HYPERCALLS) expect(h.api === 'control').toBe(h.nr >= 0x100);
    expect(hypercallInfo(HC.part_start)?.states).toEqual(['created', 'stopped', 'faulted']);
    expect(hypercallInfo(0x10e)).toBeUndefined(); // part_policy is gone: ENOSYS
  });

  it('the emulator’s error codes are the table’s', () => {
    for (const [k, v] of Object.entries(E)) expect(ERRNO.find((e) => e.name === `E${k}`)?.value).toBe(v);
    expect(Object.keys(E)).toHaveLength(ERRNO.length);
  });
});
