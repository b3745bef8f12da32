import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkDiskPaths } from './diskPaths.js';

describe('checkDiskPaths (issue 13: the host API opens disks only from its folders)', () => {
  const root = mkdtempSync(join(tmpdir(), 'hyperdesk-diskpaths-'));
  const data = join(root, 'data');
  const disks = join(root, 'project', 'disks');
  mkdirSync(join(data, 'disks'), { recursive: true });
  mkdirSync(disks, { recursive: true });
  const outside = join(root, 'notes.bin');
  writeFileSync(outside, new Uint8Array(1024)); // a multiple of 512: a disk image to the device
  const folders = [data, disks];

  it('allows images in the data folder and the project disks folder', () => {
    expect(checkDiskPaths([join(data, 'disks', 'hyperdesk.img'), join(disks, 'hyperdesk.img')], folders)).toBe(
      undefined,
    );
  });

  it('refuses any other file, naming it and the allowed folders', () => {
    expect(checkDiskPaths([join(data, 'disks', 'a.img'), outside], folders)).toBe(
      `disk ${outside}: not in a folder the app opens disks from (${data}, ${disks}); copy it there, or boot it from the command line: hyperdesk boot --disk PATH`,
    );
    expect(checkDiskPaths([join(data, '..', 'notes.bin')], folders)).toMatch(/^disk .*notes\.bin: not in a folder/);
    expect(checkDiskPaths([data], folders)).toMatch(/not in a folder/); // the folder itself is no disk
  });

  it('follows symlinks: a link in the data folder to a file elsewhere is refused', () => {
    const link = join(data, 'sneaky.img');
    symlinkSync(outside, link);
    expect(checkDiskPaths([link], folders)).toMatch(/^disk .*sneaky\.img: not in a folder/);
  });
});
