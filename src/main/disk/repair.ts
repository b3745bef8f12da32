/**
 * `hyperdesk disk fsck --repair` (docs/disks.md#fsck---repair): explicit, never automatic. The
 * checkers' repairs (cfsRepair.ts, sfsRepair.ts) are planned in memory as whole blocks; before any
 * of them is written, the old contents of every block that changes go to a backup file next to the
 * image (`IMAGE.fsck-YYYYMMDD-HHMMSS.bak`, fsynced), so a repair can be undone. The partition table
 * and OS images are never changed: a problem there is reported as not repairable.
 */
import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';
import type { BlockBackend } from '../emulator/devices/disk/BlockBackend.js';
import { BLOCK, blocksFor, put32, u32 } from './bytes.js';
import { openCfs } from './cfs.js';
import { planCfsRepair } from './cfsRepair.js';
import { DiskImage } from './DiskImage.js';
import { attempt, DiskError, fail, hex } from './errors.js';
import { openSfs } from './sfs.js';
import { planSfsRepair } from './sfsRepair.js';

/** One block a repair rewrites: absolute disk block, its new contents, and what it is. */
export interface BlockChange {
  block: number;
  data: Uint8Array;
  what: string;
}

export interface RepairReport {
  /** What fsck found before repairing. */
  found: string[];
  /** One line per fix made. */
  fixes: string[];
  /** What fsck still finds after the repair (the partition table, an OS image, a bad superblock). */
  left: string[];
  /** The backup of the changed blocks (none when nothing changed). */
  backup?: string;
  /** Blocks written. */
  blocks: number;
}

export const BACKUP_MAGIC = 0x42464448; // 'HDFB'
export const BACKUP_VERSION = 1;

/** The repairs of every file system on the disk (or of partition `part`), not yet written. */
export function planRepair(disk: DiskImage, part?: number): { changes: BlockChange[]; fixes: string[] } {
  const changes: BlockChange[] = [];
  const fixes: string[] = [];
  const numbers = part === undefined ? disk.table.partitions.map((p) => p.number) : [part];
  for (const n of numbers) {
    const p = disk.partition(n);
    if (p instanceof DiskError || p.type === 'raw') continue;
    const region = disk.fsRegion(n);
    if (region instanceof DiskError) continue; // the OS image header: reported by fsck, left alone
    const vol = p.type === 'cfs' ? openCfs(region) : openSfs(region);
    if (vol instanceof DiskError) continue; // a bad superblock: reported by fsck, left alone
    if (vol.warnings.length === 0) continue;
    const plan = vol.kind === 'cfs' ? planCfsRepair(vol) : planSfsRepair(vol);
    changes.push(...plan.changes);
    fixes.push(...plan.fixes);
  }
  return { changes, fixes };
}

/**
 * Check, repair and check again. `image` names the file the backup goes next to; `now` its time
 * stamp. The backup is written and fsynced before the first block changes.
 */
export function repairDisk(
  backend: BlockBackend,
  image: string,
  part?: number,
  now = new Date(),
): RepairReport | DiskError {
  return attempt(() => repair(backend, image, part, now));
}

function repair(backend: BlockBackend, image: string, part: number | undefined, now: Date): RepairReport {
  const disk = DiskImage.open(backend);
  if (disk instanceof DiskError) return { found: [disk.message], fixes: [], left: [disk.message], blocks: 0 };
  const check = () => (part === undefined ? disk.fsck() : disk.fsckPartition(part));
  const found = check();
  if (found.length === 0) return { found, fixes: [], left: [], blocks: 0 };
  const { changes, fixes } = planRepair(disk, part);
  if (changes.length === 0) return { found, fixes, left: found, blocks: 0 };
  const old = changes.map((c) => {
    const b = backend.read(c.block, 1);
    if (b instanceof Error) fail(`${c.what} (disk block ${c.block}): cannot read: ${b.message}`);
    return b;
  });
  const backup = writeBackup(image, backend.blocks, changes, old, now);
  for (const c of changes) {
    const r = backend.write(c.block, c.data);
    if (r instanceof Error) fail(`${c.what} (disk block ${c.block}): cannot write: ${r.message} (backup: ${backup})`);
  }
  const flushed = backend.flush();
  if (flushed instanceof Error) fail(`flush failed: ${flushed.message} (backup: ${backup})`);
  const after = DiskImage.open(backend);
  const left =
    after instanceof DiskError ? [after.message] : part === undefined ? after.fsck() : after.fsckPartition(part);
  return { found, fixes, left, backup, blocks: changes.length };
}

/**
 * The backup file (docs/disks.md#fsck---repair): block 0 a header (+0 magic 'HDFB', +4 version 1,
 * +8 number of blocks saved n, +12 the disk's size in blocks), then ceil(4n / 512) blocks of u32 disk
 * block numbers, then the n blocks' old contents in the same order.
 */
export function encodeBackup(diskBlocks: number, blocks: number[], old: Uint8Array[]): Uint8Array {
  const listBlocks = blocksFor(blocks.length * 4);
  const out = new Uint8Array((1 + listBlocks + blocks.length) * BLOCK);
  put32(out, 0, BACKUP_MAGIC);
  put32(out, 4, BACKUP_VERSION);
  put32(out, 8, blocks.length);
  put32(out, 12, diskBlocks);
  blocks.forEach((b, i) => put32(out, BLOCK + i * 4, b));
  old.forEach((d, i) => out.set(d.subarray(0, BLOCK), (1 + listBlocks + i) * BLOCK));
  return out;
}

/** The saved blocks of a backup file, or a DiskError saying what is wrong with it. */
export function decodeBackup(bytes: Uint8Array): { diskBlocks: number; blocks: Map<number, Uint8Array> } | DiskError {
  if (bytes.length < BLOCK || bytes.length % BLOCK !== 0)
    return new DiskError(`backup: ${bytes.length} bytes is not a whole number of blocks`);
  if (u32(bytes, 0) !== BACKUP_MAGIC)
    return new DiskError(`backup: magic ${hex(u32(bytes, 0))} is not ${hex(BACKUP_MAGIC)} ('HDFB')`);
  if (u32(bytes, 4) !== BACKUP_VERSION) return new DiskError(`backup: version ${u32(bytes, 4)} is not 1`);
  const n = u32(bytes, 8);
  const listBlocks = blocksFor(n * 4);
  if ((1 + listBlocks + n) * BLOCK !== bytes.length)
    return new DiskError(
      `backup: ${n} blocks saved needs ${(1 + listBlocks + n) * BLOCK} bytes, the file has ${bytes.length}`,
    );
  const blocks = new Map<number, Uint8Array>();
  for (let i = 0; i < n; i++) {
    const at = (1 + listBlocks + i) * BLOCK;
    blocks.set(u32(bytes, BLOCK + i * 4), bytes.slice(at, at + BLOCK));
  }
  return { diskBlocks: u32(bytes, 12), blocks };
}

/** `IMAGE.fsck-20261207-181500.bak` (a suffix -2, -3 ... when taken), created, written and fsynced. */
function writeBackup(image: string, diskBlocks: number, changes: BlockChange[], old: Uint8Array[], now: Date): string {
  const bytes = encodeBackup(
    diskBlocks,
    changes.map((c) => c.block),
    old,
  );
  const p = (n: number) => String(n).padStart(2, '0');
  const stamp = `${now.getUTCFullYear()}${p(now.getUTCMonth() + 1)}${p(now.getUTCDate())}-${p(now.getUTCHours())}${p(now.getUTCMinutes())}${p(now.getUTCSeconds())}`;
  for (let k = 1; k < 100; k++) {
    const path = `${image}.fsck-${stamp}${k > 1 ? `-${k}` : ''}.bak`;
    let fd: number;
    try {
      fd = openSync(path, 'wx', 0o644);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') continue;
      fail(`cannot write the backup ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}; nothing repaired`);
    }
    try {
      let done = 0;
      while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done);
      fsyncSync(fd);
    } catch (e) {
      fail(`cannot write the backup ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}; nothing repaired`);
    } finally {
      closeSync(fd);
    }
    return path;
  }
  fail(`cannot find a free backup name next to ${image}; nothing repaired`);
}
