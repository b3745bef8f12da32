/**
 * A bounded buffer for console output on its way to a viewer (docs/security.md#floods). A guest can
 * write faster than any viewer reads; whatever does not fit is counted, not kept, and the viewer is
 * told how much it missed with one marker line in that console. So host memory stays flat however
 * fast a guest writes: the offender loses its own output, nobody else loses anything.
 *
 * Pure (no Node, no clock): the engine, the host and the CLI all use it, each where its viewer is.
 */

/** The line a console shows where bytes were dropped (CR LF around it: it stands on its own line). */
export function droppedMarker(bytes: number): string {
  return `\r\n[output dropped: ${bytes} bytes]\r\n`;
}

export class OutputBuffer {
  private readonly buf: Uint8Array;
  private len = 0;
  /** Bytes dropped since the last take() (they get a marker there). */
  private droppedNow = 0;
  /** Bytes dropped since this buffer was made (for status and the flood figures). */
  droppedTotal = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be >= 1, got ${capacity}`);
    this.buf = new Uint8Array(capacity);
  }

  get length(): number {
    return this.len;
  }

  /** One byte; false when it was dropped (the buffer is full). */
  push(b: number): boolean {
    if (this.len >= this.capacity) {
      this.droppedNow++;
      this.droppedTotal++;
      return false;
    }
    this.buf[this.len++] = b;
    return true;
  }

  /** Many bytes; what does not fit is dropped and counted. Returns how many were kept. */
  pushBytes(bytes: Uint8Array): number {
    const n = Math.min(bytes.length, this.capacity - this.len);
    this.buf.set(bytes.subarray(0, n), this.len);
    this.len += n;
    const lost = bytes.length - n;
    this.droppedNow += lost;
    this.droppedTotal += lost;
    return n;
  }

  /** Count bytes dropped before they reached this buffer (e.g. by a viewer that fell behind). */
  drop(n: number): void {
    this.droppedNow += n;
    this.droppedTotal += n;
  }

  /** Drop what waits (its viewer cannot take it now): counted, and reported by the next take. */
  discard(): void {
    this.drop(this.len);
    this.len = 0;
  }

  /** Whether anything (bytes or a drop to report) waits. */
  get pending(): boolean {
    return this.len > 0 || this.droppedNow > 0;
  }

  /**
   * What waits, as a latin-1 string (one char per byte, as the consoles carry them), followed by
   * the marker when bytes were dropped since the last take; the buffer is empty afterwards.
   */
  takeString(): string {
    let s = '';
    // Chunked: String.fromCharCode with a huge spread would overflow the stack.
    for (let i = 0; i < this.len; i += 8192)
      s += String.fromCharCode(...this.buf.subarray(i, Math.min(this.len, i + 8192)));
    this.len = 0;
    if (this.droppedNow > 0) {
      s += droppedMarker(this.droppedNow);
      this.droppedNow = 0;
    }
    return s;
  }

  /** What waits, as takeString would give it, without taking it (a replay's checkpoint). */
  peekString(): string {
    let s = '';
    for (let i = 0; i < this.len; i += 8192)
      s += String.fromCharCode(...this.buf.subarray(i, Math.min(this.len, i + 8192)));
    return this.droppedNow > 0 ? s + droppedMarker(this.droppedNow) : s;
  }

  /** The same as bytes (the marker encoded as ASCII). */
  takeBytes(): Uint8Array {
    const s = this.takeString();
    const out = new Uint8Array(s.length);
    for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i) & 0xff;
    return out;
  }
}
