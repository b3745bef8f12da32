/**
 * Fused pairs in the interpreter (decode.ts#fuseNext, docs/performance.md#fused-pairs-in-the-interpreter):
 * a pair runs as one dispatch, but it must be invisible: the same steps, state, trap points and
 * interrupt points as the instructions one at a time. The reference here steps the interpreter one
 * instruction per call (a budget of 1 never runs a pair's second half), the way the debugger's
 * checked engine does; the test machine runs whole slices, where pairs fuse. Both run in the same
 * random slices and must agree after every one.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { assembleFile } from '../../src/main/host/assembleFile.js';
import { Machine } from '../../src/main/emulator/machine/Machine.js';
import type { Cpu, SliceEngine } from '../../src/main/emulator/cpu/Cpu.js';
import {
  baseKind,
  decodeRun,
  F_ADDI_BRANCH,
  F_ADD_SB,
  F_LAST,
  KIND,
  newCodePage,
} from '../../src/main/emulator/cpu/decode.js';
import { interpret } from '../../src/main/emulator/cpu/interpreter.js';
import { lockstep } from '../../src/main/emulator/cpu/jit/differential.js';
import { buildGuest } from '../bench/guest.js';
import { assemble } from '../../src/main/asm/index.js';

/** The interpreter one instruction per call: no pair ever runs as one. */
const oneByOne: SliceEngine = {
  run(cpu: Cpu, budget: number): number {
    let n = 0;
    cpu.breakSlice = false;
    cpu.sliceTraps = 0;
    while (n < budget) {
      n = interpret(cpu, n + 1, n);
      if (cpu.sliceTraps !== 0 || cpu.breakSlice || cpu.waiting || cpu.halted) break;
    }
    return n;
  },
};

/** How many slots of the decoded pages of `m` hold a fused kind. */
function fusedSlots(m: Machine): number {
  let n = 0;
  for (let ppn = 0; ppn < m.mem.size >>> 12; ppn++) {
    if (!m.mem.isCodePage(ppn)) continue;
    const p = m.mem.codePage(ppn, newCodePage);
    for (let i = 0; i < 2048; i++) if ((p[2 * i]! & 255) >= 64) n++;
  }
  return n;
}

describe('fused pairs', () => {
  it('fuses addi+branch and add+store, and keeps each instruction visible to the translator', () => {
    /** The two instructions of `source`, decoded into slot 0 and fused as the interpreter does. */
    const pair = (source: string) => {
      const r = assemble(source);
      expect(r.ok).toBe(true);
      const words = new Int32Array(4);
      words.set(new Int32Array(r.bytes.buffer, r.bytes.byteOffset, 2));
      const page = newCodePage();
      decodeRun(page, 0, words, 0);
      return page;
    };
    const loop = pair('x: addi t0, t0, 1\n blt t0, t1, x\n');
    expect(loop[0]! & 255).toBe(F_ADDI_BRANCH + (KIND.blt - KIND.beq));
    expect(baseKind(loop[0]!)).toBe(KIND.addi);
    expect(baseKind(loop[2]!)).toBe(KIND.blt);
    expect(pair('add t2, s0, t0\n sb t1, 0(t2)\n')[0]! & 255).toBe(F_ADD_SB);
    // Not a pair: as it was.
    expect(pair('xor t2, s0, t0\n sb t1, 0(t2)\n')[0]! & 255).toBe(KIND.xor);
    expect(F_LAST).toBeLessThan(256);
  });

  const isaDir = fileURLToPath(new URL('../isa/', import.meta.url));
  for (const file of readdirSync(isaDir).filter((f) => f.endsWith('.s')))
    it(`test/isa/${file}: whole slices (fused) and one instruction at a time agree after every slice`, () => {
      const r = assembleFile(isaDir + file);
      expect(r.ok).toBe(true);
      const [ref, test] = [0, 1].map(() => {
        const m = new Machine({ cpus: 1, memBytes: 1 << 20, stopOnUnsetVector: true, console: { write: () => {} } });
        m.load(r.base, r.bytes);
        m.cpus[0]!.pc = r.entry;
        return m;
      });
      ref!.cpus[0]!.jit = oneByOne;
      const res = lockstep(ref!, test!, 10_000_000, 3000, 5);
      expect(res.detail).toBe('');
      expect(test!.stopped).toEqual({ kind: 'exit', exitCode: 0 });
    });

  for (const b of [
    { name: 'sieve', defines: { N: 100_000, REPS: 1 }, data: 100_000, expected: 9592 },
    { name: 'fib', defines: { N: 20 }, data: 0, expected: 6765, ticks: false },
    { name: 'alu', defines: { ITER: 200_000 }, data: 0 },
  ] as { name: string; defines: Record<string, number>; data: number; expected?: number; ticks?: boolean }[])
    it(`test/bench ${b.name} (paging, user mode, stage 2, timer ticks): agree after every slice, pairs fused`, () => {
      const ref = buildGuest(b.name, b.defines, b.data, 'interp');
      const test = buildGuest(b.name, b.defines, b.data, 'interp');
      ref.cpus[0]!.jit = oneByOne;
      const res = lockstep(ref, test, 200_000_000, 20_000, 6);
      expect(res.detail).toBe('');
      expect(test.stopped?.kind).toBe('exit');
      if (b.expected !== undefined) expect(test.stopped?.exitCode).toBe(b.expected);
      // Timer interrupts between and inside pairs (fib ends before its first tick).
      if (b.ticks !== false) expect(test.cpus[0]!.stats.interrupts).toBeGreaterThan(0);
      expect(fusedSlots(test)).toBeGreaterThan(0);
    });
});
