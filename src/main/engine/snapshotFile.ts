/**
 * The snapshot file (docs/snapshots.md#the-snapshot-file): one file per snapshot, a fixed header and
 * a deflate-compressed payload of plain data (plainData.ts). The header says what the payload must
 * be (sizes, SHA-256), so a truncated or damaged file is refused before anything is decoded, with a
 * message saying what is wrong; reading never changes anything. Written to a temporary file, fsync'ed
 * and renamed, so a crash never leaves half a snapshot under the real name.
 */
import { createHash } from 'node:crypto';
import { closeSync, constants, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { deflateSync, inflateSync } from 'node:zlib';
import { crc32 } from '../../shared/crc32.js';
import { decodePlain, encodePlain, PlainDataError } from './plainData.js';

export const SNAPSHOT_MAGIC = 0x4e534448; // 'HDSN'
export const SNAPSHOT_VERSION = 1;
export const SNAPSHOT_HEADER = 80;
/** The file name extension the app uses. */
export const SNAPSHOT_EXT = '.hdsnap';

/** Why a snapshot file cannot be written or read; the message starts with the file. */
export class SnapshotFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SnapshotFileError';
  }
}

export interface SnapshotFileInfo {
  /** Bytes of the whole file. */
  bytes: number;
  /** Bytes of plain data before compression. */
  rawBytes: number;
  /** Milliseconds spent encoding, compressing and writing (or reading, checking and decoding). */
  ms: number;
}

/** Write `state` to `path` (replacing it atomically). Throws SnapshotFileError. */
export function writeSnapshotFile(path: string, state: unknown): SnapshotFileInfo {
  const t0 = performance.now();
  let raw: Uint8Array;
  try {
    raw = encodePlain(state);
  } catch (e) {
    // A saveState() returned something that is not plain data: an emulator bug, named here.
    throw new SnapshotFileError(`${path}: not written: ${(e as Error).message}`);
  }
  const payload = deflateSync(raw, { level: 6 });
  const header = new Uint8Array(SNAPSHOT_HEADER);
  const v = new DataView(header.buffer);
  v.setUint32(0, SNAPSHOT_MAGIC, true);
  v.setUint32(4, SNAPSHOT_VERSION, true);
  v.setUint32(8, SNAPSHOT_HEADER, true);
  v.setUint32(12, 0, true);
  setU64(v, 16, payload.length);
  setU64(v, 24, raw.length);
  header.set(createHash('sha256').update(payload).digest(), 32);
  v.setUint32(76, crc32(header.subarray(0, 76)), true);
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    const fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC, 0o644);
    try {
      writeAll(fd, header, 0);
      writeAll(fd, payload, SNAPSHOT_HEADER);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw new SnapshotFileError(`${path}: cannot write: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  return { bytes: SNAPSHOT_HEADER + payload.length, rawBytes: raw.length, ms: performance.now() - t0 };
}

/** Read and check a snapshot file; throws SnapshotFileError saying what is wrong with it. */
export function readSnapshotFile(path: string): { state: unknown; info: SnapshotFileInfo } {
  const t0 = performance.now();
  let file: Uint8Array;
  try {
    file = new Uint8Array(readFileSync(path));
  } catch (e) {
    throw new SnapshotFileError(`${path}: cannot read: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  const state = decodeSnapshotBytes(path, file);
  return { state, info: { bytes: file.length, rawBytes: rawLength(file), ms: performance.now() - t0 } };
}

/** Check and decode the bytes of a snapshot file named `path` (for messages). Throws SnapshotFileError. */
export function decodeSnapshotBytes(path: string, file: Uint8Array): unknown {
  const fail = (why: string): never => {
    throw new SnapshotFileError(`${path}: ${why}; not restored, nothing changed`);
  };
  if (file.length < 4) fail(`truncated: ${file.length} bytes, not even the magic number`);
  const v = new DataView(file.buffer, file.byteOffset, file.byteLength);
  if (v.getUint32(0, true) !== SNAPSHOT_MAGIC) fail('not a hyperdesk snapshot (the magic number is not HDSN)');
  if (file.length < SNAPSHOT_HEADER)
    fail(`truncated: ${file.length} bytes, shorter than the ${SNAPSHOT_HEADER}-byte header`);
  const stored = v.getUint32(76, true);
  const actual = crc32(file.subarray(0, 76));
  if (stored !== actual) fail(`the header is damaged (crc32 ${hex(stored)}, its bytes give ${hex(actual)})`);
  const version = v.getUint32(4, true);
  if (version !== SNAPSHOT_VERSION)
    fail(
      `format version ${version}; this hyperdesk reads version ${SNAPSHOT_VERSION}${version > SNAPSHOT_VERSION ? ' (made by a newer hyperdesk)' : ''}`,
    );
  if (v.getUint32(8, true) !== SNAPSHOT_HEADER)
    fail(`header size ${v.getUint32(8, true)} (must be ${SNAPSHOT_HEADER})`);
  if (v.getUint32(12, true) !== 0) fail(`unknown flags ${hex(v.getUint32(12, true))}`);
  const payloadBytes = getU64(v, 16);
  const rawBytes = getU64(v, 24);
  const have = file.length - SNAPSHOT_HEADER;
  if (have < payloadBytes)
    fail(`truncated: the header promises ${payloadBytes} bytes of payload, the file has ${have}`);
  if (have > payloadBytes) fail(`${have - payloadBytes} bytes of garbage after the payload`);
  const payload = file.subarray(SNAPSHOT_HEADER);
  const sum = createHash('sha256').update(payload).digest();
  if (!Buffer.from(file.subarray(32, 64)).equals(sum))
    fail('the payload is damaged (its SHA-256 does not match the header)');
  let raw: Uint8Array;
  try {
    raw = inflateSync(payload, { maxOutputLength: Math.max(1, rawBytes) });
  } catch (e) {
    return fail(`the payload does not decompress: ${(e as Error).message}`);
  }
  if (raw.length !== rawBytes) fail(`the payload decompresses to ${raw.length} bytes, the header says ${rawBytes}`);
  let state: unknown;
  try {
    state = decodePlain(raw);
  } catch (e) {
    if (!(e instanceof PlainDataError)) throw e;
    fail(`the payload is malformed: ${e.message}`);
  }
  return state;
}

function rawLength(file: Uint8Array): number {
  return getU64(new DataView(file.buffer, file.byteOffset, file.byteLength), 24);
}

function setU64(v: DataView, at: number, n: number): void {
  v.setUint32(at, n % 2 ** 32, true);
  v.setUint32(at + 4, Math.floor(n / 2 ** 32), true);
}

function getU64(v: DataView, at: number): number {
  return v.getUint32(at, true) + v.getUint32(at + 4, true) * 2 ** 32;
}

function writeAll(fd: number, data: Uint8Array, position: number): void {
  let done = 0;
  while (done < data.length) done += writeSync(fd, data, done, data.length - done, position + done);
}

function hex(n: number): string {
  return '0x' + (n >>> 0).toString(16).padStart(8, '0');
}
