/**
 * End-to-end test of what a newcomer meets in the window (issue 15), in the web mode in headless
 * Chromium (/usr/bin/chromium, playwright-core), against the real host and server on a copy of the
 * demo disk with the store in a temporary folder: the top bar names the running machine and each
 * guest's engine; Settings and the place (console tab, grid, open editor files) survive a reload;
 * F1 shows the shortcuts; the grid shows every console's latest lines; New file; the Control panel
 * disables what a state does not allow, explains ctl's refusals and asks before Destroy; a
 * destroyed partition leaves the bridge; the log has dates. Every wait is on a condition. Each view
 * is photographed at 1280x720 and 1920x1080 into test-results/screenshots (never the repository).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, LONG, SHOTS, showView } from './appPage.js';
import { startApp, stopApp, type App, type Host } from './harness.js';

/** The rows a guest's terminal shows now (xterm's DOM rows), trailing blanks trimmed. */
function shownRows(page: Page, guest: string): Promise<string[]> {
  return page.evaluate((name) => {
    const rows = document.querySelector(`section.term[data-name="${name}"] .xterm-rows`);
    return Array.from(rows?.children ?? [], (r) => (r.textContent ?? '').replace(/\u00a0/g, ' ').trimEnd());
  }, guest);
}

async function waitForRows(page: Page, guest: string, text: string): Promise<void> {
  await page.waitForFunction(
    ([name, t]) => {
      const rows = document.querySelector(`section.term[data-name="${name}"] .xterm-rows`);
      return Array.from(rows?.children ?? [], (r) => r.textContent ?? '')
        .join('\n')
        .replace(/\u00a0/g, ' ')
        .includes(t);
    },
    [guest, text] as const,
    { timeout: LONG, polling: 100 },
  );
}

describe.skipIf(!existsSync(CHROMIUM))('the workstation as a newcomer meets it (web mode)', () => {
  let app: App | undefined;
  let host: Host;
  let page: Page;
  let errors: string[];

  async function shots(name: string): Promise<void> {
    await page.mouse.move(0, 0);
    for (const [w, h] of [
      [1280, 720],
      [1920, 1080],
    ] as const) {
      await page.setViewportSize({ width: w, height: h });
      await page.evaluate(() => document.querySelectorAll('.toast').forEach((t) => t.remove()));
      await page.screenshot({ path: path.join(SHOTS, `workstation-${name}-${w}.png`) });
    }
    await page.setViewportSize({ width: 1280, height: 720 });
  }

  beforeAll(async () => {
    app = await startApp({ prefix: 'hyperdesk-ws-', bootDemo: true });
    ({ host, page, errors } = app);
    await page.locator('.badge.state[data-state="running"]').waitFor({ timeout: LONG });
  }, 180_000);

  afterAll(() => stopApp(app));

  it('names the running machine, and the engine of the guest switched to the translator', async () => {
    await page.locator('.badge.machine-name', { hasText: /^demo$/ }).waitFor({ timeout: LONG });
    expect(await page.locator('.badge.engine').textContent()).toMatch(/^interp · 2 pCPU/);
    await page.click('.tabs .tab:has-text("cos")');
    await page.selectOption('section.term[data-name="cos"] select.term-engine', 'jit');
    await page.locator('.badge.engine', { hasText: 'jit: cos · interp: ctl, swos' }).waitFor({ timeout: LONG });
  }, 90_000);

  it('the grid shows the latest lines of consoles that wrote while hidden', async () => {
    await page.click('.tabs .tab:has-text("ctl")');
    // cos writes far more than a grid cell holds while its tab is not shown.
    for (let i = 0; i < 3; i++) await host.consoleInput(1, 'help\r');
    await host.consoleInput(1, 'echo LATEST-LINE\r');
    const deadline = Date.now() + LONG;
    while (!(await host.consoleHistory(1)).data.includes('LATEST-LINE\r\ncos> ')) {
      if (Date.now() > deadline) throw new Error('cos never echoed');
      await new Promise((r) => setTimeout(r, 100));
    }
    await page.click('section.view.consoles .toolbar button:has-text("Grid")');
    await page.locator('.term-area.grid').waitFor();
    await waitForRows(page, 'cos', 'LATEST-LINE');
    const rows = (await shownRows(page, 'cos')).filter(Boolean);
    expect(rows[rows.length - 1]).toBe('cos>');
    await shots('consoles-grid');
    // Back to tabs: cos's tab shows its latest lines too.
    await page.click('section.view.consoles .toolbar button:has-text("Grid")');
    await page.click('.tabs .tab:has-text("cos")');
    await waitForRows(page, 'cos', 'LATEST-LINE');
    const tabRows = (await shownRows(page, 'cos')).filter(Boolean);
    expect(tabRows[tabRows.length - 1]).toBe('cos>');
  }, 120_000);

  it('Settings, the console tab, grid and open files are kept across a reload; F1 shows the shortcuts', async () => {
    await page.keyboard.press('F1');
    await page.locator('dialog.panel[open]', { hasText: 'Keyboard shortcuts' }).waitFor();
    expect(await page.locator('dialog.panel[open]').textContent()).toContain('Ctrl+Shift+B');
    await page.keyboard.press('Escape');
    await page.locator('dialog.panel[open]').waitFor({ state: 'detached' });

    await page.click('button[data-action="settings"]');
    const settings = page.locator('dialog.panel[open] form.settings');
    await settings.waitFor();
    await settings.locator('input[name="fontSize"]').fill('16');
    await settings.locator('input[name="fontSize"]').dispatchEvent('change');
    await settings.locator('select[name="layout"]').selectOption('grid');
    await settings.locator('select[name="consoleTheme"]').selectOption('amber');
    await page.locator('.term-area.grid').waitFor();
    expect(await page.locator('section.term[data-name="cos"]').getAttribute('data-theme')).toBe('amber');
    await shots('settings');
    await page.keyboard.press('Escape');
    await settings.waitFor({ state: 'detached' });

    // The editor: a new file, opened; then the reload.
    await showView(page, 'editor');
    await page.selectOption('section.view.editor select', { label: 'cos' });
    await page.click('button[data-action="new-file"]');
    await page.fill('form.new-file input', 'notes.txt');
    await page.click('form.new-file button[type="submit"]');
    await page.locator('section.view.editor[data-file="notes.txt"]').waitFor({ timeout: LONG });
    expect(await host.readFile(1, 'notes.txt')).toBe('');
    await shots('editor-new-file');

    await page.reload();
    await page.locator('.badge.state[data-state="running"]').waitFor({ timeout: LONG });
    await page.locator('.term-area.grid').waitFor({ timeout: LONG });
    await showView(page, 'editor');
    await page.locator('section.view.editor[data-file="notes.txt"]').waitFor({ timeout: LONG });
    await page.click('button[data-action="settings"]');
    expect(await page.locator('dialog.panel[open] input[name="fontSize"]').inputValue()).toBe('16');
    await page.keyboard.press('Escape');
    // Back to tabs for what follows (through the same setting).
    await showView(page, 'consoles');
    await page.keyboard.press('Control+Shift+G');
    await page.locator('.term-area:not(.grid)').waitFor();
  }, 150_000);

  it('Control: buttons follow the state, refusals are explained, Destroy asks, the port leaves the bridge', async () => {
    await showView(page, 'control');
    const row = (id: number) => page.locator(`tr[data-partition="${id}"]`);
    await row(2).waitFor({ timeout: LONG });
    expect(await row(2).locator('button[data-action="start"]').isDisabled()).toBe(true);
    expect(await row(2).locator('button[data-action="stop"]').isEnabled()).toBe(true);
    expect(await page.locator('.cpu-run').first().textContent()).not.toBe('idle');
    // Only devices that can be moved are offered.
    const devices = await page.locator('form[data-form="move"] select[name="device"] option').allTextContents();
    expect(devices.some((d) => /^uart0 /.test(d) || /^sysbus/.test(d))).toBe(false);
    expect(await page.locator('form[data-form="assign"] h3').textContent()).toBe('Add a vCPU');

    await row(2).locator('button[data-action="stop"]').click();
    await row(2).locator('.state[data-state="stopped"]').waitFor({ timeout: LONG });
    expect(await row(2).locator('button[data-action="stop"]').isDisabled()).toBe(true);
    // ctl refuses a second stop: the panel says which partition and why.
    await page.fill('input.command-input', 'stop 2');
    await page.press('input.command-input', 'Enter');
    const answer = page.locator('.transcript li[data-command="stop 2"].err .explain').first();
    await answer.waitFor({ timeout: LONG });
    expect(await answer.textContent()).toBe('Partition 2 (swos) is stopped: only a running partition can be stopped.');
    await shots('control');

    // Destroy asks; dismissed, nothing happens; accepted, the partition and its bridge port go.
    page.once('dialog', (d) => void d.dismiss());
    await row(2).locator('button[data-action="destroy"]').click();
    expect(await row(2).count()).toBe(1);
    page.once('dialog', (d) => void d.accept());
    await row(2).locator('button[data-action="destroy"]').click();
    await row(2).waitFor({ state: 'detached', timeout: LONG });
    expect((await host.network()).ports.map((p) => p.port)).toEqual([1, 3]); // cos and cos2
    await showView(page, 'network');
    await page.locator('.port[data-port="1"]').waitFor({ timeout: LONG });
    expect(await page.locator('.port').count()).toBe(2);
    await shots('network');
  }, 150_000);

  it('the log shows dates; Performance and Compare say which clock', async () => {
    await showView(page, 'log');
    await page.locator('table.log td.time').first().waitFor({ timeout: LONG });
    expect(await page.locator('table.log td.time').first().textContent()).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    await shots('log');
    await showView(page, 'perf');
    expect(await page.locator('article.chart[data-figure="mips"] h2').textContent()).toContain('wall-clock second');
    await shots('perf');
    await showView(page, 'compare');
    await page.locator('p.workload-note', { hasText: /^(burner|primes|uneven): \w/ }).waitFor({ timeout: LONG });
    await shots('compare');
  }, 90_000);

  it('off: the Control panel says why its forms are disabled, and asks nothing of the host', async () => {
    await host.powerOff();
    await showView(page, 'control');
    await page.locator('section.view.control[data-unavailable="true"]').waitFor({ timeout: LONG });
    expect(await page.locator('section.view.control p.note').first().textContent()).toMatch(/machine is off/);
    expect(await page.locator('form[data-form="create"] button[type="submit"]').isDisabled()).toBe(true);
    await shots('control-off');
    expect(errors).toEqual([]);
  }, 60_000);
});
