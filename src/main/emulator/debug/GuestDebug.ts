/**
 * One guest under the debugger (docs/debugger.md): its breakpoints, watchpoints, trap breaks, the
 * step in progress, and whether it is paused. The checked engine (CheckedEngine.ts) asks it before
 * and after every instruction a vCPU of this guest executes; the target (targets.ts) is how it
 * holds and releases that guest's vCPUs (a partition state the hypervisor's scheduler honours, or
 * the pCPUs of a dual-boot machine).
 *
 * Stops happen *before* an instruction executes (a breakpoint, a watchpoint on the access that
 * instruction is about to make, the end of a step), except a trap break, which stops where the trap
 * went (the instruction that trapped has not retired). A resumed vCPU skips the checks once at the
 * pc it stopped at, so continue goes past the breakpoint it sits on.
 */
import type { DebugStop, DebugStopReason, StepKind } from '../../../shared/debugApi.js';
import { CAUSES, causeName } from '../../../shared/isa/csrs.js';
import { decodeWord } from '../../../shared/isa/encoding.js';
import type { Cpu, TrapRecord } from '../cpu/Cpu.js';
import { holds, type Condition } from './condition.js';
import { hex } from './guestMemory.js';

/** How the debugger reaches the guest's vCPUs (targets.ts). */
export interface DebugTarget {
  readonly guest: number;
  readonly name: string;
  vcpuCount(): number;
  /** Keep a vCPU off the pCPUs (true) or let it run again (false). */
  hold(vcpu: number, held: boolean): void;
  /** Take held vCPUs off the pCPUs they are still on (between slices). */
  settle(): void;
  /** Install (true) or remove (false) the checked engine for this guest's vCPUs. */
  setChecked(on: boolean): void;
  /** Machine time, seconds. */
  seconds(): number;
  pc(vcpu: number): number;
  /** The mode it runs in (or will resume in): 0 user, 1 supervisor, 2 hypervisor (dual boot). */
  mode(vcpu: number): number;
  retired(vcpu: number): number;
  /** The instruction word at a virtual address as vCPU `vcpu` would fetch it, if readable. */
  word(vcpu: number, va: number): number | undefined;
  /** Guest-physical address of a virtual one for vCPU running on `cpu` (watchpoints), if mapped. */
  physOf(cpu: Cpu, va: number): number | undefined;
}

export interface ArmedBreakpoint {
  id: number;
  address: number;
  condition?: Condition;
  /** Only in user mode (a line of a user program; its kernel may use the same addresses). */
  userOnly: boolean;
  /** Removed at its first hit (the entry stop, run to). */
  oneShot?: DebugStopReason;
  hits: number;
}

export interface ArmedWatchpoint {
  id: number;
  address: number;
  length: number;
  read: boolean;
  write: boolean;
  physical: boolean;
  hits: number;
}

interface Step {
  vcpu: number;
  kind: StepKind;
  /** Instructions executed by the stepping vCPU so far. */
  done: number;
  mode: number;
  /** Calls entered minus returns, counted in the starting mode. */
  depth: number;
}

/** A guest's debugger as a replay's checkpoint keeps it (GuestDebug.save). */
export interface GuestDebugState {
  breakpoints: ArmedBreakpoint[];
  watchpoints: ArmedWatchpoint[];
  trapBreaks: number[];
  paused: boolean;
  stop: DebugStop | undefined;
  step: Step | undefined;
  resumedAt: ({ pc: number; mode: number } | undefined)[];
}

const LOADS: Record<string, number> = { lb: 1, lh: 2, lw: 4, lbu: 1, lhu: 2 };
const STORES: Record<string, number> = { sb: 1, sh: 2, sw: 4 };
const ATOMICS = new Set(['cas', 'amoswap', 'amoadd']);
const RA = 1;

export class GuestDebug {
  readonly breakpoints = new Map<number, ArmedBreakpoint[]>();
  watchpoints: ArmedWatchpoint[] = [];
  readonly trapBreaks = new Set<number>();
  paused = false;
  stop: DebugStop | undefined;
  private step: Step | undefined;
  /** Per vCPU: the pc and mode it resumed at, where the checks are skipped once. */
  private readonly resumedAt: ({ pc: number; mode: number } | undefined)[] = [];
  private checked = false;

  constructor(
    readonly target: DebugTarget,
    /** Called at every stop (the host sends the `debug` event). */
    private readonly onStop: (g: GuestDebug) => void,
  ) {}

  /**
   * Whether its vCPUs must run in the checked path. A paused guest keeps it too: a vCPU stopped in
   * the middle of a pCPU's slice leaves that pCPU at the checked path's next look (CheckedEngine).
   */
  needsChecks(): boolean {
    return (
      this.paused || this.breakpoints.size > 0 || this.watchpoints.length > 0 || this.trapBreaks.size > 0 || !!this.step
    );
  }

  /** Put the checked engine in or take it out as the need changes (call after every change). */
  refresh(): void {
    const want = this.needsChecks();
    if (want !== this.checked) {
      this.checked = want;
      this.target.setChecked(want);
    }
  }

  /** Force the checked engine back in (after the guest's partition was built anew). */
  rebind(): void {
    this.checked = false;
    this.refresh();
    for (let i = 0; i < this.target.vcpuCount(); i++) this.target.hold(i, this.paused);
  }

  // ------------------------------------------------------------------ run control

  pause(): void {
    if (this.paused) return;
    this.step = undefined;
    this.halt(0, 'pause', undefined, undefined);
    this.target.settle();
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.stop = undefined;
    for (let i = 0; i < this.target.vcpuCount(); i++) {
      this.resumedAt[i] = { pc: this.target.pc(i), mode: this.target.mode(i) };
      this.target.hold(i, false);
    }
    this.refresh();
    this.onStop(this);
  }

  /** Start a step of one vCPU; the others stay held. The guest must be paused. */
  startStep(vcpu: number, kind: StepKind, mode: number): void {
    this.step = { vcpu, kind, done: 0, mode, depth: 0 };
    this.paused = false;
    this.stop = undefined;
    this.resumedAt[vcpu] = { pc: this.target.pc(vcpu), mode };
    this.refresh();
    this.target.hold(vcpu, false);
  }

  /** What a replay's checkpoint keeps of it (docs/debugger.md#reverse): plain data. */
  save(): GuestDebugState {
    return structuredClone({
      breakpoints: [...this.breakpoints.values()].flat(),
      watchpoints: this.watchpoints,
      trapBreaks: [...this.trapBreaks],
      paused: this.paused,
      stop: this.stop,
      step: this.step,
      resumedAt: this.resumedAt,
    });
  }

  /** Back to a saved state on the guest's (new) vCPUs: held as they were, no stop reported. */
  load(st: GuestDebugState): void {
    const c = structuredClone(st);
    this.breakpoints.clear();
    for (const b of c.breakpoints) this.breakpoints.set(b.address, [...(this.breakpoints.get(b.address) ?? []), b]);
    this.watchpoints = c.watchpoints;
    this.trapBreaks.clear();
    for (const t of c.trapBreaks) this.trapBreaks.add(t);
    this.paused = c.paused;
    this.stop = c.stop;
    this.step = c.step;
    this.resumedAt.length = 0;
    this.resumedAt.push(...c.resumedAt);
    this.checked = false;
    this.refresh();
    for (let i = 0; i < this.target.vcpuCount(); i++) this.target.hold(i, this.isHeld(i));
  }

  /** Whether vCPU `vcpu` is kept off the pCPUs now. */
  isHeld(vcpu: number): boolean {
    if (this.step) return this.step.vcpu !== vcpu;
    return this.paused;
  }

  // ------------------------------------------------------------------ the checks

  /**
   * Before vCPU `vcpu` (on `cpu`) executes the instruction at cpu.pc: true when it must stop there
   * (the guest is then paused). `retired` is the vCPU's retired count at this point.
   */
  before(cpu: Cpu, vcpu: number, retired: number): boolean {
    const pc = cpu.pc;
    const st = this.step;
    if (st && st.vcpu === vcpu && st.done > 0 && this.stepEnds(st, cpu)) {
      this.halt(vcpu, 'step', undefined, undefined, pc, retired);
      return true;
    }
    // The checks are skipped once where the vCPU resumed, in the mode it stopped in: an interrupt
    // taken first runs its handler, and the return lands there again.
    const r = this.resumedAt[vcpu];
    if (r && cpu.mode === r.mode) {
      this.resumedAt[vcpu] = undefined;
      if (r.pc === pc) {
        this.count(st, vcpu, cpu);
        return false;
      }
    }
    const list = this.breakpoints.get(pc);
    if (list) {
      for (const b of list) {
        if (b.userOnly && cpu.mode !== 0) continue;
        if (b.condition && !holds(b.condition, cpu.regs, pc)) continue;
        b.hits++;
        if (b.oneShot) this.removeBreakpoint(b);
        this.halt(vcpu, b.oneShot ?? 'breakpoint', b.oneShot ? undefined : b.id, undefined, pc, retired);
        return true;
      }
    }
    if (this.watchpoints.length > 0) {
      const hit = this.watchHit(cpu, vcpu);
      if (hit) {
        hit.w.hits++;
        this.halt(vcpu, 'watchpoint', hit.w.id, hit.detail, pc, retired);
        return true;
      }
    }
    this.count(st, vcpu, cpu);
    return false;
  }

  /** A trap the guest took (any engine, or an interrupt between slices) that the user breaks on
   *  stops the guest where it went. */
  after(vcpu: number, trap: TrapRecord): void {
    if (this.paused || !this.trapBreaks.has(trap.cause)) return;
    this.halt(vcpu, 'trap', undefined, `trap ${causeName(trap.cause)} at pc 0x${hex(trap.pc)}`);
  }

  /** Count the instruction the stepping vCPU is about to execute (depth of calls for over/out). */
  private count(st: Step | undefined, vcpu: number, cpu: Cpu): void {
    if (!st || st.vcpu !== vcpu || cpu.mode > st.mode) return; // a handler it trapped to: not counted
    st.done++;
    if (st.kind === 'instruction' || cpu.mode !== st.mode) return;
    st.depth += callFlow(this.target.word(vcpu, cpu.pc));
  }

  /** Whether a step is over when its vCPU is about to execute the instruction at cpu.pc. */
  /**
   * Whether a step is over when its vCPU is about to execute the instruction at cpu.pc. A step
   * never ends in a handler of a higher mode (an interrupt, a syscall): it waits until the vCPU is
   * back, as a user program's debugger should; an eret to a lower mode ends it.
   */
  private stepEnds(st: Step, cpu: Cpu): boolean {
    if (cpu.mode > st.mode) return false;
    if (st.kind === 'instruction' || cpu.mode < st.mode) return true;
    return st.kind === 'over' ? st.depth <= 0 : st.depth < 0;
  }

  private watchHit(cpu: Cpu, vcpu: number): { w: ArmedWatchpoint; detail: string } | undefined {
    return watchHit(this.target, this.watchpoints, cpu, vcpu);
  }

  // ------------------------------------------------------------------ stopping

  /** Stop the guest: every vCPU held, the stop recorded, the host told. */
  private halt(
    vcpu: number,
    reason: DebugStopReason,
    breakpointId: number | undefined,
    detail: string | undefined,
    pc = this.target.pc(vcpu),
    retired = this.target.retired(vcpu),
  ): void {
    this.step = undefined;
    this.paused = true;
    this.stop = {
      guest: this.target.guest,
      vcpu,
      reason,
      pc: pc >>> 0,
      retired,
      seconds: this.target.seconds(),
      ...(breakpointId !== undefined ? { breakpointId } : {}),
      ...(detail ? { detail } : {}),
    };
    for (let i = 0; i < this.target.vcpuCount(); i++) this.target.hold(i, true);
    this.refresh();
    this.onStop(this);
  }

  /** After a trap break: the stop's pc is where the vCPU resumes (known once it is off the pCPU). */
  fixStopPc(): void {
    if (this.stop && this.stop.reason === 'trap') this.stop.pc = this.target.pc(this.stop.vcpu) >>> 0;
  }

  private removeBreakpoint(b: ArmedBreakpoint): void {
    const list = (this.breakpoints.get(b.address) ?? []).filter((x) => x !== b);
    if (list.length) this.breakpoints.set(b.address, list);
    else this.breakpoints.delete(b.address);
  }

  /** Replace the user's breakpoints (one-shot ones, the entry stop and run-to, are kept). */
  setBreakpoints(list: ArmedBreakpoint[]): void {
    const keep = [...this.breakpoints.values()].flat().filter((b) => b.oneShot);
    this.breakpoints.clear();
    for (const b of [...keep, ...list]) this.addBreakpoint(b);
    this.refresh();
  }

  addBreakpoint(b: ArmedBreakpoint): void {
    const l = this.breakpoints.get(b.address) ?? [];
    l.push(b);
    this.breakpoints.set(b.address, l);
    this.refresh();
  }

  setTrapBreaks(codes: number[]): void {
    this.trapBreaks.clear();
    for (const c of codes) this.trapBreaks.add(c);
    this.refresh();
  }

  setWatchpoints(list: ArmedWatchpoint[]): void {
    this.watchpoints = list;
    this.refresh();
  }
}

/**
 * The watchpoint of `list` that the instruction vCPU `vcpu` (on `cpu`) is about to execute would
 * touch, with the access in words; also used backwards by reverse continue (engine/reverse.ts).
 */
export function watchHit(
  target: Pick<DebugTarget, 'word' | 'physOf'>,
  list: readonly ArmedWatchpoint[],
  cpu: Cpu,
  vcpu: number,
): { w: ArmedWatchpoint; detail: string } | undefined {
  const d = decodeWord(target.word(vcpu, cpu.pc) ?? 0);
  if (!d) return undefined;
  const m = d.info.mnemonic;
  let width = 0;
  let read = false;
  let write = false;
  let va = 0;
  if (m in LOADS) {
    width = LOADS[m]!;
    read = true;
    va = (cpu.regs[d.rs1]! + d.imm) >>> 0;
  } else if (m in STORES) {
    width = STORES[m]!;
    write = true;
    va = (cpu.regs[d.rs1]! + d.imm) >>> 0;
  } else if (ATOMICS.has(m)) {
    width = 4;
    read = write = true;
    va = cpu.regs[d.rs1]! >>> 0;
  } else return undefined;
  let pa: number | undefined;
  for (const w of list) {
    if (!((w.read && read) || (w.write && write))) continue;
    let a = va;
    if (w.physical) {
      pa ??= target.physOf(cpu, va);
      if (pa === undefined) continue;
      a = pa;
    }
    if (a < w.address + w.length && w.address < a + width) {
      const kind = read && write ? 'read-write' : read ? 'read' : 'write';
      return { w, detail: `${kind} of ${width} bytes at 0x${hex(a)}${w.physical ? ' (guest-physical)' : ''}` };
    }
  }
  return undefined;
}

/**
 * What an instruction does to the depth of calls, as a step over or out counts it: +1 for a call
 * (a jal or jalr that links), -1 for a return (`jalr r0, ra`: `ret`), 0 otherwise.
 */
export function callFlow(word: number | undefined): number {
  const d = decodeWord(word ?? 0);
  if (!d) return 0;
  const m = d.info.mnemonic;
  if ((m === 'jal' || m === 'jalr') && d.rd !== 0) return 1;
  if (m === 'jalr' && d.rd === 0 && d.rs1 === RA) return -1;
  return 0;
}

/** A trap cause by name (docs/isa.md#traps), or an error listing the names. */
export function causeByName(name: string): number | string {
  const c = CAUSES.find((x) => x.name === name.toUpperCase());
  return c ? c.code : `no trap cause "${name}" (causes: ${CAUSES.map((x) => x.name).join(', ')})`;
}
