/**
 * A worker for one dual-boot vs hypervisor comparison (compare.ts): it runs both machines flat out
 * on this thread, so the live machine on the engine worker keeps running and the UI stays live.
 * Posts `{ progress, label }` while it runs, then `{ result }` or `{ error }`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { runComparison } from './compare.js';

const port = parentPort;
if (!port) throw new Error('engine/compareWorker.ts runs as a worker thread');
const { workload, disks } = workerData as { workload: string; disks: string[] };
try {
  const result = runComparison(workload, {
    disks,
    onProgress: (done, label) => port.postMessage({ progress: done, label }),
  });
  port.postMessage({ result });
} catch (e) {
  port.postMessage({ error: e instanceof Error ? e.message : String(e) });
}
