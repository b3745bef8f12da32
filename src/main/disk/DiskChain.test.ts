import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DiskChain } from './DiskChain.js';
import { fsckOverlay } from './overlayFsck.js';
import { OverlayFile } from './OverlayFile.js';

const BLOCKS = 64;
let dir: string;
let image: string;

/** A block full of one byte value. */
const fill = (v: number, blocks = 1) => new Uint8Array(512 * blocks).fill(v);

function open(path: string, readOnly = false): DiskChain {
  const c = DiskChain.open(path, { readOnly });
  if (c instanceof Error) throw c;
  return c;
}

function must<T>(v: T | Error): T {
  if (v instanceof Error) throw v;
  return v;
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hd-chain-'));
  image = join(dir, 'base.img');
  const bytes = new Uint8Array(BLOCKS * 512);
  for (let b = 0; b < BLOCKS; b++) bytes.fill(b, b * 512, (b + 1) * 512);
  writeFileSync(image, bytes);
});
afterEach(() => {
  for (const f of ['o1', 'o2', 'o3', 'o4'].map((n) => join(dir, `${n}.hdov`))) {
    try {
      chmodSync(f, 0o644);
    } catch {
      // not there
    }
  }
  rmSync(dir, { recursive: true, force: true });
});

describe('DiskChain', () => {
  it('without overlays reads and writes the image in place', () => {
    const c = open(image);
    expect(c.read(3, 1)).toEqual(fill(3));
    must(c.write(3, fill(0xaa)));
    c.close();
    expect(readFileSync(image).subarray(3 * 512, 4 * 512)).toEqual(Buffer.from(fill(0xaa)));
  });

  it('freeze keeps the image byte for byte; later writes go to the overlay, reads fall through', () => {
    const before = readFileSync(image);
    const c = open(image);
    expect(must(c.freeze(join(dir, 'o1.hdov')))).toBe(image);
    must(c.write(5, fill(0xee, 2)));
    must(c.flush());
    expect(readFileSync(image)).toEqual(before);
    expect(c.read(4, 4)).toEqual(Uint8Array.from([...fill(4), ...fill(0xee, 2), ...fill(7)]));
    expect(c.files()).toEqual([image, join(dir, 'o1.hdov')]);
    c.close();
    // The overlay alone names its base: opening it opens the chain.
    const again = open(join(dir, 'o1.hdov'), true);
    expect(again.read(5, 1)).toEqual(fill(0xee));
    expect(again.read(0, 1)).toEqual(fill(0));
    again.close();
  });

  it('keeps a tree: restoring an older snapshot starts a new overlay and the newer one survives', () => {
    const c = open(image);
    const s1 = must(c.freeze(join(dir, 'o1.hdov'))); // snapshot 1: the image as it was
    must(c.write(1, fill(0x11)));
    const s2 = must(c.freeze(join(dir, 'o2.hdov'))); // snapshot 2: o1 with block 1 = 0x11
    expect(s2).toBe(join(dir, 'o1.hdov'));
    must(c.write(2, fill(0x22)));
    // Restore snapshot 1: block 1 and 2 are the image's again.
    const r = must(c.switchTo(s1, join(dir, 'o3.hdov')));
    expect(r).toEqual({ oldTop: join(dir, 'o2.hdov'), oldTopWasOverlay: true });
    expect(c.read(1, 2)).toEqual(Uint8Array.from([...fill(1), ...fill(2)]));
    must(c.write(1, fill(0x33)));
    // Restore snapshot 2: its block 1 is still there, untouched by the other branch.
    must(c.switchTo(s2, join(dir, 'o4.hdov')));
    expect(c.read(1, 2)).toEqual(Uint8Array.from([...fill(0x11), ...fill(2)]));
    c.close();
    expect(fsckOverlay(join(dir, 'o4.hdov')).problems).toEqual([]);
    expect(fsckOverlay(join(dir, 'o3.hdov')).problems).toEqual([]);
  });

  it('refuses to write a frozen overlay', () => {
    const c = open(image);
    must(c.freeze(join(dir, 'o1.hdov')));
    must(c.freeze(join(dir, 'o2.hdov')));
    c.close();
    chmodSync(join(dir, 'o1.hdov'), 0o644); // the flag alone must be enough
    const r = DiskChain.open(join(dir, 'o1.hdov'));
    expect(r).toBeInstanceOf(Error);
    expect((r as Error).message).toMatch(/o1\.hdov: frozen overlay/);
    expect(statSync(join(dir, 'o2.hdov')).isFile()).toBe(true);
  });

  it('refuses an overlay whose base changed, naming both files', () => {
    const c = open(image);
    must(c.freeze(join(dir, 'o1.hdov')));
    c.close();
    const bytes = readFileSync(image);
    bytes[100] ^= 1;
    writeFileSync(image, bytes);
    const r = DiskChain.open(join(dir, 'o1.hdov'));
    expect((r as Error).message).toMatch(/o1\.hdov: its base .*base\.img changed since the overlay was made on it/);
    expect(fsckOverlay(join(dir, 'o1.hdov')).problems.join('\n')).toMatch(/changed since/);
  });

  it('refuses an overlay on a base of another size', () => {
    const c = open(image);
    must(c.freeze(join(dir, 'o1.hdov')));
    c.close();
    writeFileSync(image, new Uint8Array((BLOCKS + 1) * 512));
    expect((DiskChain.open(join(dir, 'o1.hdov')) as Error).message).toMatch(/is 33280 bytes, not the 32768/);
  });

  it('finds a damaged data block on read and in fsck', () => {
    const c = open(image);
    must(c.freeze(join(dir, 'o1.hdov')));
    must(c.write(9, fill(0x99)));
    c.close();
    const o = join(dir, 'o1.hdov');
    const bytes = readFileSync(o);
    bytes[bytes.length - 10] ^= 0x40; // inside the only data slot
    writeFileSync(o, bytes);
    const r = open(o);
    expect((r.read(8, 2) as Error).message).toMatch(/o1\.hdov: disk block 9 \(data slot 1\): crc32 .* does not match/);
    expect(r.read(8, 1)).toEqual(fill(8));
    r.close();
    expect(fsckOverlay(o).problems).toEqual([expect.stringMatching(/disk block 9 \(data slot 1\): data crc32/)]);
  });

  it('refuses a damaged header, a map pointing past the file and a truncated overlay', () => {
    const c = open(image);
    must(c.freeze(join(dir, 'o1.hdov')));
    must(c.write(0, fill(1, 3)));
    c.close();
    const o = join(dir, 'o1.hdov');
    const good = readFileSync(o);
    const bad = Buffer.from(good);
    bad[13] ^= 1; // disk size field
    writeFileSync(o, bad);
    expect((DiskChain.open(o) as Error).message).toMatch(/overlay header: crc32 .* does not match/);
    writeFileSync(o, good.subarray(0, good.length - 512)); // the last slot is gone
    expect((DiskChain.open(o) as Error).message).toMatch(
      /map: disk block 2: data slot 3 is past the end of the file \(2 slots\)/,
    );
    expect(fsckOverlay(o).problems[0]).toMatch(/disk block 2: data slot 3 is past the end/);
    writeFileSync(o, good.subarray(0, 300));
    expect((DiskChain.open(o) as Error).message).toMatch(/shorter than its header block/);
    writeFileSync(o, good);
    expect(fsckOverlay(o)).toMatchObject({ problems: [], notes: [] });
  });

  it('rewrites a block in its own slot and counts leftover slots as a note', () => {
    const c = open(image);
    must(c.freeze(join(dir, 'o1.hdov')));
    must(c.write(4, fill(1)));
    must(c.write(4, fill(2)));
    expect(c.read(4, 1)).toEqual(fill(2));
    c.close();
    const o = join(dir, 'o1.hdov');
    const top = must(OverlayFile.open(o, { readOnly: true }));
    expect(top.slots).toBe(1);
    top.close();
    writeFileSync(o, Buffer.concat([readFileSync(o), Buffer.alloc(512)])); // a slot without a map entry
    expect(fsckOverlay(o)).toMatchObject({ problems: [], notes: [expect.stringMatching(/1 data slot/)] });
  });
});
