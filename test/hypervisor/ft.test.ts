/**
 * Fault tolerance (M23, docs/fault-tolerance.md): a cos client paired with a backup partition. The
 * backup has each epoch the primary finished (memory and vCPU equal at the boundary), output leaves
 * only once the backup has its epoch, and after an injected primary failure the backup takes over
 * with nothing of the console lost or repeated.
 */
import { describe, expect, it } from 'vitest';
import { E } from '../../src/main/emulator/hypervisor/errors.js';
import { FT_EPOCH_INSTRUCTIONS } from '../../src/main/emulator/hypervisor/ft.js';
import { ftOff, ftOn } from '../../src/main/emulator/hypervisor/ftControl.js';
import type { Partition } from '../../src/main/emulator/hypervisor/Partition.js';
import { HvError } from '../../src/main/emulator/hypervisor/errors.js';
import { post } from '../../src/main/emulator/hypervisor/messages.js';
import { HvWorld, testGuest, world } from './harness.js';

const MEM = 8 << 20;

/** cos as partition 1 on pCPU 0 of a 2-pCPU machine (or of `cpus`), at its prompt. */
async function cosWorld(cpus = 2): Promise<{ w: HvWorld; cos: Partition }> {
  const w = await world({ cpus });
  const img = w.diskOs('cos');
  const cos = w.launch(1, 'cos', img, { memBytes: MEM, grantDiskPartition: img.partition });
  w.expect('cos', 'cos> ');
  return { w, cos };
}

/** Pair partition `id` with a backup taken from the top of ctl's memory. */
function pair(w: HvWorld, id: number, size = MEM): number | HvError {
  const ctl = w.hv.partitions.get(0)!;
  return ftOn(w.hv, id, 60, ctl.memEnd - size, size);
}

/** Type `cmd` and run until the next prompt after it. */
function command(w: HvWorld, cmd: string): void {
  const before = w.output('cos').length;
  w.type(1, cmd + '\r');
  for (let i = 0; i < 3000 && !w.output('cos').slice(before).includes('cos> '); i++) w.run(1_000_000);
}

const same = (w: HvWorld, a: Partition, b: Partition) => {
  const x = w.hv.readGuest(a, 0, a.memBytes)!;
  const y = w.hv.readGuest(b, 0, b.memBytes)!;
  return Buffer.from(x.buffer, x.byteOffset, x.length).equals(Buffer.from(y.buffer, y.byteOffset, y.length));
};

describe('fault tolerance (M23)', () => {
  it('pairs a client: the backup has every finished epoch (memory and vCPU equal at the boundary)', async () => {
    const { w, cos } = await cosWorld();
    const bid = pair(w, 1);
    expect(typeof bid).toBe('number');
    const b = w.hv.partitions.get(bid as number)!;
    expect(b.name).toBe('cos~b');
    expect(b.vcpus.map((v) => v.home)).toEqual([1]);
    expect(b.state).toBe('stopped');
    const p = w.hv.ft.get(1)!;
    const checked = new Set<number>();
    for (let i = 0; i < 60; i++) {
      if (i % 12 === 5) w.type(1, ['help\r', 'devs\r', 'ls\r', 'mem\r', 'help\r'][(i - 5) / 12]);
      w.run(500_000);
      // Whenever the primary waits, the epoch it ran has been handed over: the backup's memory is
      // the primary's, the checkpoint is its vCPU, and nothing is held.
      const v = cos.vcpus[0];
      if (v.state === 'blocked' && v.runningOn < 0 && p.epochStart === v.instret) {
        expect(same(w, cos, b)).toBe(true);
        const saved = p.checkpoint!.vcpus[0];
        expect(saved.pc).toBe(v.pc);
        expect(saved.regs).toEqual(Array.from(v.regs));
        expect(saved.instret).toBe(v.instret);
        expect(p.heldConsole).toEqual([]);
        checked.add(p.epoch);
      }
    }
    // At several distinct epoch boundaries.
    expect(checked.size).toBeGreaterThan(3);
    expect(w.output('cos')).toContain('help');
  });

  it('holds the output of an epoch until the backup has it', async () => {
    const { w } = await cosWorld();
    pair(w, 1);
    const p = w.hv.ft.get(1)!;
    const before = w.output('cos').length;
    const releasedAt = p.stats.releasedBytes;
    w.type(1, 'help\r');
    let sawHeld = false;
    for (let i = 0; i < 4000 && !w.output('cos').slice(before).includes('cos> '); i++) {
      w.step(20_000);
      // What the console shows is exactly what was released; the open epoch's output is not there.
      expect(w.output('cos').length - before).toBe(p.stats.releasedBytes - releasedAt);
      if (p.heldConsole.length) sawHeld = true;
    }
    expect(sawHeld).toBe(true);
    expect(w.output('cos').slice(before)).toMatch(/help[\s\S]*cos> $/);
  });

  it('after `fail` the backup takes over: the console is the unfailed run, nothing lost or repeated', async () => {
    const cmds = ['help', 'devs', 'ls'];
    // The unfailed run.
    const a = await cosWorld();
    pair(a.w, 1);
    for (const c of cmds) command(a.w, c);
    const expected = a.w.output('cos');
    // The failed one: the primary fails while `devs` is printing (its open epoch has output held
    // and input logged).
    const { w } = await cosWorld();
    const bid = pair(w, 1) as number;
    command(w, 'help');
    w.type(1, 'devs\r');
    for (let i = 0; i < 400 && w.hv.ft.get(1)!.heldConsole.length === 0; i++) w.step(5_000);
    expect(w.hv.ft.get(1)!.heldConsole.length).toBeGreaterThan(0);
    const ctlBefore = w.hv.partitions.get(0)!.memBytes;
    expect(w.hv.injectFault('fail', 1, w.machine.cpus[0].now())).toBeUndefined();
    // The backup is partition 1 now, on the other pCPU; the failed one's memory went back to ctl.
    expect(w.hv.partitions.has(bid)).toBe(false);
    const q = w.hv.partitions.get(1)!;
    expect(q.name).toBe('cos');
    expect(q.state).toBe('running');
    expect(q.vcpus.map((v) => v.home)).toEqual([1]);
    expect(w.hv.partitions.get(0)!.memBytes).toBe(ctlBefore + MEM);
    expect(w.hv.ftLast?.discardedBytes).toBeGreaterThan(0);
    w.expect('cos', /devs[\s\S]*cos> [\s\S]*cos> $/);
    command(w, 'ls');
    expect(w.output('cos')).toBe(expected);
    expect(w.hv.ftLast?.cycles).toBeGreaterThan(0);
    expect(w.hv.events.some((e) => e.kind === 'ft' && /takeover done/.test(e.detail))).toBe(true);
  });

  it('holds disk writes with the epoch: a takeover in the middle of `tally` neither loses nor repeats a count', async () => {
    const { w } = await cosWorld(1);
    pair(w, 1);
    command(w, 'tally');
    command(w, 'tally');
    const p = w.hv.ft.get(1)!;
    w.type(1, 'tally\r');
    // One pCPU: the machine runs in steps of exactly this many cycles, so the test can stop between
    // the write and the end of its epoch (cos waits for the disk's interrupt right after it).
    for (let i = 0; i < 400_000 && p.heldBlocks.length === 0; i++) w.step(20);
    // The write is held: the disk does not have it yet, the guest's own reads would.
    expect(p.heldBlocks.length).toBeGreaterThan(0);
    expect(w.hv.injectFault('fail', 1, w.machine.cpus[0].now())).toBeUndefined();
    expect(w.hv.ftLast?.discardedBlocks).toBeGreaterThan(0);
    w.expect('cos', /tally 3 \(on disk\)[\s\S]*cos> $/);
    command(w, 'tally');
    const counts = [...w.output('cos').matchAll(/tally (\d+) \(on disk\)/g)].map((m) => Number(m[1]));
    expect(counts).toEqual([1, 2, 3, 4]);
  });

  it('a snapshot taken with output held and input logged restores the pair: the same run after it', async () => {
    const { w } = await cosWorld();
    pair(w, 1);
    w.type(1, 'devs\r');
    for (let i = 0; i < 400 && w.hv.ft.get(1)!.heldConsole.length === 0; i++) w.step(5_000);
    expect(w.hv.ft.get(1)!.heldConsole.length).toBeGreaterThan(0);
    const snap = {
      machine: structuredClone(w.machine.saveState()),
      hv: structuredClone(w.hv.saveState()),
      disk: w.disk.data.slice(),
      out: w.output('cos'),
    };
    expect(snap.hv.ft?.pairs.length).toBe(1);
    w.run(20_000_000);
    const after = w.output('cos').slice(snap.out.length);
    expect(after).toMatch(/cos> $/);
    const h = `${w.machine.stateHash()} ${w.hv.stateHash()}`;
    const w2 = new HvWorld({ cpus: 2, diskImage: snap.disk });
    w2.machine.restoreState(snap.machine);
    w2.hv.restoreState(snap.hv);
    expect(w2.hv.ft.get(1)?.heldConsole).toEqual(snap.hv.ft!.pairs[0]!.heldConsole);
    w2.run(20_000_000);
    expect(w2.output('cos')).toBe(after);
    expect(`${w2.machine.stateHash()} ${w2.hv.stateHash()}`).toBe(h);
  });

  it('a message posted in the open epoch is in the inbox of the backup that took over', async () => {
    const { w } = await cosWorld();
    pair(w, 1);
    const before = w.hv.partitions.get(1)!.inbox.length;
    expect(post(w.hv, 0, w.hv.partitions.get(1)!, new TextEncoder().encode('hello cos'), false)).toBe(0);
    expect(w.hv.ft.get(1)!.inputMessages.length).toBe(1);
    expect(w.hv.injectFault('fail', 1, w.machine.cpus[0].now())).toBeUndefined();
    const q = w.hv.partitions.get(1)!;
    expect(q.inbox.length).toBe(before + 1);
    expect(new TextDecoder().decode(q.inbox[q.inbox.length - 1]!.data)).toBe('hello cos');
  });

  it('refuses ctl, a second pairing, a backup of the backup, too little memory, two vCPUs', async () => {
    const { w } = await cosWorld();
    const smp = w.launch(3, 'smp', testGuest('counter'), { memBytes: 2 << 20, cpus: [0, 1] });
    const one = w.launch(4, 'one', testGuest('counter'), { memBytes: 2 << 20 });
    const err = (r: number | HvError) => (r instanceof HvError ? r : undefined);
    expect(err(pair(w, 0))?.message).toMatch(/ctl has no backup/);
    const bid = pair(w, 1) as number;
    expect(err(pair(w, 1))?.code).toBe(E.BUSY);
    expect(err(pair(w, 1))?.message).toMatch(/already has a backup/);
    expect(err(pair(w, bid))?.message).toMatch(/is the backup of 1/);
    expect(w.hv.start(bid, 0, 0)?.message).toMatch(/backup of 1/);
    expect(err(pair(w, smp.id, 2 << 20))?.message).toMatch(/2 vCPUs: a backup follows a one-vCPU client only/);
    // More than ctl has: the memory move is refused, and no backup partition is left behind.
    const ids = [...w.hv.partitions.keys()];
    const r = err(ftOn(w.hv, one.id, 61, 0, w.hv.partitions.get(0)!.memBytes + (2 << 20)));
    expect(r).toBeDefined();
    expect([...w.hv.partitions.keys()].sort()).toEqual(ids.sort());
    // Turning it off gives the backup's memory back.
    const ctlBefore = w.hv.partitions.get(0)!.memBytes;
    expect(ftOff(w.hv, 1)).toBeUndefined();
    expect(w.hv.partitions.has(bid)).toBe(false);
    expect(w.hv.partitions.get(0)!.memBytes).toBe(ctlBefore + MEM);
    expect(FT_EPOCH_INSTRUCTIONS).toBeGreaterThan(0);
  });
});
