/**
 * Pure helpers of the Controlling-OS panel: a stable colour per owner, the memory map as bar
 * segments, and the device list as a tree. Kept free of the DOM so that they are unit-tested.
 */
import type { Ownership } from '../../shared/api.js';

/** Distinct hues on a dark background; partition ids beyond the palette wrap around. */
export const OWNER_PALETTE = [
  '#5eb1ff', // 0: ctl
  '#3fb950',
  '#d29922',
  '#bc8cff',
  '#39c5cf',
  '#ff7b72',
  '#e3b341',
  '#f778ba',
  '#7ee787',
  '#a5d6ff',
];
export const HYPERVISOR_COLOUR = '#6e7681';
export const FREE_COLOUR = '#1b222c';

/** The colour of an owner: a partition id, or null for the hypervisor. */
export function ownerColour(owner: number | null): string {
  if (owner === null) return HYPERVISOR_COLOUR;
  return OWNER_PALETTE[owner % OWNER_PALETTE.length]!;
}

export interface BarSegment {
  base: number;
  size: number;
  owner: number | null | 'free';
  what: string;
  /** Percent of the bar. */
  left: number;
  width: number;
}

/**
 * The memory map as segments of a bar over [0, totalBytes): ranges sorted by base, gaps shown as
 * free, and every range at least `minPercent` wide so that a 64 KiB range on a 1 GiB machine can
 * still be seen and pointed at (the others shrink to make room, in proportion).
 */
export function memorySegments(memory: Ownership['memory'], totalBytes: number, minPercent = 1.5): BarSegment[] {
  const sorted = [...memory].filter((m) => m.size > 0).sort((a, b) => a.base - b.base);
  const parts: Omit<BarSegment, 'left' | 'width'>[] = [];
  let at = 0;
  for (const m of sorted) {
    if (m.base > at) parts.push({ base: at, size: m.base - at, owner: 'free', what: 'free' });
    parts.push({ base: m.base, size: m.size, owner: m.owner, what: m.what });
    at = Math.max(at, m.base + m.size);
  }
  const total = Math.max(totalBytes, at);
  if (total > at) parts.push({ base: at, size: total - at, owner: 'free', what: 'free' });
  if (parts.length === 0 || total === 0) return [];

  const raw = parts.map((p) => (p.size / total) * 100);
  const small = raw.map((w) => w < minPercent);
  const smallCount = small.filter(Boolean).length;
  const reserved = smallCount * minPercent;
  const bigTotal = raw.reduce((s, w, i) => (small[i] ? s : s + w), 0);
  const scale = bigTotal > 0 ? Math.max(0, 100 - reserved) / bigTotal : 0;
  let left = 0;
  return parts.map((p, i) => {
    const width = small[i] ? minPercent : raw[i]! * scale;
    const seg = { ...p, left, width };
    left += width;
    return seg;
  });
}

export interface DeviceNode {
  device: Ownership['devices'][number];
  children: DeviceNode[];
  depth: number;
}

/** The devices as a forest (by `parent`), children in address order; a missing parent makes a root. */
export function deviceTree(devices: Ownership['devices']): DeviceNode[] {
  const byId = new Map(devices.map((d) => [d.id, d]));
  const kids = new Map<string | undefined, Ownership['devices']>();
  for (const d of devices) {
    const p = d.parent !== undefined && byId.has(d.parent) && d.parent !== d.id ? d.parent : undefined;
    kids.set(p, [...(kids.get(p) ?? []), d]);
  }
  const seen = new Set<string>();
  const build = (parent: string | undefined, depth: number): DeviceNode[] =>
    [...(kids.get(parent) ?? [])]
      .sort((a, b) => a.base - b.base || a.name.localeCompare(b.name))
      .filter((d) => !seen.has(d.id) && seen.add(d.id))
      .map((d) => ({ device: d, depth, children: build(d.id, depth + 1) }));
  const roots = build(undefined, 0);
  // Devices in a parent cycle are reached from no root: show them as roots rather than lose them.
  for (const d of devices) {
    if (seen.has(d.id)) continue;
    seen.add(d.id);
    roots.push({ device: d, depth: 0, children: build(d.id, 1) });
  }
  return roots;
}

/** The forest flattened in display order (depth-first). */
export function flatten(nodes: DeviceNode[]): DeviceNode[] {
  return nodes.flatMap((n) => [n, ...flatten(n.children)]);
}
