/**
 * The outer loop of one pCPU: between interpreter slices it fires timers and takes interrupts, and
 * while the pCPU waits in wfi it lets time pass to the next timer event (docs/isa.md#timers). Slices
 * end exactly at timer events, so an interrupt is taken at the same instruction count every run.
 */
import type { Cpu } from './Cpu.js';
import { interpret } from './interpreter.js';

/**
 * Run up to `budget` cycles. Returns the cycles used (instructions stepped, cycles waited, and
 * charged work passed).
 */
export function runCpu(cpu: Cpu, budget: number): number {
  let done = 0;
  while (done < budget && !cpu.halted && !cpu.exitRequested) {
    // An exact stop (docs/recording.md#exact-stops) comes before timers and interrupts are taken.
    let limit = Infinity;
    if (cpu.sliceLimit !== null) {
      limit = cpu.sliceLimit(cpu, false);
      if (limit <= 0) break;
    }
    // Work charged to this pCPU (the hypervisor's handlers, a full UART: Cpu.stall) passes first, as
    // time in which nothing retires and no interrupt is taken (docs/hypercalls.md#what-the-hypervisor-costs).
    // What the budget cannot hold waits for the next call, so the pCPUs stay on the Machine's grid.
    if (cpu.stall > 0) {
      const pay = Math.min(cpu.stall, budget - done);
      cpu.stall -= pay;
      cpu.hcycle += pay;
      done += pay;
      continue;
    }
    cpu.fireTimers();
    cpu.checkInterrupts();
    // The interrupt went to a hypervisor on another thread (machine/parallel.ts): stop here.
    if (cpu.exitRequested) break;
    // The hypervisor took it and charged its work: that passes before anything runs.
    if (cpu.stall > 0) continue;
    if (cpu.waiting) {
      // Idle: jump to the next timer event (or spend the whole budget if none is armed).
      const next = cpu.nextTimer();
      const idle = Math.min(budget - done, Math.max(1, next - cpu.hcycle));
      cpu.hcycle += idle;
      done += idle;
      continue;
    }
    // An interrupt taken just now may have switched what runs on this pCPU: ask again.
    if (cpu.sliceLimit !== null) {
      limit = cpu.sliceLimit(cpu, true);
      if (limit <= 0) break;
    }
    const slice = Math.min(budget - done, Math.max(1, cpu.nextTimer() - cpu.hcycle), limit);
    cpu.sliceEnd = cpu.hcycle + slice;
    // The block translator (jit/), when this pCPU has one, keeps the interpreter's contract exactly.
    const n = cpu.jit ? cpu.jit.run(cpu, slice) : interpret(cpu, slice);
    cpu.hcycle += n;
    cpu.sliceSteps = 0;
    cpu.instret += n - cpu.sliceTraps;
    done += n;
  }
  return done;
}
