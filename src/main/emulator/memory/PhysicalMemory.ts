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

  constructor(size: number) {
    if (!Number.isInteger(size) || size <= 0 || size % PAGE_SIZE !== 0 || size > 0x8000_0000) {
      throw new RangeError(`memory size must be a positive multiple of ${PAGE_SIZE} bytes up to 2 GiB, got ${size}`);
    }
    this.size = size;
    this.buffer = new ArrayBuffer(size);
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
    return this.decoded[ppn] !== undefined;
  }

  /** The decoded-instruction array of a page, made with `create` on first use. */
  codePage(ppn: number, create: () => Int32Array): Int32Array {
    let p = this.decoded[ppn];
    if (p === undefined) {
      p = create();
      this.decoded[ppn] = p;
      for (const l of this.listeners) l.revokeWrite(ppn);
    }
    return p;
  }

  /** Drop decoded copies of pages overlapping [pa, pa+len): they were (or will be) written. */
  invalidateCode(pa: number, len: number): boolean {
    if (len <= 0) return false;
    const first = pa >>> PAGE_SHIFT;
    const last = Math.min(this.pages - 1, (pa + len - 1) >>> PAGE_SHIFT);
    let any = false;
    for (let p = first; p <= last; p++) {
      if (this.decoded[p] !== undefined) {
        this.decoded[p] = undefined;
        any = true;
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
    if (this.decoded[pa >>> PAGE_SHIFT] !== undefined) this.invalidateCode(pa, 4);
  }

  saveState(): { size: number; bytes: Uint8Array } {
    return { size: this.size, bytes: this.u8.slice() };
  }

  restoreState(s: { size: number; bytes: Uint8Array }): void {
    if (s.size !== this.size || s.bytes.length !== this.size) throw new Error('memory snapshot size mismatch');
    this.u8.set(s.bytes);
    this.decoded.fill(undefined);
    this.codeGeneration++;
  }
}
