/**
 * The Debug view's Reverse step and Reverse continue (docs/debugger.md#reverse), apart from the
 * view: a first move from a recording that still runs ends it, replays it and stands at the
 * guest's stop (by its retired count and pc: docs/recording.md#seek-and-reverse); then the host's reverse calls move the replay. Reverse
 * continue goes back to the guest's verified breakpoints.
 */
import type { HostApi, ReplayPosition } from '../../shared/api.js';
import type { DebugStop } from '../../shared/debugApi.js';
import { hex32 } from './format.js';

export async function reverseMove(
  api: HostApi,
  kind: 'step' | 'continue',
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
  if (kind === 'step') return api.reverseStep(guest, vcpu);
  const st = await api.debugState(guest);
  const at = st.breakpoints.filter((x) => x.verified && x.resolved !== undefined).map((x) => hex32(x.resolved!));
  if (at.length === 0) throw new Error('set a breakpoint to go back to');
  return api.reverseContinue(guest, at.join(','));
}

/** Where a reverse move left the replay, in words (the view's note). */
export function movedNote(moved: ReplayPosition): string {
  const at = moved.stop;
  return at
    ? `Replay at ${moved.seconds.toFixed(6)} s: vCPU ${at.vcpu} at ${hex32(at.pc)}, ${at.retired} retired (${at.reason})`
    : `Replay at ${moved.seconds.toFixed(6)} s`;
}
