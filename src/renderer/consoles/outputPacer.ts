/**
 * How much of a console's pending output goes to xterm per animation frame
 * (docs/performance.md#console-throughput). Output used to go to `term.write` as each event came:
 * xterm then parsed it in 12 ms slices back to back (its WriteBuffer), and with a frame's drawing
 * on top the page missed most frames while a flood lasted. Now the events are queued here, and
 * once per frame the terminal gets one write of at most `budget` characters, so that parsing and
 * drawing fit in a frame.
 *
 * The budget adapts to the machine (additive increase, multiplicative decrease on the frame
 * cadence): a frame that came on time while output waited raises it by STEP; a late frame (more
 * than 1.5 frame periods after the one before) halves it. It never goes below MIN_BUDGET, and a
 * frame takes at least 1/DRAIN_FRAMES of the backlog whatever the budget says, so that nothing
 * waits for long and nothing is ever dropped here (the host bounds what a guest can send:
 * docs/security.md#floods). Pure (no DOM, no clock: the caller passes the frame's time), so it
 * is unit-tested.
 */

/** The smallest budget, characters per frame (about 1 MB/s at 60 frames a second). */
export const MIN_BUDGET = 16 * 1024;
/** The largest budget, characters per frame. */
export const MAX_BUDGET = 1024 * 1024;
/** Added to the budget after a frame on time that had more output waiting than it took. */
export const STEP = 16 * 1024;
/** A frame takes at least this share of the backlog (1/120: most of it goes within 2-4 s). */
export const DRAIN_FRAMES = 120;

export interface Slice {
  text: string;
  /** The console's end (its byte count) once `text` is written. */
  end: number;
}

export class OutputPacer {
  private queue: Slice[] = [];
  /** Characters queued. */
  private queued = 0;
  /** Characters of queue[0] already taken. */
  private offset = 0;
  private budget = 4 * MIN_BUDGET;
  /** The shortest interval seen between two frames: the display's frame period. */
  private period = 1000 / 60;
  private lastFrame: number | undefined;
  /** The last frame took less than was waiting (so its cadence says whether it could take more). */
  private limited = false;

  /** Characters waiting. */
  get pending(): number {
    return this.queued;
  }

  /** Characters per frame now (for the tests and the bench's notes). */
  get perFrame(): number {
    return this.budget;
  }

  push(text: string, end: number): void {
    if (!text) return;
    this.queue.push({ text, end });
    this.queued += text.length;
  }

  /** Everything waiting goes (the terminal was reset: what was queued belongs to what it showed). */
  clear(): void {
    this.queue = [];
    this.queued = 0;
    this.offset = 0;
    this.limited = false;
    this.lastFrame = undefined;
  }

  /**
   * The output for the frame at `now` (ms; requestAnimationFrame's time): at most the budget (or
   * the backlog's share), or everything with `all` (a console nobody sees: only its parsing costs,
   * it is drawn when shown). undefined when nothing waits.
   */
  take(now: number, all = false): Slice | undefined {
    if (this.lastFrame !== undefined && !all) {
      const gap = now - this.lastFrame;
      if (gap > 0) this.period = Math.max(4, Math.min(this.period, gap));
      if (gap > 1.5 * this.period) this.budget = Math.max(MIN_BUDGET, Math.floor(this.budget / 2));
      else if (this.limited) this.budget = Math.min(MAX_BUDGET, this.budget + STEP);
    }
    this.lastFrame = now;
    if (this.queued === 0) {
      this.lastFrame = undefined;
      this.limited = false;
      return undefined;
    }
    const room = all ? this.queued : Math.max(this.budget, Math.ceil(this.queued / DRAIN_FRAMES));
    const parts: string[] = [];
    let taken = 0;
    let end = 0;
    while (this.queue.length && taken < room) {
      const head = this.queue[0]!;
      const left = head.text.length - this.offset;
      const n = Math.min(left, room - taken);
      parts.push(
        this.offset === 0 && n === head.text.length ? head.text : head.text.slice(this.offset, this.offset + n),
      );
      taken += n;
      if (n === left) {
        end = head.end;
        this.queue.shift();
        this.offset = 0;
      } else {
        this.offset += n;
        // Part of an event: its end less what is still to come of it (exact unless it carries a
        // "bytes missed" note, which is not console bytes; then never past the event's end).
        end = Math.max(end, head.end - (head.text.length - this.offset));
      }
    }
    this.queued -= taken;
    this.limited = this.queued > 0;
    return { text: parts.length === 1 ? parts[0]! : parts.join(''), end };
  }
}
