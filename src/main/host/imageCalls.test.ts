/**
 * The host API's image calls (docs/disks.md#disks-in-the-app) through createHost, with the store in
 * a temporary data folder: attach and detach edit a saved machine's disks, delete is refused while a
 * machine uses the image, and an image the running machine has open is read and written through the
 * guest that boots from the partition (the engine), never behind its back.
 */
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDisks } from './disks.js';
import { createHost } from './host.js';

describe('host image calls', () => {
  let dir: string;
  let built: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'hyperdesk-imagecalls-'));
    // The built demo image, copied: the host's working copy is made from it (never the repository's).
    built = path.join(dir, 'built', 'hyperdesk.img');
    await mkdir(path.dirname(built), { recursive: true });
    await copyFile(await ensureDisks(), built);
  }, 300_000);
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('attaches an image to a saved machine, refuses to delete it then, and detaches it', async () => {
    const data = path.join(dir, 'a');
    const host = createHost('web', { dataDir: data, builtImage: async () => built });
    try {
      const lab = await host.imageCreate('lab.img', '2M');
      expect(lab).toMatchObject({ name: 'lab.img', bytes: 2 << 20, partitions: [], usedBy: [] });
      const parted = await host.imagePartitionAdd('lab.img', { type: 'cfs', blocks: 2048, name: 'work' });
      expect(parted.partitions[0]).toMatchObject({ number: 1, first: 8, blocks: 2048 });
      await host.imageMkfs('lab.img', 1, 'lab');
      expect(await host.imageWriteFile('lab.img', 1, 'notes.txt', 'hello')).toEqual({ written: 'lab.img:1 notes.txt' });

      await host.saveMachine('m1', { mode: 'hypervisor' });
      const m = await host.machineAttach('m1', 'lab.img');
      const demo = path.join(data, 'disks', 'hyperdesk.img');
      // No disks meant the demo's working copy: it stays disk 0, the image is disk 1.
      expect(m.config.disks).toEqual([demo, lab.path]);
      await expect(host.machineAttach('m1', 'lab.img')).rejects.toThrow("lab.img is attached to 'm1' already (disk 1)");
      expect((await host.images()).find((i) => i.name === 'lab.img')?.usedBy).toEqual(['m1']);
      await expect(host.imageDelete('lab.img')).rejects.toThrow(
        "lab.img: cannot delete: saved machine 'm1' uses it (detach it first)",
      );
      await expect(host.machineAttach('nobody', 'lab.img')).rejects.toThrow("no saved machine named 'nobody'");
      await expect(host.machineAttach('m1', 'gone.img')).rejects.toThrow('gone.img: no such image');

      const back = await host.machineDetach('m1', 'lab.img');
      expect(back.config.disks).toEqual([demo]);
      await host.saveMachine('solo', { mode: 'dualboot', boot: 'cos', disks: [lab.path] });
      await expect(host.machineDetach('solo', 'lab.img')).rejects.toThrow(
        "lab.img is the only disk of 'solo' (a machine without disks boots the demo disk): attach another first",
      );
      await host.deleteMachine('solo');
      await host.imageDelete('lab.img');
      // Attaching to a machine without disks made the demo's working copy, which it names as disk 0.
      expect((await host.images()).map((i) => [i.name, i.usedBy])).toEqual([['hyperdesk.img', ['m1']]]);
      const log = await host.events(20);
      expect(log.map((e) => e.kind)).toEqual(
        expect.arrayContaining([
          'image-created',
          'image-partitioned',
          'disk-attached',
          'disk-detached',
          'image-deleted',
        ]),
      );
    } finally {
      await host.close();
    }
  });

  it('goes through the running guest for an image the machine has open, and refuses the rest', async () => {
    const data = path.join(dir, 'b');
    const host = createHost('web', { dataDir: data, builtImage: async () => built, unpaced: true });
    try {
      const booted = await host.boot({ mode: 'dualboot', boot: 'cos' });
      expect(booted.error).toBeUndefined();
      const [img] = await host.images();
      expect(img).toMatchObject({ name: 'hyperdesk.img', runningDisk: 0, working: { name: 'hyperdesk.img' } });
      expect(img!.partitions.map((p) => [p.number, p.os])).toEqual([
        [1, 'cos 0.1'],
        [2, 'swos 1.0'],
        [3, 'ctl 0.1'],
      ]);
      // cos boots from partition 1: its files come from the engine, through cos.
      const files = await host.imageFiles('hyperdesk.img', 1);
      expect(files.via).toEqual({ guest: 0, name: 'cos' });
      expect(files.files.map((f) => f.name)).toContain('motd.txt');
      expect(await host.imageReadFile('hyperdesk.img', 1, 'motd.txt')).toBe(await host.readFile(0, 'motd.txt'));
      expect(await host.imageWriteFile('hyperdesk.img', 1, 'lab.txt', 'from the Disks view')).toEqual({
        written: `${path.join(data, 'disks', 'hyperdesk.img')}:1 lab.txt`,
      });
      expect(await host.readFile(0, 'lab.txt')).toBe('from the Disks view');
      // swos's partition is not running in this dual boot: refused, not written behind the engine.
      await expect(host.imageFiles('hyperdesk.img', 2)).rejects.toThrow(
        'hyperdesk.img: partition 2 is on disk 0 of the running machine, and no running guest boots from it',
      );
      await expect(host.imageMkfs('hyperdesk.img', 2, '')).rejects.toThrow(
        'hyperdesk.img: cannot make a file system on partition 2: it is disk 0 of the running machine (power it off first)',
      );
      await expect(host.imageDeleteFile('hyperdesk.img', 1, 'lab.txt')).rejects.toThrow(
        'hyperdesk.img: cannot remove lab.txt: the running machine has the image open',
      );
      await host.powerOff();
      // Off: the same calls work on the file itself.
      expect((await host.imageFiles('hyperdesk.img', 2)).via).toBeUndefined();
      await host.imageDeleteFile('hyperdesk.img', 1, 'lab.txt');
      expect((await host.imageFiles('hyperdesk.img', 1)).files.map((f) => f.name)).not.toContain('lab.txt');
    } finally {
      await host.close();
    }
  }, 120_000);
});
