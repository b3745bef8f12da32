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
/** Bytes of each console a snapshot records (docs/snapshots.md#consoles). */
export const TAIL_BYTES = 4096;

interface GuestConsole {
  pending: OutputBuffer;
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
      g = { pending: new OutputBuffer(PENDING_BYTES), history: '', end: 0, line: '' };
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
      if (!g.pending.pending) continue;
      const data = g.pending.takeString();
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

  /** A line the guest has started but not ended (e.g. its prompt). */
  partialLine(guest: number): string {
    return this.guests.get(guest)?.line ?? '';
  }
}
