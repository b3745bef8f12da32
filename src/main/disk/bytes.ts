/** Little-endian fields and NUL-padded names inside blocks (docs/disks.md: all numbers are LE u32). */
import { fail } from './errors.js';

export const BLOCK = 512;

export function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

export const u16 = (b: Uint8Array, o: number): number => view(b).getUint16(o, true);
export const u32 = (b: Uint8Array, o: number): number => view(b).getUint32(o, true);
export const put16 = (b: Uint8Array, o: number, v: number): void => view(b).setUint16(o, v, true);
export const put32 = (b: Uint8Array, o: number, v: number): void => view(b).setUint32(o, v >>> 0, true);

/** Blocks needed for `bytes` bytes. */
export const blocksFor = (bytes: number): number => Math.ceil(bytes / BLOCK);

/**
 * Decode a NUL-terminated, NUL-padded printable-ASCII field; a string, or a problem to report.
 * At least one NUL is required, so an OS in assembly can treat the field as a C string.
 */
export function readName(field: Uint8Array): string | { problem: string } {
  const nul = field.indexOf(0);
  if (nul < 0) return { problem: `not NUL-terminated within ${field.length} bytes` };
  for (let i = nul + 1; i < field.length; i++) {
    if (field[i] !== 0) return { problem: `byte ${i} after the terminating NUL is ${field[i]}, not 0` };
  }
  let s = '';
  for (let i = 0; i < nul; i++) {
    const c = field[i];
    if (c < 0x20 || c > 0x7e)
      return { problem: `byte ${i} (0x${c.toString(16).padStart(2, '0')}) is not printable ASCII` };
    s += String.fromCharCode(c);
  }
  return s;
}

/** Encode a name into a NUL-padded field of `size` bytes (at most size - 1 characters). */
export function writeName(field: Uint8Array, name: string, what: string): void {
  const bytes = nameBytes(name, field.length - 1, what);
  field.fill(0);
  field.set(bytes);
}

/** The bytes of a printable-ASCII name of at most `max` characters, or a DiskError saying why not. */
export function nameBytes(name: string, max: number, what: string): Uint8Array {
  const out = new Uint8Array(name.length);
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) fail(`${what} '${name}': character ${i + 1} is not printable ASCII`);
    out[i] = c;
  }
  if (out.length > max) fail(`${what} '${name}' is ${out.length} characters; at most ${max} fit`);
  return out;
}
