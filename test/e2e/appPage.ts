/**
 * What the web-mode e2e tests share (web, workstation, snapshots, debug .test.ts): Chromium's place
 * and flags, where screenshots go, and driving the page (views, consoles, screenshots). harness.ts
 * starts the app.
 */
import path from 'node:path';
import type { Page } from 'playwright-core';
import { PROJECT_ROOT } from '../../src/main/web/build.js';

export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
export const SHOTS = path.join(PROJECT_ROOT, 'test-results', 'screenshots');
/** Generous: the machine boots and guests answer on a shared, loaded CI machine. */
export const LONG = 60_000;

/** The visible rows of a guest's terminal, one line per row. */
export function termText(page: Page, guest: string): Promise<string> {
  return page.evaluate((name) => {
    const rows = document.querySelector(`section.term[data-name="${name}"] .xterm-rows`);
    if (!rows) return '';
    return Array.from(rows.children, (r) => (r.textContent ?? '').replace(/\u00a0/g, ' ').trimEnd()).join('\n');
  }, guest);
}

export async function waitForTerm(page: Page, guest: string, re: RegExp): Promise<string> {
  const t0 = Date.now();
  for (;;) {
    const text = await termText(page, guest);
    if (re.test(text)) return text;
    if (Date.now() - t0 > LONG) throw new Error(`${guest}'s console never matched ${re}; it shows:\n${text}`);
    await page.waitForTimeout(100);
  }
}

export async function showView(page: Page, id: string): Promise<void> {
  await page.click(`nav .nav-item[data-view="${id}"]`);
  await page.locator(`section.view[data-view="${id}"]`).waitFor({ state: 'visible' });
}

export async function openConsole(page: Page, guest: string): Promise<void> {
  await showView(page, 'consoles');
  await page.locator('.tabs .tab', { hasText: new RegExp(`^${guest}$`) }).click();
  await page.locator(`section.term[data-name="${guest}"]`).waitFor({ state: 'visible' });
}

/** Waits for the machine to run and cos's shell to prompt, with cos's console open. */
export async function cosReady(page: Page): Promise<void> {
  await page.locator('.badge.state[data-state="running"]').waitFor({ timeout: LONG });
  await openConsole(page, 'cos');
  await waitForTerm(page, 'cos', /cos>\s*$/);
}

/** Screenshots `NAME-1280x720.png` and `NAME-1920x1080.png` (no pointer, no toasts), then back to 1280x720. */
export async function shots(page: Page, name: string): Promise<void> {
  for (const [w, h] of [
    [1280, 720],
    [1920, 1080],
  ] as const) {
    await page.setViewportSize({ width: w, height: h });
    await page.mouse.move(0, 0);
    await page.evaluate(() => document.querySelectorAll('.toast').forEach((t) => t.remove()));
    await page.screenshot({ path: path.join(SHOTS, `${name}-${w}x${h}.png`) });
  }
  await page.setViewportSize({ width: 1280, height: 720 });
}
