/**
 * A console across a page reload (docs/app.md#consoles, src/renderer/consoles/savedConsole.ts): the
 * page saves each terminal with xterm's serialize addon as it goes away and draws it again after the
 * reload, then only the output past it. A cleared console stays cleared, output made while the page
 * was away still comes, and nothing shows twice. Web mode in headless Chromium (harness.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cosReady, LONG, termText, waitForTerm } from './appPage.js';
import { startApp, stopApp, type App } from './harness.js';

let app: App;

beforeAll(async () => {
  app = await startApp({ prefix: 'hd-e2e-reload-', bootDemo: true });
}, 300_000);
afterAll(async () => {
  await stopApp(app);
});

describe('a console across a reload', () => {
  it('shows what it showed, a Clear included, then only the new output', async () => {
    const { page, host } = app;
    await cosReady(page);
    await page.locator('section.term[data-name="cos"] .xterm').click();
    await page.keyboard.type('run hello\r');
    await waitForTerm(page, 'cos', /Hello from user mode!\s*\ncos>\s*$/);
    // Clear: the screen and scrollback go, the prompt line stays.
    await page.click('section.term[data-name="cos"] button[data-action="clear"]');
    await page.waitForFunction(
      () => !document.querySelector('section.term[data-name="cos"] .xterm-rows')?.textContent?.includes('Hello'),
      undefined,
      { timeout: LONG },
    );
    // Output made while the page is away: typed through the host, answered before the page is back.
    await page.reload({ waitUntil: 'domcontentloaded' });
    await host.consoleInput(1, 'mem\r');
    await cosReady(page);
    const shown = await waitForTerm(page, 'cos', /memory: \d+ KiB total.*\n(.*\n)*cos>\s*$/);
    // Cleared before the reload, still cleared: the boot banner and hello are not back.
    expect(shown).not.toMatch(/Hello from user mode/);
    expect(shown.match(/memory: \d+ KiB total/g)).toHaveLength(1);
    expect((await termText(page, 'cos')).trim().startsWith('cos> ')).toBe(true);
    expect(app.errors).toEqual([]);
  }, 300_000);
});
