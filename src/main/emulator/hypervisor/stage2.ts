/**
 * Stage-2 tables (docs/isa.md#paging) for partitions, built by the hypervisor in its reserve of host
 * memory. A partition's table maps exactly its memory (read, write, execute) and the windows of its
 * physical devices (read, write); everything else faults to the hypervisor (M4). Tables are rebuilt
 * whole on every change: partitions change rarely, and a rebuild cannot leave a stale mapping behind.
 */
import type { PhysicalMemory } from '../memory/PhysicalMemory.js';
import { PTE_R, PTE_V, PTE_W, PTE_X } from '../mmu/pte.js';
import type { MemRange } from './Partition.js';

const PAGE = 4096;
const SUPER = 4 << 20;

/** Page allocator over the hypervisor's reserve [base, base+size). */
export class ReservePages {
  private readonly free: number[] = [];
  constructor(
    readonly base: number,
    readonly size: number,
  ) {
    for (let a = base + size - PAGE; a >= base; a -= PAGE) this.free.push(a);
  }
  alloc(): number | undefined {
    return this.free.pop();
  }
  release(pages: number[]): void {
    this.free.push(...pages);
  }
  get available(): number {
    return this.free.length;
  }
  /** The free pages in allocation order (the last is handed out next): for save/restore and checks. */
  freePages(): readonly number[] {
    return this.free;
  }
  /** Every page free again, in the order of a fresh reserve (the hypervisor's restart, M24). */
  reset(): void {
    this.free.length = 0;
    for (let a = this.base + this.size - PAGE; a >= this.base; a -= PAGE) this.free.push(a);
  }
  restoreFree(pages: readonly number[]): void {
    this.free.length = 0;
    this.free.push(...pages);
  }
}

export interface Stage2Table {
  root: number;
  /** Every page the table uses (root included), to release on rebuild. */
  pages: number[];
  /** What building it took, to charge (src/shared/hvCosts.ts); absent on tables restored from a snapshot. */
  built?: { entries: number; scanned: number };
}

/**
 * Build a table mapping `memory` (RWX) and `windows` (RW, identity). Returns undefined when the
 * reserve is exhausted (nothing is left allocated).
 */
/**
 * A two-level page table being written into the hypervisor's reserve (stage-2 tables and the
 * shadow tables of trap-and-emulate share this format): pages come zeroed from the reserve, and
 * `release()` gives them all back when a build cannot finish.
 */
export class TableWriter {
  readonly pages: number[] = [];
  /** Entries written, and guest entries read (a shadow build): what the build costs (src/shared/hvCosts.ts). */
  entries = 0;
  scanned = 0;
  private readonly l2 = new Map<number, number>();
  /** Undefined when the reserve had no page for the root. */
  readonly root: number | undefined;

  constructor(
    private readonly mem: PhysicalMemory,
    private readonly reserve: ReservePages,
  ) {
    this.root = this.page();
  }

  private page(): number | undefined {
    const p = this.reserve.alloc();
    if (p === undefined) return undefined;
    this.mem.writeBytes(p, new Uint8Array(PAGE));
    this.pages.push(p);
    return p;
  }

  /** Whether the 4 MiB slot of `va` already has a second-level table. */
  hasTable(va: number): boolean {
    return this.l2.has(va >>> 22);
  }

  /** A 4 MiB leaf in the root. */
  mapSuper(va: number, pa: number, flags: number): void {
    this.entries++;
    this.mem.write32((this.root as number) + (va >>> 22) * 4, (pa & 0xffc00000) | flags);
  }

  /** A 4 KiB leaf; false when the reserve is full. */
  map4k(va: number, pa: number, flags: number): boolean {
    const i1 = va >>> 22;
    let t = this.l2.get(i1);
    if (t === undefined) {
      const p = this.page();
      if (p === undefined) return false;
      t = p;
      this.l2.set(i1, t);
      this.mem.write32((this.root as number) + i1 * 4, t | PTE_V);
      this.entries++;
    }
    this.entries++;
    this.mem.write32(t + ((va >>> 12) & 0x3ff) * 4, (pa & ~0xfff) | flags);
    return true;
  }

  /** The finished table. */
  table(): Stage2Table {
    return { root: this.root as number, pages: this.pages, built: { entries: this.entries, scanned: this.scanned } };
  }

  /** Gives every page back (a build that could not finish); returns undefined for the caller. */
  release(): undefined {
    // In reverse: the free list is then exactly as it was before the build.
    this.reserve.release([...this.pages].reverse());
    return undefined;
  }
}

/** Where a table is laid out: the real writer, or a counter that only says how many pages it needs. */
interface TableSink {
  hasTable(va: number): boolean;
  mapSuper(va: number, pa: number, flags: number): void;
  map4k(va: number, pa: number, flags: number): boolean;
}

/** The one layout of a stage-2 table (memory RWX with 4 MiB leaves where aligned, windows RW). */
function layStage2(
  t: TableSink,
  memory: readonly MemRange[],
  windows: readonly { base: number; size: number }[],
): boolean {
  const RWX = PTE_V | PTE_R | PTE_W | PTE_X;
  for (const r of memory) {
    let off = 0;
    while (off < r.size) {
      const g = r.gpa + off;
      const h = r.hpa + off;
      if (g % SUPER === 0 && h % SUPER === 0 && r.size - off >= SUPER && !t.hasTable(g)) {
        t.mapSuper(g, h, RWX);
        off += SUPER;
      } else {
        if (!t.map4k(g, h, RWX)) return false;
        off += PAGE;
      }
    }
  }
  for (const w of windows) {
    for (let o = 0; o < w.size; o += PAGE) if (!t.map4k(w.base + o, w.base + o, PTE_V | PTE_R | PTE_W)) return false;
  }
  return true;
}

/**
 * Pages of the reserve that buildStage2 would take for this table: the executor checks the whole
 * operation fits before it writes anything (docs/hypercalls.md#control-operations-are-all-or-nothing).
 */
export function stage2PagesNeeded(
  memory: readonly MemRange[],
  windows: readonly { base: number; size: number }[],
): number {
  // The same decisions as layStage2, a 4 MiB slot at a time: once a slot has a second-level table,
  // the rest of the range in that slot is 4 KiB pages in it (so there is no need to walk them).
  const l2 = new Set<number>();
  for (const r of memory) {
    let off = 0;
    while (off < r.size) {
      const g = r.gpa + off;
      const h = r.hpa + off;
      if (g % SUPER === 0 && h % SUPER === 0 && r.size - off >= SUPER && !l2.has(g >>> 22)) {
        off += SUPER;
        continue;
      }
      l2.add(g >>> 22);
      off += Math.min(r.size - off, SUPER - (g % SUPER));
    }
  }
  for (const w of windows) for (let o = 0; o < w.size; o += PAGE) l2.add((w.base + o) >>> 22);
  return 1 + l2.size;
}

export function buildStage2(
  mem: PhysicalMemory,
  reserve: ReservePages,
  memory: readonly MemRange[],
  windows: readonly { base: number; size: number }[],
): Stage2Table | undefined {
  const t = new TableWriter(mem, reserve);
  if (t.root === undefined) return t.release();
  return layStage2(t, memory, windows) ? t.table() : t.release();
}
