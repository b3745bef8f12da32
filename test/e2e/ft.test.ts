/**
 * End-to-end test of fault tolerance (M23, docs/guide.md#lab-m23-a-backup-takes-over) in the web mode,
 * as faultlab.test.ts runs the app: from the Control panel's Fault tolerance form cos gets a backup,
 * the partitions table and the Fault tolerance card show the pair, the fault menu's primary failure
 * fails cos, the card shows the takeover with its time, and cos answers on its console as before.
 */
import { existsSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, cosReady, LONG, openConsole, shots, showView, waitForTerm } from './appPage.js';
import { startApp, stopApp, type App } from './harness.js';

async function typeLine(page: Page, guest: string, line: string): Promise<void> {
  await openConsole(page, guest);
  await page.locator(`section.term[data-name="${guest}"] .term-body`).click();
  await page.keyboard.type(line, { delay: 20 });
  await page.keyboard.press('Enter');
}

describe.skipIf(!existsSync(CHROMIUM))('fault tolerance in Chromium (web mode)', () => {
  let app: App | undefined;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    app = await startApp({ prefix: 'hyperdesk-e2e-ft-', bootDemo: true });
    ({ page, errors } = app);
  }, 180_000);

  afterAll(() => stopApp(app));

  it('pairs cos from the panel, shows the pair and its lag, fails it and shows the takeover; cos goes on', async () => {
    await cosReady(page);
    await showView(page, 'control');
    await page.locator('table.parts tr[data-partition="1"]').waitFor({ timeout: LONG });
    const form = page.locator('form[data-form="ft"]');
    await form.locator('select[name="id"]').selectOption('1');
    await form.locator('select[name="ft"]').selectOption('on');
    await form.locator('button[type="submit"]').click();
    const on = page.locator('.transcript li[data-command="ft 1 on"][data-ok="true"]');
    await on.waitFor({ timeout: LONG });
    expect(await on.textContent()).toMatch(/1 \(cos\) has a backup: \d+ on pCPU \d/);
    await page.locator('table.parts tr[data-partition="1"] .badge.ft').waitFor({ timeout: LONG });
    expect(await page.locator('table.parts tr[data-partition="1"] .badge.ft').textContent()).toMatch(
      /^primary \(backup \d+\)$/,
    );
    await page.locator('.ft-card table.ft-pairs').waitFor({ timeout: LONG });
    expect(await page.locator('.ft-card table.ft-pairs').textContent()).toMatch(
      /1 cos → \d+ cos~b \(pCPU \d\).*epoch \d+ · [\d,]+ instructions ahead/,
    );

    const menu = page.locator('form[data-form="fault"]');
    await menu.locator('select[name="fault"]').selectOption('fail');
    expect(await menu.locator('.fault-note').textContent()).toMatch(/the backup takes over/);
    await menu.locator('select[name="id"]').selectOption('1');
    await menu.locator('button[type="submit"]').click();
    const failed = page.locator('.transcript li[data-command="fault fail 1"][data-ok="true"]');
    await failed.waitFor({ timeout: LONG });
    expect(await failed.textContent()).toMatch(/its backup took over: 1 \(cos\) goes on/);
    await page.locator('.ft-card .ft-takeover').filter({ hasText: 'cycles' }).waitFor({ timeout: LONG });
    expect(await page.locator('.ft-card .ft-takeover').textContent()).toMatch(
      /Last takeover: 1 cos went on from epoch \d+ on pCPU \d, in [\d,]+ cycles \([\d.]+ µs of machine time, [\d.]+ ms of wall time\)/,
    );
    await shots(page, 'fault-tolerance');

    await typeLine(page, 'cos', 'help');
    await waitForTerm(page, 'cos', /help\s*\ncommands:/);
    expect(errors).toEqual([]);
  }, 300_000);
});
