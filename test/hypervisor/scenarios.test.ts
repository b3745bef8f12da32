/**
 * One scenario per hypervisor mechanism (issue 4), each asserting what a user would see.
 */
import { describe, expect, it } from 'vitest';
import { testGuest, world } from './harness.js';

describe('hypervisor scenarios', () => {
  it('two clients (cos and swos) run side by side, each on its own console', async () => {
    const w = await world();
    const cos = w.diskOs('cos');
    const swos = w.diskOs('swos');
    w.launch(1, 'cos', cos, { memBytes: 8 << 20, grantDiskPartition: cos.partition });
    w.launch(2, 'swos', swos, { memBytes: 4 << 20, grantDiskPartition: swos.partition });
    w.expect('cos', 'cos> ');
    w.expect('swos', 'swos$ ');
    expect(w.output('cos')).toContain('8 MiB RAM');
    expect(w.output('swos')).toContain('memory: 4096 KiB (probed)'); // probing finds exactly its own
    w.type(1, 'primes\r');
    w.type(2, 'dir\r');
    w.expect('cos', '1229 primes below 10000');
    w.expect('swos', 'README.TXT');
    expect(w.hv.partitions.get(1)?.state).toBe('running');
    expect(w.hv.partitions.get(2)?.state).toBe('running');
    // cos knows it is a client and writes its console by hypercall (paravirtual, M18); swos cannot
    // be changed and drives the emulated UART (every access a trap to the hypervisor).
    expect(w.hv.partitions.get(1)?.stats.hypercalls).toBeGreaterThan(100);
    expect(w.hv.partitions.get(2)?.stats.hypercalls).toBe(0);
    expect(w.hv.partitions.get(2)?.stats.mmioExits).toBeGreaterThan(100);
  });

  it('a client calling the control API is refused with EPERM', async () => {
    const w = await world();
    w.launch(1, 'evil', testGuest('eperm'));
    w.expect('evil', 'r=-1\n');
    w.run(1_000_000);
    expect(w.hv.partitions.has(9)).toBe(false);
    expect(w.hv.partitions.get(1)?.state).toBe('faulted'); // it shut down with code 1
  });

  it('a rogue guest writing outside its memory is stopped; the others go on', async () => {
    const w = await world();
    const good = w.launch(1, 'good', testGuest('counter'));
    const rogue = w.launch(2, 'rogue', testGuest('rogue'));
    w.expect('rogue', '!');
    w.run(20_000_000);
    expect(rogue.state).toBe('faulted');
    expect(w.output('rogue')).not.toContain('?');
    const ev = w.hv.events.find((e) => e.partition === 2 && e.kind === 'faulted');
    expect(ev?.detail).toMatch(/outside its memory/);
    const before = w.output('good').length;
    w.run(50_000_000);
    expect(w.output('good').length).toBeGreaterThan(before);
    expect(good.state).toBe('running');
  });

  it('a guest looping with interrupts off is stopped by the watchdog; the others go on', async () => {
    const w = await world();
    const good = w.launch(1, 'good', testGuest('counter'));
    const bad = w.launch(2, 'masked', testGuest('masked'));
    w.run(250_000_000);
    expect(bad.state).toBe('faulted');
    expect(w.hv.events.find((e) => e.partition === 2 && e.kind === 'faulted')?.detail).toMatch(/interrupts off/);
    expect(good.state).toBe('running');
  });

  it("a faulting guest is stopped and ctl is told; restarting it is ctl's decision, not the hypervisor's", async () => {
    const w = await world();
    const rogue = w.launch(2, 'rogue', testGuest('rogue'));
    w.run(200_000_000);
    const ctl = w.hv.partitions.get(0);
    expect(ctl?.inbox.map((m) => new TextDecoder().decode(m.data))).toEqual(['faulted 2']);
    expect(w.hv.events.filter((e) => e.partition === 2 && e.kind === 'restarted')).toHaveLength(0);
    expect(w.output('rogue')).toBe('!'); // it ran once
    expect(rogue.state).toBe('faulted');
    // What ctl's policy does on that notice (test/guests/ctl.test.ts drives ctl itself): part_restart.
    expect(w.hv.restart(2)).toBeUndefined();
    w.run(50_000_000);
    expect(w.output('rogue')).toBe('!!');
    expect(rogue.state).toBe('faulted');
  });

  it('eight guests on two pCPUs all make progress', async () => {
    const w = await world({ cpus: 2, memBytes: 64 << 20 });
    const g = testGuest('counter');
    for (let i = 1; i <= 8; i++) w.launch(i, `g${i}`, g, { memBytes: 2 << 20, cpu: i % 2 });
    w.run(200_000_000);
    for (let i = 1; i <= 8; i++) expect(w.output(`g${i}`).length, `g${i}`).toBeGreaterThan(3);
    expect(w.hv.stats.worldSwitches).toBeGreaterThan(50);
  });

  it('input for a descheduled guest is queued and delivered when it runs', async () => {
    const w = await world();
    const cos = w.diskOs('cos');
    w.launch(1, 'busy', testGuest('counter'));
    w.launch(2, 'cos', cos, { memBytes: 8 << 20, grantDiskPartition: cos.partition });
    w.expect('cos', 'cos> ');
    w.type(2, 'echo still here\r');
    w.expect('cos', 'still here');
  });

  it('a client that reboots restarts from its loaded image, not from the state it left', async () => {
    const w = await world();
    const cos = w.diskOs('cos');
    const p = w.launch(1, 'cos', cos, { memBytes: 8 << 20, grantDiskPartition: cos.partition });
    w.expect('cos', 'cos> ');
    w.type(1, 'burner 2000000000 &\r');
    w.run(20_000_000);
    w.type(1, 'reboot\r');
    w.run(100_000_000);
    w.type(1, 'ps\r');
    w.expect('cos', /cos> ps\r?\n\s+PID STATE/);
    expect(p.state).toBe('running');
    expect(w.hv.events.some((e) => e.partition === 1 && e.kind === 'restarted')).toBe(true);
  });

  it('a partition never started cannot be restarted (no image to restart): EINVAL, and it stays as it was', async () => {
    const w = await world();
    w.hv.create(5, 'blank');
    const p = w.hv.partitions.get(5)!;
    w.hv.addVcpu(p, 0);
    const err = w.hv.restart(5);
    expect(err?.message).toBe('partition 5 was never started: start it first');
    expect(p.state).toBe('created');
    expect(p.pristine).toBeUndefined();
    expect(w.hv.events.some((e) => e.partition === 5 && e.kind === 'restarted')).toBe(false);
  });

  it('an idle guest whose timer expired after it disabled it costs nothing (no interrupt storm)', async () => {
    const w = await world({ cpus: 2 });
    const cos = w.diskOs('cos');
    w.launch(1, 'cos', cos, { memBytes: 8 << 20, grantDiskPartition: cos.partition, cpu: 1 });
    w.expect('cos', 'cos> ');
    w.type(1, 'primes\r');
    w.expect('cos', '1229 primes below 10000');
    w.run(5_000_000);
    const before = w.hv.stats.interrupts;
    w.run(500_000_000);
    expect(w.hv.stats.interrupts - before).toBeLessThan(1000);
  });

  it('the same run gives the same consoles and state (deterministic)', async () => {
    const once = async () => {
      const w = await world({ cpus: 2 });
      const g = testGuest('counter');
      for (let i = 1; i <= 3; i++) w.launch(i, `g${i}`, g, { memBytes: 2 << 20, cpu: i % 2 });
      w.run(30_000_000);
      return [w.output('g1'), w.output('g2'), w.output('g3'), w.machine.stateHash()];
    };
    expect(await once()).toEqual(await once());
  });
});
