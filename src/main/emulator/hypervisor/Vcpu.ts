/**
 * A guest's view of a processor (docs/hypercalls.md): the registers and supervisor state the world
 * switch saves and restores, its virtual interrupt lines, and its scheduling state. Per-guest
 * counters (instret) and the guest's timer live here too, so a guest sees only its own.
 */
import { IRQ } from '../../../shared/isa/csrs.js';
import { REG_SLOTS, SUPERVISOR_CSR_FIELDS, type Cpu } from '../cpu/Cpu.js';
import type { InterruptTarget } from '../devices/irq.js';
import type { Partition } from './Partition.js';
import type { TeVcpu } from './trapEmulate.js';

export type VcpuState = 'runnable' | 'blocked' | 'stopped';

/** Supervisor control registers that belong to the guest. */
const GUEST_CSRS = SUPERVISOR_CSR_FIELDS;
type GuestCsrs = Record<(typeof GUEST_CSRS)[number], number>;
const IPI_BIT = 1 << IRQ.ipi;

/**
 * Copying the guest's CSRs between a Vcpu and a Cpu, generated once from the field list (the one
 * source of truth): a loop over the names with computed keys took about half of a world switch.
 */
const csrsToCpu = new Function('cpu', 'csr', GUEST_CSRS.map((k) => `cpu.${k} = csr.${k};`).join('\n')) as (
  cpu: Cpu,
  csr: GuestCsrs,
) => void;
const csrsFromCpu = new Function('csr', 'cpu', GUEST_CSRS.map((k) => `csr.${k} = cpu.${k};`).join('\n')) as (
  csr: GuestCsrs,
  cpu: Cpu,
) => void;

export class Vcpu implements InterruptTarget {
  /** x0..x31 (then the pCPU's scratch slots, copied along: a world switch is two block copies). */
  readonly regs = new Int32Array(REG_SLOTS);
  pc = 0;
  mode = 1;
  readonly csr: GuestCsrs = {
    sstatus: 0,
    stvec: 0,
    sepc: 0,
    scause: 0,
    sbadaddr: 0,
    sscratch: 0,
    ptbr: 0,
    asid: 0,
    timecmp: 0,
    sie: 0,
  };
  /** The guest's supervisor timer, absolute in the pCPU's hcycle (Infinity: not armed). */
  timerAt = Infinity;
  /** The physical timer line was pending for the guest when it was switched out. */
  timerPending = false;
  cycleOffset = 0;
  instret = 0;
  /** Virtual interrupt lines (external, ipi) from the partition's interrupt controller. */
  virq = 0;
  state: VcpuState = 'stopped';
  /**
   * Held by the debugger (docs/debugger.md#pause-is-a-partition-state): the scheduler passes it by
   * whatever its state, so its guest stays paused while the others run. Not machine state: the
   * guest cannot see it, and snapshots neither save nor restore it.
   */
  debugHeld = false;
  /** What it was doing when its partition was swapped out. */
  stateBeforeSwap: VcpuState = 'stopped';
  /** Waiting in msg_call for a reply from this partition (-1: not waiting). */
  waitingReplyFrom = -1;
  /**
   * Blocked in console_write until this pCPU cycle, while its console's queue drains (0: not; see
   * docs/hypercalls.md#the-console-costs-machine-time). Nothing but the time wakes it.
   */
  busyUntil = 0;
  /** Where the reply goes: guest-physical buffer and its size. */
  replyBuf = 0;
  replyMax = 0;
  /** The pCPU it runs on while it runs (its live hvip holds the ipi line as the guest left it). */
  private cpu: Cpu | undefined;
  /** Consecutive hypervisor ticks it was preempted with interrupts off (the watchdog). */
  ticksMasked = 0;
  /** It has been seen with interrupts enabled (the watchdog only watches kernels that use them). */
  sawInterruptsOn = false;
  /** Trap-and-emulate state (trapEmulate.ts), for a partition using that technique. */
  te: TeVcpu | undefined;
  /** Counters for the performance view. */
  readonly stats = { switches: 0, hypercalls: 0, mmioExits: 0, ticks: 0 };

  constructor(
    /** The partition it belongs to, for life. */
    readonly partition: Partition,
    readonly index: number,
    /** The pCPU it is pinned to. */
    readonly home: number,
    private readonly kick: (v: Vcpu) => void,
  ) {}

  get partitionId(): number {
    return this.partition.id;
  }

  /** The number of the pCPU it runs on while it runs; -1 otherwise. */
  get runningOn(): number {
    return this.cpu ? this.cpu.id : -1;
  }

  /** Reset to power-on state at `entry` in supervisor mode (a0..a2 as the firmware would set). */
  reset(entry: number, a0: number, a1: number, a2: number, now: number): void {
    if (this.te) {
      // Trap-and-emulate: translation off again; the shadow is rebuilt before it next runs.
      this.te.vptbr = 0;
      this.te.stale = true;
    }
    this.regs.fill(0);
    this.regs[10] = a0;
    this.regs[11] = a1;
    this.regs[12] = a2;
    this.pc = entry;
    this.mode = 1;
    for (const k of GUEST_CSRS) this.csr[k] = 0;
    this.timerAt = Infinity;
    this.timerPending = false;
    this.cycleOffset = -now; // the guest's cycle counter starts at 0
    this.instret = 0;
    this.virq = 0;
    this.ticksMasked = 0;
    this.sawInterruptsOn = false;
    this.busyUntil = 0;
  }

  /** The partition's interrupt controller drives external / ipi here. */
  setInterrupt(line: number, level: boolean): void {
    const bit = 1 << line;
    // While it runs, its lines are live in the pCPU's hvip (where the guest clears ipi): start from
    // there and put the result back, so that an IPI sent after the last one was cleared is not lost.
    if (this.cpu) this.virq = this.lines(this.cpu);
    const before = this.virq;
    this.virq = level ? this.virq | bit : this.virq & ~bit;
    if (this.cpu) this.cpu.hvip = this.virq;
    if (this.virq !== before) this.kick(this);
  }

  /**
   * Its virtual lines now, while it runs on `cpu`: the ipi line is the one in the pCPU's hvip, which
   * the guest clears by writing sip (an IPI is taken once, not again at each world switch).
   */
  lines(cpu: Cpu): number {
    return (this.virq & ~IPI_BIT) | (cpu.hvip & IPI_BIT);
  }

  /** Put this vCPU on `cpu` (which is in hypervisor mode): the world switch in. */
  load(cpu: Cpu, s2ptbr: number, vmid: number): void {
    cpu.regs.set(this.regs);
    cpu.regs[0] = 0;
    csrsToCpu(cpu, this.csr);
    cpu.sTimerAt = this.timerAt;
    cpu.ip = this.timerPending ? cpu.ip | (1 << IRQ.timer) : cpu.ip & ~(1 << IRQ.timer);
    cpu.cycleOffset = this.cycleOffset;
    // Biased by the slice's steps so far, which runCpu adds at the slice's end: a switch inside a
    // slice credits them to the vCPU that ran them (save), not to this one (docs/isa.md#timers).
    cpu.instret = this.instret - cpu.sliceSteps;
    cpu.hvip = this.virq;
    // The guest's cpuid gives its vCPU number, not the pCPU it happens to run on.
    cpu.hvcpuid = this.index;
    cpu.s2ptbr = s2ptbr;
    cpu.vmid = vmid;
    cpu.hepc = this.pc;
    // Return to the guest's mode with hypervisor interrupts enabled below it.
    cpu.hstatus = (cpu.hstatus & ~0b1111) | (this.mode << 2);
    cpu.eret();
    this.cpu = cpu;
    this.busyUntil = 0;
    this.stats.switches++;
  }

  /** Take this vCPU off `cpu` after a trap to hypervisor mode: the world switch out. */
  save(cpu: Cpu): void {
    this.regs.set(cpu.regs);
    this.pc = cpu.hepc;
    this.mode = (cpu.hstatus >> 2) & 3;
    csrsFromCpu(this.csr, cpu);
    this.timerAt = cpu.sTimerAt;
    this.timerPending = (cpu.ip & (1 << IRQ.timer)) !== 0;
    this.cycleOffset = cpu.cycleOffset;
    // Its exact count: the slice's steps before the trap retired (the trapping one did not), and
    // runCpu adds them only at the slice's end, to whichever vCPU is on the pCPU then.
    this.instret = cpu.instret + cpu.sliceSteps;
    this.virq = this.lines(cpu);
    this.cpu = undefined;
  }

  /** @internal (state.ts) After a restore: the pCPU it is running on, or none. */
  bindTo(cpu: Cpu | undefined): void {
    this.cpu = cpu;
  }

  /** Something would wake it from wfi: a virtual line enabled in its sie, or its timer. */
  wakeable(now: number): boolean {
    if (this.waitingReplyFrom >= 0) return false;
    if (this.busyUntil > 0) return now >= this.busyUntil;
    // Like wfi on hardware: only lines the guest enabled in sie wake it.
    const timer = (this.csr.sie & 1) !== 0 && (this.timerPending || now >= this.timerAt);
    return (this.virq & this.csr.sie) !== 0 || timer;
  }
}
