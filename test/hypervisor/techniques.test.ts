/**
 * Virtualization techniques side by side (M7): the same cos image in a partition that is offered
 * the paravirtual console and network (it calls the hypervisor) and in one that is not (every
 * device access traps and is emulated). Same console output; the counters show which path ran.
 */
import { describe, expect, it } from 'vitest';
import { world } from './harness.js';

async function run(technique: 'paravirtual' | 'hardware') {
  const w = await world({ cpus: 1 });
  const cos = w.diskOs('cos');
  const p = w.launch(1, 'cos', cos, { memBytes: 8 << 20, grantDiskPartition: cos.partition, technique });
  w.expect('cos', 'cos> ');
  w.type(1, 'run hello\r');
  w.expect('cos', /Hello from user mode!\r\ncos> /);
  w.type(1, 'net\r');
  w.expect('cos', /cos> net\r\n[^]*cos> $/);
  return { out: w.output('cos'), stats: { ...p.stats } };
}

describe('virtualization techniques', () => {
  it('run the same cos with the same output; paravirtual by hypercall, hardware by trapped device registers', async () => {
    const pv = await run('paravirtual');
    const hw = await run('hardware');
    const strip = (s: string) => s.replace(/ \(paravirtual\)/g, '');
    expect(strip(hw.out)).toBe(strip(pv.out));
    expect(pv.out).toMatch(/\(paravirtual\)/);
    expect(hw.out).not.toMatch(/\(paravirtual\)/);
    // The console: one hypercall per write on the paravirtual path; trapped register accesses otherwise.
    expect(pv.stats.hypercalls).toBeGreaterThan(100);
    expect(hw.stats.mmioExits).toBeGreaterThan(pv.stats.mmioExits + 100);
    expect(hw.stats.hypercalls).toBeLessThan(pv.stats.hypercalls);
  });
});
