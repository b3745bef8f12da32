/**
 * The executor of control plans (plan.ts; docs/hypercalls.md#control-operations-are-all-or-nothing):
 * the one place that turns a new layout into stage-2 tables, DMA domains, TLB flushes and cleared
 * memory. It first checks that every new table fits in the hypervisor's reserve (nothing is written
 * when it does not: the operation fails with ENOMEM and the machine is exactly as it was), then builds
 * the new tables, commits the layout to the partitions, switches every pCPU and device to the new
 * tables, and only then frees the old ones. So a table in use is never on the free list.
 */
import type { IoNode } from '../machine/board.js';
import { E, fail, type HvError } from './errors.js';
import type { Hypervisor } from './Hypervisor.js';
import type { Partition } from './Partition.js';
import { sharedInto, type Layout, type Plan } from './plan.js';
import { buildStage2, stage2PagesNeeded, type Stage2Table } from './stage2.js';
import { partitionDma } from './vdevices.js';

/** The device windows a partition's stage-2 table maps (its physical devices with an address). */
export function windowsOf(hv: Hypervisor, devices: Iterable<string>): { base: number; size: number }[] {
  const out: { base: number; size: number }[] = [];
  for (const id of devices) {
    const n: IoNode | undefined = hv.deviceNode(id);
    if (n && n.base !== undefined) out.push({ base: n.base, size: n.size as number });
  }
  return out;
}

/**
 * Apply `plan` to the machine: all of it, or (ENOMEM, the reserve cannot hold the new tables) none of
 * it. `before` runs once everything is known to fit, before the layout changes (e.g. stopping the
 * partition being destroyed).
 */
export function apply(hv: Hypervisor, plan: Plan, before?: () => void): HvError | undefined {
  const next = plan.next;
  const byId = new Map(next.parts.map((p) => [p.id, p]));
  let need = 0;
  for (const id of plan.remap) {
    const p = byId.get(id);
    if (p) need += stage2PagesNeeded([...p.memory, ...sharedInto(next, id)], windowsOf(hv, p.devices));
  }
  if (need > hv.reserve.available)
    return fail(
      E.NOMEM,
      `the hypervisor reserve is full: the new stage-2 tables need ${need} pages, ${hv.reserve.available} are free`,
    );
  before?.();
  commitLayout(hv, next, plan.changed);
  const old: Stage2Table[] = [];
  for (const id of plan.remap) {
    const p = hv.partitions.get(id);
    if (!p) continue;
    const t = buildStage2(hv.machine.mem, hv.reserve, [...p.memory, ...p.shared], windowsOf(hv, p.devices));
    if (!t) throw new Error(`hypervisor: the reserve had room for partition ${id}'s table and then did not (bug)`);
    hv.chargeTable(t);
    const prev = hv.switchTable(p, t);
    if (prev) old.push(prev);
  }
  for (const id of plan.drop) {
    const prev = hv.dropTable(id);
    if (prev) old.push(prev);
  }
  // Only now that no pCPU, device or partition uses them: the old tables go back to the reserve.
  for (const t of old) hv.reserve.release(t.pages);
  for (const z of plan.zero) {
    hv.machine.mem.writeBytes(z.hpa, new Uint8Array(z.size));
    hv.charge('zeroPage', Math.ceil(z.size / 4096));
  }
  for (const s of plan.revoked) {
    hv.log(
      s.to,
      'shared',
      `share ${s.id} from partition ${s.from} revoked${s.at >= 0 ? ` (unmapped at 0x${s.at.toString(16)})` : ''}`,
    );
    const to = hv.partitions.get(s.to);
    if (to && to.state !== 'destroyed') hv.noticeTo(to, `share-revoked ${s.id}`);
  }
  return undefined;
}

/**
 * Write the changed partitions' ownership (memory, devices, shared pages) from the layout into the
 * partitions, and the share table. Only those: with thousands of partitions an operation costs what
 * it changes (the others' layout entries share their arrays with the live partitions).
 */
function commitLayout(hv: Hypervisor, next: Layout, changed: readonly number[]): void {
  const byId = new Map(next.parts.map((l) => [l.id, l]));
  for (const id of changed) {
    const l = byId.get(id);
    const p = hv.partitions.get(id);
    if (!l || !p) continue;
    if (l.memory !== p.memory) {
      const memory = l.memory.map((r) => ({ ...r }));
      p.memory.length = 0;
      p.memory.push(...memory);
    }
    const devices = [...l.devices];
    p.devices.clear();
    for (const d of devices) p.devices.add(d);
    p.shared.length = 0;
    p.shared.push(...sharedInto(next, id));
  }
  hv.shares.length = 0;
  hv.shares.push(...next.shares);
  hv.nextShareId = next.nextShareId;
}

/** DMA domains of a partition's devices, from its memory (a device reaches nothing else). */
export function setDmaDomains(hv: Hypervisor, p: Partition): void {
  p.dma = partitionDma(p);
  for (const id of p.devices) {
    try {
      hv.machine.setDmaDomain(id, p.dma);
    } catch {
      // not a DMA device
    }
  }
}
