/**
 * The block translator's driver (docs/architecture.md#block-translation): runs one slice of a pCPU
 * with exactly the interpreter's contract (`interpret(cpu, budget)`: same steps, same traps, same
 * state at the end), running compiled regions where the code is hot and the interpreter elsewhere.
 *
 * - Hot: each dispatch at an instruction of a code page that has no region yet counts; at HOT
 *   counts the region entered there is compiled (compile.ts). Cold code runs in the interpreter, in
 *   chunks of CHUNK steps, so that counting costs nothing per instruction.
 * - Cache: regions hang off the decoded page they were compiled from (a WeakMap keyed by the
 *   page's Int32Array). PhysicalMemory drops a decoded page whenever anything writes to it (a guest
 *   store, another pCPU, DMA, a loader), and the next fetch gets a fresh array, so stale regions are
 *   never found again and are collected: self-modifying code and code loaded or written by DMA need
 *   nothing more. Regions compile in nothing about the mode or the mapping, so they need no key
 *   beyond the physical page: the page's virtual address is checked and translated by the same
 *   fetch path as the interpreter's (`cpu.refetch` through the TLB's execute permission, redone
 *   after every TLB flush or context change), and given to the region at entry.
 * - Exactness: the interpreter runs every instruction a region does not (slow paths, traps,
 *   privileged instructions, the tail of a slice), with the slice's true step count (`start`), and a
 *   slice ends where the interpreter's would: at a trap or when a slow path asks (`breakSlice`).
 */
import type { Cpu, SliceEngine } from '../Cpu.js';
import type { CodePage } from '../decode.js';
import { interpret } from '../interpreter.js';
import { contentOf, translate, type PageContent, type Region, type RegionFn } from './compile.js';

/** Dispatches at one instruction before its region is compiled. */
export const HOT = 16;
/**
 * Dispatches before a region that identical code elsewhere (another guest's copy of the same
 * kernel) has translated already is taken: such code is known to be hot, and a guest that runs a
 * kernel path a few times per time slice would otherwise interpret it for many slices. Looked for at
 * every dispatch from WARM on, not at WARM only: guests that share a kernel reach its tick path's
 * counts together (one per time slice each), so the first to compile it is rarely ahead of the
 * others by the time they pass WARM (docs/performance.md#issue-17-second-session).
 */
const WARM = 1;
/** Dispatches at one instruction, counted over every page with the same code, that make it hot. */
const SHARED_HOT = 4 * HOT;
/** Steps the interpreter runs between two looks for a region, where there is none. */
const CHUNK = 128;
/** Marks an entry whose compile found nothing to compile (the counter never reaches it). */
const NEVER = 255;

/** Regions of one decoded page, by instruction index. */
interface PageCode {
  fn: (RegionFn | undefined)[];
  block: Int16Array;
  counts: Uint8Array;
  /** Its regions; a new hot entry inside one replaces it with a region for both (one function). */
  regions: Region[];
  /** The translations of every page with this content (found at the first compile). */
  content: PageContent | undefined;
}

export interface JitStats {
  regions: number;
  /** Of those, regions whose function identical code elsewhere had compiled already (shared). */
  sharedRegions: number;
  instructionsCompiled: number;
  regionRuns: number;
  /** Instructions the interpreter ran for the translator (slow paths, cold code, slice tails). */
  interpreted: number;
}

export class Jit implements SliceEngine {
  private pages = new WeakMap<CodePage, PageCode>();
  private lastPage: CodePage | null = null;
  private lastCode: PageCode | null = null;
  readonly stats: JitStats = { regions: 0, sharedRegions: 0, instructionsCompiled: 0, regionRuns: 0, interpreted: 0 };

  /** Drop every translation (tests; the cache needs no flushing for correctness). */
  clear(): void {
    this.pages = new WeakMap();
    this.lastPage = null;
    this.lastCode = null;
  }

  run(cpu: Cpu, budget: number): number {
    const mem = cpu.mem;
    cpu.breakSlice = false;
    cpu.sliceTraps = 0;
    // As the interpreter does once per slice: code changed since the last slice -> fetch again.
    if (cpu.fetchGeneration !== mem.codeGeneration) cpu.fetchVa = -1;
    let n = 0;
    while (n < budget) {
      const pc = cpu.pc | 0;
      if ((pc & -4096) !== cpu.fetchVa) {
        // The interpreter's page change, the same call: a fetch fault is a step that trapped.
        cpu.sliceSteps = n;
        if (!cpu.refetch(pc)) {
          n++;
          break;
        }
      }
      const page = cpu.fetchPage;
      let code = this.lastCode as PageCode;
      if (page !== this.lastPage) {
        code = this.pages.get(page) as PageCode;
        if (code === undefined) {
          code = {
            fn: new Array<RegionFn | undefined>(1024),
            block: new Int16Array(1024),
            counts: new Uint8Array(1024),
            regions: [],
            content: undefined,
          };
          this.pages.set(page, code);
        }
        this.lastPage = page;
        this.lastCode = code;
      }
      const i = (pc >>> 2) & 1023;
      const fn = code.fn[i];
      if (fn !== undefined) {
        this.stats.regionRuns++;
        const r = fn(cpu, n, budget, cpu.fetchVa, code.block[i]);
        if (r >= 0) {
          n = r;
          // A hypercall in the region trapped and the slice ended there (compile.ts).
          if (cpu.sliceTraps !== 0) break;
          continue;
        }
        // The region stopped before an instruction it does not run: the interpreter runs it.
        const before = ~r;
        n = interpret(cpu, Math.min(budget, before + 1), before);
        this.stats.interpreted += n - before;
        if (cpu.sliceTraps !== 0 || cpu.breakSlice) break;
        continue;
      }
      if (code.counts[i] < NEVER) {
        const c = ++code.counts[i];
        if (c >= WARM) {
          // Hot here, or hot in all identical pages together (guests sharing a kernel: each of them
          // runs its tick path once per time slice, so its own count reaches HOT only after 16
          // slices, and meanwhile the whole path runs in the interpreter in every guest).
          code.content ??= contentOf(cpu.mem.i32, cpu.fetchHpa);
          const all = ++code.content.counts[i];
          if (this.compile(cpu, page, code, i, c < HOT && all < SHARED_HOT)) continue;
        }
      }
      const before = n;
      // Stop at the end of the page at the latest: the next page is then entered at its first
      // instruction, so code that runs straight through pages (long loops) gets counted at the same
      // pcs each time round and turns hot. And stop at the next entry of a region: a guest that was
      // preempted in the middle of a translated loop comes back there, and runs translated again
      // from the loop's next block on.
      let chunk = Math.min(CHUNK, (4096 - (pc & 4095)) >>> 2);
      if (code.regions.length > 0)
        for (let j = 1; j < chunk; j++)
          if (code.fn[i + j] !== undefined) {
            chunk = j;
            break;
          }
      n = interpret(cpu, Math.min(budget, n + chunk), n);
      this.stats.interpreted += n - before;
      if (cpu.sliceTraps !== 0 || cpu.breakSlice) break;
    }
    return n;
  }

  /** Compile the region entered at i, or with `onlyShared` take it only if it was translated before. */
  private compile(cpu: Cpu, page: CodePage, code: PageCode, i: number, onlyShared: boolean): boolean {
    // A hot entry inside a region (after a slow path, mostly) recompiles that region with one more
    // entry, so that a page's loop is one function for V8 to optimise, not one per entry.
    const old = code.regions.findIndex((r) => r.covers[i] === 1);
    code.content ??= contentOf(cpu.mem.i32, cpu.fetchHpa);
    const region = translate(
      code.content,
      [cpu, page, cpu.fetchHpa, i, old >= 0 ? code.regions[old].roots : []],
      !onlyShared,
    );
    if (region === null) return false; // not translated anywhere yet: count on to HOT
    if (!region || region.entries[i] < 0) {
      code.counts[i] = NEVER;
      return false;
    }
    if (old >= 0) code.regions.splice(old, 1);
    code.regions.push(region);
    this.stats.regions++;
    if (region.shared) this.stats.sharedRegions++;
    this.stats.instructionsCompiled += region.instructions;
    // Every block start of the region is an entry (the newest region wins where two overlap).
    for (let j = 0; j < 1024; j++) {
      const b = region.entries[j];
      if (b >= 0) {
        code.fn[j] = region.fn;
        code.block[j] = b;
      }
    }
    return true;
  }
}
