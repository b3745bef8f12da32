/**
 * The OS image header that starts a bootable partition (docs/boot.md#os-image-header-multiboot-like):
 * build it (the disk tools) and parse and check it (the disk tools and the firmware's boot loader).
 * Pure: no Node APIs, no imports outside src/shared. Problems are returned as `OsImageError` values
 * naming the field, so the loader can print "disk0 partition 1: " + error.message.
 */
import { crc32 } from './crc32.js';

export const OS_IMAGE_MAGIC = 0x534f4448; // 'HDOS'
export const OS_IMAGE_VERSION = 1;
/** The header fills block 0 of the partition; the image starts at block 1. */
export const OS_HEADER_BYTES = 512;
/** flags bit 0: the OS reads the boot info (cooperative). No other bit is defined. */
export const OS_FLAG_COOPERATIVE = 1;
const KNOWN_FLAGS = OS_FLAG_COOPERATIVE;
/** Images may not load over the boot info and the firmware's low memory (docs/boot.md#boot-info-m8). */
export const OS_MIN_LOAD_ADDRESS = 0x10000;
export const OS_NAME_BYTES = 32;
const BLOCK = 512;

export interface OsImageHeader {
  version: number;
  /** Physical address the image is copied to (4 KiB aligned, at least 64 KiB). */
  loadAddress: number;
  /** Physical address pCPU 0 starts at; inside the image. */
  entry: number;
  /** Image bytes; the image starts at block 1 of the partition. */
  imageSize: number;
  /** Blocks from the start of the partition to its file system; 0 when it has none. */
  fsOffset: number;
  flags: number;
  /** crc32 (src/shared/crc32.ts) of the image bytes. */
  crc: number;
  /** Shown by the boot loader's menu ("cos 0.1"). */
  name: string;
}

/** What the caller knows about where the image must fit; each limit is checked only when given. */
export interface OsImageLimits {
  /** Size of the partition in blocks: header + image (+ file system) must fit. */
  partitionBlocks?: number;
  /** RAM base and size: the load range must lie inside RAM. */
  ramBase?: number;
  ramSize?: number;
}

/** A bad header or image; `field` names the header field ("magic", "crc", ...). */
export class OsImageError extends Error {
  constructor(
    readonly field: string,
    problem: string,
  ) {
    super(`OS image header: ${field}: ${problem}`);
    this.name = 'OsImageError';
  }
}

/** Blocks taken by the header and an image of `imageSize` bytes. */
export function osImageBlocks(imageSize: number): number {
  return 1 + Math.ceil(imageSize / BLOCK);
}

export interface OsImageSpec {
  loadAddress: number;
  entry: number;
  image: Uint8Array;
  fsOffset: number;
  flags: number;
  name: string;
}

/** The 512-byte header block for `spec.image`, or the first problem with it. */
export function buildOsImageHeader(spec: OsImageSpec, limits: OsImageLimits = {}): Uint8Array | OsImageError {
  const nameBytes = asciiBytes(spec.name);
  if (!nameBytes) return new OsImageError('name', `'${spec.name}' is not printable ASCII`);
  if (nameBytes.length > OS_NAME_BYTES - 1) {
    return new OsImageError('name', `'${spec.name}' is ${nameBytes.length} bytes; at most ${OS_NAME_BYTES - 1} fit`);
  }
  const block = new Uint8Array(OS_HEADER_BYTES);
  const v = new DataView(block.buffer);
  v.setUint32(0, OS_IMAGE_MAGIC, true);
  v.setUint32(4, OS_IMAGE_VERSION, true);
  v.setUint32(8, spec.loadAddress >>> 0, true);
  v.setUint32(12, spec.entry >>> 0, true);
  v.setUint32(16, spec.image.length, true);
  v.setUint32(20, spec.fsOffset >>> 0, true);
  v.setUint32(24, spec.flags >>> 0, true);
  v.setUint32(28, crc32(spec.image), true);
  block.set(nameBytes, 32);
  // Build only what the loader would accept.
  const parsed = parseOsImageHeader(block, limits);
  return parsed instanceof OsImageError ? parsed : block;
}

/**
 * Parse and check a header block: magic, version, flags, name, sizes, load range and entry (and,
 * with `limits`, that it fits the partition and RAM). The image's crc is checked by `checkOsImage`.
 */
export function parseOsImageHeader(block: Uint8Array, limits: OsImageLimits = {}): OsImageHeader | OsImageError {
  if (block.length < OS_HEADER_BYTES) {
    return new OsImageError('header', `only ${block.length} bytes; the header is ${OS_HEADER_BYTES}`);
  }
  const v = new DataView(block.buffer, block.byteOffset, OS_HEADER_BYTES);
  const u32 = (o: number) => v.getUint32(o, true);
  const magic = u32(0);
  if (magic !== OS_IMAGE_MAGIC)
    return new OsImageError('magic', `${hex(magic)} is not ${hex(OS_IMAGE_MAGIC)} ('HDOS')`);
  const h: OsImageHeader = {
    version: u32(4),
    loadAddress: u32(8),
    entry: u32(12),
    imageSize: u32(16),
    fsOffset: u32(20),
    flags: u32(24),
    crc: u32(28),
    name: '',
  };
  if (h.version !== OS_IMAGE_VERSION) return new OsImageError('version', `${h.version} is not ${OS_IMAGE_VERSION}`);
  if (h.flags & ~KNOWN_FLAGS) return new OsImageError('flags', `${hex(h.flags)} has unknown bits set`);
  const name = nulTerminated(block.subarray(32, 32 + OS_NAME_BYTES));
  if (typeof name !== 'string') return new OsImageError('name', name.problem);
  h.name = name;
  if (h.imageSize === 0) return new OsImageError('image size', '0: the image is empty');
  if (h.loadAddress % 4096 !== 0) return new OsImageError('load address', `${hex(h.loadAddress)} is not 4 KiB aligned`);
  if (h.loadAddress < OS_MIN_LOAD_ADDRESS) {
    return new OsImageError('load address', `${hex(h.loadAddress)} is below ${hex(OS_MIN_LOAD_ADDRESS)} (64 KiB)`);
  }
  const end = h.loadAddress + h.imageSize;
  if (end > 0x1_0000_0000) {
    return new OsImageError(
      'image size',
      `${h.imageSize} bytes at ${hex(h.loadAddress)} run past the 4 GiB address space`,
    );
  }
  if (limits.ramSize !== undefined) {
    const ramBase = limits.ramBase ?? 0;
    const ramEnd = ramBase + limits.ramSize;
    if (h.loadAddress < ramBase || end > ramEnd) {
      return new OsImageError(
        'load address',
        `${hex(h.loadAddress)}..${hex(end)} is not inside RAM ${hex(ramBase)}..${hex(ramEnd)}`,
      );
    }
  }
  if (h.entry < h.loadAddress || h.entry >= end) {
    return new OsImageError('entry', `${hex(h.entry)} is outside the image ${hex(h.loadAddress)}..${hex(end)}`);
  }
  const used = osImageBlocks(h.imageSize);
  if (limits.partitionBlocks !== undefined && used > limits.partitionBlocks) {
    return new OsImageError(
      'image size',
      `${h.imageSize} bytes need ${used} blocks with the header; the partition has ${limits.partitionBlocks}`,
    );
  }
  if (h.fsOffset !== 0) {
    if (h.fsOffset < used) {
      return new OsImageError('fs offset', `block ${h.fsOffset} is inside the image (blocks 0..${used - 1})`);
    }
    if (limits.partitionBlocks !== undefined && h.fsOffset >= limits.partitionBlocks) {
      return new OsImageError(
        'fs offset',
        `block ${h.fsOffset} is past the partition (${limits.partitionBlocks} blocks)`,
      );
    }
  }
  return h;
}

/** Check the image bytes (read from block 1 of the partition) against the header: size and crc. */
export function checkOsImage(header: OsImageHeader, image: Uint8Array): true | OsImageError {
  if (image.length < header.imageSize) {
    return new OsImageError('image size', `${header.imageSize} bytes, but only ${image.length} were read`);
  }
  const crc = crc32(image.subarray(0, header.imageSize));
  if (crc !== header.crc)
    return new OsImageError('crc', `the image's crc32 is ${hex(crc)}, the header says ${hex(header.crc)}`);
  return true;
}

function hex(n: number): string {
  return '0x' + (n >>> 0).toString(16).padStart(8, '0');
}

/** Printable ASCII only, so an OS in assembly can print names without decoding. */
function asciiBytes(s: string): Uint8Array | undefined {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) return undefined;
    out[i] = c;
  }
  return out;
}

/** A NUL-terminated, NUL-padded printable ASCII field. */
function nulTerminated(bytes: Uint8Array): string | { problem: string } {
  const nul = bytes.indexOf(0);
  if (nul < 0) return { problem: `not NUL-terminated within ${bytes.length} bytes` };
  for (let i = nul + 1; i < bytes.length; i++) {
    if (bytes[i] !== 0) return { problem: `byte ${i} after the terminating NUL is not 0` };
  }
  let s = '';
  for (let i = 0; i < nul; i++) {
    if (bytes[i] < 0x20 || bytes[i] > 0x7e)
      return { problem: `byte ${i} (0x${bytes[i].toString(16).padStart(2, '0')}) is not printable ASCII` };
    s += String.fromCharCode(bytes[i]);
  }
  return s;
}
