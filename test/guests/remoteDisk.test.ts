/**
 * Remote use of a disk (M18; resources/ctl/export.s, resources/cos/remote.s,
 * docs/guide.md#lab-m18-a-device-used-from-another-partition): ctl exports a partition of its boot
 * disk, and cos reads its blocks, lists and reads its cfs files, and writes a block, all over
 * messages (msg_call to partition 0). The block cos shows is compared with the bytes of the image
 * read on the host from a temporary copy.
 */
import { mkdtempSync, openSync, readFileSync, readSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MemoryBlockBackend } from '../../src/main/emulator/devices/disk/BlockBackend.js';
import { parsePartitionTable } from '../../src/main/disk/partitionTable.js';
import { defaultImage } from './boot.js';
import { HvRun } from './hvrun.js';

/** The bytes of a `remote disk read` dump (`OFF  xx xx ...  |ascii|` lines). */
function dumped(text: string): Uint8Array {
  const bytes: number[] = [];
  for (const line of text.split('\n')) {
    const m = /^[0-9a-f]{3} ((?: [0-9a-f]{2}){16}) {2}\|/.exec(line);
    if (m)
      bytes.push(
        ...m[1]!
          .trim()
          .split(' ')
          .map((h) => parseInt(h, 16)),
      );
  }
  return Uint8Array.from(bytes);
}

async function boot(): Promise<{ r: HvRun; file: string; first: number; blocks: number }> {
  const file = join(mkdtempSync(join(tmpdir(), 'hyperdesk-remote-')), 'disk.img');
  writeFileSync(file, await defaultImage());
  const image = new Uint8Array(readFileSync(file));
  const table = parsePartitionTable(image.subarray(0, 512), image.length / 512);
  if (table instanceof Error) throw table;
  const ctl = table.partitions.find((p) => p.number === 3)!;
  const r = new HvRun(image);
  r.booted();
  return { r, file, first: ctl.first, blocks: ctl.blocks };
}

describe('remote disk (M18)', () => {
  it('ctl exports its partition; cos reads a block, lists and reads its files, over messages', async () => {
    const { r, file, first, blocks } = await boot();
    expect(r.cmd('cos', 'remote disk')).toBe(
      'remote: ctl refused: ctl exports no disk partition (ctl: export disk N)\n',
    );
    expect(r.cmd('ctl', 'export disk 3')).toBe(
      `ctl: exports disk0 partition 3 (${blocks} blocks, read-only) to every client: cos's remote disk, remote ls, remote cat\n`,
    );
    expect(r.cmd('cos', 'remote disk')).toBe(`remote: ctl exports disk0 partition 3: ${blocks} blocks, read-only\n`);
    // Block 0 of the partition: ctl's OS image header. The same bytes as the image file's.
    const shown = r.cmd('cos', 'remote disk read 0');
    expect(shown.split('\n')[0]).toBe('remote disk block 0 (from ctl, over messages):');
    const host = Buffer.alloc(512);
    readSync(openSync(file, 'r'), host, 0, 512, first * 512);
    expect(dumped(shown)).toEqual(new Uint8Array(host));
    expect(shown).toContain('|HDOS');
    // Its cfs, read remotely with cos's own format: the files of ctl's partition.
    const ls = r.cmd('cos', 'remote ls');
    expect(ls).toMatch(/^parttab +\d+\n/m);
    expect(ls).toMatch(/^motd\.txt +\d+\n/m);
    expect(ls).toMatch(/\d+ files, \d+ bytes \(ctl's exported partition, read over messages\)\n$/);
    const parttab = readFileSync(new URL('../../resources/ctl/files/parttab', import.meta.url), 'latin1');
    expect(r.cmd('cos', 'remote cat parttab')).toBe(parttab.replace(/\r/g, '') + (parttab.endsWith('\n') ? '' : '\n'));
    expect(r.cmd('cos', 'remote cat nothing')).toBe("remote cat: no file 'nothing' on ctl's exported partition\n");
  });

  it('refuses clearly: a block out of range, a write to a read-only export, a partition a client holds', async () => {
    const { r, blocks } = await boot();
    expect(r.cmd('ctl', 'export disk 1')).toBe(
      'ctl: export disk 1: disk0 partition 1 is held by 1 (cos), which boots from it: ctl exports only a partition no client holds (EBUSY)\n',
    );
    expect(r.cmd('ctl', 'export disk 9')).toBe(
      "ctl: export disk 9: disk0 has no partition '9' (oses lists the bootable ones) (ENOENT)\n",
    );
    expect(r.cmd('ctl', 'export disk 3')).toMatch(/^ctl: exports disk0 partition 3 /);
    expect(r.cmd('cos', `remote disk read ${blocks}`)).toBe(
      `remote: ctl refused: block ${blocks} is outside the exported partition (blocks 0..${blocks - 1} of disk0 partition 3)\n`,
    );
    expect(r.cmd('cos', 'remote disk write 5 hello')).toBe(
      'remote: ctl refused: disk0 partition 3 is exported read-only (ctl: export disk 3 rw)\n',
    );
    expect(r.cmd('cos', 'remote disk read x')).toMatch(/^usage: remote disk /);
    expect(r.cmd('ctl', 'export none')).toBe(
      "ctl: exports no disk partition now: clients' remote disk requests are refused\n",
    );
    expect(r.cmd('cos', 'remote ls')).toBe('remote: ctl refused: ctl exports no disk partition (ctl: export disk N)\n');
    // The printer is still there.
    expect(r.cmd('cos', 'remote hello')).toBe("cos: ctl's printer answered: ok 5\n");
  });

  it('writes a block of a read-write export; the disk has it, and a read shows it', async () => {
    const { r, first, blocks } = await boot();
    expect(r.cmd('ctl', 'export disk 3 rw')).toMatch(/^ctl: exports disk0 partition 3 \(\d+ blocks, read-write\)/);
    const last = blocks - 1;
    expect(r.cmd('cos', `remote disk write ${last} hello from cos`)).toBe(
      `remote: wrote block ${last} of ctl's exported partition (14 bytes of text, then zeros)\n`,
    );
    r.expect('ctl', `ctl: 1 (cos) wrote block ${last} of disk0 partition 3 (remote disk)`);
    const disk = r.machine.desc.disks![0] as MemoryBlockBackend;
    const at = (first + last) * 512;
    const want = new Uint8Array(512);
    want.set(Buffer.from('hello from cos', 'latin1'));
    expect(disk.data.subarray(at, at + 512)).toEqual(want);
    expect(dumped(r.cmd('cos2', `remote disk read ${last}`))).toEqual(want);
  });
});
