/** The pure parts the firmware shares with the disk tools: crc32 and the OS image header (docs/boot.md). */
import { describe, expect, it } from 'vitest';
import { crc32 } from '../../src/shared/crc32.js';
import {
  buildOsImageHeader,
  checkOsImage,
  OsImageError,
  osImageBlocks,
  parseOsImageHeader,
  type OsImageSpec,
} from '../../src/shared/osImage.js';

const enc = (s: string) => new TextEncoder().encode(s);

describe('crc32', () => {
  it('matches the standard check values', () => {
    expect(crc32(enc('123456789'))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
    expect(crc32(enc('The quick brown fox jumps over the lazy dog'))).toBe(0x414fa339);
  });
  it('continues across pieces', () => {
    expect(crc32(enc('56789'), crc32(enc('1234')))).toBe(0xcbf43926);
  });
});

const image = Uint8Array.from({ length: 1234 }, (_, i) => i & 0xff);
const spec: OsImageSpec = { loadAddress: 0x100000, entry: 0x100008, image, fsOffset: 8, flags: 1, name: 'cos 0.1' };

function header(overrides: Partial<OsImageSpec> = {}): Uint8Array {
  const h = buildOsImageHeader({ ...spec, ...overrides });
  if (h instanceof Error) throw h;
  return h;
}
function patched(offset: number, value: number): Uint8Array {
  const h = header();
  new DataView(h.buffer).setUint32(offset, value, true);
  return h;
}
function problem(block: Uint8Array, limits = {}): string {
  const r = parseOsImageHeader(block, limits);
  expect(r).toBeInstanceOf(OsImageError);
  return (r as OsImageError).message;
}

describe('OS image header', () => {
  it('builds, parses and checks', () => {
    const h = header();
    expect(h.length).toBe(512);
    expect(Array.from(h.subarray(0, 4))).toEqual([0x48, 0x44, 0x4f, 0x53]); // 'HDOS'
    const p = parseOsImageHeader(h, { partitionBlocks: 100, ramBase: 0, ramSize: 16 << 20 });
    expect(p).toEqual({
      version: 1,
      loadAddress: 0x100000,
      entry: 0x100008,
      imageSize: 1234,
      fsOffset: 8,
      flags: 1,
      crc: crc32(image),
      name: 'cos 0.1',
    });
    expect(checkOsImage(p as never, image)).toBe(true);
    expect(osImageBlocks(1234)).toBe(4);
  });

  it('names the field of each problem', () => {
    expect(problem(patched(0, 0))).toBe("OS image header: magic: 0x00000000 is not 0x534f4448 ('HDOS')");
    expect(problem(patched(4, 2))).toBe('OS image header: version: 2 is not 1');
    expect(problem(patched(8, 0x100100))).toBe('OS image header: load address: 0x00100100 is not 4 KiB aligned');
    expect(problem(patched(8, 0x1000))).toBe('OS image header: load address: 0x00001000 is below 0x00010000 (64 KiB)');
    expect(problem(header(), { ramSize: 0x100000 })).toBe(
      'OS image header: load address: 0x00100000..0x001004d2 is not inside RAM 0x00000000..0x00100000',
    );
    expect(problem(patched(12, 0x200000))).toBe(
      'OS image header: entry: 0x00200000 is outside the image 0x00100000..0x001004d2',
    );
    expect(problem(patched(16, 0))).toBe('OS image header: image size: 0: the image is empty');
    expect(problem(header(), { partitionBlocks: 3 })).toBe(
      'OS image header: image size: 1234 bytes need 4 blocks with the header; the partition has 3',
    );
    expect(problem(patched(20, 2))).toBe('OS image header: fs offset: block 2 is inside the image (blocks 0..3)');
    expect(problem(header(), { partitionBlocks: 8 })).toBe(
      'OS image header: fs offset: block 8 is past the partition (8 blocks)',
    );
    expect(problem(patched(24, 3))).toBe('OS image header: flags: 0x00000003 has unknown bits set');
    const noNul = header();
    noNul.fill(0x41, 32, 64);
    expect(problem(noNul)).toBe('OS image header: name: not NUL-terminated within 32 bytes');
    expect(problem(header().subarray(0, 100))).toBe('OS image header: header: only 100 bytes; the header is 512');
    expect((parseOsImageHeader(patched(0, 0)) as OsImageError).field).toBe('magic');
  });

  it('checks the image crc and length', () => {
    const h = parseOsImageHeader(header());
    if (h instanceof Error) throw h;
    const bad = image.slice();
    bad[5] ^= 0xff;
    expect((checkOsImage(h, bad) as OsImageError).message).toMatch(
      /^OS image header: crc: the image's crc32 is 0x[0-9a-f]{8}, the header says 0x[0-9a-f]{8}$/,
    );
    expect((checkOsImage(h, image.subarray(0, 1000)) as OsImageError).message).toBe(
      'OS image header: image size: 1234 bytes, but only 1000 were read',
    );
  });

  it('refuses to build what it would not parse', () => {
    expect((buildOsImageHeader({ ...spec, name: 'x'.repeat(32) }) as Error).message).toBe(
      "OS image header: name: 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx' is 32 bytes; at most 31 fit",
    );
    expect((buildOsImageHeader({ ...spec, name: 'é' }) as Error).message).toBe(
      "OS image header: name: 'é' is not printable ASCII",
    );
    expect((buildOsImageHeader({ ...spec, loadAddress: 0x8000, entry: 0x8000 }) as Error).message).toMatch(
      /below 0x00010000/,
    );
  });
});
