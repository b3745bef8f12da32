/**
 * Moving about a verified replay (docs/recording.md#seek-and-reverse): `seek` to a machine time,
 * `seekTo` the exact point where one vCPU has retired a given number of instructions, and the
 * reverse commands built on it: reverse step (`seekTo(retired - 1)`) and reverse continue (the last
 * time before now that a vCPU of the guest reached one of a list of addresses).
 *
 * Each restores the nearest earlier checkpoint kept in memory and runs forward with the logged
 * inputs. Exact stops use the pCPUs' `sliceLimit` (cpu/run.ts): a slice is cut so that the vCPU
 * retires exactly the wanted count, and since a shorter slice changes nothing, the state there is
 * the one the recorded run went through (docs/architecture.md#determinism).
 */
import type { ReplayPosition } from '../../shared/api.js';
import type { DebugStop } from '../../shared/debugApi.js';
import type { Cpu } from '../emulator/cpu/Cpu.js';
import { runCpu } from '../emulator/cpu/run.js';
import type { Vcpu } from '../emulator/hypervisor/Vcpu.js';
import { ReplayError, type Mark, type Replay } from './replay.js';

/** One vCPU of one guest, and a count of its retired instructions. */
export interface RetiredPoint {
  guest: number;
  vcpu: number;
  retired: number;
}

export type { ReplayPosition };

function need(r: Replay): void {
  if (!r.done) throw new ReplayError('the replay is still verifying the recording: wait for replay() to answer');
}

/** The vCPU `vcpu` of `guest` as the machine runs it: which pCPU holds it now, its count and pc. */
function vcpuView(r: Replay, guest: number, vcpu: number): { onCpu(c: Cpu): boolean; retired(): number; pc(): number } {
  const s = r.session;
  if (!s.hv) {
    const cpu = s.machine.cpus[vcpu];
    if (guest !== 0 || !cpu)
      throw new ReplayError(`in dual boot the guest is 0 and its vCPUs are the pCPUs 0..${s.machine.cpus.length - 1}`);
    return { onCpu: (c) => c === cpu, retired: () => cpu.instret, pc: () => cpu.pc };
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
    pc: () => loaded()?.pc ?? v.pc,
  };
}

/** The last mark that passes `test` (the first one when none does). */
function markBefore(r: Replay, test: (m: Mark) => boolean): Mark {
  let best = r.marks[0]!;
  for (const m of r.marks) if (test(m)) best = m;
  return best;
}

/** Moves the replay to machine time `seconds` (rounded down to the pCPUs' grid). */
export function seek(r: Replay, seconds: number): ReplayPosition {
  need(r);
  const tb = r.recording.timebase;
  const target = Math.min(r.endCycles, Math.max(r.recording.start.cycles, Math.round(seconds * tb)));
  const m = markBefore(r, (x) => x.cycles <= target);
  r.restore(m);
  const q = r.session.machine.cpus.length > 1 ? r.session.machine.quantum : 1;
  const t = m.cycles + Math.floor((target - m.cycles) / q) * q;
  forward(r, t, undefined);
  return { seconds: r.cycles / tb };
}

/**
 * Runs forward to machine time `t` with the logged inputs, or until `stop` says the machine must
 * stand still (then true). With a stop the pCPUs run round by round, as Machine.run does, so the
 * machine can stop in the middle of a round.
 */
function forward(r: Replay, t: number, stop: ((c: Cpu) => number) | undefined): boolean {
  const log = r.recording.log;
  let hit = false;
  const limit = stop
    ? (c: Cpu) => {
        const n = stop(c);
        if (n <= 0) hit = true;
        return n;
      }
    : null;
  const m = r.session.machine;
  for (const c of m.cpus) c.sliceLimit = limit;
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
      }
      if (!e || e.t > t || (e.t === t && e.k === 'run')) return false;
      if (e.k === 'end') return false;
      r.apply(e, false);
      r.next++;
    }
  } finally {
    for (const c of m.cpus) c.sliceLimit = null;
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

/** The stop as the debugger reports it. */
function stopAt(r: Replay, p: RetiredPoint, reason: DebugStop['reason']): DebugStop {
  const v = vcpuView(r, p.guest, p.vcpu);
  return {
    guest: p.guest,
    vcpu: p.vcpu,
    reason,
    pc: v.pc() >>> 0,
    retired: v.retired(),
    seconds: r.cycles / r.recording.timebase,
  };
}

/**
 * Moves the replay to the first moment at which vCPU `vcpu` of `guest` has retired exactly
 * `retired` instructions (before any interrupt it takes there).
 */
export function seekTo(r: Replay, p: RetiredPoint, reason: DebugStop['reason'] = 'step'): ReplayPosition {
  need(r);
  const key = `${p.guest}.${p.vcpu}`;
  if (p.retired < 0) throw new ReplayError(`a count of retired instructions is 0 or more, got ${p.retired}`);
  // A vCPU's count starts again at 0 when its guest restarts, so the point is searched from the
  // checkpoints at or before where the replay stands, the nearest first: a target below the count
  // now lies between one of them and here; a target above it lies ahead.
  const now = r.cycles;
  const ahead = p.retired > vcpuView(r, p.guest, p.vcpu).retired();
  const bound = ahead ? r.endCycles : now + r.session.machine.quantum;
  const candidates = [...r.marks].reverse().filter((x) => x.cycles <= now);
  for (const m of candidates) {
    r.restore(m);
    const v = vcpuView(r, p.guest, p.vcpu);
    // Stop where the count becomes the target (it must be seen below it first: a count that was
    // there already, or is above it in an earlier life of the guest, is not the point).
    let armed = false;
    const reached = forward(r, bound, (c) => {
      if (!v.onCpu(c)) return Infinity;
      if (c.instret < p.retired) {
        armed = true;
        return p.retired - c.instret;
      }
      return armed && c.instret === p.retired ? 0 : Infinity;
    });
    if (reached && v.retired() === p.retired)
      return { seconds: r.cycles / r.recording.timebase, stop: stopAt(r, p, reason) };
    // From a checkpoint below the target the point would have been found: it is not there.
    if ((m.retired.get(key) ?? Infinity) < p.retired) break;
  }
  throw new ReplayError(
    ahead
      ? `guest ${p.guest} vCPU ${p.vcpu} never retires exactly ${p.retired} instructions in the rest of this recording`
      : `guest ${p.guest} vCPU ${p.vcpu} retires its instruction ${p.retired} before the start of the recording (or of the guest's last restart before here)`,
  );
}

/** One instruction back for vCPU `vcpu` of `guest` (from where the replay stands). */
export function reverseStep(r: Replay, guest: number, vcpu: number): ReplayPosition {
  need(r);
  const now = vcpuView(r, guest, vcpu).retired();
  try {
    if (now > 0) return seekTo(r, { guest, vcpu, retired: now - 1 }, 'step');
  } catch (e) {
    if (!(e instanceof ReplayError) || !/before the start/.test(e.message)) throw e;
  }
  // Nothing earlier of this vCPU in the recording: stand at its start.
  const pos = seek(r, r.recording.start.cycles / r.recording.timebase);
  return { ...pos, stop: stopAt(r, { guest, vcpu, retired: vcpuView(r, guest, vcpu).retired() }, 'replay-start') };
}

/**
 * Back to the last moment before now at which a vCPU of `guest` was about to run an instruction at
 * one of `addresses` (guest-virtual pcs): window by window, from the nearest checkpoint backwards,
 * each replayed one instruction at a time for that guest. Integration point: the debugger's
 * breakpoint matcher replaces the address test (docs/recording.md#reverse-continue).
 */
export function reverseContinue(r: Replay, guest: number, addresses: readonly number[]): ReplayPosition {
  need(r);
  const set = new Set(addresses.map((a) => a >>> 0));
  const vcpus = r.session.hv ? (r.session.hv.partitions.get(guest)?.vcpus.length ?? 0) : r.session.machine.cpus.length;
  if (vcpus === 0) throw new ReplayError(`no guest ${guest} at this point of the replay`);
  const now = Array.from({ length: vcpus }, (_, i) => vcpuView(r, guest, i).retired());
  const nowCycles = r.cycles;
  const windows = r.marks.filter((m) => m.cycles < nowCycles || m === r.marks[0]);
  for (let w = windows.length - 1; w >= 0; w--) {
    const m = windows[w]!;
    const end = w + 1 < windows.length ? windows[w + 1]!.cycles : nowCycles + r.session.machine.quantum;
    r.restore(m);
    // A restore builds the hypervisor's vCPUs anew: look them up again.
    const views = Array.from({ length: vcpus }, (_, i) => vcpuView(r, guest, i));
    let last: RetiredPoint | undefined;
    forward(r, end, (c) => {
      for (let i = 0; i < views.length; i++) {
        if (!views[i]!.onCpu(c)) continue;
        const ret = c.instret;
        if (c.mode !== 2 && set.has(c.pc >>> 0) && ret < now[i]!) {
          if (!last || last.vcpu !== i || last.retired !== ret) last = { guest, vcpu: i, retired: ret };
        }
        return ret >= now[i]! ? Infinity : 1;
      }
      return Infinity;
    });
    if (last) return seekTo(r, last, 'breakpoint');
  }
  const pos = seek(r, r.recording.start.cycles / r.recording.timebase);
  return { ...pos, stop: stopAt(r, { guest, vcpu: 0, retired: vcpuView(r, guest, 0).retired() }, 'replay-start') };
}
