/**
 * Several guests' consoles on one terminal (hyperdesk boot --mode hypervisor): each line is
 * prefixed with the guest's name; when output switches from one guest to another in the middle of a
 * line, the line is ended first so that no two guests share a line. Carriage returns are dropped
 * (guests end lines with CR LF) so the prefixes stay aligned.
 */
export class ConsoleMux {
  private last: string | undefined;
  private midLine = false;
  private readonly out: number[] = [];
  /** Prefix width: at least 5 so that the column does not move when a longer name appears. */
  private width = 5;

  constructor(private readonly write: (bytes: Uint8Array) => void) {}

  /** A sink for guest `name`. */
  sink(name: string): { write(b: number): void } {
    this.width = Math.max(this.width, name.length);
    return { write: (b) => this.put(name, b) };
  }

  private put(name: string, b: number): void {
    if (b === 13) return;
    if (this.last !== name && this.midLine) {
      this.out.push(10);
      this.midLine = false;
    }
    if (!this.midLine) {
      for (const c of `${name.padEnd(this.width)} | `) this.out.push(c.charCodeAt(0));
      this.midLine = true;
    }
    this.last = name;
    this.out.push(b);
    if (b === 10) this.midLine = false;
  }

  flush(): void {
    if (this.out.length) {
      this.write(Uint8Array.from(this.out));
      this.out.length = 0;
    }
  }
}
