import { describe, expect, it } from 'vitest';
import { crc32 } from '../../../shared/crc32.js';
import { MemoryBlockBackend } from '../devices/disk/BlockBackend.js';
import { bootablePartitions, partitionBlocks, PT_MAGIC } from './partitions.js';

/** A disk of `blocks` blocks whose table lists `entries` ([type, flags, start, blocks]). */
function disk(blocks: number, entries: [number, number, number, number][]): MemoryBlockBackend {
  const d = new MemoryBlockBackend(blocks);
  const v = new DataView(d.data.buffer, 0, 512);
  v.setUint32(0, PT_MAGIC, true);
  v.setUint32(4, 1, true);
  v.setUint32(8, entries.length, true);
  entries.forEach(([type, flags, start, n], i) => {
    v.setUint32(16 + i * 48, type, true);
    v.setUint32(20 + i * 48, flags, true);
    v.setUint32(24 + i * 48, start, true);
    v.setUint32(28 + i * 48, n, true);
  });
  v.setUint32(400, crc32(d.data.subarray(0, 400)), true);
  return d;
}

describe('partitionBlocks (the hypervisor’s disk grants)', () => {
  it('finds any partition by number, bootable or not', () => {
    const d = disk(100, [
      [1, 1, 8, 40],
      [2, 0, 48, 52],
    ]);
    expect(partitionBlocks(d, 1)).toEqual({ start: 8, blocks: 40 });
    expect(partitionBlocks(d, 2)).toEqual({ start: 48, blocks: 52 });
    expect(bootablePartitions(d.data.subarray(0, 512), 100)).toHaveLength(1);
  });

  it('refuses what a grant must not reach: no entry, past the disk, block 0, a bad table', () => {
    const d = disk(100, [
      [1, 1, 8, 40],
      [2, 0, 60, 41],
      [3, 0, 0, 4],
      [0, 0, 50, 4],
    ]);
    expect(partitionBlocks(d, 0)).toBeUndefined();
    expect(partitionBlocks(d, 5)).toBeUndefined();
    expect(partitionBlocks(d, 2)).toBeUndefined(); // 60 + 41 > 100
    expect(partitionBlocks(d, 3)).toBeUndefined(); // the table itself
    expect(partitionBlocks(d, 4)).toBeUndefined(); // an empty slot
    d.data[17] ^= 1; // the crc no longer matches
    expect(partitionBlocks(d, 1)).toBeUndefined();
  });
});
