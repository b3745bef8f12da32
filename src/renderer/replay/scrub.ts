/**
 * The scrubber's arithmetic (docs/recording.md#the-scrubber), pure so that it is unit-tested: where
 * a machine time sits on the track, which time a pointer position names, where the arrow keys move
 * the handle, and a seek queue that keeps one seek in flight while a drag goes on (the newest
 * position wins; the positions in between are never sent).
 */
import type { ReplayStatus } from '../../shared/api.js';

export type Span = Pick<ReplayStatus, 'startSeconds' | 'endSeconds'>;

/** 0..1 along the track for a machine time (clamped). */
export function fractionOf(seconds: number, r: Span): number {
  const len = r.endSeconds - r.startSeconds;
  if (!(len > 0)) return 0;
  return Math.min(1, Math.max(0, (seconds - r.startSeconds) / len));
}

/** The machine time at 0..1 along the track (clamped). */
export function secondsAt(fraction: number, r: Span): number {
  const f = Math.min(1, Math.max(0, fraction));
  return r.startSeconds + f * (r.endSeconds - r.startSeconds);
}

/**
 * Where a key moves the handle from `now`, or undefined for a key the scrubber does not take.
 * Arrows: 1/100 of the span (Shift: 1/10); PageUp/PageDown: to the previous or next checkpoint;
 * Home/End: the recording's start and end.
 */
export function keyTarget(
  key: string,
  shift: boolean,
  now: number,
  r: Span & { checkpoints: number[] },
): number | undefined {
  const step = (r.endSeconds - r.startSeconds) / (shift ? 10 : 100);
  const clamp = (s: number) => Math.min(r.endSeconds, Math.max(r.startSeconds, s));
  switch (key) {
    case 'ArrowLeft':
    case 'ArrowDown':
      return clamp(now - step);
    case 'ArrowRight':
    case 'ArrowUp':
      return clamp(now + step);
    case 'Home':
      return r.startSeconds;
    case 'End':
      return r.endSeconds;
    case 'PageDown': {
      // Back to the checkpoint before (a little slack: standing on one goes to the one before it).
      const before = r.checkpoints.filter((c) => c < now - 1e-6);
      return before.length ? before[before.length - 1]! : r.startSeconds;
    }
    case 'PageUp': {
      const after = r.checkpoints.find((c) => c > now + 1e-6);
      return after ?? r.endSeconds;
    }
  }
  return undefined;
}

/** Machine time as the scrubber labels it: `27.250 s` (ms precision), and a span's length. */
export function timeLabel(seconds: number): string {
  return `${seconds.toFixed(3)} s`;
}

/**
 * One seek at a time; a position asked while one is in flight waits, and a newer one replaces it.
 * So a drag sends as many seeks as the engine can answer and always ends at the last position.
 */
export class SeekQueue {
  private inFlight = false;
  private waiting: number | undefined;

  constructor(
    private readonly send: (seconds: number) => Promise<unknown>,
    private readonly failed: (e: unknown) => void = () => undefined,
  ) {}

  get busy(): boolean {
    return this.inFlight;
  }

  /** Asks for a seek to `seconds`; resolves once the queue is idle again. */
  async seek(seconds: number): Promise<void> {
    if (this.inFlight) {
      this.waiting = seconds;
      return;
    }
    this.inFlight = true;
    let next: number | undefined = seconds;
    try {
      while (next !== undefined) {
        this.waiting = undefined;
        try {
          await this.send(next);
        } catch (e) {
          this.failed(e);
        }
        next = this.waiting;
      }
    } finally {
      this.inFlight = false;
    }
  }
}
