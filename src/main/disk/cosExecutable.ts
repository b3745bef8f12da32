/**
 * The cos executable format (docs/disks.md#cos-executables): a 16-byte header, then the program's
 * bytes, stored in cfs with the executable flag.
 */
import { put32, u32 } from './bytes.js';
import { DiskError, hex } from './errors.js';

export const HDX_MAGIC = 0x31584448; // 'HDX1'
export const HDX_HEADER_BYTES = 16;
/** Room a program gets beyond its image for its stack and heap. */
export const HDX_EXTRA_MEMORY = 64 * 1024;

export interface CosExecutable {
  loadAddress: number;
  entry: number;
  /** Bytes of memory the program needs from its load address. */
  memorySize: number;
  image: Uint8Array;
}

/** Header + image; memory size = image size rounded up to 4 KiB + 64 KiB. */
export function buildCosExecutable(image: Uint8Array, loadAddress: number, entry: number): Uint8Array {
  const out = new Uint8Array(HDX_HEADER_BYTES + image.length);
  put32(out, 0, HDX_MAGIC);
  put32(out, 4, loadAddress);
  put32(out, 8, entry);
  put32(out, 12, Math.ceil(image.length / 4096) * 4096 + HDX_EXTRA_MEMORY);
  out.set(image, HDX_HEADER_BYTES);
  return out;
}

export function parseCosExecutable(bytes: Uint8Array): CosExecutable | DiskError {
  if (bytes.length < HDX_HEADER_BYTES) return new DiskError(`executable: only ${bytes.length} bytes; the header is 16`);
  const magic = u32(bytes, 0);
  if (magic !== HDX_MAGIC) return new DiskError(`executable: magic: ${hex(magic)} is not ${hex(HDX_MAGIC)} ('HDX1')`);
  return {
    loadAddress: u32(bytes, 4),
    entry: u32(bytes, 8),
    memorySize: u32(bytes, 12),
    image: bytes.subarray(HDX_HEADER_BYTES),
  };
}
