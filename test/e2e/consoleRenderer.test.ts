/**
 * The console renderer (docs/app.md#settings, src/renderer/consoles/renderer.ts): in headless
 * Chromium with --disable-gpu WebGL2 is SwiftShader (software), so `auto` draws with DOM; Settings'
 * `webgl` loads the WebGL addon (a canvas, no DOM rows), and a lost WebGL context puts the console
 * back on DOM. Web mode in headless Chromium (harness.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cosReady, LONG, waitForTerm } from './appPage.js';
import { startApp, stopApp, type App } from './harness.js';

let app: App;

beforeAll(async () => {
  app = await startApp({ prefix: 'hd-e2e-renderer-', bootDemo: true });
}, 300_000);
afterAll(async () => {
  await stopApp(app);
});

describe('the console renderer', () => {
  it('DOM: a selection is drawn and goes away on typing, with the idle selection redraw skipped', async () => {
    const { page } = app;
    await cosReady(page);
    const cos = page.locator('section.term[data-name="cos"]');
    // selectionRedraw.ts found xterm's render service (else this pins the xterm version it needs).
    expect(await cos.getAttribute('data-selection-redraw')).toBe('skip-idle');
    const box = (await cos.locator('.xterm-screen').boundingBox())!;
    await page.mouse.move(box.x + 5, box.y + 5);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2, box.y + 40, { steps: 5 });
    await page.mouse.up();
    const highlighted = () => cos.locator('.xterm-selection > div').count();
    await expect.poll(highlighted, { timeout: LONG }).toBeGreaterThan(0);
    // Typing clears the selection: that redraw (nothing selected after a selection) still happens.
    await cos.locator('.xterm-helper-textarea').focus();
    await page.keyboard.type('help\n');
    await waitForTerm(page, 'cos', /cos>\s*$/);
    await expect.poll(highlighted, { timeout: LONG }).toBe(0);
  });

  it('auto is DOM on software WebGL; webgl draws on a canvas; a lost context falls back to DOM', async () => {
    const { page } = app;
    await cosReady(page);
    const cos = page.locator('section.term[data-name="cos"]');
    expect(await cos.getAttribute('data-renderer')).toBe('dom');
    expect(await cos.locator('.term-renderer').getAttribute('title')).toMatch(
      /software.*SwiftShader|SwiftShader.*auto/,
    );

    await page.click('button[data-action="settings"]');
    const settings = page.locator('dialog.panel[open] form.settings');
    await settings.locator('select[name="consoleRenderer"]').selectOption('webgl');
    await page.keyboard.press('Escape');
    await page.waitForFunction(
      () => document.querySelector<HTMLElement>('section.term[data-name="cos"]')?.dataset.renderer === 'webgl',
      undefined,
      { timeout: LONG },
    );
    expect(await cos.locator('.term-renderer').textContent()).toBe('webgl');
    expect(await cos.locator('.term-body canvas').count()).toBeGreaterThan(0);
    expect(await cos.locator('.xterm-rows').count()).toBe(0);

    // The context lost (as on a GPU reset): back to DOM, and the guest's output shows there.
    await page.evaluate(() => {
      for (const c of Array.from(
        document.querySelectorAll<HTMLCanvasElement>('section.term[data-name="cos"] .term-body canvas'),
      )) {
        c.getContext('webgl2')?.getExtension('WEBGL_lose_context')?.loseContext();
      }
    });
    await page.waitForFunction(
      () => document.querySelector<HTMLElement>('section.term[data-name="cos"]')?.dataset.renderer === 'dom',
      undefined,
      { timeout: LONG },
    );
    expect(await cos.locator('.term-renderer').getAttribute('title')).toMatch(/context was lost/);
    await cos.locator('.xterm').click();
    await page.keyboard.type('mem\r');
    await waitForTerm(page, 'cos', /memory: \d+ KiB total/);
    expect(app.errors).toEqual([]);
  }, 300_000);
});
