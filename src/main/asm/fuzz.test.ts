/**
 * The assembler never throws and never reports an internal error, whatever it is given: random
 * characters, random token soup built from its own vocabulary, and mutations of valid programs.
 * Seeded, so a failure reproduces; the failing input is printed.
 */
import { describe, expect, it } from 'vitest';
import { type AsmResult, assemble } from './index.js';
import { prng } from '../../../test/asm/helpers.js';
import {
  charSoup as soup,
  mutateSource,
  tokenSoup as tokens,
  VALID_PROGRAMS as VALID,
} from '../../../test/asm/mutate.js';

type Rng = ReturnType<typeof prng>;

const charSoup = (rng: Rng) => soup(rng, rng.int(0, 120));
const tokenSoup = (rng: Rng) => tokens(rng, rng.int(0, 60));
const mutate = (rng: Rng) => mutateSource(rng, rng.pick(VALID));

function check(src: string, rng: Rng): AsmResult {
  const files = [charSoup(rng), tokenSoup(rng), '.include "f.s"', mutate(rng)];
  const readFile = () => (rng.next() < 0.2 ? undefined : rng.pick(files));
  let r: AsmResult | undefined;
  try {
    r = assemble(src, { filename: 'fuzz.s', readFile, defines: { D: rng.int(-5, 5) } });
  } catch (e) {
    throw new Error(`assemble threw ${String(e)} on:\n${JSON.stringify(src)}`);
  }
  const internal = r.diagnostics.find((d) => d.message.includes('internal error'));
  if (internal) throw new Error(`${internal.message} on:\n${JSON.stringify(src)}`);
  for (const d of r.diagnostics) {
    if (!(d.line >= 0 && d.col >= 0 && typeof d.message === 'string' && d.message !== '')) {
      throw new Error(`bad diagnostic ${JSON.stringify(d)} on:\n${JSON.stringify(src)}`);
    }
  }
  expect(r.bytes).toBeInstanceOf(Uint8Array);
  expect(r.ok).toBe(!r.diagnostics.some((d) => d.severity === 'error'));
  return r;
}

describe('never throws', () => {
  it('random characters', () => {
    const rng = prng(1);
    for (let i = 0; i < 1500; i++) check(charSoup(rng), rng);
  });
  it('token soup', () => {
    const rng = prng(2);
    for (let i = 0; i < 1500; i++) check(tokenSoup(rng), rng);
  });
  it('mutated valid programs', () => {
    const rng = prng(3);
    let okCount = 0;
    for (let i = 0; i < 1500; i++) if (check(mutate(rng), rng).ok) okCount++;
    // Some mutations stay valid: the generator is not just making garbage.
    expect(okCount).toBeGreaterThan(0);
  });
  it('the valid programs assemble', () => {
    const rng = prng(4);
    for (const v of VALID) expect(check(v, rng).diagnostics).toEqual([]);
  });
  it('odd arguments from JavaScript callers', () => {
    expect(assemble(undefined as unknown as string).ok).toBe(true);
    expect(assemble('nop', null as never).ok).toBe(true);
    expect(assemble('nop', { defines: { X: NaN, Y: 1e20 } }).ok).toBe(true);
    expect(assemble('\u0000\uffff\ud800').ok).toBe(false);
  });
});
