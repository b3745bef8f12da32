/**
 * What the `hyperdesk disk` tools and the app's Disks view both do to an image file
 * (docs/disks.md#disks-in-the-app): open it (an overlay through its chain), describe it, place a new
 * partition in free space, check that a file is an image before it is imported, and read and write
 * a partition's text files. One implementation: the CLI (src/main/cli/disk.ts) and the host
 * (src/main/host/imageLibrary.ts) call these, and these call DiskImage, cfs and sfs. Errors are
 * DiskError values whose messages say where (`partition 2: cfs: directory block 1 (disk block
 * 2049): ...`); the caller puts the image's name in front.
 */
import { statSync } from 'node:fs';
import type { GuestFile, ImagePartition, NewImagePartition } from '../../shared/api.js';
import { guestFileKind } from '../../shared/guestFileNames.js';
import { BLOCK } from './bytes.js';
import { DiskChain } from './DiskChain.js';
import { DiskImage, fsckDisk } from './DiskImage.js';
import { attempt, DiskError, fail, must } from './errors.js';
import type { FileSystem } from './fileSystem.js';
import { isOverlayFile } from './overlay.js';
import type { Partition, PartitionTable } from './partitionTable.js';

/** New partitions start on a 4 KiB boundary (8 blocks), like the default disk's. */
export const PARTITION_ALIGN = 8;

/**
 * Opens the image at `path` (an overlay: the disk its chain describes), runs `fn` on it and closes
 * it, fsyncing first when writable. `fn` may `fail()`; any DiskError comes back as the value.
 */
export function withImage<T>(path: string, writable: boolean, fn: (disk: DiskImage) => T): T | DiskError {
  const backend = DiskChain.open(path, { readOnly: !writable });
  if (backend instanceof Error) return new DiskError(backend.message);
  let result: T | DiskError;
  try {
    result = attempt(() => fn(must(DiskImage.open(backend))));
  } finally {
    const closed = backend.close(); // fsyncs a writable image
    if (closed instanceof Error) result = new DiskError(`cannot close: ${closed.message}`);
  }
  return result;
}

/** The runs of blocks no partition uses (block 0 is the table's), in order. */
export function freeRuns(table: PartitionTable): { first: number; blocks: number }[] {
  const used = [...table.partitions].sort((a, b) => a.first - b.first);
  const runs: { first: number; blocks: number }[] = [];
  let at = 1;
  for (const p of used) {
    if (p.first > at) runs.push({ first: at, blocks: p.first - at });
    at = Math.max(at, p.first + p.blocks);
  }
  if (table.diskBlocks > at) runs.push({ first: at, blocks: table.diskBlocks - at });
  return runs;
}

/** The first 4 KiB-aligned start where `blocks` blocks fit, or an error saying what room there is. */
export function placePartition(table: PartitionTable, blocks: number): number | DiskError {
  for (const r of freeRuns(table)) {
    const start = Math.ceil(r.first / PARTITION_ALIGN) * PARTITION_ALIGN;
    if (start + blocks <= r.first + r.blocks) return start;
  }
  const largest = freeRuns(table).reduce((a, r) => (r.blocks > a.blocks ? r : a), { first: 0, blocks: 0 });
  return new DiskError(
    `partition table (block 0): no free run of ${blocks} blocks` +
      (largest.blocks ? ` (the largest is ${largest.blocks} blocks at block ${largest.first})` : ' (the disk is full)'),
  );
}

/** Adds a partition; without `start`, at placePartition's block. */
export function addImagePartition(disk: DiskImage, spec: NewImagePartition): Partition | DiskError {
  return attempt(() => {
    const first = spec.start ?? must(placePartition(disk.table, spec.blocks));
    return must(
      disk.addPartition({ type: spec.type, first, blocks: spec.blocks, name: spec.name, bootable: !!spec.bootable }),
    );
  });
}

/** Each partition as the Disks view shows it: its OS image's name and its file system, or what is wrong. */
export function describePartitions(disk: DiskImage): ImagePartition[] {
  return disk.table.partitions.map((p) => {
    const out: ImagePartition = {
      number: p.number,
      type: p.type,
      name: p.name,
      first: p.first,
      blocks: p.blocks,
      bootable: p.bootable,
    };
    if (p.bootable) {
      const h = disk.osHeader(p.number);
      if (h instanceof DiskError) out.problem = h.message;
      else out.os = h.name;
    }
    if (p.type !== 'raw' && !out.problem) {
      const fs = disk.fileSystem(p.number);
      if (fs instanceof DiskError) out.problem = fs.message;
      else out.fs = { kind: fs.kind, files: fs.list().length, freeBlocks: fs.freeBlocks(), warnings: [...fs.warnings] };
    }
    return out;
  });
}

/** A partition's files as the editor lists them (source, text or a program image). */
export function listGuestFiles(fs: FileSystem): GuestFile[] {
  return fs.list().map((f) => ({ name: f.name, size: f.size, kind: guestFileKind(f.name, f.executable === true) }));
}

/** A text file's contents; a file with NUL bytes (a program) is refused. */
export function readGuestText(fs: FileSystem, name: string): string | DiskError {
  const bytes = fs.read(name);
  if (bytes instanceof DiskError) return bytes;
  if (bytes.some((b) => b === 0)) return new DiskError(`${name} is a binary file (a program); open its source instead`);
  return new TextDecoder().decode(bytes);
}

/** Creates or replaces a text file (never over a program image, which deploy writes); the name it got. */
export function writeGuestText(fs: FileSystem, name: string, text: string): string | DiskError {
  if (text.includes('\0')) return new DiskError(`${name}: a text file cannot hold NUL characters`);
  const existing = fs.list().find((f) => f.name.toLowerCase() === name.toLowerCase());
  if (existing?.executable)
    return new DiskError(`${existing.name} is a program image: edit its source and Assemble & reboot`);
  const r = fs.write(existing?.name ?? name, new TextEncoder().encode(text));
  if (r instanceof DiskError) return r;
  // The name as the file system keeps it (sfs: `readme.txt` is `README.TXT`).
  return fs.list().find((f) => f.name.toLowerCase() === name.toLowerCase())?.name ?? name;
}

/** What an import checks before copying: a plain file of whole blocks with a partition table that opens. */
export interface ImportCheck {
  bytes: number;
  /** What fsck finds below the table (the image is still imported; the Disks view shows them). */
  warnings: string[];
}

/**
 * Whether the file at `path` can be imported as a disk image: a regular file, a whole number of
 * 512-byte blocks (at least 2, at most `maxBytes`), not an overlay, with a partition table that
 * checks. Reads only.
 */
export function checkImportable(path: string, maxBytes: number): ImportCheck | DiskError {
  return attempt(() => {
    let size: number;
    try {
      const st = statSync(path);
      if (!st.isFile()) fail('not a regular file');
      size = st.size;
    } catch (e) {
      if (e instanceof DiskError) throw e;
      fail(`cannot read: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    }
    if (size % BLOCK !== 0)
      fail(
        `${size} bytes is not a whole number of ${BLOCK}-byte blocks (${size % BLOCK} bytes past the last whole block)`,
      );
    if (size < 2 * BLOCK)
      fail(`${size} bytes is too small for a disk image (at least 2 blocks: the table and one more)`);
    if (size > maxBytes) fail(`${size} bytes is more than the app takes (${maxBytes} bytes)`);
    if (isOverlayFile(path))
      fail('an overlay file (copy-on-write), not an image: import the image at the bottom of its chain');
    const warnings = must(withImage(path, false, (disk) => disk.fsck()));
    return { bytes: size, warnings };
  });
}

/** fsck of a whole image (table, then each partition), for callers that have only the path. */
export function fsckImage(path: string): string[] {
  const backend = DiskChain.open(path, { readOnly: true });
  if (backend instanceof Error) return [backend.message];
  try {
    return fsckDisk(backend);
  } finally {
    backend.close();
  }
}
