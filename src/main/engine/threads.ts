/**
 * Starting the pCPU threads of a parallel machine (emulator/machine/parallel.ts) on worker_threads:
 * the emulator says what each thread runs; starting threads is the host's business.
 */
import { Worker } from 'node:worker_threads';
import type { Machine } from '../emulator/machine/Machine.js';
import { ParallelRunner, type SpawnCpuThread } from '../emulator/machine/parallel.js';
import { workerUrl } from './Engine.js';

export const spawnCpuThread: SpawnCpuThread = (data) => {
  const w = new Worker(workerUrl('cpu'), { workerData: { entry: 'cpu', data } });
  w.on('error', (e) => {
    // The runner sees the thread's failed status and throws with the pCPU's number; this says why.
    console.error(`pCPU ${data.index}'s thread failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  });
  w.unref();
  return { terminate: () => void w.terminate() };
};

/**
 * A runner for `machine`'s pCPUs on threads (the machine must have been built with sharedMemory),
 * once its threads have started.
 */
export async function parallelRunner(machine: Machine, timeoutMs = 60_000): Promise<ParallelRunner> {
  const r = new ParallelRunner(machine, spawnCpuThread);
  const until = Date.now() + timeoutMs;
  for (;;) {
    const st = r.startState();
    if (st === 'ready') return r;
    const why =
      st !== 'starting'
        ? `pCPU ${st.failed}'s thread failed to start`
        : Date.now() > until
          ? `the pCPU threads did not start within ${timeoutMs} ms`
          : undefined;
    if (why) {
      r.close();
      throw new Error(why);
    }
    await new Promise((res) => setTimeout(res, 2));
  }
}
