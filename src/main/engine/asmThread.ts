/**
 * Assembling off the calling thread, with a wall-time limit (docs/app.md#assembling, issue 13).
 * The assembler is bounded by its own limits (docs/isa.md#limits), but within them a source can
 * still take seconds; run on the host's thread that froze the web server, run on the engine's it
 * froze the machine. So each thread that assembles (the host for the editor's `assemble`, the engine
 * for `deploy`) keeps one worker (asmWorker.ts), started on first use and reused; jobs run one at a
 * time in order. A job that passes the time limit gets its worker terminated (the next job starts a
 * fresh one) and answers with an error diagnostic; nothing else waits on it.
 */
import { MessageChannel, type MessagePort, Worker } from 'node:worker_threads';
import type { Diagnostic } from '../../shared/api.js';
import { workerUrl } from './Engine.js';

/** How long one assembly may take, start to answer (the editor and deploy alike). */
export const ASM_TIME_LIMIT_MS = 10_000;

/** What the worker gets: a source, and where its `.include`s come from. */
export interface AsmJob {
  id: number;
  file: string;
  source: string;
  /** With `flag`: includes are asked for on this port (`{ read }`, answered `{ text }`); else the demo's programs. */
  port?: MessagePort;
  flag?: SharedArrayBuffer;
}

export interface IncludeReply {
  text: string | undefined;
}

export interface AsmJobResult {
  id: number;
  ok: boolean;
  diagnostics: Diagnostic[];
  /** The image (empty when not ok). */
  bytes: Uint8Array;
  base: number;
  entry: number;
  /** The debugger's line map and symbols (docs/debugger.md#source-level); empty when not ok. */
  lineMap: Array<{ address: number; file: string; line: number }>;
  symbolFile: string;
}

export type AsmOutcome = Omit<AsmJobResult, 'id'> & {
  /** Set when the worker was stopped at the time limit (the diagnostics say so too). */
  timedOut?: boolean;
};

export interface AsmRequest {
  file: string;
  source: string;
  /** A guest's file system (synchronous, on this thread); default: the demo's program folder. */
  readFile?: (name: string) => string | undefined;
  /** Default ASM_TIME_LIMIT_MS. */
  timeLimitMs?: number;
}

interface Queued {
  req: AsmRequest;
  resolve(r: AsmOutcome): void;
}

let worker: Worker | undefined;
let nextId = 1;
const queue: Queued[] = [];
let running: { id: number; done(r: AsmOutcome | AsmJobResult): void } | undefined;

/** Assemble on the assembler's worker; never rejects (a failure to start is an error diagnostic too). */
export function assembleOffThread(req: AsmRequest): Promise<AsmOutcome> {
  return new Promise((resolve) => {
    queue.push({ req, resolve });
    if (!running) startNext();
  });
}

/** Stop the worker (host close, engine close): the running and queued jobs answer with an error. */
export async function closeAssembler(): Promise<void> {
  const w = worker;
  worker = undefined;
  for (const q of queue.splice(0)) q.resolve(failure(q.req.file, 'the assembler was closed'));
  running?.done(failure('<assembler>', 'the assembler was closed'));
  if (w) await w.terminate();
}

function failure(file: string, message: string, timedOut = false): AsmOutcome {
  const d: Diagnostic = { file, line: 1, col: 1, severity: 'error', message };
  return {
    ok: false,
    diagnostics: [d],
    bytes: new Uint8Array(0),
    base: 0,
    entry: 0,
    lineMap: [],
    symbolFile: '',
    ...(timedOut ? { timedOut } : {}),
  };
}

function ensureWorker(): Worker {
  if (worker) return worker;
  const w = new Worker(workerUrl('asm'), { workerData: { entry: 'asm' } });
  w.on('message', (r: AsmJobResult) => {
    if (running?.id === r.id) running.done(r);
  });
  const gone = (why: string) => {
    // A worker stopped at the time limit or by close is no longer `worker`: its job has answered.
    if (worker !== w) return;
    worker = undefined;
    running?.done(failure('<assembler>', `the assembler's thread stopped: ${why}`));
  };
  w.on('error', (e) => gone(e.message));
  w.on('exit', (code) => gone(`exit code ${code}`));
  worker = w;
  return w;
}

function startNext(): void {
  const q = queue.shift();
  if (!q) {
    worker?.unref();
    return;
  }
  const { req } = q;
  const id = nextId++;
  const limit = req.timeLimitMs ?? ASM_TIME_LIMIT_MS;
  let w: Worker;
  try {
    w = ensureWorker();
  } catch (e) {
    q.resolve(failure(req.file, `the assembler cannot start: ${(e as Error).message}`));
    startNext();
    return;
  }
  w.ref();
  let channel: MessageChannel | undefined;
  const timer = setTimeout(() => {
    // The worker is stuck in this job: stop it; the next job starts a fresh one.
    if (worker === w) worker = undefined;
    void w.terminate();
    const s = limit % 1000 === 0 ? `${limit / 1000} s` : `${limit} ms`;
    done(failure(req.file, `assembling ${req.file} took longer than ${s} and was stopped (time limit ${s})`, true));
  }, limit);
  const done = (r: AsmOutcome | AsmJobResult) => {
    if (running?.id !== id) return;
    running = undefined;
    clearTimeout(timer);
    channel?.port1.close();
    q.resolve({
      ok: r.ok,
      diagnostics: r.diagnostics,
      bytes: r.bytes,
      base: r.base,
      entry: r.entry,
      lineMap: r.lineMap,
      symbolFile: r.symbolFile,
      ...('timedOut' in r && r.timedOut ? { timedOut: true } : {}),
    });
    startNext();
  };
  running = { id, done };
  const job: AsmJob = { id, file: req.file, source: req.source };
  const transfer: MessagePort[] = [];
  if (req.readFile) {
    const read = req.readFile;
    const flag = new SharedArrayBuffer(4);
    const cell = new Int32Array(flag);
    channel = new MessageChannel();
    channel.port1.on('message', (m: { read: string }) => {
      let text: string | undefined;
      try {
        text = read(m.read);
      } catch {
        text = undefined;
      }
      const reply: IncludeReply = { text };
      channel!.port1.postMessage(reply);
      Atomics.store(cell, 0, 1);
      Atomics.notify(cell, 0);
    });
    job.port = channel.port2;
    job.flag = flag;
    transfer.push(channel.port2);
  }
  w.postMessage(job, transfer);
}
