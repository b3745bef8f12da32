/**
 * The app as the web-mode e2e tests run it (web, workstation, snapshots, debug .test.ts): the real
 * host with its store in a temporary profile, the real web server on a free port, the built renderer
 * in headless Chromium, one page with its errors collected, and the teardown. One place, so the four
 * files start the app the same way (docs/app.md, the e2e tests). The demo disk is always a copy in the data
 * folder: the host opens disks only there and in the project's disks/ (docs/security.md), and the
 * repository's disks/hyperdesk.img must stay as built.
 */
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { ensureDisks } from '../../src/main/host/disks.js';
import { createHost } from '../../src/main/host/host.js';
import { ensureRendererBuilt } from '../../src/main/web/build.js';
import { startWebServer, type WebServer } from '../../src/main/web/server.js';
import { CHROMIUM, CHROMIUM_ARGS, SHOTS } from './appPage.js';

export type Host = ReturnType<typeof createHost>;

export interface App {
  host: Host;
  server: WebServer;
  context: BrowserContext;
  page: Page;
  /** The temporary folder holding Chromium's profile and, in data/, the host's store. */
  profile: string;
  /** Page errors and console errors, for a test's closing "no page errors" check. */
  errors: string[];
  /** The questions the page asked (window.confirm/alert), in order, when acceptDialogs is on. */
  dialogs: string[];
}

export interface AppOptions {
  /** Names the temporary profile folder (mkdtemp prefix). */
  prefix: string;
  /** Boot the demo machine (hypervisor mode) on a copy of its disk before the page opens. */
  bootDemo?: boolean;
  viewport?: { width: number; height: number };
  acceptDownloads?: boolean;
  /**
   * Say yes to every window.confirm/alert (Restore, Delete, Make file system ... ask first) and keep
   * its text in App.dialogs, so a test can check what was asked.
   */
  acceptDialogs?: boolean;
  /** Where screenshots go (created here); test-results/screenshots unless told. */
  shots?: string;
}

/** Copies the demo disk into the profile's data folder and returns the copy's path. */
export async function copyDemoDisk(profile: string): Promise<string> {
  await mkdir(path.join(profile, 'data'), { recursive: true });
  const disk = path.join(profile, 'data', 'hyperdesk.img');
  await copyFile(await ensureDisks(), disk);
  return disk;
}

/** Starts host, server, Chromium and a page on the app; on a failure, stops what had started. */
export async function startApp(opts: AppOptions): Promise<App> {
  const app: Partial<App> = { errors: [], dialogs: [] };
  try {
    const staticDir = await ensureRendererBuilt();
    const profile = (app.profile = await mkdtemp(path.join(tmpdir(), opts.prefix)));
    // The store in a folder of its own: the test never touches the user's data folder.
    const host = (app.host = createHost('web', { dataDir: path.join(profile, 'data') }));
    if (opts.bootDemo) {
      const booted = await host.boot({ mode: 'hypervisor', disks: [await copyDemoDisk(profile)] });
      if (booted.error) throw new Error(`the demo machine did not boot: ${booted.error}`);
    }
    const server = (app.server = await startWebServer({ port: 0, host: '127.0.0.1', staticDir, api: host }));
    const context = (app.context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: opts.viewport ?? { width: 1280, height: 720 },
      ...(opts.acceptDownloads ? { acceptDownloads: true } : {}),
    }));
    await mkdir(opts.shots ?? SHOTS, { recursive: true });
    const page = (app.page = await context.newPage());
    const errors = app.errors!;
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(`console: ${m.text()}`);
    });
    if (opts.acceptDialogs)
      page.on('dialog', (d) => {
        app.dialogs!.push(d.message());
        void d.accept();
      });
    await page.goto(server.url);
    return app as App;
  } catch (e) {
    await stopApp(app);
    throw e;
  }
}

/** Closes what startApp started (whatever of it exists) and removes the profile. */
export async function stopApp(app: Partial<App> | undefined): Promise<void> {
  await app?.context?.close();
  await app?.server?.close();
  await app?.host?.close();
  if (app?.profile) await rm(app.profile, { recursive: true, force: true });
}
