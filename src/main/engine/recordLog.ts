/**
 * A recording's log (docs/recording.md#the-log): every input that is not a function of the
 * machine's state, each with the machine time (session cycles) at which it reached the machine,
 * plus a checkpoint line every N seconds of machine time with the state hash and each console's
 * running digest. Times are exact because inputs only reach the machine between two runs of it,
 * where every pCPU stands at the same cycle (docs/architecture.md#determinism).
 *
 * Plain data (structured clone between the worker and the host); stored gzipped JSON.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import type { MachineMode, RecordingSummary } from '../../shared/api.js';

export type LogEntry =
  /** Bytes that went into guest `g`'s console receive FIFO (typed keys). */
  | { t: number; k: 'in'; g: number; b: number[] }
  /** A command that entered ctl's management mailbox (the panel, deploy), with the id it got there. */
  | { t: number; k: 'ctl'; id: number; text: string }
  /** Blocks the host wrote into disk `d` (deploy, writeFile), base64. */
  | { t: number; k: 'disk'; d: number; lba: number; data: string }
  /** A guest's engine changed (interp/jit: same state, logged for fidelity). */
  | { t: number; k: 'engine'; g: number; e: 'interp' | 'jit' }
  /** Dual boot: the firmware powered the machine on again (a deploy). */
  | { t: number; k: 'power' }
  /**
   * One run of the machine for exactly `c` cycles where the cut between runs changes the state
   * (dual boot outside the OS: the firmware's menu counts calls, and a reset drops the rest of a
   * call), so replay runs the same calls.
   */
  | { t: number; k: 'run'; c: number }
  /** A host action of another part (the debugger's pause, register and memory edits): replayed by name. */
  | { t: number; k: 'host'; op: string; args: unknown[] }
  /** A checkpoint: the whole machine's state hash and each console's byte count and digest. */
  | { t: number; k: 'cp'; n: number; hash: string; consoles: Record<string, [number, number]>; net: [number, number] }
  /** The end of the recording. */
  | { t: number; k: 'end'; why: string };

/** What a recording is: how to start, what came in, and what must come out. */
export interface Recording {
  format: 'hyperdesk-recording';
  /** 2: state hashes mix RAM by words (Machine.stateHash); 1 was the byte-wise hash. */
  version: 2;
  name: string;
  createdAt: string;
  mode: MachineMode;
  cpus: number;
  memMiB: number;
  /** The snapshot file the replay boots from (checkpoint 0), and each disk's content SHA-256 then. */
  start: { file: string; cycles: number; disks: string[]; diskHashes: string[] };
  /**
   * The host clock as the machine read it at power-on (the rtc's epoch, seconds): the hypervisor
   * gives it to every partition's virtual rtc it creates later, so the replay powers on with it.
   */
  rtcEpochSeconds: number;
  /** Seconds of machine time between checkpoints. */
  checkpointSeconds: number;
  /** Cycles per second of machine time. */
  timebase: number;
  log: LogEntry[];
}

export type { RecordingSummary };

export function encodeRecording(r: Recording): Uint8Array {
  return gzipSync(Buffer.from(JSON.stringify(r), 'utf8'), { level: 6 });
}

/** The recording in `bytes`, or why it is not one (never throws). */
export function decodeRecording(bytes: Uint8Array, where: string): Recording | string {
  let r: Recording;
  try {
    r = JSON.parse(gunzipSync(bytes).toString('utf8')) as Recording;
  } catch (e) {
    return `${where}: not a recording (${(e as Error).message})`;
  }
  if (r?.format !== 'hyperdesk-recording') return `${where}: not a recording`;
  if ((r.version as number) === 1)
    return `${where}: recorded by an earlier hyperdesk (format 1), whose checkpoints hash the machine differently: this build cannot verify it; record it again`;
  if (r.version !== 2) return `${where}: recording format version ${String(r.version)}; this hyperdesk reads version 2`;
  if (!Array.isArray(r.log) || typeof r.start?.file !== 'string') return `${where}: the recording is damaged`;
  return r;
}

export function summarize(r: Recording, bytes: number): RecordingSummary {
  const last = r.log[r.log.length - 1];
  const end = last ? last.t : r.start.cycles;
  return {
    name: r.name,
    createdAt: r.createdAt,
    mode: r.mode,
    seconds: (end - r.start.cycles) / r.timebase,
    startSeconds: r.start.cycles / r.timebase,
    inputs: r.log.filter((e) => e.k !== 'cp' && e.k !== 'end').length,
    checkpoints: r.log.filter((e) => e.k === 'cp').length,
    bytes,
  };
}

/** A running digest of a byte stream (FNV-1a, 32 bits) with its length. */
export class Digest {
  count = 0;
  hash = 0x811c9dc5;
  add(b: number): void {
    this.count++;
    this.hash = Math.imul(this.hash ^ (b & 0xff), 0x01000193) >>> 0;
  }
  addAll(bytes: ArrayLike<number>): void {
    for (let i = 0; i < bytes.length; i++) this.add(bytes[i]!);
  }
  get value(): [number, number] {
    return [this.count, this.hash];
  }
  copy(): Digest {
    const d = new Digest();
    d.count = this.count;
    d.hash = this.hash;
    return d;
  }
}
