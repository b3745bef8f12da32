/**
 * The block translator's compiler (docs/architecture.md#block-translation): one hot entry point of a
 * decoded code page becomes one JavaScript function covering every block reachable from it inside
 * the page by direct branches and jumps (and the return sites of calls), with the guest registers in
 * JS locals. Blocks are the cases of a `switch` inside a `for (;;)`: a branch to another block of
 * the region is `b = id; continue`, falling through is falling through, and a block that branches to
 * itself becomes a plain JS loop, which is where V8 does best.
 *
 * What a region does and does not do, so that it stays exactly the interpreter (interpreter.ts):
 * - it executes only instructions whose effect is registers, pc and RAM through a TLB hit, with the
 *   interpreter's own expressions and the same TLB fast-path check (permissions included);
 * - anything else (a TLB miss, a misaligned access, a device, control registers, privileged
 *   instructions, atomics, syscall, illegal words) is left to the interpreter: the region writes its
 *   registers back, sets cpu.pc to that instruction and returns `~n`, and the driver (Jit.ts) runs
 *   that one instruction with `interpret`;
 * - before each block it checks the slice's budget (a countdown of the steps left): a block that
 *   would not fit is left to the interpreter too, so a slice ends at exactly the same instruction
 *   count as the interpreter's;
 * - every exit returns a number (the steps of the slice done so far, or `~steps`); nothing throws.
 * Nothing about the mode or the mapping is compiled in: the page's virtual address, the TLB context
 * and the memory views are read at entry, so one region serves any mapping of its physical page.
 */
import type { Cpu } from '../Cpu.js';
import { CAUSE } from '../../../../shared/isa/csrs.js';
import { baseKind, decodeInto, K_DECODE, KIND, SINK, type CodePage } from '../decode.js';
import { accessJs, alignOf, aluJs, condJs, isMem, isStore, lit } from './emit.js';
import { versionLoop } from './loops.js';

/** (cpu, steps done in this slice, slice budget, virtual address of the page, entry block) -> steps
 *  done, or ~steps when the instruction at cpu.pc must be run by the interpreter. */
export type RegionFn = (cpu: Cpu, n: number, budget: number, pageVa: number, block: number) => number;

export interface Region {
  fn: RegionFn;
  /** Block id by instruction index (0..1023) of the page, -1 where no block starts. */
  entries: Int16Array;
  /** The entries it was compiled for, and the instructions it holds (to merge regions of a page). */
  roots: number[];
  covers: Uint8Array;
  instructions: number;
  blocks: number;
  /** The generated source (for tests and debugging). */
  source: string;
  /** Its function was already there: identical code compiled before (in any guest or machine). */
  shared: boolean;
}

/** Where a region is compiled: the pCPU, the decoded page and its physical address, the entry
 *  instruction, and the entries of a region it replaces. */
type RegionSite = [cpu: Cpu, page: CodePage, hpa: number, entry: number, more?: readonly number[]];

/**
 * How much a region may hold, in units of generated code: an instruction costs 1, a load or store
 * MEM_COST (its TLB check is ~10x the JavaScript, ~190 bytes of bytecode). Small, because V8 treats
 * a big function badly when each call runs a little of it, as kernel code does (a few dozen
 * instructions of a page per call): it optimises a function only after running ~67 KB of its
 * bytecode (3 + bytecode length / 150) times, and a block first reached in optimised code, which has
 * no type feedback yet, deoptimises the whole function. A 600-instruction kernel region (~45 KB of
 * bytecode) needed ~10,000 calls at 1-6 us each, unoptimised, after every such deoptimisation; with
 * 100 cos guests that was a third of the run time. Hot loops are small and stay whole.
 */
const MAX_REGION_COST = 256;
const MEM_COST = 8;
/** Loop versioning of the TLB check (loops.ts); a switch so that its cost can be measured. */
export let VERSION_LOOPS = true;
export function setVersionLoops(on: boolean): void {
  VERSION_LOOPS = on;
}
const K = KIND;

function inline(k: number): boolean {
  return (k >= K.add && k <= K.remu) || (k >= K.addi && k <= K.jalr) || k === K.hypercall;
}
function isBranch(k: number): boolean {
  return k >= K.beq && k <= K.bgeu;
}
function endsBlock(k: number): boolean {
  return isBranch(k) || k === K.jal || k === K.jalr;
}

/**
 * Compile the region entered at instruction `entry` of `page` (whose physical address is `hpa`), and
 * also at `more` (the entries of a region it replaces). Returns undefined when the entry instruction
 * itself needs the interpreter (nothing to compile).
 */
function compileRegion(...[cpu, page, hpa, entry, more = []]: RegionSite): Region | undefined {
  const m32 = cpu.mem.i32;
  const kind = (i: number): number => {
    if (page[2 * i] === K_DECODE) decodeInto(page, i, m32[(hpa + 4 * i) >>> 2]);
    return baseKind(page[2 * i]!);
  };
  if (!inline(kind(entry))) return undefined;

  // Pass 1: which instructions the region holds, and where blocks start.
  const inRegion = new Uint8Array(1025);
  const leader = new Uint8Array(1025);
  const roots = [entry, ...more.filter((i) => i !== entry && inline(kind(i)))];
  const work = [...roots].reverse(); // the entry first: the size limit may leave out later roots
  let count = 0;
  const push = (i: number) => {
    if (i >= 0 && i < 1024) {
      leader[i] = 1;
      if (!inRegion[i]) work.push(i);
    }
  };
  let cost = 0;
  while (work.length > 0 && cost < MAX_REGION_COST) {
    let i = work.pop() as number;
    while (i < 1024 && !inRegion[i]) {
      const k = kind(i);
      if (!inline(k)) {
        // Left to the interpreter; where it continues is a good place to come back in.
        if (k !== 1 && k !== K.eret) push(i + 1);
        break;
      }
      inRegion[i] = 1;
      count++;
      cost += k >= K.lb && k <= K.sw ? MEM_COST : 1;
      if (endsBlock(k)) {
        if (k !== K.jalr) push(i + (page[2 * i + 1] >> 2));
        if (k !== K.jalr || ((page[2 * i] >>> 8) & 63) !== SINK) push(i + 1); // fall-through or return site
        break;
      }
      i++;
    }
  }

  // Pass 2: blocks, in address order so that fall-through is the next case.
  const entries = new Int16Array(1024).fill(-1);
  const starts: number[] = [];
  for (let i = 0; i < 1024; i++) {
    if (inRegion[i] && (leader[i] || !inRegion[i - 1] || (i > 0 && endsBlock(baseKind(page[2 * (i - 1)]!))))) {
      entries[i] = starts.length;
      starts.push(i);
    }
  }
  const blocks = starts.map((s) => {
    let e = s;
    while (e < 1024 && inRegion[e] && (e === s || entries[e] < 0)) {
      e++;
      if (endsBlock(baseKind(page[2 * (e - 1)]!))) break;
    }
    return { s, e };
  });
  // Entered in the middle of a block (typically a loop, after a slow path): the entry gets a copy of
  // the block's tail as an extra block, so that the loop itself stays one block (a plain JS loop).
  for (const r of roots) {
    if (entries[r] >= 0 || !inRegion[r]) continue;
    const c = blocks.find((b) => b.s < r && r < b.e) as { s: number; e: number };
    entries[r] = blocks.length;
    blocks.push({ s: r, e: c.e });
  }

  // Registers: locals for every one used; written ones go back at each exit.
  const used = new Set<number>();
  const written = new Set<number>();
  for (let i = 0; i < 1024; i++) {
    if (!inRegion[i]) continue;
    const w = page[2 * i];
    const rd = (w >>> 8) & 63;
    const rs1 = (w >>> 16) & 63;
    const rs2 = w >>> 24;
    const k = baseKind(w);
    if (k === K.hypercall) continue;
    if (rs1 !== 0) used.add(rs1);
    if (rs2 !== 0 && (k <= K.remu || (k >= K.sb && k <= K.bgeu))) used.add(rs2);
    // The sink (writes to r0 land in register 32, decode.ts) is kept like any register: the
    // interpreter leaves the last value written there, and the hypervisor saves a vCPU's whole
    // register file, sink included, so a region must leave the same value (a guest run translated
    // in one machine and interpreted in another otherwise hashes differently after a restore).
    if (rd !== 0 && !(k >= K.sb && k <= K.bgeu)) {
      used.add(rd);
      written.add(rd);
    }
  }
  const wb = [...written].map((r) => `regs[${r}] = r${r};`).join(' ');
  const reload = [...used].map((r) => `r${r} = regs[${r}];`).join(' ');
  const R = (r: number) => (r === 0 ? '0' : `r${r}`);
  // Exits only assign constants and leave by `break main` to one shared exit at the end: code that
  // V8 has never run but needs no type feedback does not deoptimize the region when first reached.
  // xk: steps not done of this block (the interpreter runs instruction xp next), -1: leave with the
  // pc at page offset xp, -2: leave with the absolute pc xp.
  const exitSlow = (i: number, notDone: number) => `{ xk = ${notDone}; xp = ${4 * i}; break main; }`;
  const exitTo = (offset: number) => `{ xk = -1; xp = ${offset}; break main; }`;

  const out: string[] = [];
  const loopLocals = new Set<string>();
  const emitGoto = (from: number, target: number, fallsInto: boolean) => {
    // Direct control transfer to instruction `target` (in the page) or leave with its pc.
    if (target >= 0 && target < 1024 && entries[target] >= 0) {
      if (!fallsInto) out.push(`b = ${entries[target]}; continue;`);
    } else out.push(exitTo(4 * target)); // may be outside the page: pageVa + offset is the pc
  };

  for (let b = 0; b < blocks.length; b++) {
    const { s, e } = blocks[b];
    const len = e - s;
    const last = baseKind(page[2 * (e - 1)]!);
    const selfLoop = isBranch(last) && e - 1 + (page[2 * (e - 1) + 1] >> 2) === s;
    out.push(`case ${b}:`);
    // A loop: its head may run a stretch of iterations with no TLB checks (loops.ts).
    if (selfLoop) {
      const v = VERSION_LOOPS ? versionLoop(page, s, e, `L${b}`) : undefined;
      out.push(`L${b}: for (;;) {`);
      if (v) {
        out.push(v.head);
        for (const l of v.locals) loopLocals.add(l);
      }
    }
    out.push(`if (left < ${len}) ${exitSlow(s, 0)}`);
    out.push(`left = (left - ${len}) | 0;`);
    // Registers whose value mod 4 this block knows: a word access through r + imm that passed its
    // alignment check makes r = -imm (mod 4), until r is written. Later accesses through r that
    // this proves aligned need no check (fib's frame: 3 stores and 3 loads through sp, one check
    // each; docs/performance.md#issue-17-second-session).
    const aligned = new Map<number, number>();
    for (let i = s; i < e; i++) {
      const w = page[2 * i];
      const k = baseKind(w);
      const imm = page[2 * i + 1];
      const rdN = (w >>> 8) & 63;
      const rd = `r${rdN}`;
      const a = R((w >>> 16) & 63);
      const c = R(w >>> 24);
      const done = len - (i - s);
      if (!(k >= K.sb && k <= K.bgeu) && rdN !== SINK) aligned.delete(rdN);
      if (k === K.hypercall) aligned.clear();
      // The TLB cannot change while a region runs (only slow paths change it, and they run outside),
      // so the page of the last hit for reading / writing is remembered in locals (rv, wv).
      const mem = (tag: 'rTag' | 'wTag', align: number) => {
        const [pv, pb] = tag === 'rTag' ? ['rv', 'rb'] : ['wv', 'wb'];
        const base = (w >>> 16) & 63;
        if (align && base !== 0) {
          const known = aligned.get(base);
          if (known !== undefined && ((known + imm) & align) === 0) align = 0;
          else if (align === 3 && !(tag === 'rTag' && base === rdN)) aligned.set(base, -imm & 3);
        }
        return (
          `va = (${a} + ${lit(imm)}) | 0; vpn = va >>> 12; ` +
          `if (vpn !== ${pv}) { ti = (vpn ^ cx) & 1023; if (${tag}[ti] !== (ctx | vpn)) ${exitSlow(i, done)} ` +
          `${pv} = vpn; ${pb} = tbase[ti]; } ` +
          (align ? `if ((va & ${align}) !== 0) ${exitSlow(i, done)} ` : '') +
          `pa = ${pb} | (va & 4095);`
        );
      };
      const alu = aluJs(k, rd, a, c, imm, i);
      if (alu !== undefined) {
        out.push(alu);
        continue;
      }
      if (isMem(k)) {
        out.push(`${mem(isStore(k) ? 'wTag' : 'rTag', alignOf(k))} ${accessJs(k, rd, c)}`);
        continue;
      }
      switch (k) {
        case K.jal: {
          out.push(`${rd} = (pageVa + ${4 * i + 4}) | 0;`);
          emitGoto(i, i + (imm >> 2), false);
          break;
        }
        case K.jalr: {
          // Read rs1 before writing rd (they may be the same register); a misaligned target traps
          // in the interpreter, which runs the whole instruction again from its start.
          out.push(`t = (${a} + ${lit(imm)}) | 0;`);
          out.push(`if ((t & 3) !== 0) ${exitSlow(i, done)}`);
          out.push(`${rd} = (pageVa + ${4 * i + 4}) | 0;`);
          out.push(`if ((t & -4096) === pageVa) { t2 = ent[(t >>> 2) & 1023]; if (t2 >= 0) { b = t2; continue; } }`);
          out.push('{ xk = -2; xp = t; break main; }');
          break;
        }
        case K.hypercall:
          // To the hypervisor with the registers in place; when it answers on the spot and the slice
          // may go on (Cpu.resumeInSlice, as in the interpreter), the region goes on too, with the
          // registers it may have changed and no remembered TLB pages (it may have flushed the TLB).
          // The hypervisor's charged cycles (docs/hypercalls.md#what-the-hypervisor-costs) come off
          // the countdown: `left` is what is left after this whole block, so they always fit.
          // Otherwise the trap has ended the slice: leave without writing the registers back.
          // In user mode it is a privileged instruction (docs/isa.md#virtualizability): the
          // interpreter raises that trap (regions do not depend on the mode, so this is checked here).
          out.push(
            `if (cpu.mode === 0) ${exitSlow(i, done)}`,
            `${wb} cpu.pc = (pageVa + ${4 * i}) | 0; cpu.sliceSteps = n + (left0 - left) - ${done}; cpu.raise(${CAUSE.HYPERCALL}, ${imm});`,
            `t = cpu.resumeInSlice(ctx, (pageVa + ${4 * i + 4}) | 0, left);`,
            `if (t < 0) { xk = -3; xp = ${done - 1}; break main; }`,
            `left = (left - t) | 0; ${reload} rv = -1; wv = -1;`,
          );
          break;
        default: {
          if (!isBranch(k)) throw new Error(`jit: kind ${k} is not inline (emulator bug)`);
          const cond = condJs(k, a, c);
          const target = i + (imm >> 2);
          if (selfLoop) out.push(`if (${cond}) continue;`, 'break;', '}');
          else {
            out.push(`if (${cond}) {`);
            emitGoto(i, target, false);
            out.push('}');
          }
        }
      }
    }
    // After the block: its fall-through successor.
    if (e >= 1024) out.push(exitTo(4096));
    else if (entries[e] >= 0) emitGoto(e - 1, e, b + 1 < blocks.length && blocks[b + 1].s === e);
    // Not in the region: an instruction the interpreter must run, or code past the size limit.
    else out.push(inline(kind(e)) ? exitTo(4 * e) : exitSlow(e, 0));
  }

  const regDecl =
    [...used].map((r) => `let r${r} = regs[${r}];`).join(' ') + [...loopLocals].map((l) => ` let ${l} = 0;`).join('');
  const source =
    `const regs = cpu.regs; const mem = cpu.mem; const m32 = mem.i32; const m16 = mem.i16; ` +
    `const mu16 = mem.u16; const m8 = mem.i8; const mu8 = mem.u8; const tlb = cpu.tlb; ` +
    `const rTag = tlb.rTag; const wTag = tlb.wTag; const tbase = tlb.base; ` +
    `const ctx = cpu.ctxTag; const cx = cpu.ctxHash;\n` +
    `${regDecl}\nlet va = 0, vpn = 0, ti = 0, pa = 0, t = 0, t2 = 0, x = 0, y = 0, rv = -1, rb = 0, wv = -1, wb = 0;\n` +
    `let xk = 0, xp = 0;\n` +
    // Steps left in the slice as an int32 countdown (at most 2^30 per call; the budget exit then
    // lets the interpreter run one instruction and the next call goes on); n is brought up to
    // date once, at the exit. An int32 subtract and compare per block instead of n + len against
    // budget - len (numbers V8 must check for overflow): 8-17% fewer host instructions on the
    // sieve, 25% on fib (docs/performance.md#the-translators-budget-check).
    `const left0 = budget - n > 1073741823 ? 1073741823 : budget - n; let left = left0 | 0;\n` +
    `main: for (;;) {\nswitch (b) {\n${out.join('\n')}\ndefault: throw new Error('jit: no block ' + b);\n}\n}\n` +
    `n += left0 - left;\n` +
    `if (xk === -3) return n - xp;\n${wb}\nif (xk === -2) { cpu.pc = xp; return n; }\ncpu.pc = (pageVa + xp) | 0;\nreturn xk < 0 ? n : ~(n - xk);`;
  // Identical code (the same program in another guest or machine, or loaded again) gets the same
  // function, so V8's optimised code and type feedback are shared: the source fixes every offset and
  // block, hence also `entries`.
  let fn = SHARED.get(source);
  const shared = fn !== undefined;
  if (fn === undefined) {
    // `new Function`: compiling guest code to JavaScript is the translator's whole point.
    const factory = new Function(
      'ent',
      'mulh',
      'mulhu',
      `return function region(cpu, n, budget, pageVa, b) {\n${source}\n};`,
    );
    fn = factory(entries, mulh, mulhu) as RegionFn;
    sharedChars += source.length;
    if (sharedChars > MAX_SHARED_CHARS) {
      SHARED.clear();
      sharedChars = source.length;
    }
    SHARED.set(source, fn);
  }
  return { fn, entries, roots, covers: inRegion, instructions: count, blocks: blocks.length, source, shared };
}

/**
 * Everything translated from one page content: a region depends on nothing but the page's words
 * and its entries (see the file comment), so a page with the same 4 KiB of code (the same program
 * in another guest, at any address) gets the very same regions, without generating or compiling
 * anything. Found by `contentOf` once per decoded page (a hash picks the candidate, the words are
 * compared in full), then kept with that page's translations (Jit.ts).
 */
export interface PageContent {
  readonly words: Int32Array;
  /** Regions by their entries (`entry:more`); undefined where there was nothing to compile. */
  readonly regions: Map<string, Region | undefined>;
  /**
   * The newest region with a block starting at each instruction: what a warm entry takes when no
   * region has its exact key. Guests reach a kernel's entries in different orders, so their merged
   * regions have different keys (`entry:more`); by key alone each guest counted every entry of its
   * tick path to HOT, one count per time slice, and interpreted it meanwhile
   * (docs/performance.md#issue-17-second-session).
   */
  readonly byEntry: Map<number, Region>;
  /** Dispatches at each instruction before it had a region, over every page with this content. */
  readonly counts: Uint16Array;
}

/** The translations of the page content at `hpa` (shared by every identical page of this thread). */
export function contentOf(m32: Int32Array, hpa: number): PageContent {
  const base = hpa >>> 2;
  let h = 0x811c9dc5;
  for (let k = 0; k < 1024; k++) h = Math.imul(h ^ m32[base + k], 0x01000193);
  const hit = CONTENTS.get(h);
  if (hit) {
    let same = true;
    for (let k = 0; k < 1024 && same; k++) same = hit.words[k] === m32[base + k];
    if (same) return hit;
  }
  // New content (or another with the same hash, which then loses its place: a cache).
  if (CONTENTS.size >= MAX_CONTENTS) CONTENTS.clear();
  const c: PageContent = {
    words: m32.slice(base, base + 1024),
    regions: new Map(),
    byEntry: new Map(),
    counts: new Uint16Array(1024),
  };
  CONTENTS.set(h, c);
  return c;
}

/**
 * The region entered at `entry` (and `more`) of a page with this content: the one identical code
 * has had already, else compiled now. Without `compile`: the newest region of this content with a
 * block at `entry`, else null (not translated anywhere yet).
 */
export function translate(content: PageContent, site: RegionSite, compile = true): Region | undefined | null {
  if (!compile) {
    const any = content.byEntry.get(site[3]);
    return any ? { ...any, shared: true } : null;
  }
  const key = `${site[3]}:${(site[4] ?? []).join(',')}`;
  if (content.regions.has(key)) {
    const r = content.regions.get(key);
    return r && { ...r, shared: true };
  }
  const region = compileRegion(...site);
  content.regions.set(key, region);
  if (region) for (let j = 0; j < 1024; j++) if (region.entries[j] >= 0) content.byEntry.set(j, region);
  return region;
}

/** Page contents with translations, by hash (bounded: cleared when full; 4 KiB of words each). */
const CONTENTS = new Map<number, PageContent>();
const MAX_CONTENTS = 4096;

/** Regions by source, shared by every machine of this thread (bounded: cleared when full). */
const SHARED = new Map<string, RegionFn>();
const MAX_SHARED_CHARS = 16 << 20;
let sharedChars = 0;

/** The interpreter's mulh/mulhu, bit for bit. */
function mulh(a: number, b: number): number {
  return Number((BigInt(a) * BigInt(b)) >> 32n) | 0;
}

function mulhu(a: number, b: number): number {
  return Number((BigInt(a >>> 0) * BigInt(b >>> 0)) >> 32n) | 0;
}
