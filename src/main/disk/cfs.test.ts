import { describe, expect, it } from 'vitest';
import { MemoryBlockBackend } from '../emulator/devices/disk/BlockBackend.js';
import { crc32 } from '../../shared/crc32.js';
import { put32 } from './bytes.js';
import { checkCfs, mkfsCfs, openCfs, type CfsVolume } from './cfs.js';
import { DiskError } from './errors.js';
import { Region } from './Region.js';

/** A cfs of 100 blocks at disk block 50, one directory block. */
function setup(): { backend: MemoryBlockBackend; region: Region; fs: CfsVolume } {
  const backend = new MemoryBlockBackend(200);
  const region = new Region(backend, 50, 100, 'partition 2: cfs');
  expect(mkfsCfs(region, { label: 'test', dirBlocks: 1 })).toBe(true);
  const fs = openCfs(region);
  if (fs instanceof DiskError) throw fs;
  return { backend, region, fs };
}

const bytes = (n: number, seed = 1) => Uint8Array.from({ length: n }, (_, i) => (i * 7 + seed) & 0xff);

/** Patch a u32 in relative block `rel` of the fs; optionally fix the directory crc. */
function patch(backend: MemoryBlockBackend, rel: number, offset: number, value: number, fixCrc = true): void {
  put32(backend.data, (50 + rel) * 512 + offset, value);
  if (fixCrc) put32(backend.data, 50 * 512 + 24, crc32(backend.data.subarray(51 * 512, 52 * 512)));
}

function problems(region: Region): string[] {
  const out: string[] = [];
  checkCfs(region, out);
  return out;
}

describe('cfs', () => {
  it('round-trips files: write, list, read, replace, remove', () => {
    const { region, fs } = setup();
    expect(fs.label).toBe('test');
    expect(fs.freeBlocks()).toBe(98);
    expect(fs.write('hello', bytes(1000), { executable: true })).toBe(true);
    expect(fs.write('empty', new Uint8Array(0))).toBe(true);
    expect(fs.write('notes.txt', bytes(512, 3))).toBe(true);
    expect(fs.list()).toEqual([
      { name: 'hello', size: 1000, executable: true },
      { name: 'empty', size: 0, executable: false },
      { name: 'notes.txt', size: 512, executable: false },
    ]);
    expect(fs.read('hello')).toEqual(bytes(1000));
    expect(fs.read('empty')).toEqual(new Uint8Array(0));
    expect(fs.freeBlocks()).toBe(95);
    // A fresh open sees the same thing.
    const again = openCfs(region) as CfsVolume;
    expect(again.list()).toEqual(fs.list());
    expect(again.read('notes.txt')).toEqual(bytes(512, 3));
    expect(fs.write('hello', bytes(3000, 9))).toBe(true);
    expect(fs.read('hello')).toEqual(bytes(3000, 9));
    expect(fs.remove('empty')).toBe(true);
    expect(fs.list().map((f) => f.name)).toEqual(['hello', 'notes.txt']);
    expect(problems(region)).toEqual([]);
    expect((fs.read('nope') as DiskError).message).toBe("partition 2: cfs: no file 'nope'");
    expect((fs.remove('nope') as DiskError).message).toBe("partition 2: cfs: no file 'nope'");
  });

  it('allocates first fit and says when there is no room', () => {
    const { fs, region } = setup();
    fs.write('a', bytes(512 * 10));
    fs.write('b', bytes(512 * 10));
    fs.write('c', bytes(512 * 10));
    fs.remove('b');
    fs.write('d', bytes(512 * 4));
    // data starts at block 2: a = 2..11, d fills the start of b's gap
    const dir = region.read(1, 1);
    expect(new DataView(dir.buffer).getUint32(32 + 24, true)).toBe(12);
    const r = fs.write('big', bytes(512 * 69));
    expect((r as DiskError).message).toBe(
      "partition 2: cfs: no room for 'big' (69 contiguous blocks; 74 blocks free in all)",
    );
    expect(fs.write('big', bytes(512 * 68))).toBe(true);
  });

  it('replaces in place only when that is the only room', () => {
    const { fs } = setup();
    expect(fs.write('a', bytes(512 * 60))).toBe(true);
    expect(fs.write('a', bytes(512 * 90, 5))).toBe(true);
    expect(Buffer.compare(fs.read('a') as Uint8Array, bytes(512 * 90, 5))).toBe(0);
  });

  it('an interrupted in-place replacement leaves no file, never the old name over mixed bytes', () => {
    const { backend, region, fs } = setup();
    expect(fs.write('a', bytes(512 * 60))).toBe(true); // data blocks 2..61: only in place fits 90
    // The machine dies right after the new data went out: every later write fails.
    let dataWritten = false;
    const real = backend.write.bind(backend);
    backend.write = (lba, data) => {
      if (dataWritten) return new Error('power lost');
      if (lba === 52) dataWritten = true;
      return real(lba, data);
    };
    expect(fs.write('a', bytes(512 * 90, 5))).toBeInstanceOf(DiskError);
    backend.write = real;
    const after = openCfs(region) as CfsVolume;
    const a = after.list().find((f) => f.name === 'a');
    if (a) expect(Buffer.compare(after.read('a') as Uint8Array, bytes(512 * 60))).toBe(0);
    expect(a).toBeUndefined(); // the old copy's blocks were overwritten: its entry went first
  });

  it('rejects bad names and a full directory', () => {
    const { fs } = setup();
    expect((fs.write('x'.repeat(20), bytes(1)) as DiskError).message).toMatch(
      /file name 'x+' is 20 characters; at most 19 fit/,
    );
    expect((fs.write('a/b', bytes(1)) as DiskError).message).toMatch(/contains '\/'/);
    expect((fs.write('', bytes(1)) as DiskError).message).toMatch(/cannot be empty/);
    expect((fs.write('tab\there', bytes(1)) as DiskError).message).toMatch(/character 4 is not printable ASCII/);
    for (let i = 0; i < 16; i++) expect(fs.write(`f${i}`, bytes(1))).toBe(true);
    expect((fs.write('f16', bytes(1)) as DiskError).message).toBe(
      'partition 2: cfs: the directory is full (16 entries)',
    );
  });

  it('fsck: bad magic, version, sizes', () => {
    let s = setup();
    patch(s.backend, 0, 0, 0xdeadbeef);
    expect(problems(s.region)).toEqual([
      "partition 2: cfs: superblock block 0 (disk block 50): magic: 0xdeadbeef is not 0x31534643 ('CFS1'); not a cfs file system (mkfs it?)",
    ]);
    s = setup();
    patch(s.backend, 0, 4, 3);
    expect(problems(s.region)[0]).toMatch(/superblock block 0 \(disk block 50\): version: 3 is not 1/);
    s = setup();
    patch(s.backend, 0, 8, 101);
    expect(problems(s.region)[0]).toMatch(/blocks in the file system: 101, but the partition has room for 100/);
    s = setup();
    patch(s.backend, 0, 16, 0);
    expect(problems(s.region)[0]).toMatch(/directory blocks: 0/);
    s = setup();
    patch(s.backend, 0, 20, 1);
    expect(problems(s.region)[0]).toMatch(/first data block: 1 is not between 2 and 100/);
    expect(openCfs(s.region)).toBeInstanceOf(DiskError);
  });

  it('fsck: directory crc', () => {
    const s = setup();
    s.fs.write('a', bytes(10));
    patch(s.backend, 1, 28, 11, false);
    expect(problems(s.region)).toEqual([
      expect.stringMatching(
        /^partition 2: cfs: superblock block 0 \(disk block 50\): directory crc: the directory blocks have crc32 0x[0-9a-f]+, the superblock says 0x[0-9a-f]+$/,
      ),
    ]);
    // Still readable (docs/disks.md#damaged-file-systems), with the problem as a warning; no writes.
    const vol = openCfs(s.region) as CfsVolume;
    expect(vol.warnings).toEqual([expect.stringMatching(/directory crc/)]);
    expect((vol.read('a') as Uint8Array).subarray(0, 10)).toEqual(bytes(10)); // its size now says 11
    expect((vol.write('b', bytes(3)) as DiskError).message).toMatch(
      /directory crc.*\(writing refused until `hyperdesk disk fsck --repair` fixes it\)$/,
    );
  });

  it('fsck: entries past the end, truncated, inside metadata, overlapping', () => {
    const s = setup();
    s.fs.write('a', bytes(2000));
    s.fs.write('b', bytes(2000));
    patch(s.backend, 1, 32 + 24, 9000);
    expect(problems(s.region)).toEqual([
      "partition 2: cfs: directory block 1 (disk block 51): entry 1 ('b'): first block 9000 past the end of the file system (100 blocks)",
    ]);
    patch(s.backend, 1, 32 + 24, 98);
    expect(problems(s.region)[0]).toMatch(
      /entry 1 \('b'\): size 2000 bytes \(4 blocks from block 98\) runs past the end of the file system \(100 blocks\): truncated file/,
    );
    patch(s.backend, 1, 32 + 24, 1);
    expect(problems(s.region)[0]).toMatch(
      /entry 1 \('b'\): first block 1 is inside the metadata \(data starts at block 2\)/,
    );
    patch(s.backend, 1, 32 + 24, 4);
    expect(problems(s.region)).toEqual([
      "partition 2: cfs: directory block 1 (disk block 51): entry 1 ('b'): blocks 4..7 overlap directory block 1 (disk block 51): entry 0 ('a') (blocks 2..5)",
    ]);
  });

  it('fsck: names and flags', () => {
    const s = setup();
    s.fs.write('a', bytes(10));
    s.fs.write('b', bytes(10));
    s.backend.data.fill(0x41, 51 * 512 + 32, 51 * 512 + 52); // entry 1's name: 20 x 'A', no NUL
    patch(s.backend, 1, 20, 0x13); // entry 0 flags
    expect(problems(s.region)).toEqual([
      "partition 2: cfs: directory block 1 (disk block 51): entry 0 ('a'): flags: 0x00000013 has unknown bits set",
      'partition 2: cfs: directory block 1 (disk block 51): entry 1: name: not NUL-terminated within 20 bytes',
    ]);
    const t = setup();
    t.fs.write('a', bytes(10));
    t.fs.write('b', bytes(10));
    t.backend.data[51 * 512 + 32] = 0x61; // 'b' -> 'a'
    patch(t.backend, 1, 64, 0);
    expect(problems(t.region)).toEqual([
      "partition 2: cfs: directory block 1 (disk block 51): entry 1 ('a'): name: 'a' is also the name of directory block 1 (disk block 51): entry 0 ('a')",
    ]);
  });
});
