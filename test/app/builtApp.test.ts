/**
 * The built Electron app, run here without Electron: `electron-vite build` into a folder of its own,
 * then the built main process (out/main/index.js) under Node with a stand-in for the `electron`
 * module (electronStandIn.mjs), and the built preload run as a sandboxed preload. Through the API
 * that preload exposes, as the page calls it: the demo machine boots (the engine's worker is found
 * from the built chunks: docs/architecture.md, "Workers from source or from the build"), cos
 * answers, a program is deployed, and the store in $HYPERDESK_DATA is written. The repository's
 * built disk image is not changed (docs/disks.md#working-disks). Then the same build as Electron's
 * main process sees itself (process.versions.electron): without an Electron build of SQLite, the
 * store is off and the app says why.
 *
 * test/e2e/electron.test.ts runs the real Electron binary where there is one and a display.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVENT_CHANNEL, HOST_METHODS, type HostInfo, type MachineStatus } from '../../src/shared/api.js';
import { PROJECT_ROOT, runElectronViteBuild } from '../../src/main/web/build.js';
import { Store, StoreError } from '../../src/main/store/index.js';
import { ensureDisks } from '../../src/main/host/disks.js';
import { startBuiltApp, type BuiltApp } from './builtApp.js';

const sha = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

let outDir: string;
let data: string;
/** The repository's built image, its hash and its time before the app was built and run. */
let builtImage: string;
let builtBefore: string;
let builtMtime: number;
beforeAll(async () => {
  builtImage = await ensureDisks();
  builtBefore = sha(builtImage);
  builtMtime = statSync(builtImage).mtimeMs;
  // The build must sit in the project (the app finds resources/ upward from itself); test-results/
  // is git-ignored. A folder of its own: out/ may be in use by other tests.
  mkdirSync(path.join(PROJECT_ROOT, 'test-results'), { recursive: true });
  outDir = mkdtempSync(path.join(PROJECT_ROOT, 'test-results', 'built-app-'));
  await runElectronViteBuild(outDir);
  data = mkdtempSync(path.join(tmpdir(), 'hyperdesk-built-app-'));
}, 180_000);
afterAll(() => {
  if (outDir) rmSync(outDir, { recursive: true, force: true });
  if (data) rmSync(data, { recursive: true, force: true });
});

describe('the built Electron app under a stand-in electron', () => {
  let app: BuiltApp;
  const cos = () => app.events.map((e) => (e.type === 'console' && e.guest === 1 ? e.data : '')).join('');

  beforeAll(async () => {
    app = await startBuiltApp(outDir, {
      HYPERDESK_DATA: path.join(data, 'data'),
      // Where Electron's userData would be: $HYPERDESK_DATA must win over it.
      HYPERDESK_STANDIN_USERDATA: path.join(data, 'userData'),
    });
  }, 60_000);

  afterAll(() => {
    if (app && app.child.exitCode === null) app.child.kill();
  });

  it('registers one IPC handler per API method and a sandboxed window whose preload exposes exactly the API', () => {
    expect([...app.ready.channels].sort()).toEqual(HOST_METHODS.map((m) => `hyperdesk:${m}`).sort());
    expect([...app.ready.exposed].sort()).toEqual([...HOST_METHODS, 'onEvent'].sort());
    expect(app.ready.window.webPreferences).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
    });
    expect(app.ready.preloadFile).toBe(path.join(outDir, 'preload', 'index.cjs'));
    expect(app.ready.window.loaded?.file).toBe(path.join(outDir, 'renderer', 'index.html'));
    expect(existsSync(app.ready.window.loaded!.file!)).toBe(true);
    expect(app.ready.window.shown).toBe(true);
    expect(app.ready.permissionGranted).toBe(false);
    expect(app.ready.appEvents).toEqual(expect.arrayContaining(['before-quit', 'window-all-closed']));
    expect(EVENT_CHANNEL).toBe('hyperdesk:event');
    expect(app.ready.webContentsEvents).toEqual(expect.arrayContaining(['will-navigate', 'will-prevent-unload']));
  });

  it('asks before the window leaves a page with unsaved edits, and leaves only when told to', async () => {
    expect(await app.preventUnload(1)).toEqual({ left: false, asked: 'The editor has unsaved edits.' });
    expect(await app.preventUnload(0)).toEqual({ left: true, asked: 'The editor has unsaved edits.' });
  });

  it('boots the demo machine at start from the working disk in $HYPERDESK_DATA', async () => {
    let status: MachineStatus | undefined;
    await app.until('the demo machine to run ctl, cos, swos and cos2', async () => {
      status = await app.call<MachineStatus>('status');
      if (status.state === 'failed') throw new Error(`the demo machine failed: ${status.error}\n${app.output()}`);
      return status.state === 'running' && status.guests.length >= 4;
    });
    expect(status!.guests.map((g) => g.name)).toEqual(['ctl', 'cos', 'swos', 'cos2']);
    expect(status!.config?.disks).toEqual([path.join(data, 'data', 'disks', 'hyperdesk.img')]);
    const info = await app.call<{ mode: string; store: { path: string; error?: string } }>('info');
    expect(info.mode).toBe('electron');
    expect(info.store).toEqual({ path: path.join(data, 'data', 'hyperdesk.db') });
    expect(existsSync(path.join(data, 'userData'))).toBe(false);
  }, 120_000);

  it('types into cos through the preload and reads its answer from the events', async () => {
    await app.until('cos’s prompt', () => /cos> $/.test(cos()));
    await app.call('consoleInput', 1, 'run hello\r');
    await app.until('hello’s output', () => /run hello\r\nHello from user mode!\r\ncos> $/.test(cos()));
    const history = await app.call<{ data: string; end: number }>('consoleHistory', 1);
    expect(history.data).toContain('Hello from user mode!');
  }, 60_000);

  it('refuses bad arguments in the preload and calls from a frame that is not the app’s page', async () => {
    await expect(app.call('consoleInput', 'x', 1)).rejects.toThrow(/guest must be an integer/);
    await expect(app.callFrom('https://example.com/', 'hyperdesk:status')).rejects.toThrow(
      /refused a call from an untrusted frame/,
    );
  });

  it('deploys a program into cos’s working disk and runs it; the built image is unchanged', async () => {
    const source = await app.call<string>('readFile', 1, 'hello.s');
    const r = await app.call<{ ok: boolean; rebooted: boolean; written?: string }>(
      'deploy',
      1,
      'hello.s',
      source.replace('Hello from user mode!', 'Hello from the built app!'),
    );
    expect(r).toMatchObject({ ok: true, rebooted: true });
    await app.until('cos to boot again', () =>
      /booted from disk0 partition 1\r\ncos> [^]*booted from disk0 partition 1\r\ncos> $/.test(cos()),
    );
    await app.call('consoleInput', 1, 'run hello\r');
    await app.until('the new program’s output', () => /Hello from the built app!\r\ncos> $/.test(cos()));
    expect(sha(builtImage)).toBe(builtBefore);
    // Not even rebuilt: a fresh build of the app does not make the built image stale.
    expect(statSync(builtImage).mtimeMs).toBe(builtMtime);
  }, 90_000);

  it('quits cleanly (the host closes first), and its store on disk has the machine and the log', async () => {
    expect(await app.quit()).toEqual({ how: 'quit' });
    expect(app.child.exitCode).toBe(0);
    const store = Store.open(path.join(data, 'data', 'hyperdesk.db'));
    if (store instanceof StoreError) throw store;
    try {
      expect(store.machines().map((m) => m.name)).toContain('demo');
      const kinds = store.events(100).map((e) => e.kind);
      expect(kinds).toEqual(expect.arrayContaining(['booted', 'deployed']));
    } finally {
      store.close();
    }
  }, 60_000);
});

describe('the built app as Electron’s main process, without an Electron build of SQLite', () => {
  it('runs with its store off and says why; the database file is not made', async () => {
    const folder = path.join(data, 'as-electron');
    const app = await startBuiltApp(outDir, { HYPERDESK_DATA: folder, HYPERDESK_STANDIN_ELECTRON: '45.4.1' });
    try {
      const info = await app.call<HostInfo>('info');
      // Here the Electron build is missing (no headers to build it); where it exists, plain Node
      // cannot load it (another ABI). Either way the store is off and the reason names the module.
      expect(info.store.error).toMatch(/better.sqlite3/);
      if (!/different Node\.js version|NODE_MODULE_VERSION/.test(info.store.error!)) {
        expect(info.store.error).toMatch(
          /^the store is off: there is no build of better-sqlite3 for Electron 45\.4\.1 \(/,
        );
      }
      expect(app.output()).toContain(`hyperdesk: ${info.store.error}`);
      expect(await app.call('machines')).toEqual([]);
      expect(existsSync(path.join(folder, 'hyperdesk.db'))).toBe(false);
    } finally {
      expect(await app.quit()).toEqual({ how: 'quit' });
    }
  }, 60_000);
});
