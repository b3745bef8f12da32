/**
 * End-to-end test of the Snapshots view (docs/app.md#snapshots) in the web mode, as web.test.ts runs
 * the app: the real host and server, the built renderer in headless Chromium, the demo machine on a
 * copy of its disk and the store in a temporary folder. Take two snapshots (cos ran `run hello` in
 * between), restore the first (the confirmation; cos's console back as it was), take a third (a
 * branch), see the tree's shape and where the machine is, delete one. Every wait is on a condition.
 * Screenshots at 1280x720 and 1920x1080 go to test-results/screenshots.
 */
import { existsSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, cosReady, LONG, openConsole, shots, showView, waitForTerm } from './appPage.js';
import { startApp, stopApp, type App, type Host } from './harness.js';

/** The tree as nested [name, children] pairs read from the DOM, "you are here" as `*`. */
function treeShape(page: Page): Promise<unknown> {
  return page.evaluate(() => {
    type Shape = [string, Shape[]];
    const walk = (li: Element): Shape => {
      const name = li.classList.contains('here') ? '*' : (li.getAttribute('data-snapshot') ?? '?');
      const kids = li.querySelector(':scope > ul');
      return [name, kids ? Array.from(kids.children, walk) : []];
    };
    const tree = document.querySelector('ul.snap-tree');
    return tree ? Array.from(tree.querySelectorAll(':scope > li.snap-item'), walk) : [];
  });
}

describe.skipIf(!existsSync(CHROMIUM))('the Snapshots view in Chromium (web mode)', () => {
  let app: App | undefined;
  let host: Host;
  let page: Page;
  let errors: string[];
  let dialogs: string[];

  beforeAll(async () => {
    app = await startApp({ prefix: 'hyperdesk-e2e-snap-', bootDemo: true, acceptDialogs: true });
    ({ host, page, errors, dialogs } = app);
  }, 180_000);

  afterAll(() => stopApp(app));

  const take = async (name: string) => {
    await page.fill('input.snap-name', name);
    await page.click('[data-action="take-snapshot"]');
    await page.locator(`.snap-node[data-snapshot="${name}"]`).waitFor({ timeout: LONG });
  };
  const thumb = (name: string, guest: string) =>
    page.locator(`.snap-node[data-snapshot="${name}"] .snap-console[data-guest="${guest}"] pre`).textContent();

  it('takes two snapshots, restores the first, takes a branch, deletes one', async () => {
    await cosReady(page);

    await showView(page, 'snapshots');
    await page.locator('.snap-empty').waitFor();
    // A fresh boot: the running machine is its own root, and a name is offered.
    expect(await treeShape(page)).toEqual([['*', []]]);
    expect(await page.inputValue('input.snap-name')).toBe('snapshot-1');
    // A name the host would refuse is caught before asking it.
    await page.fill('input.snap-name', 'has space');
    await page.click('[data-action="take-snapshot"]');
    await page.locator('.toast.error', { hasText: 'no spaces' }).waitFor();
    await take('first');
    expect(await thumb('first', 'cos')).toMatch(/cos>$/);

    await openConsole(page, 'cos');
    await page.locator('section.term[data-name="cos"] .term-body').click();
    await page.keyboard.type('run hello', { delay: 20 });
    await page.keyboard.press('Enter');
    await waitForTerm(page, 'cos', /Hello from user mode![\s\S]*cos>\s*$/);
    await showView(page, 'snapshots');
    await take('second');
    expect(await thumb('second', 'cos')).toContain('Hello from user mode!');
    expect(await thumb('first', 'cos')).not.toContain('Hello from user mode!');
    expect(await treeShape(page)).toEqual([['first', [['second', [['*', []]]]]]]);

    // Restore the first: it asks, then the machine goes on from there.
    await page.click('.snap-node[data-snapshot="first"]');
    await page.locator('.snap-side', { hasText: 'first' }).waitFor();
    await page.click('[data-action="restore-snapshot"]');
    await page.locator('.snap-node.current[data-snapshot="first"]').waitFor({ timeout: LONG });
    expect(dialogs.at(-1)).toMatch(/Restore snapshot 'first'[\s\S]*replaces the running machine’s state/);
    expect(await treeShape(page)).toEqual([
      [
        'first',
        [
          ['second', []],
          ['*', []],
        ],
      ],
    ]);

    // cos's console is back as it was at 'first', and cos answers from there.
    await openConsole(page, 'cos');
    const back = await waitForTerm(page, 'cos', /restored snapshot 'first'[\s\S]*cos>\s*$/);
    expect(back.slice(back.lastIndexOf("restored snapshot 'first'"))).not.toContain('Hello from user mode!');
    await page.locator('section.term[data-name="cos"] .term-body').click();
    await page.keyboard.type('run hello', { delay: 20 });
    await page.keyboard.press('Enter');
    await waitForTerm(page, 'cos', /restored snapshot 'first'[\s\S]*Hello from user mode![\s\S]*cos>\s*$/);

    // A snapshot now starts a branch off 'first'.
    await showView(page, 'snapshots');
    await take('branch');
    expect(await treeShape(page)).toEqual([
      [
        'first',
        [
          ['second', []],
          ['branch', [['*', []]]],
        ],
      ],
    ]);
    expect(await page.locator('.snap-node.current').getAttribute('data-snapshot')).toBe('branch');
    for (const name of ['first', 'second', 'branch']) {
      const meta = await page.locator(`.snap-node[data-snapshot="${name}"] .snap-meta`).textContent();
      expect(meta).toMatch(/t = \d+(\.\d+)? s|min/);
      expect(meta).toMatch(/\d{4} \d\d:\d\d:\d\d/);
      expect(meta).toMatch(/KiB|MiB/);
    }
    await shots(page, 'snapshots');

    // Delete 'second': it asks, and the tree loses that node only.
    await page.click('.snap-node[data-snapshot="second"]');
    await page.click('[data-action="delete-snapshot"]');
    await page.locator('.snap-node[data-snapshot="second"]').waitFor({ state: 'detached', timeout: LONG });
    expect(dialogs.at(-1)).toMatch(/Delete snapshot 'second'/);
    expect(await treeShape(page)).toEqual([['first', [['branch', [['*', []]]]]]]);
    expect((await host.snapshotList()).map((s) => s.name)).toEqual(['first', 'branch']);
    expect(errors).toEqual([]);
  }, 300_000);
});
