/**
 * Console output of every guest, as the engine collects it: bytes are appended as the guest writes
 * them, handed out once per tick as one batch per guest (never one message per byte), and a bounded
 * history is kept so that a page that reloads gets each console back (HostApi.consoleHistory).
 *
 * Bounded (docs/security.md#floods): a guest that writes more than PENDING_BYTES between two
 * drains loses the rest, and its batch ends with one "[output dropped: N bytes]" line instead; the
 * history keeps the newest HISTORY_BYTES. So a console flood costs the flooding guest its own
 * output, and the engine's memory stays flat.
 *
 * `end` counts every byte a console has shown (markers included, dropped bytes not); a batch and a
 * history both say where they end, so the page can splice a history with the live batches without
 * losing or doubling a byte.
 */
import { OutputBuffer } from '../../shared/outputBuffer.js';

/** Bytes of history kept per guest (the oldest go first). */
export const HISTORY_BYTES = 256 * 1024;
/** Bytes a guest may write between two drains (one engine tick); the rest is dropped and counted. */
export const PENDING_BYTES = 64 * 1024;
/**
 * Bytes of one guest's console handed to the viewers per wall second (when the caller says what time
 * it is): about what a terminal view can draw. Past it, the rest of that second is dropped, counted,
 * and the marker opens the next second's first batch.
 */
export const VIEWER_BYTES_PER_SECOND = 1 << 20;
/** Bytes of each console a snapshot records (docs/snapshots.md#consoles). */
export const TAIL_BYTES = 4096;

export interface GuestConsole {
  pending: OutputBuffer;
  /** The wall-clock second being counted (ms at its start) and the bytes handed out in it. */
  windowAt: number;
  windowBytes: number;
  history: string;
  end: number;
  /** Complete lines, for whoever listens (the management channel); the partial one is in `line`. */
  line: string;
  /** The last byte written (10 at first: a console starts at the beginning of a line). */
  last: number;
}

export interface ConsoleBatch {
  guest: number;
  data: string;
  end: number;
  /**
   * The console's whole (bounded) content, to show instead of what the viewer has: a replay moved
   * to another moment (docs/recording.md#the-scrubber).
   */
  reset?: true;
}

export class ConsoleBuffers {
  private readonly guests = new Map<number, GuestConsole>();
  /** Called with each complete line a guest writes (without the newline). */
  onLine: ((guest: number, line: string) => void) | undefined;
  /** Called with every byte a guest writes (a recording's console digests: docs/recording.md). */
  onByte: ((guest: number, b: number) => void) | undefined;

  private get(guest: number): GuestConsole {
    let g = this.guests.get(guest);
    if (!g) {
      g = {
        pending: new OutputBuffer(PENDING_BYTES),
        windowAt: -Infinity,
        windowBytes: 0,
        history: '',
        end: 0,
        line: '',
        last: 10,
      };
      this.guests.set(guest, g);
    }
    return g;
  }

  /** A sink for one guest's console device. */
  sink(guest: number): { write(b: number): void } {
    const g = this.get(guest);
    return {
      write: (b: number) => {
        g.pending.push(b & 0xff);
        g.last = b & 0xff;
        this.onByte?.(guest, b & 0xff);
        // The open line is kept whether or not anyone takes whole lines (partialLine: a prompt).
        if (b === 10) {
          const line = g.line.endsWith('\r') ? g.line.slice(0, -1) : g.line;
          g.line = '';
          this.onLine?.(guest, line);
        } else if (g.line.length < 4096) g.line += String.fromCharCode(b & 0xff);
      },
    };
  }

  /** What each guest wrote since the last call, one batch per guest that wrote anything. */
  drain(nowMs?: number): ConsoleBatch[] {
    const out: ConsoleBatch[] = [];
    for (const [guest, g] of this.guests) {
      if (!g.pending.pending) continue;
      if (nowMs !== undefined) {
        if (nowMs - g.windowAt >= 1000) {
          g.windowAt = nowMs;
          g.windowBytes = 0;
        }
        if (g.windowBytes >= VIEWER_BYTES_PER_SECOND) {
          g.pending.discard(); // the viewers had this second's share: counted, told next second
          continue;
        }
      }
      const data = g.pending.takeString();
      g.windowBytes += data.length;
      g.end += data.length;
      g.history += data;
      if (g.history.length > HISTORY_BYTES) g.history = g.history.slice(g.history.length - HISTORY_BYTES);
      out.push({ guest, data, end: g.end });
    }
    return out;
  }

  /** The guest's recent output and the byte count it ends at (drain first for the latest). */
  history(guest: number): { data: string; end: number } {
    const g = this.guests.get(guest);
    return g ? { data: g.history, end: g.end } : { data: '', end: 0 };
  }

  /**
   * The guest's console from the start of a line within its last `max` bytes (a snapshot's record
   * of it, docs/snapshots.md#consoles): what was handed out so far (the engine drains every tick,
   * and a snapshot is taken between ticks).
   */
  tail(guest: number, max = TAIL_BYTES): string {
    const h = this.guests.get(guest)?.history ?? '';
    if (h.length <= max) return h;
    const cut = h.slice(h.length - max);
    const nl = cut.indexOf('\n');
    return nl >= 0 && nl < cut.length - 1 ? cut.slice(nl + 1) : cut;
  }

  /**
   * Text from the app rather than the guest (a restored snapshot's console), sent to the page like
   * output; it does not reach the line listener (ctl's management channel reads only ctl).
   */
  note(guest: number, text: string): void {
    // Bytes, one per character, as the guest's own output is (UTF-16 beyond 0xff would be cut).
    const g = this.get(guest);
    for (let i = 0; i < text.length; i++) g.pending.push(text.charCodeAt(i) & 0xff);
  }

  /** Bytes of this guest's output dropped so far (it wrote faster than PENDING_BYTES a tick). */
  dropped(guest: number): number {
    return this.guests.get(guest)?.pending.droppedTotal ?? 0;
  }

  /**
   * Ends the line the guest left open (its prompt) when the guest starts again, so that the new
   * boot banner begins on a line of its own instead of after the old `cos> ` (issue 15). The
   * bytes are the console's, not the guest's: the guest's own line tracking is not told.
   */
  breakLine(guest: number): void {
    const g = this.guests.get(guest);
    if (!g || g.last === 10) return;
    g.pending.push(13);
    g.pending.push(10);
    g.last = 10;
    g.line = '';
  }

  /**
   * Every console as it is now, as the viewers would see it once drained (a replay's checkpoint:
   * docs/recording.md#seek-and-reverse; the digests are kept apart). The bytes not handed out yet
   * count as shown: a checkpoint is taken in the middle of a tick, and its restore must not lose
   * what the guest wrote since the last drain.
   */
  saveState(): Map<number, Omit<GuestConsole, 'pending'>> {
    const out = new Map<number, Omit<GuestConsole, 'pending'>>();
    for (const [g, c] of this.guests) {
      const { pending, ...rest } = c;
      const waiting = pending.peekString();
      const history = rest.history + waiting;
      out.set(g, {
        ...rest,
        history: history.length > HISTORY_BYTES ? history.slice(history.length - HISTORY_BYTES) : history,
        end: rest.end + waiting.length,
      });
    }
    return out;
  }

  /** Puts the consoles back as saveState had them (the sinks handed out stay valid). */
  restoreState(saved: Map<number, Omit<GuestConsole, 'pending'>>): void {
    for (const [g, c] of this.guests) {
      const s = saved.get(g) ?? { windowAt: 0, windowBytes: 0, history: '', end: 0, line: '', last: 10 };
      c.pending.takeBytes(); // bytes of the timeline left behind
      Object.assign(c, s);
    }
  }

  /**
   * After a replay moved (docs/recording.md#the-scrubber): what waits goes into the history (not to
   * the viewers, unbounded by the per-second share: the move is one step), and each console's whole
   * history comes back as a `reset` batch, so a viewer shows the console as it was at that moment.
   * At most HISTORY_BYTES per guest.
   */
  rewound(): ConsoleBatch[] {
    const out: ConsoleBatch[] = [];
    for (const [guest, g] of this.guests) {
      const data = g.pending.takeString();
      g.end += data.length;
      g.history += data;
      if (g.history.length > HISTORY_BYTES) g.history = g.history.slice(g.history.length - HISTORY_BYTES);
      out.push({ guest, data: g.history, end: g.end, reset: true });
    }
    return out;
  }

  /**
   * A console's content before any byte of this run: a replay starts with what each console showed
   * when the recording started (the start snapshot's tails, docs/recording.md#the-scrubber). It
   * becomes history, not output: the digests and the line listener do not see it.
   */
  seed(guest: number, text: string): void {
    const g = this.get(guest);
    g.history = text.length > HISTORY_BYTES ? text.slice(text.length - HISTORY_BYTES) : text;
    g.end = g.history.length;
    const nl = text.lastIndexOf('\n');
    g.line = text.slice(nl + 1);
    g.last = text.length ? text.charCodeAt(text.length - 1) & 0xff : 10;
  }

  /** A line the guest has started but not ended (e.g. its prompt). */
  partialLine(guest: number): string {
    return this.guests.get(guest)?.line ?? '';
  }
}
