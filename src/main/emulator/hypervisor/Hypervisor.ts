/**
 * The partitioning hypervisor (docs/hypercalls.md): mechanism only (M12). It owns hypervisor mode on
 * every pCPU (Cpu.hypervisorTrap), time-slices vCPUs with the hypervisor timer that no guest can mask
 * (M16), enforces memory with stage-2 tables and device DMA with per-partition DMA domains (M4, M5),
 * routes interrupts to the owning partition (M15), emulates virtual devices (M18) and contains guest
 * faults (M22). Every decision about who gets what comes from the Controlling OS (partition 0)
 * through the control API (hypercalls.ts).
 */
import {
  CAUSE,
  causeName,
  EXC_DELEGABLE_MASK,
  HSTATUS_TW,
  IRQ,
  STATUS_IE,
  STATUS_PIE,
} from '../../../shared/isa/csrs.js';
import { decodeWord } from '../../../shared/isa/encoding.js';
import type { Cpu, SliceEngine } from '../cpu/Cpu.js';
import { isChecked } from '../debug/CheckedEngine.js';
import { Jit } from '../cpu/jit/Jit.js';
import {
  emulatePrivileged,
  guestPhysical,
  mmuAllows,
  refreshShadow,
  setTechnique,
  type TeHost,
} from './trapEmulate.js';
import { ACCESS_EXEC, ACCESS_READ, ACCESS_WRITE } from '../mmu/pte.js';
import type { ConsoleSink, Uart } from '../devices/uart/Uart.js';
import { buildBootInfo, BOOT_INFO_ADDR, BOOT_INFO_MAGIC } from '../firmware/bootInfo.js';
import { partitionBlocks } from '../firmware/partitions.js';
import type { BlockBackend } from '../devices/disk/BlockBackend.js';
import { flatten, type IoNode } from '../machine/board.js';
import type { Machine } from '../machine/Machine.js';
import { CONSOLE_CYCLES_PER_BYTE, CONSOLE_QUEUE_BYTES, HC, handleHypercall } from './hypercalls.js';
import { idleMicros, inputWhileSwapped, markActive } from './idle.js';
import { abandonCalls, notice } from './messages.js';
import { MgmtMailbox } from './mgmt.js';
import { MemorySwapStore, SparseBytes, type SwapStore } from './swap.js';
import { emulateMmio, guestInstruction } from './mmio.js';
import { Partition, type PartitionEvent } from './Partition.js';
import { ReservePages, type Stage2Table } from './stage2.js';
import type { MachineSpec } from './validate.js';
import { buildVirtualDevices, type VirtualIntc } from './vdevices.js';
import { E, fail, HvError } from './errors.js';
import { checkLayout, plan, type ControlOp, type Layout, type Plan, type Share } from './plan.js';
import { apply, setDmaDomains } from './apply.js';
import {
  bindCurrent,
  HV_STATE_VERSION,
  hypervisorStateHash,
  loadPartition,
  restoreDevices,
  savePartition,
  type HypervisorState,
} from './state.js';
import { ownedForest, subtreesOf, type Subtrees } from './subtrees.js';
import { Vcpu } from './Vcpu.js';
import { HV_COSTS, newCostCounts, type HvCostCounts, type HvCostKind } from '../../../shared/hvCosts.js';
import { Bridge } from './net/Bridge.js';
import {
  applyVcpuFault,
  checkVictim,
  checkWild,
  CRASH_DELAY_CYCLES,
  injectDma,
  type FaultHost,
  type FaultKind,
} from './faults.js';
import { macWords, virtualMac } from './net/vnic.js';
import { FtDisk, loadPairs, savePairs, type FtPair, type FtTakeover } from './ft.js';
import { commit, epochDue, failover } from './ftControl.js';

export const HV_RESERVE_BYTES = 1 << 20;
/** RAM per byte of reserve when the reserve is sized to the machine (reserveBytesFor). */
export const HV_RESERVE_SHARE = 64;

/**
 * The reserve a machine of `memBytes` gets unless told otherwise (docs/hypercalls.md#limits-and-scale):
 * 1/64 of its RAM in whole pages, at least HV_RESERVE_BYTES (so the 64 MiB demo keeps 1 MiB). A
 * partition's stage-2 tables take 2 pages and more with many ranges, so the partitions a machine can
 * hold grow with its memory instead of stopping at about 120 whatever the RAM (the 1,000-guest soak
 * of docs/security.md#the-soak runs on a machine sized by this rule).
 */
export function reserveBytesFor(memBytes: number): number {
  return Math.max(HV_RESERVE_BYTES, Math.floor(memBytes / HV_RESERVE_SHARE / 4096) * 4096);
}
/** Default time slice: 1 ms of machine time. */
export const DEFAULT_SLICE = 250_000;
/** Ticks a vCPU may run in supervisor mode with interrupts off before it is stopped (M22). */
export const WATCHDOG_TICKS = 100;
/**
 * A vCPU with its pCPU to itself (every other vCPU homed there is stopped) runs tickless, as under
 * Jailhouse: its hypervisor tick is this many slices long, since there is nobody to switch to. It
 * is cut short by an IPI as soon as another vCPU there may run; the watchdog counts it as that
 * many ticks.
 */
export const TICKLESS_SLICES = 10;
/** Interrupt source of a partition's interrupt controller that signals waiting messages. */
export const NOTIFY_SOURCE = 31;
/** Partition events kept (the newest); older ones are counted in `eventsDropped`. */
export const MAX_EVENTS = 10_000;

export interface HypervisorOptions {
  /** Console of a client partition (its virtual UART's output). */
  consoleFor(p: Partition): ConsoleSink;
  rtcEpochSeconds?: number;
  /** Every event, as it happens (the app's event log). */
  onEvent?(e: PartitionEvent): void;
  /** Where swapped-out guests go (default: memory). */
  swap?: SwapStore;
  /**
   * RAM the hypervisor keeps at the top for stage-2 tables and boot infos (default 1 MiB, enough
   * for about 60 partitions; a partition's tables take 2 pages and more with many ranges).
   */
  reserveBytes?: number;
}

export class Hypervisor {
  readonly partitions = new Map<number, Partition>();
  /**
   * The newest MAX_EVENTS events (a guest that makes the same event again and again, say a request
   * flood, adds to the last one's `repeat` count instead of a new entry): a guest cannot grow it.
   */
  readonly events: PartitionEvent[] = [];
  /** Events ever logged (a repeat counts once more), and events no longer in `events`. */
  eventSeq = 0;
  eventsDropped = 0;
  readonly reserve: ReservePages;
  readonly swapStore: SwapStore;
  /** RAM the partitions may use: [0, usableBytes). */
  readonly usableBytes: number;
  private readonly tables = new Map<number, Stage2Table>();
  private readonly current: (Vcpu | undefined)[];
  private readonly queues: Vcpu[][];
  /** Whether each pCPU's current vCPU runs tickless (TICKLESS_SLICES). */
  private readonly tickless: boolean[];
  readonly vintc = new Map<number, VirtualIntc>();
  readonly vconsoles = new Map<number, Uart>();
  /** Physical interrupt source -> the device id that drives it. */
  private readonly sourceDevice = new Map<number, string>();
  /** hvCycles: machine cycles charged for the hypervisor's own work (src/shared/hvCosts.ts). */
  readonly stats = { traps: 0, hypercalls: 0, worldSwitches: 0, mmioExits: 0, interrupts: 0, hvCycles: 0 };
  /**
   * The same cycles by kind of work, with the events (src/shared/hvCosts.ts): a diagnostic since power-on for the
   * performance view and the comparison, not machine state (snapshots neither save nor restore it).
   */
  readonly costs: HvCostCounts = newCostCounts();
  /** The virtual network (issue 4, net/): one port per client's virtual nic0; counters, capture, pcap(). */
  readonly bridge: Bridge;
  /** Pages offered for sharing (M19), pending or accepted: part of the layout (plan.ts). */
  readonly shares: Share[] = [];
  nextShareId = 1;
  /**
   * ctl's management mailbox (mgmt.ts, docs/hypercalls.md#the-management-mailbox): the app's
   * requests wait here, apart from ctl's console; source 31 of partition 0 is high while one does.
   */
  readonly mgmt = new MgmtMailbox(() => {
    const ctl = this.partitions.get(0);
    if (!ctl) return;
    this.notify(ctl);
    if (this.mgmt.pending) for (const v of ctl.vcpus) this.kick(v);
  });
  /** Device nodes by id (the I/O tree does not change while the machine runs). */
  private readonly nodes = new Map<string, IoNode>();
  /** Controllers and the nodes under them (M5, subtrees.ts). */
  readonly subtrees: Subtrees;
  /** The preferred guest (M24): the one client a crash of the hypervisor does not lose; -1: none. */
  preferred = -1;
  /** Machine time (cycles) of an injected hypervisor crash (fault_inject crash); Infinity: none. */
  crashAt = Infinity;
  /** Crashes survived (the recovery path ran): for the app and the tests. */
  recoveries = 0;
  /** Fault tolerance (M23, ft.ts): pairs by primary id, and the last takeover. */
  readonly ft = new Map<number, FtPair>();
  ftLast: FtTakeover | undefined;

  constructor(
    readonly machine: Machine,
    readonly opts: HypervisorOptions,
  ) {
    this.swapStore = opts.swap ?? new MemorySwapStore();
    const reserveBytes = opts.reserveBytes ?? reserveBytesFor(machine.mem.size);
    if (reserveBytes % 4096 !== 0 || reserveBytes < HV_RESERVE_BYTES)
      throw new RangeError(`reserveBytes must be a multiple of 4 KiB and at least 1 MiB, got ${reserveBytes}`);
    this.usableBytes = machine.mem.size - reserveBytes;
    this.bridge = new Bridge({ now: () => machine.cpus[0].now(), epochSeconds: opts.rtcEpochSeconds ?? 0 });
    if (this.usableBytes < 1 << 20) throw new RangeError('the hypervisor needs at least 2 MiB of RAM');
    this.reserve = new ReservePages(this.usableBytes, reserveBytes);
    this.current = machine.cpus.map(() => undefined);
    this.queues = machine.cpus.map(() => []);
    this.tickless = machine.cpus.map(() => false);
    for (const { node } of flatten(machine.tree)) {
      if (node.irq) this.sourceDevice.set(node.irq, node.id);
      this.nodes.set(node.id, node);
    }
    this.subtrees = subtreesOf(machine.tree);
    // Output commit and the input log of fault-tolerant primaries (docs/fault-tolerance.md).
    this.bridge.hold = (from, frame) => {
      const pair = this.ft.get(from);
      if (!pair) return false;
      pair.heldFrames.push(Uint8Array.from(frame));
      return true;
    };
    this.bridge.tap = (to, frame) => {
      this.ft.get(to)?.inputFrames.push(Uint8Array.from(frame));
    };
  }

  /** The pair `id` is the primary or the backup of (M23), if any. */
  ftPairOf(id: number): FtPair | undefined {
    const own = this.ft.get(id);
    if (own) return own;
    for (const x of this.ft.values()) if (x.backup === id) return x;
    return undefined;
  }

  /**
   * Where `p`'s console output goes: its console, or, while it is a fault-tolerant primary, the
   * open epoch's held output (docs/fault-tolerance.md#output-commit).
   */
  consoleSink(p: Partition): ConsoleSink {
    const pair = this.ft.get(p.id);
    if (!pair) return this.opts.consoleFor(p);
    return { write: (b) => void pair.heldConsole.push(b & 0xff) };
  }

  /**
   * @internal (ftControl.ts) Take `v` off the pCPU it runs on (not the one in a trap) as a preemption
   * would; returns that pCPU, which the caller reschedules when done.
   */
  takeOff(v: Vcpu): Cpu | undefined {
    if (v.runningOn < 0) return undefined;
    const cpu = this.machine.cpus[v.runningOn];
    if (cpu === this.inTrap) return undefined;
    this.preempt(cpu);
    v.save(cpu);
    this.current[cpu.id] = undefined;
    return cpu;
  }

  /** @internal (ftControl.ts) */
  reschedule(cpu: Cpu): void {
    this.schedule(cpu);
  }

  /** @internal (ftControl.ts) A vCPU out of, or into, its pCPU's run queue. */
  dequeue(v: Vcpu): void {
    this.queues[v.home] = this.queues[v.home].filter((x) => x !== v);
  }
  enqueue(v: Vcpu): void {
    this.queues[v.home].push(v);
  }

  /**
   * An FT primary's vCPU `v`, just saved as it waits: end its epoch when it is due
   * (docs/fault-tolerance.md#epochs).
   */
  private ftEpoch(v: Vcpu): void {
    const pair = this.ft.get(v.partitionId);
    if (pair && epochDue(pair, v.instret, true)) commit(this, pair);
  }

  // ------------------------------------------------------------------ power-on

  /**
   * Take hypervisor mode on every pCPU and start the Controlling OS as partition 0 with every
   * resource: all pCPUs, all RAM below the reserve, every device but the interrupt controller.
   */
  bootControllingOs(image: {
    loadAddress: number;
    entry: number;
    bytes: Uint8Array;
    name: string;
    bootPartition?: number;
  }): Partition {
    const m = this.machine;
    m.resetDevices();
    this.takeInterruptController();
    for (const cpu of m.cpus) {
      cpu.reset(0);
      cpu.hie = (1 << IRQ.htimer) | (1 << IRQ.external) | (1 << IRQ.ipi);
      cpu.hstatus = HSTATUS_TW;
      cpu.hdeleg = EXC_DELEGABLE_MASK;
      cpu.hideleg = 1 << IRQ.timer;
      cpu.hypervisorTrap = (c) => this.trap(c);
      this.idle(cpu);
    }
    const ctl = this.create(0, image.name.split(' ')[0] || 'ctl');
    ctl.bootPartition = image.bootPartition ?? 0;
    ctl.memory.push({ gpa: 0, hpa: 0, size: this.usableBytes });
    for (const { node } of flatten(m.tree))
      if (node.kind !== 'bus' && node.kind !== 'controller' && node.kind !== 'intc') ctl.devices.add(node.id);
    for (const cpu of m.cpus) this.addVcpu(ctl, cpu.id);
    m.load(image.loadAddress, image.bytes);
    const err = this.start(0, image.entry, 1);
    if (err) throw new Error(`cannot start the Controlling OS: ${err.message}`);
    return ctl;
  }

  // ------------------------------------------------------------------ the mechanism (control API)

  log(partition: number, kind: PartitionEvent['kind'], detail: string, msg?: PartitionEvent['msg']): void {
    const time = this.machine.cpus[0].now();
    this.eventSeq++;
    const last = this.events[this.events.length - 1];
    if (last && last.partition === partition && last.kind === kind && last.detail === detail) {
      last.repeat = (last.repeat ?? 1) + 1;
      last.lastTime = time;
      return;
    }
    const e: PartitionEvent = msg ? { time, partition, kind, detail, msg } : { time, partition, kind, detail };
    this.events.push(e);
    if (this.events.length > 2 * MAX_EVENTS) {
      const n = this.events.length - MAX_EVENTS;
      this.events.splice(0, n);
      this.eventsDropped += n;
    }
    this.opts.onEvent?.(e);
  }

  /**
   * Charge `bytes` of console output to `p`'s queue at pCPU time `now`
   * (docs/hypercalls.md#the-console-costs-machine-time): the cycle until which the writer must
   * wait because the queue is over full, or 0.
   */
  /**
   * Charge `units` of hypervisor work of `kind` (src/shared/hvCosts.ts) to `cpu`, else to the pCPU in a trap, and
   * to the partition it does it for (docs/hypercalls.md#what-the-hypervisor-costs). Work the host
   * does on the machine from outside (a test harness's or the soak's launches) runs on no pCPU: it
   * is counted, not charged.
   */
  charge(kind: HvCostKind, units = 1, cpu: Cpu | undefined = this.inTrap, p?: Partition): void {
    const cycles = HV_COSTS[kind].cycles * units;
    if (cycles <= 0) return;
    const c = this.costs[kind];
    c.events += units;
    c.cycles += cycles;
    if (!cpu) return;
    cpu.charge(cycles);
    this.stats.hvCycles += cycles;
    const owner = p ?? this.current[cpu.id]?.partition;
    if (owner) owner.stats.hvCycles += cycles;
  }

  /** @internal Charge building table `t` (stage 2 or shadow): its pages zeroed, entries written and read. */
  chargeTable(t: Stage2Table, cpu: Cpu | undefined = this.inTrap, p?: Partition): void {
    this.charge('tablePage', t.pages.length, cpu, p);
    if (!t.built) return;
    this.charge('tableEntry', t.built.entries, cpu, p);
    this.charge('shadowScan', t.built.scanned, cpu, p);
  }

  chargeConsole(p: Partition, bytes: number, now: number): number {
    markActive(p, now); // console output is activity (idle.ts)
    p.consoleFreeAt = Math.max(now, p.consoleFreeAt) + bytes * CONSOLE_CYCLES_PER_BYTE;
    const until = p.consoleFreeAt - CONSOLE_QUEUE_BYTES * CONSOLE_CYCLES_PER_BYTE;
    return until > now ? until : 0;
  }

  /** A notice from the hypervisor to a partition (messages.ts). */
  noticeTo(p: Partition, text: string): void {
    notice(this, p, text);
  }

  /** Machine time (pCPU 0's cycles): what idle times are measured in (idle.ts). */
  machineNow(): number {
    return this.machine.cpus[0].now();
  }

  /** part_idle (idle.ts): microseconds since `p`'s last activity. */
  idleMicros(p: Partition): number {
    return idleMicros(p, this.machineNow());
  }

  /**
   * Input (`what`: console, message, frame) for `p`: activity while it runs; while it is swapped
   * out, one notice `input ID WHAT` to ctl per swap-out, whose policy may bring it back (M17).
   */
  inputFor(p: Partition, what: 'console' | 'message' | 'frame'): void {
    if (p.state === 'running') return markActive(p, this.machineNow());
    if (!inputWhileSwapped(p)) return;
    this.log(p.id, 'memory', `${what} input while swapped out: ctl is told`);
    const ctl = this.partitions.get(0);
    if (ctl) notice(this, ctl, `input ${p.id} ${what}`);
  }

  deviceNode(id: string): IoNode | undefined {
    return this.nodes.get(id);
  }

  create(id: number, name: string): Partition {
    const p = new Partition(id, name);
    this.partitions.set(id, p);
    this.log(id, 'created', name);
    return p;
  }

  addVcpu(p: Partition, home: number): Vcpu {
    const v = new Vcpu(p, p.vcpus.length, home, (x) => this.kick(x));
    p.vcpus.push(v);
    this.queues[home].push(v);
    return v;
  }

  /**
   * Take a partition's highest vCPU away (M21, docs/hypercalls.md#hot-add-and-remove): from a
   * partition that is not running, or from a running one that agreed (cpu_release, called from
   * another of its vCPUs). Its pCPU, when it was on one, goes on with the others. The last vCPU
   * never goes: a partition without one could not run.
   */
  removeVcpu(p: Partition): HvError | undefined {
    const v = p.vcpus[p.vcpus.length - 1];
    if (!v || p.vcpus.length < 2)
      return fail(E.INVAL, `partition ${p.id} has ${p.vcpus.length} vCPU: the last one is never removed`);
    let freed: Cpu | undefined;
    if (v.runningOn >= 0) {
      const cpu = this.machine.cpus[v.runningOn];
      if (cpu === this.inTrap) return fail(E.BUSY, `vCPU ${v.index} cannot release itself`);
      this.preempt(cpu);
      v.save(cpu);
      this.current[cpu.id] = undefined;
      freed = cpu;
    }
    v.state = 'stopped';
    p.vcpus.pop();
    this.queues[v.home] = this.queues[v.home].filter((x) => x !== v);
    p.lastOn.forEach((x, i) => {
      if (x === v) p.lastOn[i] = undefined;
    });
    this.log(p.id, 'cpu', `vCPU ${v.index} removed from pCPU ${v.home}`);
    if (freed) this.schedule(freed);
    return undefined;
  }

  /** The machine the partition checker checks layouts against. */
  machineSpec(): MachineSpec {
    return {
      ramBytes: this.usableBytes,
      cpus: this.machine.cpus.length,
      devices: [...this.nodes.keys()],
      subtrees: this.subtrees,
    };
  }

  /** Who owns what, as plain data (plan.ts): the input of every control operation. */
  layout(): Layout {
    return {
      parts: [...this.partitions.values()]
        .filter((p) => p.state !== 'destroyed')
        .map((p) => ({
          id: p.id,
          state: p.state,
          // The live array, not a copy: plan() never changes its input, and the executor writes back
          // only the partitions a plan changed (an operation costs what it changes, not the machine).
          memory: p.memory,
          devices: [...p.devices],
          cpus: p.vcpus.map((v) => v.home),
        })),
      shares: [...this.shares],
      nextShareId: this.nextShareId,
    };
  }

  /** The partition checker on the current layout; undefined when it is sound. */
  check(): string | undefined {
    const errors = checkLayout(this.layout(), this.machineSpec());
    return errors.length ? errors.join('; ') : undefined;
  }

  /**
   * A control operation, all or nothing (docs/hypercalls.md#control-operations-are-all-or-nothing):
   * the pure plan, checked; then the executor. `before` runs once the operation is known to succeed.
   */
  control(op: ControlOp, before?: () => void): Plan | HvError {
    this.charge('control');
    const pl = plan(this.layout(), op, this.machineSpec());
    if (pl instanceof HvError) return pl;
    const err = apply(this, pl, before);
    return err ?? pl;
  }

  /** Move [gpa, gpa+size) of partition `from` to the end of partition `to`'s memory. */
  moveMemory(from: Partition, to: Partition, gpa: number, size: number): HvError | undefined {
    const r = this.control({ op: 'move-memory', from: from.id, to: to.id, gpa, size });
    if (r instanceof HvError) return r;
    this.log(to.id, 'memory', `+${size >> 10} KiB from partition ${from.id}`);
    return undefined;
  }

  /** Rebuild a partition's stage-2 table and DMA domains (new table first); false when the reserve is full. */
  remap(p: Partition): boolean {
    const next = this.layout();
    return apply(this, { next, remap: [p.id], changed: [p.id], drop: [], revoked: [], zero: [] }) === undefined;
  }

  /**
   * @internal (apply.ts) Put partition `p` on its new table `t`: DMA domains, the pCPUs running it,
   * its TLB entries, its trap-and-emulate shadows. Returns the table it replaces (to free afterwards).
   */
  switchTable(p: Partition, t: Stage2Table): Stage2Table | undefined {
    const old = this.tables.get(p.id);
    this.tables.set(p.id, t);
    p.s2root = t.root;
    setDmaDomains(this, p);
    for (const cpu of this.machine.cpus) {
      if (p.vmid) cpu.tlb.flushVmid(p.vmid);
      if (this.current[cpu.id]?.partition === p && p.technique !== 'trap-emulate') cpu.s2ptbr = t.root | 1;
    }
    if (p.technique === 'trap-emulate') {
      // Shadow tables map the guest's memory too: a vCPU on a pCPU gets a new one now (its old one
      // may map pages it no longer has), the others before they next run.
      let full = false;
      for (const v of p.vcpus) {
        if (!v.te) continue;
        v.te.stale = true;
        if (v.runningOn >= 0 && !refreshShadow(this.teHost, this.machine.cpus[v.runningOn], v, p)) full = true;
      }
      if (full && p.state === 'running')
        this.halt(p, 'faulted', 'the hypervisor reserve is full (no room for a shadow page table)');
    }
    return old;
  }

  /** Pages of the reserve that partition `id`'s stage-2 table uses (for checks and the fuzz campaigns). */
  tablePages(id: number): readonly number[] {
    return this.tables.get(id)?.pages ?? [];
  }

  /** @internal (apply.ts) A partition that leaves: its table, to free afterwards. */
  dropTable(id: number): Stage2Table | undefined {
    const t = this.tables.get(id);
    this.tables.delete(id);
    return t;
  }

  /** What trap-and-emulate asks of the hypervisor (trapEmulate.ts). */
  private teHostMade: TeHost | undefined;
  private get teHost(): TeHost {
    return (this.teHostMade ??= {
      mem: this.machine.mem,
      reserve: this.reserve,
      flushTlb: (p) => {
        if (p.vmid) for (const c of this.machine.cpus) c.tlb.flushVmid(p.vmid);
      },
      resume: (cpu) => this.resume(cpu),
      charge: (kind, cpu, p) => this.charge(kind, 1, cpu, p),
      chargeTable: (t, cpu, p) => this.chargeTable(t, cpu, p),
    });
  }

  /**
   * A page fault of a trap-and-emulate guest (its faults are not delegated): a device window is
   * emulated; an access the guest's own table allows means the shadow is behind, so it is built
   * again and the access retried; the rest is the guest's.
   */
  private shadowFault(cpu: Cpu, v: Vcpu, p: Partition, cause: number): void {
    const te = v.te!;
    const mem = this.machine.mem;
    const va = cpu.hbadaddr;
    const gpa = guestPhysical(mem, p, te.vptbr, va);
    if (gpa >= 0 && !p.memory.some((r) => gpa >= r.gpa && gpa < r.gpa + r.size)) {
      const r = emulateMmio(cpu, mem, p.vbus, gpa);
      if (r === 'done') {
        this.charge('mmio', 1, cpu, p);
        this.stats.mmioExits++;
        p.stats.mmioExits++;
        v.stats.mmioExits++;
        if (this.current[cpu.id] !== v) return this.afterOwnStop(cpu);
        return this.resume(cpu);
      }
      if (r === 'not-device' && (te.vptbr & 1) !== 0) {
        // Its own page tables point outside its memory: contained, as under stage 2.
        return this.contain(
          cpu,
          p,
          `${causeName(cause)} at pc 0x${hex(cpu.hepc)}: guest-physical 0x${hex(gpa)} is outside its memory`,
        );
      }
      p.stats.reflected++;
      return this.reflect(cpu, CAUSE.ACCESS_FAULT, va);
    }
    const access =
      cause === CAUSE.LOAD_PAGE_FAULT ? ACCESS_READ : cause === CAUSE.STORE_PAGE_FAULT ? ACCESS_WRITE : ACCESS_EXEC;
    const mode = (cpu.hstatus >> 2) & 3;
    if (gpa >= 0 && mmuAllows(mem, te.vptbr, p.s2root | 1, va, access, mode)) {
      // The shadow is behind the guest's table: another vCPU changed a table they share, or the
      // guest mapped a page without a flush (a TLB that never held the page needs none), or its
      // memory grew. Retry once the new shadow has the page (it always should; if it did not, the
      // retry would fault forever, so the fault goes to the guest instead).
      if (!refreshShadow(this.teHost, cpu, v, p)) return this.contain(cpu, p, 'the hypervisor reserve is full');
      if (te.shadow && mmuAllows(mem, te.shadow.root | 1, 0, va, access, mode)) return this.resume(cpu);
    }
    p.stats.reflected++;
    return this.reflect(cpu, cause, va);
  }

  /** Which partition holds each VMID (-1: free). The vmid CSR has 8 bits; 0 is the hypervisor's. */
  private readonly vmidOwner = new Int32Array(256).fill(-1);
  private nextVmid = 1;

  /**
   * The partition's VMID, lending it one when it has none: a free one, else one whose holder runs
   * nowhere now, taken back from it and flushed from every TLB (so no two partitions ever share
   * translations). With up to 255 partitions each keeps its own for good.
   */
  vmidFor(p: Partition): number {
    if (p.vmid && this.vmidOwner[p.vmid] === p.id) return p.vmid;
    const running = new Set(this.current.filter((v) => v !== undefined).map((v) => v!.partitionId));
    for (let i = 0; i < 255; i++) {
      const v = this.nextVmid;
      this.nextVmid = v === 255 ? 1 : v + 1;
      const holder = this.vmidOwner[v]!;
      if (holder >= 0 && holder !== p.id && running.has(holder)) continue;
      if (holder >= 0) {
        const old = this.partitions.get(holder);
        if (old) old.vmid = 0;
        for (const cpu of this.machine.cpus) cpu.tlb.flushVmid(v);
      }
      this.vmidOwner[v] = p.id;
      p.vmid = v;
      return v;
    }
    throw new Error('no VMID free: every one belongs to a running partition (more pCPUs than VMIDs?)');
  }

  /** Start a partition at `entry` (flags bit 0: write its boot info at 0x8000 and pass it in a0). */
  start(id: number, entry: number, flags: number): HvError | undefined {
    const p = this.partitions.get(id);
    if (!p || p.state === 'destroyed') return fail(E.NOENT, `no partition ${id}`);
    if (p.state === 'running') return fail(E.BUSY, `partition ${id} is already running`);
    if (p.state === 'swapped') return fail(E.BUSY, `partition ${id} is swapped out: swap it in first`);
    const pair = this.ftPairOf(id);
    if (pair && pair.backup === id)
      return fail(E.BUSY, `partition ${id} is the backup of ${pair.primary}: it runs only when it takes over`);
    if (p.vcpus.length === 0) return fail(E.INVAL, `partition ${id} has no vCPU`);
    if (p.memBytes < 0x10000) return fail(E.INVAL, `partition ${id} has less than 64 KiB of memory`);
    if (flags & 1 && !p.owns(BOOT_INFO_ADDR, 4096))
      return fail(E.INVAL, `partition ${id} has no memory at the boot info address`);
    // Ownership is checked whenever it changes (plan.ts), so starting needs no check of its own.
    if (!this.remap(p)) return fail(E.NOMEM, 'the hypervisor reserve is full');
    const v = this.buildDevices(p);
    this.notify(p);
    p.entry = entry;
    p.startFlags = flags;
    // Remember the loaded image, so that a restart runs the OS from a clean memory, not from
    // whatever state it left behind (an OS need not clear its own data at boot).
    // The first copy is the emulator's own bookkeeping, not work a hypervisor would do at start:
    // not charged. A restart clears the memory and puts the image back: charged as zeroing it
    // (docs/hypercalls.md#what-the-hypervisor-costs).
    if (!p.pristine) {
      const t = this.inTrap;
      this.inTrap = undefined;
      p.pristine = SparseBytes.of(this.readGuest(p, 0, p.memBytes) as Uint8Array);
      this.inTrap = t;
    } else {
      this.charge('zeroPage', p.memBytes >>> 12);
      const t = this.inTrap;
      this.inTrap = undefined;
      this.writeGuest(p, 0, p.pristine.bytes(p.memBytes));
      this.inTrap = t;
    }
    if (flags & 1) this.writeGuest(p, BOOT_INFO_ADDR, this.bootInfoFor(p, v.nodes)); // checked above
    const now = this.machine.cpus[p.vcpus[0].home].now();
    p.vcpus.forEach((vc, i) => {
      vc.reset(entry, flags & 1 ? BOOT_INFO_ADDR : 0, flags & 1 ? BOOT_INFO_MAGIC : 0, i, now);
      vc.state = i === 0 ? 'runnable' : 'stopped';
    });
    p.state = 'running';
    // A started (or restarted) FT primary: its backup gets the new state as epoch 0 of the new run.
    if (pair) commit(this, pair);
    markActive(p, now);
    this.log(id, 'started', `entry 0x${entry.toString(16)}, ${p.memBytes >> 10} KiB, ${p.vcpus.length} vCPU`);
    for (const vc of p.vcpus) this.kick(vc);
    return undefined;
  }

  /**
   * @internal (start, state.ts) The partition's virtual devices, built anew on its virtual bus: its
   * console, sysctl, rtc, interrupt controller, granted disk and nic (vdevices.ts).
   */
  buildDevices(p: Partition): ReturnType<typeof buildVirtualDevices> {
    p.vbus.clear();
    const granted = this.grantedDisk(p);
    const v = buildVirtualDevices(
      p,
      p.vcpus,
      this.machine.mem,
      {
        // The emulated UART's bytes go through the same queue as console_write's: charged, so a
        // guest flooding it waits too (docs/hypercalls.md#the-console-costs-machine-time).
        console: {
          write: (b) => {
            this.chargeConsole(p, 1, (this.inTrap ?? this.machine.cpus[0]).now());
            this.consoleSink(p).write(b);
          },
        },
        shutdown: (code) => this.shutdown(p, code),
        restart: () => this.restart(p.id),
        now: () => this.machine.cpus[0].now(),
        rtcEpochSeconds: this.opts.rtcEpochSeconds ?? 0,
        bridge: this.bridge, // network (issue 4): a virtual nic0 on the bridge
        frameWhileDown: () => this.inputFor(p, 'frame'),
      },
      granted && !p.devices.has('disk0')
        ? { ...granted, backend: new FtDisk(granted.backend, () => this.ft.get(p.id)) }
        : undefined,
    );
    v.intc.onComplete = (s) => this.completePassthrough(p, s);
    this.vintc.set(p.id, v.intc);
    if (v.uart) this.vconsoles.set(p.id, v.uart);
    else this.vconsoles.delete(p.id);
    return v;
  }

  /** @internal (ftControl.ts) The physical disk `p`'s virtual disk writes to, if it has one. */
  grantedBackend(p: Partition): BlockBackend | undefined {
    return this.grantedDisk(p)?.backend;
  }

  /** Physical disk `id` (disk0, disk1, ... of the board), or undefined. */
  physicalDisk(id: string): BlockBackend | undefined {
    const m = /^disk(\d+)$/.exec(id);
    return m ? this.machine.desc.disks?.[Number(m[1])] : undefined;
  }

  /**
   * What the partition's virtual disk0 shows: the first physical disk it was granted partitions of,
   * and those partitions' blocks (read from the disk's table where the firmware reads it).
   */
  private grantedDisk(
    p: Partition,
  ): { backend: BlockBackend; ranges: { start: number; blocks: number }[] } | undefined {
    for (const [id, numbers] of p.diskGrants) {
      const backend = this.physicalDisk(id);
      if (!backend) continue;
      const ranges = [...numbers]
        .map((n) => partitionBlocks(backend, n))
        .filter((r): r is { start: number; blocks: number } => !!r);
      if (ranges.length) return { backend, ranges };
    }
    return undefined;
  }

  /** The boot info a partition sees: its memory, its vCPUs, its devices only. */
  private bootInfoFor(p: Partition, virtual: IoNode[]): Uint8Array {
    // Owned controllers come with their subtrees under them (M5), as on the bare board.
    const own = ownedForest(this.machine.tree, p.devices, p.id === 0);
    const root: IoNode = {
      id: 'sysbus',
      kind: 'bus',
      base: 0xf000_0000,
      size: 0x10_0000,
      children: [...own, ...virtual],
    };
    // uart0 is the console; bit 1 says the console_write/read hypercalls serve it too (paravirtual).
    const pvConsole = !p.devices.has('uart0') && p.technique === 'paravirtual';
    const extra: Record<string, [number, number]> = { uart0: [pvConsole ? 3 : 1, 0] };
    const disk = this.grantedDisk(p)?.backend ?? this.machine.desc.disks?.[0];
    if (disk) extra.disk0 = [disk.blocks, 0];
    if (virtual.some((n) => n.id === 'netctl')) {
      // Its virtual nic's MAC; bit 16 of the second word: net_send/net_recv serve it too (paravirtual).
      const [lo, hi] = macWords(virtualMac(p.id));
      extra.nic0 = [lo, hi | (p.pvnet ? 0x10000 : 0)];
    }
    const grants = [...p.diskGrants.values()].flatMap((g) => [...g]);
    return buildBootInfo({
      ramBase: 0,
      ramSize: p.memBytes,
      cpus: p.vcpus.map((v) => v.index),
      tree: root,
      extra,
      bootCpu: 0,
      partitionId: p.id,
      bootDisk: disk ? 'disk0' : undefined,
      bootPartition: p.bootPartition || (grants[0] ?? 0),
    });
  }

  stop(id: number, why = 'stopped'): HvError | undefined {
    const p = this.partitions.get(id);
    if (!p || p.state === 'destroyed') return fail(E.NOENT, `no partition ${id}`);
    if (p.state !== 'running') return fail(E.BUSY, `partition ${id} is not running (${p.state})`);
    this.halt(p, 'stopped', why);
    return undefined;
  }

  /** Take every vCPU of `p` off its pCPU and out of the run queues' reach. */
  /** @internal Take every vCPU of `p` off its pCPU. */
  halt(p: Partition, state: 'stopped' | 'faulted' | 'swapped', why: string): void {
    p.state = state;
    const pair = this.ft.get(p.id);
    const freed: Cpu[] = [];
    for (const v of p.vcpus) {
      if (v.runningOn >= 0) {
        const cpu = this.machine.cpus[v.runningOn];
        if (cpu !== this.inTrap) {
          this.preempt(cpu);
          freed.push(cpu);
        }
        v.save(cpu);
        this.current[cpu.id] = undefined;
      }
      v.state = 'stopped';
    }
    // A caller waiting in msg_call for this partition's reply would wait forever (M19): it gets
    // ENOENT now. (A swapped guest comes back, and answers then.)
    if (state !== 'swapped') abandonCalls(this, p);
    // An FT primary that stops by itself (shutdown, a fault of its own, ctl's stop): its backup,
    // replaying the same guest, would have said the same, so the open epoch's output leaves now.
    if (pair) commit(this, pair);
    // pCPUs that were running it outside a trap pick something else now; the pCPU in a trap does
    // so when its handler finishes (afterOwnStop).
    for (const cpu of freed) this.schedule(cpu);
    if (state !== 'swapped') this.log(p.id, state === 'faulted' ? 'faulted' : 'stopped', why);
  }

  /** Bring a pCPU that is running a guest (not in a trap) into hypervisor mode, as a trap would. */
  private preempt(cpu: Cpu): void {
    cpu.hepc = cpu.pc;
    cpu.hstatus = (cpu.hstatus & ~0b1100) | (cpu.mode << 2);
    cpu.mode = 2;
    cpu.updateContext();
  }

  shutdown(p: Partition, code: number): void {
    p.exitCode = code;
    if (p.id === 0) {
      // The Controlling OS powering off powers off the machine.
      this.machine.powerOff(code);
      return;
    }
    if (p.state === 'running') this.halt(p, code === 0 ? 'stopped' : 'faulted', `shut down with exit code ${code}`);
    this.log(p.id, 'shutdown', `exit code ${code}`);
    const ctl = this.partitions.get(0);
    if (ctl) notice(this, ctl, `shutdown ${p.id} ${code}`);
  }

  restart(id: number): HvError | undefined {
    const p = this.partitions.get(id);
    if (!p || p.state === 'destroyed') return fail(E.NOENT, `no partition ${id}`);
    if (p.state === 'swapped') return fail(E.BUSY, `partition ${id} is swapped out: swap it in first`);
    // A restart runs again the image the partition was started with (p.pristine): one never
    // started has none, and restarting it would start whatever its memory holds at address 0.
    if (p.state === 'created') return fail(E.INVAL, `partition ${id} was never started: start it first`);
    if (p.state === 'running') this.halt(p, 'stopped', 'restarting');
    const r = this.start(id, p.entry, p.startFlags);
    if (!r) this.log(id, 'restarted', '');
    return r;
  }

  destroy(id: number): HvError | undefined {
    const p = this.partitions.get(id);
    if (!p || p.state === 'destroyed' || id === 0) return fail(E.NOENT, `no partition ${id} to destroy`);
    const pair = this.ftPairOf(id);
    if (pair) {
      // Destroying either of an FT pair ends the pair; a primary takes its backup with it.
      if (p.state === 'running' && pair.primary === id) this.halt(p, 'stopped', 'destroyed');
      else commit(this, pair);
      this.ft.delete(pair.primary);
      if (pair.primary === id) this.destroy(pair.backup);
    }
    if (p.state === 'swapped') this.swapStore.drop(id);
    // Memory and devices go back to the Controlling OS (at the end of its guest-physical space);
    // every share from or to it is revoked; its table is freed once ctl's new one is in place.
    const r = this.control({ op: 'destroy', id }, () => {
      if (p.state === 'running') this.halt(p, 'stopped', 'destroyed');
    });
    if (r instanceof HvError) return r;
    for (const v of p.vcpus) this.queues[v.home] = this.queues[v.home].filter((x) => x !== v);
    p.state = 'destroyed';
    p.memory.length = 0;
    p.devices.clear();
    p.shared.length = 0;
    if (p.vmid && this.vmidOwner[p.vmid] === id) {
      this.vmidOwner[p.vmid] = -1;
      for (const cpu of this.machine.cpus) cpu.tlb.flushVmid(p.vmid);
    }
    this.vintc.delete(id);
    this.vconsoles.delete(id);
    // Its nic goes with it: the port leaves the bridge with the MACs learned there (a stop keeps
    // the port, down; docs/hypercalls.md#network).
    this.bridge.detach(id);
    this.partitions.delete(id);
    if (this.preferred === id) this.preferred = -1;
    this.log(id, 'destroyed', '');
    return undefined;
  }

  // ------------------------------------------------------------------ fault injection (faults.ts)

  /** What faults.ts needs of the hypervisor. */
  private get faultHost(): FaultHost {
    return {
      mem: this.machine.mem,
      writeGuest: (p, gpa, b) => this.writeGuest(p, gpa, b),
      flushTlb: (p) => this.teHost.flushTlb(p),
    };
  }

  /**
   * fault_inject (docs/hypercalls.md#fault-injection): make fault `kind` happen to client `id` (or,
   * for `crash`, to the hypervisor). The fault is logged as `injected`; what contains it logs its own
   * event (faulted, shutdown, the disk's status), as it would for a fault nobody injected.
   */
  injectFault(kind: FaultKind, id: number, now: number): HvError | undefined {
    if (kind === 'crash') {
      if (this.crashAt !== Infinity) return fail(E.BUSY, 'a hypervisor crash is already on its way');
      this.crashAt = now + CRASH_DELAY_CYCLES;
      const pref = this.partitions.get(this.preferred);
      this.log(0, 'injected', `hypervisor crash (preferred guest: ${pref ? `${pref.id} ${pref.name}` : 'none'})`);
      for (const cpu of this.machine.cpus) if (cpu.hTimerAt > this.crashAt) cpu.hTimerAt = this.crashAt;
      return undefined;
    }
    const p = this.partitions.get(id);
    const bad = checkVictim(p, id, kind);
    if (bad || !p) return bad;
    switch (kind) {
      case 'kernel':
      case 'irqoff':
      case 'wild': {
        const v = p.vcpus[0];
        if (kind === 'wild') {
          const live = v.runningOn >= 0 ? this.machine.cpus[v.runningOn] : undefined;
          // Its translation root: live on its pCPU while it runs there (ptbr is a guest register).
          if (live && p.technique !== 'trap-emulate') v.csr.ptbr = live.ptbr;
          const no = checkWild(v, p, id);
          if (no) return no;
        }
        if (p.pendingFault) return fail(E.BUSY, `partition ${id} has a fault on its way already`);
        p.pendingFault = kind;
        // It meets the fault when its vCPU 0 next runs: now, if it was waiting (a spurious wakeup is
        // legal after wfi); at its pCPU's next tick if it runs.
        if (v.state === 'blocked' && v.waitingReplyFrom < 0) v.state = 'runnable';
        const cpu = v.runningOn >= 0 ? this.machine.cpus[v.runningOn] : undefined;
        if (cpu && cpu !== this.inTrap) this.machine.cpus[cpu.id].setInterrupt(IRQ.ipi, true);
        if (!cpu) this.kick(v);
        this.log(id, 'injected', `${kind} fault: it runs into it at its next time slice`);
        return undefined;
      }
      case 'dma': {
        const status = injectDma(p);
        this.log(id, 'injected', `dma outside its memory: refused by its DMA domain (disk STATUS ${status})`);
        return undefined;
      }
      case 'diskerr':
        p.writeFaults++;
        this.log(id, 'injected', 'disk write error: its next disk write fails (STATUS 4) and writes nothing');
        return undefined;
      case 'fail': {
        // Fail-stop of the primary's processor: its backup takes over (M23, ftControl.ts), if any.
        const pair = this.ft.get(p.id);
        if (pair) {
          this.log(id, 'injected', 'primary failure (fail-stop): its backup takes over');
          return failover(this, pair, this.machine.cpus[0].now());
        }
        p.stats.faults++;
        this.halt(p, 'faulted', 'injected primary failure (fail-stop): no backup takes over');
        notice(this, this.partitions.get(0)!, `faulted ${p.id}`);
        return undefined;
      }
    }
  }

  /**
   * The hypervisor crashed (fault_inject crash): its tables are gone, and with them every guest but
   * the preferred one (M24, after VM/370). The recovery path keeps only the preferred guest's control
   * block, as plain data (state.ts), restarts the hypervisor (reserve, VMIDs, run queues, devices),
   * reboots ctl from its image with every resource the preferred guest does not hold, puts the
   * preferred guest back where it was (its memory in place, its vCPUs and virtual devices as they
   * were) and tells ctl: `recovered ID` (or `recovered none`). docs/hypercalls.md#the-preferred-guest.
   */
  private crashAndRecover(cpu: Cpu): void {
    const m = this.machine;
    this.crashAt = Infinity;
    // Every pCPU stops where it is: a guest running there is saved as a trap would save it.
    for (const c of m.cpus) {
      const v = this.current[c.id];
      if (!v) continue;
      if (c !== cpu && c.mode !== 2) this.preempt(c);
      v.save(c);
      this.current[c.id] = undefined;
    }
    const oldCtl = this.partitions.get(0) as Partition;
    const pref = this.partitions.get(this.preferred);
    const keep =
      pref && (pref.state === 'running' || pref.state === 'stopped')
        ? savePartition(pref, undefined, m.cpus.length)
        : undefined;
    const lost = [...this.partitions.values()].filter((p) => p.id !== 0 && p.id !== keep?.id);
    this.log(
      0,
      'crashed',
      `hypervisor crash: ${lost.length} guest${lost.length === 1 ? '' : 's'} lost${lost.length ? ` (${lost.map((p) => p.id).join(', ')})` : ''}`,
    );
    // The crash: nothing of this hypervisor's tables is trusted any more.
    for (const p of lost) {
      if (p.state === 'swapped') this.swapStore.drop(p.id);
      this.bridge.detach(p.id);
    }
    if (!keep && pref) this.bridge.detach(pref.id);
    this.partitions.clear();
    this.tables.clear();
    this.vintc.clear();
    this.vconsoles.clear();
    this.shares.length = 0;
    // Every backup is lost with its table (a preferred primary comes back without one; M23).
    this.ft.clear();
    for (const q of this.queues) q.length = 0;
    this.tickless.fill(false);
    this.vmidOwner.fill(-1);
    this.nextVmid = 1;
    this.reserve.reset();
    for (const c of m.cpus) c.tlb.flushAll();
    if (!keep) this.preferred = -1;
    // Restart: the physical devices and the interrupt controller as at power-on, ctl from its image.
    m.resetDevices();
    this.takeInterruptController();
    const ctl = this.create(0, oldCtl.name);
    ctl.bootPartition = oldCtl.bootPartition;
    ctl.pristine = oldCtl.pristine;
    const holes = (keep?.memory ?? []).map((r) => [r.hpa, r.hpa + r.size]).sort((a, b) => a[0] - b[0]);
    let at = 0;
    for (const [from, to] of [...holes, [this.usableBytes, this.usableBytes]]) {
      if (from > at) ctl.memory.push({ gpa: ctl.memEnd, hpa: at, size: from - at });
      at = Math.max(at, to);
    }
    const kept = new Set(keep?.devices ?? []);
    for (const { node } of flatten(m.tree))
      if (node.kind !== 'bus' && node.kind !== 'controller' && node.kind !== 'intc' && !kept.has(node.id))
        ctl.devices.add(node.id);
    for (const c of m.cpus) this.addVcpu(ctl, c.id);
    const err = this.start(0, oldCtl.entry, oldCtl.startFlags);
    if (err) {
      m.powerOff(128);
      return;
    }
    if (keep) {
      // The control block swap: the preferred guest comes back from its saved control block.
      const p = loadPartition(keep, (x) => this.kick(x));
      p.vmid = 0;
      p.s2root = 0;
      p.lastOn.length = 0;
      for (const v of p.vcpus) if (v.te) v.te = { vptbr: v.te.vptbr, shadow: undefined, stale: true };
      this.partitions.set(p.id, p);
      for (const v of p.vcpus) this.queues[v.home].push(v);
      if (!this.remap(p)) {
        this.partitions.delete(p.id);
        this.log(p.id, 'destroyed', 'lost in the recovery: the reserve is full');
      } else {
        this.buildDevices(p);
        restoreDevices(p, keep);
        this.notify(p);
        for (const v of p.vcpus) this.kick(v);
      }
    }
    this.recoveries++;
    const back = this.partitions.get(this.preferred);
    notice(this, ctl, back ? `recovered ${back.id}` : 'recovered none');
    this.log(
      0,
      'recovered',
      back
        ? `preferred guest ${back.id} (${back.name}) resumed where it was; ctl rebooted`
        : 'no preferred guest: ctl rebooted alone',
    );
    for (const c of m.cpus) {
      if (c === cpu) continue;
      this.idle(c);
      c.setInterrupt(IRQ.ipi, true);
    }
    this.schedule(cpu);
  }

  /** The physical interrupt controller is the hypervisor's: every source to pCPU 0. */
  private takeInterruptController(): void {
    const m = this.machine;
    for (let s = 1; s < 32; s++) m.intc.write(0x000 + 4 * s, 4, 1);
    m.intc.write(0x100, 4, 0xfffffffe | 0);
  }

  // ------------------------------------------------------------------ traps

  /** The pCPU whose trap is being handled (its guest state is in hepc/hstatus, not live). */
  private inTrap: Cpu | undefined;

  /** Every trap to hypervisor mode on `cpu`. */
  private trap(cpu: Cpu): void {
    this.inTrap = cpu;
    // Entering and leaving hypervisor mode: the guest's registers saved and restored (src/shared/hvCosts.ts).
    this.charge('trapEntry', 1, cpu);
    this.charge('trapExit', 1, cpu);
    try {
      // An injected crash happens at the first trap after its time, whatever the trap was for.
      if (cpu.now() >= this.crashAt) return this.crashAndRecover(cpu);
      this.handleTrap(cpu);
    } finally {
      this.inTrap = undefined;
    }
  }

  /** After a trap handler stopped its own vCPU: run something else (or idle). */
  private afterOwnStop(cpu: Cpu): void {
    if (this.current[cpu.id] === undefined) this.schedule(cpu);
  }

  private handleTrap(cpu: Cpu): void {
    this.stats.traps++;
    const v = this.current[cpu.id];
    const cause = cpu.hcause;
    if (cause < 0) return this.interrupt(cpu, cause & 0xff);
    if (!v) {
      this.idle(cpu);
      return;
    }
    const p = v.partition;
    switch (cause) {
      case CAUSE.HYPERCALL: {
        this.stats.hypercalls++;
        p.stats.hypercalls++;
        v.stats.hypercalls++;
        this.charge('hypercall', 1, cpu, p);
        cpu.hepc = (cpu.hepc + 4) | 0;
        const nr = cpu.hbadaddr & 0xffff;
        const r = handleHypercall(this, p, v, cpu, nr);
        if (this.current[cpu.id] !== v) return this.afterOwnStop(cpu); // it stopped or blocked
        if (r !== undefined) cpu.regs[10] = r;
        // yield (docs/hypercalls.md#client-api-any-partition): the next runnable vCPU gets the pCPU.
        if (nr === HC.yield) return this.schedule(cpu);
        return this.resume(cpu);
      }
      case CAUSE.GUEST_LOAD_FAULT:
      case CAUSE.GUEST_STORE_FAULT:
      case CAUSE.GUEST_FETCH_FAULT: {
        if (cause !== CAUSE.GUEST_FETCH_FAULT) {
          const r = emulateMmio(cpu, this.machine.mem, p.vbus, cpu.hgpa);
          if (r === 'done') {
            this.charge('mmio', 1, cpu, p);
            this.stats.mmioExits++;
            p.stats.mmioExits++;
            v.stats.mmioExits++;
            if (this.current[cpu.id] !== v) return this.afterOwnStop(cpu); // e.g. it shut itself down
            // A UART byte that overfilled the console's queue: the writer waits until it drains.
            const until = p.consoleFreeAt - CONSOLE_QUEUE_BYTES * CONSOLE_CYCLES_PER_BYTE;
            if (until > cpu.now()) {
              v.busyUntil = until;
              return this.block(cpu, v);
            }
            return this.resume(cpu);
          }
          if (r === 'bad-access') return this.reflect(cpu, CAUSE.ACCESS_FAULT, cpu.hbadaddr);
        }
        // Outside its memory. With translation off (a probing OS) it is an access fault the guest
        // handles; with translation on, the guest's own page tables point outside: contain it.
        const translated = (cpu.ptbr & 1) !== 0;
        if (!translated) return this.reflect(cpu, CAUSE.ACCESS_FAULT, cpu.hbadaddr);
        return this.contain(
          cpu,
          p,
          `${causeName(cause)} at pc 0x${hex(cpu.hepc)}: guest-physical 0x${hex(cpu.hgpa)} is outside its memory`,
        );
      }
      case CAUSE.PRIVILEGED_INSTRUCTION: {
        const w = cpu.hbadaddr;
        if (decodeWord(w)?.info.mnemonic === 'wfi') {
          cpu.hepc = (cpu.hepc + 4) | 0;
          return this.block(cpu, v);
        }
        if (p.technique === 'trap-emulate' && ((cpu.hstatus >> 2) & 3) === 1) {
          if (emulatePrivileged(this.teHost, cpu, v, p, w)) return;
        }
        return this.contain(cpu, p, `unexpected PRIVILEGED_INSTRUCTION at pc 0x${hex(cpu.hepc)}`);
      }
      case CAUSE.FETCH_PAGE_FAULT:
      case CAUSE.LOAD_PAGE_FAULT:
      case CAUSE.STORE_PAGE_FAULT:
        if (p.technique === 'trap-emulate') return this.shadowFault(cpu, v, p, cause);
        return this.contain(cpu, p, `${causeName(cause)} at pc 0x${hex(cpu.hepc)}, badaddr 0x${hex(cpu.hbadaddr)}`);
      default:
        return this.contain(cpu, p, `${causeName(cause)} at pc 0x${hex(cpu.hepc)}, badaddr 0x${hex(cpu.hbadaddr)}`);
    }
  }

  private interrupt(cpu: Cpu, line: number): void {
    this.stats.interrupts++;
    this.charge('interrupt', 1, cpu);
    const v = this.current[cpu.id];
    if (line === IRQ.external) this.routeExternal();
    if (line === IRQ.ipi) cpu.ip &= ~(1 << IRQ.ipi);
    if (line === IRQ.htimer) {
      cpu.ip &= ~(1 << IRQ.htimer);
      if (v) {
        v.stats.ticks++;
        markActive(v.partition, cpu.now()); // it used up its slice computing: activity (idle.ts)
        // A kernel that once took interrupts and now keeps them off for WATCHDOG_TICKS of its own
        // slices is hung (a guest that never enables them, like a bare loop, is left alone).
        const masked = v.mode === 1 && (cpu.sstatus & STATUS_IE) === 0 && ((cpu.hstatus >> 2) & 3) === 1;
        if (!masked) v.sawInterruptsOn = true;
        v.ticksMasked = masked && v.sawInterruptsOn ? v.ticksMasked + (this.tickless[cpu.id] ? TICKLESS_SLICES : 1) : 0;
        if (v.ticksMasked > WATCHDOG_TICKS) {
          const p = v.partition;
          return this.contain(cpu, p, `looped with interrupts off for ${WATCHDOG_TICKS} ticks (pc 0x${hex(cpu.hepc)})`);
        }
        const pair = this.ft.size ? this.ft.get(v.partitionId) : undefined;
        if (pair && epochDue(pair, cpu.instret + cpu.sliceSteps, false)) {
          // An epoch of an FT primary ends at its tick (docs/fault-tolerance.md#epochs).
          v.save(cpu);
          this.current[cpu.id] = undefined;
          commit(this, pair);
        }
      }
      return this.schedule(cpu);
    }
    if (v) {
      cpu.hvip = v.lines(cpu);
      if (line === IRQ.ipi) return this.schedule(cpu);
      return this.resume(cpu);
    }
    this.schedule(cpu);
  }

  /** Claim every pending physical source and hand it to the owning partition's interrupt controller. */
  private routeExternal(): void {
    const intc = this.machine.intc;
    for (let s = intc.claim(0); s !== 0; s = intc.claim(0)) {
      const dev = this.sourceDevice.get(s);
      const owner = [...this.partitions.values()].find((p) => dev && p.devices.has(dev) && p.state === 'running');
      const vi = owner && this.vintc.get(owner.id);
      if (!vi) {
        intc.complete(s); // nobody to tell: drop it (the line stays masked until it is claimed again)
        continue;
      }
      owner.stats.interrupts++;
      this.charge('irqRoute', 1, this.inTrap, owner);
      vi.line(s).set(true);
    }
  }

  /**
   * The hypervisor's notification line (docs/hypercalls.md#notifications): source 31 of a
   * partition's interrupt controller is high while its inbox holds a message, and for partition 0
   * also while a management request waits (docs/hypercalls.md#the-management-mailbox).
   */
  notify(p: Partition): void {
    this.vintc
      .get(p.id)
      ?.line(NOTIFY_SOURCE)
      .set(p.inbox.length > 0 || (p.id === 0 && this.mgmt.pending));
  }

  /** The guest completed passed-through source s: complete it physically, follow its level. */
  private completePassthrough(p: Partition, s: number): void {
    const dev = this.sourceDevice.get(s);
    if (!dev || !p.devices.has(dev)) return;
    const intc = this.machine.intc;
    const level = (intc.pending & (1 << s)) !== 0;
    this.vintc.get(p.id)?.line(s).set(level);
    intc.complete(s);
  }

  /** Deliver a fault to the guest's supervisor as if the hardware had raised it there. */
  private reflect(cpu: Cpu, cause: number, badaddr: number): void {
    if (cpu.stvec === 0) {
      // No trap handler: the guest would jump to 0 and run wild. Contain it instead (M22).
      const v = this.current[cpu.id] as Vcpu;
      const p = v.partition;
      return this.contain(
        cpu,
        p,
        `${causeName(cause)} at pc 0x${hex(cpu.hepc)} (address 0x${hex(badaddr)}) and no trap handler`,
      );
    }
    this.charge('reflect', 1, cpu);
    const from = (cpu.hstatus >> 2) & 3;
    cpu.sepc = cpu.hepc;
    cpu.scause = cause;
    cpu.sbadaddr = badaddr;
    const ie = cpu.sstatus & STATUS_IE;
    cpu.sstatus = (ie ? STATUS_PIE : 0) | ((from & 1) << 2);
    cpu.hepc = cpu.stvec;
    cpu.hstatus = (cpu.hstatus & ~0b1100) | (1 << 2);
    this.resume(cpu);
  }

  /** Fault containment (M22): stop the partition, log why; the pCPU goes on with others. */
  private contain(cpu: Cpu, p: Partition, why: string): void {
    p.stats.faults++;
    this.halt(p, 'faulted', why);
    if (p.id === 0) this.machine.powerOff(128);
    else {
      // Whether it is restarted is ctl's decision (its fault policy), made on this notice (M12).
      const ctl = this.partitions.get(0);
      if (ctl) notice(this, ctl, `faulted ${p.id}`);
    }
    this.afterOwnStop(cpu);
  }

  /** @internal Take `v` off `cpu` until something wakes it. */
  block(cpu: Cpu, v: Vcpu): void {
    v.ticksMasked = 0; // it gave the pCPU away: not a loop
    v.save(cpu);
    this.current[cpu.id] = undefined;
    if (this.ft.size) this.ftEpoch(v);
    v.state = v.wakeable(cpu.now()) ? 'runnable' : 'blocked';
    this.schedule(cpu);
  }

  /** A vCPU's virtual lines changed, or it may run: update its pCPU, wake it. */
  /** @internal */
  kick(v: Vcpu): void {
    if (v.runningOn >= 0) {
      const cpu = this.machine.cpus[v.runningOn];
      cpu.hvip = v.lines(cpu);
      return;
    }
    const p = this.partitions.get(v.partitionId);
    if (v.state === 'stopped' && p?.state === 'running' && v.index > 0 && v.virq & (1 << IRQ.ipi)) {
      // A secondary vCPU the guest sends an IPI to starts at the boot info's ap_entry (docs/boot.md).
      const w = this.readGuest(p, BOOT_INFO_ADDR + 44, 4);
      const ap = w ? new DataView(w.buffer).getUint32(0, true) : 0;
      if (ap !== 0) {
        v.reset(ap, BOOT_INFO_ADDR, BOOT_INFO_MAGIC, v.index, this.machine.cpus[v.home].now());
        v.state = 'runnable';
      }
    }
    // A vCPU waiting in msg_call wakes for its reply only (messages.ts: reply, abandonCalls), not for
    // an interrupt: it has no instruction to go on with until then.
    if (v.state === 'blocked' && v.busyUntil === 0 && v.waitingReplyFrom < 0 && (v.virq & v.csr.sie) !== 0)
      v.state = 'runnable';
    if (v.state === 'runnable' && !v.debugHeld && (!this.current[v.home] || this.tickless[v.home]))
      this.machine.cpus[v.home].setInterrupt(IRQ.ipi, true);
  }

  private resume(cpu: Cpu): void {
    cpu.eret();
  }

  /** Pick the next vCPU for `cpu` (round robin among runnable ones) and switch to it. */
  private schedule(cpu: Cpu): void {
    const now = cpu.now();
    const cur = this.current[cpu.id];
    if (cur) {
      cur.save(cpu);
      this.current[cpu.id] = undefined;
    }
    const q = this.queues[cpu.id];
    for (const v of q) if (v.state === 'blocked' && v.wakeable(now)) v.state = 'runnable';
    const start = cur ? q.indexOf(cur) + 1 : 0;
    let next: Vcpu | undefined;
    for (let i = 0; i < q.length && !next; i++) {
      const v = q[(start + i) % q.length];
      if (v.state === 'runnable' && !v.debugHeld) next = v;
    }
    if (!next) return this.idle(cpu);
    const p = next.partition;
    if (this.ftLast && this.ftLast.cycles === null && this.ftLast.id === p.id) {
      // The backup's first instruction as the primary: the takeover is over (docs/fault-tolerance.md).
      this.ftLast.cycles = this.machine.cpus[0].now() - this.ftLast.failedAt;
      this.log(p.id, 'ft', `takeover done in ${this.ftLast.cycles} cycles of machine time`);
    }
    this.current[cpu.id] = next;
    if (next !== cur) {
      this.stats.worldSwitches++;
      p.stats.switches++;
      this.charge('worldSwitch', 1, cpu, p);
    }
    cpu.ip &= ~(1 << IRQ.htimer);
    // Alone: every other vCPU here is stopped, or blocked with no timer to wake it (only a kick
    // can, and a kick sends the IPI that ends a tickless slice).
    let alone = true;
    for (const v of q)
      if (
        v !== next &&
        v.state !== 'stopped' &&
        !(v.state === 'blocked' && v.busyUntil === 0 && ((v.csr.sie & 1) === 0 || !Number.isFinite(v.timerAt)))
      )
        alone = false;
    this.tickless[cpu.id] = alone;
    cpu.hTimerAt = now + Math.max(1000, Math.round((p.slice * p.weight) / 10)) * (alone ? TICKLESS_SLICES : 1);
    cpu.htimecmp = cpu.hTimerAt | 0; // ToInt32: the low 32 bits
    this.selectEngine(cpu, p);
    const te = p.technique === 'trap-emulate';
    setTechnique(cpu, te);
    if (te && (!next.te || next.te.stale) && !refreshShadow(this.teHost, undefined, next, p)) {
      this.current[cpu.id] = undefined;
      return this.contain(cpu, p, 'the hypervisor reserve is full (no room for a shadow page table)');
    }
    if (p.pendingFault) {
      // An injected fault (faults.ts): the guest's state is changed so that it runs into it now.
      const kind = p.pendingFault;
      p.pendingFault = undefined;
      const why = applyVcpuFault(this.faultHost, next, p, kind);
      if (why) {
        this.current[cpu.id] = undefined;
        return this.contain(cpu, p, why);
      }
    }
    const vmid = this.vmidFor(p);
    // The TLB tags entries by ASID and VMID, not by vCPU: after another vCPU of this partition ran
    // here, its translations (its own page tables, or its shadow) must not be this one's.
    const last = p.lastOn[cpu.id];
    if (last !== undefined && last !== next) cpu.tlb.flushVmid(vmid);
    p.lastOn[cpu.id] = next;
    next.load(cpu, te ? 0 : p.s2root | 1, vmid);
  }

  /** One block translator per pCPU, made when a guest first wants it (its cache is per page, shared). */
  private readonly translators = new Map<number, SliceEngine>();

  /** The pCPU runs the incoming guest's code with that guest's engine (Partition.engine). */
  private selectEngine(cpu: Cpu, p: Partition): void {
    // A guest under the debugger runs checked (docs/debugger.md#the-checked-path); a checked engine
    // is never kept as a pCPU's translator.
    if (isChecked(cpu.jit)) cpu.jit = this.checkedWas.get(cpu.id) ?? null;
    if (p.debugEngine) {
      this.checkedWas.set(cpu.id, cpu.jit);
      cpu.jit = p.debugEngine;
      return;
    }
    const want = p.engine ?? this.machine.engine;
    if (want === 'interp') {
      if (cpu.jit) this.translators.set(cpu.id, cpu.jit);
      cpu.jit = null;
      return;
    }
    if (cpu.jit) return;
    let t = this.translators.get(cpu.id);
    if (!t) {
      t = new Jit();
      this.translators.set(cpu.id, t);
    }
    cpu.jit = t;
  }

  /** By pCPU: the engine it had before a checked one replaced it. */
  private readonly checkedWas = new Map<number, SliceEngine | null>();

  // ------------------------------------------------------------------ the debugger (docs/debugger.md)

  /** @internal The debugger changed `p`'s checked engine: pCPUs running it now take the new one. */
  debugRefresh(p: Partition): void {
    for (const cpu of this.machine.cpus) if (this.current[cpu.id]?.partition === p) this.selectEngine(cpu, p);
  }

  /**
   * @internal Take the vCPU on `cpu` off it, between slices or before any step of one, because the
   * debugger holds it: as a preemption would (the scheduler passes held vCPUs by).
   */
  debugLeave(cpu: Cpu): void {
    if (!this.current[cpu.id] || cpu.mode === 2) return;
    this.preempt(cpu);
    this.schedule(cpu);
  }

  /** @internal The debugger let `v` run again: wake its pCPU if it has nothing better to do. */
  debugRelease(v: Vcpu): void {
    this.kick(v);
  }

  /** Nothing to run on `cpu`: wait in hypervisor mode for an interrupt or the next guest timer. */
  private idle(cpu: Cpu): void {
    this.current[cpu.id] = undefined;
    this.tickless[cpu.id] = false;
    cpu.mode = 2;
    cpu.s2ptbr = 0;
    cpu.ptbr = 0;
    cpu.updateContext();
    cpu.hstatus |= STATUS_IE;
    cpu.hvip = 0;
    cpu.sTimerAt = Infinity;
    cpu.ip &= ~((1 << IRQ.timer) | (1 << IRQ.htimer));
    let wake = Infinity;
    // Wake for the guest timers that can wake their vCPU (enabled in its sie): like wfi.
    // And for the vCPUs whose console_write waits for its console to drain.
    // Not for a vCPU waiting in msg_call: only the reply wakes it (Vcpu.wakeable), and its timer,
    // long due while it waits, would wake this pCPU on every cycle.
    for (const v of this.queues[cpu.id]) {
      if (v.state !== 'blocked' || v.waitingReplyFrom >= 0) continue;
      if (v.busyUntil > 0) wake = Math.min(wake, v.busyUntil);
      else if (v.csr.sie & 1) wake = Math.min(wake, v.timerAt);
    }
    cpu.hTimerAt = Math.min(wake, this.crashAt);
    cpu.waiting = true;
  }

  // ------------------------------------------------------------------ save and restore

  /**
   * The whole hypervisor as plain data (state.ts; docs/hypercalls.md#saving-and-restoring). Taken
   * between runs (no pCPU in a trap), with Machine.saveState() for RAM, pCPUs and physical devices.
   */
  saveState(): HypervisorState {
    const cpus = this.machine.cpus.length;
    const swapped = (p: Partition) => {
      if (p.state !== 'swapped') return undefined;
      const b = this.swapStore.load(p.id);
      return b instanceof Error ? undefined : b;
    };
    const ref = (v: Vcpu): [number, number] => [v.partitionId, v.index];
    return {
      version: HV_STATE_VERSION,
      partitions: [...this.partitions.values()].map((p) => savePartition(p, swapped(p), cpus)),
      shares: this.shares.map((x) => ({ ...x })),
      nextShareId: this.nextShareId,
      reserveFree: [...this.reserve.freePages()],
      tables: [...this.tables].map(([id, t]) => ({ id, root: t.root, pages: [...t.pages] })),
      current: this.current.map((v) => (v ? ref(v) : null)),
      queues: this.queues.map((q) => q.map(ref)),
      tickless: [...this.tickless],
      vmidOwner: Array.from(this.vmidOwner),
      nextVmid: this.nextVmid,
      stats: { ...this.stats },
      events: this.events.map((e) => ({ ...e })),
      eventSeq: this.eventSeq,
      eventsDropped: this.eventsDropped,
      bridge: this.bridge.saveState(),
      preferred: this.preferred,
      crashAt: Number.isFinite(this.crashAt) ? this.crashAt : null,
      recoveries: this.recoveries,
      mgmt: this.mgmt.saveState(),
      ft: savePairs(this.ft.values(), this.ftLast),
    };
  }

  /**
   * Put the hypervisor back as `s` says, on a machine whose own state was (or will be) restored from
   * the same snapshot; this hypervisor may be fresh or running something else (everything is
   * replaced). The pCPUs' state is left exactly as it was before the call. Throws RangeError when the
   * snapshot does not fit this machine (nothing is changed then).
   */
  restoreState(s: HypervisorState): void {
    const m = this.machine;
    if (s.version !== HV_STATE_VERSION)
      throw new RangeError(`hypervisor snapshot version ${s.version}; this hypervisor reads ${HV_STATE_VERSION}`);
    if (s.current.length !== m.cpus.length || s.queues.length !== m.cpus.length)
      throw new RangeError(`hypervisor snapshot of ${s.current.length} pCPUs; this machine has ${m.cpus.length}`);
    if (s.reserveFree.some((a) => a < this.usableBytes || a >= m.mem.size))
      throw new RangeError('hypervisor snapshot: its reserve lies elsewhere (a machine with other RAM or reserve)');
    // Rebuilding devices re-drives interrupt lines and may touch the pCPUs: keep them as they are.
    const cpuStates = m.cpus.map((c) => c.saveState());
    this.partitions.clear();
    this.vintc.clear();
    this.vconsoles.clear();
    this.tables.clear();
    this.shares.length = 0;
    this.shares.push(...s.shares.map((x) => ({ ...x })));
    this.nextShareId = s.nextShareId;
    this.reserve.restoreFree(s.reserveFree);
    for (const t of s.tables) this.tables.set(t.id, { root: t.root, pages: [...t.pages] });
    for (const ps of s.partitions)
      this.partitions.set(
        ps.id,
        loadPartition(ps, (x) => this.kick(x)),
      );
    this.bridge.restoreState(s.bridge);
    for (const ps of s.partitions) {
      const p = this.partitions.get(ps.id) as Partition;
      if (ps.vdevices) {
        this.buildDevices(p);
        restoreDevices(p, ps);
      }
      if (p.memory.length || p.devices.size) setDmaDomains(this, p);
      if (ps.swappedBytes) {
        const saved = this.swapStore.save(p.id, SparseBytes.fromState(ps.swappedBytes).bytes());
        if (saved instanceof Error)
          throw new Error(`cannot put partition ${p.id} back in the swap store: ${saved.message}`);
      }
    }
    const vcpu = ([pid, i]: [number, number]): Vcpu => {
      const v = this.partitions.get(pid)?.vcpus[i];
      if (!v) throw new RangeError(`hypervisor snapshot: no vCPU ${i} of partition ${pid}`);
      return v;
    };
    s.queues.forEach((q, i) => (this.queues[i] = q.map(vcpu)));
    s.current.forEach((r, i) => (this.current[i] = r ? vcpu(r) : undefined));
    s.tickless.forEach((t, i) => (this.tickless[i] = t));
    this.vmidOwner.set(s.vmidOwner);
    this.nextVmid = s.nextVmid;
    Object.assign(this.stats, s.stats);
    this.events.length = 0;
    this.events.push(...s.events.map((e) => ({ ...e })));
    this.eventSeq = s.eventSeq;
    this.eventsDropped = s.eventsDropped;
    this.preferred = s.preferred ?? -1;
    this.crashAt = s.crashAt ?? Infinity;
    this.recoveries = s.recoveries ?? 0;
    this.mgmt.restoreState(s.mgmt);
    const ft = loadPairs(s.ft);
    this.ft.clear();
    for (const x of ft.pairs) this.ft.set(x.primary, x);
    this.ftLast = ft.last;
    m.cpus.forEach((cpu, i) => {
      cpu.hypervisorTrap = (c) => this.trap(c);
      cpu.restoreState(cpuStates[i]);
    });
    bindCurrent(m.cpus, this.current);
    for (const cpu of m.cpus) {
      const v = this.current[cpu.id];
      if (v) this.selectEngine(cpu, v.partition);
    }
  }

  /** A hash of saveState(): equal hypervisor states, equal hashes (with Machine.stateHash: the whole machine). */
  stateHash(): string {
    return hypervisorStateHash(this.saveState());
  }

  // ------------------------------------------------------------------ guest memory

  readGuest(p: Partition, gpa: number, len: number): Uint8Array | undefined {
    if (!p.owns(gpa, len)) return undefined;
    // Inside a trap the hypervisor copies it word by word (src/shared/hvCosts.ts); the host's reads are free.
    if (this.inTrap) this.charge('copyWord', (len + 3) >>> 2);
    const out = new Uint8Array(len);
    // Page by page, like writeGuest: a guest's memory is contiguous within each page.
    for (let i = 0; i < len;) {
      const h = p.hostAddress(gpa + i) as number;
      const n = Math.min(len - i, 4096 - ((gpa + i) & 0xfff));
      out.set(this.machine.mem.u8.subarray(h, h + n), i);
      i += n;
    }
    return out;
  }

  writeGuest(p: Partition, gpa: number, bytes: Uint8Array): boolean {
    if (!p.owns(gpa, bytes.length)) return false;
    if (this.inTrap) this.charge('copyWord', (bytes.length + 3) >>> 2);
    for (let i = 0; i < bytes.length;) {
      const h = p.hostAddress(gpa + i) as number;
      const n = Math.min(bytes.length - i, 4096 - ((gpa + i) & 0xfff));
      this.machine.mem.writeBytes(h, bytes.subarray(i, i + n));
      i += n;
    }
    return true;
  }

  /** Bytes typed at a client's console window. */
  consoleInput(id: number, bytes: Iterable<number>): void {
    const p = this.partitions.get(id);
    if (p) this.inputFor(p, 'console');
    const pair = this.ft.get(id);
    if (pair) {
      // The input log of an FT primary's open epoch (docs/fault-tolerance.md#the-input-log).
      const all = [...bytes];
      pair.inputBytes.push(...all.map((b) => b & 0xff));
      this.vconsoles.get(id)?.input(all);
      return;
    }
    this.vconsoles.get(id)?.input(bytes);
  }

  currentOn(cpu: number): Vcpu | undefined {
    return this.current[cpu];
  }

  /** Used by tests and the debugger: the guest instruction at a vCPU's pc. */
  guestWord(cpu: Cpu): number | undefined {
    return guestInstruction(cpu, this.machine.mem, cpu.hepc, (cpu.hstatus >> 2) & 3);
  }
}

function hex(n: number): string {
  return (n >>> 0).toString(16).padStart(8, '0');
}
