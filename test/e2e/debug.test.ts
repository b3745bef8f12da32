/**
 * End-to-end test of the Debug view and the editor's breakpoints (docs/app.md#debug) in the web
 * mode, as web.test.ts runs the app (the real host and server, the built renderer in headless
 * Chromium, the demo machine on a copy of its disk): set a breakpoint on a line of hello.s by
 * clicking the editor's gutter, Assemble & reboot, run the program in cos, see it stop there (the
 * Debug view, the line highlighted in the editor), step (F11: pc and a0 change, highlighted), edit a
 * register, continue (the program prints); then "Debug from start" stops it at its entry. Screenshots
 * at 1280x720 and 1920x1080 go to test-results/screenshots.
 */
import { existsSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, cosReady, LONG, openConsole, shots, showView, waitForTerm } from './appPage.js';
import { startApp, stopApp, type App, type Host } from './harness.js';

/** Types a line into cos's console. */
async function runInCos(page: Page, line: string): Promise<void> {
  await openConsole(page, 'cos');
  await page.locator('section.term[data-name="cos"] .term-body').click();
  await page.keyboard.type(line, { delay: 20 });
  await page.keyboard.press('Enter');
}

/** Clicks the editor's glyph margin beside a line (left of its number), as a person sets a breakpoint. */
async function clickGutter(page: Page, line: number): Promise<void> {
  const box = await page.locator('.monaco-editor .line-numbers', { hasText: new RegExp(`^${line}$`) }).boundingBox();
  if (!box) throw new Error(`line ${line} is not shown`);
  await page.mouse.click(box.x - 12, box.y + box.height / 2);
}

describe.skipIf(!existsSync(CHROMIUM))('the Debug view in Chromium (web mode)', () => {
  let app: App | undefined;
  let host: Host;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    app = await startApp({ prefix: 'hyperdesk-e2e-debug-', bootDemo: true });
    ({ host, page, errors } = app);
  }, 180_000);

  afterAll(() => stopApp(app));

  it('stops at a line breakpoint set in the editor gutter, steps, edits a register, continues', async () => {
    await cosReady(page);

    // hello.s line 6 is `la a0, greeting`, the program's first instruction.
    await showView(page, 'editor');
    await page.locator('button.file[data-file="hello.s"]').click();
    await page.locator('section.view.editor[data-editor-ready="true"][data-file="hello.s"]').waitFor();
    await page.locator('.monaco-editor .line-numbers', { hasText: /^6$/ }).waitFor();
    await clickGutter(page, 6);
    // Not deployed in this session yet: the host cannot place it, and the hollow dot says why.
    await page.locator('.monaco-editor .bp-glyph.unverified').waitFor({ timeout: LONG });
    const [before] = (await host.debugState(1)).breakpoints;
    expect(before).toMatchObject({ file: 'hello.s', line: 6, verified: false });
    expect(before?.message).toMatch(/deploy hello\.s first/);
    await page.getByRole('button', { name: 'Assemble & reboot' }).click();
    await page.locator('.toast.ok', { hasText: 'rebooted' }).waitFor({ timeout: LONG });
    // Deployed: placed on the line's first instruction, a solid dot.
    await page.locator('.monaco-editor .bp-glyph:not(.unverified)').waitFor({ timeout: LONG });
    const [placed] = (await host.debugState(1)).breakpoints;
    expect(placed).toMatchObject({ file: 'hello.s', line: 6, verified: true, resolved: 0x00400000 });
    await openConsole(page, 'cos');
    await waitForTerm(page, 'cos', /cos>\s*$/);
    await runInCos(page, 'run hello');

    await showView(page, 'debug');
    const pill = page.locator('.debug-state[data-state="paused"]');
    await pill.waitFor({ timeout: LONG });
    expect(await pill.textContent()).toMatch(/breakpoint · pc 0x00400000 · hello\.s:6/);
    await page.locator('.dis-line.current[data-address="0x00400000"]').waitFor();
    await page.locator('.bp[data-location^="hello.s:6"] .bp-hits', { hasText: '1 hit' }).waitFor();
    // The other guests keep running: swos answers while cos is stopped.
    await openConsole(page, 'swos');
    await page.locator('section.term[data-name="swos"] .term-body').click();
    await page.keyboard.type('ver', { delay: 20 });
    await page.keyboard.press('Enter');
    await waitForTerm(page, 'swos', /swos\$ ver[\s\S]*swos\$\s*$/);
    // The editor shows where cos stopped.
    await showView(page, 'editor');
    await page.locator('.monaco-editor .debug-current-line').waitFor();

    // F11: one instruction; pc and a0 (r10) change and are highlighted.
    await showView(page, 'debug');
    await page.locator('.reg[data-reg="pc"]', { hasText: '0x00400000' }).waitFor();
    await page.keyboard.press('F11');
    await page.locator('.reg.changed[data-reg="pc"]', { hasText: '0x00400004' }).waitFor({ timeout: LONG });
    await page.locator('.reg.changed[data-reg="r10"]', { hasText: '0x00400000' }).waitFor();
    expect(await pill.textContent()).toMatch(/step · pc 0x00400004/);
    await shots(page, 'debug');

    // A register edited: a1 (r11) = 0x1234, as the host reads it back.
    await page.locator('.reg[data-reg="r11"] .reg-value').click();
    await page.locator('input.reg-edit').fill('0x1234');
    await page.locator('input.reg-edit').press('Enter');
    await page.locator('.reg.changed[data-reg="r11"]', { hasText: '0x00001234' }).waitFor({ timeout: LONG });
    expect((await host.debugRegisters(1, 0)).regs.find((r) => r.abi === 'a1')?.value).toBe(0x1234);

    // Continue (F5): the program runs to its end and prints.
    await page.keyboard.press('F5');
    await page.locator('.debug-state[data-state="running"]').waitFor({ timeout: LONG });
    await openConsole(page, 'cos');
    await waitForTerm(page, 'cos', /Hello from user mode![\s\S]*cos>\s*$/);
    expect(errors).toEqual([]);
  }, 300_000);

  it('Debug from start stops the program at its entry', async () => {
    await showView(page, 'editor');
    // Remove the line breakpoint with a second click: only the entry stop remains.
    await clickGutter(page, 6);
    await page.locator('.monaco-editor .bp-glyph').waitFor({ state: 'detached' });
    await page.locator('[data-action="debug-deploy"]').click();
    // The page goes to the Debug view on cos.
    await page.locator('section.view[data-view="debug"]').waitFor({ state: 'visible', timeout: LONG });
    await openConsole(page, 'cos');
    await waitForTerm(page, 'cos', /cos>\s*$/);
    await runInCos(page, 'run hello');
    await showView(page, 'debug');
    await page.locator('.debug-state[data-state="paused"]', { hasText: 'entry' }).waitFor({ timeout: LONG });
    await page.locator('.dis-line.current[data-address="0x00400000"]').waitFor();
    await page.click('[data-action="continue"]');
    await openConsole(page, 'cos');
    await waitForTerm(page, 'cos', /Hello from user mode![\s\S]*Hello from user mode![\s\S]*cos>\s*$/);
    expect(errors).toEqual([]);
  }, 300_000);
});
