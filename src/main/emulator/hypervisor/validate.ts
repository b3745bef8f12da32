/**
 * validatePartitions (docs/hypercalls.md#partitions): a pure check that partitions are a partition
 * of the machine: no host memory, pinned pCPU or device in two of them, nothing outside the machine.
 * Every change the hypervisor makes is checked on the proposed new set before it is applied, so an
 * allocation is all or nothing.
 */
import { brokenSubtree, type Subtrees } from './subtrees.js';

export interface PartitionSpec {
  id: number;
  memory: readonly { hpa: number; size: number }[];
  /** pCPUs its vCPUs are pinned to. */
  cpus: readonly number[];
  devices: readonly string[];
}

export interface MachineSpec {
  /** Host memory the partitions may use: [0, ramBytes). */
  ramBytes: number;
  cpus: number;
  devices: readonly string[];
  /** Controllers and what is under them (subtrees.ts): a controller is owned whole or not at all (M5). */
  subtrees?: Subtrees;
}

export function validatePartitions(parts: readonly PartitionSpec[], m: MachineSpec): string[] {
  const errors: string[] = [];
  const ranges: { id: number; start: number; end: number }[] = [];
  const devOwner = new Map<string, number>();
  const ids = new Set<number>();
  for (const p of parts) {
    if (ids.has(p.id)) errors.push(`partition ${p.id} appears twice`);
    ids.add(p.id);
    for (const r of p.memory) {
      if (r.size <= 0 || r.hpa % 4096 !== 0 || r.size % 4096 !== 0)
        errors.push(
          `partition ${p.id}: memory 0x${r.hpa.toString(16)}+0x${r.size.toString(16)} is not whole 4 KiB pages`,
        );
      if (r.hpa < 0 || r.hpa + r.size > m.ramBytes)
        errors.push(
          `partition ${p.id}: memory 0x${r.hpa.toString(16)}+0x${r.size.toString(16)} is outside the machine's ${m.ramBytes} bytes`,
        );
      ranges.push({ id: p.id, start: r.hpa, end: r.hpa + r.size });
    }
    for (const c of p.cpus)
      if (!Number.isInteger(c) || c < 0 || c >= m.cpus) errors.push(`partition ${p.id}: pCPU ${c} does not exist`);
    for (const d of p.devices) {
      if (!m.devices.includes(d)) errors.push(`partition ${p.id}: no device ${d}`);
      const o = devOwner.get(d);
      if (o !== undefined && o !== p.id) errors.push(`device ${d} belongs to partitions ${o} and ${p.id}`);
      devOwner.set(d, p.id);
    }
    const broken = brokenSubtree(m.subtrees, p.devices);
    if (broken) errors.push(`partition ${p.id}: ${broken}`);
  }
  ranges.sort((a, b) => a.start - b.start);
  for (let i = 1; i < ranges.length; i++) {
    const a = ranges[i - 1];
    const b = ranges[i];
    if (b.start < a.end)
      errors.push(
        `memory 0x${b.start.toString(16)}..0x${(Math.min(a.end, b.end) - 1).toString(16)} belongs to partitions ${a.id} and ${b.id}`,
      );
  }
  return errors;
}

/**
 * The same check when only the partitions in `changed` differ from a set that passed it (how every
 * control operation changes the layout): the changed ones are checked in full, among themselves and
 * against each unchanged one, with no sort of the whole machine's ranges, so an operation on one
 * partition among thousands costs one pass over the others. Empty exactly when validatePartitions
 * would be, given the unchanged partitions were valid together (the property test holds it to that).
 */
export function validateChanged(
  parts: readonly PartitionSpec[],
  changed: ReadonlySet<number>,
  m: MachineSpec,
): string[] {
  const mine = parts.filter((p) => changed.has(p.id));
  const errors = validatePartitions(mine, m);
  const ranges = mine
    .flatMap((p) => p.memory.map((r) => ({ id: p.id, start: r.hpa, end: r.hpa + r.size })))
    .sort((a, b) => a.start - b.start);
  const devOwner = new Map<string, number>();
  for (const p of mine) for (const d of p.devices) devOwner.set(d, p.id);
  for (const p of parts) {
    if (changed.has(p.id)) continue;
    for (const d of p.devices) {
      const o = devOwner.get(d);
      if (o !== undefined) errors.push(`device ${d} belongs to partitions ${o} and ${p.id}`);
    }
    for (const r of p.memory) {
      const start = r.hpa;
      const end = r.hpa + r.size;
      // The first changed range ending after `start` (ranges sorted by start; where they overlap each
      // other the error is already reported, so the first few are scanned).
      let lo = 0;
      let hi = ranges.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (ranges[mid].start < start) lo = mid + 1;
        else hi = mid;
      }
      for (let i = Math.max(0, lo - 1); i < ranges.length && ranges[i].start < end; i++)
        if (ranges[i].end > start)
          errors.push(
            `memory 0x${Math.max(start, ranges[i].start).toString(16)}..0x${(Math.min(end, ranges[i].end) - 1).toString(16)} belongs to partitions ${ranges[i].id} and ${p.id}`,
          );
    }
  }
  return errors;
}
