/**
 * Fault tolerance (M23, docs/fault-tolerance.md): a client with a backup partition, after Bressoud
 * and Schneider's primary/backup protocol, adapted (the doc says how and why):
 *
 * - The primary runs in epochs. An epoch ends when its vCPU has retired FT_EPOCH_INSTRUCTIONS since
 *   the last one (checked at its hypervisor ticks), or when it waits (wfi, a blocked hypercall) with
 *   something held or logged. At an epoch's end the backup is brought to the primary's state at that
 *   boundary: the pages the epoch changed are copied into the backup's own memory (from ctl), and
 *   the vCPU and virtual devices are kept as the epoch's checkpoint (state.ts's plain data).
 * - Every input from outside that reaches the primary in an epoch is logged in order: console bytes
 *   typed at it, frames the bridge delivers to its port, messages other partitions post to it.
 * - Output commit: what the primary sends out in an epoch (console bytes, frames) is held and leaves
 *   only when the backup has that epoch (the epoch's end); never before, never twice.
 * - Failover (`fail ID`): the primary is fail-stopped; its held output is discarded; the backup
 *   takes over its id, name, console and bridge port from the last epoch boundary, and the inputs
 *   logged since are given to it again, in order. What it then sends was never sent before (held
 *   output was discarded), and nothing it had sent is sent again: no acknowledged output is lost or
 *   repeated.
 *
 * Mechanism only: ctl decides whom to pair and gives the backup's memory (ft_on), and injects the
 * failure (fault_inject fail).
 */
import { BLOCK_SIZE, type BlockBackend } from '../devices/disk/BlockBackend.js';
import type { Partition } from './Partition.js';
import { savePartition, type PartitionSaved } from './state.js';

/** Instructions of the primary's vCPU per epoch (at most; it also ends when the guest waits). */
export const FT_EPOCH_INSTRUCTIONS = 1_000_000;
const PAGE = 4096;

/** A primary and its backup. */
export interface FtPair {
  primary: number;
  backup: number;
  /** Epochs the backup has (committed). */
  epoch: number;
  /** The primary's instret at the last epoch boundary. */
  epochStart: number;
  /** The primary's vCPU and devices at the last boundary (its memory is the backup's memory). */
  checkpoint: PartitionSaved | undefined;
  /** Output of the open epoch, held until the backup has it. */
  heldConsole: number[];
  heldFrames: Uint8Array[];
  /** Disk writes of the open epoch by block (its reads see them; the disk gets them at the epoch's end). */
  heldBlocks: [number, Uint8Array][];
  /** Input of the open epoch, in order (given again to the backup at a takeover). */
  inputBytes: number[];
  inputFrames: Uint8Array[];
  /** Messages posted to it (M19), without the calls (their callers get ENOENT at a takeover). */
  inputMessages: { from: number; data: Uint8Array }[];
  /** Counters (docs/fault-tolerance.md#what-the-app-shows). */
  stats: {
    pagesCopied: number;
    lastDirtyPages: number;
    releasedBytes: number;
    releasedFrames: number;
  };
}

/** The last takeover (for ctl, the app and the tests). */
export interface FtTakeover {
  id: number;
  name: string;
  /** pCPU 0's machine time of the failure, and of the backup's first instruction as the primary. */
  failedAt: number;
  /** Machine cycles from the failure to the backup's first instruction (null until it ran). */
  cycles: number | null;
  /** Epochs the backup had, and the open epoch's logged input it was given again. */
  epoch: number;
  replayedBytes: number;
  replayedFrames: number;
  /** Held output of the open epoch that was never sent (the backup sends it itself). */
  discardedBytes: number;
  discardedFrames: number;
  discardedBlocks: number;
  /** The pCPU the guest runs on from now. */
  pcpu: number;
}

/** A pair as plain data (no undefined: null). */
export type FtPairSaved = Omit<FtPair, 'checkpoint'> & { checkpoint: PartitionSaved | null };

/** FT state as plain data (docs/hypercalls.md#saving-and-restoring). */
export interface FtState {
  pairs: FtPairSaved[];
  lastTakeover: FtTakeover | null;
}

export function newPair(primary: number, backup: number): FtPair {
  return {
    primary,
    backup,
    epoch: 0,
    epochStart: 0,
    checkpoint: undefined,
    heldConsole: [],
    heldFrames: [],
    heldBlocks: [],
    inputBytes: [],
    inputFrames: [],
    inputMessages: [],
    stats: { pagesCopied: 0, lastDirtyPages: 0, releasedBytes: 0, releasedFrames: 0 },
  };
}

/**
 * Copy the pages of `from`'s memory that differ from `to`'s (both the same size, guest-physical from
 * 0): the epoch's dirty pages, as a hypervisor with dirty bits would find them. Returns their count.
 */
export function copyDirty(u8: Uint8Array, from: Partition, to: Partition): number {
  const size = from.memBytes;
  let dirty = 0;
  const words = new Int32Array(u8.buffer, u8.byteOffset, u8.byteLength >>> 2);
  for (let gpa = 0; gpa < size; gpa += PAGE) {
    const a = from.hostAddress(gpa);
    const b = to.hostAddress(gpa);
    if (a === undefined || b === undefined) continue;
    const wa = a >>> 2;
    const wb = b >>> 2;
    let same = true;
    for (let i = 0; i < PAGE >>> 2; i++)
      if (words[wa + i] !== words[wb + i]) {
        same = false;
        break;
      }
    if (same) continue;
    u8.copyWithin(b, a, a + PAGE);
    dirty++;
  }
  return dirty;
}

/**
 * The checkpoint of `p` at an epoch boundary (its vCPU saved, not on a pCPU): its control block and
 * devices as plain data, without its pristine image (kept by the partition, the same for both).
 */
export function checkpointOf(p: Partition, cpus: number): PartitionSaved {
  const pristine = p.pristine;
  p.pristine = undefined;
  try {
    return savePartition(p, undefined, cpus);
  } finally {
    p.pristine = pristine;
  }
}

/**
 * The virtual disk of a client as fault tolerance sees it (docs/fault-tolerance.md#disk-writes):
 * while it is a primary, a write goes to the open epoch's held blocks, which its reads see, and
 * reaches the disk at the epoch's end (ftControl.ts commit); otherwise straight through.
 */
export class FtDisk implements BlockBackend {
  constructor(
    private readonly backend: BlockBackend,
    private readonly pair: () => FtPair | undefined,
  ) {}
  get blocks(): number {
    return this.backend.blocks;
  }
  get readOnly(): boolean {
    return this.backend.readOnly;
  }
  read(lba: number, count: number): Uint8Array | Error {
    const r = this.backend.read(lba, count);
    const held = this.pair()?.heldBlocks;
    if (r instanceof Error || !held?.length) return r;
    const out = r.slice();
    // Later writes of the epoch over earlier ones: in the order they were made.
    for (const [at, b] of held) if (at >= lba && at < lba + count) out.set(b, (at - lba) * BLOCK_SIZE);
    return out;
  }
  write(lba: number, data: Uint8Array): true | Error {
    const pair = this.pair();
    if (!pair) return this.backend.write(lba, data);
    if (this.backend.readOnly) return this.backend.write(lba, data); // its own error
    for (let i = 0; i * BLOCK_SIZE < data.length; i++)
      pair.heldBlocks.push([lba + i, data.slice(i * BLOCK_SIZE, (i + 1) * BLOCK_SIZE)]);
    return true;
  }
  flush(): true | Error {
    return this.backend.flush();
  }
}

/** Deep copies for snapshots (plain data in, plain data out). */
export function savePairs(pairs: Iterable<FtPair | FtPairSaved>, last: FtTakeover | undefined): FtState {
  return {
    pairs: [...pairs].map((x) => ({
      ...x,
      checkpoint: x.checkpoint ? structuredClone(x.checkpoint) : null,
      heldConsole: [...x.heldConsole],
      heldFrames: x.heldFrames.map((f) => f.slice()),
      heldBlocks: (x.heldBlocks ?? []).map(([lba, b]): [number, Uint8Array] => [lba, b.slice()]),
      inputBytes: [...x.inputBytes],
      inputFrames: x.inputFrames.map((f) => f.slice()),
      inputMessages: (x.inputMessages ?? []).map((m) => ({ from: m.from, data: m.data.slice() })),
      stats: { ...x.stats },
    })),
    lastTakeover: last ? { ...last } : null,
  };
}

export function loadPairs(s: FtState | undefined): { pairs: FtPair[]; last: FtTakeover | undefined } {
  if (!s) return { pairs: [], last: undefined };
  const copy = savePairs(s.pairs, s.lastTakeover ?? undefined);
  return {
    pairs: copy.pairs.map((x) => ({ ...x, checkpoint: x.checkpoint ?? undefined })),
    last: copy.lastTakeover ?? undefined,
  };
}
