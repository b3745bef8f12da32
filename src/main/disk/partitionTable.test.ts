import { describe, expect, it } from 'vitest';
import { crc32 } from '../../shared/crc32.js';
import { put32 } from './bytes.js';
import { DiskError } from './errors.js';
import {
  addPartition,
  createPartitionTable,
  encodePartitionTable,
  parsePartitionTable,
  removePartition,
  type PartitionTable,
} from './partitionTable.js';

const DISK = 10_000;

function table(): PartitionTable {
  let t: PartitionTable | DiskError = createPartitionTable(DISK);
  t = addPartition(t, { type: 'cfs', first: 8, blocks: 1000, name: 'cos', bootable: true });
  if (t instanceof DiskError) throw t;
  t = addPartition(t, { type: 'sfs', first: 2000, blocks: 3000, name: 'swos', bootable: false });
  if (t instanceof DiskError) throw t;
  return t;
}

/** Patch a u32 and fix the crc, so only the patched field is wrong. */
function patched(block: Uint8Array, offset: number, value: number, fixCrc = true): Uint8Array {
  const b = block.slice();
  put32(b, offset, value);
  if (fixCrc) put32(b, 400, crc32(b.subarray(0, 400)));
  return b;
}

function error(block: Uint8Array, blocks = DISK): string {
  const r = parsePartitionTable(block, blocks);
  expect(r).toBeInstanceOf(DiskError);
  return (r as DiskError).message;
}

describe('partition table', () => {
  it('round-trips', () => {
    const t = table();
    const bytes = encodePartitionTable(t);
    expect(bytes.length).toBe(512);
    expect(parsePartitionTable(bytes, DISK)).toEqual(t);
    expect(t.partitions.map((p) => p.number)).toEqual([1, 2]);
  });

  it('names the field of every kind of damage', () => {
    const good = encodePartitionTable(table());
    expect(error(patched(good, 0, 0x12345678))).toMatch(
      /^partition table \(block 0\): magic: 0x12345678 is not 0x54504448/,
    );
    expect(error(patched(good, 4, 2))).toMatch(/version: 2 is not 1/);
    expect(error(patched(good, 20, 99, false))).toMatch(/crc: bytes 0..399 have crc32 0x[0-9a-f]{8}, the table says/);
    expect(error(patched(good, 8, 9))).toMatch(/entry count: 9 is more than 8/);
    expect(error(good, 4000)).toMatch(/disk size: 10000 blocks, but the image holds 4000 \(truncated image\?\)/);
    // entry 2 (at 16 + 48): first block
    expect(error(patched(good, 64 + 8, 9500))).toMatch(
      /entry 2: blocks 9500..12499 run past the end of the disk \(10000 blocks\)/,
    );
    expect(error(patched(good, 64 + 8, 500))).toMatch(/entry 2: blocks 500..3499 overlap entry 1 \(blocks 8..1007\)/);
    expect(error(patched(good, 16 + 8, 0))).toMatch(/entry 1: first block: 0 is the partition table/);
    expect(error(patched(good, 16, 7))).toMatch(/entry 1: type: 7 is not 0 \(empty\)/);
    expect(error(patched(good, 16 + 4, 6))).toMatch(/entry 1: flags: 0x00000006 has unknown bits set/);
    expect(error(patched(good, 8, 1))).toMatch(/entry 2: not empty, but the entry count is 1/);
    expect(error(patched(good, 8, 3))).toMatch(/entry 3: type: 0 \(empty\), but the entry count is 3/);
    const noNul = good.slice();
    noNul.fill(0x41, 16 + 16, 16 + 48);
    put32(noNul, 400, crc32(noNul.subarray(0, 400)));
    expect(error(noNul)).toMatch(/entry 1: name: not NUL-terminated within 32 bytes/);
  });

  it('counts the other problems', () => {
    const bad = patched(patched(encodePartitionTable(table()), 16, 7), 64, 8);
    expect(error(bad)).toMatch(/\(and 1 more problems\)$/);
  });

  it('adds with checks, all or nothing', () => {
    const t = table();
    const overlap = addPartition(t, { type: 'raw', first: 900, blocks: 200, name: 'x', bootable: false });
    expect((overlap as DiskError).message).toMatch(/entry 3: blocks 900..1099 overlap entry 1/);
    const past = addPartition(t, { type: 'raw', first: 9990, blocks: 20, name: 'x', bootable: false });
    expect((past as DiskError).message).toMatch(/entry 3: blocks 9990..10009 run past the end of the disk/);
    const longName = addPartition(t, { type: 'raw', first: 6000, blocks: 20, name: 'x'.repeat(32), bootable: false });
    expect((longName as DiskError).message).toMatch(/name 'x+' is 32 characters; at most 31 fit/);
    expect(t.partitions).toHaveLength(2);
    let full: PartitionTable | DiskError = createPartitionTable(DISK);
    for (let i = 0; i < 8; i++)
      full = addPartition(full as PartitionTable, {
        type: 'raw',
        first: 1 + i * 10,
        blocks: 10,
        name: `p${i}`,
        bootable: false,
      });
    const ninth = addPartition(full as PartitionTable, {
      type: 'raw',
      first: 500,
      blocks: 10,
      name: 'p9',
      bootable: false,
    });
    expect((ninth as DiskError).message).toMatch(/all 8 entries are in use/);
  });

  it('removes and renumbers the entries after it', () => {
    const t = removePartition(table(), 1) as PartitionTable;
    expect(t.partitions).toEqual([
      { number: 1, type: 'sfs', first: 2000, blocks: 3000, name: 'swos', bootable: false },
    ]);
    expect(parsePartitionTable(encodePartitionTable(t), DISK)).toEqual(t);
    expect((removePartition(t, 5) as DiskError).message).toMatch(/entry 5: no such partition/);
  });
});
