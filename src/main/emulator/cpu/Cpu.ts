/**
 * One pCPU of HD32: registers, modes, control registers, traps and interrupts, and the slow paths of
 * memory access (docs/isa.md). The hot loop lives in interpreter.ts and calls back here only for
 * what is rare: TLB misses, device registers, control registers, traps.
 *
 * Traps are values: `raise` redirects the pc to the trap vector of the target mode and never throws.
 * Time is counted, never read from a clock: one cycle per instruction stepped, plus the cycles a
 * processor waits in wfi, so the same inputs at the same instruction counts give the same state.
 */
import {
  CAUSE,
  CSR,
  CSR_BY_NUMBER,
  EXC_DELEGABLE_MASK,
  HSTATUS_TE,
  HSTATUS_TW,
  IRQ,
  IRQ_DELEGABLE_MASK,
  STATUS_IE,
  STATUS_PIE,
} from '../../../shared/isa/csrs.js';
import type { Bus, Width } from '../bus/Bus.js';
import type { PhysicalMemory } from '../memory/PhysicalMemory.js';
import { Mmu, type Translation } from '../mmu/Mmu.js';
import { ACCESS_EXEC, ACCESS_READ, ACCESS_WRITE, PTE_R, PTE_W, PTE_X, type Access } from '../mmu/pte.js';
import { MAX_CONTEXT_IDS, Tlb, TLB_MASK } from '../mmu/Tlb.js';
import { KIND, SINK, newCodePage, type CodePage, type Insn } from './decode.js';

const TWO32 = 4294967296;
/** Interrupt lines in priority order (highest first). */
const IRQ_PRIORITY = [IRQ.htimer, IRQ.external, IRQ.ipi, IRQ.timer];

/** Something that runs one slice of a pCPU with the interpreter's contract (the block translator). */
export interface SliceEngine {
  run(cpu: Cpu, budget: number): number;
  /** The engine's own counters (`hyperdesk run --stats` prints them). */
  readonly stats?: object;
}

export interface TrapRecord {
  cause: number;
  pc: number;
  badaddr: number;
  mode: number;
  targetMode: number;
  /** The pCPU's cycle when it trapped (Cpu.now()). */
  cycle: number;
}

export interface CpuState {
  id: number;
  regs: number[];
  pc: number;
  mode: number;
  csr: Record<string, number>;
  hcycle: number;
  cycleOffset: number;
  instret: number;
  sTimerAt: number | null;
  hTimerAt: number | null;
  ip: number;
  waiting: boolean;
  halted: boolean;
  /** Cpu.stall (absent in snapshots made before the hypervisor's work was charged: 0). */
  stall?: number;
}

export class Cpu {
  /** r0..r31 and the sink (32) that absorbs writes to r0; 64 long so that any 6-bit field indexes it. */
  readonly regs = new Int32Array(REG_SLOTS);
  pc = 0;
  mode = 2;
  readonly tlb = new Tlb();
  readonly mmu: Mmu;

  // Control registers (docs/isa.md#control-registers).
  sstatus = 0;
  stvec = 0;
  sepc = 0;
  scause = 0;
  sbadaddr = 0;
  sscratch = 0;
  ptbr = 0;
  asid = 0;
  timecmp = 0;
  sie = 0;
  hstatus = 0;
  htvec = 0;
  hepc = 0;
  hcause = 0;
  hbadaddr = 0;
  hscratch = 0;
  hdeleg = 0;
  hideleg = 0;
  s2ptbr = 0;
  vmid = 0;
  hgpa = 0;
  htimecmp = 0;
  hie = 0;
  /** Pending interrupt lines (bit per IRQ). */
  ip = 0;
  /** Virtual interrupt lines injected by the hypervisor into the supervisor (delegated lines only). */
  hvip = 0;
  /** What cpuid reads below hypervisor mode: the vCPU number a hypervisor sets (reset: `id`). */
  hvcpuid = 0;

  /** Real cycles of this pCPU (hcycle); virtual cycle = hcycle + cycleOffset. */
  hcycle = 0;
  cycleOffset = 0;
  instret = 0;
  /**
   * Cycles of work charged to this pCPU and not yet passed (docs/hypercalls.md#what-the-hypervisor-costs):
   * the hypervisor's handlers and a full UART add to it (charge), and runCpu lets them pass before
   * anything else runs, as time in which the pCPU retires nothing. Machine state (snapshots keep it).
   */
  stall = 0;
  /** hcycle at which the supervisor / hypervisor timer fires; Infinity when disarmed. */
  sTimerAt = Infinity;
  hTimerAt = Infinity;

  waiting = false;
  halted = false;

  /** The current translation context's TLB tag bits (id << 20; see Tlb). */
  ctxTag = 0;
  private readonly ctxIds = new Map<number, number>();
  /** The hypervisor's context id and the last two guest contexts' keys, ids and hashes (-1: none),
   *  so that a trap and its return, or a switch between two guests, look up no map. */
  private hvId = 0;
  private guestKey = -1;
  private guestId = 0;
  private guestHash = 0;
  private otherKey = -1;
  private otherId = 0;
  private otherHash = 0;
  /** XORed into the vpn to pick a TLB slot (see Tlb). */
  ctxHash = 0;
  /** Fetch cache: the virtual page the interpreter is executing from, and its decoded array. */
  fetchVa = -1;
  fetchPage: CodePage = newCodePage();
  fetchHpa = 0;
  fetchGeneration = -1;
  /** Set by slow paths when the current slice must end (device touched, code changed, mode changed). */
  breakSlice = false;
  sliceTraps = 0;
  /**
   * Set to make runCpu return after the current slice (a parallel machine's pCPU thread does when
   * its pCPU traps to a hypervisor that runs on another thread).
   */
  exitRequested = false;
  /** Steps of the current slice completed before the instruction now in a slow path (see now()). */
  sliceSteps = 0;
  /** hcycle at which the current slice ends (runCpu sets it; see resumeInSlice). */
  sliceEnd = Infinity;
  /**
   * Exact stops for replay and reverse execution (docs/recording.md#exact-stops): when set, runCpu
   * asks it before each slice how many steps the slice may take at most; 0 or less ends runCpu
   * there. A shorter slice changes nothing (docs/architecture.md#determinism), so a stop is exact
   * and a run without it is untouched. Not machine state: snapshots neither save nor restore it.
   * `executing` is false where runCpu first asks (before timers and interrupts are taken) and true
   * where it asks again, just before the slice: the instruction at pc is then the one that runs
   * (it retires or traps), which is how the reverse commands see what a vCPU executed.
   */
  sliceLimit: ((cpu: Cpu, executing: boolean) => number) | null = null;
  /**
   * With sliceLimit, the reverse commands' view of traps (docs/recording.md#points): called for every
   * trap taken, before a hypervisor handles it, with the trapping pc and mode. Not machine state.
   */
  sliceTrap: ((cpu: Cpu, pc: number, mode: number, cause: number) => void) | null = null;

  /**
   * The block translator (cpu/jit) when this pCPU runs translated code; null: the interpreter alone.
   * It runs a slice exactly like `interpret` (same steps, same traps, same state), only faster.
   */
  jit: SliceEngine | null = null;
  /** Which engine runs this pCPU (shown by the app). */
  get engine(): 'interp' | 'jit' {
    return this.jit ? 'jit' : 'interp';
  }

  /** Counters for the performance view and tests. */
  readonly stats = { traps: 0, interrupts: 0, syscalls: 0, hypercalls: 0, tlbMisses: 0, mmio: 0 };
  /**
   * Traps taken by cause: [code] for exceptions, [32 + line] for interrupts (`--stats`). A diagnostic
   * since power-on, not machine state: snapshots neither save nor restore it.
   */
  readonly trapsByCause = new Float64Array(64);
  /** Called for every trap taken (after state is updated); the machine uses it for unhandled-trap
   *  reports and, later, the hypervisor for its own handling. */
  onTrap?: (cpu: Cpu, t: TrapRecord) => void;
  /**
   * A hypervisor written in TypeScript (src/main/emulator/hypervisor): called for every trap taken
   * to hypervisor mode, after the trap state (hepc, hcause, ...) is set, so it can handle it and
   * return to a guest (docs/hypercalls.md). Without it, traps jump to htvec like on bare hardware.
   */
  hypervisorTrap?: (cpu: Cpu) => void;

  private readonly tr: Translation = { hpa: 0, gpa: 0, perms: 0, global: false };

  constructor(
    readonly id: number,
    readonly mem: PhysicalMemory,
    readonly bus: Bus,
  ) {
    this.mmu = new Mmu(mem);
    mem.addListener(this.tlb);
    this.hvcpuid = id;
    this.updateContext();
  }

  reset(pc: number): void {
    this.regs.fill(0);
    this.pc = pc;
    this.mode = 2;
    for (const k of CSR_FIELDS) this[k] = 0;
    this.hvcpuid = this.id;
    this.ip = 0;
    this.sTimerAt = Infinity;
    this.hTimerAt = Infinity;
    this.waiting = false;
    this.halted = false;
    this.tlb.flushAll();
    this.updateContext();
  }

  /** The exact cycle count, also in the middle of a slice (for devices that read the time). */
  now(): number {
    return this.hcycle + this.sliceSteps;
  }

  // ---------------------------------------------------------------- context and fetch

  /** Recompute the TLB context after a mode or translation register change. */
  updateContext(): void {
    const hv = this.mode === 2;
    const key = hv ? 1 : Tlb.context(this.mode, (this.ptbr & 1) !== 0, (this.s2ptbr & 1) !== 0, this.asid, this.vmid);
    let id = hv ? this.hvId : key === this.guestKey ? this.guestId : 0;
    if (id === 0 && !hv && key === this.otherKey) {
      id = this.otherId;
      this.rememberGuest(key, id, this.otherHash); // the two recent guests swap places
    }
    if (id === 0) {
      id = this.ctxIds.get(key) ?? 0;
      if (id === 0) {
        // Out of ids: start over with an empty TLB (allowed: a TLB may drop entries at any time).
        if (this.ctxIds.size >= MAX_CONTEXT_IDS) this.forgetContexts();
        id = this.ctxIds.size + 1;
        this.ctxIds.set(key, id);
      }
      if (hv) this.hvId = id;
      else this.rememberGuest(key, id, Tlb.hash(this.asid, this.vmid));
    }
    this.ctxTag = id << 20;
    this.ctxHash = hv ? 0 : this.guestHash;
    this.fetchVa = -1;
    this.breakSlice = true;
  }

  /** The most recent guest context is now this one; the one before becomes the other. */
  private rememberGuest(key: number, id: number, hash: number): void {
    this.otherKey = this.guestKey;
    this.otherId = this.guestId;
    this.otherHash = this.guestHash;
    this.guestKey = key;
    this.guestId = id;
    this.guestHash = hash;
  }

  /** An empty TLB and no context ids (ids are handed out again from 1). */
  private forgetContexts(): void {
    this.tlb.flushAll();
    this.ctxIds.clear();
    this.hvId = 0;
    this.guestKey = -1;
    this.otherKey = -1;
  }

  private mmuCtx() {
    return { mode: this.mode, ptbr: this.ptbr, s2ptbr: this.s2ptbr };
  }

  /** Translate, filling the TLB on success. Returns -1 or a trap cause. */
  private translate(va: number, access: Access): number {
    this.stats.tlbMisses++;
    const cause = this.mmu.translate(va, access, this.mmuCtx(), this.tr);
    if (cause >= 0) return cause;
    const hpaBase = (this.tr.hpa & ~0xfff) >>> 0;
    if (this.mem.isRam(hpaBase)) {
      const p = this.tr.perms;
      const ppn = hpaBase >>> 12;
      this.tlb.fill(
        this.ctxTag,
        this.ctxHash,
        va >>> 12,
        hpaBase,
        (p & PTE_R) !== 0,
        (p & PTE_W) !== 0 && !this.mem.isCodePage(ppn),
        (p & PTE_X) !== 0,
        {
          asid: this.mode === 2 ? -1 : this.asid,
          vmid: this.mode === 2 ? -1 : this.vmid,
          global: this.tr.global,
          stage1: (this.ptbr & 1) !== 0,
        },
      );
    }
    return -1;
  }

  /** Faulting trap for a translation failure, with hgpa for stage-2 faults. */
  private raiseTranslationFault(cause: number, va: number): void {
    if (cause >= CAUSE.GUEST_FETCH_FAULT && cause <= CAUSE.GUEST_STORE_FAULT) this.hgpa = this.mmu.faultGpa | 0;
    this.raise(cause, va);
  }

  /**
   * Make the interpreter's fetch cache point at the page holding `pc`. Returns false (after raising
   * the trap) when the page cannot be executed.
   */
  refetch(pc: number): boolean {
    const vpn = pc >>> 12;
    const i = (vpn ^ this.ctxHash) & TLB_MASK;
    if (this.tlb.xTag[i] !== (this.ctxTag | vpn)) {
      const cause = this.translate(pc, ACCESS_EXEC);
      if (cause >= 0) {
        this.raiseTranslationFault(cause, pc);
        return false;
      }
      if (this.tlb.xTag[i] !== (this.ctxTag | vpn)) {
        // Translated but not to RAM: nothing to execute there.
        this.raise(CAUSE.ACCESS_FAULT, pc);
        return false;
      }
    }
    const hpa = this.tlb.base[i];
    this.fetchPage = this.mem.codePage(hpa >>> 12, newCodePage);
    this.fetchHpa = hpa;
    this.fetchVa = pc & ~0xfff;
    this.fetchGeneration = this.mem.codeGeneration;
    return true;
  }

  // ---------------------------------------------------------------- memory slow paths

  /** Load of `width` bytes; returns the value (sign- or zero-extended) or undefined after a trap. */
  loadSlow(va: number, width: Width, signed: boolean): number | undefined {
    if ((va & (width - 1)) !== 0) {
      this.raise(CAUSE.MISALIGNED_LOAD, va);
      return undefined;
    }
    const cause = this.translate(va, ACCESS_READ);
    if (cause >= 0) {
      this.raiseTranslationFault(cause, va);
      return undefined;
    }
    const hpa = this.tr.hpa;
    if (this.mem.isRam(hpa)) return readRam(this.mem, hpa, width, signed);
    this.stats.mmio++;
    this.breakSlice = true;
    const v = this.bus.read(hpa, width);
    if (v === undefined) {
      this.raise(CAUSE.ACCESS_FAULT, va);
      return undefined;
    }
    return extend(v, width, signed);
  }

  /** Store; returns false after a trap. */
  storeSlow(va: number, width: Width, value: number): boolean {
    if ((va & (width - 1)) !== 0) {
      this.raise(CAUSE.MISALIGNED_STORE, va);
      return false;
    }
    const cause = this.translate(va, ACCESS_WRITE);
    if (cause >= 0) {
      this.raiseTranslationFault(cause, va);
      return false;
    }
    const hpa = this.tr.hpa;
    if (this.mem.isRam(hpa)) {
      if (this.mem.isCodePage(hpa >>> 12)) {
        // Self-modifying code: drop the decoded copy; the slice ends so the fetch cache reloads.
        this.mem.invalidateCode(hpa, width);
        this.breakSlice = true;
        this.fetchVa = -1;
      }
      writeRam(this.mem, hpa, width, value);
      return true;
    }
    this.stats.mmio++;
    this.breakSlice = true;
    if (!this.bus.write(hpa, width, value)) {
      this.raise(CAUSE.ACCESS_FAULT, va);
      return false;
    }
    return true;
  }

  /** cas / amoswap / amoadd (docs/isa.md#atomics): returns the old value, or undefined after a trap. */
  atomic(k: number, va: number, expectedOrOperand: number, value: number): number | undefined {
    if ((va & 3) !== 0) {
      this.raise(CAUSE.MISALIGNED_STORE, va);
      return undefined;
    }
    const cause = this.translate(va, ACCESS_WRITE);
    if (cause >= 0) {
      this.raiseTranslationFault(cause, va);
      return undefined;
    }
    const hpa = this.tr.hpa;
    if (!this.mem.isRam(hpa)) {
      this.raise(CAUSE.ACCESS_FAULT, va);
      return undefined;
    }
    if (this.mem.isCodePage(hpa >>> 12)) {
      this.mem.invalidateCode(hpa, 4);
      this.breakSlice = true;
      this.fetchVa = -1;
    }
    return atomicOp(this.mem.i32, hpa >>> 2, k, expectedOrOperand, value);
  }

  // ---------------------------------------------------------------- traps and interrupts

  /**
   * Take a trap (docs/isa.md#traps): choose the target mode from the delegation registers, save the
   * pc, cause, bad address and interrupt state there, and jump to its vector.
   */
  raise(cause: number, badaddr: number, route: 'delegation' | 'hypervisor' | 'supervisor' = 'delegation'): void {
    const interrupt = cause < 0;
    const line = cause & 0xff;
    let target = 2;
    if (route === 'supervisor') target = 1;
    else if (this.mode < 2 && route === 'delegation') {
      const delegated = interrupt
        ? ((this.hideleg & IRQ_DELEGABLE_MASK) >> line) & 1
        : ((this.hdeleg & EXC_DELEGABLE_MASK) >>> line) & 1;
      if (delegated) target = 1;
    }
    const from = this.mode;
    const pc = this.pc;
    if (target === 1) {
      this.sepc = pc;
      this.scause = cause;
      this.sbadaddr = badaddr | 0;
      const ie = this.sstatus & STATUS_IE;
      this.sstatus = (ie ? STATUS_PIE : 0) | (from << 2);
      this.pc = this.stvec;
    } else {
      this.hepc = pc;
      this.hcause = cause;
      this.hbadaddr = badaddr | 0;
      const ie = this.hstatus & STATUS_IE;
      this.hstatus = (this.hstatus & (HSTATUS_TW | HSTATUS_TE)) | (ie ? STATUS_PIE : 0) | (from << 2);
      this.pc = this.htvec;
    }
    this.mode = target;
    this.waiting = false;
    this.sliceTraps++;
    if (interrupt) this.stats.interrupts++;
    else this.stats.traps++;
    this.trapsByCause[interrupt ? 32 + (line & 31) : cause & 31]++;
    if (cause === CAUSE.SYSCALL) this.stats.syscalls++;
    if (cause === CAUSE.HYPERCALL) this.stats.hypercalls++;
    this.updateContext();
    this.onTrap?.(this, { cause, pc, badaddr: badaddr | 0, mode: from, targetMode: target, cycle: this.now() });
    if (this.sliceTrap !== null) this.sliceTrap(this, pc, from, cause);
    if (target === 2 && this.hypervisorTrap) this.hypervisorTrap(this);
  }

  /**
   * After a trap from a guest that the hypervisor handled on the spot and returned from to `next`
   * in the same page and translation context (a hypercall, docs/hypercalls.md#fast-return): true
   * when the slice may simply go on, because ending it here would change nothing. That holds when
   * no interrupt could be taken, no timer falls before the slice's end, no code changed, the pCPU
   * neither waits, halts nor has to leave the slice, and the page's translation is still the one
   * the slice fetches from. Then the trap step is undone from the slice's trap count (it still
   * does not retire) and the fetch cache is restored. Returns the charged cycles (Cpu.stall) the
   * caller must count as steps of the slice (at most `room`, the steps its budget has left), or -1:
   * the slice ends as after any trap.
   */
  resumeInSlice(ctxTag: number, next: number, room: number): number {
    if (this.pc !== next || (next & 4095) === 0 || this.ctxTag !== ctxTag || this.mode === 2) return -1;
    if (this.exitRequested || this.halted || this.waiting || this.wakeLines() !== 0) return -1;
    // An exact stop (docs/recording.md#exact-stops) sized this slice for the vCPU it began with; the
    // hypervisor may have loaded another (yield), so the slice ends and the next one is sized anew.
    if (this.sliceLimit !== null) return -1;
    if (this.nextTimer() < this.sliceEnd || this.fetchGeneration !== this.mem.codeGeneration) return -1;
    // The hypervisor's work is charged in cycles (docs/hypercalls.md#what-the-hypervisor-costs): they
    // pass inside the slice only when the caller's budget has room for them, else the slice ends
    // here and runCpu lets them pass; both give the same state at the same time.
    const paid = this.stall;
    if (paid > room) return -1;
    const vpn = next >>> 12;
    const i = (vpn ^ this.ctxHash) & TLB_MASK;
    if (this.tlb.xTag[i] !== (ctxTag | vpn) || this.tlb.base[i] !== this.fetchHpa) return -1;
    this.fetchVa = next & ~0xfff;
    this.breakSlice = false;
    this.sliceTraps--;
    // The trap step and the charged cycles are steps of the slice that retire nothing.
    this.instret -= 1 + paid;
    this.stall = 0;
    return paid;
  }

  /** Charge `cycles` of work to this pCPU (docs/hypercalls.md#what-the-hypervisor-costs). */
  charge(cycles: number): void {
    this.stall += cycles;
  }

  /** eret (docs/isa.md#eret). */
  eret(): void {
    let target: number;
    if (this.mode === 2) {
      target = (this.hstatus >> 2) & 3;
      const pie = this.hstatus & STATUS_PIE;
      this.hstatus = (this.hstatus & (HSTATUS_TW | HSTATUS_TE)) | (pie ? STATUS_IE : 0) | STATUS_PIE;
      this.pc = this.hepc;
    } else {
      target = (this.sstatus >> 2) & 1;
      const pie = this.sstatus & STATUS_PIE;
      this.sstatus = (pie ? STATUS_IE : 0) | STATUS_PIE;
      this.pc = this.sepc;
    }
    this.mode = target === 3 ? 2 : target;
    this.updateContext();
    if ((this.pc & 3) !== 0) this.raise(CAUSE.MISALIGNED_FETCH, this.pc);
  }

  /** Lines that are pending and enabled in their enable register (wfi wakes on these). */
  private wakeLines(): number {
    return (this.hPending() & this.hie) | (this.sPending() & this.sie);
  }

  /** Physical lines not delegated: they interrupt the hypervisor. */
  private hPending(): number {
    return this.ip & ~(this.hideleg & IRQ_DELEGABLE_MASK);
  }

  /** Lines the supervisor sees: delegated physical ones, and every virtual one in hvip. */
  private sPending(): number {
    return ((this.ip & this.hideleg) | this.hvip) & IRQ_DELEGABLE_MASK;
  }

  /** Take the highest-priority interrupt that may be taken now. Returns true when one was. */
  checkInterrupts(): boolean {
    const hp = this.hPending();
    const sp = this.sPending();
    if ((hp | sp) === 0) return false;
    for (const line of IRQ_PRIORITY) {
      if ((hp >> line) & 1 && (this.hie >> line) & 1 && (this.mode < 2 || (this.hstatus & STATUS_IE) !== 0)) {
        this.raise(0x80000000 | line | 0, 0, 'hypervisor');
        return true;
      }
      if (
        (sp >> line) & 1 &&
        (this.sie >> line) & 1 &&
        (this.mode < 1 || (this.mode === 1 && (this.sstatus & STATUS_IE) !== 0))
      ) {
        this.raise(0x80000000 | line | 0, 0, 'supervisor');
        return true;
      }
    }
    return false;
  }

  /** A device or another pCPU raises (level true) or lowers an interrupt line. */
  setInterrupt(line: number, level: boolean): void {
    if (level) {
      this.ip |= 1 << line;
      if (this.waiting && this.wakeLines() !== 0) this.waiting = false;
    } else this.ip &= ~(1 << line);
  }

  /** wfi: returns false after a trap (hstatus.TW from supervisor mode). */
  wfi(): boolean {
    if (this.mode === 1 && (this.hstatus & HSTATUS_TW) !== 0) return false;
    if (this.wakeLines() === 0) this.waiting = true;
    this.breakSlice = true;
    return true;
  }

  /** Fire timers whose time has come (called between slices, at exact cycle counts). */
  fireTimers(): void {
    if (this.hcycle >= this.sTimerAt) {
      this.sTimerAt = Infinity;
      this.setInterrupt(IRQ.timer, true);
    }
    if (this.hcycle >= this.hTimerAt) {
      this.hTimerAt = Infinity;
      this.setInterrupt(IRQ.htimer, true);
    }
  }

  nextTimer(): number {
    return Math.min(this.sTimerAt, this.hTimerAt);
  }

  // ---------------------------------------------------------------- control registers

  /**
   * csrrw / csrrs / csrrc (docs/isa.md#control-registers). `steps` = instructions this slice has
   * already completed before this one, so counters read exactly. Returns false after a trap.
   */
  csrOp(d: Insn, steps: number): boolean {
    const info = CSR_BY_NUMBER.get(d.imm);
    if (!info) {
      this.raise(CAUSE.ILLEGAL_INSTRUCTION, d.word);
      return false;
    }
    const writes = d.k === KIND.csrrw || d.rs1 !== 0;
    const reads = d.k !== KIND.csrrw || d.rd !== SINK;
    if (writes && info.write === null) {
      this.raise(CAUSE.ILLEGAL_INSTRUCTION, d.word);
      return false;
    }
    if ((reads && this.mode < info.read) || (writes && this.mode < (info.write as number))) {
      this.raise(CAUSE.PRIVILEGED_INSTRUCTION, d.word);
      return false;
    }
    // hstatus.TE: a supervisor-level register is the hypervisor's to emulate (docs/isa.md, hstatus).
    if (
      this.mode === 1 &&
      (this.hstatus & HSTATUS_TE) !== 0 &&
      ((reads && info.read === 1) || (writes && info.write === 1))
    ) {
      this.raise(CAUSE.PRIVILEGED_INSTRUCTION, d.word, 'hypervisor');
      return false;
    }
    const src = this.regs[d.rs1];
    const now = this.hcycle + steps;
    const old = this.readCsr(info.number, now, steps);
    if (writes) {
      const v = d.k === KIND.csrrw ? src : d.k === KIND.csrrs ? old | src : old & ~src;
      this.writeCsr(info.number, (old & ~info.writableMask) | (v & info.writableMask), now, steps);
    }
    this.regs[d.rd] = old;
    this.breakSlice = true;
    return true;
  }

  /** Read a control register as software sees it (also used by debuggers and tests). */
  readCsr(n: number, now = this.hcycle, steps = 0): number {
    const vcycle = now + this.cycleOffset;
    const instret = this.instret + steps;
    switch (n) {
      case CSR.sstatus:
        return this.sstatus;
      case CSR.stvec:
        return this.stvec;
      case CSR.sepc:
        return this.sepc;
      case CSR.scause:
        return this.scause;
      case CSR.sbadaddr:
        return this.sbadaddr;
      case CSR.sscratch:
        return this.sscratch;
      case CSR.ptbr:
        return this.ptbr;
      case CSR.asid:
        return this.asid;
      case CSR.timecmp:
        return this.timecmp;
      case CSR.sie:
        return this.sie;
      case CSR.sip:
        return this.sPending();
      case CSR.cycle:
        return (vcycle % TWO32) | 0;
      case CSR.cycleh:
        return Math.floor(vcycle / TWO32) | 0;
      case CSR.instret:
        return (instret % TWO32) | 0;
      case CSR.instreth:
        return Math.floor(instret / TWO32) | 0;
      case CSR.cpuid:
        // Virtualizable: a guest below hypervisor mode sees the number its hypervisor gave it.
        return this.mode === 2 ? this.id : this.hvcpuid;
      case CSR.hstatus:
        return this.hstatus;
      case CSR.htvec:
        return this.htvec;
      case CSR.hepc:
        return this.hepc;
      case CSR.hcause:
        return this.hcause;
      case CSR.hbadaddr:
        return this.hbadaddr;
      case CSR.hscratch:
        return this.hscratch;
      case CSR.hdeleg:
        return this.hdeleg;
      case CSR.hideleg:
        return this.hideleg;
      case CSR.s2ptbr:
        return this.s2ptbr;
      case CSR.vmid:
        return this.vmid;
      case CSR.hgpa:
        return this.hgpa;
      case CSR.htimecmp:
        return this.htimecmp;
      case CSR.hcycle:
        return (now % TWO32) | 0;
      case CSR.hcycleh:
        return Math.floor(now / TWO32) | 0;
      case CSR.hie:
        return this.hie;
      case CSR.hip:
        return this.ip;
      case CSR.hvip:
        return this.hvip;
      case CSR.hvcpuid:
        return this.hvcpuid;
      default:
        return 0;
    }
  }

  /** Write a control register (value already masked to its writable bits). */
  writeCsr(n: number, v: number, now = this.hcycle, steps = 0): void {
    switch (n) {
      case CSR.sstatus:
        this.sstatus = v;
        break;
      case CSR.stvec:
        this.stvec = v;
        break;
      case CSR.sepc:
        this.sepc = v;
        break;
      case CSR.scause:
        this.scause = v;
        break;
      case CSR.sbadaddr:
        this.sbadaddr = v;
        break;
      case CSR.sscratch:
        this.sscratch = v;
        break;
      case CSR.ptbr:
        this.ptbr = v;
        this.updateContext();
        break;
      case CSR.asid:
        this.asid = v;
        this.updateContext();
        break;
      case CSR.timecmp:
        this.timecmp = v;
        this.ip &= ~(1 << IRQ.timer);
        this.armSupervisorTimer(now);
        break;
      case CSR.sie:
        this.sie = v;
        break;
      case CSR.sip:
      case CSR.hip:
        this.ip = (this.ip & ~(1 << IRQ.ipi)) | (v & (1 << IRQ.ipi));
        if (n === CSR.sip) this.hvip = (this.hvip & ~(1 << IRQ.ipi)) | (v & (1 << IRQ.ipi));
        break;
      case CSR.hvip:
        this.hvip = v;
        if (this.waiting && this.wakeLines() !== 0) this.waiting = false;
        break;
      case CSR.hvcpuid:
        this.hvcpuid = v;
        break;
      case CSR.cycle:
      case CSR.cycleh: {
        const cur = now + this.cycleOffset;
        const hi = n === CSR.cycleh ? v >>> 0 : Math.floor(cur / TWO32);
        const lo = n === CSR.cycle ? v >>> 0 : cur % TWO32;
        this.cycleOffset = hi * TWO32 + lo - now;
        if (this.sTimerAt !== Infinity) this.armSupervisorTimer(now);
        break;
      }
      case CSR.instret:
      case CSR.instreth: {
        const cur = this.instret + steps;
        const hi = n === CSR.instreth ? v >>> 0 : Math.floor(cur / TWO32);
        const lo = n === CSR.instret ? v >>> 0 : cur % TWO32;
        // The current slice will add its retired instructions (this one included) at its end.
        this.instret = hi * TWO32 + lo - steps - 1;
        break;
      }
      case CSR.hstatus:
        this.hstatus = v;
        break;
      case CSR.htvec:
        this.htvec = v;
        break;
      case CSR.hepc:
        this.hepc = v;
        break;
      case CSR.hcause:
        this.hcause = v;
        break;
      case CSR.hbadaddr:
        this.hbadaddr = v;
        break;
      case CSR.hscratch:
        this.hscratch = v;
        break;
      case CSR.hdeleg:
        this.hdeleg = v;
        break;
      case CSR.hideleg:
        this.hideleg = v;
        break;
      case CSR.s2ptbr:
        this.s2ptbr = v;
        this.updateContext();
        break;
      case CSR.vmid:
        this.vmid = v;
        this.updateContext();
        break;
      case CSR.hgpa:
        this.hgpa = v;
        break;
      case CSR.htimecmp:
        this.htimecmp = v;
        this.ip &= ~(1 << IRQ.htimer);
        this.hTimerAt = now + ((v - (now % TWO32)) >>> 0);
        break;
      case CSR.hie:
        this.hie = v;
        break;
    }
  }

  /** The timer fires when the virtual cycle count reaches timecmp (modulo 2^32, up to 2^32 ahead). */
  private armSupervisorTimer(now: number): void {
    const vnow = now + this.cycleOffset;
    this.sTimerAt = now + ((this.timecmp - (vnow % TWO32)) >>> 0);
  }

  /** tlbflush rs1, rs2 (register numbers; 0 means "all"). */
  tlbflush(rs1: number, rs2: number): void {
    const vpn = rs1 === 0 ? undefined : this.regs[rs1] >>> 12;
    const asid = rs2 === 0 ? undefined : this.regs[rs2] & 0xff;
    this.tlb.flushStage1(vpn, asid, this.vmid);
    this.fetchVa = -1;
    this.breakSlice = true;
  }

  hflush(rs1: number): void {
    this.tlb.flushVmid(rs1 === 0 ? undefined : this.regs[rs1] & 0xff);
    this.fetchVa = -1;
    this.breakSlice = true;
  }

  // ---------------------------------------------------------------- state

  saveState(): CpuState {
    const csr: Record<string, number> = {};
    for (const k of CSR_FIELDS) csr[k] = this[k];
    return {
      id: this.id,
      regs: Array.from(this.regs.subarray(0, 32)),
      pc: this.pc,
      mode: this.mode,
      csr,
      hcycle: this.hcycle,
      cycleOffset: this.cycleOffset,
      instret: this.instret,
      sTimerAt: Number.isFinite(this.sTimerAt) ? this.sTimerAt : null,
      hTimerAt: Number.isFinite(this.hTimerAt) ? this.hTimerAt : null,
      ip: this.ip,
      waiting: this.waiting,
      halted: this.halted,
      stall: this.stall,
    };
  }

  /**
   * The whole state in numbers, for the threads of a parallel machine (machine/parallel): what
   * saveState holds, the counters, and which engine runs and whether a hypervisor takes the traps.
   */
  packState(f: Float64Array): void {
    let o = 0;
    for (let i = 0; i < 32; i++) f[o++] = this.regs[i];
    f[o++] = this.pc;
    f[o++] = this.mode;
    for (const k of CSR_FIELDS) f[o++] = this[k];
    f[o++] = this.hcycle;
    f[o++] = this.cycleOffset;
    f[o++] = this.instret;
    f[o++] = this.sTimerAt;
    f[o++] = this.hTimerAt;
    f[o++] = this.ip;
    f[o++] = this.waiting ? 1 : 0;
    f[o++] = this.halted ? 1 : 0;
    f[o++] = this.stall;
    for (const k of STAT_KEYS) f[o++] = this.stats[k];
    f[o++] = this.jit ? 1 : 0;
    f[o++] = this.hypervisorTrap ? 1 : 0;
  }

  /**
   * Take a packed state (packState). The TLB is flushed when `flushTlb` (the state came from another
   * thread's copy of this pCPU, which a hypervisor may have changed). Returns the engine and hook
   * flags, for the caller to apply.
   */
  unpackState(f: Float64Array, flushTlb: boolean): { jit: boolean; hooked: boolean } {
    let o = 0;
    for (let i = 0; i < 32; i++) this.regs[i] = f[o++];
    this.regs[0] = 0;
    this.pc = f[o++] | 0;
    this.mode = f[o++];
    for (const k of CSR_FIELDS) this[k] = f[o++] | 0;
    this.hcycle = f[o++];
    this.cycleOffset = f[o++];
    this.instret = f[o++];
    this.sTimerAt = f[o++];
    this.hTimerAt = f[o++];
    this.ip = f[o++];
    this.waiting = f[o++] === 1;
    this.halted = f[o++] === 1;
    this.stall = f[o++];
    for (const k of STAT_KEYS) this.stats[k] = f[o++];
    const jit = f[o++] === 1;
    const hooked = f[o++] === 1;
    if (flushTlb) this.forgetContexts();
    this.updateContext();
    return { jit, hooked };
  }

  /** Restore a saved state. The TLB starts empty (a TLB may always be flushed). */
  restoreState(s: CpuState): void {
    this.regs.fill(0);
    this.regs.set(s.regs.slice(0, 32));
    this.regs[0] = 0;
    this.pc = s.pc | 0;
    this.mode = s.mode;
    for (const k of CSR_FIELDS) this[k] = s.csr[k] | 0;
    this.hcycle = s.hcycle;
    this.cycleOffset = s.cycleOffset;
    this.instret = s.instret;
    this.sTimerAt = s.sTimerAt ?? Infinity;
    this.hTimerAt = s.hTimerAt ?? Infinity;
    this.ip = s.ip;
    this.waiting = s.waiting;
    this.halted = s.halted;
    this.stall = s.stall ?? 0;
    this.forgetContexts();
    this.updateContext();
  }
}

/** Slots of a register file: x0..x31, the sink register 32 (writes to x0 go there), spare. */
export const REG_SLOTS = 64;

/** The supervisor's control-register fields (what a hypervisor's world switch saves per guest). */
export const SUPERVISOR_CSR_FIELDS = [
  'sstatus',
  'stvec',
  'sepc',
  'scause',
  'sbadaddr',
  'sscratch',
  'ptbr',
  'asid',
  'timecmp',
  'sie',
] as const;

const CSR_FIELDS = [
  ...SUPERVISOR_CSR_FIELDS,
  'hstatus',
  'htvec',
  'hepc',
  'hcause',
  'hbadaddr',
  'hscratch',
  'hdeleg',
  'hideleg',
  's2ptbr',
  'vmid',
  'hgpa',
  'htimecmp',
  'hie',
  'hvip',
  'hvcpuid',
] as const;

function extend(v: number, width: Width, signed: boolean): number {
  if (width === 4) return v | 0;
  if (width === 2) return signed ? (v << 16) >> 16 : v & 0xffff;
  return signed ? (v << 24) >> 24 : v & 0xff;
}

function readRam(mem: PhysicalMemory, hpa: number, width: Width, signed: boolean): number {
  if (width === 4) return mem.i32[hpa >>> 2];
  if (width === 2) return signed ? mem.i16[hpa >>> 1] : mem.u16[hpa >>> 1];
  return signed ? mem.i8[hpa] : mem.u8[hpa];
}

function writeRam(mem: PhysicalMemory, hpa: number, width: Width, v: number): void {
  if (width === 4) mem.i32[hpa >>> 2] = v;
  else if (width === 2) mem.u16[hpa >>> 1] = v;
  else mem.u8[hpa] = v;
}

/**
 * The three atomics on a word of RAM; returns the old value. They are JavaScript's Atomics, so they
 * stay atomic when RAM is shared with the other threads of a parallel machine (machine/parallel).
 */
export function atomicOp(m32: Int32Array, index: number, k: number, a: number, b: number): number {
  if (k === KIND.cas) return Atomics.compareExchange(m32, index, a, b);
  if (k === KIND.amoswap) return Atomics.exchange(m32, index, b);
  return Atomics.add(m32, index, b);
}

/** Numbers in a packed CPU state (Cpu.packState). */
export const PACKED_CPU_WORDS = 32 + 2 + CSR_FIELDS.length + 9 + 6 + 2;
const STAT_KEYS = ['traps', 'interrupts', 'syscalls', 'hypercalls', 'tlbMisses', 'mmio'] as const;
