/**
 * End-to-end smoke test of the web mode: the real server (in-process, any free port) and the built
 * renderer in headless Chromium (/usr/bin/chromium, driven by playwright-core). Builds the renderer
 * first if out/renderer is missing.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPCODES, CSRS } from '../../src/shared/isa/index.js';
import { ensureRendererBuilt, PROJECT_ROOT } from '../../src/main/web/build.js';
import { startWebServer, type WebServer } from '../../src/main/web/server.js';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

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

describe.skipIf(!existsSync(CHROMIUM))('web mode in Chromium', () => {
  let server: WebServer;
  let context: BrowserContext;
  let profile: string;

  beforeAll(async () => {
    const staticDir = await ensureRendererBuilt();
    server = await startWebServer({ port: 0, host: '127.0.0.1', staticDir });
    profile = await mkdtemp(path.join(tmpdir(), 'hyperdesk-e2e-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 1280, height: 800 },
    });
  }, 180_000);

  afterAll(async () => {
    await context?.close();
    await server?.close();
    if (profile) await rm(profile, { recursive: true, force: true });
  });

  it('shows the ISA size that the host API reports', async () => {
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    await page.goto(server.url);
    await page.locator('#opcodes', { hasText: String(OPCODES.length) }).waitFor({ timeout: 10_000 });
    expect(await page.title()).toBe('hyperdesk');
    expect(await page.locator('#csrs').textContent()).toBe(String(CSRS.length));
    expect(await page.locator('#mode').textContent()).toBe('web mode');
    expect(await page.locator('body').textContent()).toContain('npx hyperdesk asm FILE.s -o FILE.bin');
    expect(await page.locator('#error').isHidden()).toBe(true);
    expect(errors).toEqual([]);
    await mkdir(path.join(PROJECT_ROOT, 'test-results'), { recursive: true });
    await page.screenshot({ path: path.join(PROJECT_ROOT, 'test-results', 'web.png'), fullPage: true });
    await page.close();
  });

  it('says so on the page when the token is missing', async () => {
    const page = await context.newPage();
    await page.goto(server.url.replace(/\?token=.*$/, ''));
    await page.locator('#error').waitFor({ state: 'visible', timeout: 10_000 });
    expect(await page.locator('#error').textContent()).toContain('401');
    await page.close();
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
