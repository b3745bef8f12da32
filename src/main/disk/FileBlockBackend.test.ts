import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileBlockBackend } from './FileBlockBackend.js';

const dir = mkdtempSync(join(tmpdir(), 'hyperdesk-fbb-'));
let n = 0;
function image(bytes: number, fill = 0): string {
  const p = join(dir, `d${n++}.img`);
  writeFileSync(p, new Uint8Array(bytes).fill(fill));
  return p;
}
const open = (p: string, readOnly = false) => {
  const b = FileBlockBackend.open(p, { readOnly });
  if (b instanceof Error) throw b;
  return b;
};

describe('FileBlockBackend', () => {
  it('reads, writes whole blocks, flushes and closes', () => {
    const p = image(8 * 512, 0xaa);
    const b = open(p);
    expect(b.blocks).toBe(8);
    expect(b.readOnly).toBe(false);
    const data = Uint8Array.from({ length: 1024 }, (_, i) => i & 0xff);
    expect(b.write(3, data)).toBe(true);
    expect(b.read(3, 2)).toEqual(data);
    expect(b.read(2, 1)).toEqual(new Uint8Array(512).fill(0xaa));
    expect(b.flush()).toBe(true);
    expect(b.close()).toBe(true);
    expect(b.close()).toBe(true);
    const file = readFileSync(p);
    expect(new Uint8Array(file.subarray(3 * 512, 5 * 512))).toEqual(data);
    expect(b.read(0, 1)).toEqual(new Error('image is closed'));
  });

  it('returns errors for bad requests instead of throwing', () => {
    const b = open(image(4 * 512));
    expect((b.read(3, 2) as Error).message).toBe('read of blocks 3..4 is past the end (4 blocks)');
    expect((b.write(4, new Uint8Array(512)) as Error).message).toBe('write of blocks 4..4 is past the end (4 blocks)');
    expect((b.write(0, new Uint8Array(100)) as Error).message).toBe(
      'write of 100 bytes is not a whole number of blocks',
    );
    expect((b.read(-1, 1) as Error).message).toMatch(/past the end/);
    b.close();
  });

  it('refuses writes when read-only and leaves the file alone', () => {
    const p = image(2 * 512, 7);
    const b = open(p, true);
    expect(b.readOnly).toBe(true);
    expect((b.write(0, new Uint8Array(512)) as Error).message).toBe('read-only image');
    expect(b.flush()).toBe(true);
    b.close();
    expect(readFileSync(p).every((x) => x === 7)).toBe(true);
  });

  it('refuses truncated, empty and missing images at open', () => {
    expect((FileBlockBackend.open(image(1000)) as Error).message).toBe(
      'truncated image: 1000 bytes is not a whole number of 512-byte blocks',
    );
    expect((FileBlockBackend.open(image(0)) as Error).message).toBe('empty image: 0 bytes');
    expect((FileBlockBackend.open(join(dir, 'none.img')) as Error).message).toBe('cannot open: ENOENT');
    expect((FileBlockBackend.open(dir) as Error).message).toMatch(/cannot open: EISDIR|not a regular file/);
  });

  it('reports a file that shrank under it', () => {
    const p = image(4 * 512);
    const b = open(p, true);
    writeFileSync(p, new Uint8Array(512));
    expect((b.read(2, 1) as Error).message).toBe('block 2: unexpected end of file (did the image shrink?)');
    b.close();
  });
});
