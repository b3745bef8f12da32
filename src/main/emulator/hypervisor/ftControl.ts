/**
 * The fault-tolerance operations on the hypervisor (M23, docs/fault-tolerance.md; the data is in
 * ft.ts): pairing a client with a backup (ft_on), ending an epoch (commit), unpairing (ft_off) and
 * the takeover after an injected primary failure (failover).
 */
import { E, fail, type HvError } from './errors.js';
import { checkpointOf, copyDirty, FT_EPOCH_INSTRUCTIONS, newPair, type FtPair } from './ft.js';
import type { Hypervisor } from './Hypervisor.js';
import { MAX_PARTITION_ID } from './hypercalls.js';
import { loadPartition, restoreDevices } from './state.js';
import type { Vcpu } from './Vcpu.js';

/**
 * ft_on: give client `id` a backup partition with [gpa, gpa+size) of ctl's memory (as much as the
 * primary has), its vCPU on another pCPU when there is one. Returns the backup's id, or why not.
 */
export function ftOn(hv: Hypervisor, id: number, bid: number, gpa: number, size: number): number | HvError {
  const p = hv.partitions.get(id);
  if (!p || p.state === 'destroyed') return fail(E.NOENT, `no partition ${id}`);
  if (id === 0)
    return fail(
      E.INVAL,
      'ctl has no backup: it is the one that pairs the others (and a failure of ctl is the machine)',
    );
  const paired = hv.ftPairOf(id);
  if (paired)
    return fail(
      E.BUSY,
      paired.primary === id
        ? `partition ${id} already has a backup (${paired.backup})`
        : `partition ${id} is the backup of ${paired.primary}`,
    );
  if (p.state !== 'running') return fail(E.BUSY, `partition ${id} is not running (${p.state})`);
  if (p.vcpus.length !== 1)
    return fail(E.INVAL, `partition ${id} has ${p.vcpus.length} vCPUs: a backup follows a one-vCPU client only`);
  if (p.shared.length) return fail(E.INVAL, `partition ${id} maps shared pages: its backup could not have them`);
  if (p.devices.size)
    return fail(
      E.INVAL,
      `partition ${id} owns physical devices (${[...p.devices].join(', ')}): their state cannot be copied to a backup`,
    );
  if (size !== p.memBytes)
    return fail(E.NOMEM, `the backup needs ${p.memBytes >> 10} KiB, as much as its primary, not ${size >> 10} KiB`);
  if (bid < 1 || bid > MAX_PARTITION_ID) return fail(E.INVAL, `${bid} is not a partition id for the backup`);
  if (hv.partitions.has(bid)) return fail(E.BUSY, `partition ${bid} exists: the backup needs a free id`);
  const ctl = hv.partitions.get(0);
  if (!ctl) return fail(E.NOENT, 'no ctl');
  const b = hv.create(bid, `${p.name}~b`);
  const err = hv.moveMemory(ctl, b, gpa >>> 0, size >>> 0);
  if (err) {
    hv.partitions.delete(bid);
    hv.log(bid, 'destroyed', `no memory for the backup of ${id}: ${err.message}`);
    return err;
  }
  const cpus = hv.machine.cpus.length;
  const home = (p.vcpus[0].home + 1) % cpus;
  hv.addVcpu(b, home);
  b.state = 'stopped';
  const pair = newPair(id, bid);
  hv.ft.set(id, pair);
  const cpu = hv.takeOff(p.vcpus[0]);
  commit(hv, pair);
  if (cpu) hv.reschedule(cpu);
  hv.log(
    id,
    'ft',
    `backup ${bid} (${b.name}) on pCPU ${home}: epochs of at most ${FT_EPOCH_INSTRUCTIONS} instructions, output held until the backup has its epoch`,
  );
  return bid;
}

/** ft_query's 32 bytes for partition `id` (docs/fault-tolerance.md#ft_query), or undefined. */
export function ftQuery(hv: Hypervisor, id: number): Uint8Array | undefined {
  const pair = hv.ft.get(id);
  const last = hv.ftLast?.id === id ? hv.ftLast : undefined;
  if (!pair && !last) return undefined;
  const b = new Uint8Array(32);
  const dv = new DataView(b.buffer);
  const sat = (n: number) => Math.min(n, 0xffffffff) >>> 0;
  dv.setInt32(0, pair ? pair.backup : -1, true);
  if (pair) {
    const v = hv.partitions.get(id)?.vcpus[0];
    dv.setUint32(4, sat(pair.epoch), true);
    dv.setUint32(8, sat(v ? ftLive(hv, v) - pair.epochStart : 0), true);
    dv.setUint32(12, sat(pair.heldConsole.length), true);
    dv.setUint32(16, sat(pair.heldFrames.length), true);
    dv.setUint32(20, sat(pair.stats.lastDirtyPages), true);
    dv.setUint32(28, hv.partitions.get(pair.backup)?.vcpus[0]?.home ?? 0, true);
  } else if (last) {
    dv.setUint32(4, sat(last.epoch), true);
    dv.setUint32(28, last.pcpu, true);
  }
  dv.setInt32(24, last && last.cycles !== null ? Math.min(last.cycles, 0x7fffffff) : -1, true);
  return b;
}

/** A vCPU's retired instructions now (live on its pCPU while it runs there). */
export function ftLive(hv: Hypervisor, v: Vcpu): number {
  return v.runningOn >= 0 ? hv.machine.cpus[v.runningOn].instret : v.instret;
}

/** ft_off: no backup any more; its held output leaves now, the backup's memory goes back to ctl. */
export function ftOff(hv: Hypervisor, id: number): HvError | undefined {
  const pair = hv.ft.get(id);
  if (!pair) return fail(E.NOENT, `partition ${id} has no backup`);
  release(hv, pair);
  hv.ft.delete(id);
  hv.destroy(pair.backup);
  hv.log(id, 'ft', `backup ${pair.backup} removed: no fault tolerance`);
  return undefined;
}

/** Send the held output of `pair`'s open epoch (the backup has it, or FT ends). */
function release(hv: Hypervisor, pair: FtPair): void {
  const p = hv.partitions.get(pair.primary);
  if (!p) return;
  if (pair.heldConsole.length) {
    const sink = hv.opts.consoleFor(p);
    for (const b of pair.heldConsole) sink.write(b);
    pair.stats.releasedBytes += pair.heldConsole.length;
    pair.heldConsole.length = 0;
  }
  // The epoch's disk writes reach the disk, in the order the guest made them.
  const disk = pair.heldBlocks.length ? hv.grantedBackend(p) : undefined;
  for (const [lba, b] of pair.heldBlocks) disk?.write(lba, b);
  pair.heldBlocks.length = 0;
  for (const f of pair.heldFrames) hv.bridge.forward(p.id, f);
  pair.stats.releasedFrames += pair.heldFrames.length;
  pair.heldFrames.length = 0;
}

/** Whether the open epoch has anything the backup should have now. */
export function epochDue(pair: FtPair, instret: number, waiting: boolean): boolean {
  if (instret - pair.epochStart >= FT_EPOCH_INSTRUCTIONS) return true;
  const any =
    pair.heldConsole.length +
      pair.heldFrames.length +
      pair.heldBlocks.length +
      pair.inputBytes.length +
      pair.inputFrames.length +
      pair.inputMessages.length >
    0;
  return waiting ? any || instret !== pair.epochStart : false;
}

/**
 * The end of an epoch (the primary's vCPU saved, off every pCPU): the backup gets the epoch's dirty
 * pages and the checkpoint; then the epoch's output leaves and its input log is cleared.
 */
export function commit(hv: Hypervisor, pair: FtPair): void {
  const p = hv.partitions.get(pair.primary);
  const b = hv.partitions.get(pair.backup);
  if (!p || !b) return;
  const mem = hv.machine.mem;
  const dirty = copyDirty(mem.u8, p, b);
  // Copying a dirty page is 1,024 word copies (src/shared/hvCosts.ts), as a hypervisor would do.
  hv.charge('copyWord', dirty * 1024, undefined, p);
  pair.stats.pagesCopied += dirty;
  pair.stats.lastDirtyPages = dirty;
  pair.checkpoint = checkpointOf(p, hv.machine.cpus.length);
  pair.epoch++;
  pair.epochStart = p.vcpus[0].instret;
  release(hv, pair);
  pair.inputBytes.length = 0;
  pair.inputFrames.length = 0;
  pair.inputMessages.length = 0;
}

/**
 * The primary of `pair` failed (fault_inject fail): it is stopped, its held output discarded; the
 * backup becomes the partition, with its memory, on its pCPU, from the last epoch boundary, and is
 * given the open epoch's input again. `now` is pCPU 0's time of the failure.
 */
export function failover(hv: Hypervisor, pair: FtPair, now: number): HvError | undefined {
  const p = hv.partitions.get(pair.primary);
  const b = hv.partitions.get(pair.backup);
  const cp = pair.checkpoint;
  // (Messages posted in the open epoch are given again below; a caller waiting in msg_call for a
  // reply gets ENOENT as the primary stops, as for any partition that stops.)
  if (!p || !b || !cp) return fail(E.NOENT, `partition ${pair.primary} has no usable backup`);
  hv.ft.delete(pair.primary);
  const work = hv.stats.hvCycles;
  p.stats.faults++;
  hv.halt(p, 'faulted', `injected primary failure (fail-stop): its backup ${b.id} takes over`);
  const discardedBytes = pair.heldConsole.length;
  const discardedFrames = pair.heldFrames.length;
  const discardedBlocks = pair.heldBlocks.length;
  // The failed primary keeps the backup's memory for a moment and gives it back to ctl as the
  // backup is destroyed; the primary's id now holds the backup's memory (the epoch's state).
  const theirs = b.memory.map((r) => ({ ...r }));
  b.memory.length = 0;
  b.memory.push(...p.memory.map((r) => ({ ...r })));
  p.memory.length = 0;
  p.memory.push(...theirs);
  const home = b.vcpus[0].home;
  hv.destroy(b.id);
  for (const v of p.vcpus) hv.dequeue(v);
  const q = loadPartition(
    {
      ...cp,
      memory: theirs,
      vcpus: cp.vcpus.map((v) => ({ ...v, home })),
      lastOn: cp.lastOn.map(() => -1),
    },
    (x) => hv.kick(x),
  );
  q.pristine = p.pristine;
  q.vmid = p.vmid;
  q.s2root = 0;
  q.stats.faults = p.stats.faults;
  for (const c of hv.machine.cpus) if (q.vmid) c.tlb.flushVmid(q.vmid);
  for (const v of q.vcpus) if (v.te) v.te = { vptbr: v.te.vptbr, shadow: undefined, stale: true };
  hv.partitions.set(q.id, q);
  for (const v of q.vcpus) hv.enqueue(v);
  if (!hv.remap(q)) {
    q.state = 'faulted';
    hv.log(q.id, 'faulted', 'the backup could not take over: the hypervisor reserve is full');
    return fail(E.NOMEM, 'the hypervisor reserve is full');
  }
  hv.buildDevices(q);
  restoreDevices(q, cp);
  // The open epoch's input, again and in order: its console bytes, the frames delivered to its port.
  if (pair.inputBytes.length) hv.vconsoles.get(q.id)?.input(pair.inputBytes);
  const port = hv.bridge.port(q.id);
  for (const f of pair.inputFrames) port?.endpoint.receive(f);
  for (const m of pair.inputMessages) q.inbox.push({ from: m.from, data: m.data, wantsReply: false });
  hv.notify(q);
  hv.ftLast = {
    id: q.id,
    name: q.name,
    failedAt: now,
    cycles: null,
    epoch: pair.epoch,
    replayedBytes: pair.inputBytes.length,
    replayedFrames: pair.inputFrames.length,
    discardedBytes,
    discardedFrames,
    discardedBlocks,
    pcpu: home,
  };
  hv.log(
    q.id,
    'ft',
    `takeover: backup ${b.id} is ${q.id} (${q.name}) on pCPU ${home} from epoch ${pair.epoch}; ${pair.inputBytes.length} console bytes and ${pair.inputFrames.length} frames of the open epoch given again, ${discardedBytes} held bytes, ${discardedFrames} held frames and ${discardedBlocks} held disk blocks never sent`,
  );
  for (const v of q.vcpus) hv.kick(v);
  const v = q.vcpus[0];
  if (v && v.state === 'blocked') {
    // It waits, as its primary did, for its next event (a key, a frame, its timer): it is in place
    // now, and the takeover took the hypervisor's work of it (docs/fault-tolerance.md#takeover).
    hv.ftLast.cycles = hv.stats.hvCycles - work;
    hv.log(q.id, 'ft', `takeover done in ${hv.ftLast.cycles} cycles of machine time (it waits for its next event)`);
  }
  return undefined;
}
