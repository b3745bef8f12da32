/**
 * The partition table in block 0 (docs/disks.md#partition-table-block-0): parse with precise errors,
 * encode, create, add and remove. Pure: works on the 512 bytes of block 0. Entry numbers are 1-based
 * and are the partition numbers (`IMAGE:2` is entry 2). The entries in use are the first `count`
 * (packed, so an OS in assembly can loop over them), so removing a partition renumbers the ones after it.
 */
import { crc32 } from '../../shared/crc32.js';
import { BLOCK, put32, readName, u32, writeName } from './bytes.js';
import { attempt, DiskError, fail, hex } from './errors.js';

export const PT_MAGIC = 0x54504448; // 'HDPT'
export const PT_VERSION = 1;
export const PT_ENTRIES = 8;
const ENTRY_BYTES = 48;
const ENTRIES_AT = 16;
const CRC_AT = 400;
const NAME_BYTES = 32;
const FLAG_BOOTABLE = 1;

export type PartitionType = 'cfs' | 'sfs' | 'raw';
const TYPE_CODES: Record<PartitionType, number> = { cfs: 1, sfs: 2, raw: 3 };
const TYPE_NAMES: Record<number, PartitionType> = { 1: 'cfs', 2: 'sfs', 3: 'raw' };

export interface Partition {
  /** 1..8: the entry's slot in the table. */
  number: number;
  type: PartitionType;
  /** flags bit 0: the partition starts with an OS image header (docs/boot.md). */
  bootable: boolean;
  /** Absolute disk block. */
  first: number;
  blocks: number;
  name: string;
}

export interface PartitionTable {
  /** The disk size the table was written for (never more than the image holds). */
  diskBlocks: number;
  /** Entries in use, by number. */
  partitions: Partition[];
}

export type NewPartition = Omit<Partition, 'number'>;

const WHERE = 'partition table (block 0)';

export function createPartitionTable(diskBlocks: number): PartitionTable {
  return { diskBlocks, partitions: [] };
}

/**
 * Parse block 0 of a disk of `imageBlocks` blocks. Every problem is collected into `problems`
 * (for fsck); the table is returned only when there were none.
 */
export function checkPartitionTable(
  block0: Uint8Array,
  imageBlocks: number,
  problems: string[],
): PartitionTable | undefined {
  const bad = (msg: string) => problems.push(`${WHERE}: ${msg}`);
  if (block0.length < BLOCK) {
    bad(`only ${block0.length} bytes`);
    return undefined;
  }
  const before = problems.length;
  const magic = u32(block0, 0);
  if (magic !== PT_MAGIC) {
    bad(`magic: ${hex(magic)} is not ${hex(PT_MAGIC)} ('HDPT'); is this a hyperdesk disk image?`);
    return undefined;
  }
  const version = u32(block0, 4);
  if (version !== PT_VERSION) {
    bad(`version: ${version} is not ${PT_VERSION}`);
    return undefined;
  }
  const crc = crc32(block0.subarray(0, CRC_AT));
  const stored = u32(block0, CRC_AT);
  if (crc !== stored) bad(`crc: bytes 0..399 have crc32 ${hex(crc)}, the table says ${hex(stored)}`);
  const count = u32(block0, 8);
  if (count > PT_ENTRIES) bad(`entry count: ${count} is more than ${PT_ENTRIES}`);
  const diskBlocks = u32(block0, 12);
  if (diskBlocks < 2) bad(`disk size: ${diskBlocks} blocks is too small`);
  else if (diskBlocks > imageBlocks) {
    bad(`disk size: ${diskBlocks} blocks, but the image holds ${imageBlocks} (truncated image?)`);
  }
  const partitions: Partition[] = [];
  for (let i = 0; i < PT_ENTRIES; i++) {
    const e = block0.subarray(ENTRIES_AT + i * ENTRY_BYTES, ENTRIES_AT + (i + 1) * ENTRY_BYTES);
    const n = i + 1;
    const type = u32(e, 0);
    if (i >= count) {
      // Entries in use are packed at the front; the rest must be empty.
      if (e.some((b) => b !== 0)) bad(`entry ${n}: not empty, but the entry count is ${count}`);
      continue;
    }
    if (type === 0) {
      bad(`entry ${n}: type: 0 (empty), but the entry count is ${count} (entries in use come first)`);
      continue;
    }
    const typeName = TYPE_NAMES[type];
    if (!typeName) {
      bad(`entry ${n}: type: ${type} is not 0 (empty), 1 (cfs), 2 (sfs) or 3 (raw)`);
      continue;
    }
    const flags = u32(e, 4);
    if (flags & ~FLAG_BOOTABLE) bad(`entry ${n}: flags: ${hex(flags)} has unknown bits set`);
    const name = readName(e.subarray(16, 16 + NAME_BYTES));
    if (typeof name !== 'string') bad(`entry ${n}: name: ${name.problem}`);
    partitions.push({
      number: n,
      type: typeName,
      bootable: (flags & FLAG_BOOTABLE) !== 0,
      first: u32(e, 8),
      blocks: u32(e, 12),
      name: typeof name === 'string' ? name : '',
    });
  }
  for (const p of validatePartitions(Math.min(diskBlocks, imageBlocks), partitions)) bad(p);
  return problems.length === before ? { diskBlocks, partitions } : undefined;
}

/** Parse block 0; the first problem as a DiskError (with a count of the others). */
export function parsePartitionTable(block0: Uint8Array, imageBlocks: number): PartitionTable | DiskError {
  const problems: string[] = [];
  const t = checkPartitionTable(block0, imageBlocks, problems);
  if (t) return t;
  return new DiskError(problems[0] + (problems.length > 1 ? ` (and ${problems.length - 1} more problems)` : ''));
}

/**
 * The layout rules (pure): each partition starts after block 0, has at least one block, ends inside
 * the disk, and overlaps no other. Messages name the entry and field.
 */
export function validatePartitions(diskBlocks: number, partitions: readonly Partition[]): string[] {
  const out: string[] = [];
  for (const p of partitions) {
    const span = `blocks ${p.first}..${p.first + p.blocks - 1}`;
    if (p.first < 1) out.push(`entry ${p.number}: first block: 0 is the partition table`);
    if (p.blocks < 1) out.push(`entry ${p.number}: number of blocks: 0 (empty partition)`);
    else if (p.first + p.blocks > diskBlocks) {
      out.push(`entry ${p.number}: ${span} run past the end of the disk (${diskBlocks} blocks)`);
    }
  }
  for (let i = 0; i < partitions.length; i++) {
    for (let j = i + 1; j < partitions.length; j++) {
      const a = partitions[i];
      const b = partitions[j];
      if (a.blocks > 0 && b.blocks > 0 && a.first < b.first + b.blocks && b.first < a.first + a.blocks) {
        out.push(
          `entry ${b.number}: blocks ${b.first}..${b.first + b.blocks - 1} overlap entry ${a.number} (blocks ${a.first}..${a.first + a.blocks - 1})`,
        );
      }
    }
  }
  return out;
}

/** The 512 bytes of block 0 for `table` (entry count and crc computed). */
export function encodePartitionTable(table: PartitionTable): Uint8Array {
  const b = new Uint8Array(BLOCK);
  put32(b, 0, PT_MAGIC);
  put32(b, 4, PT_VERSION);
  put32(b, 8, table.partitions.length);
  put32(b, 12, table.diskBlocks);
  table.partitions.forEach((p, i) => {
    const e = b.subarray(ENTRIES_AT + i * ENTRY_BYTES, ENTRIES_AT + (i + 1) * ENTRY_BYTES);
    put32(e, 0, TYPE_CODES[p.type]);
    put32(e, 4, p.bootable ? FLAG_BOOTABLE : 0);
    put32(e, 8, p.first);
    put32(e, 12, p.blocks);
    writeName(e.subarray(16, 16 + NAME_BYTES), p.name, `entry ${i + 1}: name`);
  });
  put32(b, CRC_AT, crc32(b.subarray(0, CRC_AT)));
  return b;
}

/** A new table with `spec` added as the next entry; all or nothing. */
export function addPartition(table: PartitionTable, spec: NewPartition): PartitionTable | DiskError {
  return attempt(() => {
    const number = table.partitions.length + 1;
    if (number > PT_ENTRIES) fail(`${WHERE}: all ${PT_ENTRIES} entries are in use`);
    if (!(spec.type in TYPE_CODES)) fail(`${WHERE}: entry ${number}: type: '${spec.type}' is not cfs, sfs or raw`);
    for (const [field, v] of [
      ['first block', spec.first],
      ['number of blocks', spec.blocks],
    ] as const) {
      if (!Number.isSafeInteger(v) || v < 0 || v > 0xffffffff)
        fail(`${WHERE}: entry ${number}: ${field}: ${v} is not a block number`);
    }
    if (spec.name === '') fail(`${WHERE}: entry ${number}: name: empty`);
    const p: Partition = { ...spec, number };
    encodePartitionTable({ diskBlocks: table.diskBlocks, partitions: [p] }); // checks the name
    const partitions = [...table.partitions, p];
    // The table was valid before, so any problem involves the new entry.
    const problems = validatePartitions(table.diskBlocks, partitions);
    if (problems.length) fail(`${WHERE}: ${problems[0]}`);
    return { diskBlocks: table.diskBlocks, partitions };
  });
}

/** A new table without partition `number`; the ones after it move up one number. Blocks are left as they are. */
export function removePartition(table: PartitionTable, number: number): PartitionTable | DiskError {
  if (!table.partitions.some((p) => p.number === number)) {
    return new DiskError(`${WHERE}: entry ${number}: no such partition`);
  }
  const partitions = table.partitions.filter((p) => p.number !== number).map((p, i) => ({ ...p, number: i + 1 }));
  return { diskBlocks: table.diskBlocks, partitions };
}
