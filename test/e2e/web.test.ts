/**
 * End-to-end test of the workstation in the web mode: the real host and server (in-process, any free
 * port) and the built renderer in headless Chromium (/usr/bin/chromium, driven by playwright-core).
 * Builds the renderer first if out/renderer is missing. One browser for the file; the steps run in
 * order on one page, as a person would use the app: boot the demo, type into a console, edit a
 * program, see a diagnostic, fix it, assemble and reboot one guest while the other keeps its
 * console, create a partition from the panel, save a capture. Every wait is on a condition (a
 * generous timeout, for a loaded 2-core machine), never a fixed sleep. Each view is photographed
 * into docs/screenshots/ for the README.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { request } from 'node:http';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDisks } from '../../src/main/host/disks.js';
import { OPCODES } from '../../src/shared/isa/index.js';
import { ensureRendererBuilt, PROJECT_ROOT } from '../../src/main/web/build.js';
import { startWebServer, type WebServer } from '../../src/main/web/server.js';
import { CHROMIUM, LONG, openConsole, SHOTS as APP_SHOTS, showView, termText } from './appPage.js';
import { copyDemoDisk, startApp, stopApp, type App, type Host } from './harness.js';

/**
 * Screenshots of every view go to test-results/screenshots; with HYPERDESK_SCREENSHOTS=docs they
 * replace the README's in docs/screenshots (so a plain test run leaves the work tree clean).
 */
const SHOTS =
  process.env['HYPERDESK_SCREENSHOTS'] === 'docs' ? path.join(PROJECT_ROOT, 'docs', 'screenshots') : APP_SHOTS;

/** A raw request, so that the Host header can be set (fetch forbids it). */
function post(url: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Waits until the guest's terminal shows `text` (xterm paints on animation frames: poll). */
async function waitForTerm(page: Page, guest: string, text: string, timeout = LONG): Promise<void> {
  try {
    await page.waitForFunction(
      ([name, t]) => {
        const rows = document.querySelector(`section.term[data-name="${name}"] .xterm-rows`);
        if (!rows) return false;
        const all = Array.from(rows.children, (r) => (r.textContent ?? '').replace(/\u00a0/g, ' ')).join('\n');
        return all.includes(t);
      },
      [guest, text] as const,
      { timeout, polling: 100 },
    );
  } catch (e) {
    throw new Error(
      `${guest}'s console never showed ${JSON.stringify(text)}; it shows:\n${await termText(page, guest)}`,
      {
        cause: e,
      },
    );
  }
}

/** Types a line into a guest's console through the terminal (keyboard focus in xterm). */
async function typeLine(page: Page, guest: string, line: string): Promise<void> {
  await openConsole(page, guest);
  await page.locator(`section.term[data-name="${guest}"] .term-body`).click();
  await page.keyboard.type(line, { delay: 20 });
  await page.keyboard.press('Enter');
}

async function shot(page: Page, name: string): Promise<void> {
  await page.mouse.move(0, 0);
  // Toasts fade by themselves; a picture for the README should not wait for them.
  await page.evaluate(() => document.querySelectorAll('.toast').forEach((t) => t.remove()));
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`) });
}

describe.skipIf(!existsSync(CHROMIUM))('the workstation in Chromium (web mode)', () => {
  let app: App | undefined;
  let server: WebServer;
  let host: Host;
  let context: BrowserContext;
  let profile: string;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    app = await startApp({
      prefix: 'hyperdesk-e2e-',
      viewport: { width: 1280, height: 800 },
      acceptDownloads: true,
      shots: SHOTS,
    });
    ({ server, host, context, profile, page, errors } = app);
  }, 180_000);

  // The reconnect test below starts the server again: stop the one running then.
  afterAll(() => (app ? stopApp({ ...app, server }) : undefined));

  it('shows the app and what the host reports', async () => {
    await page.locator('footer.foot', { hasText: `ISA ${OPCODES.length} opcodes` }).waitFor({ timeout: 20_000 });
    expect(await page.title()).toBe('hyperdesk');
    expect(await page.locator('footer.foot').textContent()).toContain('web mode');
    expect(await page.locator('nav .nav-item').count()).toBe(11);
  });

  it('follows the demo machine booting: the top bar, and a console per guest', async () => {
    // On a copy of the demo disk: Assemble & reboot below writes into the image, and the
    // repository's disks/hyperdesk.img must stay as built. (The top bar's Boot is used at the end.)
    const disk = await copyDemoDisk(profile);
    const booted = await host.boot({ mode: 'hypervisor', disks: [disk] });
    expect(booted.error).toBeUndefined();
    await page.locator('.badge.state[data-state="running"]').waitFor({ timeout: LONG });
    expect(await page.locator('header .machine').textContent()).toContain('hypervisor');
    for (const g of ['ctl', 'cos', 'swos'])
      await page.locator(`.tabs .tab`, { hasText: g }).first().waitFor({ timeout: LONG });
    await openConsole(page, 'cos');
    await waitForTerm(page, 'cos', 'cos> ');
  }, 120_000);

  it("types into cos's console and reads the reply", async () => {
    await typeLine(page, 'cos', 'help');
    await waitForTerm(page, 'cos', 'uptime');
    await typeLine(page, 'cos', 'run hello');
    await waitForTerm(page, 'cos', 'Hello from user mode!');
    // swos gets a command too: its reply must still be there after cos reboots.
    await typeLine(page, 'swos', 'ver');
    await waitForTerm(page, 'swos', 'swos$ ver');
    // The tiled grid shows every guest's console at once.
    await page.click('section.view.consoles button[aria-pressed="false"]');
    await page.locator('.term-area.grid').waitFor();
    await waitForTerm(page, 'ctl', 'ctl> ');
    await waitForTerm(page, 'swos', 'swos$ ver');
    await shot(page, 'consoles');
    await page.click('section.view.consoles button[aria-pressed="true"]');
    await page.locator('.term-area:not(.grid)').waitFor();
  }, 120_000);

  let swosBefore = '';

  it('edits hello.s in Monaco: a diagnostic while typing, then Assemble & reboot only cos', async () => {
    await openConsole(page, 'swos');
    await waitForTerm(page, 'swos', 'swos$ ver');
    swosBefore = await termText(page, 'swos');

    await showView(page, 'editor');
    await page.selectOption('section.view.editor select', { label: 'cos' });
    const file = page.locator('button.file[data-file="hello.s"]');
    await file.waitFor({ timeout: LONG });
    await file.click();
    await page.locator('.monaco-editor .view-lines').waitFor({ timeout: LONG });
    await page.waitForFunction(() => document.querySelector('.view-lines')?.textContent?.includes('_start'), null, {
      timeout: LONG,
    });
    // The language from the ISA table: a register's hover says what it is.
    await page.locator('.monaco-editor .view-lines span', { hasText: /^a0$/ }).first().hover();
    await page.locator('.monaco-hover', { hasText: 'argument / return value' }).waitFor({ timeout: LONG });
    await page.mouse.move(0, 0);
    const original = await host.readFile(1, 'hello.s');
    expect(original).toContain('Hello from user mode!');

    // An error: an instruction that does not exist, typed at the end of the program.
    await page.click('.monaco-editor .view-lines');
    await page.keyboard.press('Control+End');
    await page.keyboard.press('Enter');
    await page.keyboard.insertText('    bogus a0, a1');
    await page.locator('.monaco-editor .squiggly-error').first().waitFor({ timeout: LONG });
    await page.locator('.problems li.error').first().waitFor({ timeout: LONG });
    expect(await page.locator('.problems').textContent()).toMatch(/bogus/);
    await page.keyboard.press('Escape'); // closes the completion list that typing opened
    await shot(page, 'editor');

    // Assemble & reboot refuses it: nothing written, cos not rebooted.
    await page.keyboard.press('Control+Shift+B');
    await page.locator('.toast.error', { hasText: 'nothing was written' }).waitFor({ timeout: LONG });
    expect(await host.readFile(1, 'hello.s')).toBe(original);

    // The fix prints a new line.
    const fixed = original.replace('Hello from user mode!', 'Hello from the editor!');
    await page.click('.monaco-editor .view-lines');
    await page.keyboard.press('Control+A');
    await page.keyboard.insertText(fixed);
    await page.waitForFunction(() => document.querySelector('.monaco-editor .squiggly-error') === null, null, {
      timeout: LONG,
    });
    await page.click('section.view.editor button.primary');
    await page.locator('.toast.ok', { hasText: 'rebooted' }).waitFor({ timeout: LONG });
    expect(await host.readFile(1, 'hello.s')).toContain('Hello from the editor!');

    // cos rebooted: its banner starts on a line of its own under the prompt it was showing (not
    // glued to it), and the new program prints the new line.
    await openConsole(page, 'cos');
    await page.waitForFunction(
      () => {
        const rows = document.querySelector('section.term[data-name="cos"] .xterm-rows');
        return (rows?.textContent ?? '').split('cos 0.1 (cooperative OS)').length > 2;
      },
      null,
      { timeout: LONG, polling: 100 },
    );
    const lines = (await termText(page, 'cos')).split('\n');
    const banner = lines.lastIndexOf('cos 0.1 (cooperative OS) on hyperdesk');
    expect(lines[banner - 1]).toBe('cos>');
    await typeLine(page, 'cos', 'run hello');
    await waitForTerm(page, 'cos', 'Hello from the editor!');

    // swos kept running: its console still shows what it showed, and it still answers.
    await openConsole(page, 'swos');
    await waitForTerm(page, 'swos', 'swos$ ver');
    const swosAfter = await termText(page, 'swos');
    expect(swosAfter.trimEnd().startsWith(swosBefore.trimEnd())).toBe(true);
    await typeLine(page, 'swos', 'mem');
    await waitForTerm(page, 'swos', 'swos$ mem');
  }, 240_000);

  it('creates a partition from the ctl panel, and shows ctl refusing a bad request', async () => {
    await showView(page, 'control');
    await page.locator('.cpus .cpu').first().waitFor({ timeout: LONG });
    await page.locator('.membar .seg').first().waitFor({ timeout: LONG });
    const form = page.locator('form[data-form="create"]');
    const id = await form.locator('input[name="id"]').inputValue();
    await form.locator('input[name="name"]').fill('e2e');
    await form.locator('input[name="os"]').fill('cos');
    await form.locator('input[name="size"]').fill('4M');
    await form.locator('button[type="submit"]').click();
    await page.locator(`.transcript li[data-command="create ${id} e2e"][data-ok="true"]`).waitFor({ timeout: LONG });
    await page.locator(`.transcript li[data-command="start ${id} cos 4M"][data-ok="true"]`).waitFor({ timeout: LONG });
    await page.locator(`table.parts tr[data-partition="${id}"]`, { hasText: 'e2e' }).waitFor({ timeout: LONG });

    await page.fill('input.command-input', 'stop 63');
    await page.press('input.command-input', 'Enter');
    const refused = page.locator('.transcript li[data-command="stop 63"][data-ok="false"]');
    await refused.waitFor({ timeout: LONG });
    expect(await refused.textContent()).toMatch(/ENOENT/);
    await shot(page, 'control');

    // The new partition gets its own console, and its cos boots there.
    await openConsole(page, 'e2e');
    await waitForTerm(page, 'e2e', 'cos> ');
  }, 180_000);

  it('shows the bridge carrying a ping between two cos partitions, and saves the capture as pcap', async () => {
    // e2e (partition 4: the demo has cos2 at 3) and cos (partition 1) are both cos on the bridge: 10.0.0.5 pings 10.0.0.2.
    await typeLine(page, 'e2e', 'ping 10.0.0.2');
    await waitForTerm(page, 'e2e', '0% packet loss');
    await showView(page, 'network');
    await page.locator('.port-row .port').first().waitFor({ timeout: LONG });
    // The counters come from polling: the frames show within a few polls.
    await page.waitForFunction(
      () => {
        const dd = Array.from(document.querySelectorAll('section.view.network .stats div')).find((d) =>
          d.textContent?.startsWith('Frames switched'),
        );
        return Number(dd?.querySelector('dd')?.textContent?.replace(/,/g, '') ?? 0) >= 8;
      },
      null,
      { timeout: LONG },
    );
    const [download] = await Promise.all([
      page.waitForEvent('download', { timeout: LONG }),
      page.click('section.view.network button.primary'),
    ]);
    expect(download.suggestedFilename()).toMatch(/\.pcap$/);
    const saved = path.join(profile, download.suggestedFilename());
    await download.saveAs(saved);
    const bytes = await readFile(saved);
    // pcap's magic number, little-endian (microsecond timestamps) or nanosecond variant.
    expect(['d4c3b2a1', 'a1b2c3d4', '4d3cb2a1']).toContain(bytes.subarray(0, 4).toString('hex'));
    // The global header (24 bytes) and at least the 8 frames of 4 echo requests and replies, each
    // with a 16-byte record header and at least an Ethernet header.
    expect(bytes.length).toBeGreaterThanOrEqual(24 + 8 * (16 + 14));
    await shot(page, 'network');
  }, 120_000);

  it('shows performance charts, the timeline, comparisons and the log', async () => {
    await showView(page, 'perf');
    await page.locator('.chart .uplot').first().waitFor({ timeout: LONG });
    await page.locator('.perf-grid tbody tr[data-guest]').first().waitFor({ timeout: LONG });
    await page.locator('.timeline li:not(.muted)').first().waitFor({ timeout: LONG });
    await shot(page, 'performance');

    // The short workload, both ways, on fresh machines: the figures side by side, and saved.
    await showView(page, 'compare');
    await page.fill('section.view.compare input[aria-label="Workload"]', 'primes');
    await page.click('section.view.compare button.primary');
    const side = page.locator('section.view.compare table.compare-table');
    // A comparison that fails says why in a toast: fail at once with its words, not at the timeout.
    const failed = page.locator('.toast.error', { hasText: 'Compare primes' });
    const outcome = await Promise.race([
      side.waitFor({ timeout: 240_000 }).then(() => 'table'),
      failed.waitFor({ timeout: 240_000 }).then(() => 'error'),
    ]);
    if (outcome === 'error') throw new Error(`the comparison failed: ${await failed.first().textContent()}`);
    expect(await side.textContent()).toMatch(/Dual boot.*Hypervisor/s);
    // The hypervisor's own work, charged in machine cycles (docs/hypercalls.md#what-the-hypervisor-costs).
    expect(await side.textContent()).toMatch(/Hypervisor work \(of pCPU time\)0\.00 %\d+\.\d\d %/);
    await page.locator('section.view.compare tbody tr', { hasText: 'primes' }).first().waitFor({ timeout: LONG });
    // The saved runs as a chart: bars both ways and the hypervisor's work.
    await page.locator('section.view.compare .compare-chart .uplot').waitFor({ timeout: LONG });
    expect(await page.locator('section.view.compare .compare-chart .u-legend').textContent()).toMatch(
      /Dual boot \(s\).*Hypervisor \(s\).*Hypervisor work/s,
    );
    await shot(page, 'compare');

    await showView(page, 'log');
    await page.locator('section.view.log tbody tr[data-kind]').first().waitFor({ timeout: LONG });
    expect(await page.locator('section.view.log tbody').textContent()).toMatch(/e2e/);
    await shot(page, 'log');
  }, 400_000);

  it('powers off, dual-boots swos and boots the hypervisor again from the top bar', async () => {
    // Powering off a running machine asks first: the button arms, a second press does it.
    await page.click('header .boot button.ghost');
    await page.locator('header .boot button.ghost.armed', { hasText: 'Power off?' }).waitFor();
    expect(await page.locator('.badge.state').getAttribute('data-state')).toBe('running');
    await page.click('header .boot button.ghost');
    await page.locator('.badge.state[data-state="off"]').waitFor({ timeout: LONG });
    await showView(page, 'consoles');
    await page.locator('section.view.consoles .empty').waitFor({ state: 'visible', timeout: LONG });

    // Dual boot: the loader gives swos the whole machine; one console.
    await page.selectOption('select[aria-label="Mode to boot"]', 'dualboot');
    await page.selectOption('select[aria-label="OS to dual boot"]', 'swos');
    await page.click('header .boot button.primary');
    await page.locator('.badge.state[data-state="running"]').waitFor({ timeout: LONG });
    expect(await page.locator('header .machine').textContent()).toContain('dual boot');
    await page.locator('section.term').first().waitFor({ timeout: LONG });
    const only = await page.locator('section.term').getAttribute('data-name');
    expect(await page.locator('section.term').count()).toBe(1);
    await waitForTerm(page, only!, 'swos$ ');

    // The pCPU-threads choice belongs to hypervisor mode: hidden for dual boot.
    expect(await page.locator('select[aria-label="Where the pCPUs run"]').isHidden()).toBe(true);

    // Reboot into the hypervisor, its pCPUs on threads, by keyboard: Ctrl+Shift+P arms, Ctrl+Shift+P
    // again reboots.
    await page.selectOption('select[aria-label="Mode to boot"]', 'hypervisor');
    await page.selectOption('select[aria-label="Where the pCPUs run"]', 'threads');
    await page.keyboard.press('Control+Shift+P');
    await page.locator('header .boot button.primary.armed').waitFor();
    await page.keyboard.press('Control+Shift+P');
    await page.locator('header .machine', { hasText: 'hypervisor' }).waitFor({ timeout: LONG });
    await page.locator('.badge.state[data-state="running"]').waitFor({ timeout: LONG });
    expect(await page.locator('header .machine').textContent()).toContain('2 pCPU on threads');
    await openConsole(page, 'cos');
    await waitForTerm(page, 'cos', 'cos> ');
    await typeLine(page, 'cos', 'echo threads');
    await waitForTerm(page, 'cos', '\nthreads'); // the reply's row, not the typed line
  }, 180_000);

  it('resets the working disk the top bar booted from, from the editor, after asking', async () => {
    // The top bar boots without naming disks: the working copy in the data folder (docs/disks.md).
    const copy = path.join(profile, 'data', 'disks', 'hyperdesk.img');
    expect((await host.status()).config?.disks).toEqual([copy]);
    await showView(page, 'editor');
    const row = page.locator('.disk-row[data-disk="hyperdesk.img"]');
    await row.locator('.disk-line', { hasText: 'your copy, in use' }).waitFor({ timeout: LONG });
    let asked = '';
    page.once('dialog', (d) => {
      asked = d.message();
      void d.accept();
    });
    await row.locator('button[data-action="reset-disk"]').click();
    await page.locator('.toast.ok', { hasText: 'hyperdesk.img is a fresh copy of the built image' }).waitFor({
      timeout: LONG,
    });
    expect(asked).toMatch(
      /^Reset hyperdesk\.img to the built image\?[^]*The machine is powered off and booted again\.$/,
    );
    await page.locator('.badge.state[data-state="running"]').waitFor({ timeout: LONG });
    expect((await host.events(20)).map((e) => e.kind)).toContain('disk-reset');
    expect(Buffer.compare(await readFile(copy), await readFile(await ensureDisks()))).toBe(0);
  }, 120_000);

  it('saves a text file without a reboot (Ctrl+S), and asks before leaving with unsaved edits', async () => {
    await showView(page, 'editor');
    await page.selectOption('select[aria-label="Guest whose files to edit"]', { label: 'cos' });
    await page.locator('button.file[data-file="motd.txt"]').click();
    await page.locator('section.view.editor[data-file="motd.txt"]').waitFor();
    await page.waitForFunction(() => document.querySelector('.view-lines')?.textContent?.includes('cos'), null, {
      timeout: LONG,
    });
    const save = page.locator('button[data-action="save"]');
    expect(await save.isDisabled()).toBe(true);
    await page.click('.monaco-editor .view-lines');
    await page.keyboard.press('Control+End');
    await page.keyboard.insertText('Saved from the web page.');
    await page.locator('button.file.dirty[data-file="motd.txt"]').waitFor();
    expect(await save.isEnabled()).toBe(true);
    await page.keyboard.press('Control+S');
    await page.locator('.toast.ok', { hasText: 'motd.txt saved to' }).waitFor({ timeout: LONG });
    expect(await page.locator('button.file.dirty').count()).toBe(0);
    expect(await host.readFile(1, 'motd.txt')).toMatch(/Saved from the web page\.$/);
    expect((await host.status()).guests.find((g) => g.name === 'cos')?.state).toBe('running');

    // An unsaved edit: leaving the page asks, and staying keeps the page and the edit.
    await page.keyboard.insertText(' And more.');
    await page.locator('button.file.dirty[data-file="motd.txt"]').waitFor();
    const asked = new Promise<string>((resolve) =>
      page.once('dialog', (d) => {
        resolve(d.type());
        void d.dismiss();
      }),
    );
    await page.close({ runBeforeUnload: true });
    expect(await asked).toBe('beforeunload');
    expect(page.isClosed()).toBe(false);
    await page.click('[data-action="save"]');
    await page.locator('.toast.ok', { hasText: 'motd.txt saved to' }).last().waitFor({ timeout: LONG });
    await page.locator('section.view.editor[data-unsaved="0"]').waitFor();
  }, 120_000);

  it('lists the saved machines, the demo first; clones one onto the translator, boots it, deletes it', async () => {
    await showView(page, 'machines');
    const first = page.locator('table.machines tbody tr').first();
    await page.locator('tr[data-machine="demo"]').waitFor({ timeout: LONG });
    expect(await first.getAttribute('data-machine')).toBe('demo');
    await page.locator('tr[data-machine="demo"] button[data-action="clone-machine"]').click();
    expect(await page.inputValue('section.view.machines input[name="name"]')).toBe('demo copy');
    await page.selectOption('section.view.machines select[name="engine"]', 'jit');
    await page.click('button[data-action="save-machine"]');
    const copy = page.locator('tr[data-machine="demo copy"]');
    await copy.waitFor({ timeout: LONG });
    // The demo as last booted (on pCPU threads, a step above), now on the translator.
    expect(await copy.locator('td').nth(1).textContent()).toBe('hypervisor · 2 pCPU on threads · 64 MiB · jit');
    page.once('dialog', (d) => void d.accept());
    await copy.locator('button[data-action="boot-machine"]').click();
    await page.locator('.toast.ok', { hasText: "Booted 'demo copy'" }).waitFor({ timeout: LONG });
    await page.locator('.badge.state[data-state="running"]').waitFor({ timeout: LONG });
    expect(await page.locator('header .machine').textContent()).toContain('jit · 2 pCPU');
    page.once('dialog', (d) => void d.accept());
    await copy.locator('button[data-action="delete-machine"]').click();
    await copy.waitFor({ state: 'detached', timeout: LONG });
    expect((await host.machines()).map((m) => m.name)).not.toContain('demo copy');
  }, 120_000);

  it('made no page errors (a Content-Security-Policy refusal would show here)', () => {
    expect(errors).toEqual([]);
  });

  it('notices a stopped server, says so, and reconnects by itself when it is back', async () => {
    // (After the page-error check: a browser logs its refused connections as console errors.)
    const staticDir = await ensureRendererBuilt();
    const port = Number(new URL(server.url).port);
    const token = server.token;
    await openConsole(page, 'cos');
    await server.close();
    const line = page.locator('.app-notice.disconnected');
    await line.waitFor({ state: 'visible', timeout: 20_000 });
    expect(await line.textContent()).toMatch(/^Disconnected from the app: .*The page reconnects by itself/);
    expect(await page.locator('.badge.state').textContent()).toBe('disconnected');
    // Typing meanwhile piles up no toasts: the line above says what is wrong.
    await typeLine(page, 'cos', 'echo lost');
    await page.waitForTimeout(500);
    expect(await page.locator('.toast.error').count()).toBe(0);

    // The same address again (hyperdesk serve keeps its port and token in the data folder).
    server = await startWebServer({ port, host: '127.0.0.1', staticDir, api: host, token });
    await line.waitFor({ state: 'hidden', timeout: 20_000 });
    await page.locator('.badge.state[data-state="running"]').waitFor({ timeout: LONG });
    await typeLine(page, 'cos', 'echo back');
    await waitForTerm(page, 'cos', '\nback');

    // A server started with another token cannot be this page's: it says to open the new address.
    await server.close();
    await line.waitFor({ state: 'visible', timeout: 20_000 });
    server = await startWebServer({ port, host: '127.0.0.1', staticDir, api: host });
    await page.locator('.app-notice.disconnected', { hasText: 'started again with a new address' }).waitFor({
      timeout: 20_000,
    });
  }, 120_000);

  it('says so on the page when the token is missing', async () => {
    const p = await context.newPage();
    await p.goto(server.url.replace(/\?token=.*$/, ''));
    await p.locator('body[data-offline="true"]').waitFor({ timeout: 20_000 });
    expect(await p.locator('footer.foot').textContent()).toMatch(/Could not reach the app: unauthorized.*token/);
    await p.close();
  });

  it('refuses API calls without the token (401) or from a non-local Host (403)', async () => {
    const api = new URL('/api/info', server.url).href;
    expect((await post(api, {})).status).toBe(401);
    expect((await post(api, { 'X-Hyperdesk-Token': 'wrong' })).status).toBe(401);
    expect((await post(api, { 'X-Hyperdesk-Token': server.token, Host: 'attacker.example' })).status).toBe(403);
    const ok = await post(api, { 'X-Hyperdesk-Token': server.token });
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.body)).toMatchObject({ name: 'hyperdesk', mode: 'web', isa: { opcodes: OPCODES.length } });
  });
});
