/**
 * The fault-injection lab and the preferred guest (M22, M24; docs/hypercalls.md#fault-injection): each
 * fault is injected into a real guest, and the test asserts what contained it and that the others
 * did not notice.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Partition } from '../../src/main/emulator/hypervisor/Partition.js';
import { testGuest, world, type Guest, type HvWorld } from './harness.js';

/** The tally guest, told which disk partition it was granted. */
function tally(partition: number): Guest {
  const g = testGuest('tally');
  const bytes = g.bytes.slice();
  new DataView(bytes.buffer).setUint32(4, partition, true); // part_no, after the first jump
  return { ...g, bytes };
}

/** The last block of disk partition `n` (where tally keeps its count). */
function tallyOnDisk(w: HvWorld, n: number): number {
  const table = new DataView(w.disk.data.buffer, w.disk.data.byteOffset, 512);
  const e = 16 + (n - 1) * 48;
  const block = table.getUint32(e + 8, true) + table.getUint32(e + 12, true) - 1;
  return new DataView(w.disk.data.buffer, w.disk.data.byteOffset + block * 512, 4).getUint32(0, true);
}

const counts = (out: string) => [...out.matchAll(/tally (\d+)\n/g)].map((m) => Number(m[1]));
const memHash = (w: HvWorld, p: Partition) =>
  createHash('sha256')
    .update(w.hv.readGuest(p, 0, p.memBytes) as Uint8Array)
    .digest('hex');
const now = (w: HvWorld) => w.machine.cpus[0].now();
const event = (w: HvWorld, id: number, kind: string) =>
  w.hv.events.filter((e) => e.partition === id && e.kind === kind);

describe('the preferred guest (M24)', () => {
  it('survives an injected hypervisor crash: memory in place, acknowledged writes on disk, console going on; the others are lost', async () => {
    const w = await world();
    const part = w.diskOs('cos').partition;
    const pref = w.launch(1, 'tally', tally(part), { memBytes: 2 << 20, grantDiskPartition: part });
    w.launch(2, 'other', testGuest('counter'), { memBytes: 2 << 20 });
    w.expect('tally', 'tally 3\n');
    w.hv.preferred = 1;
    const hashes: Record<string, string> = {};
    w.hv.opts.onEvent = (e) => {
      if (e.kind === 'crashed') hashes.crash = memHash(w, w.hv.partitions.get(1)!);
      if (e.kind === 'recovered') hashes.recovered = memHash(w, w.hv.partitions.get(1)!);
    };
    expect(w.hv.injectFault('crash', 0, now(w))).toBeUndefined();
    w.run(2_000_000);
    expect(w.hv.recoveries).toBe(1);
    // Its memory is where it was, byte for byte, across the restart of the hypervisor.
    expect(hashes.crash).toMatch(/^[0-9a-f]{64}$/);
    expect(hashes.recovered).toBe(hashes.crash);
    const atCrash = counts(w.output('tally'));
    const otherAtCrash = w.output('other').length;
    w.run(40_000_000);
    // Every other guest is gone; ctl was rebooted and told.
    expect([...w.hv.partitions.keys()].sort()).toEqual([0, 1]);
    expect(w.hv.partitions.get(1)).not.toBe(pref); // a new control block, from the saved one
    expect(w.hv.partitions.get(1)?.state).toBe('running');
    expect(w.output('other').length).toBe(otherAtCrash);
    expect(w.hv.partitions.get(0)?.inbox.map((m) => new TextDecoder().decode(m.data))).toEqual(['recovered 1']);
    expect(event(w, 0, 'crashed')[0]?.detail).toMatch(/1 guest lost \(2\)/);
    // Its console goes on counting from where it was: no number lost, none repeated, no restart.
    const all = counts(w.output('tally'));
    expect(all.length).toBeGreaterThan(atCrash.length + 2);
    expect(all).toEqual(all.map((_, i) => i + 1));
    // What it printed as acknowledged is on the disk.
    expect(tallyOnDisk(w, part)).toBe(all[all.length - 1]);
  });

  it('on two pCPUs, with the guests running on the other one, the preferred guest survives too', async () => {
    const w = await world({ cpus: 2 });
    const part = w.diskOs('cos').partition;
    w.launch(1, 'tally', tally(part), { memBytes: 2 << 20, grantDiskPartition: part, cpu: 1 });
    w.launch(2, 'other', testGuest('counter'), { memBytes: 2 << 20, cpu: 1 });
    w.expect('tally', 'tally 2\n');
    w.hv.preferred = 1;
    w.hv.injectFault('crash', 0, now(w));
    w.run(30_000_000);
    expect(w.hv.recoveries).toBe(1);
    expect([...w.hv.partitions.keys()].sort()).toEqual([0, 1]);
    expect(w.hv.partitions.get(0)?.vcpus.map((v) => v.home)).toEqual([0, 1]);
    const all = counts(w.output('tally'));
    expect(all.length).toBeGreaterThan(3);
    expect(all).toEqual(all.map((_, i) => i + 1));
    expect(tallyOnDisk(w, part)).toBe(all[all.length - 1]);
  });

  it('with no preferred guest a crash loses every guest; ctl alone is rebooted', async () => {
    const w = await world();
    w.launch(1, 'a', testGuest('counter'), { memBytes: 2 << 20 });
    w.run(5_000_000);
    w.hv.injectFault('crash', 0, now(w));
    w.run(5_000_000);
    expect([...w.hv.partitions.keys()]).toEqual([0]);
    expect(w.hv.partitions.get(0)?.inbox.map((m) => new TextDecoder().decode(m.data))).toEqual(['recovered none']);
    expect(w.hv.partitions.get(0)?.memBytes).toBe(w.hv.usableBytes); // all of the memory back
  });
});

describe('the fault-injection lab', () => {
  /** cos as the victim, a counting guest as the bystander. */
  async function cosAndBystander(): Promise<{ w: HvWorld; cos: Partition; good: Partition }> {
    const w = await world();
    const img = w.diskOs('cos');
    const good = w.launch(2, 'good', testGuest('counter'), { memBytes: 2 << 20 });
    const cos = w.launch(1, 'cos', img, { memBytes: 8 << 20, grantDiskPartition: img.partition });
    w.expect('cos', 'cos> ');
    return { w, cos, good };
  }

  const bystanderGoesOn = (w: HvWorld, good: Partition) => {
    const before = w.output('good').length;
    w.run(30_000_000);
    expect(w.output('good').length).toBeGreaterThan(before);
    expect(good.state).toBe('running');
  };

  it('kernel fault: its own kernel panics and shuts its partition down; ctl is told', async () => {
    const { w, cos, good } = await cosAndBystander();
    expect(w.hv.injectFault('kernel', 1, now(w))).toBeUndefined();
    w.run(20_000_000);
    expect(w.output('cos')).toMatch(/panic/i);
    expect(w.output('cos')).toMatch(/dead0000/);
    expect(cos.state).toBe('faulted');
    expect(event(w, 1, 'shutdown')).toHaveLength(1);
    bystanderGoesOn(w, good);
  });

  it('interrupts-off loop: the watchdog stops it', async () => {
    const { w, cos, good } = await cosAndBystander();
    expect(w.hv.injectFault('irqoff', 1, now(w))).toBeUndefined();
    w.run(150_000_000);
    expect(cos.state).toBe('faulted');
    expect(event(w, 1, 'faulted')[0]?.detail).toMatch(/interrupts off/);
    bystanderGoesOn(w, good);
  });

  it('write outside memory: stage 2 refuses it and the partition is stopped', async () => {
    const { w, cos, good } = await cosAndBystander();
    expect(w.hv.injectFault('wild', 1, now(w))).toBeUndefined();
    w.run(5_000_000);
    expect(cos.state).toBe('faulted');
    expect(event(w, 1, 'faulted')[0]?.detail).toMatch(/0xffc00000|ffc00000.*outside its memory/);
    expect(w.hv.partitions.get(0)?.inbox.map((m) => new TextDecoder().decode(m.data))).toContain('faulted 1');
    bystanderGoesOn(w, good);
  });

  it.each(['hardware', 'trap-emulate'] as const)(
    'write outside memory and kernel fault under %s: the same containment',
    async (technique) => {
      const w = await world();
      const img = w.diskOs('cos');
      const a = w.launch(1, 'a', img, { memBytes: 8 << 20, grantDiskPartition: img.partition, technique });
      const b = w.launch(2, 'b', img, { memBytes: 8 << 20, grantDiskPartition: img.partition, technique });
      w.expect('a', 'cos> ');
      w.expect('b', 'cos> ');
      w.hv.injectFault('wild', 1, now(w));
      w.hv.injectFault('kernel', 2, now(w));
      w.run(20_000_000);
      expect(a.state).toBe('faulted');
      expect(event(w, 1, 'faulted')[0]?.detail).toMatch(/0xffc00000 is outside its memory/);
      expect(b.state).toBe('faulted');
      expect(w.output('b')).toMatch(/dead0000/);
    },
  );

  it('DMA outside memory: the DMA domain refuses the transfer; the guest goes on', async () => {
    const w = await world();
    const part = w.diskOs('cos').partition;
    const t = w.launch(1, 'tally', tally(part), { memBytes: 2 << 20, grantDiskPartition: part });
    const good = w.launch(2, 'good', testGuest('counter'), { memBytes: 2 << 20 });
    w.expect('tally', 'tally 2\n');
    const ram = w.machine.mem.u8.slice();
    expect(w.hv.injectFault('dma', 1, now(w))).toBeUndefined();
    // Refused: STATUS 3 (DMA fault), and no byte of the machine's RAM changed by the transfer.
    expect(event(w, 1, 'injected')[0]?.detail).toMatch(/STATUS 3/);
    expect(Buffer.compare(Buffer.from(w.machine.mem.u8), Buffer.from(ram))).toBe(0);
    w.expect('tally', 'tally 4\n');
    expect(t.state).toBe('running');
    bystanderGoesOn(w, good);
  });

  it('disk write error: the write is refused and reported, nothing is written, the count stays right', async () => {
    const w = await world();
    const part = w.diskOs('cos').partition;
    w.launch(1, 'tally', tally(part), { memBytes: 2 << 20, grantDiskPartition: part });
    w.expect('tally', 'tally 2\n');
    expect(w.hv.injectFault('diskerr', 1, now(w))).toBeUndefined();
    // In small steps, to look at the disk right after the refused write.
    for (let i = 0; i < 2000 && !w.output('tally').includes('write error'); i++) w.machine.run(10_000);
    const failed = Number(/tally (\d+): write error 4\n/.exec(w.output('tally'))?.[1]);
    expect(tallyOnDisk(w, part)).toBe(failed - 1); // nothing written: the acknowledged count stays
    w.expect('tally', `tally ${failed + 1}\n`);
    // The next try of the same count succeeded; the console says each count once as acknowledged.
    expect(w.output('tally')).toContain(`tally ${failed - 1}\ntally ${failed}: write error 4\ntally ${failed}\n`);
    const acked = counts(w.output('tally'));
    expect(acked).toEqual(acked.map((_, i) => i + 1));
    expect(tallyOnDisk(w, part)).toBe(acked[acked.length - 1]);
  });

  it('primary failure: the partition fail-stops; ctl is told', async () => {
    const { w, cos, good } = await cosAndBystander();
    expect(w.hv.injectFault('fail', 1, now(w))).toBeUndefined();
    expect(cos.state).toBe('faulted');
    expect(w.hv.partitions.get(0)?.inbox.map((m) => new TextDecoder().decode(m.data))).toContain('faulted 1');
    bystanderGoesOn(w, good);
  });

  it('refuses faults that cannot be injected, with the reason', async () => {
    const w = await world();
    w.launch(1, 'bare', testGuest('counter'), { memBytes: 2 << 20 });
    expect(w.hv.injectFault('kernel', 0, now(w))?.message).toMatch(/not into ctl/);
    expect(w.hv.injectFault('kernel', 7, now(w))?.message).toMatch(/no partition 7/);
    expect(w.hv.injectFault('dma', 1, now(w))?.message).toMatch(/no virtual disk/);
    expect(w.hv.injectFault('wild', 1, now(w))?.message).toMatch(/translation off/);
  });
});
