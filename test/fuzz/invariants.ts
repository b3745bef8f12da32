/**
 * The isolation invariants the fuzz campaigns check (docs/security.md#invariants), read from the
 * machine itself rather than from the hypervisor's bookkeeping: stage-2 and shadow tables are
 * walked in RAM (docs/isa.md#paging), DMA domains are read from the devices' tables. One module, so
 * that every campaign means the same thing by "escape".
 */
import { flatten } from '../../src/main/emulator/machine/board.js';
import type { Hypervisor } from '../../src/main/emulator/hypervisor/Hypervisor.js';
import type { MemRange, Partition } from '../../src/main/emulator/hypervisor/Partition.js';
import type { PhysicalMemory } from '../../src/main/emulator/memory/PhysicalMemory.js';

const PAGE = 4096;
const V = 1;
const RWX = 0b1110;

/** One broken invariant: its name (stable, for counting) and what exactly was seen. */
export interface Escape {
  invariant: string;
  detail: string;
}

export interface HostRange {
  hpa: number;
  size: number;
}

/** A mapping found in a table: guest(-physical or -virtual) range -> host range. */
export interface Mapping {
  gpa: number;
  hpa: number;
  size: number;
}

export interface Walk {
  maps: Mapping[];
  /** Every page the table occupies (root and second-level tables). */
  pages: number[];
  /** Second-level tables outside RAM (a corrupt table). */
  bad: number[];
}

/**
 * Walk a two-level table at host-physical `root` (docs/isa.md#paging): a level-1 entry with R, W or
 * X maps a 4 MiB superpage, without them it points to a level-2 table; a level-2 entry maps a page
 * when it is valid and has R, W or X. Adjacent pages are merged into one mapping.
 */
export function walkTable(mem: PhysicalMemory, root: number): Walk {
  const maps: Mapping[] = [];
  const pages = [root];
  const bad: number[] = [];
  const add = (gpa: number, hpa: number, size: number): void => {
    const last = maps[maps.length - 1];
    if (last && last.gpa + last.size === gpa && last.hpa + last.size === hpa) last.size += size;
    else maps.push({ gpa, hpa, size });
  };
  for (let i = 0; i < 1024; i++) {
    const e = mem.read32(root + i * 4);
    if ((e & V) === 0) continue;
    if ((e & RWX) !== 0) {
      add(i * 0x400000, (e & 0xffc00000) >>> 0, 0x400000);
      continue;
    }
    const t = (e & ~0xfff) >>> 0;
    if (t + PAGE > mem.size) {
      bad.push(t);
      continue;
    }
    pages.push(t);
    for (let j = 0; j < 1024; j++) {
      const l = mem.read32(t + j * 4);
      if ((l & V) !== 0 && (l & RWX) !== 0) add(i * 0x400000 + j * PAGE, (l & ~0xfff) >>> 0, PAGE);
    }
  }
  return { maps, pages, bad };
}

/** Merge host ranges into sorted, disjoint ones. */
export function merge(ranges: readonly HostRange[]): HostRange[] {
  const s = ranges.filter((r) => r.size > 0).sort((a, b) => a.hpa - b.hpa);
  const out: HostRange[] = [];
  for (const r of s) {
    const last = out[out.length - 1];
    if (last && r.hpa <= last.hpa + last.size) last.size = Math.max(last.size, r.hpa + r.size - last.hpa);
    else out.push({ hpa: r.hpa, size: r.size });
  }
  return out;
}

/** The parts of [hpa, hpa+size) that `allowed` (merged) does not cover. */
export function uncovered(r: HostRange, allowed: readonly HostRange[]): HostRange[] {
  const out: HostRange[] = [];
  let at = r.hpa;
  const end = r.hpa + r.size;
  for (const a of allowed) {
    if (a.hpa + a.size <= at) continue;
    if (a.hpa >= end) break;
    if (a.hpa > at) out.push({ hpa: at, size: a.hpa - at });
    at = Math.max(at, a.hpa + a.size);
    if (at >= end) break;
  }
  if (at < end) out.push({ hpa: at, size: end - at });
  return out;
}

export const hex = (n: number): string => '0x' + (n >>> 0).toString(16);

/** A page the campaign knows its owner shares with `to` (an offer `to` accepted). */
export interface Grant {
  from: number;
  to: number;
  hpa: number;
}

/** What a partition's tables may map: its memory, its devices' windows, pages granted to it. */
export function allowedFor(hv: Hypervisor, p: Partition, grants: readonly Grant[]): HostRange[] {
  const ranges: HostRange[] = p.memory.map((r) => ({ hpa: r.hpa, size: r.size }));
  for (const { node } of flatten(hv.machine.tree))
    if (p.devices.has(node.id) && node.base !== undefined && node.size !== undefined)
      ranges.push({ hpa: node.base, size: node.size });
  for (const g of grants) if (g.to === p.id) ranges.push({ hpa: g.hpa, size: PAGE });
  return merge(ranges);
}

const dmaIds = new WeakMap<Hypervisor, string[]>();
/** The machine's DMA-capable devices (each has a DMA domain), found once per machine. */
export function dmaDevices(hv: Hypervisor): string[] {
  let ids = dmaIds.get(hv);
  if (!ids) {
    ids = [];
    for (const { node } of flatten(hv.machine.tree)) {
      try {
        hv.machine.dmaDomain(node.id);
        ids.push(node.id);
      } catch {
        // not a DMA device
      }
    }
    dmaIds.set(hv, ids);
  }
  return ids;
}

/** The pages on the reserve's free list. */
export function reserveFree(hv: Hypervisor): number[] {
  return [...hv.reserve.freePages()];
}

/** Every table page in use: each partition's stage-2 table and its vCPUs' shadow tables. */
function liveTables(hv: Hypervisor): { owner: string; walk: Walk; partition: Partition; shadow: boolean }[] {
  const out: { owner: string; walk: Walk; partition: Partition; shadow: boolean }[] = [];
  for (const p of hv.partitions.values()) {
    if (p.state === 'destroyed') continue;
    if (p.s2root)
      out.push({ owner: `partition ${p.id}`, walk: walkTable(hv.machine.mem, p.s2root), partition: p, shadow: false });
    for (const v of p.vcpus) {
      const sh = v.te?.shadow;
      if (sh)
        out.push({
          owner: `partition ${p.id} vCPU ${v.index} shadow`,
          walk: walkTable(hv.machine.mem, sh.root),
          partition: p,
          shadow: true,
        });
    }
  }
  return out;
}

export interface CheckOptions {
  /** Pages shared with the campaign's knowledge (valid offers that were accepted). */
  grants?: readonly Grant[];
  /** Reserve pages the campaign holds itself (to shrink the reserve): not free, not any table's. */
  ballast?: ReadonlySet<number>;
}

/** Queues a guest can fill (issue 12: every one needs a limit): past these, it is unbounded. */
export const QUEUE_LIMITS = { shareOffers: 10_000, events: 20_000, inbox: 64 };

/**
 * Every isolation invariant of docs/security.md#invariants, on the machine as it is now. Returns the
 * broken ones (empty: all hold).
 */
export function checkInvariants(hv: Hypervisor, opts: CheckOptions = {}): Escape[] {
  const out: Escape[] = [];
  const esc = (invariant: string, detail: string): void => void out.push({ invariant, detail });
  const mem = hv.machine.mem;
  const live = [...hv.partitions.values()].filter((p) => p.state !== 'destroyed');

  // 1. Ownership: every host page of partition memory has one owner, below the reserve.
  const owned = live.flatMap((p) => p.memory.map((r) => ({ id: p.id, hpa: r.hpa, size: r.size })));
  owned.sort((a, b) => a.hpa - b.hpa);
  for (let i = 0; i < owned.length; i++) {
    const r = owned[i];
    if (r.hpa < 0 || r.hpa + r.size > hv.usableBytes || r.size <= 0 || r.hpa % PAGE || r.size % PAGE)
      esc('ownership', `partition ${r.id} owns ${hex(r.hpa)}+${hex(r.size)}, not whole pages below the reserve`);
    const n = owned[i + 1];
    if (n && n.hpa < r.hpa + r.size) esc('ownership', `host ${hex(n.hpa)} is owned by partitions ${r.id} and ${n.id}`);
  }

  // 2. Stage 2: what a partition that may run maps is its own, or shared by its owner with it.
  const grants = (opts.grants ?? []).filter((g) => {
    const from = hv.partitions.get(g.from);
    return !!from && from.state !== 'destroyed' && from.memory.some((r) => g.hpa >= r.hpa && g.hpa < r.hpa + r.size);
  });
  const tables = liveTables(hv);
  const loaded = new Set<Partition>();
  for (let c = 0; c < hv.machine.cpus.length; c++) {
    const v = hv.currentOn(c);
    if (v) loaded.add(v.partition);
  }
  for (const t of tables) {
    for (const b of t.walk.bad) esc('stage2', `${t.owner}: a level-2 table at ${hex(b)} is outside RAM`);
    const p = t.partition;
    if (p.state !== 'running' && !loaded.has(p)) continue; // rebuilt before it can run again
    const allowed = allowedFor(hv, p, grants);
    for (const m of t.walk.maps)
      for (const u of uncovered(m, allowed)) {
        const owner = live.find((q) => q.memory.some((r) => u.hpa >= r.hpa && u.hpa < r.hpa + r.size));
        const whose = owner
          ? `partition ${owner.id}'s memory`
          : u.hpa >= hv.usableBytes && u.hpa < mem.size
            ? 'the hypervisor reserve'
            : 'nobody’s';
        esc(
          'stage2',
          `${t.owner} (${p.state}) maps guest ${hex(m.gpa + (u.hpa - m.hpa))} -> host ${hex(u.hpa)}+${hex(u.size)}: ${whose}, not shared with it`,
        );
      }
  }

  // 3. The reserve: free pages are free once, and no live table (or ballast page) is among them.
  const free = reserveFree(hv);
  const freeSet = new Set(free);
  if (freeSet.size !== free.length) esc('reserve', `${free.length - freeSet.size} page(s) are on the free list twice`);
  const user = new Map<number, string>();
  for (const t of tables)
    for (const pg of t.walk.pages) {
      if (freeSet.has(pg)) esc('reserve', `${t.owner}'s table page ${hex(pg)} is on the free list`);
      if (opts.ballast?.has(pg)) esc('reserve', `${t.owner}'s table page ${hex(pg)} was never handed out`);
      const other = user.get(pg);
      if (other && other !== t.owner) esc('reserve', `table page ${hex(pg)} belongs to ${other} and ${t.owner}`);
      user.set(pg, t.owner);
    }

  // 4. DMA: every DMA-capable device has one owner and reaches only that owner's memory.
  for (const id of dmaDevices(hv)) {
    const state = hv.machine.dmaDomain(id).saveState();
    const owners = live.filter((p) => p.devices.has(id));
    if (owners.length !== 1) {
      esc('dma', `${id} has ${owners.length} owners (${owners.map((p) => p.id).join(', ')})`);
      continue;
    }
    const reach: HostRange[] = [{ hpa: 0, size: state.identityPages * PAGE }];
    for (const [, host, pages, perms] of state.ranges ?? [])
      if (perms) reach.push({ hpa: host * PAGE, size: pages * PAGE });
    for (const [, v] of state.entries) if (v & 3) reach.push({ hpa: Math.floor(v / 4) * PAGE, size: PAGE });
    const allowed = merge(owners[0].memory);
    for (const r of merge(reach))
      for (const u of uncovered(r, allowed))
        esc(
          'dma',
          `${id} (partition ${owners[0].id}'s) can reach host ${hex(u.hpa)}+${hex(u.size)}, not its owner's memory`,
        );
  }

  // 5. Queues a guest can fill stay bounded.
  const pending = hv.shares.filter((x) => x.at < 0).length;
  if (pending > QUEUE_LIMITS.shareOffers)
    esc('queue', `${pending} share offers pending (limit ${QUEUE_LIMITS.shareOffers})`);
  if (hv.events.length > QUEUE_LIMITS.events)
    esc('queue', `${hv.events.length} log events kept (limit ${QUEUE_LIMITS.events})`);
  for (const p of live)
    if (p.inbox.length > QUEUE_LIMITS.inbox) esc('queue', `partition ${p.id}'s inbox holds ${p.inbox.length} messages`);
  return once(out);
}

/** One escape per invariant (the first seen, with how many more there were): a count of breaks, not of pages. */
export function once(xs: readonly Escape[]): Escape[] {
  const by = new Map<string, { first: Escape; more: number }>();
  for (const x of xs) {
    const b = by.get(x.invariant);
    if (b) b.more++;
    else by.set(x.invariant, { first: x, more: 0 });
  }
  return [...by.values()].map(({ first, more }) =>
    more ? { ...first, detail: `${first.detail} (and ${more} more)` } : first,
  );
}

/** Host ranges of a partition's memory (merged). */
export function hostRanges(memory: readonly MemRange[]): HostRange[] {
  return merge(memory.map((r) => ({ hpa: r.hpa, size: r.size })));
}

/** A 32-bit hash of host memory in `ranges` (word by word, two lanes mixed). */
export function hashMemory(mem: PhysicalMemory, ranges: readonly HostRange[]): string {
  let a = 0x811c9dc5;
  let b = 0x9e3779b9;
  const w = mem.i32;
  for (const r of ranges) {
    for (let i = r.hpa >>> 2, e = (r.hpa + r.size) >>> 2; i < e; i++) {
      a = Math.imul(a ^ w[i], 0x01000193);
      b = Math.imul(b + w[i], 0x85ebca6b) ^ (b >>> 13);
    }
    a = Math.imul(a ^ r.hpa, 0x01000193);
  }
  return (a >>> 0).toString(16).padStart(8, '0') + (b >>> 0).toString(16).padStart(8, '0');
}

/** The hypervisor-visible state as plain data: what a digest covers. */
export interface HvStateView {
  partitions: {
    id: number;
    name: string;
    state: string;
    memory: MemRange[];
    devices: string[];
    diskGrants: [string, number[]][];
    weight: number;
    slice: number;
    technique: string;
    entry: number;
    startFlags: number;
    s2root: number;
    inbox: number;
    vcpus: {
      index: number;
      home: number;
      state: string;
      pc: number;
      mode: number;
      regs: number[];
      csr: Record<string, number>;
      waitingReplyFrom: number;
    }[];
  }[];
  /** Share offers, pending (at < 0) and accepted (at: the acceptor's guest-physical page). */
  offers: { id: number; from: number; to: number; gpa: number; hpa: number; at: number }[];
  reserveFree: number[];
  dma: [string, unknown][];
}

/**
 * The hypervisor's state as plain data, for the digests: the part of `hv.saveState()` (issue 12,
 * state.ts) that says who owns and runs what (not counters, logs or virtual device registers), and
 * every DMA domain. The one place that reads the hypervisor for a digest.
 */
export function hvState(hv: Hypervisor): HvStateView {
  const s = hv.saveState();
  const dma: [string, unknown][] = dmaDevices(hv).map((id) => [id, hv.machine.dmaDomain(id).saveState()]);
  return {
    partitions: [...s.partitions]
      .sort((a, b) => a.id - b.id)
      .map((p) => ({
        id: p.id,
        name: p.name,
        state: p.state,
        memory: p.memory.map((r) => ({ ...r })),
        devices: [...p.devices].sort(),
        diskGrants: p.diskGrants.map(([k, n]) => [k, [...n].sort((x, y) => x - y)] as [string, number[]]),
        weight: p.weight,
        slice: p.slice,
        technique: p.technique,
        entry: p.entry,
        startFlags: p.startFlags,
        s2root: p.s2root,
        inbox: p.inbox.length,
        vcpus: p.vcpus.map((v) => ({
          index: v.index,
          home: v.home,
          state: v.state,
          pc: v.pc,
          mode: v.mode,
          regs: v.regs.slice(0, 32),
          csr: { ...v.csr },
          waitingReplyFrom: v.waitingReplyFrom,
        })),
      })),
    offers: s.shares.map((x) => ({ ...x })),
    reserveFree: [...s.reserveFree].sort((a, b) => a - b),
    dma,
  };
}

/**
 * What partition `caller` may not change, whatever it does: the hypervisor's state outside its own
 * partition. Left out: inboxes (it may send messages and notices), the memory it gives back to ctl
 * (host range `span`, its own at the start) and the stage-2 roots rebuilt for that, offers from or
 * to it.
 */
export function foreignState(hv: Hypervisor, caller: number, span: HostRange): unknown {
  const s = hvState(hv);
  const outside = (r: { hpa: number }): boolean => r.hpa < span.hpa || r.hpa >= span.hpa + span.size;
  return {
    partitions: s.partitions
      .filter((p) => p.id !== caller)
      .map((p) => ({ ...p, inbox: 0, s2root: 0, memory: p.memory.filter(outside) })),
    offers: s.offers.filter((o) => o.from !== caller && o.to !== caller),
  };
}

/** A short hash of any plain data (JSON, FNV-1a over its text). */
export function digest(data: unknown): string {
  const s = JSON.stringify(data);
  let h = 0x811c9dc5;
  let g = 0x1234567;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    h = Math.imul(h ^ c, 0x01000193);
    g = Math.imul(g ^ c, 0x5bd1e995) ^ (g >>> 15);
  }
  return (h >>> 0).toString(16).padStart(8, '0') + (g >>> 0).toString(16).padStart(8, '0');
}

/** Where two state views differ first (for a report): a path and both values, shortened. */
export function firstDifference(a: unknown, b: unknown, path = ''): string | undefined {
  if (JSON.stringify(a) === JSON.stringify(b)) return undefined;
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) {
      const d = firstDifference((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`);
      if (d) return d;
    }
  }
  const show = (x: unknown): string => {
    const s = JSON.stringify(x) ?? 'undefined';
    return s.length > 120 ? s.slice(0, 117) + '...' : s;
  };
  return `${path || '.'}: ${show(a)} -> ${show(b)}`;
}
