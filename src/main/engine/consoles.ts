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

export interface GuestConsole {
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
  /** Called with every byte a guest writes (a recording's console digests: docs/recording.md). */
  onByte: ((guest: number, b: number) => void) | undefined;

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
        this.onByte?.(guest, b & 0xff);
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

  /** Every console as it is now (a replay's checkpoint: docs/recording.md#seek). */
  saveState(): Map<number, GuestConsole> {
    const out = new Map<number, GuestConsole>();
    for (const [g, c] of this.guests) out.set(g, { ...c, pending: [...c.pending] });
    return out;
  }

  /** Puts the consoles back as saveState had them (the sinks handed out stay valid). */
  restoreState(saved: Map<number, GuestConsole>): void {
    for (const [g, c] of this.guests) {
      const s = saved.get(g) ?? { pending: [], history: '', end: 0, line: '' };
      c.pending = [...s.pending];
      c.history = s.history;
      c.end = s.end;
      c.line = s.line;
    }
  }

  /** A line the guest has started but not ended (e.g. its prompt). */
  partialLine(guest: number): string {
    return this.guests.get(guest)?.line ?? '';
  }
}
