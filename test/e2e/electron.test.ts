/**
 * End-to-end test of the Electron shell with Playwright's Electron support: the window opens, the
 * preload exposes exactly the host API (one named method per call plus onEvent, no ipcRenderer),
 * its argument checks refuse a bad call before IPC, the demo machine boots from its working disk in a
 * temporary $HYPERDESK_DATA, its consoles are in the window, and cos answers.
 *
 * It needs the Electron binary and a display. Where either is missing (this project's CI machines
 * cannot download Electron) it is skipped, and the reason is printed; test/app/builtApp.test.ts runs
 * the same built app under a stand-in electron there. Once it starts, every step must be seen: a
 * window that shows nothing, or a machine that never runs, fails it.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import path from 'node:path';
import { _electron as electron } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOST_METHODS } from '../../src/shared/api.js';
import { PROJECT_ROOT, runElectronViteBuild } from '../../src/main/web/build.js';

/** The Electron executable, or why there is none (never triggers a download). */
function electronExecutable(): { exe: string } | { reason: string } {
  if (process.platform === 'linux' && !process.env['DISPLAY'] && !process.env['WAYLAND_DISPLAY'])
    return { reason: 'no display ($DISPLAY and $WAYLAND_DISPLAY are unset)' };
  let dir: string;
  try {
    dir = path.dirname(createRequire(import.meta.url).resolve('electron/package.json'));
  } catch {
    return { reason: 'the electron package is not installed' };
  }
  const pathFile = path.join(dir, 'path.txt');
  if (!existsSync(pathFile)) return { reason: 'the Electron binary was never downloaded (no electron/path.txt)' };
  const exe = path.join(dir, 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(exe) ? { exe } : { reason: `the Electron binary is missing (${exe})` };
}

const found = electronExecutable();
if ('reason' in found) console.log(`electron e2e skipped: ${found.reason}`);

describe.skipIf('reason' in found)('the Electron app', () => {
  let data: string;
  beforeAll(() => {
    data = mkdtempSync(path.join(tmpdir(), 'hyperdesk-electron-'));
  });
  afterAll(() => rmSync(data, { recursive: true, force: true }));

  it('opens a window whose preload exposes exactly the host API, boots the demo, and cos answers', async () => {
    // Never an empty pass: where this runs, Electron must be there (the skip above says why not).
    if (!('exe' in found)) throw new Error(`no Electron binary: ${found.reason}`);
    await runElectronViteBuild();
    const app = await electron.launch({
      executablePath: found.exe,
      args: [PROJECT_ROOT],
      env: { ...process.env, HYPERDESK_DATA: data },
    });
    try {
      const page = await app.firstWindow();
      expect(await page.title()).toBe('hyperdesk');
      const exposed = await page.evaluate(() => Object.keys(window.hyperdesk ?? {}).sort());
      expect(exposed).toEqual([...HOST_METHODS, 'onEvent'].sort());
      expect(await page.evaluate(() => typeof (window as unknown as { require?: unknown }).require)).toBe('undefined');
      const refused = await page.evaluate(() =>
        (window.hyperdesk!.consoleInput as (...a: unknown[]) => Promise<void>)('x', 1).then(
          () => 'accepted',
          (e: Error) => e.message,
        ),
      );
      expect(refused).toMatch(/guest must be an integer/);
      await page.waitForFunction(
        () => window.hyperdesk!.status().then((s) => s.state === 'running' && s.guests.length >= 4),
        undefined,
        { timeout: 60_000, polling: 500 },
      );
      const status = await page.evaluate(() => window.hyperdesk!.status());
      expect(status.guests.map((g) => g.name)).toEqual(['ctl', 'cos', 'swos', 'cos2']);
      expect(status.config?.disks).toEqual([path.join(data, 'disks', 'hyperdesk.img')]);
      // The window shows the machine: a console per guest, and cos answers what is typed into it.
      await page.locator('section.term[data-name="cos"]').waitFor({ state: 'attached', timeout: 30_000 });
      await page.waitForFunction(
        () => window.hyperdesk!.consoleHistory(1).then((h) => /cos> $/.test(h.data)),
        undefined,
        {
          timeout: 60_000,
          polling: 200,
        },
      );
      await page.evaluate(() => window.hyperdesk!.consoleInput(1, 'run hello\r'));
      await page.waitForFunction(
        () => window.hyperdesk!.consoleHistory(1).then((h) => h.data.includes('Hello from user mode!')),
        undefined,
        { timeout: 60_000, polling: 200 },
      );
      const info = await page.evaluate(() => window.hyperdesk!.info());
      expect(info.mode).toBe('electron');
      expect(info.store.path).toBe(path.join(data, 'hyperdesk.db'));
    } finally {
      await app.close();
    }
  }, 180_000);
});
