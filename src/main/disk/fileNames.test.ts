/**
 * New files' names on both guest file systems (docs/disks.md#file-names, issue 13): the odd names
 * are refused when writing, with a message that says why, and nothing is written; files that already
 * have such a name stay readable and removable.
 */
import { describe, expect, it } from 'vitest';
import { crc32 } from '../../shared/crc32.js';
import { MemoryBlockBackend } from '../emulator/devices/disk/BlockBackend.js';
import { put32 } from './bytes.js';
import { mkfsCfs, openCfs } from './cfs.js';
import { DiskError } from './errors.js';
import type { FileSystem } from './fileSystem.js';
import { Region } from './Region.js';
import { mkfsSfs, openSfs } from './sfs.js';

function volume(kind: 'cfs' | 'sfs'): { fs: FileSystem; backend: MemoryBlockBackend } {
  const backend = new MemoryBlockBackend(200);
  const region = new Region(backend, 50, 100, `partition 1: ${kind}`);
  expect(kind === 'cfs' ? mkfsCfs(region, { label: 't', dirBlocks: 1 }) : mkfsSfs(region, { rootBlocks: 1 })).toBe(
    true,
  );
  const fs = kind === 'cfs' ? openCfs(region) : openSfs(region);
  if (fs instanceof DiskError) throw fs;
  return { fs, backend };
}

const message = (r: true | DiskError | undefined) => (r instanceof DiskError ? r.message : String(r));

describe.each(['cfs', 'sfs'] as const)('%s file names', (kind) => {
  it('refuses ., .., CON and the other odd names, writing nothing', () => {
    const { fs, backend } = volume(kind);
    const before = backend.data.slice();
    const odd: [string, RegExp][] = [
      ['.', kind === 'cfs' ? /file name '\.' is not a file name \(it means a folder\)/ : /has no name before the dot/],
      ['..', kind === 'cfs' ? /'\.\.' is not a file name/ : /more than one dot/],
      ['CON', /: file name 'CON' is a device name on Windows \(CON\)/],
      ['nul.txt', /is a device name on Windows \(NUL\)/],
      ['com1', /device name on Windows \(COM1\)/],
      ['LPT9.S', /device name on Windows \(LPT9\)/],
      ['-rf', /starts with '-' \(it would read as an option\)/],
    ];
    for (const [name, why] of odd) {
      const r = fs.write(name, new Uint8Array([1, 2, 3]));
      expect(message(r), name).toMatch(why);
      expect(message(r)).toMatch(new RegExp(`^partition 1: ${kind}: `));
      expect(message(fs.checkName(name))).toBe(message(r));
    }
    expect(fs.list()).toEqual([]);
    expect(backend.data).toEqual(before);
  });

  it('takes ordinary names, including ones that only start like a device', () => {
    const { fs } = volume(kind);
    for (const name of ['hello', 'CONFIG', 'console.s', 'comx', 'nul2', 'lpt.txt'])
      expect(message(fs.checkName(name)), name).toBe('undefined');
    expect(fs.write('console.s', new Uint8Array([7]))).toBe(true);
    expect([...(fs.read('console.s') as Uint8Array)]).toEqual([7]);
  });

  it('checks a name against the file system’s own form without writing', () => {
    const { fs } = volume(kind);
    const long = 'abcdefghijklmnopqr.s';
    expect(message(fs.checkName(long))).toMatch(
      kind === 'cfs' ? /is 20 characters; at most 19 fit/ : /has 18 characters before the dot/,
    );
    expect(fs.list()).toEqual([]);
  });
});

describe('cfs files that already have an odd name', () => {
  it('stay readable and removable', () => {
    const { fs, backend } = volume('cfs');
    expect(fs.write('CONX', new Uint8Array([9]))).toBe(true);
    // Rename it to CON in place, as an older version could have written it (entry 0 of the directory
    // block at disk block 51, whose crc the superblock keeps at offset 24).
    backend.data.set([0x43, 0x4f, 0x4e, 0], 51 * 512);
    put32(backend.data, 50 * 512 + 24, crc32(backend.data.subarray(51 * 512, 52 * 512)));
    const again = openCfs(new Region(backend, 50, 100, 'partition 1: cfs'));
    if (again instanceof DiskError) throw again;
    expect(again.list().map((f) => f.name)).toEqual(['CON']);
    expect([...(again.read('CON') as Uint8Array)]).toEqual([9]);
    expect(again.remove('CON')).toBe(true);
    expect(again.list()).toEqual([]);
  });
});
