/**
 * Damaged file systems (docs/disks.md#damaged-file-systems) and `fsck --repair`
 * (docs/disks.md#fsck---repair): what can be read still reads, the problems are warnings naming the
 * partition and blocks, and a repair backs up every block it changes, then leaves fsck clean.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MemoryBlockBackend } from '../emulator/devices/disk/BlockBackend.js';
import { put16, put32 } from './bytes.js';
import { DiskImage } from './DiskImage.js';
import { DiskError } from './errors.js';
import type { FileSystem } from './fileSystem.js';
import { decodeBackup, repairDisk, type RepairReport } from './repair.js';

function must<T>(v: T | Error): T {
  if (v instanceof Error) throw v;
  return v;
}

const bytes = (n: number, seed = 1) => Uint8Array.from({ length: n }, (_, i) => (i * 13 + seed) & 0xff);

/**
 * Partition 1: cfs at blocks 8..1007 (directory 9..10, data from 11). Partition 2: sfs at
 * 1008..2007 (FAT 1009..1012, root directory 1013, data block n at disk block 1014 + n).
 */
function twoFs() {
  const backend = new MemoryBlockBackend(4096);
  const disk = must(DiskImage.format(backend));
  must(disk.addPartition({ type: 'cfs', first: 8, blocks: 1000, name: 'c', bootable: false }));
  must(disk.addPartition({ type: 'sfs', first: 1008, blocks: 1000, name: 's', bootable: false }));
  const cfs = must(disk.mkfs(1));
  const sfs = must(disk.mkfs(2));
  const dir = mkdtempSync(join(tmpdir(), 'hyperdesk-repair-'));
  return { backend, disk, cfs, sfs, image: join(dir, 'disk.img'), dir };
}

const FAT = 1009 * 512;
const SDIR = 1013 * 512;
const CDIR = 9 * 512;
const setFat = (b: MemoryBlockBackend, i: number, v: number) => put16(b.data, FAT + i * 2, v);
const fs = (b: MemoryBlockBackend, n: number): FileSystem => must(must(DiskImage.open(b)).fileSystem(n));
const fsck = (b: MemoryBlockBackend) => must(DiskImage.open(b)).fsck();

function repaired(b: MemoryBlockBackend, image: string, part?: number): RepairReport {
  return must(repairDisk(b, image, part, new Date(Date.UTC(2026, 11, 7, 18, 15, 0))));
}

describe('a damaged file system still opens', () => {
  it('sfs with lost blocks (an interrupted write): warnings name the blocks, reads and writes work', () => {
    const { backend, sfs } = twoFs();
    must(sfs.write('a.txt', bytes(700)));
    setFat(backend, 40, 41); // an allocation whose directory entry was never written
    setFat(backend, 41, 0xffff);
    const vol = fs(backend, 2);
    expect(vol.warnings).toEqual([
      "partition 2: sfs: FAT: 2 data blocks are allocated but in no file's chain (lost): 40, 41 (disk blocks 1054, 1055)",
    ]);
    expect(vol.read('a.txt')).toEqual(bytes(700));
    expect(vol.write('b.txt', bytes(30))).toBe(true); // lost blocks are never allocated: safe
    expect(fs(backend, 2).read('b.txt')).toEqual(bytes(30));
    expect(fsck(backend)).toEqual(vol.warnings);
  });
});

describe('fsck --repair', () => {
  it('frees lost blocks, backing up the FAT block first', () => {
    const { backend, sfs, image, dir } = twoFs();
    must(sfs.write('a.txt', bytes(700)));
    setFat(backend, 40, 0xffff);
    const before = backend.data.slice();
    const r = repaired(backend, image);
    expect(r.found).toEqual([
      "partition 2: sfs: FAT: 1 data blocks are allocated but in no file's chain (lost): 40 (disk block 1054)",
    ]);
    expect(r.fixes).toEqual(["partition 2: sfs: FAT: freed 1 data blocks no file's chain reaches: 40"]);
    expect(r.left).toEqual([]);
    expect(r.blocks).toBe(1);
    expect(r.backup).toBe(`${image}.fsck-20261207-181500.bak`);
    const saved = must(decodeBackup(new Uint8Array(readFileSync(r.backup!))));
    expect(saved.diskBlocks).toBe(4096);
    expect([...saved.blocks.keys()]).toEqual([1009]);
    expect(saved.blocks.get(1009)).toEqual(before.subarray(1009 * 512, 1010 * 512));
    expect(fsck(backend)).toEqual([]);
    expect(fs(backend, 2).read('a.txt')).toEqual(bytes(700));
    // A second repair finds nothing and writes no second backup.
    expect(repaired(backend, image)).toEqual({ found: [], fixes: [], left: [], blocks: 0 });
    expect(readdirSync(dir).filter((f) => f.endsWith('.bak'))).toHaveLength(1);
  });

  it('sfs: cuts bad chains, removes dangling entries, renames bad names; sound files stay whole', () => {
    const { backend, sfs, image } = twoFs();
    must(sfs.write('good.txt', bytes(1500))); // data blocks 1, 2, 3
    must(sfs.write('a', bytes(1024))); // 4 -> 5
    must(sfs.write('b', bytes(1024))); // 6 -> 7
    must(sfs.write('loop', bytes(1536))); // 8 -> 9 -> 10
    must(sfs.write('free', bytes(1024))); // 11 -> 12
    must(sfs.write('dangle', bytes(10))); // 13
    must(sfs.write('empty', new Uint8Array(0)));
    setFat(backend, 6, 5); // b: 6 -> 5, cross-linked with a
    setFat(backend, 10, 8); // loop: 10 -> 8
    setFat(backend, 11, 0); // free: its first block marked free
    put16(backend.data, SDIR + 5 * 32 + 12, 5000); // dangle: first block out of range
    put16(backend.data, SDIR + 6 * 32 + 12, 9); // empty: first block set
    backend.data[SDIR + 4 * 32] = 0x61; // free: lower-case name
    backend.data[SDIR + 1 * 32 + 11] |= 0x80; // a: unknown attribute bit
    backend.data[SDIR + 0 * 32 + 25] = 7; // good: reserved byte
    expect(fsck(backend).length).toBeGreaterThanOrEqual(7);
    const r = repaired(backend, image);
    expect(r.left).toEqual([]);
    expect(fsck(backend)).toEqual([]);
    const vol = fs(backend, 2);
    expect(vol.warnings).toEqual([]);
    expect(vol.read('good.txt')).toEqual(bytes(1500));
    expect(vol.read('a')).toEqual(bytes(1024));
    expect(vol.read('b')).toEqual(bytes(1024).subarray(0, 512)); // cut before the cross-link
    expect(vol.read('loop')).toEqual(bytes(1536)); // the loop went back from the last block
    expect(vol.list().map((f) => f.name)).toEqual(['GOOD.TXT', 'A', 'B', 'LOOP', 'FSCK0001', 'EMPTY']);
    expect(vol.read('fsck0001')).toEqual(bytes(1024).subarray(0, 512));
    expect(r.fixes).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/entry 5: removed \(first data block 5000 is out of range/),
        expect.stringMatching(/entry 4: renamed to FSCK0001/),
        expect.stringMatching(
          /entry 2 \('B'\)|entry 2: chain ends at data block 6 \(data block 5 belongs to another file/,
        ),
      ]),
    );
    // Repaired blocks were all backed up with their old contents.
    const saved = must(decodeBackup(new Uint8Array(readFileSync(r.backup!))));
    expect([...saved.blocks.keys()].sort()).toEqual([1009, 1013]);
    expect(vol.write('new.txt', bytes(2000))).toBe(true);
  });

  it('cfs: recomputes the directory crc after an interrupted write, cuts and removes bad entries', () => {
    const { backend, cfs, image } = twoFs();
    must(cfs.write('keep', bytes(600)));
    must(cfs.write('other', bytes(100)));
    // An interrupted write: the directory block went out, the superblock (crc) did not.
    put32(backend.data, CDIR + 32 + 28, 90);
    const vol = fs(backend, 1);
    expect(vol.warnings).toEqual([
      expect.stringMatching(/^partition 1: cfs: superblock block 0 \(disk block 8\): directory crc/),
    ]);
    expect(vol.read('keep')).toEqual(bytes(600));
    expect(vol.write('x', bytes(1))).toBeInstanceOf(DiskError);
    let r = repaired(backend, image, 1);
    expect(r.fixes).toEqual([expect.stringMatching(/^partition 1: cfs: directory crc recomputed \(0x[0-9a-f]{8}\)$/)]);
    expect(r.left).toEqual([]);
    expect(fs(backend, 1).read('other')).toEqual(bytes(90));

    must(fs(backend, 1).write('third', bytes(50))); // keep: blocks 3..4, other: 5, third: 6
    put32(backend.data, CDIR + 2 * 32 + 24, 5); // third moves to other's block
    put32(backend.data, CDIR + 1 * 32 + 24, 3); // other now overlaps keep: it goes, third stays
    backend.data[CDIR + 0 * 32 + 1] = 0x01; // keep: an unprintable name
    put32(backend.data, CDIR + 0 * 32 + 20, 0x11); // keep: unknown flag bit
    expect(fsck(backend).length).toBeGreaterThanOrEqual(3);
    r = repaired(backend, image, 1);
    expect(r.left).toEqual([]);
    expect(fsck(backend)).toEqual([]);
    const after = fs(backend, 1);
    expect(after.list().map((f) => f.name)).toEqual(['FSCK0001', 'third']);
    expect(after.read('FSCK0001')).toEqual(bytes(600));
  });

  it('leaves a damaged partition table alone and says so', () => {
    const { backend, image } = twoFs();
    backend.data[400] ^= 1; // the table's crc
    const before = backend.data.slice();
    const r = repaired(backend, image);
    expect(r.left).toEqual([expect.stringMatching(/^partition table \(block 0\): crc/)]);
    expect(r.backup).toBeUndefined();
    expect(existsSync(`${image}.fsck-20261207-181500.bak`)).toBe(false);
    expect(Buffer.compare(backend.data, before)).toBe(0);
  });

  it('the backup undoes the repair: writing its blocks back gives the damaged image again', () => {
    const { backend, sfs, image } = twoFs();
    must(sfs.write('a', bytes(2000)));
    setFat(backend, 2, 0); // a's chain runs through a free block; 3 and 4 are then lost
    const damaged = backend.data.slice();
    const r = repaired(backend, image);
    expect(r.left).toEqual([]);
    const saved = must(decodeBackup(new Uint8Array(readFileSync(r.backup!))));
    for (const [block, data] of saved.blocks) backend.write(block, data);
    expect(Buffer.compare(backend.data, damaged)).toBe(0);
  });

  it('reports a bad backup file clearly', () => {
    expect((decodeBackup(new Uint8Array(512)) as DiskError).message).toBe(
      "backup: magic 0x00000000 is not 0x42464448 ('HDFB')",
    );
    expect((decodeBackup(new Uint8Array(100)) as DiskError).message).toMatch(/not a whole number of blocks/);
  });
});
