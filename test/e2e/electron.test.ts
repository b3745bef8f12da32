/**
 * End-to-end test of the Electron shell with Playwright's Electron support: the window opens, the
 * preload exposes exactly the host API (one named method per call plus onEvent, no ipcRenderer),
 * its argument checks refuse a bad call before IPC, and the demo machine boots.
 *
 * It needs the Electron binary and a display. Where either is missing (this project's CI machines
 * cannot download Electron) it is skipped, and the reason is printed.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { _electron as electron } from 'playwright-core';
import { describe, expect, it } from 'vitest';
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
  it('opens a window whose preload exposes exactly the host API, and boots the demo', async () => {
    if (!('exe' in found)) return;
    await runElectronViteBuild();
    const app = await electron.launch({
      executablePath: found.exe,
      args: [PROJECT_ROOT],
      env: { ...process.env, HYPERDESK_DATA: path.join(PROJECT_ROOT, 'test-results', 'electron-data') },
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
        () => window.hyperdesk!.status().then((s) => s.state === 'running' && s.guests.length >= 3),
        undefined,
        { timeout: 60_000, polling: 500 },
      );
    } finally {
      await app.close();
    }
  }, 180_000);
});
