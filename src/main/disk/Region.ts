/**
 * A window of blocks on a BlockBackend: a partition, or the file system inside one. Block numbers
 * are relative to its first block; messages name both the relative and the absolute disk block
 * (docs/disks.md#tools). Read and write failures become DiskErrors saying where.
 */
import type { BlockBackend } from '../emulator/devices/disk/BlockBackend.js';
import { BLOCK } from './bytes.js';
import { fail } from './errors.js';

export class Region {
  constructor(
    readonly backend: BlockBackend,
    /** Absolute disk block of relative block 0. */
    readonly start: number,
    readonly blocks: number,
    /** Prefix of every message, e.g. "partition 2: cfs". */
    readonly where: string,
  ) {}

  /** "block 3 (disk block 4102)" */
  at(rel: number): string {
    return `block ${rel} (disk block ${this.start + rel})`;
  }

  read(rel: number, count: number, what = 'block'): Uint8Array {
    this.check(rel, count, what);
    if (count === 0) return new Uint8Array(0);
    const data = this.backend.read(this.start + rel, count);
    if (data instanceof Error) fail(`${this.where}: ${what} ${this.at(rel)}: cannot read: ${data.message}`);
    if (data.length !== count * BLOCK)
      fail(`${this.where}: ${what} ${this.at(rel)}: short read (${data.length} bytes)`);
    return data;
  }

  /** Write whole blocks; a partial last block is padded with zeros. */
  write(rel: number, data: Uint8Array, what = 'block'): void {
    const count = Math.ceil(data.length / BLOCK);
    this.check(rel, count, what);
    if (count === 0) return;
    let whole = data;
    if (data.length !== count * BLOCK) {
      whole = new Uint8Array(count * BLOCK);
      whole.set(data);
    }
    const r = this.backend.write(this.start + rel, whole);
    if (r instanceof Error) fail(`${this.where}: ${what} ${this.at(rel)}: cannot write: ${r.message}`);
  }

  private check(rel: number, count: number, what: string): void {
    if (!Number.isInteger(rel) || rel < 0 || count < 0 || rel + count > this.blocks) {
      fail(`${this.where}: ${what} ${this.at(rel)}: ${count} blocks run past the end (${this.blocks} blocks)`);
    }
  }
}
