/**
 * Labs M5 and M21 through the web UI (docs/guide.md): in the Control panel a device is hot-plugged
 * into the running cos and taken back (cos says so on its console, the ownership map follows), a
 * controller moves with its subtree (the map shows netctl and nic0 under it with one owner), and
 * removing cos's last vCPU is refused with the reason. Headless Chromium against the real host and
 * server on a copy of the demo disk; every wait is on a condition.
 */
import { existsSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, LONG, showView } from './appPage.js';
import { startApp, stopApp, type App, type Host } from './harness.js';

/** Until cos's console history holds `text`. */
async function cosSays(host: Host, text: string): Promise<void> {
  const deadline = Date.now() + LONG;
  while (!(await host.consoleHistory(1)).data.includes(text)) {
    if (Date.now() > deadline) throw new Error(`cos never said ${JSON.stringify(text)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Until the ownership map's row of `device` shows `owner`. */
async function mapOwner(page: Page, device: string, owner: number | 'hv'): Promise<void> {
  await page.locator(`ul.devtree li[data-device="${device}"][data-owner="${owner}"]`).waitFor({ timeout: LONG });
}

describe.skipIf(!existsSync(CHROMIUM))('hot-plug and subtrees from the Control panel (labs M5, M21)', () => {
  let app: App | undefined;
  let host: Host;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    app = await startApp({ prefix: 'hyperdesk-hot-', bootDemo: true });
    ({ host, page, errors } = app);
    await page.locator('.badge.state[data-state="running"]').waitFor({ timeout: LONG });
    await showView(page, 'control');
    await page.locator('tr[data-partition="1"]').waitFor({ timeout: LONG });
  }, 180_000);

  afterAll(() => stopApp(app));

  it('a device hot-plugged into the running cos and taken back; cos says so each time', async () => {
    await mapOwner(page, 'uart1', 0);
    expect(await page.locator('ul.devtree li[data-device="netctl"] .dev-owner').textContent()).toBe(
      'nobody (give it whole)',
    );
    await page.locator('form[data-form="move"] select[name="device"] option[value="uart1"]').waitFor({
      state: 'attached',
      timeout: LONG,
    });
    await page.selectOption('form[data-form="move"] select[name="device"]', 'uart1');
    await page.selectOption('form[data-form="move"] select[name="id"]', '1');
    await page.click('form[data-form="move"] button[type="submit"]');
    await cosSays(host, 'cos: device uart1 arrived');
    await mapOwner(page, 'uart1', 1);

    await page.locator('form[data-form="remove-dev"] option[value="1 uart1"]').waitFor({
      state: 'attached',
      timeout: LONG,
    });
    await page.selectOption('form[data-form="remove-dev"] select', '1 uart1');
    await page.click('form[data-form="remove-dev"] button[type="submit"]');
    await cosSays(host, 'cos: gave device uart1 back to the hypervisor');
    await mapOwner(page, 'uart1', 0);
  }, 120_000);

  it('netctl moves with nic0 under it; the last vCPU is refused with the reason', async () => {
    await page.locator('tr[data-partition="2"] button[data-action="stop"]').click();
    await page.locator('tr[data-partition="2"] .state[data-state="stopped"]').waitFor({ timeout: LONG });
    await page.selectOption('form[data-form="move"] select[name="device"]', 'netctl');
    await page.selectOption('form[data-form="move"] select[name="id"]', '2');
    await page.click('form[data-form="move"] button[type="submit"]');
    await mapOwner(page, 'netctl', 2);
    await mapOwner(page, 'nic0', 2);
    const own = await host.ownership();
    expect(own.devices.filter((d) => d.parent === 'netctl').map((d) => [d.id, d.owner])).toEqual([['nic0', 2]]);

    await page.selectOption('form[data-form="remove-cpu"] select[name="id"]', '1');
    await page.click('form[data-form="remove-cpu"] button[type="submit"]');
    const answer = page.locator('.transcript li[data-command="remove 1 cpu"].err .explain').first();
    await answer.waitFor({ timeout: LONG });
    expect(await answer.textContent()).toBe(
      'Partition 1 (cos) is running: it has one vCPU, and a partition always keeps one.',
    );
    expect((await host.ownership()).partitions.find((p) => p.id === 1)?.state).toBe('running');
    expect(errors).toEqual([]);
  }, 120_000);
});
