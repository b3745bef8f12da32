/**
 * A disk for a replay (docs/recording.md#replay): reads come from the recording's start disk
 * (opened read-only), writes stay in memory, block by block. A block is never changed in place (a
 * write puts new arrays), so a checkpoint keeps the overlay with a shallow copy of its map.
 */
import { BLOCK_SIZE, type BlockBackend } from '../emulator/devices/disk/BlockBackend.js';

export class MemoryOverlay implements BlockBackend {
  readonly readOnly = false;
  blocksWritten = new Map<number, Uint8Array>();

  constructor(private readonly base: BlockBackend) {}

  get blocks(): number {
    return this.base.blocks;
  }

  read(lba: number, count: number): Uint8Array | Error {
    const out = this.base.read(lba, count);
    if (out instanceof Error || this.blocksWritten.size === 0) return out;
    for (let i = 0; i < count; i++) {
      const b = this.blocksWritten.get(lba + i);
      if (b) out.set(b, i * BLOCK_SIZE);
    }
    return out;
  }

  write(lba: number, data: Uint8Array): true | Error {
    for (let i = 0; i * BLOCK_SIZE < data.length; i++)
      this.blocksWritten.set(lba + i, data.slice(i * BLOCK_SIZE, (i + 1) * BLOCK_SIZE));
    return true;
  }

  flush(): true | Error {
    return true;
  }

  /** The written blocks now (a checkpoint's copy). */
  save(): Map<number, Uint8Array> {
    return new Map(this.blocksWritten);
  }

  restore(m: Map<number, Uint8Array>): void {
    this.blocksWritten = new Map(m);
  }
}
