/**
 * The host's handle on the engine worker: typed async calls (EngineCalls) and the worker's events.
 * The machine runs on the worker thread, so the main process and the UI never wait on a guest.
 * If the worker dies (an emulator bug), pending calls fail with the reason and the next call starts
 * a fresh worker; disks were flushed on every acknowledged write.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { EngineCalls, EngineEvent, EngineOp, EngineOptions, EngineReply, FromEngine } from './protocol.js';

const BUILT = {
  engine: './worker.js',
  compare: './compareWorker.js',
  cpu: './cpuThread.js',
  asm: './asmWorker.js',
} as const;
export type WorkerEntry = keyof typeof BUILT;

/**
 * A worker's script, found from the module that holds this code (`from`, default this module).
 * From the TypeScript sources (tsx: web mode, CLI, tests) every worker starts at worker-boot.mjs,
 * which registers tsx in the new thread. In the Electron build the workers are entries of their own
 * and every file of the main build sits in one folder (electron.vite.config.ts), so they are next to
 * whichever chunk holds this code. A missing script is an error naming the path, at once, instead
 * of a worker that dies with "Cannot find module" (docs/architecture.md, "Workers from source or
 * from the build").
 */
export function workerUrl(entry: WorkerEntry, from: string = import.meta.url): URL {
  const fromSource = /\.[cm]?ts$/.test(new URL(from).pathname);
  const url = new URL(fromSource ? './worker-boot.mjs' : BUILT[entry], from);
  if (!existsSync(fileURLToPath(url))) {
    const why = fromSource
      ? 'the source tree is incomplete'
      : 'the built app must have its workers in the folder of its chunks (electron.vite.config.ts)';
    throw new Error(`the ${entry} worker's script ${fileURLToPath(url)} is missing: ${why}`);
  }
  return url;
}

export class Engine {
  private worker: Worker | undefined;
  private next = 1;
  private readonly pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();

  constructor(
    private readonly onEvent: (e: EngineEvent) => void,
    private readonly opts: EngineOptions = {},
  ) {}

  private start(): Worker {
    if (this.worker) return this.worker;
    let w: Worker;
    try {
      w = new Worker(workerUrl('engine'), { workerData: { ...this.opts, entry: 'engine' } });
    } catch (e) {
      const error = `the engine cannot start: ${(e as Error).message}`;
      this.onEvent({ event: 'status', status: { state: 'failed', guests: [], seconds: 0, error } });
      throw new Error(error);
    }
    w.on('message', (m: FromEngine) => {
      if ('event' in m) return this.onEvent(m);
      const r = m as EngineReply;
      const p = this.pending.get(r.id);
      if (!p) return;
      this.pending.delete(r.id);
      if (r.ok) p.resolve(r.value);
      else p.reject(new Error(r.error));
    });
    const fail = (why: string) => {
      if (this.worker !== w) return;
      this.worker = undefined;
      for (const p of this.pending.values()) p.reject(new Error(`the engine stopped: ${why}`));
      this.pending.clear();
      this.onEvent({
        event: 'status',
        status: { state: 'failed', guests: [], seconds: 0, error: `the engine stopped: ${why}` },
      });
    };
    w.on('error', (e) => fail(e.message));
    w.on('exit', (code) => fail(`exit code ${code}`));
    this.worker = w;
    return w;
  }

  call<K extends EngineOp>(op: K, ...args: Parameters<EngineCalls[K]>): Promise<ReturnType<EngineCalls[K]>> {
    let w: Worker;
    try {
      w = this.start();
    } catch (e) {
      return Promise.reject(e as Error);
    }
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      w.postMessage({ id, op, args });
    });
  }

  /** Powers the machine off (disks flushed and closed) and ends the worker. */
  async close(): Promise<void> {
    const w = this.worker;
    if (!w) return;
    this.worker = undefined;
    for (const p of this.pending.values()) p.reject(new Error('the engine was closed'));
    this.pending.clear();
    const exited = new Promise<void>((resolve) => w.once('exit', () => resolve()));
    w.postMessage({ close: true });
    const timeout = new Promise<void>((resolve) => setTimeout(resolve, 5000).unref());
    await Promise.race([exited, timeout]);
    await w.terminate();
  }
}
