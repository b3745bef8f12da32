/**
 * Splicing a guest's console history with live events, so that a reloaded page shows each guest's
 * console exactly once: the page asks for `consoleHistory(guest)` (the text so far and the byte count
 * `end` it ends at) while `console` events keep arriving, each carrying its own `end`. Events that
 * arrive before the history answer are held; afterwards only bytes past what was written are kept.
 * Pure (no DOM), so that it is unit-tested.
 */

export class ConsoleSplice {
  /** The count of bytes written so far; undefined until the history is in. */
  private written: number | undefined;
  private held: { data: string; end: number }[] = [];

  /** True once the history has been applied. */
  get ready(): boolean {
    return this.written !== undefined;
  }

  /** The byte count the terminal shows up to (0 before the history). */
  get end(): number {
    return this.written ?? 0;
  }

  /** Applies the history answer; returns the text to write: the history, then held events past it. */
  history(data: string, end: number): string {
    this.written = end;
    let out = data;
    const held = this.held;
    this.held = [];
    for (const e of held) out += this.event(e.data, e.end);
    return out;
  }

  /**
   * Applies one `console` event; returns the text to write now ('' when it is held or already shown).
   * A gap (bytes the page never got, after a dropped event stream) is marked in the text, since the
   * bytes cannot be recovered without reading the history again.
   */
  event(data: string, end: number): string {
    if (this.written === undefined) {
      this.held.push({ data, end });
      return '';
    }
    if (end <= this.written) return '';
    const start = end - data.length;
    let out: string;
    if (start > this.written) out = `\r\n[… ${start - this.written} bytes of output missed …]\r\n${data}`;
    else out = data.slice(this.written - start);
    this.written = end;
    return out;
  }

  /** Forgets everything (the machine was booted again: its consoles start from byte 0). */
  reset(): void {
    this.written = undefined;
    this.held = [];
  }
}
