/**
 * The engine's work loop, independent of the thread it runs on (worker.ts puts it on a worker; the
 * tests may run it in-process): it runs the session's machine paced to wall-clock time in slices,
 * and between slices it answers calls, sends each guest's console output once per tick, the status
 * when it changes (and once a second), a performance sample every half second, and new log lines.
 */
import { withFtWall } from './ftWall.js';
import type { MachineConfig, MachineStatus, PerfSample } from '../../shared/api.js';
import { TIMEBASE } from '../emulator/machine/board.js';
import type { EngineCalls, EngineEvent, EngineOp, EngineOptions } from './protocol.js';
import { Session } from './Session.js';
import { debugCall } from './debugging.js';
import { Recorder } from './recorder.js';
import type { Recording } from './recordLog.js';
import { Replay, ReplayError, type ReplayReport } from './replay.js';
import { forwardMove, reverseMove } from './replaySteps.js';
import { reverseContinue, seek, seekTo } from './reverse.js';
import { ownership, network, partitionCounters, perfBetween, type GuestCounters } from './views.js';
import { messageRows } from './messageRows.js';

/** Wall ms of machine work per tick before the loop looks at messages again. */
const TICK_BUDGET_MS = 12;
/** Machine time run between clock checks (1 ms). */
const SLICE = TIMEBASE / 1000;
/** How far behind wall-clock the machine may fall before the debt is forgiven (a slow host). */
const MAX_LAG_CYCLES = TIMEBASE / 10;
const PERF_EVERY_MS = 500;
const PERF_KEEP = 120;
/** Log lines (partition events) sent to the host per wall second, at most. */
const LOG_LINES_PER_SECOND = 200;

export class EngineCore {
  private session: Session | undefined;
  private booting: Promise<unknown> | undefined;
  private lastError: string | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private closed = false;
  /** Pacing: machine cycles at `wallStart`. */
  private wallStart = 0;
  private cyclesStart = 0;
  private lastStatusKey = '';
  private lastStatusAt = 0;
  private perfSamples: PerfSample[] = [];
  private logWindowAt = -Infinity;
  private logBudget = 0;
  private perfBase: { wall: number; cycles: number; counters: GuestCounters[] } | undefined;
  /** A replay being verified or moved about (docs/recording.md#replay), and who waits for its end. */
  private replay: Replay | undefined;
  private replayWaiter: { resolve(r: ReplayReport): void; reject(e: Error): void } | undefined;
  /** A recording ended by a power-off or a boot, kept until recordStop takes it (nothing lost). */
  private unclaimed: Recording | undefined;

  constructor(
    private readonly emit: (e: EngineEvent) => void,
    private readonly opts: EngineOptions = {},
    private readonly clock: () => number = () => performance.now(),
  ) {}

  /** Answers one call; user errors are thrown as Errors with a clear message. */
  async call(op: EngineOp, args: unknown[]): Promise<unknown> {
    const s = this.session;
    const need = () => {
      if (!s) throw new Error(this.lastError ? `no machine is running (${this.lastError})` : 'no machine is running');
      return s;
    };
    const a = args as never[];
    // A replay only moves through seek and the reverse commands: what would change it is refused.
    if (this.replay && REPLAY_REFUSES.has(op))
      throw new Error(
        `the machine is a replay of recording '${this.replay.recording.name}': it only moves with seek, the replay's steps (forwardStep, reverseStep) and reverse continue (boot or power off to leave it)`,
      );
    switch (op) {
      case 'boot':
        return this.boot(a[0] as Partial<MachineConfig>);
      case 'powerOff':
        this.stopSession();
        return this.status();
      case 'status':
        return this.status();
      case 'setEngine': {
        const problem = need().setEngine(a[0], a[1]);
        if (problem) throw new Error(problem);
        this.sendStatus(true);
        return this.status();
      }
      case 'consoleInput': {
        const problem = need().type(a[0], a[1]);
        if (problem) throw new Error(problem);
        return undefined;
      }
      case 'consoleHistory':
        if (!s) return { data: '', end: 0 };
        this.flushConsoles();
        return s.consoles.history(a[0]);
      case 'listFiles': {
        const r = need().listFiles(a[0]);
        if (typeof r === 'string') throw new Error(r);
        return r;
      }
      case 'readFile': {
        const r = need().readFile(a[0], a[1]);
        if (typeof r !== 'string') throw new Error(r.error);
        return r;
      }
      case 'writeFile': {
        const r = need().writeFile(a[0], a[1], a[2]);
        if ('error' in r) throw new Error(r.error);
        return r;
      }
      case 'deploy':
        return need().deploy(a[0], a[1], a[2]);
      case 'ctl':
        return need().ctlCommand(a[0]);
      case 'ownership': {
        const hv = need().hv;
        if (!hv) throw new Error('the ownership map is the hypervisor’s: boot in hypervisor mode');
        return withFtWall(ownership(hv, need().machine), need().ftWall);
      }
      case 'network': {
        const hv = need().hv;
        if (!hv) throw new Error('the virtual network is the hypervisor’s: boot in hypervisor mode');
        return network(hv);
      }
      case 'messages': {
        const hv = need().hv;
        if (!hv) throw new Error('messages between partitions are the hypervisor’s: boot in hypervisor mode');
        return messageRows(hv);
      }
      case 'capture': {
        const hv = need().hv;
        if (!hv) throw new Error('the virtual network is the hypervisor’s: boot in hypervisor mode');
        return {
          base64: Buffer.from(hv.bridge.pcap()).toString('base64'),
          frames: hv.bridge.capture.length,
          dropped: hv.bridge.captureOverwritten,
        };
      }
      case 'perf':
        return this.perfSamples;
      case 'timeline':
        return s ? s.timeline.entries(a[0]) : [];
      case 'snapshotSave': {
        // Calls are answered between ticks: the machine is paused at a slice boundary.
        const r = need().saveSnapshot(a[0], a[1]);
        if (typeof r === 'string') throw new Error(r);
        return r;
      }
      case 'debugDeploy':
        return need().deploy(a[0], a[1], a[2], a[3]);
      case 'debugMachine': {
        const session = need();
        session.machinePaused = a[0];
        if (!session.machinePaused) {
          // Pacing starts over from now: the paused time is not owed.
          this.wallStart = this.clock();
          this.cyclesStart = session.cycles;
        }
        return { paused: session.machinePaused, seconds: session.cycles / TIMEBASE };
      }
      case 'debugState':
      case 'debugPause':
      case 'debugContinue':
      case 'debugStep':
      case 'debugRunTo':
      case 'debugRegisters':
      case 'debugSetRegister':
      case 'debugReadMemory':
      case 'debugWriteMemory':
      case 'debugDisassemble':
      case 'debugStack':
      case 'debugSetBreakpoints':
      case 'debugSetWatchpoints':
      case 'debugSetTrapBreaks': {
        // On a replay they are set aside, never armed in the replayed machine: armed, they would
        // stop a guest where the recording did not (docs/recording.md#breakpoints-in-a-replay).
        if (this.replay && op === 'debugSetBreakpoints') return need().debug.setBreakpointsAside(a[0], a[1]);
        if (this.replay && op === 'debugSetWatchpoints') return need().debug.setWatchpointsAside(a[0], a[1]);
        if (this.replay && op === 'debugSetTrapBreaks') return need().debug.setTrapBreaksAside(a[0], a[1]);
        // Calls are answered between ticks: no pCPU is in the middle of a slice (docs/debugger.md).
        const r = debugCall(need(), op, a, this.clock);
        this.flushConsoles();
        return r;
      }
      case 'snapshotRestore': {
        const session = need();
        this.flushConsoles();
        const r = session.restoreSnapshot(a[0], a[1]);
        if (typeof r === 'string') throw new Error(r);
        // Pacing starts over from the restored time; a machine that had stopped runs again.
        this.wallStart = this.clock();
        this.cyclesStart = session.cycles;
        this.perfBase = undefined;
        if (this.timer) clearTimeout(this.timer);
        this.timer = undefined;
        this.sendStatus(true);
        this.schedule(0);
        return this.status();
      }
      case 'recordStart': {
        const session = need();
        if (session.recorder && !session.recorder.stopped)
          throw new Error(`recording '${session.recorder.recording.name}' is running already: stop it first`);
        const r = Recorder.start(session, a[0], a[1], a[2] ?? {});
        if (typeof r === 'string') throw new Error(r);
        session.recorder = r;
        return { name: r.recording.name, seconds: session.cycles / TIMEBASE, threads: false };
      }
      case 'recordStop': {
        const rec = s?.recorder;
        if (!rec || rec.stopped) {
          const kept = this.unclaimed;
          this.unclaimed = undefined;
          if (kept) return kept;
          throw new Error('no recording is running (recordStart starts one)');
        }
        this.flushConsoles();
        return rec.stop('stopped');
      }
      case 'replay':
        return this.startReplay(a[0] as Recording);
      case 'seek':
        return this.move(() => seek(this.needReplay(), a[0]));
      case 'seekTo':
        return this.move(() => seekTo(this.needReplay(), a[0]));
      case 'reverseStep':
        return this.move(() => reverseMove(this.needReplay(), a[0], a[1], a[2] ?? 'instruction'));
      case 'forwardStep':
        return this.move(() => forwardMove(this.needReplay(), a[0], a[1], a[2] ?? 'instruction'));
      case 'reverseContinue':
        return this.move(() => reverseContinue(this.needReplay(), a[0], a[1]));
    }
    throw new Error(`unknown engine call ${String(op)}`);
  }

  /** The running session, for tools that drive a machine in-process (test/fuzz/flood.ts). */
  get running(): Session | undefined {
    return this.session;
  }

  private needReplay(): Replay {
    if (!this.replay) throw new Error('no replay is open (replay(name) opens one)');
    return this.replay;
  }

  /**
   * A move of the replay; the consoles and the status follow it. Each console is sent whole, as
   * it was at the new moment (a `reset` batch), not the bytes the move ran through: the viewers
   * show it as it was then (docs/recording.md#the-scrubber).
   */
  private move<T>(f: () => T): T {
    try {
      return f();
    } finally {
      const batches = this.session?.consoles.rewound() ?? [];
      if (batches.length) this.emit({ event: 'console', batches });
      this.sendStatus(true);
    }
  }

  /** Power the recording's start on in place of what runs, and verify it in the ticks to come. */
  private startReplay(rec: Recording): Promise<ReplayReport> {
    this.stopSession();
    const r = Replay.open(rec);
    if (typeof r === 'string') throw new Error(r);
    this.replay = r;
    this.session = r.session;
    this.perfSamples = [];
    this.perfBase = undefined;
    this.sendStatus(true);
    return new Promise((resolve, reject) => {
      this.replayWaiter = { resolve, reject };
      this.schedule(0);
    });
  }

  status(): MachineStatus {
    if (this.session) {
      const st = this.session.status();
      return this.replay ? { ...st, replay: this.replay.status() } : st;
    }
    return {
      state: this.booting ? 'booting' : this.lastError ? 'failed' : 'off',
      guests: [],
      seconds: 0,
      ...(this.lastError ? { error: this.lastError } : {}),
    };
  }

  private async boot(config: Partial<MachineConfig>): Promise<MachineStatus> {
    if (this.booting) throw new Error('a boot is already in progress');
    this.stopSession();
    this.lastError = undefined;
    const booting = Session.boot(config);
    this.booting = booting;
    this.sendStatus(true);
    const s = await booting;
    this.booting = undefined;
    if (typeof s === 'string') {
      this.lastError = s;
      this.sendStatus(true);
      return this.status();
    }
    this.session = s;
    s.onDebug = (debug) => this.emit({ event: 'debug', debug });
    this.perfSamples = [];
    this.perfBase = undefined;
    this.wallStart = this.clock();
    this.cyclesStart = s.cycles;
    this.sendStatus(true);
    this.schedule(0);
    return this.status();
  }

  private stopSession(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.session) return;
    this.flushConsoles();
    if (this.session.recorder && !this.session.recorder.stopped)
      this.unclaimed = this.session.recorder.stop('the machine was powered off');
    if (this.replay) {
      this.replayWaiter?.reject(new Error('the replay was closed before it finished'));
      this.replayWaiter = undefined;
      this.replay.close();
      this.replay = undefined;
    } else this.session.close();
    this.session = undefined;
    this.sendStatus(true);
  }

  close(): void {
    this.stopSession();
    this.closed = true;
  }

  private schedule(ms: number): void {
    if (this.closed || !this.session || this.opts.manual) return;
    this.timer = setTimeout(() => this.tick(), ms);
  }

  /** One turn of the loop: run machine time, then report. */
  tick(): void {
    const s = this.session;
    if (!s) return;
    if (this.replay) return this.replayTick(this.replay);
    const t0 = this.clock();
    let behind = true;
    while (this.clock() - t0 < TICK_BUDGET_MS) {
      // Dual boot with the OS paused by the debugger: nothing to run until it goes on.
      if (s.machinePaused || s.debug.machineHeld()) {
        behind = false;
        break;
      }
      let slice = SLICE;
      if (!this.opts.unpaced) {
        const target = this.cyclesStart + ((this.clock() - this.wallStart) * TIMEBASE) / 1000;
        const debt = target - s.cycles;
        if (debt > MAX_LAG_CYCLES) {
          // The host cannot keep up: forget the debt instead of running flat out forever.
          this.cyclesStart -= debt - MAX_LAG_CYCLES;
        }
        if (debt < SLICE) {
          behind = false;
          break;
        }
        slice = Math.min(SLICE, Math.floor(debt));
      }
      if (!s.run(slice)) break;
    }
    this.flushConsoles();
    // Log lines are stored by the host one row each: at most LOG_LINES_PER_SECOND, whatever a
    // guest does (docs/security.md#floods); newLogs counts the rest in one line.
    const wallNow = this.clock();
    if (wallNow - this.logWindowAt >= 1000) {
      this.logWindowAt = wallNow;
      this.logBudget = LOG_LINES_PER_SECOND;
    }
    if (this.logBudget > 0) {
      const logs = s.newLogs(Math.min(this.logBudget, 100));
      this.logBudget -= logs.length;
      if (logs.length) this.emit({ event: 'log', logs });
    }
    this.samplePerf();
    this.sendStatus(false);
    if (s.stopReason) return; // stopped for good: status says why
    this.schedule(behind ? 0 : 4);
  }

  /** A replay verifies as fast as the host can, one tick's budget at a time, then stands still. */
  private replayTick(r: Replay): void {
    let done = false;
    try {
      done = r.work(TICK_BUDGET_MS, this.clock);
    } catch (e) {
      if (!(e instanceof ReplayError)) throw e;
      r.failed = e.message;
      this.flushConsoles();
      this.replayWaiter?.reject(e);
      this.replayWaiter = undefined;
      this.sendStatus(true);
      return;
    }
    this.flushConsoles();
    this.sendStatus(false);
    if (done) {
      this.replayWaiter?.resolve(r.report());
      this.replayWaiter = undefined;
      return;
    }
    this.schedule(0);
  }

  private flushConsoles(): void {
    const batches = this.session?.drain(this.clock()) ?? [];
    if (batches.length) this.emit({ event: 'console', batches });
  }

  private sendStatus(force: boolean): void {
    const st = this.status();
    const key = `${st.state}|${st.replay ? `${st.replay.verified}:${st.replay.error ?? ''}` : ''}|${st.guests.map((g) => `${g.id}:${g.name}:${g.state}:${g.memBytes}:${g.vcpus}`).join(',')}`;
    const now = this.clock();
    if (!force && key === this.lastStatusKey && now - this.lastStatusAt < 1000) return;
    this.lastStatusKey = key;
    this.lastStatusAt = now;
    this.emit({ event: 'status', status: st });
  }

  private samplePerf(): void {
    const s = this.session;
    if (!s) return;
    const wall = this.clock();
    const counters = s.hv
      ? partitionCounters(s.hv, s.machine)
      : [
          {
            id: 0,
            name: s.guests()[0]!.name,
            instret: s.machine.cpus.reduce((n, c) => n + c.instret, 0),
            traps: s.machine.cpus.reduce((n, c) => n + c.stats.traps, 0),
            irqs: s.machine.cpus.reduce((n, c) => n + c.stats.interrupts, 0),
            hypercalls: 0,
          },
        ];
    if (!this.perfBase) {
      this.perfBase = { wall, cycles: s.cycles, counters };
      return;
    }
    if (wall - this.perfBase.wall < PERF_EVERY_MS) return;
    const sample: PerfSample = {
      wall: Date.now(),
      seconds: s.cycles / TIMEBASE,
      guests: perfBetween(
        this.perfBase.counters,
        counters,
        wall - this.perfBase.wall,
        s.cycles - this.perfBase.cycles,
        s.machine.cpus.length,
      ),
    };
    this.perfBase = { wall, cycles: s.cycles, counters };
    this.perfSamples.push(sample);
    if (this.perfSamples.length > PERF_KEEP) this.perfSamples.shift();
    this.emit({ event: 'perf', sample });
  }
}

export type { EngineCalls };

/** Calls that would change a replay's machine (it moves only with seek and the reverse commands). */
const REPLAY_REFUSES: ReadonlySet<EngineOp> = new Set<EngineOp>([
  'setEngine',
  'consoleInput',
  'writeFile',
  'deploy',
  'ctl',
  'snapshotSave',
  'snapshotRestore',
  'recordStart',
  // The debugger's run control would run the replay's machine off its log (a step, continue or
  // run to) or hold a vCPU the recording did not: the replay's steps are forwardStep/reverseStep.
  'debugPause',
  'debugContinue',
  'debugStep',
  'debugRunTo',
  // Writing a register or memory, or deploying a program, would change the replay's machine: it
  // would then show a run that never happened (the recording's inputs do not include the write).
  'debugSetRegister',
  'debugWriteMemory',
  'debugDeploy',
]);
