/**
 * One overlay file (docs/disks.md#overlay-files), open: its header, its block map in memory, and
 * synchronous reads and writes of whole blocks. A block's data goes to its slot (an existing one, or
 * a new one appended at the end) before its map entry, so an interrupted write never makes the map
 * point at data that is not there; the map entry carries the data's crc32, which every read checks.
 * Errors are values whose messages name the block; callers prefix the path.
 */
import {
  chmodSync,
  closeSync,
  constants,
  fstatSync,
  fsyncSync,
  ftruncateSync,
  openSync,
  readSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { crc32 } from '../../shared/crc32.js';
import { BLOCK } from './bytes.js';
import {
  checkMap,
  encodeOverlayHeader,
  FLAG_FROZEN,
  mapBlocksFor,
  MAP_ENTRY,
  OVERLAY_VERSION,
  parseOverlayHeader,
  type BaseIdentity,
  type OverlayHeader,
} from './overlay.js';

export class OverlayFile {
  private fd: number | undefined;

  private constructor(
    readonly path: string,
    fd: number,
    readonly header: OverlayHeader,
    /** Two u32 per disk block: data slot (0: not in this overlay), crc32 of the data. */
    readonly map: Uint32Array,
    /** Data slots in the file. */
    public slots: number,
    readonly readOnly: boolean,
  ) {
    this.fd = fd;
  }

  get frozen(): boolean {
    return (this.header.flags & FLAG_FROZEN) !== 0;
  }

  get blocks(): number {
    return this.header.diskBlocks;
  }

  /** Create a new, empty overlay at `path` (which must not exist) over the base described by `base`. */
  static create(path: string, diskBlocks: number, base: BaseIdentity): OverlayFile | Error {
    const mapBlocks = mapBlocksFor(diskBlocks);
    const header: OverlayHeader = {
      version: OVERLAY_VERSION,
      flags: 0,
      diskBlocks,
      mapFirst: 1,
      mapBlocks,
      dataFirst: 1 + mapBlocks,
      base,
    };
    let bytes: Uint8Array;
    try {
      bytes = encodeOverlayHeader(header);
    } catch (e) {
      return new Error((e as Error).message);
    }
    let fd: number;
    try {
      fd = openSync(path, constants.O_RDWR | constants.O_CREAT | constants.O_EXCL, 0o644);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      return new Error(
        code === 'EEXIST' ? 'already exists (not overwriting it)' : `cannot create: ${code ?? String(e)}`,
      );
    }
    try {
      // The map starts as zeros (no block here): a sparse file on most file systems.
      ftruncateSync(fd, header.dataFirst * BLOCK);
      writeAll(fd, bytes, 0);
      fsyncSync(fd);
    } catch (e) {
      closeSync(fd);
      rmSync(path, { force: true });
      return new Error(`cannot create: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    }
    return new OverlayFile(path, fd, header, new Uint32Array(diskBlocks * 2), 0, false);
  }

  /**
   * Open an overlay and check its structure: header, size, map (docs/disks.md#overlay-files). A
   * frozen overlay opens only read-only: a snapshot needs it exactly as it is.
   */
  static open(path: string, options: { readOnly?: boolean } = {}): OverlayFile | Error {
    const readOnly = options.readOnly ?? false;
    let fd: number;
    try {
      fd = openSync(path, readOnly ? constants.O_RDONLY : constants.O_RDWR);
    } catch (e) {
      return new Error(`cannot open: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    }
    const fail = (m: string) => {
      closeSync(fd);
      return new Error(m);
    };
    try {
      const size = fstatSync(fd).size;
      const head = new Uint8Array(BLOCK);
      const n = readSync(fd, head, 0, BLOCK, 0);
      const header = parseOverlayHeader(head.subarray(0, n));
      if (header instanceof Error) return fail(header.message);
      if (!readOnly && header.flags & FLAG_FROZEN)
        return fail(
          'frozen overlay: snapshots need it as it is, so it is never written (write through a new overlay on it)',
        );
      if (size % BLOCK !== 0)
        return fail(`truncated overlay: ${size} bytes is not a whole number of ${BLOCK}-byte blocks`);
      if (size < header.dataFirst * BLOCK)
        return fail(`truncated overlay: ${size / BLOCK} blocks, but the header and map take ${header.dataFirst}`);
      const mapBytes = new Uint8Array(header.diskBlocks * MAP_ENTRY);
      readExact(fd, mapBytes, header.mapFirst * BLOCK);
      const map = new Uint32Array(header.diskBlocks * 2);
      const dv = new DataView(mapBytes.buffer);
      for (let i = 0; i < map.length; i++) map[i] = dv.getUint32(i * 4, true);
      const slots = size / BLOCK - header.dataFirst;
      const problems = checkMap(map, slots, 1);
      if (problems.length) return fail(problems[0]!);
      return new OverlayFile(path, fd, header, map, slots, readOnly);
    } catch (e) {
      return fail(`cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  }

  has(blk: number): boolean {
    return this.map[blk * 2] !== 0;
  }

  /** Read disk block `blk` (which this overlay has) into `out` at `offset`, checking its crc32. */
  readBlock(blk: number, out: Uint8Array, offset: number): true | Error {
    const fd = this.fd;
    if (fd === undefined) return new Error('overlay is closed');
    const slot = this.map[blk * 2]!;
    const at = (this.header.dataFirst + slot - 1) * BLOCK;
    const view = out.subarray(offset, offset + BLOCK);
    try {
      readExact(fd, view, at);
    } catch (e) {
      return new Error(
        `disk block ${blk} (data slot ${slot}): read failed: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
      );
    }
    const sum = crc32(view);
    if (sum !== this.map[blk * 2 + 1])
      return new Error(
        `disk block ${blk} (data slot ${slot}): crc32 ${hex(sum)} does not match the map's ${hex(this.map[blk * 2 + 1]!)}`,
      );
    return true;
  }

  /** Write whole blocks at `lba`: data to slots first, then the map entries (one write for the run). */
  write(lba: number, data: Uint8Array): true | Error {
    const fd = this.fd;
    if (fd === undefined) return new Error('overlay is closed');
    if (this.readOnly) return new Error(this.frozen ? 'frozen overlay (read-only)' : 'read-only overlay');
    const count = data.length / BLOCK;
    const entries = new Uint8Array(count * MAP_ENTRY);
    const ev = new DataView(entries.buffer);
    try {
      for (let i = 0; i < count; i++) {
        const blk = lba + i;
        const block = data.subarray(i * BLOCK, (i + 1) * BLOCK);
        let slot = this.map[blk * 2]!;
        if (slot === 0) slot = this.slots + 1;
        writeAll(fd, block, (this.header.dataFirst + slot - 1) * BLOCK);
        if (slot > this.slots) this.slots = slot;
        ev.setUint32(i * MAP_ENTRY, slot, true);
        ev.setUint32(i * MAP_ENTRY + 4, crc32(block), true);
      }
      writeAll(fd, entries, this.header.mapFirst * BLOCK + lba * MAP_ENTRY);
    } catch (e) {
      return new Error(`block ${lba}: write failed: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    }
    for (let i = 0; i < count; i++) {
      this.map[(lba + i) * 2] = ev.getUint32(i * MAP_ENTRY, true);
      this.map[(lba + i) * 2 + 1] = ev.getUint32(i * MAP_ENTRY + 4, true);
    }
    return true;
  }

  flush(): true | Error {
    const fd = this.fd;
    if (fd === undefined) return new Error('overlay is closed');
    if (this.readOnly) return true;
    try {
      fsyncSync(fd);
    } catch (e) {
      return new Error(`fsync failed: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    }
    return true;
  }

  /** The header block as it will be once frozen. */
  frozenHeader(): Uint8Array {
    return encodeOverlayHeader({ ...this.header, flags: this.header.flags | FLAG_FROZEN });
  }

  /**
   * Freeze: set the header's frozen flag, fsync, close, and make the file read-only on the host too.
   * From now on only snapshots and the overlays above it read it.
   */
  freeze(): true | Error {
    const fd = this.fd;
    if (fd === undefined) return new Error('overlay is closed');
    if (this.readOnly) return new Error('cannot freeze an overlay opened read-only');
    this.header.flags |= FLAG_FROZEN;
    try {
      writeAll(fd, encodeOverlayHeader(this.header), 0);
      fsyncSync(fd);
      closeSync(fd);
    } catch (e) {
      return new Error(`cannot freeze: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    }
    this.fd = undefined;
    try {
      chmodSync(this.path, 0o444);
    } catch {
      // The flag is what tools check; the mode is a second guard where the file system has one.
    }
    return true;
  }

  close(): true | Error {
    const fd = this.fd;
    if (fd === undefined) return true;
    const flushed = this.flush();
    this.fd = undefined;
    try {
      closeSync(fd);
    } catch (e) {
      return new Error(`close failed: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    }
    return flushed;
  }
}

function writeAll(fd: number, data: Uint8Array, position: number): void {
  let done = 0;
  while (done < data.length) done += writeSync(fd, data, done, data.length - done, position + done);
}

function readExact(fd: number, out: Uint8Array, position: number): void {
  let done = 0;
  while (done < out.length) {
    const n = readSync(fd, out, done, out.length - done, position + done);
    if (n === 0) throw new Error(`unexpected end of file at byte ${position + done}`);
    done += n;
  }
}

function hex(n: number): string {
  return '0x' + (n >>> 0).toString(16).padStart(8, '0');
}
