/**
 * Disk image files as wholes: create a new empty image, and replace one atomically (temp file, fsync,
 * rename), so an interrupted build never leaves a half-written image under the real name.
 */
import { closeSync, constants, fsyncSync, ftruncateSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { BLOCK } from './bytes.js';
import { DiskError } from './errors.js';
import { createPartitionTable, encodePartitionTable } from './partitionTable.js';

/** Parse a size like 16M, 512K, 1G or 1048576 (bytes). */
export function parseSize(s: string): number | undefined {
  const m = /^(\d+)([kKmMgG]?)$/.exec(s.trim());
  if (!m) return undefined;
  const mult = { '': 1, k: 1024, m: 1 << 20, g: 1 << 30 }[m[2].toLowerCase() as '' | 'k' | 'm' | 'g'];
  const n = Number(m[1]) * mult;
  return Number.isSafeInteger(n) ? n : undefined;
}

/** Largest disk the table's u32 block count can describe. */
export const MAX_DISK_BLOCKS = 0xffffffff;

/** Create `path` (which must not exist) as a zero-filled image of `blocks` blocks with an empty partition table. */
export function createImageFile(path: string, blocks: number): true | DiskError {
  if (!Number.isSafeInteger(blocks) || blocks < 2 || blocks > MAX_DISK_BLOCKS) {
    return new DiskError(`size: ${blocks} blocks is not between 2 and ${MAX_DISK_BLOCKS}`);
  }
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDWR | constants.O_CREAT | constants.O_EXCL, 0o644);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return new DiskError(
      code === 'EEXIST' ? 'already exists (not overwriting it)' : `cannot create: ${code ?? String(e)}`,
    );
  }
  try {
    ftruncateSync(fd, blocks * BLOCK);
    const table = encodePartitionTable(createPartitionTable(blocks));
    writeSync(fd, table, 0, table.length, 0);
    fsyncSync(fd);
    closeSync(fd);
    return true;
  } catch (e) {
    closeSync(fd);
    rmSync(path, { force: true });
    return new DiskError(`cannot create: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
}

/** Replace `path` with `bytes` atomically: write a temp file beside it, fsync, rename. */
export function writeFileAtomic(path: string, bytes: Uint8Array): true | DiskError {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`);
  try {
    const fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o644);
    try {
      let done = 0;
      while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done, done);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
    return true;
  } catch (e) {
    rmSync(tmp, { force: true });
    return new DiskError(`cannot write: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
}
