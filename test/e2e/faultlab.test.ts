/**
 * End-to-end test of the fault-injection lab and the preferred guest (docs/guide.md#the-fault-injection-lab-m22-m24)
 * in the web mode, as web.test.ts runs the app: the real host and server, the built renderer in
 * headless Chromium, the demo machine on a copy of its disk. From the Control panel: a disk write
 * error injected into cos (its `tally` sees the refusal), cos marked preferred, then a hypervisor
 * crash from the fault menu: ctl reboots and says it was told, cos goes on with its count. Every
 * wait is on a condition. Screenshots go to test-results/screenshots.
 */
import { existsSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, cosReady, LONG, openConsole, shots, showView, termText, waitForTerm } from './appPage.js';
import { startApp, stopApp, type App } from './harness.js';

async function typeLine(page: Page, guest: string, line: string): Promise<void> {
  await openConsole(page, guest);
  await page.locator(`section.term[data-name="${guest}"] .term-body`).click();
  await page.keyboard.type(line, { delay: 20 });
  await page.keyboard.press('Enter');
}

/** The last `tally N (on disk)` on cos's console. */
async function lastTally(page: Page): Promise<number> {
  const all = [...(await termText(page, 'cos')).matchAll(/tally (\d+) \(on disk\)/g)];
  return Number(all[all.length - 1]?.[1]);
}

describe.skipIf(!existsSync(CHROMIUM))('the fault-injection lab in Chromium (web mode)', () => {
  let app: App | undefined;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    app = await startApp({ prefix: 'hyperdesk-e2e-fault-', bootDemo: true });
    ({ page, errors } = app);
  }, 180_000);

  afterAll(() => stopApp(app));

  const inject = async (fault: string, id: string) => {
    const form = page.locator('form[data-form="fault"]');
    await form.locator('select[name="fault"]').selectOption(fault);
    await form.locator('select[name="id"]').selectOption(id);
    await form.locator('button[type="submit"]').click();
  };

  it('injects a disk write error from the menu; prefers cos; crashes the hypervisor and cos goes on', async () => {
    await cosReady(page);
    await typeLine(page, 'cos', 'tally');
    await waitForTerm(page, 'cos', /tally \d+ \(on disk\)\s*\n.*cos>\s*$/s);
    const n = await lastTally(page);

    await showView(page, 'control');
    await page.locator('table.parts tr[data-partition="1"]').waitFor({ timeout: LONG });
    // The menu says what contains the fault picked.
    await page.locator('form[data-form="fault"] select[name="fault"]').selectOption('diskerr');
    expect(await page.locator('form[data-form="fault"] .fault-note').textContent()).toMatch(/STATUS 4/);
    await inject('diskerr', '1');
    const err = page.locator('.transcript li[data-command="fault diskerr 1"][data-ok="true"]');
    await err.waitFor({ timeout: LONG });
    expect(await err.textContent()).toMatch(/injected diskerr into 1 \(cos\): its next disk write fails/);
    await typeLine(page, 'cos', 'tally');
    await waitForTerm(
      page,
      'cos',
      new RegExp(`the disk refused the write \\(status 4\\): the count on the disk stays ${n}`),
    );

    await showView(page, 'control');
    const pref = page.locator('form[data-form="prefer"]');
    await pref.locator('select[name="id"]').selectOption('1');
    await pref.locator('button[type="submit"]').click();
    await page.locator('.transcript li[data-command="prefer 1"][data-ok="true"]').waitFor({ timeout: LONG });
    await page.locator('table.parts tr[data-partition="1"] .badge.preferred').waitFor({ timeout: LONG });

    await inject('crash', '1');
    const crash = page.locator('.transcript li[data-command="fault crash"][data-ok="true"]');
    await crash.waitFor({ timeout: LONG });
    expect(await crash.textContent()).toMatch(/the preferred guest 1 \(cos\) is kept where it is/);
    await openConsole(page, 'ctl');
    await waitForTerm(page, 'ctl', /told by the hypervisor: it crashed and restarted/);
    expect(await termText(page, 'ctl')).toMatch(/1 \(cos\) came through the hypervisor's restart/);
    await showView(page, 'control');
    await page.locator('table.parts tr[data-partition="1"] .badge.preferred').waitFor({ timeout: LONG });
    await shots(page, 'faultlab');

    // cos did not reboot: its count goes on from the last one the disk acknowledged.
    await typeLine(page, 'cos', 'tally');
    await waitForTerm(page, 'cos', new RegExp(`tally ${n + 1} \\(on disk\\)`));
    expect(errors).toEqual([]);
  }, 300_000);
});
