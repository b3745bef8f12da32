/**
 * The app's working disks (docs/disks.md#working-disks): a copy of the built image in the data
 * folder, made when missing, never the built image itself; outdated once the built image is
 * rebuilt; reset to a fresh copy.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { WorkingDisks } from './workingDisks.js';

const root = mkdtempSync(path.join(tmpdir(), 'hyperdesk-working-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A "built image" in a folder of its own, and a data folder. */
function setup(name: string) {
  const builtDir = path.join(root, name, 'repo', 'disks');
  mkdirSync(builtDir, { recursive: true });
  const image = path.join(builtDir, 'hyperdesk.img');
  writeFileSync(image, 'built image v1');
  const data = path.join(root, name, 'data');
  const disks = new WorkingDisks(data, async () => image);
  return { image, data, disks };
}

describe('WorkingDisks', () => {
  it('boots from a copy in the data folder, made once; writes to it leave the built image alone', async () => {
    const { image, data, disks } = setup('a');
    expect(await disks.list()).toEqual([]);
    const copy = await disks.demo();
    expect(copy).toBe(path.join(data, 'disks', 'hyperdesk.img'));
    expect(readFileSync(copy, 'utf8')).toBe('built image v1');
    writeFileSync(copy, 'edited by a guest');
    // The next boot keeps the edits: the copy is made only when missing.
    expect(await disks.demo()).toBe(copy);
    expect(readFileSync(copy, 'utf8')).toBe('edited by a guest');
    expect(readFileSync(image, 'utf8')).toBe('built image v1');
    const [listed] = await disks.list();
    expect(listed).toEqual({
      name: 'hyperdesk.img',
      path: copy,
      builtImage: image,
      copiedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      outdated: false,
    });
    expect(existsSync(`${copy}.${process.pid}.tmp`)).toBe(false);
  });

  it('says the copy is outdated when the built image is rebuilt, and a reset brings the new one', async () => {
    const { image, disks } = setup('b');
    const copy = await disks.demo();
    writeFileSync(copy, 'edited');
    writeFileSync(image, 'built image v2');
    const later = new Date(Date.now() + 60_000);
    utimesSync(image, later, later);
    expect((await disks.list())[0]!.outdated).toBe(true);
    const reset = await disks.reset('hyperdesk.img');
    expect(reset.outdated).toBe(false);
    expect(readFileSync(copy, 'utf8')).toBe('built image v2');
    expect(readFileSync(image, 'utf8')).toBe('built image v2');
  });

  it('refuses to reset a disk it does not have, naming the one it has', async () => {
    const { disks } = setup('c');
    await expect(disks.reset('other.img')).rejects.toThrow(
      /no working disk named 'other\.img' \(there is: hyperdesk\.img, a copy of .*hyperdesk\.img\)/,
    );
  });

  it('tells its own disk from another path', async () => {
    const { data, disks, image } = setup('d');
    expect(disks.isWorkingDisk(path.join(data, 'disks', 'hyperdesk.img'), 'hyperdesk.img')).toBe(true);
    expect(disks.isWorkingDisk(image, 'hyperdesk.img')).toBe(false);
  });
});
