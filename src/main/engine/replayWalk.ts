/**
 * Running a verified replay forward under the reverse commands' eyes (docs/recording.md#points):
 * how one vCPU is seen wherever the hypervisor put it, a forward run that can stop in the middle of
 * a round of the pCPUs, and the record of what a vCPU executed on the way.
 *
 * A vCPU's retired count alone does not name a moment of its execution: it stays the same across
 * a trap (the trapping instruction does not retire, and the handler starts at that count), an
 * instruction a hypervisor emulates, an interrupt and a world switch. What the reverse commands
 * need is an instruction the vCPU executed, and that is named by the count it executed at and its
 * pc. Slices tell which: runCpu asks `sliceLimit(cpu, executing = true)` just before a slice, so
 * the instruction at pc then runs; a slice never changes mode (a trap or an eret ends it), so
 * the retired instructions of one slice are consecutive counts in one mode, and a trap inside it
 * (Cpu.sliceTrap) is its last instruction.
 */
import type { Cpu } from '../emulator/cpu/Cpu.js';
import { runCpu } from '../emulator/cpu/run.js';
import type { DebugTarget } from '../emulator/debug/GuestDebug.js';
import { MachineTarget, PartitionTarget } from '../emulator/debug/targets.js';
import type { Vcpu } from '../emulator/hypervisor/Vcpu.js';
import { ReplayError, type Replay } from './replay.js';

/** One vCPU of a guest as the machine runs it now: which pCPU holds it, its count, pc and mode. */
export interface VcpuView {
  onCpu(c: Cpu): boolean;
  retired(): number;
  pc(): number;
  mode(): number;
}

export function vcpuView(r: Replay, guest: number, vcpu: number): VcpuView {
  const s = r.session;
  if (!s.hv) {
    const cpu = s.machine.cpus[vcpu];
    if (guest !== 0 || !cpu)
      throw new ReplayError(`in dual boot the guest is 0 and its vCPUs are the pCPUs 0..${s.machine.cpus.length - 1}`);
    return { onCpu: (c) => c === cpu, retired: () => cpu.instret, pc: () => cpu.pc >>> 0, mode: () => cpu.mode };
  }
  const hv = s.hv;
  const p = hv.partitions.get(guest);
  if (!p) throw new ReplayError(`no guest ${guest} at this point of the replay`);
  const v: Vcpu | undefined = p.vcpus[vcpu];
  if (!v) throw new ReplayError(`${p.name} has vCPUs 0..${p.vcpus.length - 1}, not ${vcpu}`);
  const loaded = () => s.machine.cpus.find((c) => hv.currentOn(c.id) === v);
  return {
    onCpu: (c) => hv.currentOn(c.id) === v,
    retired: () => loaded()?.instret ?? v.instret,
    pc: () => (loaded()?.pc ?? v.pc) >>> 0,
    mode: () => loaded()?.mode ?? v.mode,
  };
}

/**
 * How the debugger reads guest `guest`'s memory at this point of the replay (instruction words
 * through the guest's own page table, watchpoint addresses): made anew for each look, since a
 * restored checkpoint or a restarted guest has new partition objects.
 */
export function guestTarget(r: Replay, guest: number): Pick<DebugTarget, 'word' | 'physOf'> {
  const s = r.session;
  if (!s.hv) return new MachineTarget(s.machine, 'guest 0');
  const p = s.hv.partitions.get(guest);
  if (!p) throw new ReplayError(`no guest ${guest} at this point of the replay`);
  return new PartitionTarget(s.hv, p);
}

/** What a stop function answers before each slice: the most steps it may take (0: stop here). */
export type StopFn = (c: Cpu, executing: boolean) => number;
export type TrapFn = (c: Cpu, pc: number, mode: number, cause: number) => void;

/**
 * Runs forward to machine time `t` with the logged inputs, or until `stop` answers 0 (then true).
 * With a stop the pCPUs run round by round, as Machine.run does, so the machine can stop in the
 * middle of a round; `round` is called after each whole round (reverse.ts takes checkpoints there).
 */
export function forward(r: Replay, t: number, stop?: StopFn, trapped?: TrapFn, round?: () => void): boolean {
  const log = r.recording.log;
  let hit = false;
  const limit: StopFn | null = stop
    ? (c, executing) => {
        const n = stop(c, executing);
        if (n <= 0) hit = true;
        return n;
      }
    : null;
  const m = r.session.machine;
  for (const c of m.cpus) {
    c.sliceLimit = limit;
    c.sliceTrap = trapped ?? null;
  }
  try {
    for (;;) {
      const e = log[r.next];
      const until = e && e.t <= t ? e.t : t;
      while (r.cycles < until) {
        if (!stop) {
          r.advanceTo(until);
          break;
        }
        if (runRound(r, until - r.cycles, () => hit)) return true;
        // A whole round is over: the machine stands where an uncut run would (a checkpoint may be taken).
        round?.();
      }
      if (!e || e.t > t || (e.t === t && e.k === 'run')) return false;
      if (e.k === 'end') return false;
      r.apply(e, false);
      r.next++;
    }
  } finally {
    for (const c of m.cpus) {
      c.sliceLimit = null;
      c.sliceTrap = null;
    }
  }
}

/** One round of every pCPU (or `cycles` of a single one); true when the stop hit. */
function runRound(r: Replay, cycles: number, hit: () => boolean): boolean {
  const s = r.session;
  const m = s.machine;
  if (s.fw && s.fw.state !== 'running') {
    // The firmware's menu runs no instructions: nothing to stop at.
    s.powered.run(cycles);
    return false;
  }
  if (m.cpus.length === 1) {
    m.run(cycles);
    s.debug.settle();
    return hit();
  }
  if (m.stopped) throw new ReplayError('the machine stopped before the point was reached');
  // Machine.run's round (docs/architecture.md#determinism): each pCPU in turn runs one quantum.
  for (const cpu of m.cpus) {
    if (cpu.halted) continue;
    m.setCurrent(cpu);
    runCpu(cpu, m.quantum);
    if (hit()) return true;
  }
  m.time += m.quantum;
  // As Session.run does after each run: a vCPU the debugger holds leaves its pCPU (docs/debugger.md#reverse).
  s.debug.settle();
  return false;
}

/**
 * An instruction a vCPU executed: at `retired` (its count then), in `mode`, at `pc` when known.
 * The pc is unknown only for an instruction that retired inside a slice after others: then it is
 * the first moment the vCPU's count is `retired`, which no trap can make ambiguous.
 */
export interface Executed {
  vcpu: number;
  retired: number;
  pc: number | undefined;
  mode: number;
  /**
   * What Executions' `look` said of it just before it ran (its call flow, a breakpoint or
   * watchpoint match), when its pc is known.
   */
  info?: number;
  /** Machine time at or before the start of the slice that executed it (with Executions' clock). */
  since?: number;
}

/**
 * Collects, during a forward run, the instructions some vCPUs execute (each offered in the order
 * they ran). `watch` is called from the stop function for a watched vCPU on `c`; `trap` from the
 * pCPUs' sliceTrap; `finish` at the end of the run.
 */
export class Executions {
  private readonly pending: (
    { s: number; pc: number; mode: number; info: number | undefined; since: number | undefined } | undefined
  )[];

  constructor(
    private readonly views: readonly VcpuView[],
    private readonly offer: (e: Executed) => void,
    /** Looks at watched vCPU `i` on `c` just before a slice runs the instruction at its pc. */
    private readonly look?: (i: number, c: Cpu) => number,
    /** Machine time now (the start of the round running), to say when each slice began (Executed.since). */
    private readonly clock?: () => number,
  ) {
    this.pending = views.map(() => undefined);
  }

  /**
   * The watched vCPU `i` stands on `c` (a stop function's call): its last slice is over; `decide`
   * answers the limit for the slice to come, which this returns.
   */
  watch(i: number, c: Cpu, executing: boolean, decide: () => number): number {
    this.settle(i, c.instret);
    const limit = decide();
    if (executing && limit > 0)
      this.pending[i] = { s: c.instret, pc: c.pc >>> 0, mode: c.mode, info: this.look?.(i, c), since: this.clock?.() };
    return limit;
  }

  /** A trap on `c`: if a watched vCPU took it, its slice ends there (the trapping one last). */
  trap(c: Cpu, pc: number, mode: number, cause: number): void {
    const i = this.views.findIndex((v) => v.onCpu(c));
    if (i < 0) return;
    const count = c.instret + c.sliceSteps;
    const p = this.pending[i];
    this.settle(i, count);
    // An interrupt comes between two instructions; an exception is the instruction that raised it.
    if (p && cause >= 0) {
      // The trapping instruction is the slice's first when its pc is the one looked at.
      const info = p.info !== undefined && count === p.s && pc >>> 0 === p.pc ? { info: p.info } : {};
      this.offer({ vcpu: i, retired: count, pc: pc >>> 0, mode, ...info, ...since(p) });
    }
  }

  /** The run ended: the slices still open ended without a trap. */
  finish(): void {
    this.views.forEach((v, i) => this.settle(i, v.retired()));
  }

  /** Vcpu `i`'s open slice ended (without a trap after its retired ones) with its count `count`. */
  private settle(i: number, count: number): void {
    const p = this.pending[i];
    if (!p) return;
    this.pending[i] = undefined;
    const k = count - p.s;
    if (k === 1)
      this.offer({
        vcpu: i,
        retired: count - 1,
        pc: p.pc,
        mode: p.mode,
        ...(p.info !== undefined ? { info: p.info } : {}),
        ...since(p),
      });
    else if (k > 1) this.offer({ vcpu: i, retired: count - 1, pc: undefined, mode: p.mode, ...since(p) });
  }
}

const since = (p: { since: number | undefined }) => (p.since !== undefined ? { since: p.since } : {});
