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
}

export interface Stage2Table {
  root: number;
  /** Every page the table uses (root included), to release on rebuild. */
  pages: number[];
}

/**
 * Build a table mapping `memory` (RWX) and `windows` (RW, identity). Returns undefined when the
 * reserve is exhausted (nothing is left allocated).
 */
export function buildStage2(
  mem: PhysicalMemory,
  reserve: ReservePages,
  memory: readonly MemRange[],
  windows: readonly { base: number; size: number }[],
): Stage2Table | undefined {
  const pages: number[] = [];
  const page = (): number | undefined => {
    const p = reserve.alloc();
    if (p === undefined) return undefined;
    mem.writeBytes(p, new Uint8Array(PAGE));
    pages.push(p);
    return p;
  };
  const root = page();
  if (root === undefined) return undefined;
  const l2 = new Map<number, number>();
  const map4k = (gpa: number, hpa: number, flags: number): boolean => {
    const i1 = gpa >>> 22;
    let t = l2.get(i1);
    if (t === undefined) {
      const p = page();
      if (p === undefined) return false;
      t = p;
      l2.set(i1, t);
      mem.write32(root + i1 * 4, t | PTE_V);
    }
    mem.write32(t + ((gpa >>> 12) & 0x3ff) * 4, (hpa & ~0xfff) | flags);
    return true;
  };
  const RWX = PTE_V | PTE_R | PTE_W | PTE_X;
  for (const r of memory) {
    let off = 0;
    while (off < r.size) {
      const g = r.gpa + off;
      const h = r.hpa + off;
      if (g % SUPER === 0 && h % SUPER === 0 && r.size - off >= SUPER && !l2.has(g >>> 22)) {
        mem.write32(root + (g >>> 22) * 4, (h & 0xffc00000) | RWX);
        off += SUPER;
      } else {
        if (!map4k(g, h, RWX)) return undo();
        off += PAGE;
      }
    }
  }
  for (const w of windows) {
    for (let o = 0; o < w.size; o += PAGE) if (!map4k(w.base + o, w.base + o, PTE_V | PTE_R | PTE_W)) return undo();
  }
  return { root, pages };

  function undo(): undefined {
    reserve.release(pages);
    return undefined;
  }
}
