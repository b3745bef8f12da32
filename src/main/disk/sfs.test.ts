import { describe, expect, it } from 'vitest';
import { MemoryBlockBackend } from '../emulator/devices/disk/BlockBackend.js';
import { put16, put32 } from './bytes.js';
import { DiskError } from './errors.js';
import { Region } from './Region.js';
import { checkSfs, mkfsSfs, openSfs, type SfsVolume } from './sfs.js';
import { fromSfsName, toSfsName } from './sfsNames.js';

/** An sfs of 100 blocks at disk block 50: FAT block 1, root directory block 2, data from block 3 (97 data blocks). */
function setup(): { backend: MemoryBlockBackend; region: Region; fs: SfsVolume } {
  const backend = new MemoryBlockBackend(200);
  const region = new Region(backend, 50, 100, 'partition 1: sfs');
  expect(mkfsSfs(region, { rootBlocks: 1 })).toBe(true);
  const fs = openSfs(region);
  if (fs instanceof DiskError) throw fs;
  return { backend, region, fs };
}

const bytes = (n: number, seed = 1) => Uint8Array.from({ length: n }, (_, i) => (i * 13 + seed) & 0xff);
const FAT = 51 * 512;
const DIR = 52 * 512;
const setFat = (b: MemoryBlockBackend, i: number, v: number) => put16(b.data, FAT + i * 2, v);
const fat = (b: MemoryBlockBackend, i: number) => new DataView(b.data.buffer).getUint16(FAT + i * 2, true);

function problems(region: Region): string[] {
  const out: string[] = [];
  checkSfs(region, out);
  return out;
}

describe('sfs names', () => {
  it('maps to 8.3 upper case and back', () => {
    const s = (b: Uint8Array) => String.fromCharCode(...b);
    expect(s(toSfsName('readme.txt', 'p'))).toBe('README  TXT');
    expect(s(toSfsName('Makefile', 'p'))).toBe('MAKEFILE   ');
    expect(s(toSfsName('a.b', 'p'))).toBe('A       B  ');
    expect(fromSfsName(toSfsName('readme.txt', 'p'))).toBe('README.TXT');
    expect(fromSfsName(toSfsName('kernel', 'p'))).toBe('KERNEL');
  });
  it('rejects names that do not fit, saying why', () => {
    const msg = (n: string) => {
      try {
        toSfsName(n, 'partition 2: sfs');
      } catch (e) {
        return (e as Error).message;
      }
      return '';
    };
    expect(msg('toolongname.txt')).toBe(
      "partition 2: sfs: file name 'toolongname.txt' has 11 characters before the dot; sfs names are 8.3 (up to 8 characters, a dot, up to 3)",
    );
    expect(msg('a.html')).toMatch(/has 4 characters after the dot/);
    expect(msg('a.b.c')).toMatch(/has more than one dot/);
    expect(msg('.profile')).toMatch(/has no name before the dot/);
    expect(msg('a.')).toMatch(/ends with a dot/);
    expect(msg('my file')).toMatch(/contains ' ', which sfs names cannot hold/);
    expect(msg('a*b')).toMatch(/contains '\*'/);
  });
  it('rejects stored names with gaps or lower case', () => {
    const b = toSfsName('ab', 'p');
    b[3] = 0x43;
    expect(fromSfsName(b)).toEqual({ problem: "name has a space before 'C' (byte 3)" });
    expect(fromSfsName(new TextEncoder().encode('readme  txt'))).toEqual({
      problem: 'name: byte 0 (0x72) is not allowed in an 8.3 name',
    });
    expect(fromSfsName(new TextEncoder().encode('        TXT'))).toEqual({ problem: 'name is empty' });
  });
});

describe('sfs', () => {
  it('round-trips files through FAT chains', () => {
    const { region, fs } = setup();
    expect(fs.freeBlocks()).toBe(96);
    expect(fs.write('readme.txt', bytes(1300))).toBe(true);
    expect(fs.write('empty', new Uint8Array(0))).toBe(true);
    expect(fs.write('b.bin', bytes(512, 4))).toBe(true);
    expect(fs.list()).toEqual([
      { name: 'README.TXT', size: 1300, readOnly: false, system: false },
      { name: 'EMPTY', size: 0, readOnly: false, system: false },
      { name: 'B.BIN', size: 512, readOnly: false, system: false },
    ]);
    expect(fs.read('README.TXT')).toEqual(bytes(1300));
    expect(fs.read('readme.txt')).toEqual(bytes(1300));
    expect(fs.read('empty')).toEqual(new Uint8Array(0));
    expect(fs.freeBlocks()).toBe(92);
    const again = openSfs(region) as SfsVolume;
    expect(again.list()).toEqual(fs.list());
    expect(again.read('b.bin')).toEqual(bytes(512, 4));
    // replace: new chain first, old chain freed after
    expect(fs.write('readme.txt', bytes(600, 7))).toBe(true);
    expect(fs.read('readme.txt')).toEqual(bytes(600, 7));
    expect(fs.freeBlocks()).toBe(93);
    expect(fs.remove('b.bin')).toBe(true);
    expect(fs.freeBlocks()).toBe(94);
    expect(problems(region)).toEqual([]);
    expect((fs.read('nope.txt') as DiskError).message).toBe("partition 1: sfs: no file 'NOPE.TXT'");
  });

  it('chains blocks through the FAT, data block 0 reserved', () => {
    const { backend, fs } = setup();
    fs.write('a', bytes(1300));
    expect([fat(backend, 0), fat(backend, 1), fat(backend, 2), fat(backend, 3), fat(backend, 4)]).toEqual([
      0xffff, 2, 3, 0xffff, 0,
    ]);
    expect(backend.data.subarray(DIR, DIR + 32)).toEqual(
      Uint8Array.from([
        ...new TextEncoder().encode('A          '),
        1,
        1,
        0,
        0,
        0,
        20,
        5,
        0,
        0,
        ...new Array(12).fill(0),
      ]),
    );
    // data block 1 is disk block 50 + 3 + 1
    expect(backend.data.subarray(54 * 512, 54 * 512 + 512)).toEqual(bytes(1300).subarray(0, 512));
  });

  it('says when there is no room, and replaces by freeing first only when it must', () => {
    const { fs } = setup();
    expect((fs.write('big', bytes(512 * 97)) as DiskError).message).toBe(
      "partition 1: sfs: no room for 'BIG' (97 blocks; 96 free)",
    );
    expect(fs.write('big', bytes(512 * 60))).toBe(true);
    expect(fs.write('big', bytes(512 * 90, 3))).toBe(true);
    expect(Buffer.compare(fs.read('big') as Uint8Array, bytes(512 * 90, 3))).toBe(0);
    for (let i = 0; i < 15; i++) expect(fs.write(`f${i}`, new Uint8Array(0))).toBe(true);
    expect((fs.write('f16', new Uint8Array(0)) as DiskError).message).toBe(
      'partition 1: sfs: the root directory is full (16 entries)',
    );
  });

  it('refuses to change read-only files', () => {
    const { backend, region, fs } = setup();
    fs.write('a', bytes(10));
    backend.data[DIR + 11] = 3;
    const ro = openSfs(region) as SfsVolume;
    expect(ro.list()[0].readOnly).toBe(true);
    expect((ro.write('a', bytes(5)) as DiskError).message).toBe("partition 1: sfs: 'A' is read-only");
    expect((ro.remove('a') as DiskError).message).toBe("partition 1: sfs: 'A' is read-only");
  });

  it('fsck: bad magic and superblock sizes', () => {
    let s = setup();
    put32(s.backend.data, 50 * 512, 0);
    expect(problems(s.region)).toEqual([
      "partition 1: sfs: superblock block 0 (disk block 50): magic: 0x00000000 is not 0x21534653 ('SFS!'); not an sfs file system (mkfs it?)",
    ]);
    s = setup();
    put32(s.backend.data, 50 * 512 + 32, 500);
    expect(problems(s.region)[0]).toMatch(/FAT blocks: 1 hold 256 entries, fewer than the 500 data blocks/);
    s = setup();
    put32(s.backend.data, 50 * 512 + 28, 2);
    expect(problems(s.region)[0]).toMatch(/first data block: 2 is inside the root directory \(blocks 2..2\)/);
  });

  it('fsck: cross-linked chains', () => {
    const { backend, region, fs } = setup();
    fs.write('a', bytes(1024)); // 1 -> 2
    fs.write('b', bytes(1024)); // 3 -> 4
    setFat(backend, 3, 2); // b: 3 -> 2, shared with a
    setFat(backend, 4, 0);
    expect(problems(region)).toEqual([
      "partition 1: sfs: root directory block 2 (disk block 52): entry 1 ('B'): chain: data block 2 is cross-linked with root directory block 2 (disk block 52): entry 0 ('A')",
    ]);
    // A's chain is sound and reads; B's is not and does not; nothing may be written.
    const vol = openSfs(region) as SfsVolume;
    expect(vol.warnings).toEqual(problems(region));
    expect(vol.read('a')).toEqual(bytes(1024));
    expect((vol.read('b') as DiskError).message).toMatch(/'B'\): chain: data block 2 is cross-linked.*cannot read it/);
    expect((vol.write('c', bytes(3)) as DiskError).message).toMatch(/cross-linked.*writing refused until/);
    expect((vol.remove('a') as DiskError).message).toMatch(/writing refused until/);
  });

  it('fsck: a chain that loops', () => {
    const { backend, region, fs } = setup();
    fs.write('a', bytes(1500)); // 1 -> 2 -> 3
    setFat(backend, 3, 1);
    expect(problems(region)).toEqual([
      "partition 1: sfs: root directory block 2 (disk block 52): entry 0 ('A'): chain: loops back to data block 1 after 3 blocks",
    ]);
  });

  it('fsck: truncated file, chain too long, free block in a chain, lost blocks, out of range', () => {
    let s = setup();
    s.fs.write('a', bytes(1500));
    setFat(s.backend, 2, 0xffff);
    setFat(s.backend, 3, 0);
    expect(problems(s.region)).toEqual([
      "partition 1: sfs: root directory block 2 (disk block 52): entry 0 ('A'): size 1500 bytes needs 3 blocks, but the chain ends after 2: truncated file",
    ]);
    put32(s.backend.data, DIR + 16, 100);
    expect(problems(s.region)[0]).toMatch(/size 100 bytes needs 1 blocks, but the chain has 2/);
    s = setup();
    s.fs.write('a', bytes(1500));
    setFat(s.backend, 2, 0);
    expect(problems(s.region)).toEqual([
      "partition 1: sfs: root directory block 2 (disk block 52): entry 0 ('A'): chain: data block 2 is marked free in the FAT (FAT block 1 (disk block 51): data block 2)",
      "partition 1: sfs: FAT: 1 data blocks are allocated but in no file's chain (lost): 3 (disk block 56)",
    ]);
    s = setup();
    setFat(s.backend, 10, 0xffff);
    setFat(s.backend, 11, 5000);
    expect(problems(s.region)).toEqual([
      'partition 1: sfs: FAT block 1 (disk block 51): data block 11: next block 5000 is out of range (data blocks 1..96)',
      "partition 1: sfs: FAT: 2 data blocks are allocated but in no file's chain (lost): 10, 11 (disk blocks 63, 64)",
    ]);
    s = setup();
    setFat(s.backend, 0, 0);
    expect(problems(s.region)).toEqual([
      'partition 1: sfs: FAT block 1 (disk block 51): data block 0: 0x0000, but data block 0 is reserved (0xffff)',
    ]);
  });

  it('fsck: directory entries', () => {
    const { backend, region, fs } = setup();
    fs.write('a', bytes(10));
    fs.write('b', new Uint8Array(0));
    backend.data[DIR + 11] = 0x81;
    put16(backend.data, DIR + 32 + 12, 7);
    backend.data[DIR + 32] = 0x41; // 'B' -> 'A'
    backend.data[DIR + 32 + 25] = 1;
    expect(problems(region)).toEqual([
      "partition 1: sfs: root directory block 2 (disk block 52): entry 0 ('A'): attributes: 0x81 has unknown bits set",
      "partition 1: sfs: root directory block 2 (disk block 52): entry 1 ('A'): name: 'A' is also the name of root directory block 2 (disk block 52): entry 0 ('A')",
      "partition 1: sfs: root directory block 2 (disk block 52): entry 1 ('A'): reserved bytes 14..15 and 20..31 are not 0",
      "partition 1: sfs: root directory block 2 (disk block 52): entry 1 ('A'): first data block: 7 for an empty file (must be 0)",
    ]);
  });
});
