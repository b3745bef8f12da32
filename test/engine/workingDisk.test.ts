/**
 * The host boots the demo from its working disk in the data folder, not from the built image
 * (docs/disks.md#working-disks): a deploy changes the copy only, and resetDisk brings the built
 * image back, powering the machine off and on around the copy.
 */
import { createHash } from 'node:crypto';
import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HostService } from '../../src/shared/api.js';
import { createHost } from '../../src/main/host/host.js';
import { ensureDisks } from '../../src/main/host/disks.js';

const sha = async (file: string) =>
  createHash('sha256')
    .update(await readFile(file))
    .digest('hex');

describe('the working disk', () => {
  let dir: string;
  let built: string;
  let host: HostService;
  let cos = '';
  const until = async (re: RegExp, ms = 60_000) => {
    const t0 = Date.now();
    while (!re.test(cos)) {
      if (Date.now() - t0 > ms) throw new Error(`cos never showed ${re}; it showed:\n${cos}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'hyperdesk-workingdisk-'));
    // The "built image" is a copy too, so that nothing here can touch the repository's disks/.
    built = path.join(dir, 'built', 'hyperdesk.img');
    await import('node:fs/promises').then((fs) => fs.mkdir(path.dirname(built)));
    await copyFile(await ensureDisks(), built);
    host = createHost('web', { dataDir: path.join(dir, 'data'), unpaced: true, builtImage: async () => built });
    host.subscribe((e) => {
      if (e.type === 'console' && e.guest === 1) cos += e.data;
    });
  }, 120_000);

  afterAll(async () => {
    await host?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('boots the demo from a copy in the data folder and deploys into the copy only', async () => {
    const builtBefore = await sha(built);
    const status = await host.boot({});
    const copy = path.join(dir, 'data', 'disks', 'hyperdesk.img');
    expect(status.state).toBe('running');
    expect(status.config?.disks).toEqual([copy]);
    expect(await host.disks()).toEqual([
      { name: 'hyperdesk.img', path: copy, builtImage: built, copiedAt: expect.any(String), outdated: false },
    ]);
    await until(/cos> $/);
    const source = await host.readFile(1, 'hello.s');
    const r = await host.deploy(1, 'hello.s', source.replace('Hello from user mode!', 'Hello from my copy!'));
    expect(r).toMatchObject({ ok: true, rebooted: true });
    expect(await host.readFile(1, 'hello.s')).toContain('Hello from my copy!');
    expect(await sha(built)).toBe(builtBefore);
    expect(await sha(copy)).not.toBe(builtBefore);
  });

  it('resets the disk to the built image while the machine runs: off, copy, on again', async () => {
    const disk = await host.resetDisk('hyperdesk.img');
    expect(disk.outdated).toBe(false);
    expect(await sha(disk.path)).toBe(await sha(built));
    const status = await host.status();
    expect(status.state).toBe('running');
    expect(status.config?.disks).toEqual([disk.path]);
    expect(await host.readFile(1, 'hello.s')).toContain('Hello from user mode!');
    const kinds = (await host.events(20)).map((e) => e.kind);
    expect(kinds).toEqual(expect.arrayContaining(['powered-off', 'disk-reset', 'booted']));
    await expect(host.resetDisk('nosuch.img')).rejects.toThrow(/no working disk named 'nosuch\.img'/);
  });
});
