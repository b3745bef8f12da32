/**
 * Console output of every guest, as the engine collects it: bytes are appended as the guest writes
 * them, handed out once per tick as one batch per guest (never one message per byte), and a bounded
 * history is kept so that a page that reloads gets each console back (HostApi.consoleHistory).
 *
 * `end` counts every byte a guest ever wrote; a batch and a history both say where they end, so the
 * page can splice a history with the live batches without losing or doubling a byte.
 */

/** Bytes of history kept per guest (the oldest go first). */
export const HISTORY_BYTES = 256 * 1024;

interface GuestConsole {
  pending: number[];
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
}

export class ConsoleBuffers {
  private readonly guests = new Map<number, GuestConsole>();
  /** Called with each complete line a guest writes (without the newline). */
  onLine: ((guest: number, line: string) => void) | undefined;

  private get(guest: number): GuestConsole {
    let g = this.guests.get(guest);
    if (!g) {
      g = { pending: [], history: '', end: 0, line: '', last: 10 };
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
        if (!this.onLine) return;
        if (b === 10) {
          const line = g.line.endsWith('\r') ? g.line.slice(0, -1) : g.line;
          g.line = '';
          this.onLine(guest, line);
        } else if (g.line.length < 4096) g.line += String.fromCharCode(b & 0xff);
      },
    };
  }

  /** What each guest wrote since the last call, one batch per guest that wrote anything. */
  drain(): ConsoleBatch[] {
    const out: ConsoleBatch[] = [];
    for (const [guest, g] of this.guests) {
      if (g.pending.length === 0) continue;
      let data = '';
      // Chunked: String.fromCharCode with a huge spread would overflow the stack.
      for (let i = 0; i < g.pending.length; i += 8192) data += String.fromCharCode(...g.pending.slice(i, i + 8192));
      g.pending.length = 0;
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
   * Ends the line the guest left open (its prompt) when the guest starts again, so that the new
   * boot banner begins on a line of its own instead of after the old `cos> ` (issue 15). The
   * bytes are the console's, not the guest's: the guest's own line tracking is not told.
   */
  breakLine(guest: number): void {
    const g = this.guests.get(guest);
    if (!g || g.last === 10) return;
    g.pending.push(13, 10);
    g.last = 10;
    g.line = '';
  }

  /** A line the guest has started but not ended (e.g. its prompt). */
  partialLine(guest: number): string {
    return this.guests.get(guest)?.line ?? '';
  }
}
