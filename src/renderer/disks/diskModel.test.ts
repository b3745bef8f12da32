import { describe, expect, it } from 'vitest';
import type { ImageInfo } from '../../shared/api.js';
import { importName, lockedBecause, parseBlocks, partitionMap, suggestImageName, usage } from './diskModel.js';

const lab: ImageInfo = {
  name: 'lab.img',
  path: '/d/disks/lab.img',
  bytes: 2048 * 512,
  blocks: 2048,
  partitions: [
    { number: 1, type: 'cfs', name: 'work', first: 8, blocks: 1024, bootable: false },
    { number: 2, type: 'sfs', name: 'dos', first: 1032, blocks: 800, bootable: true, os: 'swos 1.0' },
  ],
  free: [
    { first: 1, blocks: 7 },
    { first: 1832, blocks: 216 },
  ],
  usedBy: [],
  snapshots: [],
};

describe('the Disks view model', () => {
  it('maps the disk in block order, leaving out the alignment gap after the table', () => {
    const m = partitionMap(lab);
    expect(m.map((s) => [s.kind, s.first, s.blocks, s.number])).toEqual([
      ['table', 0, 1, undefined],
      ['part', 8, 1024, 1],
      ['part', 1032, 800, 2],
      ['free', 1832, 216, undefined],
    ]);
    expect(m[1]!.pct).toBe(50);
    expect(m[0]!.pct).toBeGreaterThan(0.5); // block 0 is visible as a sliver
    expect(m[2]!.label).toBe('2 dos (sfs, swos 1.0)');
    expect(partitionMap({ blocks: 100, partitions: [], free: [{ first: 1, blocks: 99 }] }).at(-1)).toMatchObject({
      kind: 'free',
      blocks: 99,
    });
  });

  it('reads sizes as blocks or binary units, and says what is wrong', () => {
    expect(parseBlocks('8M')).toBe(16384);
    expect(parseBlocks('512K')).toBe(1024);
    expect(parseBlocks('1 MiB')).toBe(2048);
    expect(parseBlocks('100')).toBe(100);
    expect(parseBlocks('0.5K')).toBe(1);
    expect(parseBlocks('0.1K')).toBe("'0.1K' is not a whole number of 512-byte blocks");
    expect(parseBlocks('0')).toBe("'0' is not a whole number of 512-byte blocks");
    expect(parseBlocks('lots')).toBe("'lots' is not a size: a number of blocks, or like 8M or 512K");
  });

  it('suggests names and says what uses an image and why it is locked', () => {
    expect(suggestImageName([])).toBe('disk1.img');
    expect(suggestImageName(['disk1.img', 'disk3.img'])).toBe('disk2.img');
    expect(importName('/home/u/My Disk.IMG')).toBe('My_Disk.img');
    expect(importName('C:\\images\\..raw')).toBe('raw.img');
    expect(importName('/tmp/')).toBe('imported.img');
    expect(usage(lab)).toBe('no machine');
    expect(lockedBecause(lab)).toBeUndefined();
    const busy = { ...lab, usedBy: ['demo', 'lab'], runningDisk: 0, snapshots: ['s1', 's2'] };
    expect(usage(busy)).toBe('demo, lab · running (disk 0) · 2 snapshots');
    expect(lockedBecause(busy)).toMatch(/^The running machine has lab\.img open \(disk 0\)/);
    expect(lockedBecause({ ...lab, snapshots: ['s1'] })).toMatch(/^Snapshot s1 goes on from lab\.img/);
  });
});
