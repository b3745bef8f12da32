/**
 * The interrupt controller (docs/devices.md#intc-interrupt-controller): one for the machine, one
 * context per pCPU. Sources 1..31 are level lines from devices; a pCPU's external interrupt line is
 * high while some source is pending, enabled for that pCPU, of priority above its threshold and not
 * claimed. A claimed source is delivered to nobody until it is completed. Registers (offsets):
 *   +0x000 + 4*s             PRIORITY[s]  read/write: 0 never delivered, 1..7 (reset 1; s = 0 reads 0)
 *   +0x080                   PENDING      read: bit s, source s's line is high
 *   +0x100 + 0x20*c + 0x00   ENABLE       read/write: pCPU c, bit s enables source s
 *   +0x100 + 0x20*c + 0x04   THRESHOLD    read/write: deliver only priority > threshold (0..7)
 *   +0x100 + 0x20*c + 0x08   CLAIM        read: claim the best deliverable source (or 0); write s:
 *                                          complete source s
 *   +0x100 + 0x20*c + 0x0C   IPI          write: raise the ipi line of pCPU (value)
 *   +0xFF0 identity 'INTC', +0xFF4 version
 * Contexts exist for the machine's pCPUs only; offsets of other contexts have no registers.
 * Every change recomputes every pCPU's line, so the CPUs always see the current level.
 */
import { IRQ } from '../../../../shared/isa/csrs.js';
import { WordDevice } from '../WordDevice.js';
import { DEVICE_ID, identityRegister } from '../identity.js';
import type { InterruptTarget, IrqLine } from '../irq.js';

export const INTC_PRIORITY = 0x000;
export const INTC_PENDING = 0x080;
export const INTC_CONTEXT = 0x100;
export const INTC_CONTEXT_STRIDE = 0x20;
export const INTC_ENABLE = 0x00;
export const INTC_THRESHOLD = 0x04;
export const INTC_CLAIM = 0x08;
export const INTC_IPI = 0x0c;
export const INTC_SOURCES = 32;
export const INTC_MAX_PRIORITY = 7;
export const INTC_WINDOW = 0x2000;
/** Contexts that fit in the window (docs/devices.md: pCPUs above 247 have none). */
export const INTC_MAX_CONTEXTS = Math.floor((INTC_WINDOW - INTC_CONTEXT) / INTC_CONTEXT_STRIDE);
/** Bits of real sources (source 0 means "none"). */
const SOURCE_MASK = 0xfffffffe | 0;

export interface IntcState {
  priority: number[];
  level: number;
  claimed: number;
  enable: number[];
  threshold: number[];
  metrics: IntcMetrics;
}

export interface IntcMetrics {
  claims: number;
  completions: number;
  ipis: number;
  badAccesses: number;
}

export class Intc extends WordDevice {
  readonly size = INTC_WINDOW;
  private readonly priority = new Int32Array(INTC_SOURCES).fill(1);
  /** Bit s: source s's line is high. */
  private level = 0;
  /** Bit s: source s was claimed and not yet completed. */
  private claimed = 0;
  private readonly enable: Int32Array;
  private readonly threshold: Int32Array;
  private readonly lines: IrqLine[] = [];
  readonly metrics: IntcMetrics = { claims: 0, completions: 0, ipis: 0, badAccesses: 0 };

  constructor(
    readonly id: string,
    /** The pCPUs, by number; context c drives targets[c]. */
    private readonly targets: readonly InterruptTarget[],
  ) {
    super();
    this.priority[0] = 0;
    const n = Math.min(targets.length, INTC_MAX_CONTEXTS);
    this.enable = new Int32Array(n);
    this.threshold = new Int32Array(n);
    for (let s = 0; s < INTC_SOURCES; s++) this.lines.push({ set: (lv) => this.setLevel(s, lv) });
  }

  /** The line a device drives for source `s` (1..31). */
  line(s: number): IrqLine {
    if (!Number.isInteger(s) || s < 1 || s >= INTC_SOURCES) throw new RangeError(`intc source must be 1..31, got ${s}`);
    return this.lines[s];
  }

  /** Number of pCPU contexts. */
  get contexts(): number {
    return this.enable.length;
  }

  /** Bit s: source s is pending (its line is high). */
  get pending(): number {
    return this.level >>> 0;
  }

  setLevel(s: number, high: boolean): void {
    const bit = 1 << s;
    const next = high ? this.level | bit : this.level & ~bit;
    if (next === this.level) return;
    this.level = next & SOURCE_MASK;
    this.recompute();
  }

  /** The source context c would claim now (0: none). Highest priority, lowest number on ties. */
  best(c: number): number {
    let bits = this.level & this.enable[c] & ~this.claimed & SOURCE_MASK;
    let best = 0;
    let bestPri = this.threshold[c];
    while (bits !== 0) {
      const s = 31 - Math.clz32(bits & -bits);
      bits &= bits - 1;
      if (this.priority[s] > bestPri) {
        best = s;
        bestPri = this.priority[s];
      }
    }
    return best;
  }

  /** Drive every pCPU's external line from the current state. */
  recompute(): void {
    for (let c = 0; c < this.enable.length; c++) this.targets[c].setInterrupt(IRQ.external, this.best(c) !== 0);
  }

  /** Context number and register offset within it, or undefined outside the contexts. */
  private context(offset: number): [number, number] | undefined {
    if (offset < INTC_CONTEXT) return undefined;
    const c = Math.floor((offset - INTC_CONTEXT) / INTC_CONTEXT_STRIDE);
    const r = (offset - INTC_CONTEXT) % INTC_CONTEXT_STRIDE;
    if (c >= this.enable.length || r > INTC_IPI) return undefined;
    return [c, r];
  }

  protected readReg(offset: number): number | undefined {
    if (offset < INTC_PENDING) return this.priority[offset >>> 2];
    if (offset === INTC_PENDING) return this.level;
    const ctx = this.context(offset);
    if (!ctx) return identityRegister(offset, DEVICE_ID.intc);
    const [c, r] = ctx;
    switch (r) {
      case INTC_ENABLE:
        return this.enable[c];
      case INTC_THRESHOLD:
        return this.threshold[c];
      case INTC_CLAIM:
        return this.claim(c);
      default:
        return 0; // IPI is write-only
    }
  }

  protected writeReg(offset: number, value: number): boolean {
    if (offset < INTC_PENDING) {
      const s = offset >>> 2;
      if (s !== 0) this.priority[s] = Math.min(value >>> 0, INTC_MAX_PRIORITY);
      this.recompute();
      return true;
    }
    const ctx = this.context(offset);
    if (!ctx) return false;
    const [c, r] = ctx;
    switch (r) {
      case INTC_ENABLE:
        this.enable[c] = value & SOURCE_MASK;
        break;
      case INTC_THRESHOLD:
        this.threshold[c] = Math.min(value >>> 0, INTC_MAX_PRIORITY);
        break;
      case INTC_CLAIM:
        this.complete(value >>> 0);
        break;
      default: {
        const target = this.targets[value >>> 0];
        if (!target) return false;
        this.metrics.ipis++;
        target.setInterrupt(IRQ.ipi, true);
        return true;
      }
    }
    this.recompute();
    return true;
  }

  /** Claim for context c: the best deliverable source, now claimed, or 0. */
  claim(c: number): number {
    const s = this.best(c);
    if (s !== 0) {
      this.claimed |= 1 << s;
      this.metrics.claims++;
      this.recompute();
    }
    return s;
  }

  /** Complete source s: it may be delivered again. Values that name no claimed source are ignored. */
  complete(s: number): void {
    if (s < 1 || s >= INTC_SOURCES || (this.claimed & (1 << s)) === 0) return;
    this.claimed &= ~(1 << s);
    this.metrics.completions++;
    this.recompute();
  }

  /** Power-on state (machine reset): priorities 1, nothing enabled or claimed. Line levels stay:
   *  the devices drive them. */
  reset(): void {
    this.priority.fill(1);
    this.priority[0] = 0;
    this.enable.fill(0);
    this.threshold.fill(0);
    this.claimed = 0;
    this.recompute();
  }

  saveState(): IntcState {
    return {
      priority: Array.from(this.priority),
      level: this.level,
      claimed: this.claimed,
      enable: Array.from(this.enable),
      threshold: Array.from(this.threshold),
      metrics: { ...this.metrics },
    };
  }

  restoreState(s: unknown): void {
    const st = s as IntcState;
    if (st.enable.length !== this.enable.length) throw new Error('intc snapshot has a different number of contexts');
    this.priority.set(st.priority);
    this.level = st.level;
    this.claimed = st.claimed;
    this.enable.set(st.enable);
    this.threshold.set(st.threshold);
    Object.assign(this.metrics, st.metrics);
    this.recompute();
  }
}
