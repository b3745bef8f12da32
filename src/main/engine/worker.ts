/**
 * The engine worker's entry: one EngineCore on this thread, driven by messages from the host
 * (protocol.ts). A call that fails answers with its error; nothing a caller sends stops the worker.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { closeAssembler } from './asmThread.js';
import { EngineCore } from './EngineCore.js';
import type { EngineOptions, EngineRequest, FromEngine } from './protocol.js';

const port = parentPort;
if (!port) throw new Error('engine/worker.ts runs as a worker thread (see Engine.ts)');

const send = (m: FromEngine) => port.postMessage(m);
const core = new EngineCore(send, (workerData ?? {}) as EngineOptions);

port.on('message', (m: EngineRequest | { close: true }) => {
  if ('close' in m) {
    core.close();
    void closeAssembler();
    port.close();
    return;
  }
  core.call(m.op, m.args).then(
    (value) => send({ id: m.id, ok: true, value }),
    (e: unknown) => send({ id: m.id, ok: false, error: e instanceof Error ? e.message : String(e) }),
  );
});
