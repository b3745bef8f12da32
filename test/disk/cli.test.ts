/** `hyperdesk disk ...` end to end: a child process on a temp image, as a user runs it. */
import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ensureDisks } from '../../src/main/host/disks.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const bin = join(root, 'bin/hyperdesk.js');
const tmp = mkdtempSync(join(tmpdir(), 'hyperdesk-disk-cli-'));
const img = join(tmp, 'a.img');

function disk(...args: string[]) {
  const env = { ...process.env, HYPERDESK_DATA: join(tmp, 'data') };
  const r = spawnSync(process.execPath, [bin, 'disk', ...args], { cwd: tmp, encoding: 'buffer', timeout: 60_000, env });
  const err = r.stderr.toString();
  expect(err).not.toMatch(/\n\s+at /); // never a stack trace
  return { code: r.status, out: r.stdout.toString(), raw: r.stdout, err };
}

/** Run a command that must fail, and check it left the image byte-identical. */
function fails(...args: string[]) {
  const before = readFileSync(img);
  const r = disk(...args);
  expect(r.code, r.err).not.toBe(0);
  expect(Buffer.compare(readFileSync(img), before), `image changed by: disk ${args.join(' ')}`).toBe(0);
  return r.err;
}

function ok(...args: string[]) {
  const r = disk(...args);
  expect(r.err).toBe('');
  expect(r.code).toBe(0);
  return r.out;
}

describe('hyperdesk disk', () => {
  it(
    "list, import, delete and attach: the data folder's images, as the Disks view has them",
    { timeout: 180_000 },
    () => {
      const mine = join(tmp, 'lib.img');
      ok('create', mine, '--size', '1M');
      // Without --start: the first free 4 KiB-aligned run (block 8), then right after it.
      expect(ok('part', mine, 'add', '--type', 'cfs', '--blocks', '1000', '--name', 'work')).toMatch(
        /blocks 8\.\.1007/,
      );
      expect(ok('part', mine, 'add', '--type', 'raw', '--blocks', '16', '--name', 'raw')).toMatch(
        /blocks 1008\.\.1023/,
      );
      ok('mkfs', `${mine}:1`);
      const odd = join(tmp, 'odd.bin');
      writeFileSync(odd, Buffer.alloc(1000));
      expect(disk('import', odd).err).toBe(
        `hyperdesk disk import: ${odd}: 1000 bytes is not a whole number of 512-byte blocks (488 bytes past the last whole block); not imported\n`,
      );
      expect(ok('import', mine)).toMatch(
        /imported as .*data\/disks\/lib\.img\nlib\.img {2}1 MiB {2}2 partitions {2}not attached\n/,
      );
      const listed = ok('list');
      expect(listed).toMatch(/^lib\.img {2}1 MiB {2}2 partitions {2}not attached$/m);
      expect(listed).toMatch(/^ {2}1 {2}work {9}blocks 8\.\.1007 {2}cfs, 0 files, \d+ blocks free$/m);
      expect(disk('attach', 'nobody', 'lib.img').err).toMatch(/no saved machine named 'nobody'/);
      expect(ok('delete', 'lib.img')).toMatch(/lib\.img: deleted/);
      expect(disk('delete', 'lib.img').err).toMatch(/lib\.img: no such image in /);
    },
  );

  it('creates, partitions, formats, and copies files in and out', { timeout: 180_000 }, () => {
    expect(ok('create', img, '--size', '4M')).toBe(`${img}: created, 4 MiB (8192 blocks), no partitions\n`);
    expect(fails('create', img, '--size', '4M')).toBe(`${img}: already exists (not overwriting it)\n`);
    expect(disk('create', join(tmp, 'odd.img'), '--size', '1000').err).toMatch(/--size needs a size like 16M/);

    ok('part', img, 'add', '--type', 'cfs', '--start', '8', '--blocks', '4000', '--name', 'data');
    ok('part', img, 'add', '--type', 'sfs', '--start', '4008', '--blocks', '4000', '--name', 'dos');
    expect(fails('part', img, 'add', '--type', 'raw', '--start', '4000', '--blocks', '100', '--name', 'x')).toBe(
      `${img}: partition table (block 0): entry 3: blocks 4000..4099 overlap entry 1 (blocks 8..4007)\n`,
    );
    expect(fails('part', img, 'add', '--type', 'raw', '--start', '8100', '--blocks', '100', '--name', 'x')).toMatch(
      /entry 3: blocks 8100..8199 run past the end of the disk \(8192 blocks\)/,
    );
    expect(fails('part', img, 'add', '--type', 'raw')).toBe(`${img}: part add needs --blocks, --name\n`);
    expect(ok('part', img, 'list')).toBe(
      [
        `${img}: 8192 blocks (4 MiB), 2 partitions`,
        '  #  type  boot      first     blocks  size        name',
        '  1  cfs   no            8       4000  2000 KiB    data',
        '  2  sfs   no         4008       4000  2000 KiB    dos',
        '',
      ].join('\n'),
    );
    expect(fails('ls', img)).toMatch(
      /^.*a\.img: partition 1: cfs: superblock block 0 \(disk block 8\): magic: 0x00000000 is not 0x31534643/,
    );
    expect(fails('mkfs', img)).toMatch(/mkfs needs the partition: IMAGE:P/);
    ok('mkfs', `${img}:1`);
    ok('mkfs', `${img}:2`);

    const notes = join(tmp, 'notes.txt');
    writeFileSync(notes, 'some notes\n');
    expect(ok('put', img, notes)).toBe(`${img}: partition 1: wrote 'notes.txt' (11 bytes)\n`);
    ok('put', `${img}:1`, notes, 'prog', '--executable');
    ok('put', `${img}:2`, notes, 'readme.txt');
    expect(fails('put', `${img}:2`, notes, 'much-too-long.txt')).toMatch(/has 13 characters before the dot/);
    const big = join(tmp, 'big.bin');
    writeFileSync(big, new Uint8Array(3 << 20));
    expect(fails('put', `${img}:1`, big)).toMatch(
      /partition 1: cfs: no room for 'big.bin' \(6144 contiguous blocks; 3989 blocks free in all\)/,
    );
    expect(fails('put', `${img}:1`, join(tmp, 'missing'))).toMatch(/missing: cannot read: ENOENT/);

    expect(ok('ls', img)).toBe(
      [
        'notes.txt         11',
        'prog              11  executable',
        'partition 1 (cfs): 2 files, 3989 blocks free',
        '',
      ].join('\n'),
    );
    expect(ok('ls', `${img}:2`)).toMatch(/^README.TXT {9}11\npartition 2 \(sfs\): 1 files/);
    expect(disk('get', `${img}:2`, 'readme.txt', '-').raw.toString()).toBe('some notes\n');
    ok('get', img, 'prog', join(tmp, 'prog.out'));
    expect(readFileSync(join(tmp, 'prog.out'), 'utf8')).toBe('some notes\n');
    ok('get', img, 'notes.txt');
    expect(existsSync(join(tmp, 'notes.txt'))).toBe(true);
    expect(fails('get', img, 'nope')).toBe(`${img}: partition 1: cfs: no file 'nope'\n`);

    expect(ok('rm', img, 'notes.txt')).toBe(`${img}: partition 1: removed 'notes.txt'\n`);
    expect(fails('rm', `${img}:2`, 'toolongname.txt')).toMatch(/partition 2: sfs: file name 'toolongname.txt' has 11/);
    expect(fails('rm', `${img}:2`, 'gone.txt')).toBe(`${img}: partition 2: sfs: no file 'GONE.TXT'\n`);
    expect(fails('ls', `${img}:7`)).toBe(`${img}: partition 7: no such partition (partitions: 1, 2)\n`);
    expect(ok('fsck', img)).toBe(`${img}: clean\n`);
    expect(ok('fsck', `${img}:2`)).toBe(`${img}: clean (partition 2)\n`);
  });

  it('fsck reports damage without changing the image, and damaged images refuse writes', { timeout: 180_000 }, () => {
    const bytes = readFileSync(img);
    bytes[9 * 512 + 24] ^= 0xff; // cfs directory (block 1 of partition 1): entry 0's first block
    writeFileSync(img, bytes);
    const err = fails('fsck', img);
    expect(err).toMatch(/partition 1: cfs: superblock block 0 \(disk block 8\): directory crc: /);
    writeFileSync(join(tmp, 'new.txt'), 'new');
    expect(fails('put', img, join(tmp, 'new.txt'))).toMatch(
      /directory crc.*\(and 1 more problems; run fsck\)|directory crc/,
    );
    expect(ok('fsck', `${img}:2`)).toBe(`${img}: clean (partition 2)\n`);
  });

  it(
    'a damaged partition still reads, with warnings; fsck --repair fixes it after a backup',
    { timeout: 180_000 },
    () => {
      // Left by the test above: partition 1's directory crc does not match (docs/disks.md#damaged-file-systems).
      let r = disk('ls', img);
      expect(r.code).toBe(0);
      expect(r.out).toMatch(/^prog +11 {2}executable\n/);
      expect(r.err).toMatch(
        /^.*a\.img: warning: partition 1: cfs: superblock block 0 \(disk block 8\): directory crc: /,
      );
      // Partition 2 (sfs, FAT from disk block 4009): data block 3000 allocated in no chain, as a kill
      // -9 between the FAT and the directory entry leaves it.
      const bytes = readFileSync(img);
      bytes.writeUInt16LE(0xffff, 4009 * 512 + 3000 * 2);
      writeFileSync(img, bytes);
      r = disk('get', `${img}:2`, 'readme.txt', '-');
      expect([r.code, r.raw.toString()]).toEqual([0, 'some notes\n']);
      expect(r.err).toBe(
        `${img}: warning: partition 2: sfs: FAT: 1 data blocks are allocated but in no file's chain (lost): 3000 (disk block ${4008 + 21 + 3000})\n`,
      );
      expect(fails('fsck', img, '--part', '2')).toMatch(/\(lost\): 3000/);
      const before = readFileSync(img);
      const repaired = ok('fsck', img, '--repair');
      expect(repaired).toMatch(/: repaired: partition 1: cfs: directory crc recomputed/);
      expect(repaired).toMatch(
        /: repaired: partition 2: sfs: FAT: freed 1 data blocks no file's chain reaches: 3000\n/,
      );
      const backup = /2 blocks changed; their old contents are in (.*\.fsck-\d{8}-\d{6}\.bak)\n/.exec(repaired)?.[1];
      expect(backup).toBeDefined();
      const saved = readFileSync(backup!);
      expect(saved.readUInt32LE(8)).toBe(2); // two blocks saved: the cfs superblock and an sfs FAT block
      const changed = new Set([saved.readUInt32LE(512), saved.readUInt32LE(516)]);
      expect(changed).toEqual(new Set([8, 4009 + Math.floor(3000 / 256)]));
      expect(saved.subarray(1024, 1536)).toEqual(
        before.subarray(512 * saved.readUInt32LE(512), 512 * saved.readUInt32LE(512) + 512),
      );
      expect(repaired).toMatch(/clean after the repair\n$/);
      expect(ok('fsck', img)).toBe(`${img}: clean\n`);
      expect(ok('fsck', img, '--repair')).toBe(`${img}: clean; nothing to repair\n`);
      writeFileSync(join(tmp, 'new.txt'), 'new');
      ok('put', img, join(tmp, 'new.txt'));
    },
  );

  it('renumbers on part rm, and explains bad usage', { timeout: 180_000 }, () => {
    expect(fails('part', img, 'rm', '3')).toBe(`${img}: partition table (block 0): entry 3: no such partition\n`);
    expect(fails('part', img, 'rm')).toBe(`${img}: part rm needs a partition number, got ''\n`);
    expect(fails('part', img, 'frob')).toBe(`${img}: part: unknown action 'frob' (list, add or rm)\n`);
    expect(fails('part', img, 'add', '--type', 'ext4', '--start', '1', '--blocks', '1', '--name', 'x')).toMatch(
      /option '--type <type>' argument 'ext4' is invalid/,
    );
    expect(disk('frob').code).toBe(2);
    expect(ok('part', img, 'rm', '1')).toBe(
      `${img}: removed partition 1 (its blocks are left as they were); partitions 2..2 are now 1..1\n`,
    );
    expect(ok('ls', img)).toMatch(/^README.TXT {9}11\npartition 1 \(sfs\)/);
  });

  it('refuses truncated and missing images', { timeout: 180_000 }, () => {
    appendFileSync(img, 'xyz');
    expect(fails('ls', img)).toBe(
      `${img}: truncated image: ${8192 * 512 + 3} bytes is not a whole number of 512-byte blocks\n`,
    );
    expect(fails('fsck', img)).toMatch(/truncated image/);
    expect(disk('ls', join(tmp, 'none.img')).err).toBe(`${join(tmp, 'none.img')}: cannot open: ENOENT\n`);
    writeFileSync(join(tmp, 'zero.img'), new Uint8Array(4096));
    expect(disk('fsck', join(tmp, 'zero.img')).err).toMatch(
      /zero\.img: partition table \(block 0\): magic: 0x00000000 is not 0x54504448 \('HDPT'\); is this a hyperdesk disk image\?/,
    );
  });

  it("resets the app's working copy in the data folder to the built image", { timeout: 180_000 }, async () => {
    const built = await ensureDisks();
    const copy = join(tmp, 'data', 'disks', 'hyperdesk.img');
    expect(ok('reset')).toBe(
      `${copy}: reset to a copy of ${built}\n(an app running from this disk keeps the old copy open until it boots again)\n`,
    );
    writeFileSync(copy, 'changed by the editor');
    ok('reset', 'hyperdesk.img');
    expect(Buffer.compare(readFileSync(copy), readFileSync(built))).toBe(0);
    expect(disk('reset', 'other.img').err).toMatch(
      /^other\.img: no working disk named 'other\.img' \(there is: hyperdesk\.img/,
    );
  });
});

describe('hyperdesk disk on overlays (docs/disks.md#copy-on-write-disks)', () => {
  const base = join(tmp, 'base.img');
  const o1 = join(tmp, 'o1.hdov');
  const o2 = join(tmp, 'o2.hdov');

  it('writes through an overlay, leaves the base alone, freezes, chains and checks it', { timeout: 180_000 }, () => {
    ok('create', base, '--size', '1M');
    ok('part', base, 'add', '--type', 'cfs', '--start', '8', '--blocks', '2000', '--name', 'data');
    ok('mkfs', `${base}:1`);
    const pristine = readFileSync(base);
    expect(ok('overlay', base, o1)).toMatch(/new overlay over/);
    writeFileSync(join(tmp, 'n.txt'), 'in the overlay');
    ok('put', `${o1}:1`, join(tmp, 'n.txt'));
    expect(Buffer.compare(readFileSync(base), pristine)).toBe(0);
    expect(ok('ls', `${o1}:1`)).toMatch(/^n\.txt +14\n/);
    expect(ok('ls', `${base}:1`)).toMatch(/: 0 files/);
    expect(ok('fsck', o1)).toMatch(
      new RegExp(`o1\\.hdov: \\d+ blocks held\\n.*base\\.img: the image\\n.*o1\\.hdov: clean\\n$`),
    );

    ok('freeze', o1);
    expect(disk('put', `${o1}:1`, join(tmp, 'n.txt')).err).toMatch(/o1\.hdov: frozen overlay: snapshots need it/);
    expect(disk('overlay', o2, join(tmp, 'x.hdov')).err).toMatch(/ENOENT/);
    ok('overlay', o1, o2);
    expect(ok('get', `${o2}:1`, 'n.txt', '-')).toBe('in the overlay');
    expect(ok('fsck', o2)).toMatch(/o2\.hdov: 0 blocks held\n.*o1\.hdov: frozen overlay, \d+ blocks held\n/);

    // A changed base strands the overlays on it, loudly.
    const changed = Buffer.from(pristine);
    changed[600] ^= 1;
    writeFileSync(base, changed);
    expect(disk('ls', `${o2}:1`).err).toMatch(
      /o1\.hdov: its base .*base\.img changed since the overlay was made on it/,
    );
    expect(disk('fsck', o2).err).toMatch(/changed since/);
    expect(disk('fsck', o2).code).toBe(1);
  });
});
