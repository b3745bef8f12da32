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
/** Bytes of each console a snapshot records (docs/snapshots.md#consoles). */
export const TAIL_BYTES = 4096;

interface GuestConsole {
  pending: number[];
  history: string;
  end: number;
  /** Complete lines, for whoever listens (the management channel); the partial one is in `line`. */
  line: string;
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
      g = { pending: [], history: '', end: 0, line: '' };
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
   * The guest's console from the start of a line within its last `max` bytes (a snapshot's record
   * of it, docs/snapshots.md#consoles), bytes not yet handed out included.
   */
  tail(guest: number, max = TAIL_BYTES): string {
    const g = this.guests.get(guest);
    if (!g) return '';
    const pending = g.pending.slice(Math.max(0, g.pending.length - max));
    const h = g.history.slice(Math.max(0, g.history.length - max)) + String.fromCharCode(...pending);
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

  /** A line the guest has started but not ended (e.g. its prompt). */
  partialLine(guest: number): string {
    return this.guests.get(guest)?.line ?? '';
  }
}
