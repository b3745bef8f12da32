/**
 * Drives one console (a uart) of a machine in-process for guest tests, over any way of advancing the
 * machine: the firmware (dual boot) or the bare machine (a test that sets the pCPUs up by hand).
 */
import type { Machine, StopReport } from '../../src/main/emulator/machine/Machine.js';

/** Cycles per step. */
export const STEP = 1_000_000;

export class ConsoleDriver {
  private text = '';
  private mark = 0;
  stop: StopReport | null = null;
  /** The last report of a step, 'idle' included. */
  last: StopReport | null = null;
  readonly machine: Machine;

  constructor(
    build: (console: { write(b: number): void }) => Machine,
    readonly step: (m: Machine, cycles: number) => StopReport | null,
    readonly uart = 0,
  ) {
    this.machine = build({ write: (b) => (this.text += String.fromCharCode(b)) });
  }

  get output(): string {
    return this.text;
  }

  type(s: string): void {
    this.machine.uarts[this.uart].input(Buffer.from(s, 'latin1'));
  }

  /** Run until `pattern` appears after the previous match; returns the text up to its end. */
  expect(pattern: string | RegExp, maxCycles = 1_500_000_000): string {
    for (let done = 0; ; done += STEP) {
      const rest = this.text.slice(this.mark);
      const m = typeof pattern === 'string' ? rest.indexOf(pattern) : rest.search(pattern);
      if (m >= 0) {
        const len = typeof pattern === 'string' ? pattern.length : (rest.slice(m).match(pattern)?.[0].length ?? 0);
        this.mark += m + len;
        return rest.slice(0, m + len);
      }
      if (done >= maxCycles || this.stop) {
        throw new Error(
          `console never showed ${String(pattern)}; stop: ${JSON.stringify(this.stop)}; output:\n${rest}`,
        );
      }
      this.advance(STEP);
    }
  }

  runToStop(maxCycles = 1_000_000_000): StopReport | null {
    for (let done = 0; done < maxCycles && !this.stop; done += STEP) this.advance(STEP);
    return this.stop;
  }

  advance(cycles: number): StopReport | null {
    const r = this.step(this.machine, cycles);
    this.last = r;
    if (r && r.kind !== 'idle') this.stop = r;
    return r;
  }
}
