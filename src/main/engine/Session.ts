/**
 * One running machine, as the engine worker holds it: boots it (dual boot through the firmware, or
 * the hypervisor with ctl), runs it in ticks, collects each guest's console per tick, feeds typed
 * keys in as the UARTs take them, talks to ctl over its management channel, answers the app's
 * read-only views, and deploys a program into a guest's file system and reboots that guest alone.
 *
 * Everything here runs on the worker's thread; nothing blocks longer than one tick's budget.
 */
import { FtWall } from './ftWall.js';
import {
  checkConfig,
  type CtlReply,
  type DeployResult,
  type GuestFile,
  type GuestInfo,
  type MachineConfig,
  type MachineStatus,
  type SnapshotConsole,
} from '../../shared/api.js';
import {
  buildCosExecutable,
  DiskImage,
  DiskError,
  listGuestFiles,
  readGuestText,
  type FileSystem,
} from '../disk/index.js';
import type { BlockBackend } from '../emulator/devices/disk/BlockBackend.js';
import { scanBootEntries, type Firmware } from '../emulator/firmware/Firmware.js';
import type { Hypervisor } from '../emulator/hypervisor/Hypervisor.js';
import { TIMEBASE } from '../emulator/machine/board.js';
import type { Machine } from '../emulator/machine/Machine.js';
import type { SliceEngine } from '../emulator/cpu/Cpu.js';
import type { ParallelRunner } from '../emulator/machine/parallel.js';
import { Jit } from '../emulator/cpu/jit/Jit.js';
import { UART_RX_FIFO } from '../emulator/devices/uart/Uart.js';
import { assembleOffThread } from './asmThread.js';
import { guestIncludes } from './assembly.js';
import { ConsoleBuffers, type ConsoleBatch } from './consoles.js';
import { CtlChannel } from './ctlChannel.js';
import { PowerOnError, powerOnFiles, type PoweredMachine } from './powerOn.js';
import { restoreSnapshot, saveSnapshot, type SavedSnapshot, type SessionPart } from './snapshots.js';
import type { Recorder } from './recorder.js';
import { partitionGuests, Timeline } from './views.js';
import type { DebugEvent } from '../../shared/debugApi.js';
import { Debugger } from '../emulator/debug/Debugger.js';
import { programInfo } from './debugging.js';

/** Partition events handed to the host's log per call by default; the rest are counted in one line. */
export const MAX_LOGS_PER_TICK = 100;

/** Typed bytes that may wait for one guest (docs/security.md#floods). */
export const MAX_TYPED = 64 * 1024;

export const DEMO_CONFIG: MachineConfig = { mode: 'hypervisor', cpus: 2, memMiB: 64, disks: [], engine: 'interp' };

/** A log line for the app (the host stamps and stores it). */
export interface SessionLog {
  guest: number | null;
  guestName: string;
  kind: string;
  detail: string;
}

export class Session {
  readonly timeline = new Timeline();
  /** M23: the last takeover's wall time (engine/ftWall.ts); a replay's session has none. */
  ftWall: FtWall | undefined;
  readonly ctl: CtlChannel;
  hv: Hypervisor | undefined;
  fw: Firmware | undefined;
  /** The pCPUs' threads (config.threads), or undefined: every pCPU on this thread, deterministic. */
  parallel: ParallelRunner | undefined;
  readonly machine: Machine;
  readonly disks: readonly BlockBackend[];
  private readonly input = new Map<number, number[]>();
  private eventsSeen = 0;
  stopReason: string | undefined;
  /** The debugger (docs/debugger.md); its stops go to `onDebug` (the engine sends them to the host). */
  readonly debug: Debugger;
  onDebug: ((e: DebugEvent) => void) | undefined;
  /** The whole machine is paused by the debugger (debugMachine): run() runs no time. */
  machinePaused = false;
  /** The recording being made of this session (docs/recording.md), or undefined. */
  recorder: Recorder | undefined;

  private constructor(
    readonly config: MachineConfig,
    /** The machine as power-on made it (its run loop, menu time, disks and threads). */
    readonly powered: PoweredMachine,
    readonly consoles: ConsoleBuffers,
  ) {
    this.machine = powered.machine;
    this.disks = powered.disks;
    this.hv = powered.hv;
    this.fw = powered.fw;
    this.parallel = powered.parallel;
    // ctl's management channel: requests through the hypervisor's mailbox, never its console
    // (docs/guests.md#the-management-channel); each one is an input a recording logs.
    this.ctl = new CtlChannel(
      () => this.hv?.mgmt,
      (id, command) => this.recorder?.ctlRequest(id, command),
    );
    this.debug = new Debugger(
      this.machine,
      this.hv,
      () => this.guests()[0]?.name ?? 'the OS',
      (e) => this.onDebug?.(e),
    );
  }

  /** Opens the disks and powers the machine on. Errors come back as a message, nothing half-open. */
  static async boot(partial: Partial<MachineConfig>): Promise<Session | string> {
    const config: MachineConfig = { ...DEMO_CONFIG, ...partial };
    // The contract's check, on the whole configuration (a partial one may leave the mode out).
    const bad = checkConfig(config);
    if (bad) return bad;
    const ftWall = new FtWall();
    const consoles = new ConsoleBuffers();
    // docs/architecture.md#power-on: the same power-on as the CLI, the comparison and the tests.
    const started = await powerOnFiles(
      {
        mode: config.mode,
        cpus: config.cpus,
        memBytes: config.memMiB << 20,
        ...(config.nics !== undefined ? { nics: config.nics } : {}),
        engine: config.engine ?? 'interp',
        console: consoles.sink(0),
        consoleFor: (p) => consoles.sink(p.id),
        // A guest started again begins its banner on a new line (ConsoleBuffers.breakLine).
        onEvent: (e) => {
          if (e.kind === 'started') consoles.breakLine(e.partition);
          // M23: the takeover's wall time, from the failure to the backup's first instruction.
          if (e.kind === 'ft') ftWall.note(e.detail, performance.now());
        },
        threads: config.threads === true,
        select: config.boot ?? 'cos',
        timeoutSeconds: 5,
      },
      config.disks,
    );
    if (started instanceof PowerOnError) return started.message;
    const { powered, paths } = started;
    const s = Session.fromPowered({ ...config, disks: paths }, powered, consoles);
    s.ftWall = ftWall;
    // The other pCPUs' traps reach the timeline too (their mirrors' onTrap, set just below).
    if (s.parallel) s.parallel.traps = (cpu, t) => cpu.onTrap?.(cpu, t);
    s.timeline.attach(s.machine, (cpu) => (s.hv ? s.hv.currentOn(cpu.id)?.partitionId : 0));
    return s;
  }

  /** A session over a machine already powered on (a replay's: engine/replay.ts). */
  static fromPowered(config: MachineConfig, powered: PoweredMachine, consoles: ConsoleBuffers): Session {
    return new Session(config, powered, consoles);
  }

  /** Machine time in cycles (the firmware's menu counts too, so a timeout there advances). */
  get cycles(): number {
    return this.powered.cycles;
  }

  /** Runs `cycles` of machine time; false once the machine has stopped for good. */
  run(cycles: number): boolean {
    if (this.stopReason) return false;
    this.feedInput();
    // The whole machine paused, or in dual boot the one OS: no machine time passes (docs/debugger.md).
    if (this.machinePaused || this.debug.machineHeld()) return true;
    let r;
    // Dual boot outside the OS, where the cut between runs changes the state: log it (docs/recording.md).
    const fwBefore = this.recorder && this.fw ? `${this.fw.state}` : undefined;
    const t0 = this.cycles;
    try {
      r = this.powered.run(cycles);
      this.debug.settle();
    } catch (e) {
      if (!this.parallel) throw e;
      // A pCPU thread failed (the runner names it): the machine cannot go on, the app can.
      this.stopReason = `the machine stopped: ${(e as Error).message}`;
      this.ctl.cancel(this.stopReason);
      return false;
    }
    // 'idle': every pCPU waits for a key; the machine let the time pass (the pacing loop sleeps).
    if (fwBefore !== undefined && (fwBefore !== 'running' || this.fw?.state !== 'running'))
      this.recorder?.run(t0, cycles);
    this.recorder?.afterRun();
    if (r?.kind === 'idle' && this.fw?.state !== 'failed') r = null;
    if (r && r.kind !== 'limit') {
      this.stopReason =
        r.kind === 'unhandled-trap'
          ? `the machine stopped: unhandled trap (exit code ${r.exitCode})`
          : `the machine powered off (exit code ${r.exitCode & 0xff})`;
      this.ctl.cancel(this.stopReason);
      return false;
    }
    this.ctl.poll(this.cycles / TIMEBASE);
    return true;
  }

  /** Console bytes since the last call, one batch per guest. */
  drain(nowMs?: number): ConsoleBatch[] {
    return this.consoles.drain(nowMs);
  }

  /** New partition events since the last call. */
  newLogs(max = MAX_LOGS_PER_TICK): SessionLog[] {
    if (!this.hv) return [];
    // The hypervisor keeps the newest events only: events[0] is event number eventsDropped.
    const all = this.hv.events;
    const first = this.hv.eventsDropped;
    const fresh = all.slice(Math.max(0, this.eventsSeen - first));
    // Events the hypervisor no longer holds were never seen here: a flood outran the ticks.
    const lost = Math.max(0, first - this.eventsSeen);
    this.eventsSeen = first + all.length;
    const nameOf = (id: number) => this.hv!.partitions.get(id)?.name ?? `partition ${id}`;
    const keep = Math.max(0, max - 1); // room for the line that counts the rest
    const room = fresh.length + (lost > 0 ? 1 : 0) <= max ? fresh.length : keep;
    const out: SessionLog[] = fresh.slice(0, room).map((e) => ({
      guest: e.partition,
      guestName: nameOf(e.partition),
      kind: e.kind,
      detail: e.detail,
    }));
    // Bounded (docs/security.md#floods): the host stores each line, so a guest that makes events
    // faster than that gets one line saying how many were not logged, not one row per event.
    const skipped = lost + (fresh.length - room);
    if (skipped > 0) {
      const by = new Set(fresh.slice(room).map((e) => e.partition));
      const who = by.size === 1 ? [...by][0]! : null;
      out.push({
        guest: who,
        guestName: who === null ? 'hypervisor' : nameOf(who),
        kind: 'dropped',
        detail: `${skipped} more events not logged (a flood: the log takes ${max} at a time)`,
      });
    }
    return out;
  }

  guests(): GuestInfo[] {
    if (this.hv) {
      // ctl loads a client's image itself, so the hypervisor may not know which disk partition it
      // came from: then the bootable partition of the same OS name is the guest's.
      return partitionGuests(this.hv).map((g) => ({
        ...g,
        engine: this.hv!.partitions.get(g.id)?.engine ?? this.machine.engine,
        bootPartition: g.bootPartition || this.bootPartitionOf(g.name),
      }));
    }
    const booted = this.fw?.booted;
    return [
      {
        id: 0,
        name: booted ? booted.header.name.split(' ')[0]!.toLowerCase() : 'loader',
        state: this.stopReason ? 'halted' : 'running',
        memBytes: this.machine.mem.size,
        vcpus: this.machine.cpus.length,
        engine: this.dualbootEngine ?? this.machine.engine,
        bootPartition: booted?.partition ?? 0,
      },
    ];
  }

  status(): MachineStatus {
    return {
      state: this.stopReason ? 'failed' : 'running',
      config: this.config,
      guests: this.guests(),
      seconds: this.cycles / TIMEBASE,
      ...(this.stopReason ? { error: this.stopReason } : {}),
    };
  }

  /**
   * Keys for a guest; they go in as its console's receive FIFO has room. At most MAX_TYPED bytes
   * wait per guest (a stopped guest reads nothing): text that does not fit is refused whole, with a
   * message for the typist (docs/security.md#floods), so typing cannot grow the engine's memory.
   */
  type(guest: number, text: string): string | undefined {
    if (!this.guests().some((g) => g.id === guest)) return `no guest ${guest} (status() lists them)`;
    const q = this.input.get(guest) ?? [];
    if (q.length + text.length > MAX_TYPED)
      return (
        `${this.nameOf(guest)} is not reading its console: ${q.length} typed bytes wait already ` +
        `(at most ${MAX_TYPED}); these ${text.length} were not typed`
      );
    for (let i = 0; i < text.length; i++) q.push(text.charCodeAt(i) & 0xff);
    this.input.set(guest, q);
    this.feedInput();
    return undefined;
  }

  private feedInput(): void {
    for (const [guest, q] of this.input) {
      if (q.length === 0) continue;
      const uart = guest === 0 ? this.machine.uart : this.hv?.vconsoles.get(guest);
      if (!uart) {
        q.length = 0;
        continue;
      }
      const room = UART_RX_FIFO - uart.pendingInput;
      if (room <= 0) continue;
      const chunk = q.splice(0, room);
      if (guest === 0) this.machine.uart.input(chunk);
      else this.hv!.consoleInput(guest, chunk);
      this.recorder?.input(guest, chunk);
    }
  }

  async ctlCommand(command: string): Promise<CtlReply> {
    if (!this.hv)
      return { ok: false, lines: [], error: { name: 'EMODE', message: 'ctl runs only in hypervisor mode' } };
    return this.ctl.send(command, this.cycles / TIMEBASE);
  }

  // ------------------------------------------------------------------ a guest's files

  /** The file system a guest boots from (its boot partition on disk 0). */
  private fileSystem(guest: number): FileSystem | string {
    const g = this.guests().find((x) => x.id === guest);
    if (!g) return `no guest ${guest} (status() lists them)`;
    if (!g.bootPartition) return `${g.name} did not boot from a disk partition: it has no files here`;
    // While recording, the host's own writes are logged (docs/recording.md#what-comes-from-outside).
    const disk = DiskImage.open(this.recorder ? this.recorder.hostDisk(0, this.disks[0]!) : this.disks[0]!);
    if (disk instanceof DiskError) return `disk 0: ${disk.message}`;
    const fs = disk.fileSystem(g.bootPartition);
    return fs instanceof DiskError ? `${g.name}: ${fs.message}` : fs;
  }

  listFiles(guest: number): GuestFile[] | string {
    const fs = this.fileSystem(guest);
    if (typeof fs === 'string') return fs;
    // One rule for the Editor and the Disks view (src/main/disk/imageOps.ts).
    return listGuestFiles(fs);
  }

  readFile(guest: number, name: string): string | { error: string } {
    const fs = this.fileSystem(guest);
    if (typeof fs === 'string') return { error: fs };
    const text = readGuestText(fs, name);
    return text instanceof DiskError ? { error: text.message } : text;
  }

  /**
   * Saves a text file (a source, motd.txt, parttab) into the guest's file system without a reboot
   * (docs/app.md, Editor): the guest reads the new text the next time it opens the file. Program
   * images are refused: they are written by deploy from their source. Returns where it went.
   */
  writeFile(guest: number, name: string, text: string): { written: string } | { error: string } {
    const fs = this.fileSystem(guest);
    if (typeof fs === 'string') return { error: fs };
    if (text.includes('\0')) return { error: `${name}: a text file cannot hold NUL characters` };
    const existing = fs.list().find((f) => f.name.toLowerCase() === name.toLowerCase());
    if (existing?.executable) return { error: `${name} is a program image: edit its source and Assemble & reboot` };
    const r = fs.write(existing?.name ?? name, new TextEncoder().encode(text));
    if (r instanceof DiskError) return { error: `${this.nameOf(guest)}: ${r.message}` };
    this.disks[0]!.flush();
    const part = this.guests().find((g) => g.id === guest)?.bootPartition;
    return { written: `${this.config.disks[0]}:${part} ${existing?.name ?? name}` };
  }

  /**
   * Assemble-write-reboot (docs/guide.md): on errors nothing is written. Otherwise ctl stops the
   * guest, the program and its source are written into the guest's file system, and ctl restarts
   * the guest; the other guests run on. In dual boot the guest is the machine: it is reset. Both
   * names are checked before anything else (a name that fits for the program may not for `NAME.s`),
   * and the assembling runs on the assembler's worker with a time limit, so the machine runs on
   * meanwhile (docs/app.md#assembling).
   */
  async deploy(guest: number, name: string, source: string, stopOnEntry = false): Promise<DeployResult> {
    const base = name.replace(/\.s$/i, '');
    const refused = (error: string): DeployResult => ({ ok: false, diagnostics: [], rebooted: false, error });
    const before = this.fileSystem(guest);
    if (typeof before === 'string') return refused(before);
    if (before.kind !== 'cfs') return refused(`${this.nameOf(guest)} runs no programs from its disk`);
    for (const n of [base, `${base}.s`]) {
      const bad = before.checkName(n);
      if (bad)
        return refused(`cannot deploy '${name}' (the program '${base}' and its source '${base}.s'): ${bad.message}`);
    }
    const r = await assembleOffThread({ file: `${base}.s`, source, readFile: guestIncludes(before) });
    const diagnostics = r.diagnostics;
    if (!r.ok)
      return { ok: false, diagnostics, rebooted: false, ...(r.timedOut ? { error: diagnostics[0]?.message } : {}) };
    // The machine ran on while the assembler worked: open the file system again before writing.
    if (this.closed) return { ok: false, diagnostics, rebooted: false, error: 'the machine was powered off' };
    const fs = this.fileSystem(guest);
    if (typeof fs === 'string') return { ok: false, diagnostics, rebooted: false, error: fs };
    const image = buildCosExecutable(r.bytes, r.base, r.entry);
    // Its line map and labels, for source breakpoints and disassembly (docs/debugger.md#source-level).
    const info = programInfo(`${base}.s`, r);
    this.debug.setProgram(guest, info);
    if (stopOnEntry) this.debug.armEntry(guest, r.entry);
    // A replay needs them too: source breakpoints resolve through them (docs/debugger.md#reverse).
    this.recorder?.host('debugProgram', [guest, info, stopOnEntry ? r.entry : null]);
    const write = (): string | undefined => {
      const a = fs.write(base, image, { executable: true });
      if (a instanceof DiskError) return a.message;
      const b = fs.write(`${base}.s`, new TextEncoder().encode(source));
      if (b instanceof DiskError) return b.message;
      this.disks[0]!.flush();
      return undefined;
    };
    const where = `${this.config.disks[0]}:${this.guests().find((g) => g.id === guest)?.bootPartition} ${base}`;
    if (!this.hv) {
      const problem = write();
      if (problem) return { ok: true, diagnostics, bytes: image.length, rebooted: false, error: problem };
      this.recorder?.power();
      this.fw!.powerOn();
      return { ok: true, diagnostics, bytes: image.length, written: where, rebooted: true };
    }
    if (guest === 0)
      return {
        ok: true,
        diagnostics,
        rebooted: false,
        error: 'ctl is the Controlling OS: power the machine off and boot it again to restart it',
      };
    const stop = await this.ctlCommand(`stop ${guest}`);
    if (!stop.ok && stop.error?.name !== 'EBUSY')
      return { ok: true, diagnostics, rebooted: false, error: `ctl could not stop ${guest}: ${describe(stop)}` };
    const problem = write();
    const restart = await this.ctlCommand(`restart ${guest}`);
    if (problem) return { ok: true, diagnostics, rebooted: restart.ok, error: problem };
    if (!restart.ok)
      return { ok: true, diagnostics, written: where, rebooted: false, error: `ctl: ${describe(restart)}` };
    return { ok: true, diagnostics, bytes: image.length, written: where, rebooted: true };
  }

  private bootEntries: Map<string, number> | undefined;

  private bootPartitionOf(name: string): number {
    if (!this.bootEntries) {
      const { entries } = scanBootEntries(this.disks, this.machine.mem.size);
      this.bootEntries = new Map(
        entries.filter((e) => e.disk === 0).map((e) => [e.header.name.toLowerCase().split(' ')[0]!, e.partition]),
      );
    }
    return this.bootEntries.get(name.toLowerCase()) ?? 0;
  }

  /** The guest's engine (a partition's own, or the machine's in dual boot). */
  setEngine(guest: number, engine: 'interp' | 'jit'): string | undefined {
    if (!this.guests().some((g) => g.id === guest)) return `no guest ${guest} (status() lists them)`;
    this.recorder?.engine(guest, engine);
    if (this.hv) {
      this.hv.partitions.get(guest)!.engine = engine;
      return undefined;
    }
    for (const cpu of this.machine.cpus) {
      if (engine === 'interp') {
        if (cpu.jit) this.translators.set(cpu.id, cpu.jit);
        cpu.jit = null;
      } else cpu.jit ??= this.translators.get(cpu.id) ?? new Jit();
    }
    this.dualbootEngine = engine;
    this.debug.engineChanged();
    return undefined;
  }

  private readonly translators = new Map<number, SliceEngine>();
  private dualbootEngine: 'interp' | 'jit' | undefined;

  private nameOf(guest: number): string {
    return this.guests().find((g) => g.id === guest)?.name ?? `guest ${guest}`;
  }

  // ------------------------------------------------------------------ snapshots (docs/snapshots.md)

  /** Save the whole machine as snapshot `name` in the folder `dir` (between ticks: it is paused). */
  saveSnapshot(name: string, dir: string): SavedSnapshot | string {
    return saveSnapshot(this, name, dir);
  }

  /** @internal The end of each guest's console, recorded with a snapshot (snapshots.ts). */
  consoleTails(): SnapshotConsole[] {
    return this.guests().map((g) => ({ guest: g.id, name: g.name, tail: this.consoles.tail(g.id) }));
  }

  /**
   * Restore a snapshot file; all or nothing. A machine that had stopped runs again. Each console gets
   * a line saying so and its text as it was at the snapshot (docs/snapshots.md#consoles).
   */
  restoreSnapshot(file: string, dir: string): { seconds: number } | string {
    if (this.recorder && !this.recorder.stopped)
      return `recording '${this.recorder.recording.name}' is running: stop it before restoring a snapshot (a recording cannot jump)`;
    const r = restoreSnapshot(this, file, dir);
    if (typeof r !== 'string') {
      const name = (file.split(/[\\/]/).pop() ?? file).replace(/\.hdsnap$/, '');
      for (const c of r.consoles)
        this.consoles.note(
          c.guest,
          // ASCII only: a console carries bytes, one per character.
          `\r\n\x1b[2m-- restored snapshot '${name}' (t = ${r.seconds.toFixed(3)} s): ${c.name}'s console as it was --\x1b[0m\r\n${c.tail}`,
        );
      this.stopReason = undefined;
      this.ctl.cancel('the machine was restored from a snapshot');
      this.input.clear(); // keys typed for the machine as it was
      this.debug.afterRestore(); // new partitions: breakpoints armed again, every guest runs
      // The restored hypervisor's event log is the snapshot's: those events were reported already.
      if (this.hv) this.eventsSeen = this.hv.eventsDropped + this.hv.events.length;
      return { seconds: r.seconds };
    }
    return r;
  }

  /** Cycles per second of machine time (snapshots.ts converts with it). */
  readonly timebase = TIMEBASE;

  /** @internal The session's own part of a snapshot (snapshots.ts). */
  sessionState(): SessionPart {
    return { waitCycles: this.powered.menuCycles, engine: this.dualbootEngine ?? null };
  }

  /** @internal */
  restoreSessionState(st: SessionPart): void {
    this.powered.menuCycles = st.waitCycles;
  }

  close(): void {
    this.closed = true;
    this.ctl.cancel('the machine was powered off');
    this.powered.close();
  }

  /** Set by close(): a deploy that was assembling then writes nothing. */
  private closed = false;
}

function describe(r: CtlReply): string {
  return r.error ? `${r.error.name} ${r.error.message}` : r.lines.join('; ');
}
