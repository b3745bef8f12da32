/**
 * Physical RAM of the machine, and the per-physical-page cache of decoded instructions that the
 * interpreter (and later the block translator) executes from (docs/isa.md#memory-map).
 *
 * RAM is one ArrayBuffer with typed-array views; the host must be little-endian (checked below), so
 * aligned halfword and word accesses go straight through Int16Array/Int32Array. Misaligned accesses
 * never reach here: the ISA traps on them.
 *
 * Code pages: when a page is first executed it gets a decoded-instruction array. Any write to such a
 * page (a guest store, DMA, a loader) drops the decoded copy, so self-modifying code and code loaded
 * by DMA are always seen. The TLBs cooperate: they never cache write permission for a code page, so
 * every store to one takes the slow path that invalidates it.
 */
import { PAGE_SHIFT, PAGE_SIZE } from '../../../shared/isa/memoryMap.js';

if (new Uint8Array(new Uint32Array([0x01020304]).buffer)[0] !== 0x04) {
  throw new Error('hyperdesk needs a little-endian host');
}

/** Something that caches write permission to physical pages (a CPU's TLB). */
export interface CodePageListener {
  revokeWrite(ppn: number): void;
  flushAll(): void;
}

/** Events of the code ring (see SharedCode). */
const DECODED = 1 << 30;
const RING = 4096;

/**
 * What the threads of a parallel machine (machine/parallel) share about code pages, in
 * SharedArrayBuffers: `map` marks the pages some thread has decoded, so every thread's stores to
 * them take the slow path; the ring carries "page decoded" (revoke write permission) and "page
 * written" (drop the decoded copy) events from each thread to the others, which read it between
 * slices. A ring that overflowed is read as "everything changed".
 */
export interface SharedCode {
  map: Uint8Array;
  /** [0] = events posted; then RING entries; then RING sequence words. */
  ring: Int32Array;
}

export function newSharedCode(pages: number): SharedCode {
  return {
    map: new Uint8Array(new SharedArrayBuffer(pages)),
    ring: new Int32Array(new SharedArrayBuffer(4 * (1 + 2 * RING))),
  };
}

export class PhysicalMemory {
  readonly size: number;
  readonly buffer: ArrayBuffer;
  readonly u8: Uint8Array;
  readonly i8: Int8Array;
  readonly u16: Uint16Array;
  readonly i16: Int16Array;
  readonly i32: Int32Array;
  readonly pages: number;
  /** Decoded instruction arrays by physical page number (sparse). */
  private readonly decoded: (Int32Array | undefined)[];
  /** Bumped whenever any decoded page is dropped, so CPUs can drop their fetch caches. */
  codeGeneration = 0;
  private readonly listeners: CodePageListener[] = [];

  /** Code-page state shared with the other threads of a parallel machine (undefined: one thread). */
  readonly shared: SharedCode | undefined;
  /** Ring events this thread has read. */
  private ringRead = 0;

  /**
   * `buffer`: RAM to use (a SharedArrayBuffer that other threads also run on), with the `shared`
   * code-page state they use; default a fresh private ArrayBuffer.
   */
  constructor(size: number, opts: { buffer?: ArrayBuffer | SharedArrayBuffer; shared?: SharedCode } = {}) {
    if (!Number.isInteger(size) || size <= 0 || size % PAGE_SIZE !== 0 || size > 0x8000_0000) {
      throw new RangeError(`memory size must be a positive multiple of ${PAGE_SIZE} bytes up to 2 GiB, got ${size}`);
    }
    if (opts.buffer && opts.buffer.byteLength !== size) throw new RangeError('memory buffer has the wrong size');
    this.size = size;
    this.buffer = (opts.buffer ?? new ArrayBuffer(size)) as ArrayBuffer;
    this.shared = opts.shared;
    if (this.shared) this.ringRead = Atomics.load(this.shared.ring, 0);
    this.u8 = new Uint8Array(this.buffer);
    this.i8 = new Int8Array(this.buffer);
    this.u16 = new Uint16Array(this.buffer);
    this.i16 = new Int16Array(this.buffer);
    this.i32 = new Int32Array(this.buffer);
    this.pages = size >>> PAGE_SHIFT;
    this.decoded = new Array<Int32Array | undefined>(this.pages);
  }

  addListener(l: CodePageListener): void {
    this.listeners.push(l);
  }

  isRam(pa: number): boolean {
    return pa >>> 0 < this.size;
  }

  isCodePage(ppn: number): boolean {
    return this.decoded[ppn] !== undefined || (this.shared !== undefined && this.shared.map[ppn] !== 0);
  }

  /** The decoded-instruction array of a page, made with `create` on first use. */
  codePage(ppn: number, create: () => Int32Array): Int32Array {
    let p = this.decoded[ppn];
    if (p === undefined) {
      p = create();
      this.decoded[ppn] = p;
      for (const l of this.listeners) l.revokeWrite(ppn);
      if (this.shared) {
        this.shared.map[ppn] = 1;
        this.post(ppn | DECODED);
      }
    }
    return p;
  }

  private post(event: number): void {
    const ring = (this.shared as SharedCode).ring;
    const i = Atomics.add(ring, 0, 1);
    Atomics.store(ring, 1 + (i % RING), event);
    Atomics.store(ring, 1 + RING + (i % RING), i + 1);
  }

  /**
   * Read what the other threads posted (parallel machines, between slices): drop the decoded copies
   * of pages they wrote, and stop caching write permission to pages they decoded.
   */
  pollShared(): void {
    const sh = this.shared;
    if (!sh) return;
    const end = Atomics.load(sh.ring, 0);
    if (end === this.ringRead) return;
    if (end - this.ringRead > RING) {
      this.ringRead = end;
      this.decoded.fill(undefined);
      this.codeGeneration++;
      for (const l of this.listeners) l.flushAll();
      return;
    }
    for (; this.ringRead < end; this.ringRead++) {
      const slot = this.ringRead % RING;
      // Posted but not written yet: read it next time.
      if (Atomics.load(sh.ring, 1 + RING + slot) !== this.ringRead + 1) return;
      const e = Atomics.load(sh.ring, 1 + slot);
      const ppn = e & ~DECODED;
      if ((e & DECODED) === 0 && this.decoded[ppn] !== undefined) {
        this.decoded[ppn] = undefined;
        this.codeGeneration++;
      }
      for (const l of this.listeners) l.revokeWrite(ppn);
    }
  }

  /** Drop decoded copies of pages overlapping [pa, pa+len): they were (or will be) written. */
  invalidateCode(pa: number, len: number): boolean {
    if (len <= 0) return false;
    const first = pa >>> PAGE_SHIFT;
    const last = Math.min(this.pages - 1, (pa + len - 1) >>> PAGE_SHIFT);
    let any = false;
    const sh = this.shared;
    for (let p = first; p <= last; p++) {
      if (this.decoded[p] !== undefined) {
        this.decoded[p] = undefined;
        any = true;
      }
      if (sh !== undefined && sh.map[p] !== 0) {
        // Some thread runs this page: it drops its copy when it reads the ring. The page is data
        // again until somebody decodes it anew (which posts again).
        sh.map[p] = 0;
        this.post(p);
      }
    }
    if (any) this.codeGeneration++;
    return any;
  }

  /** Copy bytes in from outside the CPU (loaders, DMA): keeps the decoded cache honest. */
  writeBytes(pa: number, bytes: Uint8Array): void {
    if (pa < 0 || pa + bytes.length > this.size) {
      throw new RangeError(
        `write of ${bytes.length} bytes at 0x${pa.toString(16)} is outside memory (${this.size} bytes)`,
      );
    }
    this.u8.set(bytes, pa);
    this.invalidateCode(pa, bytes.length);
  }

  readBytes(pa: number, len: number): Uint8Array {
    if (pa < 0 || pa + len > this.size) {
      throw new RangeError(`read of ${len} bytes at 0x${pa.toString(16)} is outside memory (${this.size} bytes)`);
    }
    return this.u8.slice(pa, pa + len);
  }

  /** Word accessors for device and firmware code (aligned). */
  read32(pa: number): number {
    return this.i32[pa >>> 2];
  }
  write32(pa: number, v: number): void {
    this.i32[pa >>> 2] = v;
    if (this.isCodePage(pa >>> PAGE_SHIFT)) this.invalidateCode(pa, 4);
  }

  saveState(): { size: number; bytes: Uint8Array } {
    return { size: this.size, bytes: this.u8.slice() };
  }

  restoreState(s: { size: number; bytes: Uint8Array }): void {
    if (s.size !== this.size || s.bytes.length !== this.size) throw new Error('memory snapshot size mismatch');
    this.u8.set(s.bytes);
    this.rewritten();
  }

  /**
   * Someone wrote all of RAM through `u8` (a replay putting a checkpoint's pages back in place,
   * docs/recording.md#seek-and-reverse): every decoded page goes (here and, in a parallel machine,
   * on the other threads).
   */
  rewritten(): void {
    this.invalidateCode(0, this.size);
    this.codeGeneration++;
  }
}
