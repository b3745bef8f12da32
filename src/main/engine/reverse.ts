/**
 * Moving about a verified replay (docs/recording.md#seek-and-reverse): `seek` to a machine time,
 * `seekTo` the exact point where one vCPU has retired a given number of instructions, and the
 * reverse commands built on it: reverse step (`seekTo(retired - 1)`) and reverse continue (the last
 * time before now that a vCPU of the guest reached one of a list of addresses).
 *
 * Each restores the nearest earlier checkpoint kept in memory and runs forward with the logged
 * inputs. Exact stops use the pCPUs' `sliceLimit` (cpu/run.ts): a slice is cut so that the vCPU
 * retires exactly the wanted count, and since a shorter slice changes nothing, the state there is
 * the one the recorded run went through (docs/architecture.md#determinism). Step over and step out
 * in a replay, forward and back, are in replaySteps.ts.
 */
import type { ReplayPosition } from '../../shared/api.js';
import type { DebugStop } from '../../shared/debugApi.js';
import type { Cpu } from '../emulator/cpu/Cpu.js';
import { ReplayError, type Mark, type Replay } from './replay.js';
import { watchHit } from '../emulator/debug/GuestDebug.js';
import { Executions, forward, guestTarget, vcpuView, type Executed, type VcpuView } from './replayWalk.js';

/**
 * One vCPU of one guest at a count of its retired instructions and, when given, a pc: the first
 * moment the vCPU stands there (docs/recording.md#points).
 */
export interface RetiredPoint {
  guest: number;
  vcpu: number;
  retired: number;
  pc?: number;
}

export type { ReplayPosition };

export function need(r: Replay): void {
  if (!r.done) throw new ReplayError('the replay is still verifying the recording: wait for replay() to answer');
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

/** The stop as the debugger reports it. */
export function stopAt(r: Replay, p: RetiredPoint, reason: DebugStop['reason']): DebugStop {
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
 * The stop function that reaches `p` from a restored checkpoint: slices sized so that the vCPU
 * retires exactly the count, then (with a pc) one instruction at a time at that count until the pc.
 * Without a pc the count must be seen below the target first: a count that was there already, or
 * is above it in an earlier life of the guest (its count starts again at 0 when it restarts), is
 * not the point. With a pc the pair names the moment, also at a checkpoint where the vCPU stood
 * still (a guest paused by the debugger).
 */
export function reaching(v: VcpuView, p: RetiredPoint): (c: Cpu) => number {
  let armed = p.pc !== undefined;
  return (c) => {
    if (!v.onCpu(c)) return Infinity;
    const n = c.instret;
    if (n < p.retired) {
      armed = true;
      return p.retired - n;
    }
    if (n !== p.retired || !armed) return Infinity;
    return p.pc === undefined || c.pc >>> 0 === p.pc ? 0 : 1;
  };
}

/** Restores `m` and runs to the first moment at `p` after it, at most to machine time `bound`. */
function reach(r: Replay, m: Mark, p: RetiredPoint, bound: number): boolean {
  r.restore(m);
  const v = vcpuView(r, p.guest, p.vcpu);
  const stop = reaching(v, p);
  return forward(r, bound, (c) => stop(c)) && v.retired() === p.retired && (p.pc === undefined || v.pc() === p.pc);
}

/**
 * Moves the replay to the first moment at which vCPU `vcpu` of `guest` has retired exactly
 * `retired` instructions (before any interrupt it takes there), or, with `pc`, the first moment at
 * that count with that pc (docs/recording.md#points).
 */
export function seekTo(r: Replay, p: RetiredPoint, reason: DebugStop['reason'] = 'step'): ReplayPosition {
  need(r);
  const key = `${p.guest}.${p.vcpu}`;
  if (p.retired < 0) throw new ReplayError(`a count of retired instructions is 0 or more, got ${p.retired}`);
  // The point is searched from the checkpoints at or before where the replay stands, the nearest
  // first: a target below the count now lies between one of them and here; a target above it ahead.
  const now = r.cycles;
  const ahead = p.retired > vcpuView(r, p.guest, p.vcpu).retired();
  const bound = ahead ? r.endCycles : now + r.session.machine.quantum;
  const candidates = [...r.marks].reverse().filter((x) => x.cycles <= now);
  for (const m of candidates) {
    if (reach(r, m, p, bound)) return { seconds: r.cycles / r.recording.timebase, stop: stopAt(r, p, reason) };
    // From a checkpoint below the target the point would have been found: it is not there.
    if ((m.retired.get(key) ?? Infinity) < p.retired) break;
  }
  const at = p.pc === undefined ? '' : ` at pc 0x${(p.pc >>> 0).toString(16).padStart(8, '0')}`;
  throw new ReplayError(
    ahead
      ? `guest ${p.guest} vCPU ${p.vcpu} never retires exactly ${p.retired} instructions${at} in the rest of this recording`
      : `guest ${p.guest} vCPU ${p.vcpu} retires its instruction ${p.retired}${at} before the start of the recording (or of the guest's last restart before here)`,
  );
}

/**
 * The last instruction before now that some vCPUs of `guest` executed and `want` accepts, with the
 * checkpoint to reach it from: window by window, from the nearest checkpoint backwards. In the
 * nearest window each vCPU is watched until it stands where it stands now (its count and pc).
 * `single` runs the watched vCPUs one instruction per slice, so that every pc is known (reverse
 * continue); otherwise they run in whole slices and only each slice's start is looked at.
 */
function lastExecuted(
  r: Replay,
  guest: number,
  vcpus: readonly number[],
  want: (e: Executed) => boolean,
  single: boolean,
  look?: (vcpu: number, c: Cpu) => number,
): Found | undefined {
  const here = vcpus.map((i) => {
    const v = vcpuView(r, guest, i);
    return { retired: v.retired(), pc: v.pc() };
  });
  for (const { mark, nearest, end } of windowsBack(r)) {
    r.restore(mark);
    // A restore builds the hypervisor's vCPUs anew: look them up again.
    const views = vcpus.map((i) => vcpuView(r, guest, i));
    // Checkpoints of this pass, taken between rounds once it has run subMarks.ms of wall time since
    // the last: what it finds is then reached again from close by, not from the window's start
    // (docs/recording.md#limits). An idle window replays in less and takes none.
    const subs: Mark[] = [];
    let since = performance.now();
    let rounds = 0;
    const round = () => {
      if (++rounds < subMarks.rounds && performance.now() - since < subMarks.ms) return;
      subs.push(r.capture(subs[subs.length - 1] ?? mark));
      subMarks.taken++;
      since = performance.now();
      rounds = 0;
    };
    // In the nearest window a vCPU that stands where it stands now has arrived: what it executes
    // from there is not before now; the window ends when all have.
    const arrived = views.map(() => false);
    const towards = views.map((v, k) => reaching(v, { guest, vcpu: vcpus[k]!, ...here[k]! }));
    let last: Executed | undefined;
    const seen = new Executions(
      views,
      (e) => {
        if (!arrived[e.vcpu] && want(e)) last = e;
      },
      look && ((k, c) => look(vcpus[k]!, c)),
      () => r.cycles,
    );
    forward(
      r,
      end,
      (c, executing) => {
        const k = views.findIndex((v) => v.onCpu(c));
        if (k < 0) return Infinity;
        return seen.watch(k, c, executing, () => {
          let limit = single ? 1 : Infinity;
          if (!nearest) return limit;
          if (!arrived[k]) {
            const to = towards[k]!(c);
            if (to <= 0) arrived[k] = true;
            else limit = Math.min(limit, to);
          }
          return !arrived[k] ? limit : arrived.every(Boolean) ? 0 : Infinity;
        });
      },
      (c, pc, mode, cause) => seen.trap(c, pc, mode, cause),
      round,
    );
    seen.finish();
    if (!last) continue;
    const at = last.since;
    const near = at === undefined ? undefined : subs.filter((m) => m.cycles <= at).pop();
    return { e: { ...last, vcpu: vcpus[last.vcpu]! }, mark, ...(near ? { near } : {}) };
  }
  return undefined;
}

/**
 * After replaying `ms` of wall time in one pass (or `rounds` rounds of the pCPUs: tests, where wall
 * time would make the points vary), lastExecuted takes a checkpoint (a few tens of ms each).
 * `taken` counts them, `used` the steps reached from one, `missed` those that were not (none should
 * be). Where a step lands does not depend on them (recording.test.ts checks it).
 */
export const subMarks = { ms: 150, rounds: Infinity, taken: 0, used: 0, missed: 0 };

/** What lastExecuted found: the instruction, its window's checkpoint, and one closer to it when taken. */
interface Found {
  e: Executed;
  mark: Mark;
  /** A checkpoint of the pass, before the slice that executed the instruction. */
  near?: Mark;
}

/**
 * The windows before now, the nearest first, for a search backwards: each checkpoint at or before
 * now (the recording's first in any case) with where its window ends (the next checkpoint, or one
 * quantum past now for the nearest, so that the machine can reach where it stands now).
 */
export function* windowsBack(r: Replay): Generator<{ mark: Mark; nearest: boolean; end: number }> {
  const now = r.cycles;
  const windows = r.marks.filter((m) => m.cycles <= now || m === r.marks[0]);
  for (let w = windows.length - 1; w >= 0; w--) {
    const nearest = w === windows.length - 1;
    yield { mark: windows[w]!, nearest, end: nearest ? now + r.session.machine.quantum : windows[w + 1]!.cycles };
  }
}

/** Reaches what lastExecuted found, or says that it could not. */
export function reachExecuted(r: Replay, guest: number, f: Found, reason: DebugStop['reason']): ReplayPosition {
  const p: RetiredPoint = {
    guest,
    vcpu: f.e.vcpu,
    retired: f.e.retired,
    ...(f.e.pc !== undefined ? { pc: f.e.pc } : {}),
  };
  // From the pass's own checkpoint before the instruction when there is one; the window's otherwise
  // (and should that one not come to it, which the slices' times say cannot happen).
  const fromNear = f.near !== undefined && reach(r, f.near, p, r.endCycles);
  if (f.near) subMarks[fromNear ? 'used' : 'missed']++;
  if (!fromNear && !reach(r, f.mark, p, r.endCycles))
    throw new ReplayError(
      `guest ${guest} vCPU ${p.vcpu}: the replay did not come back to its instruction ${p.retired}`,
    );
  return { seconds: r.cycles / r.recording.timebase, stop: stopAt(r, p, reason) };
}

/** Where the vCPU stands when nothing earlier is in the recording: the recording's start. */
export function atStart(r: Replay, guest: number, vcpu: number): ReplayPosition {
  const pos = seek(r, r.recording.start.cycles / r.recording.timebase);
  return { ...pos, stop: stopAt(r, { guest, vcpu, retired: vcpuView(r, guest, vcpu).retired() }, 'replay-start') };
}

/**
 * One instruction back for vCPU `vcpu` of `guest`: to the moment it was about to execute the last
 * instruction it executed before now in the mode it stands in now or a lower one (a handler of a
 * higher mode that ran in between, an interrupt's or a syscall's, is stepped over, as the
 * debugger's step forward does: docs/debugger.md#reverse). The instruction may have retired or
 * trapped. At its first instruction in the recording it stands at the start.
 */
export function reverseStep(r: Replay, guest: number, vcpu: number): ReplayPosition {
  need(r);
  const mode = vcpuView(r, guest, vcpu).mode();
  const found = lastExecuted(r, guest, [vcpu], (e) => e.mode <= mode, false);
  return found ? reachExecuted(r, guest, found, 'step') : atStart(r, guest, vcpu);
}

/**
 * One instruction forward for vCPU `vcpu` of `guest`, the mirror of reverseStep: to the moment it
 * is about to execute its next instruction in the mode it stands in or a lower one, once it has
 * executed the one it stands at (a handler of a higher mode that runs first or in between runs
 * through), as the debugger's step does (docs/debugger.md#reverse). No checkpoint is restored: the
 * replay runs on from here. When it executes nothing more in its mode, the replay stands at the
 * recording's end (reason 'replay-end').
 */
export function forwardStep(r: Replay, guest: number, vcpu: number): ReplayPosition {
  need(r);
  const v = vcpuView(r, guest, vcpu);
  const mode = v.mode();
  // Something must have executed in the mode, not only been about to: a guest the recorded
  // debugger held at a breakpoint here waits, as it did, for the logged call that resumed it.
  let done = false;
  const seen = new Executions([v], (e) => (done ||= e.mode <= mode));
  const reached = forward(
    r,
    r.endCycles,
    (c, executing) => {
      if (!v.onCpu(c)) return Infinity;
      return seen.watch(0, c, executing, () => (!executing || c.mode > mode ? Infinity : done ? 0 : 1));
    },
    (c, pc, m, cause) => seen.trap(c, pc, m, cause),
  );
  return atEnd(r, guest, vcpu, reached);
}

/**
 * Where a forward move of vCPU `vcpu` of `guest` ended: its stop (`reached`), or the end of the
 * recording when it executes nothing more there in its mode (reason 'replay-end').
 */
export function atEnd(r: Replay, guest: number, vcpu: number, reached: boolean): ReplayPosition {
  const v = vcpuView(r, guest, vcpu);
  return {
    seconds: r.cycles / r.recording.timebase,
    stop: stopAt(r, { guest, vcpu, retired: v.retired() }, reached ? 'step' : 'replay-end'),
  };
}

/** What reverse continue's look found before an instruction (Executed.info). */
const BREAK = 1;
const WATCH = 2;

/**
 * Back to the last moment before now at which a vCPU of `guest` was about to execute an
 * instruction at one of `addresses` (guest-virtual pcs, below hypervisor mode), or one that
 * touches a watchpoint the guest's debugger holds here (as the live debugger stops: before the
 * access): window by window, from the nearest checkpoint backwards, each replayed one instruction
 * at a time for that guest's vCPUs. Breakpoint conditions are not applied (the host gives
 * addresses: docs/recording.md#seek-and-reverse).
 */
export function reverseContinue(r: Replay, guest: number, addresses: readonly number[]): ReplayPosition {
  need(r);
  const set = new Set(addresses.map((a) => a >>> 0));
  const watches = r.session.debug.watchpointsOf(guest);
  if (set.size === 0 && watches.length === 0)
    throw new ReplayError(`reverse continue needs a breakpoint address or a watchpoint of guest ${guest} to stop at`);
  const n = r.session.hv ? (r.session.hv.partitions.get(guest)?.vcpus.length ?? 0) : r.session.machine.cpus.length;
  if (n === 0) throw new ReplayError(`no guest ${guest} at this point of the replay`);
  const vcpus = Array.from({ length: n }, (_, i) => i);
  const look = (vcpu: number, c: Cpu): number => {
    if (c.mode === 2) return 0;
    if (set.has(c.pc >>> 0)) return BREAK;
    return watches.length > 0 && watchHit(guestTarget(r, guest), watches, c, vcpu) ? WATCH : 0;
  };
  const found = lastExecuted(r, guest, vcpus, (e) => e.mode !== 2 && (e.info ?? 0) > 0, true, look);
  if (!found) return atStart(r, guest, 0);
  return reachExecuted(r, guest, found, found.e.info === WATCH ? 'watchpoint' : 'breakpoint');
}
