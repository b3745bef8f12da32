/**
 * Each vCPU's instret counts exactly the instructions it retired (docs/isa.md#timers,
 * docs/hypercalls.md): two partitions share one pCPU and yield to each other in the middle of every
 * slice, each with a different number of instructions between yields. A world switch inside a slice
 * must settle the slice's steps so far into the outgoing vCPU: before, they were credited to the
 * vCPU switched in, so a guest's counter told it how much another partition had run.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../../src/main/asm/index.js';
import { assembleFile } from '../../src/main/host/assembleFile.js';
import { world, type Guest } from './harness.js';

const ITER = 300;

function guest(name: string, defines: Record<string, number>): Guest {
  const r = assembleFile(fileURLToPath(new URL(`./guests/${name}.s`, import.meta.url)), defines);
  if (!r.ok) throw new Error(r.diagnostics.map(formatDiagnostic).join('\n'));
  return { bytes: r.bytes, loadAddress: r.base, entry: r.entry, cooperative: false };
}

/** What instret.s reads at its end: csrr and addi, then per iteration addi, addi, K x (addi, bnez), addi, bne. */
const expected = (k: number) => 2 + ITER * (2 * k + 4);

type Technique = 'paravirtual' | 'trap-emulate';

async function run(engine: 'interp' | 'jit', technique: Technique) {
  const w = await world({ cpus: 1 });
  const a = w.launch(1, 'a', guest('instret', { ITER, K: 1 }), { cpu: 0, technique });
  const b = w.launch(2, 'b', guest('instret', { ITER, K: 40 }), { cpu: 0, technique });
  a.engine = engine;
  b.engine = engine;
  const engines = new Set<string>();
  w.machine.cpus[0]!.onTrap = (c) => {
    if ((w.hv.currentOn(c.id)?.partitionId ?? 0) > 0) engines.add(c.engine);
  };
  const switches = w.hv.stats.worldSwitches;
  for (let i = 0; i < 200 && (a.state === 'running' || b.state === 'running'); i++) w.machine.run(1_000_000);
  // Both shut down (with a non-zero exit code, the count, a partition is marked faulted).
  expect([a.state, b.state]).not.toContain('running');
  // They did alternate: about one world switch per yield.
  expect(w.hv.stats.worldSwitches - switches).toBeGreaterThanOrEqual(2 * ITER);
  expect(engines).toEqual(new Set([engine]));
  return { a, b };
}

describe('instret per vCPU', () => {
  for (const engine of ['interp', 'jit'] as const)
    for (const technique of ['paravirtual', 'trap-emulate'] as const)
      it(`${engine}, ${technique}: a guest's instret counts only its own instructions`, async () => {
        const { a, b } = await run(engine, technique);
        // Under trap-and-emulate each csrr of instret traps and the hypervisor emulates it: like a
        // hypercall or an emulated device access, an instruction that trapped does not retire
        // (docs/isa.md#timers), so the first csrr is not in the count the second reads.
        const emulated = technique === 'trap-emulate' ? 1 : 0;
        // The instret CSR as each guest read it at its end.
        expect(a.exitCode).toBe(expected(1) - emulated);
        expect(b.exitCode).toBe(expected(40) - emulated);
        // The hypervisor's count after shutdown: the final csrr (unless emulated), add and the
        // taken beqz retired too.
        expect(a.vcpus[0]!.instret).toBe(a.exitCode + 3 - emulated);
        expect(b.vcpus[0]!.instret).toBe(b.exitCode + 3 - emulated);
      });

  for (const engine of ['interp', 'jit'] as const)
    it(`${engine}: two vCPUs of one partition on one pCPU, yielding at the same pc, count their own`, async () => {
      const w = await world({ cpus: 1 });
      const p = w.launch(1, 'smp', guest('instret-smp', { ITER }), { cpus: [0, 0] });
      p.engine = engine;
      const results = () => {
        const b = w.hv.readGuest(p, 0x20000, 8)!;
        const dv = new DataView(b.buffer, b.byteOffset, 8);
        return [dv.getInt32(0, true), dv.getInt32(4, true)];
      };
      for (let i = 0; i < 200 && results().includes(0); i++) w.machine.run(1_000_000);
      expect(results()).toEqual([expected(1), expected(40)]);
    });
});
