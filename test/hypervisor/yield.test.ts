/**
 * The yield hypercall gives the pCPU to the next runnable vCPU (docs/hypercalls.md): two clients on
 * one pCPU that only yield alternate on every call. (It used to return to the caller at once.)
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../../src/main/asm/index.js';
import { assembleFile } from '../../src/main/host/assembleFile.js';
import { world, type Guest } from './harness.js';

function yielder(n: number): Guest {
  const r = assembleFile(fileURLToPath(new URL('../bench/programs/yield.s', import.meta.url)), { N: n });
  if (!r.ok) throw new Error(r.diagnostics.map(formatDiagnostic).join('\n'));
  return { bytes: r.bytes, loadAddress: r.base, entry: r.entry, cooperative: false };
}

describe('yield', () => {
  it('switches between two clients on one pCPU at every call', async () => {
    const w = await world({ cpus: 1 });
    const a = w.launch(1, 'a', yielder(1000), { cpu: 0 });
    const b = w.launch(2, 'b', yielder(1000), { cpu: 0 });
    const switches = w.hv.stats.worldSwitches;
    for (let i = 0; i < 100 && (a.state === 'running' || b.state === 'running'); i++) w.machine.run(1_000_000);
    expect([a.state, b.state]).toEqual(['stopped', 'stopped']);
    expect(a.exitCode).toBe(0);
    // 1000 yields each, alternating: every yield is a switch to the other partition.
    expect(a.stats.switches).toBeGreaterThanOrEqual(1000);
    expect(b.stats.switches).toBeGreaterThanOrEqual(1000);
    expect(w.hv.stats.worldSwitches - switches).toBeGreaterThanOrEqual(2000);
  });
});
