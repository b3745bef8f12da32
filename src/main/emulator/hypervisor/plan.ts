/**
 * Control operations as pure plans (docs/hypercalls.md#control-operations-are-all-or-nothing): the
 * hypervisor's ownership state is plain data (`Layout`: partitions with their memory, devices and
 * pCPUs, and the shared pages between them), and every change to it is `plan(layout, op)`, which
 * returns the next layout and what the executor (apply.ts) must do to the machine, or a typed error.
 * The partition checker runs on every proposed layout before anything changes, as Jailhouse checks
 * a cell's configuration: nothing here touches RAM, tables or devices.
 */
import { E, fail, type HvError } from './errors.js';
import type { MemRange, PartitionState } from './Partition.js';
import { groupOf, keepWhole } from './subtrees.js';
import { validateChanged, validatePartitions, type MachineSpec } from './validate.js';

/** Offers one partition may have pending (not yet accepted): a guest cannot grow the table without bound. */
export const MAX_OFFERS = 16;
/** Pages shared into one partition (each one is a mapping in its stage-2 table). */
export const MAX_SHARED = 64;
/** Guest-physical addresses at and above this are the device windows: no shared page goes there. */
export const DEVICE_SPACE = 0xf000_0000;
const PAGE = 4096;

/** A page offered by `from` to `to`; accepted when `at` >= 0 (the acceptor's guest-physical address). */
export interface Share {
  readonly id: number;
  readonly from: number;
  readonly to: number;
  /** The offerer's guest-physical address of the page, and the host page behind it. */
  readonly gpa: number;
  readonly hpa: number;
  readonly at: number;
}

export interface PartLayout {
  readonly id: number;
  readonly state: PartitionState;
  /** Its own guest-physical memory, contiguous from 0. */
  readonly memory: readonly MemRange[];
  readonly devices: readonly string[];
  /** The pCPUs its vCPUs are pinned to. */
  readonly cpus: readonly number[];
}

export interface Layout {
  readonly parts: readonly PartLayout[];
  readonly shares: readonly Share[];
  readonly nextShareId: number;
}

export type ControlOp =
  /** Move [gpa, gpa+size) of `from`'s memory to the end of `to`'s (assign, mem_release, swap-in). */
  | {
      readonly op: 'move-memory';
      readonly from: number;
      readonly to: number;
      readonly gpa: number;
      readonly size: number;
    }
  /** All of `from`'s memory to the end of `to`'s (swap-out). */
  | { readonly op: 'return-memory'; readonly from: number; readonly to: number }
  /**
   * A device, or a controller with its whole subtree (M5), to `to` from whoever owns it; `by` is the
   * caller (ctl), or the running owner that agreed to let it go (dev_release).
   */
  | { readonly op: 'assign-device'; readonly by: number; readonly to: number; readonly device: string }
  | { readonly op: 'share-offer'; readonly from: number; readonly to: number; readonly gpa: number }
  | { readonly op: 'share-accept'; readonly by: number; readonly id: number; readonly gpa: number }
  /** Memory and devices back to partition 0; the partition leaves the layout. */
  | { readonly op: 'destroy'; readonly id: number };

export interface Plan {
  readonly next: Layout;
  /** Partitions whose stage-2 table and DMA domains the executor rebuilds (in this order). */
  readonly remap: readonly number[];
  /**
   * Partitions whose ownership (memory, devices, shared pages) the plan changes: the executor writes
   * only these back (the others' entries in `next` are the very objects of the input layout).
   */
  readonly changed: readonly number[];
  /** Partitions that leave: their tables are freed once the others are switched. */
  readonly drop: readonly number[];
  /** Shares this operation revoked: mappings taken away, offers withdrawn. */
  readonly revoked: readonly Share[];
  /** Host ranges to clear as they change hands (swap-out: nothing of the guest stays behind). */
  readonly zero: readonly { readonly hpa: number; readonly size: number }[];
  /** The share made by share-offer. */
  readonly shareId?: number;
}

/** The mappings of shared pages a partition sees (its accepted shares). */
export function sharedInto(layout: Layout, id: number): MemRange[] {
  return layout.shares.filter((s) => s.to === id && s.at >= 0).map((s) => ({ gpa: s.at, hpa: s.hpa, size: PAGE }));
}

function memEnd(memory: readonly MemRange[]): number {
  return memory.reduce((e, r) => Math.max(e, r.gpa + r.size), 0);
}

/** Host address of `gpa` in `memory` (own memory only), or -1. */
function hostIn(memory: readonly MemRange[], gpa: number): number {
  for (const r of memory) if (gpa >= r.gpa && gpa < r.gpa + r.size) return r.hpa + (gpa - r.gpa);
  return -1;
}

function owns(memory: readonly MemRange[], gpa: number, size: number): boolean {
  for (let a = gpa; a < gpa + size; a += PAGE) if (hostIn(memory, a) < 0) return false;
  return true;
}

/** `from` without [gpa, gpa+size), and the pieces taken, in guest-physical order. */
function cut(memory: readonly MemRange[], gpa: number, size: number): { keep: MemRange[]; pieces: MemRange[] } {
  const keep: MemRange[] = [];
  const pieces: MemRange[] = [];
  for (const r of memory) {
    const s = Math.max(r.gpa, gpa);
    const e = Math.min(r.gpa + r.size, gpa + size);
    if (s >= e) {
      keep.push(r);
      continue;
    }
    if (r.gpa < s) keep.push({ gpa: r.gpa, hpa: r.hpa, size: s - r.gpa });
    pieces.push({ gpa: s, hpa: r.hpa + (s - r.gpa), size: e - s });
    if (e < r.gpa + r.size) keep.push({ gpa: e, hpa: r.hpa + (e - r.gpa), size: r.gpa + r.size - e });
  }
  pieces.sort((a, b) => a.gpa - b.gpa);
  return { keep, pieces };
}

/** `memory` with `pieces` appended from its end on (guest-physical memory stays contiguous). */
function append(memory: readonly MemRange[], pieces: readonly MemRange[]): MemRange[] {
  const out = [...memory];
  let next = memEnd(memory);
  for (const p of pieces) {
    out.push({ gpa: next, hpa: p.hpa, size: p.size });
    next += p.size;
  }
  return out;
}

/**
 * The next layout after `op`, or why not. Pure: the same layout and operation always give the same
 * answer, and `layout` is not changed.
 */
export function plan(layout: Layout, op: ControlOp, machine: MachineSpec): Plan | HvError {
  const byId = new Map(layout.parts.map((p) => [p.id, p]));
  const parts = new Map(byId);
  const changed = new Set<number>();
  const set = (id: number, change: Partial<PartLayout>) => {
    changed.add(id);
    parts.set(id, { ...(parts.get(id) as PartLayout), ...change });
  };
  let shares = [...layout.shares];
  let nextShareId = layout.nextShareId;
  const remap = new Set<number>();
  const drop: number[] = [];
  const zero: { hpa: number; size: number }[] = [];
  let shareId: number | undefined;

  switch (op.op) {
    case 'move-memory': {
      const from = byId.get(op.from);
      const to = byId.get(op.to);
      if (!from || !to) return fail(E.NOENT, `no partition ${!from ? op.from : op.to}`);
      if (from === to) return fail(E.INVAL, `partition ${op.from} cannot give memory to itself`);
      if (op.gpa % PAGE !== 0 || op.size % PAGE !== 0 || op.size <= 0 || op.gpa < 0)
        return fail(E.INVAL, `0x${hex(op.gpa)}+0x${hex(op.size)} is not whole 4 KiB pages`);
      if (!owns(from.memory, op.gpa, op.size))
        return fail(E.NOMEM, `0x${hex(op.gpa)}+0x${hex(op.size)} is not partition ${from.id}'s memory`);
      const { keep, pieces } = cut(from.memory, op.gpa, op.size);
      set(from.id, { memory: keep });
      set(to.id, { memory: append(to.memory, pieces) });
      remap.add(from.id).add(to.id);
      break;
    }
    case 'return-memory': {
      const from = byId.get(op.from);
      const to = byId.get(op.to);
      if (!from || !to) return fail(E.NOENT, `no partition ${!from ? op.from : op.to}`);
      set(to.id, { memory: append(to.memory, from.memory) });
      set(from.id, { memory: [] });
      for (const r of from.memory) zero.push({ hpa: r.hpa, size: r.size });
      remap.add(from.id).add(to.id);
      break;
    }
    case 'destroy': {
      const p = byId.get(op.id);
      const ctl = byId.get(0);
      if (!p || !ctl || op.id === 0) return fail(E.NOENT, `no partition ${op.id} to destroy`);
      set(0, { memory: append(ctl.memory, p.memory), devices: [...ctl.devices, ...p.devices] });
      parts.delete(op.id);
      drop.push(op.id);
      remap.add(0);
      break;
    }
    case 'assign-device': {
      // M5 (docs/hypercalls.md#device-subtrees): a controller goes with everything under it, from
      // whoever owns each part; an owner that is running must be the caller or have agreed
      // (`by` is then the owner itself: dev_release).
      const to = byId.get(op.to);
      if (!to) return fail(E.NOENT, `no partition ${op.to}`);
      const group = groupOf(machine.subtrees, op.device);
      const ownerOf = (d: string) => layout.parts.find((p) => p.devices.includes(d));
      const owners = new Set(group.map(ownerOf).filter((p): p is PartLayout => p !== undefined));
      if (owners.size === 0 && !machine.subtrees?.has(op.device))
        return fail(E.NOENT, `no device ${op.device} (or nobody owns it)`);
      if (group.every((d) => to.devices.includes(d)))
        return fail(E.INVAL, `partition ${to.id} already owns ${op.device}`);
      for (const o of owners)
        if (o.id !== op.by && o.id !== to.id && o.state === 'running')
          return fail(
            E.BUSY,
            `${group.find((d) => o.devices.includes(d))} belongs to partition ${o.id}, which is running: ask it to release it, or stop it first`,
          );
      const moving = new Set(group);
      for (const o of owners) {
        if (o.id === to.id) continue;
        set(o.id, {
          devices: keepWhole(
            machine.subtrees,
            o.devices.filter((d) => !moving.has(d)),
          ),
        });
        remap.add(o.id);
      }
      const mine = (parts.get(to.id) as PartLayout).devices.filter((d) => !moving.has(d));
      set(to.id, { devices: [...mine, ...group] });
      remap.add(to.id);
      break;
    }
    case 'share-offer': {
      const from = byId.get(op.from);
      const to = byId.get(op.to);
      if (!from || !to || from === to) return fail(E.NOENT, `no partition ${op.to} to offer a page to`);
      if (op.gpa % PAGE !== 0) return fail(E.INVAL, `0x${hex(op.gpa)} is not the start of a page`);
      const hpa = hostIn(from.memory, op.gpa);
      if (hpa < 0) return fail(E.NOMEM, `0x${hex(op.gpa)} is not partition ${from.id}'s own memory`);
      const pending = shares.filter((s) => s.from === from.id && s.at < 0).length;
      if (pending >= MAX_OFFERS)
        return fail(E.NOSPC, `partition ${from.id} has ${MAX_OFFERS} offers pending: the most it may have`);
      shareId = nextShareId++;
      shares.push({ id: shareId, from: from.id, to: to.id, gpa: op.gpa, hpa, at: -1 });
      break;
    }
    case 'share-accept': {
      const by = byId.get(op.by);
      const s = shares.find((x) => x.id === op.id && x.to === op.by && x.at < 0);
      if (!by || !s) return fail(E.NOENT, `no share ${op.id} offered to partition ${op.by}`);
      const gpa = op.gpa >>> 0;
      if (
        gpa % PAGE !== 0 ||
        gpa >= DEVICE_SPACE ||
        hostIn(by.memory, gpa) >= 0 ||
        sharedInto(layout, by.id).some((r) => r.gpa === gpa)
      )
        return fail(E.INVAL, `0x${hex(gpa)} is not a free page-aligned address below the device windows`);
      if (sharedInto(layout, by.id).length >= MAX_SHARED)
        return fail(E.NOSPC, `partition ${by.id} already has ${MAX_SHARED} shared pages: the most it may have`);
      shares = shares.map((x) => (x === s ? { ...s, at: gpa } : x));
      remap.add(by.id);
      break;
    }
  }

  // Revoke every share whose page its offerer no longer holds at the offered address (given away,
  // released, swapped out, destroyed), or whose acceptor is gone: a mapping never outlives the
  // owner's consent (issue 12.3).
  const revoked: Share[] = [];
  shares = shares.filter((s) => {
    const from = parts.get(s.from);
    const to = parts.get(s.to);
    const held = from !== undefined && from.state !== 'swapped' && hostIn(from.memory, s.gpa) === s.hpa;
    if (held && to !== undefined && !(op.op === 'return-memory' && s.to === op.from)) return true;
    revoked.push(s);
    if (s.at >= 0 && to) remap.add(s.to);
    return false;
  });

  const next: Layout = {
    parts: layout.parts.filter((p) => parts.has(p.id)).map((p) => parts.get(p.id) as PartLayout),
    shares,
    nextShareId,
  };
  for (const id of remap) changed.add(id);
  // The input layout passed the checker (every layout the hypervisor holds came through here), so
  // only what changed needs checking against the rest.
  const bad = checkLayout(next, machine, changed);
  if (bad.length) return fail(E.INVAL, `refused by the partition checker: ${bad.join('; ')}`);
  return {
    next,
    remap: [...remap].filter((id) => parts.has(id)),
    changed: [...changed].filter((id) => parts.has(id)),
    drop,
    revoked,
    zero,
    shareId,
  };
}

/**
 * The partition checker on a whole layout: validatePartitions (no host page, pinned pCPU or device
 * in two partitions; nothing outside the machine) and the shared pages (each offered page is its
 * offerer's own memory; each mapping lies outside the acceptor's memory and device windows, once;
 * the limits hold). Empty when the layout is sound. With `changed`: the layout differs only in those
 * partitions from one that passed (validateChanged).
 */
export function checkLayout(layout: Layout, machine: MachineSpec, changed?: ReadonlySet<number>): string[] {
  const specs = layout.parts.map((p) => ({ id: p.id, memory: p.memory, cpus: p.cpus, devices: p.devices }));
  const errors = changed ? validateChanged(specs, changed, machine) : validatePartitions(specs, machine);
  const byId = new Map(layout.parts.map((p) => [p.id, p]));
  const seen = new Set<string>();
  const pending = new Map<number, number>();
  const mapped = new Map<number, number>();
  for (const s of layout.shares) {
    const from = byId.get(s.from);
    if (!from || hostIn(from.memory, s.gpa) !== s.hpa)
      errors.push(`share ${s.id}: page 0x${hex(s.hpa)} is not partition ${s.from}'s memory at 0x${hex(s.gpa)}`);
    const to = byId.get(s.to);
    if (!to) errors.push(`share ${s.id}: no partition ${s.to}`);
    if (s.at < 0) {
      pending.set(s.from, (pending.get(s.from) ?? 0) + 1);
      continue;
    }
    mapped.set(s.to, (mapped.get(s.to) ?? 0) + 1);
    if (to && (hostIn(to.memory, s.at) >= 0 || s.at >= DEVICE_SPACE || s.at % PAGE !== 0))
      errors.push(`share ${s.id}: 0x${hex(s.at)} is not a free address of partition ${s.to}`);
    const key = `${s.to}:${s.at}`;
    if (seen.has(key)) errors.push(`share ${s.id}: partition ${s.to} has two pages at 0x${hex(s.at)}`);
    seen.add(key);
  }
  for (const [id, n] of pending)
    if (n > MAX_OFFERS) errors.push(`partition ${id}: ${n} offers pending (most ${MAX_OFFERS})`);
  for (const [id, n] of mapped)
    if (n > MAX_SHARED) errors.push(`partition ${id}: ${n} shared pages (most ${MAX_SHARED})`);
  return errors;
}

function hex(n: number): string {
  return (n >>> 0).toString(16);
}
