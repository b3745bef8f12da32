import type { BlockBackend } from '../devices/disk/BlockBackend.js';
/**
 * What the boot loader needs of a disk's partition table (docs/disks.md#partition-table-block-0):
 * the bootable entries. The disk tools (src/main/disk) have the full reader and writer; the firmware
 * may not import them (the emulator imports nothing outside itself and src/shared), so this reads
 * only what booting needs and checks what booting relies on (magic, version, crc, ranges).
 */
import { crc32 } from '../../../shared/crc32.js';

export const PT_MAGIC = 0x54504448; // 'HDPT'

export interface BootablePartition {
  /** 1-based partition number. */
  number: number;
  type: number;
  start: number;
  blocks: number;
  name: string;
}

/** The bootable partitions of a disk, or a message saying why the table cannot be used. */
export function bootablePartitions(block0: Uint8Array, diskBlocks: number): BootablePartition[] | string {
  if (block0.length < 512) return 'block 0 is missing';
  const v = new DataView(block0.buffer, block0.byteOffset, 512);
  const u = (o: number) => v.getUint32(o, true);
  if (u(0) !== PT_MAGIC) return 'no partition table (block 0 has no HDPT magic)';
  if (u(4) !== 1) return `partition table version ${u(4)} is not 1`;
  if (crc32(block0.subarray(0, 400)) !== u(400)) return 'partition table crc mismatch (block 0 bytes 0..399)';
  const count = u(8);
  if (count > 8) return `partition table says ${count} entries; at most 8`;
  const out: BootablePartition[] = [];
  for (let i = 0; i < count; i++) {
    const o = 16 + i * 48;
    const type = u(o);
    if (type === 0 || (u(o + 4) & 1) === 0) continue;
    const start = u(o + 8);
    const blocks = u(o + 12);
    if (start < 1 || start + blocks > diskBlocks) continue;
    let name = '';
    for (let p = o + 16; p < o + 48 && block0[p] !== 0; p++) name += String.fromCharCode(block0[p]);
    out.push({ number: i + 1, type, start, blocks, name });
  }
  return out;
}

/**
 * Where partition `n` (1-based, any type, bootable or not) of a disk lies: for the hypervisor's
 * disk grants (docs/hypercalls.md), which the Controlling OS names by partition number. Undefined
 * when block 0 holds no valid table, there is no such entry, or it runs past the disk's end.
 */
export function partitionBlocks(disk: BlockBackend, n: number): { start: number; blocks: number } | undefined {
  const block0 = disk.read(0, 1);
  if (block0 instanceof Error || block0.length < 512) return undefined;
  const v = new DataView(block0.buffer, block0.byteOffset, 512);
  const u = (o: number) => v.getUint32(o, true);
  if (u(0) !== PT_MAGIC || u(4) !== 1 || crc32(block0.subarray(0, 400)) !== u(400)) return undefined;
  if (!Number.isInteger(n) || n < 1 || n > Math.min(8, u(8))) return undefined;
  const o = 16 + (n - 1) * 48;
  const start = u(o + 8);
  const blocks = u(o + 12);
  if (u(o) === 0 || start < 1 || blocks < 1 || start + blocks > disk.blocks) return undefined;
  return { start, blocks };
}
