/** scripts/build-disks.ts on stand-in sources (test/disk/fixtures), not resources/. */
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildDisk, defaultSources } from '../../src/main/host/disks.js';
import { MemoryBlockBackend } from '../../src/main/emulator/devices/disk/BlockBackend.js';
import {
  DiskError,
  DiskImage,
  ensureDiskImage,
  fsckDisk,
  HDX_MAGIC,
  parseCosExecutable,
  type CfsVolume,
} from '../../src/main/disk/index.js';
import { assembleForDisk } from '../../src/main/host/disks.js';

const fixtures = fileURLToPath(new URL('./fixtures', import.meta.url));

/** A private copy of the fixtures laid out like resources/ (so tests can change them). */
function workspace(): { root: string; output: string } {
  const root = mkdtempSync(join(tmpdir(), 'hyperdesk-build-'));
  cpSync(fixtures, join(root, 'resources'), { recursive: true });
  return { root, output: join(root, 'disks', 'hyperdesk.img') };
}

function open(path: string): DiskImage {
  const bytes = new Uint8Array(readFileSync(path));
  const d = DiskImage.open(new MemoryBlockBackend(bytes.length / 512, true, bytes));
  if (d instanceof DiskError) throw d;
  return d;
}

describe('buildDisk', () => {
  it('lays out cos and swos with their images and files', async () => {
    const { root, output } = workspace();
    const lines: string[] = [];
    const sources = defaultSources(root);
    // fixtures keep programs beside cos; point at them
    sources.cos.programs = join(root, 'resources', 'programs');
    const report = await buildDisk({ output, ...sources, log: (l) => lines.push(l) });
    expect(statSync(output).size).toBe(32 << 20);
    const disk = open(output);
    expect(disk.table.partitions.map((p) => [p.number, p.type, p.bootable, p.name, p.first, p.blocks])).toEqual([
      [1, 'cfs', true, 'cos', 2048, 30720],
      [2, 'sfs', true, 'swos', 32768, 32768],
    ]);
    const cos = disk.osImage(1);
    if (cos instanceof DiskError) throw cos;
    expect(cos.header).toMatchObject({
      name: 'cos 0.1',
      loadAddress: 0x100000,
      entry: 0x100000,
      flags: 1,
      fsOffset: 8,
    });
    const swos = disk.osImage(2);
    if (swos instanceof DiskError) throw swos;
    expect(swos.header).toMatchObject({
      name: 'swos 1.0',
      loadAddress: 0x200000,
      entry: 0x200004,
      flags: 0,
      fsOffset: 8,
    });
    const fs = disk.fileSystem(1) as CfsVolume;
    // The programs' sources are on the disk too, for the app's editor.
    const sourceSize = (f: string) => statSync(join(root, 'resources', 'programs', f)).size;
    expect(fs.list()).toEqual([
      { name: 'hello', size: 16 + 8, executable: true },
      { name: 'include', size: 16 + 8, executable: true },
      { name: 'hello.s', size: sourceSize('hello.s'), executable: false },
      { name: 'include.s', size: sourceSize('include.s'), executable: false },
      { name: 'motd', size: 28, executable: false },
    ]);
    expect(new TextDecoder().decode(fs.read('hello.s') as Uint8Array)).toBe(
      readFileSync(join(root, 'resources', 'programs', 'hello.s'), 'utf8'),
    );
    const exe = parseCosExecutable(fs.read('include') as Uint8Array);
    if (exe instanceof DiskError) throw exe;
    expect(exe).toMatchObject({ loadAddress: 0x400000, entry: 0x400000, memorySize: 4096 + 65536 });
    expect(new DataView((fs.read('hello') as Uint8Array).buffer).getUint32(0, true)).toBe(HDX_MAGIC);
    const hello = assembleForDisk(join(root, 'resources', 'programs', 'hello.s'));
    if (hello instanceof Error) throw hello;
    expect(exe.image.length).toBe(8);
    const sfs = disk.fileSystem(2);
    if (sfs instanceof DiskError) throw sfs;
    expect(sfs.list().map((f) => f.name)).toEqual(['README.TXT']);
    expect(new TextDecoder().decode(sfs.read('readme.txt') as Uint8Array)).toBe('swos readme\n');
    expect(disk.fsck()).toEqual([]);
    expect(report.files.map((f) => `${f.partition}:${f.name}`)).toEqual([
      '1:hello',
      '1:include',
      '1:hello.s',
      '1:include.s',
      '1:motd',
      '2:README.TXT',
    ]);
    expect(lines.join('\n')).toMatch(/partition 1 'cos' \(cfs, bootable\): blocks 2048..32767; OS image 'cos 0.1'/);
    expect(lines.join('\n')).toMatch(/hello \(executable\): 24 bytes from /);
  });

  it('names a missing OS source', async () => {
    const { root, output } = workspace();
    rmSync(join(root, 'resources', 'swos', 'swos.s'));
    await expect(buildDisk({ output, ...defaultSources(root) })).rejects.toThrow(
      /resources\/swos\/swos\.s: not found \(the swos source; is swos written yet\?\)/,
    );
    expect(existsSync(output)).toBe(false);
  });

  it('reports assembly errors with file:line and names too long for the file system', async () => {
    const { root, output } = workspace();
    writeFileSync(join(root, 'resources', 'programs', 'bad.s'), '_start:\n  frobnicate a0\n');
    await expect(buildDisk({ output, ...defaultSources(root) })).rejects.toThrow(
      /bad\.s: does not assemble:\n.*bad\.s:2:/,
    );
    rmSync(join(root, 'resources', 'programs', 'bad.s'));
    writeFileSync(join(root, 'resources', 'swos', 'files', 'much-too-long.name'), 'x');
    await expect(buildDisk({ output, ...defaultSources(root) })).rejects.toThrow(
      /much-too-long\.name: partition 2: sfs: file name 'much-too-long.name' has 13 characters before the dot/,
    );
  });

  it('rebuilds only when a source or the build code is newer (ensureDiskImage)', async () => {
    const { root, output } = workspace();
    const inputs = [join(root, 'resources')];
    let builds = 0;
    const options = {
      output,
      ...defaultSources(root),
      inputs,
      assemble: (p: string) => {
        builds++;
        return assembleForDisk(p);
      },
    };
    await buildDisk({ output, ...defaultSources(root) });
    expect(await ensureDiskImage(options)).toBe(output);
    expect(builds).toBe(0);
    // An edit to a source: it is now newer than the image.
    const earlier = new Date(Date.now() - 10_000);
    utimesSync(output, earlier, earlier);
    await ensureDiskImage(options);
    expect(builds).toBeGreaterThan(0);
    builds = 0;
    await ensureDiskImage(options);
    expect(builds).toBe(0);
    rmSync(output);
    await ensureDiskImage(options);
    expect(builds).toBeGreaterThan(0);
    expect(fsckDisk(open(output).backend)).toEqual([]);
  });
});
