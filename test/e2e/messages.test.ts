/**
 * The message sequence of the Network view (M19, docs/app.md#network), end to end in headless
 * Chromium against the real host on a copy of the demo disk: the lab of docs/guide.md#lab-m19-
 * messages-and-shared-pages typed into the consoles (ctl's msg, echosrv in cos2, echocli in cos, a
 * call to a partition that does not exist), then the Messages card draws each as a row: who to whom,
 * sync or async, the call's reply time, and the refusal with the hypervisor's reason.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, LONG, SHOTS, showView } from './appPage.js';
import { startApp, stopApp, type App, type Host } from './harness.js';

describe.skipIf(!existsSync(CHROMIUM))('the Messages card draws the messages between partitions', () => {
  let app: App | undefined;
  let host: Host;
  let page: Page;

  /** Types a line at a guest's console and waits until its output shows `until`. */
  async function type(guest: number, line: string, until: string): Promise<void> {
    const before = (await host.consoleHistory(guest)).data.length;
    await host.consoleInput(guest, `${line}\r`);
    const deadline = Date.now() + LONG;
    while (!(await host.consoleHistory(guest)).data.slice(before).includes(until)) {
      if (Date.now() > deadline) throw new Error(`guest ${guest} never showed '${until}' after '${line}'`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  beforeAll(async () => {
    app = await startApp({ prefix: 'hyperdesk-msg-', bootDemo: true });
    ({ host, page } = app);
    await page.locator('.badge.state[data-state="running"]').waitFor({ timeout: LONG });
    // The demo's two cos (1 and 3) and ctl at their prompts.
    for (const id of [1, 3]) await type(id, '', 'cos> ');
    await type(0, '', 'ctl> ');
  }, 180_000);

  afterAll(() => stopApp(app));

  it('shows a send, calls with their replies and reply times, and a refusal with its reason', async () => {
    await type(0, 'msg 1 hello cos', 'sent 9 bytes to 1 (cos)');
    await type(1, 'mail', '9 bytes: hello cos');
    await type(3, 'echosrv &', 'Ctrl-C ends it');
    await type(1, 'echocli 3 2 hi there', 'round trip average');
    await type(1, 'echocli 9', 'refused: ENOENT');

    await showView(page, 'network');
    const card = page.locator('article.messages');
    const what = (sel: string) => card.locator(`.msg-what${sel}`);
    await what('[data-refused="true"]').first().waitFor({ timeout: LONG });
    // One lifeline per partition, and one for the missing partition 9.
    expect(await card.locator('.msg-lane-head').allTextContents()).toEqual([
      '0 ctl',
      '1 cos',
      '2 swos',
      '3 cos2',
      '9 (none)',
    ]);
    expect(await what('[data-op="send"][data-from="0"][data-to="1"]').first().textContent()).toBe(
      'ctl → cos: send (async) "hello cos", 9 bytes',
    );
    const calls = await what('[data-op="call"][data-from="1"][data-to="3"]:not([data-refused])').allTextContents();
    expect(calls).toHaveLength(2);
    for (const c of calls) expect(c).toMatch(/^cos → cos2: call \(sync\) "hi there", 8 bytes: reply in \d+\.\d µs$/);
    expect(await what('[data-op="reply"][data-from="3"][data-to="1"]').allTextContents()).toEqual([
      'cos2 → cos: reply "hi there", 8 bytes',
      'cos2 → cos: reply "hi there", 8 bytes',
    ]);
    expect(await what('[data-refused="true"]').allTextContents()).toEqual([
      'cos → partition 9: call (sync) refused: ENOENT: no partition 9',
    ]);
    // The arrows: a call solid and rightward (cos to cos2), its reply dashed and leftward, the
    // refusal red; each row's time is machine time, rising.
    const arrows = await card.locator('.msg-arrow').evaluateAll((els) => els.map((e) => e.className));
    expect(arrows).toContain('msg-arrow call right');
    expect(arrows).toContain('msg-arrow reply left');
    expect(arrows).toContain('msg-arrow call refused right');
    const times = (await card.locator('.msg-time:not(.msg-head)').allTextContents()).map((t) => parseFloat(t));
    expect(times.length).toBe(6);
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    // The host's answer and the drawing agree.
    const v = await host.messages();
    expect(v.rows.filter((r) => r.op === 'call' && r.replySeconds !== undefined)).toHaveLength(2);
    await card.scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(SHOTS, 'network-messages.png'), fullPage: true });
    expect(app!.errors).toEqual([]);
  }, 180_000);
});
