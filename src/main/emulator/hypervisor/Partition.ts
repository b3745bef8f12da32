/**
 * A partition (docs/hypercalls.md#partitions): data about a set of resources and the guest running
 * in them. Its memory is guest-physical 0..size, backed by host-physical ranges given by the
 * Controlling OS; its devices are physical subtrees mapped at their own addresses plus the virtual
 * devices the hypervisor emulates for it.
 */
import { Bus } from '../bus/Bus.js';
import type { SliceEngine } from '../cpu/Cpu.js';
import type { DmaTable } from '../dma/DmaTable.js';
import type { SparseBytes } from './swap.js';
import type { Vcpu } from './Vcpu.js';
import type { PvNet } from './net/pvnet.js';

export type PartitionState = 'created' | 'running' | 'stopped' | 'faulted' | 'swapped' | 'destroyed';

/** A message between partitions; `from` 255 is the hypervisor itself (notifications). */
export interface Message {
  from: number;
  data: Uint8Array;
  /** The sender waits in msg_call for a reply. */
  wantsReply: boolean;
}

export interface MemRange {
  /** Guest-physical start. */
  gpa: number;
  /** Host-physical start. */
  hpa: number;
  size: number;
}

/**
 * One message between partitions as the log keeps it (docs/hypercalls.md#the-message-log): a send
 * (asynchronous), a call (synchronous: the sender waits) or the reply to one, or a refusal.
 */
export interface MessageEventInfo {
  op: 'send' | 'call' | 'reply';
  to: number;
  bytes: number;
  /** The first MSG_PREVIEW bytes, printable ASCII (others as '.'). */
  text: string;
  /** Why the hypervisor refused it (ENOENT: no partition 9), when it did. */
  error?: string;
}

export interface PartitionEvent {
  /** Machine time (cycles of pCPU 0). */
  time: number;
  partition: number;
  kind:
    | 'created'
    | 'started'
    | 'stopped'
    | 'shutdown'
    | 'faulted'
    | 'destroyed'
    | 'restarted'
    | 'memory'
    | 'device'
    | 'cpu'
    | 'swapped-out'
    | 'swapped-in'
    | 'message'
    | 'shared'
    /** Fault injection and the hypervisor's crash and recovery (docs/hypercalls.md#fault-injection). */
    | 'injected'
    | 'preferred'
    | 'crashed'
    | 'recovered'
    /** Fault tolerance (M23, docs/fault-tolerance.md): pairing, unpairing, a takeover. */
    | 'ft';
  detail: string;
  /** A message event (kind 'message', M19): what went from `partition` to whom; the sequence view reads it. */
  msg?: MessageEventInfo;
  /** The same event again this many times in a row (counted, not stored: a flood cannot grow the log). */
  repeat?: number;
  /** Machine time of the last repeat. */
  lastTime?: number;
}

export class Partition {
  state: PartitionState = 'created';
  readonly vcpus: Vcpu[] = [];
  /** By pCPU: its vCPU that last ran there (whose translations that pCPU's TLB may hold). */
  readonly lastOn: (Vcpu | undefined)[] = [];
  /** Guest-physical memory, contiguous from 0, in the order it was given. */
  readonly memory: MemRange[] = [];
  /** Pages shared with it by another partition (M19): mapped, but not its memory. */
  readonly shared: MemRange[] = [];
  /** Messages waiting for it (M19). */
  readonly inbox: Message[] = [];
  /**
   * The pCPU cycle at which its paravirtual console has sent everything written so far
   * (docs/hypercalls.md#the-console-costs-machine-time): console_write charges CONSOLE_CYCLES_PER_BYTE.
   */
  consoleFreeAt = 0;
  /** Its memory is in the swap store (M17); whether it was running then. */
  swapped = false;
  swappedWhileRunning = false;
  /**
   * Machine time (cycles) of its last activity, and whether ctl was told of input since its swap-out
   * (idle.ts, docs/hypercalls.md#idle-time-and-input-while-swapped).
   */
  lastActive = 0;
  swapInputNoticed = false;
  /** Ids of physical device nodes (whole subtrees) it owns. */
  readonly devices = new Set<string>();
  /** Virtual devices the hypervisor emulates for it, at guest-physical addresses. */
  readonly vbus = new Bus();
  /** Disk partitions its virtual disk may use: disk node id -> partition numbers. */
  readonly diskGrants = new Map<string, Set<number>>();
  weight = 10;
  /**
   * How the emulator runs this guest's code: the interpreter or the block translator; undefined =
   * the machine's engine. An emulator setting of the host (like QEMU's accelerator), not part of
   * the emulated machine: the guest cannot see or change it, and both engines give the same state.
   */
  engine: 'interp' | 'jit' | undefined;
  /**
   * The debugger's checked path (emulator/debug/CheckedEngine.ts) while this guest has breakpoints,
   * watchpoints, trap breaks or a step: its vCPUs run there instead of `engine`. Not machine state.
   */
  debugEngine: SliceEngine | undefined;
  /**
   * How it is virtualized (M7; docs/hypercalls.md#virtualization-techniques). 'paravirtual' (the
   * default): hardware-assisted CPU and memory (supervisor mode under stage 2), and the paravirtual
   * console and network offered in its boot info, which cos then uses instead of device registers.
   * 'hardware': the same without the offer, so every device access is trapped and emulated. The
   * 'trap-emulate': classic trap-and-emulate (trapEmulate.ts): stage 2 off, hstatus.TE on, every
   * privileged instruction emulated, shadow page tables, emulated devices.
   */
  technique: 'paravirtual' | 'hardware' | 'trap-emulate' = 'paravirtual';
  /** The hypervisor offers it the paravirtual network path (net_send/net_recv; boot info nic bit 16). */
  paravirtNet = true;
  /** That path's state while it runs (net/pvnet.ts); rebuilt at every start. */
  pvnet: PvNet | undefined;
  /** Time slice in cycles. */
  slice = 250_000;
  entry = 0;
  /** Its memory as it was when first started (the loaded image): a restart starts from this. */
  pristine: SparseBytes | undefined;
  /** The disk partition it booted from (boot info words 56/60): 0 = none. */
  bootPartition = 0;
  startFlags = 0;
  exitCode = 0;
  /**
   * Fault injection (faults.ts, docs/hypercalls.md#fault-injection): a fault its vCPU runs into when
   * it next runs, and injected write errors its virtual disk still has to report.
   */
  pendingFault: 'kernel' | 'irqoff' | 'wild' | undefined;
  writeFaults = 0;
  /** Root of its stage-2 table (host-physical), 0 before the first build. */
  s2root = 0;
  dma: DmaTable | undefined;
  /** Console bytes for the host (its console window). */
  readonly stats = {
    hypercalls: 0,
    mmioExits: 0,
    faults: 0,
    interrupts: 0,
    switches: 0,
    /** Trap-and-emulate: privileged instructions emulated, shadow tables built, faults reflected. */
    emulated: 0,
    shadowBuilds: 0,
    reflected: 0,
    /** Machine cycles of hypervisor work done for it (src/shared/hvCosts.ts, docs/hypercalls.md#what-the-hypervisor-costs). */
    hvCycles: 0,
  };

  constructor(
    readonly id: number,
    readonly name: string,
  ) {}

  /**
   * Its VMID (the TLB tag of its stage-2 context, 1..255) while it holds one; 0 when it has none.
   * There are more partitions than VMIDs at scale: the hypervisor lends them out (Hypervisor.vmidFor).
   */
  vmid = 0;

  get memBytes(): number {
    return this.memory.reduce((s, r) => s + r.size, 0);
  }

  /** The end of its guest-physical memory (memory given later is placed from here). */
  get memEnd(): number {
    return this.memory.reduce((e, r) => Math.max(e, r.gpa + r.size), 0);
  }

  /** Host-physical address of a guest-physical one, or undefined outside its memory. */
  hostAddress(gpa: number): number | undefined {
    const a = gpa >>> 0;
    for (const r of this.memory) if (a >= r.gpa && a < r.gpa + r.size) return r.hpa + (a - r.gpa);
    for (const r of this.shared) if (a >= r.gpa && a < r.gpa + r.size) return r.hpa + (a - r.gpa);
    return undefined;
  }

  /** Whether [gpa, gpa+len) lies in its memory (possibly across ranges). */
  owns(gpa: number, len: number): boolean {
    for (let a = gpa >>> 0; a < (gpa >>> 0) + len; a = (a & ~0xfff) + 0x1000)
      if (this.hostAddress(a) === undefined) return false;
    return true;
  }
}
