/**
 * Real guest programs under both engines (docs/architecture.md#block-translation): the self-checking
 * ISA programs (test/isa) and the benchmark guests (test/bench: paging, user mode, stage 2, a timer
 * tick) run in the same random slices on the interpreter and on the block translator, and must
 * agree on registers, memory, devices and console output after every slice.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Machine } from '../../src/main/emulator/machine/Machine.js';
import { lockstep } from '../../src/main/emulator/cpu/jit/differential.js';
import type { Jit } from '../../src/main/emulator/cpu/jit/Jit.js';
import { assembleFile } from '../../src/main/host/assembleFile.js';
import { buildGuest } from '../bench/guest.js';

const isaDir = fileURLToPath(new URL('../isa/', import.meta.url));
const programs = readdirSync(isaDir).filter((f) => f.endsWith('.s'));

describe('real programs, interpreter vs block translator', () => {
  it('there are programs to run', () => expect(programs.length).toBeGreaterThanOrEqual(4));
  for (const file of programs) {
    it(`test/isa/${file}: same state after every slice, PASS on both`, () => {
      const r = assembleFile(isaDir + file);
      expect(r.ok).toBe(true);
      const out = ['', ''];
      const [ref, jit] = (['interp', 'jit'] as const).map((engine, i) => {
        const m = new Machine({
          cpus: 1,
          memBytes: 1 << 20,
          engine,
          console: { write: (b) => (out[i] += String.fromCharCode(b)) },
          stopOnUnsetVector: true,
        });
        m.load(r.base, r.bytes);
        m.cpus[0].pc = r.entry;
        return m;
      });
      const res = lockstep(ref, jit, 10_000_000, 3000, 11);
      expect(res.detail).toBe('');
      expect(out[1]).toBe('PASS\n');
      expect(out[0]).toBe(out[1]);
      expect(jit.stopped).toEqual({ kind: 'exit', exitCode: 0 });
    });
  }

  const benches: { name: string; defines: Record<string, number>; data: number; expected?: number }[] = [
    { name: 'alu', defines: { ITER: 300_000 }, data: 0 },
    { name: 'sieve', defines: { N: 100_000, REPS: 2 }, data: 100_000, expected: 9592 },
    { name: 'fib', defines: { N: 24 }, data: 0, expected: 46368 },
  ];
  for (const b of benches) {
    it(`test/bench ${b.name} (paging, user mode, stage 2, timer ticks): same state after every slice`, () => {
      const ref = buildGuest(b.name, b.defines, b.data, 'interp');
      const jit = buildGuest(b.name, b.defines, b.data, 'jit');
      const res = lockstep(ref, jit, 100_000_000, 200_000, 12);
      expect(res.detail).toBe('');
      expect(jit.stopped?.kind).toBe('exit');
      if (b.expected !== undefined) expect(jit.stopped?.exitCode).toBe(b.expected);
      expect(jit.cpus[0].stats.interrupts).toBeGreaterThan(0);
      const stats = (jit.cpus[0].jit as Jit).stats;
      expect(stats.interpreted / jit.cpus[0].hcycle).toBeLessThan(0.2);
    });
  }
});
