/**
 * Real SMP (docs/architecture.md#parallel-smp): the pCPUs of one machine run on threads of their own,
 * one pCPU per thread, over RAM in a SharedArrayBuffer. The machine's own thread (the coordinator)
 * runs pCPU 0 itself and keeps everything else: the devices, the hypervisor, and a mirror Cpu per
 * other pCPU that the hypervisor and the host look at. (n pCPUs take n threads, not n + 1: on a
 * 2-core host a third busy thread would make every wake-up wait for a core.)
 *
 * - A device access by a pCPU thread is a synchronous call to the coordinator, which runs it on the
 *   device between two slices of pCPU 0 and answers (Atomics.wait / notify on a shared control block).
 * - A trap to a hypervisor stops the world: every pCPU thread parks at its next slice boundary (at
 *   most SLICE cycles away) and hands its state over; the coordinator copies the states into the
 *   mirrors, runs the hypervisor's handler, and hands every changed state back. The hypervisor thus
 *   always sees all pCPUs stopped, as on one thread, and needs no locks of its own.
 * - Interrupt lines driven by devices and IPIs (external, ipi) belong to the coordinator: it
 *   publishes them per pCPU, and each thread takes them between slices.
 * - Code pages: see PhysicalMemory's SharedCode. A pCPU sees code that another pCPU or a device
 *   wrote at its next slice boundary (like an instruction-cache sync).
 * - The guest's atomic instructions are JavaScript Atomics on the shared RAM.
 *
 * Parallel runs are not deterministic (the interleaving of memory accesses between threads is the
 * host's); the deterministic mode is Machine.run, all pCPUs on one thread in fixed quanta.
 *
 * The emulator imports nothing from Node: the host starts the threads (spawn) and each thread calls
 * runCpuThread with what it was given (engine/cpuThread.ts).
 */
import { IRQ } from '../../../shared/isa/csrs.js';
import { Bus, type Width } from '../bus/Bus.js';
import { Cpu, PACKED_CPU_WORDS, type TrapRecord } from '../cpu/Cpu.js';
import { Jit } from '../cpu/jit/Jit.js';
import { runCpu } from '../cpu/run.js';
import { PhysicalMemory, type SharedCode } from '../memory/PhysicalMemory.js';
import type { Machine, StopReport } from './Machine.js';

/** Most cycles a pCPU thread runs between looks at the shared control block. */
export const SLICE = 2048;

// Global words of the control block.
const G_DOORBELL = 0;
const G_STOP = 1;
const WORDS = 16;
// Per-thread words (at WORDS * (1 + index)).
const W_CMD = 0;
const W_CMD_SEQ = 1;
const W_STATUS = 2;
const W_RESUME_SEQ = 3;
const W_CHANGED = 4;
const W_LINES = 5;
const W_REQ_ADDR = 6;
const W_REQ_WIDTH = 7;
const W_REQ_WRITE = 8;
const W_REQ_VALUE = 9;
const W_REP_VALUE = 10;
const W_REP_OK = 11;
const W_REP_SEQ = 12;
/** The coordinator flushed the mirror's TLB: the thread flushes its own. */
const W_FLUSH = 13;

const CMD_GO = 1;
const CMD_EXIT = 2;

const ST_RUNNING = 1;
const ST_PARKED = 2;
/** Parked after a trap to the hypervisor, which the coordinator must run. */
const ST_HTRAP = 3;
const ST_DONE = 4;
const ST_MMIO = 5;
/** Parked after a trap through a vector that was never set (Machine's stopOnUnsetVector). */
const ST_VECTOR = 6;
/** The thread failed; its error text is in the log. */
const ST_FAILED = 7;
/** The thread is up and waits for its first run. */
const ST_READY = 8;

// Per-thread numbers (Float64), after the packed CPU state.
const F_BUDGET = PACKED_CPU_WORDS;
const F_NOW = PACKED_CPU_WORDS + 1;
/** Cycles a device access charged the pCPU (a full UART: Cpu.stall), for the thread to pass. */
const F_STALL = PACKED_CPU_WORDS + 2;
/**
 * The thread's trap ring: traps written so far, then TRAP_RING records of TRAP_WORDS. (A trap
 * through an unset vector, ST_VECTOR, is the last record: the thread parks right after it.)
 */
const F_RING = PACKED_CPU_WORDS + 3;
const TRAP_RING = 256;
const TRAP_WORDS = 5; // cycle, cause, pc, badaddr, mode * 4 + targetMode
const F_STRIDE = F_RING + 1 + TRAP_RING * TRAP_WORDS;

/** Interrupt lines the coordinator drives. */
const EXT_LINES = (1 << IRQ.external) | (1 << IRQ.ipi);

/** Where trap number k of a thread is in its ring. */
function ringSlot(k: number): number {
  return F_RING + 1 + (k % TRAP_RING) * TRAP_WORDS;
}

/** Trap number k of a thread, from its ring. */
function trapRecord(f: Float64Array, k: number): TrapRecord {
  const o = ringSlot(k);
  const modes = f[o + 4];
  return { cycle: f[o], cause: f[o + 1], pc: f[o + 2], badaddr: f[o + 3], mode: modes >> 2, targetMode: modes & 3 };
}

/** Advance a sequence word and wake whoever waits on it. */
function bump(ctl: Int32Array, i: number): void {
  Atomics.add(ctl, i, 1);
  Atomics.notify(ctl, i);
}

/** Loads of a word a waiting thread makes before it sleeps (some tens of microseconds). */
const SPIN = 20_000;

/**
 * Wait until ctl[i] is no longer `old`: spin first, since the answer is usually some microseconds
 * away and the other side has a core of its own, then sleep (a futex wake-up costs tens of
 * microseconds more).
 */
function awaitChange(ctl: Int32Array, i: number, old: number, timeoutMs?: number): void {
  for (let k = 0; k < SPIN; k++) if (Atomics.load(ctl, i) !== old) return;
  Atomics.wait(ctl, i, old, timeoutMs);
}

/** What a pCPU thread is given (structured-cloneable: SharedArrayBuffers and numbers). */
export interface CpuThreadData {
  index: number;
  memBytes: number;
  ram: SharedArrayBuffer;
  code: SharedCode;
  control: SharedArrayBuffer;
  states: SharedArrayBuffer;
  stopOnUnsetVector: boolean;
}

/** A started pCPU thread, as the host gives it back. */
export interface CpuThreadHandle {
  terminate(): void;
}

/** Starts a thread that calls runCpuThread(data) (the host's business: worker_threads). */
export type SpawnCpuThread = (data: CpuThreadData) => CpuThreadHandle;

export class ParallelRunner {
  private readonly ctl: Int32Array;
  private readonly f: Float64Array[];
  private readonly threads: CpuThreadHandle[] = [];
  /** What each thread last handed over (to send states back only when the coordinator changed them). */
  private readonly pulled: Float64Array[];
  private readonly tlbMark: number[];
  /** The coordinator's copy of a thread's state is newer than its slot (it was pulled). */
  private readonly fresh: boolean[];
  private readonly scratch = new Float64Array(F_STRIDE);
  private closed = false;
  private ready = false;
  /** Stop-the-world syncs, device calls from threads, and runs so far (benchmarks and tests). */
  readonly stats = { syncs: 0, mmio: 0, rounds: 0 };
  /**
   * Called here with each trap a pCPU thread took (its mirror Cpu and the record), in order, at the
   * next stop-the-world or the end of the run: before the hypervisor handles anything, so the vCPU
   * current on that pCPU is still the one that trapped. A thread keeps its last TRAP_RING traps
   * between two looks. (pCPU 0's traps reach its own onTrap as on one thread.) The app's timeline.
   */
  traps: ((cpu: Cpu, t: TrapRecord) => void) | undefined;
  private readonly trapsSeen: number[];

  constructor(
    readonly machine: Machine,
    spawn: SpawnCpuThread,
  ) {
    const mem = machine.mem;
    if (!mem.shared || !(mem.buffer instanceof SharedArrayBuffer)) {
      throw new Error('a parallel machine needs shared RAM: build it with sharedMemory: true');
    }
    const n = machine.cpus.length;
    const control = new SharedArrayBuffer(4 * WORDS * (n + 1));
    const states = new SharedArrayBuffer(8 * F_STRIDE * n);
    this.ctl = new Int32Array(control);
    this.f = machine.cpus.map((_, i) => new Float64Array(states, 8 * F_STRIDE * i, F_STRIDE));
    this.pulled = machine.cpus.map(() => new Float64Array(PACKED_CPU_WORDS).fill(NaN));
    this.tlbMark = machine.cpus.map(() => -1);
    this.fresh = machine.cpus.map(() => true);
    this.trapsSeen = machine.cpus.map(() => 0);
    // pCPU 0 runs on this thread; every other pCPU on a thread of its own.
    for (let i = 1; i < n; i++) {
      this.threads.push(
        spawn({
          index: i,
          memBytes: mem.size,
          ram: mem.buffer,
          code: mem.shared,
          control,
          states,
          stopOnUnsetVector: machine.desc.stopOnUnsetVector ?? false,
        }),
      );
    }
  }

  /**
   * Whether every thread has started: 'ready' (then run() may be called), 'starting', or the pCPU
   * whose thread failed. A thread starts only while the machine's thread is free to run its event
   * loop, so the host polls this between turns of its event loop (engine/threads.ts).
   */
  startState(): 'ready' | 'starting' | { failed: number } {
    for (let i = 1; i < this.machine.cpus.length; i++) {
      const st = this.status(i);
      if (st === ST_FAILED) return { failed: i };
      if (st !== ST_READY) return 'starting';
    }
    this.ready = true;
    return 'ready';
  }

  private w(i: number, word: number): number {
    return WORDS * (1 + i) + word;
  }

  private status(i: number): number {
    return Atomics.load(this.ctl, this.w(i, W_STATUS));
  }

  /**
   * Run every pCPU for `cycles` cycles: pCPU 0 here, between looks at the threads' calls, the others
   * on their threads. Returns like Machine.run: the stop report once the machine stopped, 'idle'
   * when every pCPU waits with no timer armed, else null.
   */
  run(cycles: number): StopReport | null {
    const m = this.machine;
    if (this.closed) throw new Error('this parallel runner was closed');
    if (!this.ready)
      throw new Error('the pCPU threads have not started: wait for startState() to say ready (engine/threads.ts does)');
    if (m.stopped) return m.stopped;
    this.stats.rounds++;
    const n = m.cpus.length;
    for (let i = 1; i < n; i++) {
      this.push(i);
      this.f[i][F_BUDGET] = cycles;
      this.fresh[i] = false;
      Atomics.store(this.ctl, this.w(i, W_STATUS), ST_RUNNING);
      Atomics.store(this.ctl, this.w(i, W_CMD), CMD_GO);
      bump(this.ctl, this.w(i, W_CMD_SEQ));
    }
    // pCPU 0's traps to the hypervisor stop the world first, like the threads' traps.
    const cpu0 = m.cpus[0];
    const hook = cpu0.hypervisorTrap;
    if (hook) cpu0.hypervisorTrap = (c) => this.stopWorld(() => hook(c));
    try {
      for (let done = 0; done < cycles && !cpu0.halted;) {
        this.serve();
        m.mem.pollShared();
        m.setCurrent(cpu0);
        done += runCpu(cpu0, Math.min(SLICE, cycles - done));
      }
      for (;;) {
        const bell = Atomics.load(this.ctl, G_DOORBELL);
        if (this.serve()) break;
        awaitChange(this.ctl, G_DOORBELL, bell, 100);
      }
    } finally {
      cpu0.hypervisorTrap = hook;
    }
    for (let i = 1; i < n; i++) if (!this.fresh[i]) this.pull(i);
    for (let i = 1; i < n; i++) this.replayTraps(i);
    m.time += cycles;
    if (m.stopped) return m.stopped;
    const live = m.cpus.filter((c) => !c.halted);
    if (live.length > 0 && live.every((c) => c.waiting && !Number.isFinite(c.nextTimer())))
      return { kind: 'idle', exitCode: 0 };
    return null;
  }

  /**
   * Answer the threads' device calls; when one trapped to the hypervisor (or the machine stopped),
   * stop the world and sync. Returns true when every thread has finished its run.
   */
  private serve(): boolean {
    let allDone = true;
    let trapped = false;
    for (let i = 1; i < this.machine.cpus.length; i++) {
      const st = this.look(i);
      if (st === ST_HTRAP || st === ST_VECTOR) trapped = true;
      if (st !== ST_DONE) allDone = false;
    }
    if (!allDone && (trapped || this.machine.stopped)) {
      this.stopWorld();
      return false;
    }
    return allDone;
  }

  /** Thread i's status, after answering its device call if it made one. */
  private look(i: number): number {
    const st = this.status(i);
    if (st === ST_FAILED) throw new Error(`pCPU ${i}'s thread failed (see its error)`);
    if (st !== ST_MMIO) return st;
    this.device(i);
    return ST_RUNNING;
  }

  /** Park every thread (answering device calls meanwhile), then sync, with `here` in the middle. */
  private stopWorld(here?: () => void): void {
    const n = this.machine.cpus.length;
    Atomics.store(this.ctl, G_STOP, 1);
    for (;;) {
      const bell = Atomics.load(this.ctl, G_DOORBELL);
      let parked = true;
      for (let i = 1; i < n; i++) {
        if (this.look(i) === ST_RUNNING) parked = false;
      }
      if (parked) break;
      awaitChange(this.ctl, G_DOORBELL, bell, 100);
    }
    this.sync(here);
  }

  /**
   * Every thread is parked: take their states, run the hypervisor for the ones that trapped (and
   * `here`, pCPU 0's own trap), hand changed states back and let them go on.
   */
  private sync(here?: () => void): void {
    const m = this.machine;
    const n = m.cpus.length;
    this.stats.syncs++;
    const kinds = m.cpus.map((_, i) => (i === 0 ? ST_RUNNING : this.status(i)));
    for (let i = 1; i < n; i++) if (!this.fresh[i]) this.pull(i);
    for (let i = 1; i < n; i++) this.replayTraps(i);
    for (let i = 1; i < n; i++) {
      const cpu = m.cpus[i];
      m.setCurrent(cpu);
      if (kinds[i] === ST_HTRAP) cpu.hypervisorTrap?.(cpu);
      else if (kinds[i] === ST_VECTOR) m.checkVector(cpu, trapRecord(this.f[i], this.f[i][F_RING] - 1));
    }
    m.setCurrent(m.cpus[0]);
    here?.();
    if (m.stopped) for (const c of m.cpus) c.halted = true;
    Atomics.store(this.ctl, G_STOP, 0);
    for (let i = 1; i < n; i++) {
      if (kinds[i] === ST_DONE) continue; // its state goes back with the next run
      this.push(i);
      this.fresh[i] = false;
      Atomics.store(this.ctl, this.w(i, W_STATUS), ST_RUNNING);
      bump(this.ctl, this.w(i, W_RESUME_SEQ));
    }
  }

  /** Hand thread i's traps since the last look to `traps` (the thread is parked or done). */
  private replayTraps(i: number): void {
    const f = this.f[i];
    const count = f[F_RING];
    let k = Math.max(this.trapsSeen[i], count - TRAP_RING);
    this.trapsSeen[i] = count;
    const hook = this.traps;
    if (!hook) return;
    for (; k < count; k++) hook(this.machine.cpus[i], trapRecord(f, k));
  }

  /** Copy what thread i handed over into its mirror, keeping the lines the coordinator drives. */
  private pull(i: number): void {
    const cpu = this.machine.cpus[i];
    const f = this.f[i];
    const ext = cpu.ip & EXT_LINES;
    const { jit } = cpu.unpackState(f, false);
    if (jit !== (cpu.jit !== null)) throw new Error(`pCPU ${i}: engine changed on its thread`);
    cpu.ip = (cpu.ip & ~EXT_LINES) | ext;
    for (let l = 0; l < 32; l++) if ((ext >> l) & 1) cpu.setInterrupt(l, true);
    this.pulled[i].set(f.subarray(0, PACKED_CPU_WORDS));
    this.tlbMark[i] = cpu.tlb.flushes;
    this.fresh[i] = true;
  }

  /** Hand the mirror's state to thread i if the coordinator changed it (or flushed its TLB). */
  private push(i: number): void {
    const cpu = this.machine.cpus[i];
    const s = this.scratch;
    cpu.packState(s);
    const prev = this.pulled[i];
    const flushed = cpu.tlb.flushes !== this.tlbMark[i];
    let changed = flushed;
    for (let k = 0; k < PACKED_CPU_WORDS && !changed; k++) if (s[k] !== prev[k]) changed = true;
    if (changed) {
      this.f[i].set(s.subarray(0, PACKED_CPU_WORDS));
      if (flushed) Atomics.store(this.ctl, this.w(i, W_FLUSH), 1);
      Atomics.store(this.ctl, this.w(i, W_CHANGED), 1);
    }
    Atomics.store(this.ctl, this.w(i, W_LINES), cpu.ip & EXT_LINES);
  }

  /** A device access by thread i: run it here, publish the lines it may have moved, answer. */
  private device(i: number): void {
    const m = this.machine;
    const c = this.ctl;
    const cpu = m.cpus[i];
    this.stats.mmio++;
    // Devices read the time of the pCPU that touches them.
    cpu.hcycle = this.f[i][F_NOW];
    cpu.sliceSteps = 0;
    const stall = cpu.stall;
    m.setCurrent(cpu);
    const addr = Atomics.load(c, this.w(i, W_REQ_ADDR));
    const width = Atomics.load(c, this.w(i, W_REQ_WIDTH)) as Width;
    if (Atomics.load(c, this.w(i, W_REQ_WRITE)) === 1) {
      const ok = m.bus.write(addr, width, Atomics.load(c, this.w(i, W_REQ_VALUE)));
      Atomics.store(c, this.w(i, W_REP_OK), ok ? 1 : 0);
    } else {
      const v = m.bus.read(addr, width);
      Atomics.store(c, this.w(i, W_REP_OK), v === undefined ? 0 : 1);
      Atomics.store(c, this.w(i, W_REP_VALUE), v ?? 0);
    }
    m.setCurrent(m.cpus[0]);
    // What the access charged goes to the thread's own pCPU (the mirror's is overwritten by the next pull).
    this.f[i][F_STALL] = cpu.stall - stall;
    cpu.stall = stall;
    for (let k = 1; k < m.cpus.length; k++) Atomics.store(c, this.w(k, W_LINES), m.cpus[k].ip & EXT_LINES);
    Atomics.store(c, this.w(i, W_STATUS), ST_RUNNING);
    bump(c, this.w(i, W_REP_SEQ));
  }

  /** End the threads (the mirrors keep the last state; the machine can go on with Machine.run). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (let i = 1; i < this.machine.cpus.length; i++) {
      Atomics.store(this.ctl, this.w(i, W_CMD), CMD_EXIT);
      bump(this.ctl, this.w(i, W_CMD_SEQ));
    }
    for (const t of this.threads) t.terminate();
  }
}

/** A pCPU thread's bus: every device access is a call to the coordinator. */
class ForwardingBus extends Bus {
  constructor(
    private readonly ctl: Int32Array,
    private readonly base: number,
    private readonly f: Float64Array,
    private readonly cpu: () => Cpu,
  ) {
    super();
  }

  private call(addr: number, width: Width, write: boolean, value: number): boolean {
    const c = this.ctl;
    const b = this.base;
    this.f[F_NOW] = this.cpu().now();
    Atomics.store(c, b + W_REQ_ADDR, addr | 0);
    Atomics.store(c, b + W_REQ_WIDTH, width);
    Atomics.store(c, b + W_REQ_WRITE, write ? 1 : 0);
    Atomics.store(c, b + W_REQ_VALUE, value | 0);
    const seq = Atomics.load(c, b + W_REP_SEQ);
    Atomics.store(c, b + W_STATUS, ST_MMIO);
    bump(c, G_DOORBELL);
    while (Atomics.load(c, b + W_REP_SEQ) === seq) awaitChange(c, b + W_REP_SEQ, seq);
    if (this.f[F_STALL] > 0) this.cpu().charge(this.f[F_STALL]);
    return Atomics.load(c, b + W_REP_OK) === 1;
  }

  override read(pa: number, width: Width): number | undefined {
    if (!this.call(pa, width, false, 0)) return undefined;
    return Atomics.load(this.ctl, this.base + W_REP_VALUE) >>> 0;
  }

  override write(pa: number, width: Width, value: number): boolean {
    return this.call(pa, width, true, value);
  }
}

/**
 * The body of a pCPU thread: wait for a run, run the pCPU in slices of at most SLICE cycles, and
 * between slices take the shared code events and interrupt lines and park when asked to. Returns
 * when the coordinator closes the runner.
 */
export function runCpuThread(d: CpuThreadData): void {
  const ctl = new Int32Array(d.control);
  const base = WORDS * (1 + d.index);
  const f = new Float64Array(d.states, 8 * F_STRIDE * d.index, F_STRIDE);
  const mem = new PhysicalMemory(d.memBytes, { buffer: d.ram, shared: d.code });
  const made: { cpu?: Cpu } = {};
  const c = new Cpu(d.index, mem, new ForwardingBus(ctl, base, f, () => made.cpu as Cpu));
  made.cpu = c;
  let jit: Jit | undefined;
  let pending = ST_PARKED;
  let lines = 0;
  const toHypervisor = () => {
    pending = ST_HTRAP;
    c.exitRequested = true;
    c.breakSlice = true;
  };
  let traps = 0;
  c.onTrap = (_cpu, t) => {
    // Into the ring the coordinator reads when this thread is parked or done (replayTraps).
    const o = ringSlot(traps);
    f[o] = t.cycle;
    f[o + 1] = t.cause;
    f[o + 2] = t.pc;
    f[o + 3] = t.badaddr;
    f[o + 4] = t.mode * 4 + t.targetMode;
    f[F_RING] = ++traps;
    if (!d.stopOnUnsetVector || (t.targetMode === 1 ? c.stvec : c.htvec) !== 0 || pending === ST_HTRAP) return;
    pending = ST_VECTOR;
    c.exitRequested = true;
    c.breakSlice = true;
  };
  const take = () => {
    if (Atomics.load(ctl, base + W_CHANGED) === 1) {
      // The TLB stays unless the coordinator flushed the mirror's: entries are tagged by context,
      // so a world switch the hypervisor made there needs no flush here.
      const flags = c.unpackState(f, Atomics.exchange(ctl, base + W_FLUSH, 0) === 1);
      c.jit = flags.jit ? (jit ??= new Jit()) : null;
      c.hypervisorTrap = flags.hooked ? toHypervisor : undefined;
      lines = c.ip & EXT_LINES;
      Atomics.store(ctl, base + W_CHANGED, 0);
    }
  };
  const takeLines = () => {
    const l = Atomics.load(ctl, base + W_LINES);
    if (l === lines) return;
    for (let k = 0; k < 32; k++) if (((l ^ lines) >> k) & 1) c.setInterrupt(k, ((l >> k) & 1) === 1);
    lines = l;
  };
  const signal = (st: number) => {
    Atomics.store(ctl, base + W_STATUS, st);
    bump(ctl, G_DOORBELL);
  };
  const park = (st: number) => {
    c.packState(f);
    const seq = Atomics.load(ctl, base + W_RESUME_SEQ);
    signal(st);
    while (Atomics.load(ctl, base + W_RESUME_SEQ) === seq) awaitChange(ctl, base + W_RESUME_SEQ, seq);
    take();
  };
  try {
    let cmdSeq = Atomics.load(ctl, base + W_CMD_SEQ);
    signal(ST_READY);
    for (;;) {
      while (Atomics.load(ctl, base + W_CMD_SEQ) === cmdSeq) Atomics.wait(ctl, base + W_CMD_SEQ, cmdSeq);
      cmdSeq = Atomics.load(ctl, base + W_CMD_SEQ);
      if (Atomics.load(ctl, base + W_CMD) === CMD_EXIT) return;
      take();
      const budget = f[F_BUDGET];
      let done = 0;
      while (done < budget && !c.halted) {
        mem.pollShared();
        takeLines();
        if (Atomics.load(ctl, G_STOP) === 1) {
          park(ST_PARKED);
          continue;
        }
        done += runCpu(c, Math.min(SLICE, budget - done));
        if (c.exitRequested) {
          c.exitRequested = false;
          const st = pending;
          pending = ST_PARKED;
          park(st);
        }
      }
      c.packState(f);
      signal(ST_DONE);
    }
  } catch (e) {
    signal(ST_FAILED);
    throw e;
  }
}
