/**
 * Recording a running session (docs/recording.md): checkpoint 0 is a whole-machine snapshot (its
 * disks frozen copy-on-write, so their content at the start stays on disk unchanged); from then on
 * every input that is not a function of the machine's state is logged with the machine time at
 * which it reached the machine, and every `checkpointSeconds` of machine time a checkpoint line
 * holds the state hash and each console's digest, which the replay must reproduce.
 *
 * The Session calls the hooks (`input`, `hostDisk`, `engine`, `power`, `run`, `afterRun`); they
 * only read the machine, never change it, so a recorded run is the run it would have been.
 */
import { createHash } from 'node:crypto';
import type { BlockBackend } from '../emulator/devices/disk/BlockBackend.js';
import type { Firmware } from '../emulator/firmware/Firmware.js';
import type { Hypervisor } from '../emulator/hypervisor/Hypervisor.js';
import type { Machine } from '../emulator/machine/Machine.js';
import { Digest, type LogEntry, type Recording } from './recordLog.js';
import type { ConsoleBuffers } from './consoles.js';
import { saveSnapshot, type SnapshotSubject } from './snapshots.js';

/** Seconds of machine time between checkpoints, unless told otherwise (docs/recording.md). */
export const CHECKPOINT_SECONDS = 1;

/** What a recording and a replay look at: the machine and its consoles. */
export interface Recordable {
  readonly machine: Machine;
  readonly hv: Hypervisor | undefined;
  readonly fw: Firmware | undefined;
  /** Only its byte hook: the CLI's boot gives its own console taps (host/bootRecording.ts). */
  readonly consoles: Pick<ConsoleBuffers, 'onByte'>;
  readonly cycles: number;
}

/**
 * The machine's state hash at a checkpoint: Machine.stateHash (pCPUs' registers, control registers,
 * counters and pending lines, RAM, devices) with the hypervisor's or the firmware's state.
 */
export function machineHash(s: Recordable): string {
  const mode = s.hv ? s.hv.stateHash() : fnv(JSON.stringify(s.fw?.saveState() ?? null));
  return `${s.machine.stateHash()}-${mode}`;
}

function fnv(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(16).padStart(8, '0');
}

/** The frames the bridge captured (count since power-on, digest of the ring), or zeros. */
export function networkDigest(hv: Hypervisor | undefined): [number, number] {
  if (!hv) return [0, 0];
  const d = new Digest();
  for (const r of hv.bridge.capture) {
    d.add(r.port);
    d.addAll(r.frame);
  }
  return [hv.bridge.stats.frames, d.hash];
}

/** SHA-256 of a disk's whole content, as the machine reads it. */
export function diskHash(d: BlockBackend): string | Error {
  const h = createHash('sha256');
  const CHUNK = 2048;
  for (let lba = 0; lba < d.blocks; lba += CHUNK) {
    const b = d.read(lba, Math.min(CHUNK, d.blocks - lba));
    if (b instanceof Error) return b;
    h.update(b);
  }
  return h.digest('hex');
}

export class Recorder {
  readonly log: LogEntry[] = [];
  private readonly digests = new Map<number, Digest>();
  private nextCheckpoint: number;
  private checkpoints = 0;
  private readonly step: number;
  stopped = false;

  private constructor(
    private readonly s: Recordable,
    readonly recording: Omit<Recording, 'log'>,
  ) {
    this.step = Math.round(recording.checkpointSeconds * recording.timebase);
    this.nextCheckpoint = recording.start.cycles + this.step;
    s.consoles.onByte = (g, b) => {
      let d = this.digests.get(g);
      if (!d) this.digests.set(g, (d = new Digest()));
      d.add(b);
    };
  }

  /**
   * Start recording `s` as `name`: checkpoint 0 is saved as a snapshot in `dir` (which freezes the
   * disks: the recording's start stays on disk unchanged). Returns the recorder or why not.
   */
  static start(
    s: Recordable & SnapshotSubject,
    name: string,
    dir: string,
    opts: { checkpointSeconds?: number } = {},
  ): Recorder | string {
    if (s.parallel)
      return 'recording needs every pCPU on one thread: boot with pCPU threads off (config.threads false)';
    const saved = saveSnapshot(s, name, dir);
    if (typeof saved === 'string') return `recording '${name}' not started: ${saved}`;
    const diskHashes: string[] = [];
    for (const [i, d] of s.disks.entries()) {
      const h = diskHash(d);
      if (h instanceof Error) return `recording '${name}' not started: disk ${i}: ${h.message}`;
      diskHashes.push(h);
    }
    return new Recorder(s, {
      format: 'hyperdesk-recording',
      version: 2,
      name,
      createdAt: new Date().toISOString(),
      mode: s.config.mode,
      cpus: s.config.cpus,
      memMiB: s.config.memMiB,
      start: { file: saved.file, cycles: s.cycles, disks: saved.disks, diskHashes },
      rtcEpochSeconds: s.machine.rtc.saveState().epochSeconds,
      checkpointSeconds: opts.checkpointSeconds ?? CHECKPOINT_SECONDS,
      timebase: s.timebase,
    });
  }

  /** Bytes that just went into guest `guest`'s receive FIFO. */
  input(guest: number, bytes: readonly number[]): void {
    if (!this.stopped && bytes.length) this.log.push({ t: this.s.cycles, k: 'in', g: guest, b: [...bytes] });
  }

  /** A command that just entered ctl's management mailbox as request `id`. */
  ctlRequest(id: number, text: string): void {
    if (!this.stopped) this.log.push({ t: this.s.cycles, k: 'ctl', id, text });
  }

  engine(guest: number, engine: 'interp' | 'jit'): void {
    if (!this.stopped) this.log.push({ t: this.s.cycles, k: 'engine', g: guest, e: engine });
  }

  power(): void {
    if (!this.stopped) this.log.push({ t: this.s.cycles, k: 'power' });
  }

  /** A run whose cut matters (dual boot outside the OS), made from machine time `t`. */
  run(t: number, cycles: number): void {
    if (!this.stopped) this.log.push({ t, k: 'run', c: cycles });
  }

  /** A host action of another part (the debugger), replayed through its handler by name. */
  host(op: string, args: unknown[]): void {
    if (!this.stopped) this.log.push({ t: this.s.cycles, k: 'host', op, args: structuredClone(args) });
  }

  /** Disk `n` as the host writes it (deploy, writeFile): every write is logged, then done. */
  hostDisk(n: number, d: BlockBackend): BlockBackend {
    return {
      blocks: d.blocks,
      readOnly: d.readOnly,
      read: (lba, count) => d.read(lba, count),
      write: (lba, data) => {
        if (!this.stopped)
          this.log.push({ t: this.s.cycles, k: 'disk', d: n, lba, data: Buffer.from(data).toString('base64') });
        return d.write(lba, data);
      },
      flush: () => d.flush(),
    };
  }

  /** After each run: a checkpoint once a checkpoint's time has passed. */
  afterRun(): void {
    if (this.stopped || this.s.cycles < this.nextCheckpoint) return;
    this.checkpoint();
    while (this.nextCheckpoint <= this.s.cycles) this.nextCheckpoint += this.step;
  }

  private checkpoint(): void {
    this.log.push({
      t: this.s.cycles,
      k: 'cp',
      n: ++this.checkpoints,
      hash: machineHash(this.s),
      consoles: this.consoleDigests(),
      net: networkDigest(this.s.hv),
    });
  }

  consoleDigests(): Record<string, [number, number]> {
    const out: Record<string, [number, number]> = {};
    for (const [g, d] of [...this.digests].sort((a, b) => a[0] - b[0])) out[g] = d.value;
    return out;
  }

  /** Ends the recording with a last checkpoint (so the whole of it is verified) and returns it. */
  stop(why: string): Recording {
    if (!this.stopped) {
      this.checkpoint();
      this.log.push({ t: this.s.cycles, k: 'end', why });
      this.stopped = true;
      this.s.consoles.onByte = undefined;
    }
    return { ...this.recording, log: this.log };
  }
}
