import { describe, expect, it } from 'vitest';
import { MemoryBlockBackend } from '../emulator/devices/disk/BlockBackend.js';
import { parseOsImageHeader } from '../../shared/osImage.js';
import { DiskImage, fsckDisk } from './DiskImage.js';
import { DiskError } from './errors.js';

function must<T>(v: T | Error): T {
  if (v instanceof Error) throw v;
  return v;
}

const image = Uint8Array.from({ length: 3000 }, (_, i) => (i * 5) & 0xff);

function bootDisk() {
  const backend = new MemoryBlockBackend(4096);
  const disk = must(DiskImage.format(backend));
  must(disk.addPartition({ type: 'cfs', first: 8, blocks: 1000, name: 'cos', bootable: true }));
  must(disk.addPartition({ type: 'sfs', first: 1008, blocks: 1000, name: 'swos', bootable: false }));
  must(
    disk.installOsImage(1, { loadAddress: 0x100000, entry: 0x100010, image, fsOffset: 8, flags: 1, name: 'cos 0.1' }),
  );
  must(disk.mkfs(1));
  must(disk.mkfs(2));
  return { backend, disk };
}

describe('DiskImage', () => {
  it('puts the file system of a bootable partition after its OS image', () => {
    const { backend, disk } = bootDisk();
    expect(must(disk.fsRegion(1)).start).toBe(16);
    expect(must(disk.fsRegion(2)).start).toBe(1008);
    const h = must(parseOsImageHeader(backend.data.subarray(8 * 512, 9 * 512)));
    expect(h).toMatchObject({
      loadAddress: 0x100000,
      entry: 0x100010,
      imageSize: 3000,
      fsOffset: 8,
      flags: 1,
      name: 'cos 0.1',
    });
    expect(must(disk.osImage(1)).image).toEqual(image);
    const fs = must(disk.fileSystem());
    expect(fs.kind).toBe('cfs');
    must(fs.write('x', new Uint8Array(5)));
    expect(must(disk.fileSystem(2)).kind).toBe('sfs');
    expect(disk.fsck()).toEqual([]);
    // Reopening reads the same table.
    expect(must(DiskImage.open(backend)).table).toEqual(disk.table);
  });

  it('fsck reports a bad OS image crc and a damaged partition table', () => {
    const { backend } = bootDisk();
    backend.data[9 * 512 + 100] ^= 1;
    expect(fsckDisk(backend)).toEqual([
      expect.stringMatching(
        /^partition 1: block 0 \(disk block 8\): OS image header: crc: the image's crc32 is 0x[0-9a-f]{8}, the header says 0x[0-9a-f]{8}$/,
      ),
    ]);
    backend.data[0] = 0;
    expect(fsckDisk(backend)).toEqual([
      expect.stringMatching(/^partition table \(block 0\): magic: 0x54504400 is not 0x54504448/),
    ]);
    expect((DiskImage.open(backend) as DiskError).message).toMatch(/magic/);
  });

  it('explains missing partitions, raw partitions and missing file systems', () => {
    const { disk } = bootDisk();
    expect((disk.fileSystem(3) as DiskError).message).toBe('partition 3: no such partition (partitions: 1, 2)');
    must(disk.addPartition({ type: 'raw', first: 2008, blocks: 10, name: 'raw', bootable: false }));
    expect((disk.fileSystem(3) as DiskError).message).toBe('partition 3: type raw has no file system');
    must(disk.addPartition({ type: 'cfs', first: 2018, blocks: 100, name: 'new', bootable: false }));
    expect((disk.fileSystem(4) as DiskError).message).toMatch(
      /^partition 4: cfs: superblock block 0 \(disk block 2018\): magic: 0x00000000/,
    );
    must(disk.addPartition({ type: 'cfs', first: 2118, blocks: 100, name: 'boot', bootable: true }));
    expect((disk.mkfs(5) as DiskError).message).toMatch(
      /^partition 5: block 0 \(disk block 2118\): OS image header: magic/,
    );
  });

  it('refuses an OS image that does not fit', () => {
    const { disk } = bootDisk();
    const r = disk.installOsImage(2, {
      loadAddress: 0x100000,
      entry: 0x100000,
      image: new Uint8Array(600_000),
      fsOffset: 0,
      flags: 0,
      name: 'big',
    });
    expect((r as DiskError).message).toBe(
      'partition 2: OS image header: image size: 600000 bytes need 1173 blocks with the header; the partition has 1000',
    );
    const r2 = disk.installOsImage(2, {
      loadAddress: 0x100000,
      entry: 0x100000,
      image,
      fsOffset: 3,
      flags: 0,
      name: 'x',
    });
    expect((r2 as DiskError).message).toBe(
      'partition 2: OS image header: fs offset: block 3 is inside the image (blocks 0..6)',
    );
  });
});
