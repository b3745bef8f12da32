/**
 * The image library (docs/disks.md#disks-in-the-app) on a temporary data folder: create, partition,
 * mkfs, files, import, delete; and every refusal with the image, partition and block it names.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { SavedMachine } from '../../shared/api.js';
import { DiskChain } from '../disk/index.js';
import { ImageLibrary, type LibraryContext } from './imageLibrary.js';

const root = mkdtempSync(path.join(tmpdir(), 'hyperdesk-images-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const none: LibraryContext = { machines: [], snapshots: [] };

function library(name: string): ImageLibrary {
  const folder = path.join(root, name, 'disks');
  return new ImageLibrary(folder, path.join(folder, 'hyperdesk.img'));
}

function machine(name: string, disks: string[]): SavedMachine {
  return { id: 1, name, updatedAt: '', config: { mode: 'hypervisor', cpus: 1, memMiB: 16, disks } };
}

/** lab.img, 1 MiB: partition 1 cfs (1024 blocks), partition 2 sfs (the rest that fits), file systems made. */
function labImage(lib: ImageLibrary): string {
  const p = lib.create('lab.img', '1M');
  expect(lib.addPartition('lab.img', { type: 'cfs', blocks: 1024, name: 'work' }, none)).toBe(1);
  expect(lib.addPartition('lab.img', { type: 'sfs', blocks: 800, name: 'dos' }, none)).toBe(2);
  lib.mkfs('lab.img', 1, '', none);
  lib.mkfs('lab.img', 2, '', none);
  return p;
}

describe('ImageLibrary', () => {
  it('creates an image, places partitions in free space, makes file systems, and reads and writes files', () => {
    const lib = library('a');
    const p = labImage(lib);
    expect(statSync(p).size).toBe(1 << 20);
    const [img] = lib.list(none);
    expect(img).toMatchObject({ name: 'lab.img', bytes: 1 << 20, blocks: 2048, usedBy: [], snapshots: [] });
    // 4 KiB aligned: the first partition at block 8 (block 0 is the table), the second right after.
    expect(img!.partitions.map((x) => [x.number, x.type, x.first, x.blocks, x.name])).toEqual([
      [1, 'cfs', 8, 1024, 'work'],
      [2, 'sfs', 1032, 800, 'dos'],
    ]);
    expect(img!.partitions[0]!.fs).toMatchObject({ kind: 'cfs', files: 0, warnings: [] });
    expect(img!.partitions[1]!.fs).toMatchObject({ kind: 'sfs', files: 0 });
    expect(img!.free).toEqual([
      { first: 1, blocks: 7 },
      { first: 1832, blocks: 216 },
    ]);

    expect(lib.writeFile('lab.img', 1, 'hello.s', '.word 1\n', none)).toBe('lab.img:1 hello.s');
    expect(lib.writeFile('lab.img', 2, 'readme.txt', 'hi', none)).toBe('lab.img:2 README.TXT');
    expect(lib.files('lab.img', 1).files).toEqual([{ name: 'hello.s', size: 8, kind: 'source' }]);
    expect(lib.files('lab.img', 2)).toMatchObject({ kind: 'sfs', files: [{ name: 'README.TXT', kind: 'text' }] });
    expect(lib.readFile('lab.img', 1, 'hello.s')).toBe('.word 1\n');
    // Replacing keeps the name the file system has (sfs upper case).
    lib.writeFile('lab.img', 2, 'README.TXT', 'hello again', none);
    expect(lib.readFile('lab.img', 2, 'README.TXT')).toBe('hello again');
    lib.removeFile('lab.img', 1, 'hello.s', none);
    expect(lib.files('lab.img', 1).files).toEqual([]);
    expect(lib.describe('lab.img', none).partitions[1]!.fs!.files).toBe(1);

    lib.removePartition('lab.img', 1, none);
    expect(lib.describe('lab.img', none).partitions.map((x) => [x.number, x.name])).toEqual([[1, 'dos']]);
  });

  it('refuses bad sizes, names, an existing image and what does not fit, naming the image and the block', () => {
    const lib = library('b');
    expect(() => lib.create('odd.img', '1000')).toThrow("odd.img: size '1000' is not a multiple of 512 bytes");
    expect(() => lib.create('huge.img', '4G')).toThrow('huge.img: size 4G is more than the app makes');
    expect(() => lib.create('../x.img', '1M')).toThrow("'../x.img' is not an image name");
    expect(() => lib.create('noext', '1M')).toThrow("'noext' is not an image name");
    labImage(lib);
    expect(() => lib.create('lab.img', '1M')).toThrow('lab.img: already exists (not overwriting it)');
    expect(() => lib.addPartition('lab.img', { type: 'cfs', blocks: 500, name: 'big' }, none)).toThrow(
      'lab.img: partition table (block 0): no free run of 500 blocks (the largest is 216 blocks at block 1832)',
    );
    expect(() => lib.addPartition('lab.img', { type: 'raw', blocks: 10, name: 'over', start: 1000 }, none)).toThrow(
      /^lab\.img: partition table \(block 0\): .*overlap/,
    );
    expect(() => lib.mkfs('lab.img', 3, '', none)).toThrow(
      'lab.img: partition 3: no such partition (partitions: 1, 2)',
    );
    lib.addPartition('lab.img', { type: 'raw', blocks: 8, name: 'swap' }, none);
    expect(() => lib.mkfs('lab.img', 3, '', none)).toThrow('lab.img: partition 3: type raw has no file system');
    expect(() => lib.files('lab.img', 3)).toThrow('lab.img: partition 3: type raw has no file system');
    expect(() => lib.readFile('lab.img', 1, 'gone.txt')).toThrow(/^lab\.img: partition 1: .*gone\.txt/);
    expect(() => lib.files('nothere.img', 1)).toThrow('nothere.img: no such image in');
  });

  it('says where a damaged file system is, and refuses to write into it', () => {
    const lib = library('c');
    const p = labImage(lib);
    lib.writeFile('lab.img', 1, 'a.txt', 'x'.repeat(600), none);
    // Break the cfs superblock's magic (partition 1 starts at block 8).
    const bytes = readFileSync(p);
    bytes[8 * 512] ^= 0xff;
    writeFileSync(p, bytes);
    const part = lib.describe('lab.img', none).partitions[0]!;
    expect(part.fs).toBeUndefined();
    expect(part.problem).toMatch(
      /^partition 1: cfs: superblock block 0 \(disk block 8\): magic: .* not a cfs file system/,
    );
    expect(() => lib.writeFile('lab.img', 1, 'b.txt', 'y', none)).toThrow(/^lab\.img: partition 1: cfs: superblock/);
  });

  it('imports a copy of an image and refuses what is not one, leaving the source as it was', () => {
    const lib = library('d');
    const src = path.join(root, 'd', 'outside');
    mkdirSync(src, { recursive: true });
    const made = library('d-src');
    const good = labImage(made);
    made.writeFile('lab.img', 1, 'notes.txt', 'kept', none);
    const before = readFileSync(good);
    const r = lib.import(good, 'mine.img');
    expect(r.warnings).toEqual([]);
    expect(lib.readFile('mine.img', 1, 'notes.txt')).toBe('kept');
    expect(Buffer.compare(readFileSync(good), before)).toBe(0);
    expect(() => lib.import(good, 'mine.img')).toThrow('mine.img: an image of that name exists already');

    const odd = path.join(src, 'odd.bin');
    writeFileSync(odd, Buffer.alloc(1000));
    expect(() => lib.import(odd, 'odd.img')).toThrow(
      `${odd}: 1000 bytes is not a whole number of 512-byte blocks (488 bytes past the last whole block); not imported`,
    );
    const zeros = path.join(src, 'zeros.bin');
    writeFileSync(zeros, Buffer.alloc(4096));
    expect(() => lib.import(zeros, 'zeros.img')).toThrow(
      `${zeros}: partition table (block 0): magic: 0x00000000 is not 0x54504448 ('HDPT'); is this a hyperdesk disk image?; not imported`,
    );
    const bad = path.join(src, 'badcrc.img');
    const damaged = Buffer.from(before);
    damaged[20] ^= 1; // inside entry 1: the crc no longer matches
    writeFileSync(bad, damaged);
    expect(() => lib.import(bad, 'bad.img')).toThrow(/^.*badcrc\.img: partition table \(block 0\): crc: /);
    const ov = path.join(src, 'top.hdov');
    expect(DiskChain.createOverlay(good, ov)).toBe(true);
    expect(() => lib.import(ov, 'ov.img')).toThrow('an overlay file (copy-on-write), not an image');
    expect(() => lib.import(path.join(src, 'missing'), 'm.img')).toThrow('cannot read: ENOENT');
    expect(lib.list(none).map((i) => i.name)).toEqual(['mine.img']);
  });

  it('refuses to delete or change what a saved machine, the running machine or a snapshot needs', () => {
    const lib = library('e');
    const p = labImage(lib);
    const used: LibraryContext = { machines: [machine('lab', ['/x/hyperdesk.img', p])], snapshots: [] };
    expect(lib.describe('lab.img', used).usedBy).toEqual(['lab']);
    expect(() => lib.delete('lab.img', used)).toThrow(
      "lab.img: cannot delete: saved machine 'lab' uses it (detach it first)",
    );
    const running: LibraryContext = { machines: [], snapshots: [], running: ['/x/hyperdesk.img', p] };
    expect(lib.describe('lab.img', running).runningDisk).toBe(1);
    expect(() => lib.mkfs('lab.img', 1, '', running)).toThrow(
      'lab.img: cannot make a file system on partition 1: it is disk 1 of the running machine (power it off first)',
    );
    const ov = path.join(root, 'e', 'snap.hdov');
    expect(DiskChain.createOverlay(p, ov)).toBe(true);
    const snap: LibraryContext = { machines: [], snapshots: [{ name: 's1', disks: [ov] }] };
    expect(lib.describe('lab.img', snap).snapshots).toEqual(['s1']);
    expect(() => lib.writeFile('lab.img', 1, 'a.txt', 'x', snap)).toThrow(
      "lab.img: cannot write a.txt: snapshot 's1' goes on from this file",
    );
    // The demo's working copy is what a machine without disks uses.
    const demo = lib.create('hyperdesk.img', '1M');
    expect(lib.describe('hyperdesk.img', { machines: [machine('plain', [])], snapshots: [] }).usedBy).toEqual([
      'plain',
    ]);
    lib.delete('hyperdesk.img', none);
    expect(() => statSync(demo)).toThrow();
    lib.delete('lab.img', none);
    expect(lib.list(none)).toEqual([]);
  });
});

describe('ImageLibrary and symlinks', () => {
  it('refuses an image that is a symlink out of the data folder', () => {
    const lib = library('f');
    lib.create('inside.img', '1M');
    const outside = path.join(root, 'f', 'outside.img');
    writeFileSync(outside, Buffer.alloc(2048));
    symlinkSync(outside, path.join(lib.folder, 'link.img'));
    expect(() => lib.files('link.img', 1)).toThrow(/^disk .*link\.img: not in a folder the app opens disks from/);
    expect(lib.list(none).map((i) => i.name)).toEqual(['inside.img']);
  });
});
