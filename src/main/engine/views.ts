/**
 * Read-only views of a running machine for the app: guests, the live ownership map, the bridge,
 * performance samples and the per-guest timeline. They read the hypervisor's tables and counters
 * and change nothing (the panel's actions go to ctl, docs/guests.md#the-management-channel).
 */
import type {
  GuestInfo,
  GuestPerf,
  GuestState,
  NetworkView,
  Ownership,
  TechniqueCounters,
  TimelineEntry,
  FtView,
} from '../../shared/api.js';
import { CAUSE, causeName } from '../../shared/isa/csrs.js';
import type { Cpu } from '../emulator/cpu/Cpu.js';
import type { Hypervisor } from '../emulator/hypervisor/Hypervisor.js';
import type { Partition } from '../emulator/hypervisor/Partition.js';
import { ftLive } from '../emulator/hypervisor/ftControl.js';
import { formatMac } from '../emulator/hypervisor/net/Bridge.js';
import { virtualMac } from '../emulator/hypervisor/net/vnic.js';
import { flatten, TIMEBASE } from '../emulator/machine/board.js';
import type { Machine } from '../emulator/machine/Machine.js';

export function guestState(p: Partition): GuestState {
  switch (p.state) {
    case 'running':
    case 'stopped':
    case 'faulted':
    case 'created':
      return p.state;
    case 'swapped':
      return 'swapped';
    default:
      return 'halted';
  }
}

export function partitionGuests(hv: Hypervisor): GuestInfo[] {
  return [...hv.partitions.values()]
    .filter((p) => p.state !== 'destroyed')
    .map((p) => ({
      id: p.id,
      name: p.name,
      state: guestState(p),
      memBytes: p.memory.reduce((s, r) => s + r.size, 0),
      vcpus: p.vcpus.length,
      engine: 'interp' as const,
      // ctl owns the real devices and runs as the machine's own OS: no technique to show.
      ...(p.id === 0 ? {} : { technique: p.technique }),
      bootPartition: p.bootPartition,
    }));
}

/**
 * A client's technique and what it has cost so far (M7, docs/hypercalls.md#virtualization-techniques);
 * undefined for ctl, which owns the real devices and is not virtualized by a technique.
 */
export function techniqueCounters(p: Partition): TechniqueCounters | undefined {
  if (p.id === 0) return undefined;
  const s = p.stats;
  return {
    technique: p.technique,
    exits: s.hypercalls + s.mmioExits + s.faults,
    hypercalls: s.hypercalls,
    mmioExits: s.mmioExits,
    emulated: s.emulated,
    shadowBuilds: s.shadowBuilds,
    reflected: s.reflected,
  };
}

/** Instructions a partition has retired: saved vCPUs, plus the live count of those running now. */
export function partitionInstret(hv: Hypervisor, machine: Machine, p: Partition): number {
  let n = 0;
  for (const v of p.vcpus) {
    const cpu = v.runningOn >= 0 ? machine.cpus[v.runningOn] : undefined;
    n += cpu && hv.currentOn(cpu.id) === v ? cpu.instret : v.instret;
  }
  return n;
}

export function ownership(hv: Hypervisor, machine: Machine): Ownership {
  const parts = [...hv.partitions.values()].filter((p) => p.state !== 'destroyed');
  const memory: Ownership['memory'] = [];
  for (const p of parts) {
    for (const r of p.memory)
      memory.push({
        base: r.hpa,
        size: r.size,
        owner: p.id,
        what: `${p.name}: guest-physical 0x${r.gpa.toString(16)}..0x${(r.gpa + r.size - 1).toString(16)}`,
      });
  }
  memory.push({
    base: hv.reserve.base,
    size: hv.reserve.size,
    owner: null,
    what: 'hypervisor: stage-2 tables and boot infos',
  });
  memory.sort((a, b) => a.base - b.base);
  const ownerOf = (id: string) => parts.find((p) => p.devices.has(id))?.id ?? null;
  const nodes = flatten(machine.tree);
  return {
    partitions: parts.map((p) => {
      const counters = techniqueCounters(p);
      const idle = p.id !== 0 && p.state === 'running' ? { idleSeconds: hv.idleMicros(p) / 1e6 } : {};
      return { id: p.id, name: p.name, state: guestState(p), ...(counters ? { counters } : {}), ...idle };
    }),
    cpus: machine.cpus.map((c) => ({
      index: c.id,
      running: hv.currentOn(c.id)?.partitionId ?? null,
      pinned: parts.filter((p) => p.vcpus.some((v) => v.home === c.id)).map((p) => p.id),
    })),
    memory,
    devices: nodes.map(({ node, parent }) => ({
      id: node.id,
      name: node.id,
      kind: node.kind,
      base: node.base ?? 0,
      size: node.size ?? 0,
      owner: ownerOf(node.id),
      ...(parent >= 0 ? { parent: nodes[parent]!.node.id } : {}),
    })),
    totalBytes: machine.mem.size,
    ...(hv.partitions.has(hv.preferred) ? { preferred: hv.preferred } : {}),
    recoveries: hv.recoveries,
    ...(hv.ft.size || hv.ftLast ? { ft: ftView(hv) } : {}),
  };
}

/** M23: the pairs and the last takeover (docs/fault-tolerance.md). */
function ftView(hv: Hypervisor): FtView {
  const pairs = [...hv.ft.values()].map((x) => {
    const v = hv.partitions.get(x.primary)?.vcpus[0];
    const b = hv.partitions.get(x.backup);
    return {
      primary: x.primary,
      backup: x.backup,
      backupName: b?.name ?? '',
      pcpu: b?.vcpus[0]?.home ?? 0,
      epoch: x.epoch,
      lagInstructions: v ? Math.max(0, ftLive(hv, v) - x.epochStart) : 0,
      heldBytes: x.heldConsole.length,
      heldFrames: x.heldFrames.length,
      heldBlocks: x.heldBlocks.length,
      lastDirtyPages: x.stats.lastDirtyPages,
      pagesCopied: x.stats.pagesCopied,
    };
  });
  const t = hv.ftLast;
  return {
    pairs,
    ...(t
      ? {
          lastTakeover: {
            id: t.id,
            name: t.name,
            epoch: t.epoch,
            pcpu: t.pcpu,
            cycles: t.cycles,
            replayedBytes: t.replayedBytes,
            replayedFrames: t.replayedFrames,
            discardedBytes: t.discardedBytes,
          },
        }
      : {}),
  };
}

export function network(hv: Hypervisor): NetworkView {
  const b = hv.bridge;
  const ports = b.portIds.map((id) => {
    const c = b.counters(id)!;
    return {
      port: id,
      guest: id,
      guestName: hv.partitions.get(id)?.name ?? `partition ${id}`,
      mac: formatMac(virtualMac(id)),
      rxFrames: c.rxFrames,
      rxBytes: c.rxBytes,
      txFrames: c.txFrames,
      txBytes: c.txBytes,
      drops: c.drops,
    };
  });
  const macs = [...b.macTable].map(([hex, port]) => ({ mac: hex.replace(/(..)(?!$)/g, '$1:'), port }));
  return { ports, macs, ...b.stats, captured: b.capture.length, captureDropped: b.captureOverwritten };
}

/** Counters of one guest at one moment, for rates between two samples. */
export interface GuestCounters {
  id: number;
  name: string;
  instret: number;
  traps: number;
  irqs: number;
  hypercalls: number;
  /** Machine cycles of hypervisor work done for it (docs/hypercalls.md#what-the-hypervisor-costs; absent in dual boot). */
  hvCycles?: number;
  /** The client's technique counters (absent for ctl and in dual boot). */
  counters?: TechniqueCounters;
}

export function partitionCounters(hv: Hypervisor, machine: Machine): GuestCounters[] {
  return [...hv.partitions.values()]
    .filter((p) => p.state !== 'destroyed')
    .map((p) => {
      const counters = techniqueCounters(p);
      return {
        id: p.id,
        name: p.name,
        instret: partitionInstret(hv, machine, p),
        traps: p.stats.hypercalls + p.stats.mmioExits + p.stats.faults,
        irqs: p.stats.interrupts,
        hypercalls: p.stats.hypercalls,
        hvCycles: p.stats.hvCycles,
        ...(counters ? { counters } : {}),
      };
    });
}

/** Rates between two samples `wallMs` apart, over `cycles` of machine time on `cpus` pCPUs. */
export function perfBetween(
  before: GuestCounters[],
  after: GuestCounters[],
  wallMs: number,
  cycles: number,
  cpus: number,
): GuestPerf[] {
  const sec = Math.max(wallMs, 1) / 1000;
  return after.map((a) => {
    const b: GuestCounters = before.find((x) => x.id === a.id) ?? {
      id: a.id,
      name: a.name,
      instret: 0,
      traps: 0,
      irqs: 0,
      hypercalls: 0,
    };
    const instr = Math.max(0, a.instret - b.instret);
    return {
      id: a.id,
      name: a.name,
      mips: Math.round((instr / sec / 1e6) * 10) / 10,
      cpuShare: cycles > 0 ? Math.min(1, instr / (cycles * cpus)) : 0,
      // The hypervisor's work for it, on the same scale as cpuShare (the comparison's hypervisorShare).
      ...(a.hvCycles !== undefined
        ? { hvShare: cycles > 0 ? Math.min(1, Math.max(0, a.hvCycles - (b.hvCycles ?? 0)) / (cycles * cpus)) : 0 }
        : {}),
      trapsPerSec: Math.round((a.traps - b.traps) / sec),
      irqsPerSec: Math.round((a.irqs - b.irqs) / sec),
      hypercallsPerSec: Math.round((a.hypercalls - b.hypercalls) / sec),
      ...(a.counters
        ? {
            emulatedPerSec: Math.round((a.counters.emulated - (b.counters?.emulated ?? 0)) / sec),
            shadowBuildsPerSec: Math.round((a.counters.shadowBuilds - (b.counters?.shadowBuilds ?? 0)) / sec),
            counters: a.counters,
          }
        : {}),
    };
  });
}

const RING = 256;

/**
 * Recent traps, interrupts and hypercalls per guest, in fixed rings of numbers (no allocation per
 * trap: a guest can trap millions of times a second); words are made only when asked for.
 */
export class Timeline {
  private readonly rings = new Map<number, { data: Float64Array; next: number; count: number }>();

  record(guest: number, cycle: number, cause: number, pc: number, badaddr: number): void {
    let r = this.rings.get(guest);
    if (!r) {
      r = { data: new Float64Array(RING * 4), next: 0, count: 0 };
      this.rings.set(guest, r);
    }
    const o = r.next * 4;
    r.data[o] = cycle;
    r.data[o + 1] = cause;
    r.data[o + 2] = pc >>> 0;
    r.data[o + 3] = badaddr >>> 0;
    r.next = (r.next + 1) % RING;
    r.count = Math.min(RING, r.count + 1);
  }

  /** Hooks every pCPU's trap callback; `guestOn(cpu)` says whose the trap is. */
  attach(machine: Machine, guestOn: (cpu: Cpu) => number | undefined): void {
    for (const cpu of machine.cpus) {
      cpu.onTrap = (c, t) => {
        const g = guestOn(c);
        if (g !== undefined) this.record(g, t.cycle, t.cause, t.pc, t.badaddr);
      };
    }
  }

  entries(guest: number): TimelineEntry[] {
    const r = this.rings.get(guest);
    if (!r) return [];
    const out: TimelineEntry[] = [];
    for (let i = 0; i < r.count; i++) {
      const o = ((r.next - r.count + i + RING) % RING) * 4;
      const cause = r.data[o + 1]!;
      const pc = r.data[o + 2]!;
      const hex = (x: number) => `0x${x.toString(16)}`;
      const kind = cause < 0 ? 'interrupt' : cause === CAUSE.HYPERCALL ? 'hypercall' : 'trap';
      const detail =
        kind === 'hypercall'
          ? `hypercall 0x${(r.data[o + 3]! & 0xffff).toString(16)} at pc ${hex(pc)}`
          : `${causeName(cause)} at pc ${hex(pc)}${kind === 'trap' ? `, badaddr ${hex(r.data[o + 3]!)}` : ''}`;
      out.push({ seconds: r.data[o]! / TIMEBASE, kind, detail });
    }
    return out;
  }
}
