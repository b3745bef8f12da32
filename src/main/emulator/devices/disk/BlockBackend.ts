/**
 * How a disk device reaches its storage (docs/devices.md#disk-block-device-with-dma). The emulator
 * stays pure: src/main/disk implements this over an image file with node:fs, tests over memory.
 * Every call is synchronous and returns an error value instead of throwing.
 */
export const BLOCK_SIZE = 512;

export interface BlockBackend {
  /** Size in blocks. */
  readonly blocks: number;
  readonly readOnly: boolean;
  /** Read `count` blocks from `lba` (the caller checked the range). */
  read(lba: number, count: number): Uint8Array | Error;
  /** Write whole blocks at `lba`; the data reaches the file before this returns. */
  write(lba: number, data: Uint8Array): true | Error;
  /** Make every completed write durable (fsync) before returning. */
  flush(): true | Error;
}

/** A backend in memory (tests, scratch disks). */
export class MemoryBlockBackend implements BlockBackend {
  readonly data: Uint8Array;
  flushes = 0;
  constructor(
    readonly blocks: number,
    readonly readOnly = false,
    init?: Uint8Array,
  ) {
    this.data = new Uint8Array(blocks * BLOCK_SIZE);
    if (init) this.data.set(init.subarray(0, this.data.length));
  }
  read(lba: number, count: number): Uint8Array | Error {
    return this.data.slice(lba * BLOCK_SIZE, (lba + count) * BLOCK_SIZE);
  }
  write(lba: number, data: Uint8Array): true | Error {
    if (this.readOnly) return new Error('read-only');
    this.data.set(data, lba * BLOCK_SIZE);
    return true;
  }
  flush(): true | Error {
    this.flushes++;
    return true;
  }
}
