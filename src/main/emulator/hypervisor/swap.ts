/**
 * Where swapped-out guests go (M17, docs/hypercalls.md): the core stays pure, so the store is an
 * interface; the host gives the hypervisor a file-backed one (src/main/disk/swapFiles.ts), tests and
 * the default use memory. Errors are values.
 */
export interface SwapStore {
  save(partition: number, bytes: Uint8Array): true | Error;
  load(partition: number): Uint8Array | Error;
  drop(partition: number): void;
}

/** SparseBytes as plain data. */
export interface SparseState {
  size: number;
  pages: [number, Uint8Array][];
}

/**
 * A guest's memory without its pages of zeros (an idle or freshly loaded guest is mostly zeros):
 * what the memory swap store and a partition's pristine image keep, so that 10,000 guests fit.
 */
export class SparseBytes {
  private constructor(
    readonly size: number,
    private readonly pages: Map<number, Uint8Array>,
  ) {}

  static of(bytes: Uint8Array): SparseBytes {
    const pages = new Map<number, Uint8Array>();
    for (let off = 0; off < bytes.length; off += PAGE) {
      const page = bytes.subarray(off, Math.min(bytes.length, off + PAGE));
      if (!isZero(page)) pages.set(off, page.slice());
    }
    return new SparseBytes(bytes.length, pages);
  }

  /** Bytes kept. */
  get kept(): number {
    let n = 0;
    for (const pg of this.pages.values()) n += pg.length;
    return n;
  }

  /** As plain data (page offset, bytes), for snapshots. */
  toState(): SparseState {
    return { size: this.size, pages: [...this.pages].map(([off, b]) => [off, b.slice()]) };
  }

  static fromState(s: SparseState): SparseBytes {
    return new SparseBytes(s.size, new Map(s.pages.map(([off, b]) => [off, Uint8Array.from(b)])));
  }

  /** The first `len` bytes (default all), zeros filled in. */
  bytes(len = this.size): Uint8Array {
    const out = new Uint8Array(Math.min(len, this.size));
    for (const [off, pg] of this.pages) if (off < out.length) out.set(pg.subarray(0, out.length - off), off);
    return out;
  }
}

function isZero(b: Uint8Array): boolean {
  if ((b.byteOffset & 3) === 0 && (b.length & 3) === 0) {
    const w = new Int32Array(b.buffer, b.byteOffset, b.length >>> 2);
    for (let i = 0; i < w.length; i++) if (w[i] !== 0) return false;
    return true;
  }
  return b.every((x) => x === 0);
}

/** Swapped guests in memory, without their pages of zeros (SparseBytes); `bytes` says what is kept. */
export class MemorySwapStore implements SwapStore {
  private readonly saved = new Map<number, SparseBytes>();
  /** Bytes kept for all swapped guests. */
  bytes = 0;

  save(partition: number, bytes: Uint8Array): true | Error {
    this.drop(partition);
    const s = SparseBytes.of(bytes);
    this.saved.set(partition, s);
    this.bytes += s.kept;
    return true;
  }

  load(partition: number): Uint8Array | Error {
    return this.saved.get(partition)?.bytes() ?? new Error(`nothing swapped out for partition ${partition}`);
  }

  drop(partition: number): void {
    const s = this.saved.get(partition);
    if (!s) return;
    this.bytes -= s.kept;
    this.saved.delete(partition);
  }
}

const PAGE = 4096;
