/**
 * The checked path (docs/debugger.md#the-checked-path): the slice engine a guest's vCPUs run in
 * while it has a breakpoint, a watchpoint, a trap break or a step in progress. It runs the
 * reference interpreter one instruction at a time and asks the guest's debugger before each one
 * (breakpoints, watchpoints, the end of a step) and after it (trap breaks). Guests with nothing set
 * never run here: their pCPUs keep the interpreter's or the translator's fast path, untouched, so
 * a breakpoint costs nothing to the guests that have none, and translated code needs no
 * invalidation (the guest simply does not run translated while it is checked).
 *
 * It keeps the SliceEngine contract of cpu/run.ts exactly as the block translator does: a slice
 * ends at a trap or when a slow path asks (breakSlice), so a guest computes the same thing checked
 * or not, and a breakpoint is hit at the same retired count whichever engine ran the code before.
 */
import type { Cpu, SliceEngine, TrapRecord } from '../cpu/Cpu.js';
import { interpret } from '../cpu/interpreter.js';
import type { GuestDebug } from './GuestDebug.js';

export interface CheckedHost {
  /** The guest's vCPU number running on `cpu` now, or -1 (another guest, or the hypervisor). */
  vcpuOn(cpu: Cpu): number;
  /** Take the held vCPU off `cpu` (no instruction of this slice has run). */
  leave(cpu: Cpu): void;
  /** Whether a trap record is the guest's own (not the hypervisor's). */
  fromGuest(t: TrapRecord): boolean;
}

export class CheckedEngine implements SliceEngine {
  readonly checked = true;
  readonly stats = { checkedSteps: 0 };
  private trap: TrapRecord | undefined;

  constructor(
    private readonly g: GuestDebug,
    private readonly host: CheckedHost,
  ) {}

  run(cpu: Cpu, budget: number): number {
    const prev = cpu.onTrap;
    cpu.onTrap = (c, t) => {
      this.trap ??= t;
      prev?.(c, t);
    };
    try {
      return this.steps(cpu, budget);
    } finally {
      cpu.onTrap = prev;
    }
  }

  private steps(cpu: Cpu, budget: number): number {
    let n = 0;
    cpu.breakSlice = false;
    cpu.sliceTraps = 0;
    while (n < budget) {
      const vc = this.host.vcpuOn(cpu);
      // Not this guest's code (cannot happen between a switch and the engine's reselection, but a
      // slice must always make progress): run it as the interpreter would.
      if (vc < 0) return interpret(cpu, budget, n);
      if (this.g.isHeld(vc)) {
        if (n === 0) this.host.leave(cpu);
        return n;
      }
      if (this.g.before(cpu, vc, cpu.instret + n)) return n;
      this.trap = undefined;
      n = interpret(cpu, n + 1, n);
      this.stats.checkedSteps++;
      const t = this.trap as TrapRecord | undefined;
      if (t) this.g.after(vc, t, this.host.fromGuest(t));
      if (cpu.sliceTraps !== 0 || cpu.breakSlice || cpu.waiting || cpu.halted) break;
    }
    return n;
  }
}

/** Whether a pCPU's slice engine is a checked one (the hypervisor keeps it out of its translators). */
export function isChecked(e: SliceEngine | null): boolean {
  return !!e && (e as { checked?: boolean }).checked === true;
}
