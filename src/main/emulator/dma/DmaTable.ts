/**
 * A DMA domain (docs/devices.md#dma-table-the-notes-tce): which host-physical pages a device may reach,
 * and how. It maps 4 KiB bus pages to host-physical pages with read and/or write permission. A device
 * access whose pages are not all mapped with the needed permission, or that would leave RAM, is not
 * performed at all (no partial transfer): the caller gets a `DmaFault` value, never an exception, and
 * the table counts the fault.
 *
 * Representation: an identity prefix (bus pages [0, identityPages) map to themselves, read/write),
 * which is what dual boot uses and costs nothing however large RAM is; ranges for large mappings (a
 * partition's memory: a table per page made a 2 GiB Controlling OS cost 512k entries on every
 * change); and page entries, which override both (an entry with no permission is a hole). The newest
 * mapping of a page wins.
 */
import { PAGE_SIZE } from '../../../shared/isa/memoryMap.js';
import type { PhysicalMemory } from '../memory/PhysicalMemory.js';

/** The device reads memory (memory -> device: a disk write, a transmitted frame). */
export const DMA_READ = 1;
/** The device writes memory (device -> memory: a disk read, a received frame). */
export const DMA_WRITE = 2;
export const DMA_RW = DMA_READ | DMA_WRITE;

export type DmaFaultReason = 'unmapped' | 'permission' | 'outside-ram';

/** Why a transfer was not performed; `bus` is the first bus address that failed. */
export class DmaFault {
  constructor(
    readonly bus: number,
    readonly reason: DmaFaultReason,
  ) {}
}

export interface DmaTableState {
  identityPages: number;
  entries: [number, number][];
  /** [bus page, host page, pages, perms], oldest first (absent in older saved states). */
  ranges?: [number, number, number, number][];
  faults: number;
}

/** Mappings at least this many pages long are kept as one range. */
const RANGE_PAGES = 16;

export class DmaTable {
  /** Faults since power-on (metrics). */
  faults = 0;
  /** Bus page -> host page * 4 + permissions (0: a hole). */
  private readonly entries = new Map<number, number>();
  /** Large mappings: [bus page, host page, pages, perms], oldest first (page entries override). */
  private ranges: [number, number, number, number][] = [];

  constructor(private identityPages = 0) {}

  /** An identity domain over [0, ramBytes): what dual boot gives every device. */
  static identity(ramBytes: number): DmaTable {
    if (!Number.isInteger(ramBytes) || ramBytes < 0 || ramBytes % PAGE_SIZE !== 0 || ramBytes > 2 ** 32) {
      throw new RangeError(`an identity DMA domain needs a whole number of pages, got ${ramBytes} bytes`);
    }
    return new DmaTable(ramBytes / PAGE_SIZE);
  }

  /** Map [bus, bus+len) to [host, host+len) with `perms` (DMA_READ | DMA_WRITE); page-aligned. */
  map(bus: number, host: number, len: number, perms: number): this {
    checkRange(bus, len);
    checkRange(host, len);
    if ((perms & ~DMA_RW) !== 0) throw new RangeError(`DMA permissions are DMA_READ | DMA_WRITE, got ${perms}`);
    const first = bus / PAGE_SIZE;
    const pages = len / PAGE_SIZE;
    if (pages >= RANGE_PAGES) {
      // Newer than every page entry inside it: those go, so the range shows through.
      for (const k of [...this.entries.keys()]) if (k >= first && k < first + pages) this.entries.delete(k);
      this.ranges.push([first, host / PAGE_SIZE, pages, perms]);
      return this;
    }
    for (let o = 0; o < len; o += PAGE_SIZE)
      this.entries.set((bus + o) / PAGE_SIZE, ((host + o) / PAGE_SIZE) * 4 + perms);
    return this;
  }

  /** Remove [bus, bus+len) from the domain (identity pages too). */
  unmap(bus: number, len: number): this {
    checkRange(bus, len);
    for (let o = 0; o < len; o += PAGE_SIZE) this.entries.set((bus + o) / PAGE_SIZE, 0);
    return this;
  }

  /** Host page of bus page `page` if `perms` are all granted, else -1 (unmapped) or -2 (permission). */
  translatePage(page: number, want: number): number {
    const e = this.entries.get(page);
    if (e === undefined) {
      for (let i = this.ranges.length - 1; i >= 0; i--) {
        const [bus, host, n, perms] = this.ranges[i]!;
        if (page < bus || page >= bus + n) continue;
        if ((perms & DMA_RW) === 0) return -1;
        if ((perms & want) !== want) return -2;
        return host + (page - bus);
      }
      return page < this.identityPages ? page : -1;
    }
    if ((e & DMA_RW) === 0) return -1;
    if ((e & want) !== want) return -2;
    return Math.floor(e / 4);
  }

  /** Host-physical address of a bus address (for tests and debuggers), or a fault. */
  translate(bus: number, perms: number): number | DmaFault {
    const h = this.translatePage(Math.floor(bus / PAGE_SIZE), perms);
    if (h < 0) return new DmaFault(bus, h === -1 ? 'unmapped' : 'permission');
    return h * PAGE_SIZE + (bus % PAGE_SIZE);
  }

  /**
   * The host-physical segments of [bus, bus+len) with `perms`, or a fault (counted). Every page is
   * checked before anything moves.
   */
  private segments(mem: PhysicalMemory, bus: number, len: number, perms: number): [number, number][] | DmaFault {
    const segs: [number, number][] = [];
    const b = bus >>> 0;
    if (!Number.isInteger(len) || len < 0 || b + len > 2 ** 32) return this.fault(b, 'unmapped');
    let at = b;
    while (at < b + len) {
      const n = Math.min(b + len - at, PAGE_SIZE - (at % PAGE_SIZE));
      const h = this.translatePage(Math.floor(at / PAGE_SIZE), perms);
      if (h < 0) return this.fault(at, h === -1 ? 'unmapped' : 'permission');
      const hpa = h * PAGE_SIZE + (at % PAGE_SIZE);
      if (hpa + n > mem.size) return this.fault(at, 'outside-ram');
      const last = segs[segs.length - 1];
      if (last && last[0] + last[1] === hpa) last[1] += n;
      else segs.push([hpa, n]);
      at += n;
    }
    return segs;
  }

  private fault(bus: number, reason: DmaFaultReason): DmaFault {
    this.faults++;
    return new DmaFault(bus, reason);
  }

  /** The device reads `len` bytes of memory at bus address `bus`. */
  read(mem: PhysicalMemory, bus: number, len: number): Uint8Array | DmaFault {
    const segs = this.segments(mem, bus, len, DMA_READ);
    if (segs instanceof DmaFault) return segs;
    if (segs.length === 1) return mem.readBytes(segs[0][0], segs[0][1]);
    const out = new Uint8Array(len);
    let o = 0;
    for (const [hpa, n] of segs) {
      out.set(mem.u8.subarray(hpa, hpa + n), o);
      o += n;
    }
    return out;
  }

  /** The device writes `bytes` to memory at bus address `bus` (through writeBytes: decoded code
   *  pages are dropped, so code loaded by DMA is seen). */
  write(mem: PhysicalMemory, bus: number, bytes: Uint8Array): true | DmaFault {
    const segs = this.segments(mem, bus, bytes.length, DMA_WRITE);
    if (segs instanceof DmaFault) return segs;
    let o = 0;
    for (const [hpa, n] of segs) {
      mem.writeBytes(hpa, bytes.subarray(o, o + n));
      o += n;
    }
    return true;
  }

  saveState(): DmaTableState {
    return {
      identityPages: this.identityPages,
      entries: [...this.entries],
      ranges: this.ranges.map((r) => [...r] as [number, number, number, number]),
      faults: this.faults,
    };
  }

  restoreState(s: DmaTableState): void {
    this.identityPages = s.identityPages;
    this.entries.clear();
    for (const [k, v] of s.entries) this.entries.set(k, v);
    this.ranges = (s.ranges ?? []).map((r) => [...r] as [number, number, number, number]);
    this.faults = s.faults;
  }

  static fromState(s: DmaTableState): DmaTable {
    const t = new DmaTable();
    t.restoreState(s);
    return t;
  }
}

function checkRange(addr: number, len: number): void {
  if (
    !Number.isInteger(addr) ||
    !Number.isInteger(len) ||
    addr < 0 ||
    len < 0 ||
    addr % PAGE_SIZE !== 0 ||
    len % PAGE_SIZE !== 0 ||
    addr + len > 2 ** 32
  ) {
    throw new RangeError(
      `a DMA mapping needs page-aligned addresses and lengths within 4 GiB, got 0x${addr.toString(16)}+${len}`,
    );
  }
}
