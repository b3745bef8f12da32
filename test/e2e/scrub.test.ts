/**
 * End-to-end test of the scrubber (docs/recording.md#the-scrubber) in the web mode, as the other
 * e2e tests run the app (the real host and server, the built renderer in headless Chromium, the demo
 * machine on a copy of its disk): record a short session from the Snapshots view (cos answers `help`,
 * then later an unknown command), open the recording (a replay in place of the machine), drag the
 * scrubber's handle to a moment before the later command and see cos's console without it, then
 * move with the keyboard to the end and see it again, with the Debug view's registers changed.
 * Screenshots at 1280x720 and 1920x1080 go to test-results/screenshots.
 */
import { existsSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, cosReady, LONG, openConsole, shots, showView, termText, waitForTerm } from './appPage.js';
import { startApp, stopApp, type App, type Host } from './harness.js';

async function typeInCos(page: Page, line: string): Promise<void> {
  await openConsole(page, 'cos');
  await page.locator('section.term[data-name="cos"] .term-body').click();
  await page.keyboard.type(line, { delay: 20 });
  await page.keyboard.press('Enter');
}

/** The Debug view's general registers as text, `name=value` each. */
function registers(page: Page): Promise<string> {
  return page.evaluate(() => Array.from(document.querySelectorAll('.regs .reg'), (r) => r.textContent ?? '').join(' '));
}

describe.skipIf(!existsSync(CHROMIUM))('the scrubber in Chromium (web mode)', () => {
  let app: App | undefined;
  let host: Host;
  let page: Page;
  let errors: string[];
  let dialogs: string[];

  beforeAll(async () => {
    app = await startApp({ prefix: 'hyperdesk-e2e-scrub-', bootDemo: true, acceptDialogs: true });
    ({ host, page, errors, dialogs } = app);
  }, 180_000);

  afterAll(() => stopApp(app));

  it('records a session, opens it, drags back to before a command and sees the consoles then', async () => {
    await cosReady(page);
    await showView(page, 'snapshots');
    await page.fill('.rec-card input.snap-name', 'scrubbed');
    await page.click('[data-action="record"]');
    await page.locator('[data-action="record"]', { hasText: 'Stop recording' }).waitFor({ timeout: LONG });
    await typeInCos(page, 'help');
    await waitForTerm(page, 'cos', /help[\s\S]*cos>\s*$/);
    const t0 = (await host.status()).seconds;
    while ((await host.status()).seconds < t0 + 0.5) await page.waitForTimeout(100);
    await typeInCos(page, 'xyzzy');
    await waitForTerm(page, 'cos', /unknown command 'xyzzy'[\s\S]*cos>\s*$/);
    await showView(page, 'snapshots');
    await page.click('[data-action="record"]');
    await page.locator('tr[data-recording="scrubbed"]').waitFor({ timeout: LONG });

    // Open: the page asks first (the replay takes the running machine's place).
    await page.click('tr[data-recording="scrubbed"] [data-action="open-recording"]');
    await page.locator('.replay-bar').waitFor({ state: 'visible', timeout: LONG });
    await page.locator('body[data-replay="verified"]').waitFor({ timeout: 5 * LONG });
    expect(dialogs.some((d) => /in place of the running machine/.test(d))).toBe(true);
    await page.locator('.badge.state[data-state="replay"]').waitFor();
    const r = (await host.status()).replay!;
    expect(r.verified).toBe(true);
    // The keys of the later command: the first key after the pause.
    const keys = r.inputs.filter((i) => /keys to guest/.test(i.what));
    const later = keys.find((k, i) => i > 0 && k.seconds - keys[i - 1]!.seconds > 0.3)!;
    expect(later.seconds).toBeGreaterThan(r.startSeconds);
    expect(await page.locator('.replay-marks .replay-cp').count()).toBe(r.checkpoints.length);
    expect(await page.locator('.replay-marks .replay-in').count()).toBe(r.inputs.length);
    // At the end of the replay, cos's console has the later command.
    await openConsole(page, 'cos');
    await waitForTerm(page, 'cos', /unknown command 'xyzzy'/);

    // The registers at the end, for the comparison below.
    await showView(page, 'debug');
    const cos = (await host.status()).guests.find((g) => g.name === 'cos')!.id;
    await page.selectOption('select[aria-label="Guest to debug"]', String(cos));
    await page.locator('.debug-state', { hasText: 'replay' }).waitFor({ timeout: LONG });
    await page.locator('.regs .reg[data-reg="pc"]').waitFor({ timeout: LONG });
    const atEnd = await registers(page);

    // Drag the handle from the end to a moment before the later command was typed.
    await openConsole(page, 'cos');
    const box = (await page.locator('.replay-track').boundingBox())!;
    const target = later.seconds - 0.05;
    const x = box.x + ((target - r.startSeconds) / (r.endSeconds - r.startSeconds)) * box.width;
    await page.mouse.move(box.x + box.width - 1, box.y + box.height / 2);
    await page.mouse.down();
    for (let i = 1; i <= 8; i++)
      await page.mouse.move(box.x + box.width - 1 - ((box.x + box.width - 1 - x) * i) / 8, box.y + box.height / 2);
    await page.mouse.up();
    const t = Date.now();
    while (Math.abs((await host.status()).seconds - target) > 0.01) {
      if (Date.now() - t > LONG) throw new Error(`the replay never reached ${target} s`);
      await page.waitForTimeout(100);
    }
    await waitForTerm(page, 'cos', /help[\s\S]*cos>\s*$/);
    const early = await termText(page, 'cos');
    expect(early).not.toContain('xyzzy');
    expect(await page.locator('.replay-at').textContent()).toMatch(/t = \d+\.\d{3} s/);
    await shots(page, 'scrub-consoles');

    // The Debug view shows the registers of that moment; End (keyboard) goes back to the last one,
    // and the registers that differ are highlighted.
    await showView(page, 'debug');
    await page.locator('.regs .reg[data-reg="pc"]').waitFor({ timeout: LONG });
    let atEarly = '';
    const t1 = Date.now();
    while ((atEarly = await registers(page)) === atEnd) {
      if (Date.now() - t1 > LONG) throw new Error('the registers did not change after the seek');
      await page.waitForTimeout(100);
    }
    await shots(page, 'scrub-debug');
    await page.locator('.replay-track').focus();
    await page.keyboard.press('End');
    const t2 = Date.now();
    while ((await registers(page)) === atEarly) {
      if (Date.now() - t2 > LONG) throw new Error('the registers did not change after End');
      await page.waitForTimeout(100);
    }
    expect(await page.locator('.regs .reg.changed').count()).toBeGreaterThan(0);

    // The Debug view's own moves in a replay (docs/recording.md#step-over-and-out): Reverse step goes
    // one instruction back (the replay's time goes back, the pc changes), Step goes forward again,
    // Reverse over goes back again; End returns to the recording's end.
    const pcNow = () => page.locator('.regs .reg[data-reg="pc"]').textContent();
    const moved = async (from: number, back: boolean): Promise<number> => {
      const t0 = Date.now();
      for (;;) {
        const sec = (await host.status()).seconds;
        if (back ? sec < from : sec > from) return sec;
        if (Date.now() - t0 > LONG)
          throw new Error(`the replay did not move ${back ? 'back' : 'forward'} from ${from} s`);
        await page.waitForTimeout(100);
      }
    };
    const endPc = await pcNow();
    const endSec = (await host.status()).seconds;
    await page.click('[data-action="reverse-step"]');
    const backSec = await moved(endSec, true);
    await page.locator('.regs .reg[data-reg="pc"]', { hasNotText: endPc ?? '' }).waitFor({ timeout: LONG });
    await page.click('[data-action="step"]');
    const fwdSec = await moved(backSec, false);
    await page.click('[data-action="reverse-over"]');
    await moved(fwdSec, true);
    await page.locator('.replay-track').focus();
    await page.keyboard.press('End');
    await page.locator('.regs .reg[data-reg="pc"]', { hasText: endPc ?? '' }).waitFor({ timeout: LONG });

    await openConsole(page, 'cos');
    await waitForTerm(page, 'cos', /unknown command 'xyzzy'/);
    await showView(page, 'snapshots');
    await shots(page, 'scrub-recordings');

    // Leave replay: the machine that ran before the replay comes back from the snapshot the page
    // took when it opened the replay, cos's console with it, and cos answers.
    const before = (await host.snapshotList()).filter((s) => s.name.startsWith('pre-replay-'));
    expect(before).toHaveLength(1);
    await page.click('[data-action="leave-replay"]');
    await page.locator('.replay-bar').waitFor({ state: 'hidden', timeout: LONG });
    await page.locator('.toast.ok', { hasText: 'back as it was' }).waitFor({ timeout: LONG });
    await page.locator('.badge.state[data-state="running"]').waitFor({ timeout: LONG });
    expect((await host.snapshotList()).find((s) => s.current)?.name).toBe(before[0]!.name);
    await openConsole(page, 'cos');
    await waitForTerm(page, 'cos', /unknown command 'xyzzy'/);
    await typeInCos(page, 'uptime');
    await waitForTerm(page, 'cos', /cos> uptime\s+up [\d.]+ s[^]*cos>\s*$/);
    expect(errors).toEqual([]);
  }, 600_000);
});
