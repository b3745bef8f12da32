/**
 * Test support: an EngineCore in manual mode on a clock the test moves (docs/architecture.md#the-engine),
 * with each guest's console output kept. `until` ticks until a condition holds, yielding a macrotask
 * turn each tick so that workers (the assembler) answer; `settle` waits for an engine call the same
 * way. Used by the engine's recording, scrubber and ctl-channel tests.
 */
import type { ConsoleBatch } from '../consoles.js';
import type { EngineEvent } from '../protocol.js';
import { EngineCore } from '../EngineCore.js';

export class ManualCore {
  /** The wall clock the engine reads, in ms. */
  now = 0;
  /** Console output by guest, as the page would have it (every batch appended, unless `onBatch`). */
  readonly out = new Map<number, string>();
  readonly core: EngineCore;
  private ticks = 0;

  constructor(
    /** How far the clock moves at tick k (uneven pacing must not change the machine). */
    private readonly step: (k: number) => number = () => 20,
    /** Takes each console batch instead of appending it to `out` (a scrubber's whole-console resets). */
    onBatch?: (b: ConsoleBatch, out: Map<number, string>) => void,
  ) {
    const append = (b: ConsoleBatch, out: Map<number, string>) => out.set(b.guest, (out.get(b.guest) ?? '') + b.data);
    const take = onBatch ?? append;
    this.core = new EngineCore(
      (e: EngineEvent) => {
        if (e.event === 'console') for (const b of e.batches) take(b, this.out);
      },
      { manual: true },
      () => this.now,
    );
  }

  text(guest: number): string {
    return this.out.get(guest) ?? '';
  }

  tick(): void {
    this.now += this.step(this.ticks++);
    this.core.tick();
  }

  /**
   * Ticks until `pred` holds; throws `never: what` after `maxTicks` and at least `minWallMs` of wall
   * time. The wall time is for what no tick moves: a worker thread (the assembler of a deploy) that
   * starts slowly on a loaded machine, while an idle machine's ticks take microseconds each.
   */
  async until(what: string, pred: () => boolean, maxTicks = 20_000, minWallMs = 60_000): Promise<void> {
    const t0 = performance.now();
    for (let k = 0; k < maxTicks || performance.now() - t0 < minWallMs; k++) {
      if (pred()) return;
      this.tick();
      await new Promise((r) => setImmediate(r));
    }
    throw new Error(`never: ${what}`);
  }

  /** The answer of an engine call that needs ticks to come (a deploy, a replay), or its error. */
  async settle<T>(p: Promise<T>): Promise<T> {
    let done = false;
    let value: T | undefined;
    let error: unknown;
    p.then(
      (v) => ((done = true), (value = v)),
      (e) => ((done = true), (error = e)),
    );
    await this.until('the call answered', () => done);
    if (error) throw error;
    return value as T;
  }
}
