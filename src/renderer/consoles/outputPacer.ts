/**
 * How much of a console's pending output goes to xterm per animation frame
 * (docs/performance.md#console-throughput). Output used to go to `term.write` as each event came:
 * xterm then parsed it in 12 ms slices back to back (its WriteBuffer), and with a frame's drawing
 * on top the page missed most frames while a flood lasted. Now the events are queued here, and
 * once per frame the terminal gets one write sized to take about PARSE_SHARE of the time since the
 * last frame to parse, at the parse rate measured on the writes before (`parsed`): half of each
 * frame parses, the rest draws. A frame that comes late (a loaded machine) gets a larger write in
 * proportion, so throughput does not collapse with the frame rate. (A first version halved a byte
 * budget on every late frame: on a loaded machine every frame is late, and it fell to its floor.)
 *
 * Never below MIN_CHARS per frame, and a frame takes at least 1/DRAIN_FRAMES of a backlog, so that
 * nothing waits long; nothing is ever dropped here (the host bounds what a guest can send:
 * docs/security.md#floods). Pure (no DOM, no clock: the caller passes the times), so it is
 * unit-tested.
 */

/** The smallest write, characters per frame (about 1 MB/s at 60 frames a second). */
export const MIN_CHARS = 16 * 1024;
/** The largest write, characters per frame. */
export const MAX_CHARS = 2 * 1024 * 1024;
/** The share of the time between two frames spent parsing. */
export const PARSE_SHARE = 0.5;
/** A frame takes at least this share of the backlog (1/120: most of it goes within 2-4 s). */
export const DRAIN_FRAMES = 120;
/** The parse rate assumed before one is measured, characters per ms (a slow machine's). */
export const START_RATE = 8 * 1024;
/** Frame intervals counted, ms: a display's period at least, and no more than a tenth of a second. */
const MIN_INTERVAL = 1000 / 60;
const MAX_INTERVAL = 100;

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
  /** Characters xterm parses per ms (a moving average of the measured writes). */
  private rate = START_RATE;
  private lastFrame: number | undefined;

  /** Characters waiting. */
  get pending(): number {
    return this.queued;
  }

  /** The parse rate used, characters per ms. */
  get charsPerMs(): number {
    return this.rate;
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
    this.lastFrame = undefined;
  }

  /** xterm parsed `chars` characters in `ms` ms (one write, measured by the caller). */
  parsed(chars: number, ms: number): void {
    // Too short to time (a timer's resolution is 0.1 ms or coarser): says nothing.
    if (chars < 4096 || ms < 1) return;
    this.rate = 0.7 * this.rate + 0.3 * (chars / ms);
  }

  /**
   * The output for the frame at `now` (ms; requestAnimationFrame's time), or everything with `all`
   * (a console nobody sees: only its parsing costs, it is drawn when shown). undefined when
   * nothing waits.
   */
  take(now: number, all = false): Slice | undefined {
    const interval =
      this.lastFrame === undefined
        ? MIN_INTERVAL
        : Math.min(MAX_INTERVAL, Math.max(MIN_INTERVAL, now - this.lastFrame));
    this.lastFrame = now;
    if (this.queued === 0) {
      this.lastFrame = undefined;
      return undefined;
    }
    const budget = Math.min(MAX_CHARS, Math.max(MIN_CHARS, Math.round(this.rate * PARSE_SHARE * interval)));
    const room = all ? this.queued : Math.max(budget, Math.ceil(this.queued / DRAIN_FRAMES));
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
    return { text: parts.length === 1 ? parts[0]! : parts.join(''), end };
  }
}
