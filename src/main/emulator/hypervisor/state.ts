/**
 * The hypervisor's whole state as plain data (docs/hypercalls.md#saving-and-restoring): partitions
 * with their memory, devices, grants, scheduling, technique and counters; every vCPU's context; the
 * run queues and what runs on each pCPU; VMIDs; the reserve's free list and the pages of every
 * stage-2 and shadow table; inboxes, shares, the bridge with its capture; ctl's management mailbox; the virtual devices' state;
 * swapped-out guests; fault-tolerant pairs (M23, ft.ts); the event log. With Machine.saveState() (RAM, pCPUs, physical devices) it is the
 * whole machine in hypervisor mode: snapshots, record/replay and the debugger stand on it.
 *
 * Plain data means numbers (finite: Infinity is null), strings, booleans, arrays, plain objects and
 * Uint8Array; nothing refers to a live object. `hypervisorStateHash` hashes it.
 */
import type { Cpu } from '../cpu/Cpu.js';
import type { MemRange, PartitionEvent, PartitionState } from './Partition.js';
import { Partition } from './Partition.js';
import type { Share } from './plan.js';
import { SparseBytes, type SparseState } from './swap.js';
import type { BridgeState } from './net/Bridge.js';
import type { MgmtState } from './mgmt.js';
import type { FtState } from './ft.js';
import type { Stage2Table } from './stage2.js';
import { Vcpu, type VcpuState } from './Vcpu.js';

export const HV_STATE_VERSION = 1;

export interface VcpuSaved {
  index: number;
  home: number;
  regs: number[];
  pc: number;
  mode: number;
  csr: Record<string, number>;
  timerAt: number | null;
  timerPending: boolean;
  cycleOffset: number;
  instret: number;
  virq: number;
  state: VcpuState;
  stateBeforeSwap: VcpuState;
  waitingReplyFrom: number;
  /** Vcpu.busyUntil (absent in snapshots made before the console was charged: 0). */
  busyUntil?: number;
  replyBuf: number;
  replyMax: number;
  ticksMasked: number;
  sawInterruptsOn: boolean;
  te: { vptbr: number; shadow: Stage2Table | null; stale: boolean } | null;
  stats: Vcpu['stats'];
}

export interface PartitionSaved {
  id: number;
  name: string;
  state: PartitionState;
  memory: MemRange[];
  devices: string[];
  diskGrants: [string, number[]][];
  weight: number;
  slice: number;
  engine: 'interp' | 'jit' | null;
  technique: Partition['technique'];
  paravirtNet: boolean;
  entry: number;
  startFlags: number;
  exitCode: number;
  bootPartition: number;
  pristine: SparseState | null;
  swapped: boolean;
  swappedWhileRunning: boolean;
  s2root: number;
  vmid: number;
  stats: Partition['stats'];
  inbox: { from: number; data: Uint8Array; wantsReply: boolean }[];
  /** Partition.consoleFreeAt (absent in older snapshots: 0). */
  consoleFreeAt?: number;
  /** Partition.lastActive and swapInputNoticed (idle.ts; absent in older snapshots: 0, false). */
  lastActive?: number;
  swapInputNoticed?: boolean;
  vcpus: VcpuSaved[];
  /** By pCPU: the index of its vCPU that last ran there, or -1. */
  lastOn: number[];
  /** Its virtual devices (by address on its virtual bus) when it has been started; null before. */
  vdevices: { base: number; state: unknown }[] | null;
  pvnet: ReturnType<NonNullable<Partition['pvnet']>['saveState']> | null;
  /** Its memory while swapped out (the swap store's copy). */
  swappedBytes: SparseState | null;
  /** An injected fault not met yet, and disk write errors still to report (faults.ts; absent: none). */
  pendingFault?: Partition['pendingFault'] | null;
  writeFaults?: number;
}

export interface HypervisorState {
  version: number;
  partitions: PartitionSaved[];
  shares: Share[];
  nextShareId: number;
  reserveFree: number[];
  tables: { id: number; root: number; pages: number[] }[];
  /** By pCPU: the vCPU running there ([partition, vCPU index]) or null. */
  current: ([number, number] | null)[];
  queues: [number, number][][];
  tickless: boolean[];
  vmidOwner: number[];
  nextVmid: number;
  stats: {
    traps: number;
    hypercalls: number;
    worldSwitches: number;
    mmioExits: number;
    interrupts: number;
    /** Absent in snapshots made before the hypervisor's work was charged. */
    hvCycles?: number;
  };
  events: PartitionEvent[];
  eventSeq: number;
  eventsDropped: number;
  bridge: BridgeState;
  /** The preferred guest, an injected crash's time (null: none) and the recoveries (M24; absent: none). */
  preferred?: number;
  crashAt?: number | null;
  recoveries?: number;
  /** ctl's management mailbox (absent in snapshots made before it: empty). */
  mgmt?: MgmtState;
  /** Fault-tolerant pairs and the last takeover (M23, ft.ts; absent: none). */
  ft?: FtState;
}

/** What state.ts reads and writes inside the Hypervisor (its private tables). */
export interface HvInternals {
  partitions: Map<number, Partition>;
  tables: Map<number, Stage2Table>;
  current: (Vcpu | undefined)[];
  queues: Vcpu[][];
  tickless: boolean[];
  vmidOwner: Int32Array;
  nextVmid: number;
  kick: (v: Vcpu) => void;
}

const finite = (n: number): number | null => (Number.isFinite(n) ? n : null);

function saveVcpu(v: Vcpu): VcpuSaved {
  return {
    index: v.index,
    home: v.home,
    regs: Array.from(v.regs),
    pc: v.pc,
    mode: v.mode,
    csr: { ...v.csr },
    timerAt: finite(v.timerAt),
    timerPending: v.timerPending,
    cycleOffset: v.cycleOffset,
    instret: v.instret,
    virq: v.virq,
    state: v.state,
    stateBeforeSwap: v.stateBeforeSwap,
    waitingReplyFrom: v.waitingReplyFrom,
    busyUntil: v.busyUntil,
    replyBuf: v.replyBuf,
    replyMax: v.replyMax,
    ticksMasked: v.ticksMasked,
    sawInterruptsOn: v.sawInterruptsOn,
    te: v.te
      ? {
          vptbr: v.te.vptbr,
          shadow: v.te.shadow ? { root: v.te.shadow.root, pages: [...v.te.shadow.pages] } : null,
          stale: v.te.stale,
        }
      : null,
    stats: { ...v.stats },
  };
}

/** The vCPU fields of a saved one (not its pCPU binding). */
function loadVcpu(v: Vcpu, s: VcpuSaved): void {
  v.regs.set(s.regs);
  v.pc = s.pc;
  v.mode = s.mode;
  Object.assign(v.csr, s.csr);
  v.timerAt = s.timerAt ?? Infinity;
  v.timerPending = s.timerPending;
  v.cycleOffset = s.cycleOffset;
  v.instret = s.instret;
  v.virq = s.virq;
  v.state = s.state;
  v.stateBeforeSwap = s.stateBeforeSwap;
  v.waitingReplyFrom = s.waitingReplyFrom;
  v.busyUntil = s.busyUntil ?? 0;
  v.replyBuf = s.replyBuf;
  v.replyMax = s.replyMax;
  v.ticksMasked = s.ticksMasked;
  v.sawInterruptsOn = s.sawInterruptsOn;
  v.te = s.te
    ? {
        vptbr: s.te.vptbr,
        shadow: s.te.shadow ? { root: s.te.shadow.root, pages: [...s.te.shadow.pages] } : undefined,
        stale: s.te.stale,
      }
    : undefined;
  Object.assign(v.stats, s.stats);
}

export function savePartition(p: Partition, swapped: Uint8Array | undefined, cpus: number): PartitionSaved {
  const devices = p.vbus.devices();
  return {
    id: p.id,
    name: p.name,
    state: p.state,
    memory: p.memory.map((r) => ({ ...r })),
    devices: [...p.devices],
    diskGrants: [...p.diskGrants].map(([d, n]) => [d, [...n]]),
    weight: p.weight,
    slice: p.slice,
    engine: p.engine ?? null,
    technique: p.technique,
    paravirtNet: p.paravirtNet,
    entry: p.entry,
    startFlags: p.startFlags,
    exitCode: p.exitCode,
    bootPartition: p.bootPartition,
    pristine: p.pristine ? p.pristine.toState() : null,
    swapped: p.swapped,
    swappedWhileRunning: p.swappedWhileRunning,
    s2root: p.s2root,
    vmid: p.vmid,
    stats: { ...p.stats },
    inbox: p.inbox.map((m) => ({ from: m.from, data: m.data.slice(), wantsReply: m.wantsReply })),
    consoleFreeAt: p.consoleFreeAt,
    lastActive: p.lastActive,
    swapInputNoticed: p.swapInputNoticed,
    vcpus: p.vcpus.map(saveVcpu),
    lastOn: Array.from({ length: cpus }, (_, i) => p.lastOn[i]?.index ?? -1),
    vdevices: devices.length ? devices.map((d) => ({ base: d.base, state: d.device.saveState?.() ?? null })) : null,
    pvnet: p.pvnet ? p.pvnet.saveState() : null,
    swappedBytes: swapped ? SparseBytes.of(swapped).toState() : null,
    pendingFault: p.pendingFault ?? null,
    writeFaults: p.writeFaults,
  };
}

/**
 * A partition object from saved data, without its virtual devices (the Hypervisor builds them, then
 * `restoreDevices` gives them their state).
 */
export function loadPartition(s: PartitionSaved, kick: (v: Vcpu) => void): Partition {
  const p = new Partition(s.id, s.name);
  p.state = s.state;
  p.memory.push(...s.memory.map((r) => ({ ...r })));
  for (const d of s.devices) p.devices.add(d);
  for (const [d, n] of s.diskGrants) p.diskGrants.set(d, new Set(n));
  p.weight = s.weight;
  p.slice = s.slice;
  p.engine = s.engine ?? undefined;
  p.technique = s.technique;
  p.paravirtNet = s.paravirtNet;
  p.entry = s.entry;
  p.startFlags = s.startFlags;
  p.exitCode = s.exitCode;
  p.bootPartition = s.bootPartition;
  p.pristine = s.pristine ? SparseBytes.fromState(s.pristine) : undefined;
  p.swapped = s.swapped;
  p.swappedWhileRunning = s.swappedWhileRunning;
  p.s2root = s.s2root;
  p.vmid = s.vmid;
  Object.assign(p.stats, s.stats);
  p.inbox.push(...s.inbox.map((m) => ({ from: m.from, data: Uint8Array.from(m.data), wantsReply: m.wantsReply })));
  p.consoleFreeAt = s.consoleFreeAt ?? 0;
  p.lastActive = s.lastActive ?? 0;
  p.swapInputNoticed = s.swapInputNoticed ?? false;
  p.pendingFault = s.pendingFault ?? undefined;
  p.writeFaults = s.writeFaults ?? 0;
  for (const vs of s.vcpus) {
    const v = new Vcpu(p, vs.index, vs.home, kick);
    loadVcpu(v, vs);
    p.vcpus.push(v);
  }
  s.lastOn.forEach((i, cpu) => (p.lastOn[cpu] = i >= 0 ? p.vcpus[i] : undefined));
  return p;
}

/** After the devices were rebuilt: their saved state, then the vCPU fields their lines may have kicked. */
export function restoreDevices(p: Partition, s: PartitionSaved): void {
  const byBase = new Map(p.vbus.devices().map((d) => [d.base, d.device]));
  for (const d of s.vdevices ?? []) {
    const dev = byBase.get(d.base);
    if (!dev)
      throw new Error(`hypervisor snapshot: partition ${p.id} has no virtual device at 0x${d.base.toString(16)}`);
    if (d.state !== null) dev.restoreState?.(d.state);
  }
  if (s.pvnet && p.pvnet) p.pvnet.restoreState(s.pvnet);
  s.vcpus.forEach((vs, i) => loadVcpu(p.vcpus[i], vs));
}

/** The running vCPUs back on their pCPUs (after the pCPUs' own state was restored). */
export function bindCurrent(cpus: readonly Cpu[], current: (Vcpu | undefined)[]): void {
  current.forEach((v, i) => v?.bindTo(cpus[i]));
}

/** FNV-1a over the state's structure, typed arrays byte by byte: equal states, equal hashes. */
export function hypervisorStateHash(s: HypervisorState): string {
  let h = 0x811c9dc5;
  const byte = (b: number) => {
    h ^= b & 0xff;
    h = Math.imul(h, 0x01000193);
  };
  const text = (t: string) => {
    for (let i = 0; i < t.length; i++) byte(t.charCodeAt(i));
  };
  const walk = (v: unknown): void => {
    if (v instanceof Uint8Array) {
      text(`u8:${v.length}:`);
      for (let i = 0; i < v.length; i++) byte(v[i]);
    } else if (Array.isArray(v)) {
      text(`[${v.length}:`);
      for (const x of v) walk(x);
    } else if (v !== null && typeof v === 'object') {
      for (const k of Object.keys(v)) {
        text(`${k}=`);
        walk((v as Record<string, unknown>)[k]);
      }
    } else text(`${String(v)};`);
  };
  walk(s);
  return (h >>> 0).toString(16).padStart(8, '0');
}
