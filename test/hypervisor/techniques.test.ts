/**
 * Virtualization techniques side by side (M7): the same cos image in a partition that is offered
 * the paravirtual console and network (it calls the hypervisor), in one that is not (every device
 * access traps and is emulated), and under classic trap-and-emulate (hstatus.TE: every privileged
 * instruction emulated, shadow page tables, no stage 2). Same console output; the counters show
 * which path ran.
 */
import { describe, expect, it } from 'vitest';
import { testGuest, world } from './harness.js';

type Technique = 'paravirtual' | 'hardware' | 'trap-emulate';

async function run(technique: Technique) {
  const w = await world({ cpus: 1 });
  const cos = w.diskOs('cos');
  const p = w.launch(1, 'cos', cos, { memBytes: 8 << 20, grantDiskPartition: cos.partition, technique });
  w.expect('cos', 'cos> ');
  w.type(1, 'run hello\r');
  w.expect('cos', /Hello from user mode!\r\ncos> /);
  w.type(1, 'run primes\r');
  w.expect('cos', /1229 primes below 10000\r\ncos> /);
  w.type(1, 'net\r');
  w.expect('cos', /cos> net\r\n[^]*cos> $/);
  return { out: w.output('cos'), stats: { ...p.stats } };
}

describe('virtualization techniques', () => {
  it('run the same cos with the same output; the counters show the path each took', async () => {
    const pv = await run('paravirtual');
    const hw = await run('hardware');
    const te = await run('trap-emulate');
    const strip = (s: string) => s.replace(/ \(paravirtual\)/g, '');
    expect(strip(hw.out)).toBe(strip(pv.out));
    expect(te.out).toBe(hw.out);
    expect(pv.out).toMatch(/\(paravirtual\)/);
    // The console: one hypercall per write on the paravirtual path; trapped register accesses otherwise.
    expect(pv.stats.hypercalls).toBeGreaterThan(100);
    expect(hw.stats.mmioExits).toBeGreaterThan(pv.stats.mmioExits + 100);
    expect(hw.stats.hypercalls).toBeLessThan(pv.stats.hypercalls);
    // Only trap-and-emulate emulates privileged instructions and builds shadow tables.
    expect(te.stats.emulated).toBeGreaterThan(10);
    expect(te.stats.shadowBuilds).toBeGreaterThan(2);
    expect(pv.stats.emulated + hw.stats.emulated + pv.stats.shadowBuilds + hw.stats.shadowBuilds).toBe(0);
  });

  it('trap-and-emulate contains a guest whose page tables point outside its memory', async () => {
    const w = await world();
    const good = w.launch(1, 'good', testGuest('counter'), { technique: 'trap-emulate' });
    const rogue = w.launch(2, 'rogue', testGuest('rogue'), { technique: 'trap-emulate' });
    w.expect('rogue', '!');
    w.run(20_000_000);
    expect(rogue.state).toBe('faulted');
    expect(w.output('rogue')).not.toContain('?');
    expect(w.hv.events.find((e) => e.partition === 2 && e.kind === 'faulted')?.detail).toMatch(/outside its memory/);
    const before = w.output('good').length;
    w.run(50_000_000);
    expect(w.output('good').length).toBeGreaterThan(before);
    expect(good.state).toBe('running');
  });

  it('is deterministic: the same input gives the same console and counters', async () => {
    const a = await run('trap-emulate');
    const b = await run('trap-emulate');
    expect(b).toEqual(a);
  });
});
