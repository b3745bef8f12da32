/**
 * Test support for the block translator: run two machines (one per engine) side by side in the same
 * slices and say where their architectural state first differs. The interpreter is the reference
 * (docs/architecture.md#block-translation); any difference is a translator bug.
 */
import type { Machine, StopReport } from '../../machine/Machine.js';
import { SINK } from '../decode.js';

/**
 * What a test compares after every slice besides RAM: every pCPU's saved state, its sink register
 * (not architectural, but a hypervisor saves a vCPU's whole register file, so it must match too) and
 * the devices.
 */
export function snapshot(m: Machine): string {
  return JSON.stringify(m.cpus.map((c) => [c.saveState(), c.regs[SINK]])) + JSON.stringify(m.saveDevices());
}

/** RAM compared word by word (cheaper than hashing it twice). */
export function sameMemory(a: Machine, b: Machine): boolean {
  const x = a.mem.i32;
  const y = b.mem.i32;
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

/** A small deterministic PRNG (mulberry32) so failures reproduce from their seed. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface LockstepResult {
  /** Slices run; the first slice (1-based) after which the states differed, or 0. */
  slices: number;
  divergedAt: number;
  detail: string;
  steps: number;
}

/**
 * Run `ref` and `test` in slices of random length (1..maxSlice cycles, from `seed`) until `cycles`
 * have run or either stops; compare after each slice. `run` runs a machine (default `m.run`; the
 * firmware's run for booted guests).
 */
export function lockstep(
  ref: Machine,
  test: Machine,
  cycles: number,
  maxSlice: number,
  seed = 1,
  run: (m: Machine, cycles: number) => StopReport | null = (m, k) => m.run(k),
): LockstepResult {
  const r = rng(seed);
  let done = 0;
  let slices = 0;
  while (done < cycles) {
    const k = 1 + Math.floor(r() * maxSlice);
    const a = run(ref, k);
    const b = run(test, k);
    done += k;
    slices++;
    const sa = snapshot(ref);
    const sb = snapshot(test);
    if (sa !== sb || JSON.stringify(a) !== JSON.stringify(b) || !sameMemory(ref, test)) {
      return { slices, divergedAt: slices, detail: describeDiff(ref, test), steps: done };
    }
    if (a && a.kind !== 'idle') break;
  }
  return { slices, divergedAt: 0, detail: '', steps: done };
}

function describeDiff(a: Machine, b: Machine): string {
  const out: string[] = [];
  a.cpus.forEach((ca, i) => {
    const sa = ca.saveState();
    const sb = b.cpus[i].saveState();
    for (const k of Object.keys(sa) as (keyof typeof sa)[]) {
      if (JSON.stringify(sa[k]) !== JSON.stringify(sb[k])) {
        out.push(`cpu${i}.${k}: interp ${JSON.stringify(sa[k])} jit ${JSON.stringify(sb[k])}`);
      }
    }
    if (ca.regs[SINK] !== b.cpus[i].regs[SINK])
      out.push(`cpu${i}.sink: interp ${ca.regs[SINK]} jit ${b.cpus[i].regs[SINK]}`);
  });
  const ma = a.mem.i32;
  const mb = b.mem.i32;
  for (let i = 0, n = 0; i < ma.length && n < 4; i++) {
    if (ma[i] !== mb[i]) {
      out.push(`mem[0x${(i * 4).toString(16)}]: interp ${ma[i]} jit ${mb[i]}`);
      n++;
    }
  }
  return out.join('\n') || 'devices differ';
}
