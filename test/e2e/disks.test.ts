/**
 * End-to-end test of the Disks view (docs/app.md#disks, docs/disks.md#disks-in-the-app) in the web
 * mode, as web.test.ts runs the app: the real host and server, the built renderer in headless
 * Chromium, the store and the data folder in a temporary profile. Through the page only: create an
 * image, add a cfs partition with its file system, make a file, open it in the editor and save it
 * back (Ctrl+S), save a new machine in Machines, attach the image to it, boot that machine, and see
 * the image in use as its disk 1. The host is asked only to check what the page did. Every wait is
 * on a condition. Screenshots at 1280x720 and 1920x1080 go to test-results/screenshots.
 */
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, LONG, shots, showView } from './appPage.js';
import { startApp, stopApp, type App, type Host } from './harness.js';

describe.skipIf(!existsSync(CHROMIUM))('the Disks view in Chromium (web mode)', () => {
  let app: App | undefined;
  let host: Host;
  let page: Page;
  let errors: string[];
  let dialogs: string[];

  beforeAll(async () => {
    app = await startApp({ prefix: 'hyperdesk-e2e-disks-', acceptDialogs: true });
    ({ host, page, errors, dialogs } = app);
  }, 180_000);

  afterAll(() => stopApp(app));

  it('creates an image, partitions it and makes a file system, from the page', async () => {
    await page.keyboard.press('Alt+Minus');
    await page.locator('section.view[data-view="disks"]').waitFor({ state: 'visible' });
    await page.fill('input[name="image-name"]', 'lab.img');
    await page.fill('input[name="image-size"]', '8M');
    await page.click('[data-action="create-image"]');
    const card = page.locator('.image-card[data-image="lab.img"]');
    await card.waitFor({ timeout: LONG });
    expect(await card.locator('h2').textContent()).toBe('lab.img8 MiB · 16,384 blocks');

    await page.selectOption('select[name="part-type"]', 'cfs');
    await page.fill('input[name="part-size"]', '4M');
    await page.fill('input[name="part-name"]', 'work');
    await page.click('[data-action="add-partition"]'); // "make its file system" is ticked
    const row = card.locator('tr[data-part="1"]');
    await row.locator('td.contents', { hasText: 'cfs: 0 files' }).waitFor({ timeout: LONG });
    expect(await row.locator('td.mono').textContent()).toBe('8..8199');
    const [img] = (await host.images()).filter((i) => i.name === 'lab.img');
    expect(img!.partitions).toEqual([
      expect.objectContaining({ number: 1, type: 'cfs', name: 'work', first: 8, blocks: 8192 }),
    ]);
    expect(img!.partitions[0]!.fs).toMatchObject({ kind: 'cfs', files: 0, warnings: [] });
    // Import checks the file first: a file of 1000 bytes is no disk image, and the toast says why.
    const odd = path.join(app!.profile, 'odd.bin');
    await writeFile(odd, Buffer.alloc(1000));
    await page.fill('input[name="import-path"]', odd);
    expect(await page.inputValue('input[name="import-name"]')).toBe('odd.bin.img');
    await page.click('[data-action="import-image"]');
    await page
      .locator('.toast.error', {
        hasText: `Import: ${odd}: 1000 bytes is not a whole number of 512-byte blocks (488 bytes past the last whole block); not imported`,
      })
      .waitFor({ timeout: LONG });
    // The partition map: the table's block, partition 1, the free rest.
    expect(await card.locator('.part-map .pm-seg').evaluateAll((s) => s.map((x) => x.className))).toEqual([
      'pm-seg table',
      'pm-seg part',
      'pm-seg free',
    ]);
  }, 120_000);

  it('writes a file, opens it in the editor and saves it back into the image', async () => {
    await page.click('.image-card tr[data-part="1"] [data-action="show-files"]');
    await page.locator('.files-card[data-image="lab.img"][data-partition="1"]').waitFor({ timeout: LONG });
    await page.fill('input[name="new-file"]', 'notes.txt');
    await page.click('[data-action="new-image-file"]');
    const file = page.locator('.files-card tr[data-file="notes.txt"]');
    await file.waitFor({ timeout: LONG });
    await shots(page, 'disks-lab');

    await file.locator('[data-action="open-file"]').click();
    await page.locator('section.view.editor[data-image="lab.img:1"][data-file="notes.txt"]').waitFor({ timeout: LONG });
    await page.click('section.view.editor .monaco-editor .view-lines');
    await page.keyboard.type('written from the Disks view');
    await page.locator('section.view.editor[data-unsaved="1"]').waitFor();
    await page.keyboard.press('Control+s');
    await page.locator('section.view.editor[data-unsaved="0"]').waitFor({ timeout: LONG });
    expect(await page.locator('.editor-status').textContent()).toBe('notes.txt · saved to lab.img:1 notes.txt');
    expect(await host.imageReadFile('lab.img', 1, 'notes.txt')).toBe('written from the Disks view');
    // Assemble & reboot belongs to a running guest's files: off for a file of an image.
    expect(await page.locator('button', { hasText: 'Assemble & reboot' }).isDisabled()).toBe(true);
    expect(await page.locator('button', { hasText: 'Debug from start' }).isDisabled()).toBe(true);
    await page.keyboard.press('Escape'); // Monaco's word completion, not part of the picture
    await shots(page, 'disks-editor');
  }, 120_000);

  it('attaches the image to a new machine, boots it and shows the image in use as its disk 1', async () => {
    await showView(page, 'machines');
    await page.fill('form.machine-form input[name="name"]', 'lab machine');
    await page.selectOption('form.machine-form select[name="mode"]', 'dualboot');
    await page.selectOption('form.machine-form select[name="boot"]', 'cos');
    await page.fill('form.machine-form input[name="cpus"]', '1');
    await page.fill('form.machine-form input[name="mem"]', '16');
    await page.click('[data-action="save-machine"]');
    await page.locator('tr[data-machine="lab machine"]').waitFor({ timeout: LONG });

    await page.keyboard.press('Alt+Minus');
    await page.click('table.images [data-image="lab.img"] [data-action="select-image"]');
    const card = page.locator('.image-card[data-image="lab.img"]');
    await card.waitFor();
    await card.locator('select[name="attach-machine"]').selectOption('lab machine');
    await card.locator('[data-action="attach"]').click();
    await card.locator('.chip-machine[data-machine="lab machine"]').waitFor({ timeout: LONG });
    // A machine used by a saved machine cannot be deleted: the button says why.
    expect(await card.locator('[data-action="delete-image"]').isDisabled()).toBe(true);
    const data = path.join(app!.profile, 'data', 'disks');
    const saved = (await host.machines()).find((m) => m.name === 'lab machine')!;
    // The machine had no disks (the demo's working copy): that stays disk 0, the image is disk 1.
    expect(saved.config.disks).toEqual([path.join(data, 'hyperdesk.img'), path.join(data, 'lab.img')]);

    await showView(page, 'machines');
    const row = page.locator('tr[data-machine="lab machine"]');
    expect(await row.locator('td.disks').textContent()).toBe('hyperdesk.img, lab.img');
    await row.locator('[data-action="boot-machine"]').click();
    await page.locator('.badge.machine-name', { hasText: /^lab machine$/ }).waitFor({ timeout: LONG });
    await page.locator('.badge.state[data-state="running"]').waitFor({ timeout: LONG });
    // The top bar's boot selects follow the machine booted from Machines, not the last pick (issue 15).
    expect(await page.locator('header .boot select[aria-label="Mode to boot"]').inputValue()).toBe('dualboot');
    expect(await page.locator('header .boot select[aria-label="OS to dual boot"]').inputValue()).toBe('cos');
    expect(await page.locator('header .boot select[aria-label="OS to dual boot"]').isHidden()).toBe(false);

    // Its disk link opens the Disks view on the image, now open in the running machine.
    await row.locator('[data-action="show-disk"]', { hasText: 'lab.img' }).click();
    await page.locator('table.images tr[data-image="lab.img"] .badge.running').waitFor({ timeout: LONG });
    await card.locator('p.locked', { hasText: 'has lab.img open (disk 1)' }).waitFor({ timeout: LONG });
    expect((await host.images()).find((i) => i.name === 'lab.img')?.runningDisk).toBe(1);
    // Partition 1 is no running guest's (cos boots from disk 0): its files are refused, and say why.
    await card.locator('tr[data-part="1"] [data-action="show-files"]').click();
    await page
      .locator('.files-card .files-info', {
        hasText: 'on disk 1 of the running machine, and no running guest boots from it',
      })
      .waitFor({ timeout: LONG });
    await shots(page, 'disks-running');
    expect(dialogs).toEqual([]);
    // The two refused calls above (imageImport and imageFiles: 422, shown in a toast and in the card)
    // are the browser's only complaints.
    const refused =
      'console: Failed to load resource: the server responded with a status of 422 (Unprocessable Entity)';
    expect(errors).toEqual([refused, refused]);
  }, 180_000);
});
