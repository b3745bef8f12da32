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

/**
 * Swapped guests in memory. Pages of zeros are not kept (an idle guest is mostly zeros: 10,000
 * swapped 1 MiB guests must fit in the host's memory), and `bytes` says what is kept.
 */
export class MemorySwapStore implements SwapStore {
  private readonly saved = new Map<number, { size: number; pages: Map<number, Uint8Array> }>();
  /** Bytes kept for all swapped guests. */
  bytes = 0;

  save(partition: number, bytes: Uint8Array): true | Error {
    this.drop(partition);
    const pages = new Map<number, Uint8Array>();
    const words = new Int32Array(bytes.buffer, bytes.byteOffset, bytes.length >>> 2);
    for (let off = 0; off < bytes.length; off += PAGE) {
      const end = Math.min(bytes.length, off + PAGE);
      let zero = true;
      if (end - off === PAGE && (bytes.byteOffset & 3) === 0) {
        for (let i = off >>> 2; i < end >>> 2; i++)
          if (words[i] !== 0) {
            zero = false;
            break;
          }
      } else zero = bytes.subarray(off, end).every((b) => b === 0);
      if (!zero) pages.set(off, bytes.slice(off, end));
    }
    this.saved.set(partition, { size: bytes.length, pages });
    for (const pg of pages.values()) this.bytes += pg.length;
    return true;
  }

  load(partition: number): Uint8Array | Error {
    const s = this.saved.get(partition);
    if (!s) return new Error(`nothing swapped out for partition ${partition}`);
    const out = new Uint8Array(s.size);
    for (const [off, pg] of s.pages) out.set(pg, off);
    return out;
  }

  drop(partition: number): void {
    const s = this.saved.get(partition);
    if (!s) return;
    for (const pg of s.pages.values()) this.bytes -= pg.length;
    this.saved.delete(partition);
  }
}

const PAGE = 4096;
