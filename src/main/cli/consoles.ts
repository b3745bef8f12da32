/**
 * Several guests' consoles on one terminal (hyperdesk boot --mode hypervisor): each line is
 * prefixed with the guest's name; when output switches from one guest to another in the middle of a
 * line, the line is ended first so that no two guests share a line. Carriage returns are dropped
 * (guests end lines with CR LF) so the prefixes stay aligned.
 *
 * Bounded (docs/security.md#floods): at most CLI_PENDING_BYTES wait between two flushes, and none
 * are written while stdout lags; what is dropped is counted per guest and shown as one
 * "[output dropped: N bytes]" line under that guest's name at the next flush.
 */
import { CLI_PENDING_BYTES } from './terminal.js';

export class ConsoleMux {
  private last: string | undefined;
  private midLine = false;
  private readonly out = new Uint8Array(CLI_PENDING_BYTES);
  private len = 0;
  /** Bytes dropped per guest since the last flush that could write. */
  private readonly dropped = new Map<string, number>();
  /** Each guest's bytes in `out` (so a flush that cannot write charges each guest its own). */
  private readonly held = new Map<string, number>();
  /** Prefix width: at least 5 so that the column does not move when a longer name appears. */
  private width = 5;

  constructor(
    private readonly write: (bytes: Uint8Array) => void,
    /** Whether the terminal takes more now (false: this flush's bytes are dropped and counted). */
    private readonly keepsUp: () => boolean = () => true,
  ) {}

  /** A sink for guest `name`. */
  sink(name: string): { write(b: number): void } {
    this.width = Math.max(this.width, name.length);
    return { write: (b) => this.put(name, b) };
  }

  /** Bytes dropped from guest `name` and not yet reported. */
  droppedFrom(name: string): number {
    return this.dropped.get(name) ?? 0;
  }

  private room(n: number): boolean {
    return this.len + n <= this.out.length;
  }

  private text(s: string): void {
    for (let i = 0; i < s.length; i++) this.out[this.len++] = s.charCodeAt(i) & 0xff;
  }

  private put(name: string, b: number): void {
    if (b === 13) return;
    // Room for a line break, the prefix and the byte, or the byte is dropped (counted for its guest).
    if (!this.room(this.width + 4)) {
      this.dropped.set(name, (this.dropped.get(name) ?? 0) + 1);
      return;
    }
    if (this.last !== name && this.midLine) {
      this.out[this.len++] = 10;
      this.midLine = false;
    }
    if (!this.midLine) {
      this.text(`${name.padEnd(this.width)} | `);
      this.midLine = true;
    }
    this.last = name;
    this.out[this.len++] = b;
    this.held.set(name, (this.held.get(name) ?? 0) + 1);
    if (b === 10) this.midLine = false;
  }

  flush(): void {
    if (!this.keepsUp()) {
      // The terminal lags: this step's output is dropped; the drop is told to whichever guest wrote.
      for (const [name, n] of this.held) this.dropped.set(name, (this.dropped.get(name) ?? 0) + n);
      this.held.clear();
      this.len = 0;
      this.midLine = false;
      return;
    }
    this.held.clear();
    if (this.dropped.size > 0) {
      let notes = this.midLine ? '\n' : '';
      for (const [name, n] of this.dropped) notes += `${name.padEnd(this.width)} | [output dropped: ${n} bytes]\n`;
      this.dropped.clear();
      this.midLine = false;
      const head = new Uint8Array(this.len + notes.length);
      head.set(this.out.subarray(0, this.len));
      for (let i = 0; i < notes.length; i++) head[this.len + i] = notes.charCodeAt(i) & 0xff;
      this.len = 0;
      this.write(head);
      return;
    }
    if (this.len) {
      this.write(this.out.slice(0, this.len));
      this.len = 0;
    }
  }
}
