/**
 * Step over and step out in a verified replay, forward and back (docs/recording.md#step-over-and-out).
 *
 * Forward they are the live debugger's steps (GuestDebug: a step counts the calls and returns its
 * vCPU executes in the mode it started in, `callFlow`; over ends when the depth is back to 0, out
 * when it goes below 0; a handler of a higher mode runs through; an instruction of a lower mode
 * ends the step), run from where the replay stands with the vCPU one instruction per slice in its
 * mode, so that every instruction it executes there is seen.
 *
 * Back they are the mirror, as gdb's reverse-next and reverse-finish: over goes to the previous
 * instruction of this frame (back over a whole call to its call instruction), out to the call
 * that entered this function. Both scan what the vCPU executed, window by window from the nearest
 * checkpoint backwards (reverse.ts), keeping for each depth of calls only the last instruction
 * executed at it, then reach the one found by its point (count, pc).
 */
import type { StepKind } from '../../shared/debugApi.js';
import type { Cpu } from '../emulator/cpu/Cpu.js';
import { callFlow } from '../emulator/debug/GuestDebug.js';
import type { Mark, Replay } from './replay.js';
import { Executions, forward, guestTarget, vcpuView, type Executed } from './replayWalk.js';
import {
  atEnd,
  atStart,
  forwardStep,
  need,
  reachExecuted,
  reaching,
  reverseStep,
  windowsBack,
  type ReplayPosition,
} from './reverse.js';

/** The call flow (+1 call, -1 return, 0) of the instruction the vCPU on `c` is about to execute. */
function flowOn(r: Replay, guest: number, vcpu: number, c: Cpu): number {
  return callFlow(guestTarget(r, guest).word(vcpu, c.pc >>> 0));
}

/**
 * Forward in the replay: one instruction (forwardStep), over a call, or out of the function, as
 * the live debugger steps (GuestDebug.stepEnds). At the end of the recording it stands there
 * (reason 'replay-end').
 */
export function forwardMove(r: Replay, guest: number, vcpu: number, kind: StepKind = 'instruction'): ReplayPosition {
  need(r);
  const v = vcpuView(r, guest, vcpu);
  const mode = v.mode();
  // Over an instruction that calls nothing is one instruction.
  if (kind === 'instruction' || (kind === 'over' && flowNow(r, guest, vcpu) !== 1)) return forwardStep(r, guest, vcpu);
  let done = false;
  let depth = 0;
  const seen = new Executions(
    [v],
    (e) => {
      if (e.mode > mode) return; // a handler it trapped to: not counted
      done = true;
      if (e.mode === mode) depth += e.info ?? 0;
    },
    (_, c) => (c.mode === mode ? flowOn(r, guest, vcpu, c) : 0),
  );
  const ends = () => (kind === 'over' ? depth <= 0 : depth < 0);
  const reached = forward(
    r,
    r.endCycles,
    (c, executing) => {
      if (!v.onCpu(c)) return Infinity;
      return seen.watch(0, c, executing, () => {
        if (!executing || c.mode > mode) return Infinity;
        return done && (c.mode < mode || ends()) ? 0 : 1;
      });
    },
    (c, pc, m, cause) => seen.trap(c, pc, m, cause),
  );
  return atEnd(r, guest, vcpu, reached);
}

/** The call flow of the instruction vCPU `vcpu` stands at now. */
function flowNow(r: Replay, guest: number, vcpu: number): number {
  return callFlow(guestTarget(r, guest).word(vcpu, vcpuView(r, guest, vcpu).pc()));
}

/**
 * Back in the replay: one instruction (reverseStep), over (the previous instruction of this frame:
 * a callee that returned just before is gone back over to its call), or out (the call that
 * entered this function). An instruction of a lower mode met on the way ends the move there, as
 * it ends a step forward; at the vCPU's first instruction in the recording it stands at the start
 * (reason 'replay-start').
 */
export function reverseMove(r: Replay, guest: number, vcpu: number, kind: StepKind = 'instruction'): ReplayPosition {
  need(r);
  if (kind === 'instruction') return reverseStep(r, guest, vcpu);
  const mode = vcpuView(r, guest, vcpu).mode();
  let level = 0;
  if (kind === 'over') {
    // Most often the instruction before is not a return: then it is the answer, found as cheaply
    // as a reverse step. A return is the end of a callee: from it (level +1 of this frame) the
    // scan goes on back to the call.
    const back = reverseStep(r, guest, vcpu);
    if (back.stop?.reason !== 'step') return back;
    if (vcpuView(r, guest, vcpu).mode() < mode || flowNow(r, guest, vcpu) !== -1) return back;
    level = -1;
  }
  const found = scanBack(r, guest, vcpu, mode, kind === 'over' ? 'over' : 'out', level);
  return found ? reachExecuted(r, guest, found, 'step') : atStart(r, guest, vcpu);
}

/**
 * The last instruction before now that vCPU `vcpu` executed in the frame `level` calls above the
 * one it stands in (0: this frame, -1: its caller), for reverse over (an instruction of the frame
 * other than a return, or the call that entered it) or out (that call); or the last one it
 * executed in a lower mode than `mode`, when that came later. Window by window backwards, each
 * replayed with the vCPU one instruction per slice in its mode (a handler of a higher mode at
 * full speed), keeping for each depth only the last instruction executed there.
 */
function scanBack(
  r: Replay,
  guest: number,
  vcpu: number,
  mode: number,
  kind: 'over' | 'out',
  level: number,
): { e: Executed; mark: Mark } | undefined {
  const start = vcpuView(r, guest, vcpu);
  const here = { guest, vcpu, retired: start.retired(), pc: start.pc() };
  for (const { mark, nearest, end } of windowsBack(r)) {
    r.restore(mark);
    const v = vcpuView(r, guest, vcpu);
    const towards = reaching(v, here);
    let arrived = false;
    // Depth of calls from the window's start; per depth, the last instruction executed there
    // (calls at the caller's depth; returns are kept nowhere: they are the callee's end).
    let depth = 0;
    let order = 0;
    const last = new Map<number, { e: Executed; order: number }>();
    let lower: { e: Executed; order: number } | undefined;
    const seen = new Executions(
      [v],
      (e) => {
        if (arrived || e.mode > mode) return;
        order++;
        if (e.mode < mode) {
          lower = { e, order };
          return;
        }
        const f = e.info ?? 0;
        if (f < 0) {
          depth--;
          return;
        }
        last.set(depth, { e, order });
        if (f > 0) depth++;
      },
      (_, c) => (c.mode === mode ? flowOn(r, guest, vcpu, c) : 0),
    );
    forward(
      r,
      end,
      (c, executing) => {
        if (!v.onCpu(c)) return Infinity;
        return seen.watch(0, c, executing, () => {
          let limit = c.mode > mode ? Infinity : 1;
          if (!nearest) return limit;
          if (!arrived) {
            const to = towards(c);
            if (to <= 0) arrived = true;
            else limit = Math.min(limit, to);
          }
          return arrived ? 0 : limit;
        });
      },
      (c, pc, m, cause) => seen.trap(c, pc, m, cause),
    );
    seen.finish();
    // The frame's depth counted from this window's start.
    const frame = depth + level;
    const candidates = [kind === 'over' ? last.get(frame) : undefined, last.get(frame - 1), lower];
    let best: { e: Executed; order: number } | undefined;
    for (const c of candidates) if (c && (!best || c.order > best.order)) best = c;
    if (best) return { e: best.e, mark };
    // The window before ends where this one starts: the frame is `frame` calls above that point.
    level = frame;
  }
  return undefined;
}
