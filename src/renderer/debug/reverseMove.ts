/**
 * The Debug view's Reverse step and Reverse continue (docs/debugger.md#reverse), apart from the
 * view: a first move from a recording that still runs ends it, replays it and stands at the
 * guest's stop (by its retired count and pc: docs/recording.md#seek-and-reverse); then the host's
 * reverse calls move the replay. Reverse continue goes back to the guest's verified breakpoints and
 * its watchpoints.
 */
import type { HostApi, ReplayPosition } from '../../shared/api.js';
import type { DebugStop, StepKind } from '../../shared/debugApi.js';
import { hex32 } from './format.js';

export type ReverseKind = StepKind | 'continue';

/** The Debug view's reverse buttons: what each does, its data-action, label and tooltip. */
export const REVERSE_BUTTONS: readonly { kind: ReverseKind; action: string; label: string; title: string }[] = [
  {
    kind: 'instruction',
    action: 'reverse-step',
    label: 'Reverse step',
    title: 'One instruction back (replays the recording)',
  },
  {
    kind: 'over',
    action: 'reverse-over',
    label: 'Reverse over',
    title: 'Back to the previous instruction of this function, over whole calls',
  },
  { kind: 'out', action: 'reverse-out', label: 'Reverse out', title: 'Back to the call that entered this function' },
  {
    kind: 'continue',
    action: 'reverse-continue',
    label: 'Reverse continue',
    title: 'Back to the last breakpoint or watchpoint hit',
  },
];

export async function reverseMove(
  api: HostApi,
  /** One instruction back, back over a call, back out of the function (docs/recording.md#step-over-and-out), or reverse continue. */
  kind: ReverseKind,
  guest: number,
  vcpu: number,
  /** The recording to end and replay first (the view's own, still running), with the guest's stop. */
  first: { name: string; stop: DebugStop | undefined; replayed(): void } | undefined,
): Promise<ReplayPosition> {
  if (first) {
    if (!first.stop) throw new Error('the guest has no stop to go back from');
    await api.recordStop();
    first.replayed();
    await api.replay(first.name);
    await api.seekTo(guest, first.stop.vcpu, first.stop.retired, first.stop.pc);
  }
  if (kind !== 'continue') return api.reverseStep(guest, vcpu, kind);
  const st = await api.debugState(guest);
  const at = st.breakpoints.filter((x) => x.verified && x.resolved !== undefined).map((x) => hex32(x.resolved!));
  if (at.length === 0 && st.watchpoints.length === 0) throw new Error('set a breakpoint or a watchpoint to go back to');
  return api.reverseContinue(guest, at.join(','));
}

/** Where a reverse move left the replay, in words (the view's note). */
export function movedNote(moved: ReplayPosition): string {
  const at = moved.stop;
  return at
    ? `Replay at ${moved.seconds.toFixed(6)} s: vCPU ${at.vcpu} at ${hex32(at.pc)}, ${at.retired} retired (${at.reason})`
    : `Replay at ${moved.seconds.toFixed(6)} s`;
}
