/**
 * Replaying a recording (docs/recording.md#replay): a machine is powered on over the recording's
 * start disks (read-only, with writes kept in memory), put in the start checkpoint's state, and run
 * forward while the logged inputs go in at their machine times; at every checkpoint line the state
 * hash, the consoles' digests and the bridge's frames must be the recorded ones, else the replay
 * stops and says where it diverged. On the way it keeps each checkpoint in memory (RAM pages shared
 * between checkpoints), so that seek, seekTo and the reverse commands (reverse.ts) restore the
 * nearest earlier one and run forward.
 */
import { DiskChain } from '../disk/DiskChain.js';
import { REPLAY_MARKS, type MachineConfig, type ReplayReport, type ReplayStatus } from '../../shared/api.js';
import type { DebuggerState } from '../emulator/debug/Debugger.js';
import type { MachineState } from '../emulator/machine/Machine.js';
import { ConsoleBuffers, type GuestConsole } from './consoles.js';
import { MemoryOverlay } from './memoryOverlay.js';
import { PowerOnError, powerOn } from './powerOn.js';
import { diskHash, machineHash, networkDigest } from './recorder.js';
import { Digest, type LogEntry, type Recording } from './recordLog.js';
import { HOST_ACTIONS } from './hostActions.js';
import { Session } from './Session.js';
import { readSnapshotFile } from './snapshotFile.js';
import type { SnapshotContent } from './snapshots.js';
import { partitionGuests } from './views.js';

const PAGE = 4096;
const ZERO_PAGE = Buffer.alloc(PAGE);
/** Cycles run per call between two log entries (a tick checks the clock between calls). */
const CHUNK = 2_500_000;

// Host actions of other parts, replayed by name (the debugger registers its own: docs/recording.md).
export { HOST_ACTIONS, type HostActionHandler } from './hostActions.js';

/** The machine at one point of the replay, kept in memory. */
export interface Mark {
  /** The index of the next log entry to apply from here. */
  next: number;
  cycles: number;
  machine: Omit<MachineState, 'memory'>;
  pages: (Uint8Array | null)[];
  hv: unknown;
  fw: unknown;
  menuCycles: number;
  disks: Map<number, Uint8Array>[];
  digests: Map<number, Digest>;
  consoles: Map<number, Omit<GuestConsole, 'pending'>>;
  /** Instructions retired by each vCPU, `guest.vcpu` -> count. */
  retired: Map<string, number>;
  /** The debugger's state: a guest paused at a breakpoint while recording stays paused. */
  debug: DebuggerState;
}

export type { ReplayReport };

export class ReplayError extends Error {}

export class Replay {
  readonly marks: Mark[] = [];
  /** Index of the next log entry the forward replay applies. */
  next = 0;
  private readonly digests = new Map<number, Digest>();
  private checkpointsVerified = 0;
  done = false;
  /** Why verifying stopped (a divergence), for the scrubber. */
  failed: string | undefined;
  private marksCache: Pick<ReplayStatus, 'checkpoints' | 'inputs'> | undefined;

  private constructor(
    readonly recording: Recording,
    readonly session: Session,
    readonly overlays: MemoryOverlay[],
    private readonly chains: DiskChain[],
  ) {
    session.consoles.onByte = (g, b) => {
      let d = this.digests.get(g);
      if (!d) this.digests.set(g, (d = new Digest()));
      d.add(b);
    };
  }

  /** Power on at the recording's start; a clear message when its start or its disks do not match. */
  static open(rec: Recording): Replay | string {
    const where = `recording '${rec.name}'`;
    let c: SnapshotContent;
    try {
      c = readSnapshotFile(rec.start.file).state as SnapshotContent;
    } catch (e) {
      return `${where}: its start checkpoint cannot be read: ${(e as Error).message}`;
    }
    const chains: DiskChain[] = [];
    const closeAll = () => chains.forEach((d) => d.close());
    for (const [i, file] of rec.start.disks.entries()) {
      const d = DiskChain.open(file, { readOnly: true });
      if (d instanceof Error) {
        closeAll();
        return `${where}: disk ${i} of its start (${file}) cannot be opened: ${d.message}`;
      }
      chains.push(d);
      const h = diskHash(d);
      if (h instanceof Error || h !== rec.start.diskHashes[i]) {
        closeAll();
        const got = h instanceof Error ? h.message : `sha256 ${h.slice(0, 16)}...`;
        return `${where}: disk ${i} (${file}) is not the disk the recording started with (${got}; recorded sha256 ${rec.start.diskHashes[i]?.slice(0, 16)}...): not replayed`;
      }
    }
    const overlays = chains.map((d) => new MemoryOverlay(d));
    const consoles = new ConsoleBuffers();
    const config: MachineConfig = {
      mode: rec.mode,
      cpus: rec.cpus,
      memMiB: rec.memMiB,
      disks: rec.start.disks,
      engine: c.config.engine === 'jit' ? 'jit' : 'interp',
    };
    const powered = powerOn(
      {
        mode: rec.mode,
        cpus: rec.cpus,
        memBytes: rec.memMiB << 20,
        engine: config.engine,
        console: consoles.sink(0),
        consoleFor: (p) => consoles.sink(p.id),
        select: 'cos',
        timeoutSeconds: 5,
        rtcEpochSeconds: rec.rtcEpochSeconds,
      },
      overlays,
    );
    if (powered instanceof PowerOnError) {
      closeAll();
      return `${where}: the machine does not power on: ${powered.message}`;
    }
    try {
      powered.machine.restoreState(c.machine);
      if (powered.fw && c.firmware) powered.fw.restoreState(c.firmware);
      if (powered.hv) (powered.hv as unknown as { restoreState(s: unknown): void }).restoreState(c.hypervisor);
      powered.menuCycles = c.session.waitCycles;
    } catch (e) {
      closeAll();
      return `${where}: its start checkpoint does not fit the machine: ${(e as Error).message}`;
    }
    // Each console starts as it was when the recording started (the start snapshot's tails), so the
    // scrubber shows what was on the screen then, not an empty console (docs/recording.md#the-scrubber).
    for (const t of Array.isArray(c.consoles) ? c.consoles : []) consoles.seed(t.guest, t.tail);
    const session = Session.fromPowered(config, powered, consoles);
    session.timeline.attach(session.machine, (cpu) => (session.hv ? session.hv.currentOn(cpu.id)?.partitionId : 0));
    const r = new Replay(rec, session, overlays, chains);
    if (powered.cycles !== rec.start.cycles) {
      r.close();
      return `${where}: its start checkpoint is at cycle ${powered.cycles}, the log starts at ${rec.start.cycles}`;
    }
    r.marks.push(r.capture());
    return r;
  }

  get cycles(): number {
    return this.session.cycles;
  }

  get endCycles(): number {
    const last = this.recording.log[this.recording.log.length - 1];
    return last ? last.t : this.recording.start.cycles;
  }

  /**
   * Verifies forward for about `ms` of wall time (the engine's tick); true once the whole
   * recording is replayed. Throws a ReplayError naming the checkpoint and time where it diverged.
   */
  work(ms: number, clock: () => number = () => performance.now()): boolean {
    const t0 = clock();
    while (!this.done && clock() - t0 < ms) {
      const e = this.recording.log[this.next];
      if (!e) {
        this.done = true;
        break;
      }
      if (this.cycles < e.t) {
        this.runChunk(e.t);
        continue;
      }
      this.apply(e, true);
      this.next++;
      if (e.k === 'cp') this.marks.push(this.capture());
    }
    return this.done;
  }

  /** Runs toward machine time `t`, at most CHUNK cycles. */
  private runChunk(t: number): void {
    const before = this.cycles;
    const r = this.session.powered.run(Math.min(CHUNK, t - before));
    if (this.cycles === before && r && r.kind !== 'idle' && r.kind !== 'limit')
      throw this.diverged(`the machine stopped (${r.kind}) at ${this.seconds(before)} s, before the recording did`);
  }

  /** Runs to exactly machine time `t` (on the pCPUs' grid). */
  advanceTo(t: number): void {
    while (this.cycles < t) this.runChunk(t);
  }

  /** Applies one log entry at its time (the machine stands there). */
  apply(e: LogEntry, verify: boolean): void {
    const s = this.session;
    if (this.cycles !== e.t && e.k !== 'cp')
      throw this.diverged(`an input logged at cycle ${e.t} came at cycle ${this.cycles}`);
    switch (e.k) {
      case 'in':
        if (!s.powered.input(e.g, e.b)) throw this.diverged(`guest ${e.g} has no console here for its logged keys`);
        return;
      case 'ctl': {
        const box = s.hv?.mgmt;
        if (!box) throw this.diverged(`the log sends ctl '${e.text}', and this machine has no hypervisor`);
        const id = box.submit(e.text);
        if (id !== e.id)
          throw this.diverged(
            `ctl's management mailbox ${typeof id === 'string' ? `refused '${e.text}': ${id}` : `gave '${e.text}' id ${id}`}; the recording has id ${e.id}`,
          );
        return;
      }
      case 'disk': {
        const o = this.overlays[e.d];
        if (!o) throw this.diverged(`the log writes disk ${e.d}, which this machine does not have`);
        o.write(e.lba, new Uint8Array(Buffer.from(e.data, 'base64')));
        return;
      }
      case 'engine': {
        const problem = s.setEngine(e.g, e.e);
        if (problem) throw this.diverged(problem);
        return;
      }
      case 'power':
        s.fw?.powerOn();
        return;
      case 'run':
        s.powered.run(e.c);
        return;
      case 'host': {
        const h = HOST_ACTIONS.get(e.op);
        if (!h) throw this.diverged(`the log has a host action '${e.op}' this build cannot replay`);
        const problem = h(s, e.args);
        if (problem) throw this.diverged(`host action '${e.op}': ${problem}`);
        return;
      }
      case 'cp':
        if (verify) this.verify(e);
        return;
      case 'end':
        return;
    }
  }

  private verify(e: Extract<LogEntry, { k: 'cp' }>): void {
    if (this.cycles !== e.t)
      throw this.diverged(`checkpoint ${e.n} was recorded at cycle ${e.t}; the replay stands at cycle ${this.cycles}`);
    const at = `checkpoint ${e.n} (machine time ${this.seconds(e.t)} s)`;
    const hash = machineHash(this.session);
    if (hash !== e.hash) throw this.diverged(`${at}: state hash ${hash}, the recording has ${e.hash}`);
    for (const [g, want] of Object.entries(e.consoles)) {
      const got = this.digests.get(Number(g))?.value ?? [0, 0];
      if (got[0] !== want[0] || got[1] !== want[1])
        throw this.diverged(
          `${at}: guest ${g}'s console wrote ${got[0]} bytes (digest ${got[1].toString(16)}), the recording ${want[0]} (digest ${want[1].toString(16)})`,
        );
    }
    for (const [g, d] of this.digests)
      if (!(String(g) in e.consoles) && d.count > 0)
        throw this.diverged(`${at}: guest ${g} wrote ${d.count} console bytes the recording does not have`);
    const net = networkDigest(this.session.hv);
    if (net[0] !== e.net[0] || net[1] !== e.net[1])
      throw this.diverged(`${at}: the bridge carried ${net[0]} frames, the recording ${e.net[0]} (or other frames)`);
    this.checkpointsVerified++;
  }

  report(): ReplayReport {
    const consoleBytes: Record<string, number> = {};
    for (const [g, d] of this.digests) consoleBytes[g] = d.count;
    return {
      name: this.recording.name,
      verified: this.done,
      checkpoints: this.checkpointsVerified,
      startSeconds: this.recording.start.cycles / this.recording.timebase,
      endSeconds: this.endCycles / this.recording.timebase,
      consoleBytes,
      frames: networkDigest(this.session.hv)[0],
    };
  }

  /** What the app's scrubber shows (MachineStatus.replay). */
  status(): ReplayStatus {
    const tb = this.recording.timebase;
    this.marksCache ??= marksOf(this.recording);
    return {
      name: this.recording.name,
      startSeconds: this.recording.start.cycles / tb,
      endSeconds: this.endCycles / tb,
      verified: this.done,
      ...(this.failed ? { error: this.failed } : {}),
      ...this.marksCache,
    };
  }

  seconds(cycles: number): string {
    return (cycles / this.recording.timebase).toFixed(6);
  }

  private diverged(what: string): ReplayError {
    return new ReplayError(`replay of '${this.recording.name}' does not match the recording: ${what}`);
  }

  // ------------------------------------------------------------------ checkpoints in memory

  /** Instructions each vCPU has retired now (`guest.vcpu`). */
  retired(): Map<string, number> {
    const out = new Map<string, number>();
    const s = this.session;
    if (!s.hv) {
      s.machine.cpus.forEach((c, i) => out.set(`0.${i}`, c.instret));
      return out;
    }
    for (const g of partitionGuests(s.hv)) {
      const p = s.hv.partitions.get(g.id);
      p?.vcpus.forEach((v, i) => {
        const on = s.machine.cpus.find((c) => s.hv!.currentOn(c.id) === v);
        out.set(`${g.id}.${i}`, on ? on.instret : v.instret);
      });
    }
    return out;
  }

  /**
   * The machine now, kept in memory; RAM pages equal to the previous mark's are shared, all-zero
   * pages are not kept. RAM is compared in place with native compares (Buffer.equals), never copied
   * whole: a checkpoint costs what changed since the last one (or since `near`, a mark close to now).
   */
  capture(near?: Mark): Mark {
    const s = this.session;
    const machine = s.machine.saveStateWithoutMemory();
    const ram = s.machine.mem.u8;
    const prev = (near ?? this.marks[this.marks.length - 1])?.pages;
    const pages: (Uint8Array | null)[] = new Array<Uint8Array | null>(ram.length / PAGE);
    for (let p = 0; p < pages.length; p++) {
      const page = Buffer.from(ram.buffer, ram.byteOffset + p * PAGE, PAGE);
      const old = prev?.[p];
      if (old ? page.equals(old) : page.equals(ZERO_PAGE)) pages[p] = old ?? null;
      else pages[p] = page.equals(ZERO_PAGE) ? null : ram.slice(p * PAGE, (p + 1) * PAGE);
    }
    const hv = s.hv as unknown as { saveState(): unknown } | undefined;
    return {
      next: this.next,
      cycles: this.cycles,
      machine: structuredClone(machine),
      pages,
      hv: hv ? structuredClone(hv.saveState()) : null,
      fw: s.fw ? structuredClone(s.fw.saveState()) : null,
      menuCycles: s.powered.menuCycles,
      debug: s.debug.saveState(),
      disks: this.overlays.map((o) => o.save()),
      digests: new Map([...this.digests].map(([g, d]) => [g, d.copy()])),
      consoles: s.consoles.saveState(),
      retired: this.retired(),
    };
  }

  /** Puts the machine back as it was at `m`; the log goes on from m.next. */
  restore(m: Mark): void {
    const s = this.session;
    const ram = s.machine.mem.u8;
    // RAM goes back in place, page by page (restoreState would copy a whole image).
    s.machine.restoreStateInPlace(structuredClone(m.machine), () => {
      m.pages.forEach((p, i) => {
        if (p) ram.set(p, i * PAGE);
        else ram.fill(0, i * PAGE, (i + 1) * PAGE);
      });
      s.machine.mem.rewritten();
    });
    if (s.fw && m.fw) s.fw.restoreState(structuredClone(m.fw) as never);
    if (s.hv) (s.hv as unknown as { restoreState(x: unknown): void }).restoreState(structuredClone(m.hv));
    s.powered.menuCycles = m.menuCycles;
    m.disks.forEach((d, i) => this.overlays[i]!.restore(d));
    this.digests.clear();
    for (const [g, d] of m.digests) this.digests.set(g, d.copy());
    s.consoles.restoreState(m.consoles);
    s.debug.restoreState(m.debug);
    this.next = m.next;
  }

  close(): void {
    this.session.consoles.onByte = undefined;
    this.session.close();
    for (const d of this.chains) d.close();
  }
}

/**
 * Where a recording's checkpoints and inputs fall, in seconds of machine time, each list at most
 * REPLAY_MARKS long: the span is cut into that many buckets and the entries of one bucket merged.
 */
export function marksOf(rec: Recording): Pick<ReplayStatus, 'checkpoints' | 'inputs'> {
  const tb = rec.timebase;
  const start = rec.start.cycles;
  const last = rec.log[rec.log.length - 1];
  const span = Math.max(1, (last ? last.t : start) - start);
  const bucket = (t: number) => Math.min(REPLAY_MARKS - 1, Math.floor(((t - start) / span) * REPLAY_MARKS));
  const cps = new Map<number, number>();
  const inputs = new Map<number, { seconds: number; what: string; count: number }>();
  for (const e of rec.log) {
    const b = bucket(e.t);
    if (e.k === 'cp') {
      if (!cps.has(b)) cps.set(b, e.t / tb);
      continue;
    }
    const what =
      e.k === 'in'
        ? `keys to guest ${e.g}`
        : e.k === 'disk'
          ? `disk ${e.d} write`
          : e.k === 'host'
            ? e.op
            : e.k === 'engine'
              ? `guest ${e.g} engine ${e.e}`
              : e.k === 'power'
                ? 'power on'
                : undefined;
    if (!what) continue; // run lines and the end are not inputs a person made
    const n = e.k === 'in' ? e.b.length : 1;
    const got = inputs.get(b);
    if (!got) inputs.set(b, { seconds: e.t / tb, what, count: n });
    else {
      got.count += n;
      if (!got.what.split(', ').includes(what)) got.what += `, ${what}`;
    }
  }
  return { checkpoints: [...cps.values()], inputs: [...inputs.values()] };
}
