/**
 * The overlay file of a copy-on-write disk (docs/disks.md#overlay-files): the blocks written since a
 * snapshot froze the disk below it, which is either the image itself or another (frozen) overlay.
 * This module holds the format: the header, the block map, how a base is identified, and the checks
 * that fsck and every open run. DiskChain.ts reads and writes disks through a chain of them.
 */
import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { crc32 } from '../../shared/crc32.js';
import { BLOCK } from './bytes.js';

export const OVERLAY_MAGIC = 0x564f4448; // 'HDOV'
export const OVERLAY_VERSION = 1;
/** Header flag: the overlay is frozen (a snapshot needs it as it is; it is never written again). */
export const FLAG_FROZEN = 1;
export const BASE_IMAGE = 1;
export const BASE_OVERLAY = 2;
/** Room for the base's path in the header (UTF-8 bytes). */
export const BASE_PATH_MAX = 256;
/** Bytes of the block map per disk block: the data slot and the crc32 of the block's data. */
export const MAP_ENTRY = 8;

export interface BaseIdentity {
  kind: typeof BASE_IMAGE | typeof BASE_OVERLAY;
  /** The base file's size in bytes. */
  bytes: number;
  /** SHA-256 of the whole base file, hex (64 digits). */
  sha256: string;
  /** The base's path, relative to the overlay's folder (or absolute). */
  path: string;
}

export interface OverlayHeader {
  version: number;
  flags: number;
  /** Size of the disk this overlay describes, in blocks (the base's size). */
  diskBlocks: number;
  mapFirst: number;
  mapBlocks: number;
  dataFirst: number;
  base: BaseIdentity;
}

/** Blocks of map an overlay of `diskBlocks` needs. */
export function mapBlocksFor(diskBlocks: number): number {
  return Math.ceil((diskBlocks * MAP_ENTRY) / BLOCK);
}

export function encodeOverlayHeader(h: OverlayHeader): Uint8Array {
  const b = new Uint8Array(BLOCK);
  const v = new DataView(b.buffer);
  const path = new TextEncoder().encode(h.base.path);
  if (path.length > BASE_PATH_MAX) throw new RangeError(`base path is ${path.length} bytes (at most ${BASE_PATH_MAX})`);
  v.setUint32(0, OVERLAY_MAGIC, true);
  v.setUint32(4, h.version, true);
  v.setUint32(8, h.flags, true);
  v.setUint32(12, h.diskBlocks, true);
  v.setUint32(16, h.mapFirst, true);
  v.setUint32(20, h.mapBlocks, true);
  v.setUint32(24, h.dataFirst, true);
  v.setUint32(28, h.base.bytes % 2 ** 32, true);
  v.setUint32(32, Math.floor(h.base.bytes / 2 ** 32), true);
  v.setUint32(36, h.base.kind, true);
  b.set(hexBytes(h.base.sha256), 40);
  v.setUint32(72, path.length, true);
  b.set(path, 76);
  v.setUint32(508, crc32(b.subarray(0, 508)), true);
  return b;
}

/** Parse and check a header block; the message says which field is wrong. */
export function parseOverlayHeader(b: Uint8Array): OverlayHeader | Error {
  if (b.length < BLOCK) return new Error(`overlay header: file is ${b.length} bytes, shorter than its header block`);
  const v = new DataView(b.buffer, b.byteOffset, BLOCK);
  if (v.getUint32(0, true) !== OVERLAY_MAGIC) return new Error('overlay header: magic is not HDOV');
  const version = v.getUint32(4, true);
  if (version !== OVERLAY_VERSION)
    return new Error(`overlay header: version ${version} (this hyperdesk reads version ${OVERLAY_VERSION})`);
  const stored = v.getUint32(508, true);
  const actual = crc32(b.subarray(0, 508));
  if (stored !== actual)
    return new Error(`overlay header: crc32 ${hex(stored)} does not match its contents (${hex(actual)})`);
  const flags = v.getUint32(8, true);
  if ((flags & ~FLAG_FROZEN) !== 0) return new Error(`overlay header: unknown flags ${hex(flags)}`);
  const diskBlocks = v.getUint32(12, true);
  const mapFirst = v.getUint32(16, true);
  const mapBlocks = v.getUint32(20, true);
  const dataFirst = v.getUint32(24, true);
  if (diskBlocks < 1) return new Error('overlay header: disk size is 0 blocks');
  if (mapFirst !== 1) return new Error(`overlay header: map starts at block ${mapFirst} (must be 1)`);
  if (mapBlocks !== mapBlocksFor(diskBlocks))
    return new Error(
      `overlay header: map is ${mapBlocks} blocks; a disk of ${diskBlocks} blocks needs ${mapBlocksFor(diskBlocks)}`,
    );
  if (dataFirst !== mapFirst + mapBlocks)
    return new Error(
      `overlay header: data starts at block ${dataFirst} (must be ${mapFirst + mapBlocks}, after the map)`,
    );
  const kind = v.getUint32(36, true);
  if (kind !== BASE_IMAGE && kind !== BASE_OVERLAY) return new Error(`overlay header: base kind ${kind} (1 or 2)`);
  const pathLength = v.getUint32(72, true);
  if (pathLength < 1 || pathLength > BASE_PATH_MAX)
    return new Error(`overlay header: base path length ${pathLength} (1..${BASE_PATH_MAX})`);
  let path: string;
  try {
    path = new TextDecoder('utf-8', { fatal: true }).decode(b.subarray(76, 76 + pathLength));
  } catch {
    return new Error('overlay header: base path is not UTF-8');
  }
  return {
    version,
    flags,
    diskBlocks,
    mapFirst,
    mapBlocks,
    dataFirst,
    base: {
      kind,
      bytes: v.getUint32(28, true) + v.getUint32(32, true) * 2 ** 32,
      sha256: Buffer.from(b.subarray(40, 72)).toString('hex'),
      path,
    },
  };
}

/** True when a file starts with the overlay magic (so tools know to read it as a chain). */
export function isOverlayFile(path: string): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return false;
  }
  try {
    const b = new Uint8Array(4);
    return readSync(fd, b, 0, 4, 0) === 4 && new DataView(b.buffer).getUint32(0, true) === OVERLAY_MAGIC;
  } finally {
    closeSync(fd);
  }
}

/**
 * The files of the chain ending at `path` (top first), read from the headers alone (no identity
 * check: for deciding which overlays are still needed), and whether `path` itself is frozen.
 */
export function chainFiles(path: string): { files: string[]; frozen: boolean } {
  const files: string[] = [];
  let frozen = false;
  let current = resolve(path);
  for (let depth = 0; depth < 1000; depth++) {
    files.push(current);
    const head = new Uint8Array(BLOCK);
    let n: number;
    try {
      const fd = openSync(current, 'r');
      try {
        n = readSync(fd, head, 0, BLOCK, 0);
      } finally {
        closeSync(fd);
      }
    } catch {
      break;
    }
    const h = parseOverlayHeader(head.subarray(0, n));
    if (h instanceof Error) break;
    if (depth === 0) frozen = (h.flags & FLAG_FROZEN) !== 0;
    current = resolve(dirname(current), h.base.path);
  }
  return { files, frozen };
}

/**
 * SHA-256 and size of a whole file, read in 1 MiB pieces (the identity of a base). With `block0`,
 * as if the file's first block were those bytes (an overlay about to be frozen: its new header).
 */
export function fileIdentity(path: string, block0?: Uint8Array): { bytes: number; sha256: string } | Error {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    return new Error(`cannot open: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  try {
    const hash = createHash('sha256');
    const buf = new Uint8Array(1 << 20);
    let bytes = 0;
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, bytes);
      if (n === 0) break;
      if (block0 && bytes === 0) buf.set(block0.subarray(0, Math.min(n, block0.length)));
      hash.update(buf.subarray(0, n));
      bytes += n;
    }
    return { bytes, sha256: hash.digest('hex') };
  } catch (e) {
    return new Error(`cannot read: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  } finally {
    closeSync(fd);
  }
}

/**
 * Check a block map (2 u32 per disk block: slot, crc32) against the number of data slots in the file.
 * Returns the problems, each naming the disk block; an empty list means every entry points at a slot
 * of its own inside the file.
 */
export function checkMap(map: Uint32Array, slots: number, limit = 20): string[] {
  const problems: string[] = [];
  const seen = new Uint8Array(slots + 1);
  for (let blk = 0; blk < map.length / 2 && problems.length < limit; blk++) {
    const slot = map[blk * 2];
    if (slot === 0) {
      if (map[blk * 2 + 1] !== 0)
        problems.push(`map: disk block ${blk}: no data slot but a crc32 of ${hex(map[blk * 2 + 1])}`);
      continue;
    }
    if (slot > slots)
      problems.push(`map: disk block ${blk}: data slot ${slot} is past the end of the file (${slots} slots)`);
    else if (seen[slot]) problems.push(`map: disk block ${blk}: data slot ${slot} is used by another block too`);
    else seen[slot] = 1;
  }
  return problems;
}

function hexBytes(h: string): Uint8Array {
  if (!/^[0-9a-f]{64}$/.test(h)) throw new RangeError(`not a SHA-256 in hex: ${h}`);
  return Uint8Array.from(Buffer.from(h, 'hex'));
}

function hex(n: number): string {
  return '0x' + (n >>> 0).toString(16).padStart(8, '0');
}
