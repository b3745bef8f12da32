/**
 * A worker for one dual-boot vs hypervisor comparison (compare.ts): it runs both machines flat out
 * on this thread, so the live machine on the engine worker keeps running and the UI stays live.
 * Posts `{ progress, label }` while it runs, then `{ result }` or `{ error }`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { CompareChoice } from '../../shared/api.js';
import { findWorkload, runWorkload } from './compare.js';
import { customWorkload } from './workloads.js';

const port = parentPort;
if (!port) throw new Error('engine/compareWorker.ts runs as a worker thread');
const { choice, disks } = workerData as { choice: CompareChoice; disks: string[] };
try {
  // The host checked the choice (host.ts compareWith): a named workload, or the user's commands.
  const custom =
    choice.cos !== undefined && choice.swos !== undefined ? customWorkload(choice.cos, choice.swos) : undefined;
  if (typeof custom === 'string') throw new Error(custom);
  const result = runWorkload(custom ?? findWorkload(choice.workload ?? ''), {
    disks,
    onProgress: (done, label) => port.postMessage({ progress: done, label }),
    ...(choice.engine ? { engine: choice.engine } : {}),
    ...(choice.technique ? { technique: choice.technique } : {}),
  });
  port.postMessage({ result });
} catch (e) {
  port.postMessage({ error: e instanceof Error ? e.message : String(e) });
}
