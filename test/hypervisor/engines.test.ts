/**
 * The engine is chosen per guest: a partition whose engine is 'jit' runs on the block translator
 * while the others stay on the interpreter, and the machine ends in the same state either way
 * (the translator is exact, docs/architecture.md#block-translation).
 */
import { describe, expect, it } from 'vitest';
import { world } from './harness.js';

async function run(cosEngine: 'interp' | 'jit' | undefined) {
  const w = await world({ cpus: 1 });
  const cos = w.diskOs('cos');
  const p = w.launch(1, 'cos', cos, { memBytes: 8 << 20, cpu: 0, grantDiskPartition: cos.partition });
  p.engine = cosEngine;
  const engines = new Set<string>();
  w.machine.cpus[0]!.onTrap = (c) => {
    if (w.hv.currentOn(c.id)?.partitionId === 1) engines.add(c.engine);
  };
  w.expect('cos', 'cos> ');
  w.type(1, 'run primes\r');
  w.expect('cos', /1229 primes below 10000\r\ncos> /);
  return { out: w.output('cos'), engines, instret: w.machine.cpus[0]!.instret, time: w.machine.time };
}

describe('engine per guest', () => {
  it('runs one partition on the translator and gives the same results as the interpreter', async () => {
    const interp = await run(undefined);
    const jit = await run('jit');
    expect(interp.engines).toEqual(new Set(['interp']));
    expect(jit.engines).toEqual(new Set(['jit']));
    expect(jit.out).toBe(interp.out);
    expect(jit.time).toBe(interp.time);
  });
});
