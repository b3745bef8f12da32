/**
 * A BlockBackend (src/main/emulator/devices/disk/BlockBackend.ts) over a disk image file, with
 * synchronous node:fs calls. Every failure is an Error value, never an exception; messages do not
 * repeat the path (callers prefix it: "disks/x.img: truncated image: ...").
 */
import { closeSync, constants, fstatSync, fsyncSync, openSync, readSync, writeSync } from 'node:fs';
import type { BlockBackend } from '../emulator/devices/disk/BlockBackend.js';
import { BLOCK } from './bytes.js';

export interface OpenOptions {
  /** Open with O_RDONLY: writes are refused and the file cannot change. */
  readOnly?: boolean;
}

export class FileBlockBackend implements BlockBackend {
  private fd: number | undefined;

  private constructor(
    readonly path: string,
    fd: number,
    readonly blocks: number,
    readonly readOnly: boolean,
  ) {
    this.fd = fd;
  }

  /** Open an existing image; its size must be a whole number of 512-byte blocks. */
  static open(path: string, options: OpenOptions = {}): FileBlockBackend | Error {
    const readOnly = options.readOnly ?? false;
    let fd: number;
    try {
      fd = openSync(path, readOnly ? constants.O_RDONLY : constants.O_RDWR);
    } catch (e) {
      return ioError('cannot open', e);
    }
    try {
      const st = fstatSync(fd);
      if (!st.isFile()) throw new Error('not a regular file');
      if (st.size % BLOCK !== 0) {
        throw new Error(`truncated image: ${st.size} bytes is not a whole number of ${BLOCK}-byte blocks`);
      }
      if (st.size === 0) throw new Error('empty image: 0 bytes');
      return new FileBlockBackend(path, fd, st.size / BLOCK, readOnly);
    } catch (e) {
      closeSync(fd);
      return e instanceof Error && !(e as NodeJS.ErrnoException).code ? e : ioError('cannot open', e);
    }
  }

  read(lba: number, count: number): Uint8Array | Error {
    const fd = this.fd;
    if (fd === undefined) return new Error('image is closed');
    if (!this.inRange(lba, count))
      return new Error(`read of blocks ${lba}..${lba + count - 1} is past the end (${this.blocks} blocks)`);
    const out = new Uint8Array(count * BLOCK);
    try {
      let done = 0;
      while (done < out.length) {
        const n = readSync(fd, out, done, out.length - done, lba * BLOCK + done);
        if (n === 0)
          return new Error(`block ${lba + Math.floor(done / BLOCK)}: unexpected end of file (did the image shrink?)`);
        done += n;
      }
    } catch (e) {
      return ioError(`block ${lba}: read failed`, e);
    }
    return out;
  }

  write(lba: number, data: Uint8Array): true | Error {
    const fd = this.fd;
    if (fd === undefined) return new Error('image is closed');
    if (this.readOnly) return new Error('read-only image');
    if (data.length % BLOCK !== 0) return new Error(`write of ${data.length} bytes is not a whole number of blocks`);
    const count = data.length / BLOCK;
    if (!this.inRange(lba, count))
      return new Error(`write of blocks ${lba}..${lba + count - 1} is past the end (${this.blocks} blocks)`);
    try {
      let done = 0;
      while (done < data.length) done += writeSync(fd, data, done, data.length - done, lba * BLOCK + done);
    } catch (e) {
      return ioError(`block ${lba}: write failed`, e);
    }
    return true;
  }

  flush(): true | Error {
    const fd = this.fd;
    if (fd === undefined) return new Error('image is closed');
    if (this.readOnly) return true;
    try {
      fsyncSync(fd);
    } catch (e) {
      return ioError('fsync failed', e);
    }
    return true;
  }

  /** Close the file (after a flush when it was writable). Safe to call twice. */
  close(): true | Error {
    const fd = this.fd;
    if (fd === undefined) return true;
    const flushed = this.flush();
    this.fd = undefined;
    try {
      closeSync(fd);
    } catch (e) {
      return ioError('close failed', e);
    }
    return flushed;
  }

  private inRange(lba: number, count: number): boolean {
    return (
      Number.isSafeInteger(lba) && Number.isSafeInteger(count) && lba >= 0 && count >= 0 && lba + count <= this.blocks
    );
  }
}

function ioError(what: string, e: unknown): Error {
  const err = e as NodeJS.ErrnoException;
  return new Error(`${what}: ${err.code ?? err.message ?? String(e)}`);
}
