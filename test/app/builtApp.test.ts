/**
 * The built Electron app, run here without Electron: `electron-vite build` into a folder of its own,
 * then the built main process (out/main/index.js) under Node with a stand-in for the `electron`
 * module (electronStandIn.mjs), and the built preload run as a sandboxed preload. Through the API
 * that preload exposes, as the page calls it: the demo machine boots (the engine's worker is found
 * from the built chunks: docs/architecture.md, "Workers from source or from the build"), cos
 * answers, a program is deployed, and the store in $HYPERDESK_DATA is written. The repository's
 * built disk image is not changed (docs/disks.md#working-disks).
 *
 * test/e2e/electron.test.ts runs the real Electron binary where there is one and a display.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVENT_CHANNEL, HOST_METHODS, type HostEvent, type MachineStatus } from '../../src/shared/api.js';
import { PROJECT_ROOT, runElectronViteBuild } from '../../src/main/web/build.js';
import { Store, StoreError } from '../../src/main/store/index.js';
import { ensureDisks } from '../../scripts/build-disks.js';

const HARNESS = fileURLToPath(new URL('./builtMain.mjs', import.meta.url));
const sha = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

interface Ready {
  channels: string[];
  exposed: string[];
  window: { webPreferences: Record<string, unknown>; loaded?: { file?: string; url?: string }; shown: boolean };
  preloadFile: string;
  permissionGranted: boolean | undefined;
  appEvents: string[];
}

describe('the built Electron app under a stand-in electron', () => {
  let outDir: string;
  let data: string;
  let child: ChildProcess;
  let output = '';
  let ready: Ready;
  let builtImage: string;
  let builtBefore: string;
  const events: HostEvent[] = [];
  const cos = () => events.map((e) => (e.type === 'console' && e.guest === 1 ? e.data : '')).join('');
  let nextId = 1;
  const pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();

  /** A call through the preload's `window.hyperdesk`, as the page makes it. */
  function call<T>(method: string, ...args: unknown[]): Promise<T> {
    return send<T>({ call: method, args });
  }
  function send<T>(message: Record<string, unknown>): Promise<T> {
    const id = nextId++;
    return new Promise<T>((resolve, reject) => {
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      child.send({ id, ...message });
    });
  }
  async function until(what: string, test: () => boolean | Promise<boolean>, ms = 90_000): Promise<void> {
    const t0 = Date.now();
    while (!(await test())) {
      if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}; the app printed:\n${output}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  beforeAll(async () => {
    builtImage = await ensureDisks();
    builtBefore = sha(builtImage);
    // The build must sit in the project (the app finds resources/ upward from itself); test-results/
    // is git-ignored. A folder of its own: out/ may be in use by other tests.
    mkdirSync(path.join(PROJECT_ROOT, 'test-results'), { recursive: true });
    outDir = mkdtempSync(path.join(PROJECT_ROOT, 'test-results', 'built-app-'));
    await runElectronViteBuild(outDir);
    data = mkdtempSync(path.join(tmpdir(), 'hyperdesk-built-app-'));
    child = fork(HARNESS, [outDir], {
      execArgv: [],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      env: {
        ...process.env,
        HYPERDESK_DATA: path.join(data, 'data'),
        // Where Electron's userData would be: $HYPERDESK_DATA must win over it.
        HYPERDESK_STANDIN_USERDATA: path.join(data, 'userData'),
      },
    });
    child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    ready = await new Promise<Ready>((resolve, reject) => {
      child.on(
        'message',
        (m: { ready?: Ready; event?: HostEvent; id?: number; ok?: boolean; value?: unknown; error?: string }) => {
          if (m.ready) resolve(m.ready);
          else if (m.event) events.push(m.event);
          else if (m.id !== undefined) {
            const p = pending.get(m.id);
            pending.delete(m.id);
            if (m.ok) p?.resolve(m.value);
            else p?.reject(new Error(m.error));
          }
        },
      );
      child.on('exit', (code) =>
        reject(new Error(`the built app exited (code ${code}) before it was ready:\n${output}`)),
      );
    });
  }, 180_000);

  afterAll(async () => {
    if (child && child.exitCode === null) child.kill();
    if (outDir) rmSync(outDir, { recursive: true, force: true });
    if (data) rmSync(data, { recursive: true, force: true });
  });

  it('registers one IPC handler per API method and a sandboxed window whose preload exposes exactly the API', () => {
    expect([...ready.channels].sort()).toEqual(HOST_METHODS.map((m) => `hyperdesk:${m}`).sort());
    expect([...ready.exposed].sort()).toEqual([...HOST_METHODS, 'onEvent'].sort());
    expect(ready.window.webPreferences).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
    });
    expect(ready.preloadFile).toBe(path.join(outDir, 'preload', 'index.cjs'));
    expect(ready.window.loaded?.file).toBe(path.join(outDir, 'renderer', 'index.html'));
    expect(existsSync(ready.window.loaded!.file!)).toBe(true);
    expect(ready.window.shown).toBe(true);
    expect(ready.permissionGranted).toBe(false);
    expect(ready.appEvents).toEqual(expect.arrayContaining(['before-quit', 'window-all-closed']));
    expect(EVENT_CHANNEL).toBe('hyperdesk:event');
  });

  it('boots the demo machine at start from the working disk in $HYPERDESK_DATA', async () => {
    let status: MachineStatus | undefined;
    await until('the demo machine to run ctl, cos and swos', async () => {
      status = await call<MachineStatus>('status');
      if (status.state === 'failed') throw new Error(`the demo machine failed: ${status.error}\n${output}`);
      return status.state === 'running' && status.guests.length >= 3;
    });
    expect(status!.guests.map((g) => g.name)).toEqual(['ctl', 'cos', 'swos']);
    expect(status!.config?.disks).toEqual([path.join(data, 'data', 'disks', 'hyperdesk.img')]);
    const info = await call<{ mode: string; store: { path: string; error?: string } }>('info');
    expect(info.mode).toBe('electron');
    expect(info.store).toEqual({ path: path.join(data, 'data', 'hyperdesk.db') });
    expect(existsSync(path.join(data, 'userData'))).toBe(false);
  }, 120_000);

  it('types into cos through the preload and reads its answer from the events', async () => {
    await until('cos’s prompt', () => /cos> $/.test(cos()));
    await call('consoleInput', 1, 'run hello\r');
    await until('hello’s output', () => /run hello\r\nHello from user mode!\r\ncos> $/.test(cos()));
    const history = await call<{ data: string; end: number }>('consoleHistory', 1);
    expect(history.data).toContain('Hello from user mode!');
  }, 60_000);

  it('refuses bad arguments in the preload and calls from a frame that is not the app’s page', async () => {
    await expect(call('consoleInput', 'x', 1)).rejects.toThrow(/guest must be an integer/);
    await expect(send({ untrusted: 'https://example.com/', channel: 'hyperdesk:status', args: [] })).rejects.toThrow(
      /refused a call from an untrusted frame/,
    );
  });

  it('deploys a program into cos’s working disk and runs it; the built image is unchanged', async () => {
    const source = await call<string>('readFile', 1, 'hello.s');
    const r = await call<{ ok: boolean; rebooted: boolean; written?: string }>(
      'deploy',
      1,
      'hello.s',
      source.replace('Hello from user mode!', 'Hello from the built app!'),
    );
    expect(r).toMatchObject({ ok: true, rebooted: true });
    await until('cos to boot again', () =>
      /booted from disk0 partition 1\r\ncos> [^]*booted from disk0 partition 1\r\ncos> $/.test(cos()),
    );
    await call('consoleInput', 1, 'run hello\r');
    await until('the new program’s output', () => /Hello from the built app!\r\ncos> $/.test(cos()));
    expect(sha(builtImage)).toBe(builtBefore);
  }, 90_000);

  it('quits cleanly (the host closes first), and its store on disk has the machine and the log', async () => {
    const quitted = await new Promise<unknown>((resolve) => {
      child.on('message', (m: { quitted?: unknown }) => {
        if ('quitted' in m) resolve(m.quitted);
      });
      child.send({ quit: true });
    });
    expect(quitted).toEqual({ how: 'quit' });
    await new Promise<void>((resolve) => (child.exitCode !== null ? resolve() : child.once('exit', () => resolve())));
    expect(child.exitCode).toBe(0);
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
