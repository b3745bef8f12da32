/**
 * The test side of builtMain.mjs: starts the built app's main process under the electron stand-in
 * in a child Node process and calls the API its preload exposed, as the page would.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { HostEvent } from '../../src/shared/api.js';

const HARNESS = fileURLToPath(new URL('./builtMain.mjs', import.meta.url));

/** What the shell registered, as builtMain.mjs reports it once the app is ready. */
export interface Ready {
  channels: string[];
  exposed: string[];
  window: { webPreferences: Record<string, unknown>; loaded?: { file?: string; url?: string }; shown: boolean };
  preloadFile: string;
  permissionGranted: boolean | undefined;
  appEvents: string[];
  webContentsEvents: string[];
}

export interface BuiltApp {
  ready: Ready;
  child: ChildProcess;
  /** Every HostEvent the page got, in order. */
  events: HostEvent[];
  /** What the app printed (stdout and stderr). */
  output(): string;
  /** A call through the preload's `window.hyperdesk`. */
  call<T>(method: string, ...args: unknown[]): Promise<T>;
  /** A call straight to an IPC handler from a frame at `url` (not through the preload). */
  callFrom<T>(url: string, channel: string, ...args: unknown[]): Promise<T>;
  /** The page refused to unload: the shell asks, and the user picks button `answer`. */
  preventUnload(answer: number): Promise<{ left: boolean; asked?: string }>;
  /** Quits as Electron does (before-quit first); resolves with how the app quit, once it exited. */
  quit(): Promise<unknown>;
  /** Waits (polling) until `test` holds; the error names `what` and shows the app's output. */
  until(what: string, test: () => boolean | Promise<boolean>, ms?: number): Promise<void>;
}

export async function startBuiltApp(outDir: string, env: Record<string, string>): Promise<BuiltApp> {
  let output = '';
  let nextId = 1;
  const pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  const events: HostEvent[] = [];
  const child = fork(HARNESS, [outDir], {
    execArgv: [],
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    env: { ...process.env, ...env },
  });
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  type Message = { ready?: Ready; event?: HostEvent; id?: number; ok?: boolean; value?: unknown; error?: string };
  const ready = await new Promise<Ready>((resolve, reject) => {
    child.on('message', (m: Message) => {
      if (m.ready) resolve(m.ready);
      else if (m.event) events.push(m.event);
      else if (m.id !== undefined) {
        const p = pending.get(m.id);
        pending.delete(m.id);
        if (m.ok) p?.resolve(m.value);
        else p?.reject(new Error(m.error));
      }
    });
    child.on('exit', (code) =>
      reject(new Error(`the built app exited (code ${code}) before it was ready:\n${output}`)),
    );
  });
  const send = <T>(message: Record<string, unknown>): Promise<T> => {
    const id = nextId++;
    return new Promise<T>((resolve, reject) => {
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      child.send({ id, ...message });
    });
  };
  return {
    ready,
    child,
    events,
    output: () => output,
    call: (method, ...args) => send({ call: method, args }),
    callFrom: (url, channel, ...args) => send({ untrusted: url, channel, args }),
    preventUnload: (answer) => send({ preventUnload: answer }),
    async quit() {
      const quitted = await new Promise<unknown>((resolve) => {
        child.on('message', (m: { quitted?: unknown }) => {
          if ('quitted' in m) resolve(m.quitted);
        });
        child.send({ quit: true });
      });
      await new Promise<void>((resolve) => (child.exitCode !== null ? resolve() : child.once('exit', () => resolve())));
      return quitted;
    },
    async until(what, test, ms = 90_000) {
      const t0 = Date.now();
      while (!(await test())) {
        if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}; the app printed:\n${output}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
  };
}
