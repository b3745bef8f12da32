// Starts a worker from the TypeScript sources (web mode, CLI, tests): the worker thread needs tsx
// registered on its own before it can import TypeScript. The built Electron app starts the bundled
// worker.js / compareWorker.js / cpuThread.js / asmWorker.js instead (Engine.ts picks).
//
// tsx compiles through esbuild's service, a child process spawned by this worker's module-hooks
// thread: when the worker ends, nobody reaped that child and it stayed a zombie ("[esbuild]
// <defunct>", one per comparison; issue 13). So once the entry's modules are loaded, the service is
// stopped and waited for (esbuild-reaper.mjs; esbuild starts it again if anything is compiled later).
import { register as registerHooks } from 'node:module';
import { MessageChannel, workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

const { port1, port2 } = new MessageChannel();
registerHooks(new URL('./esbuild-reaper.mjs', import.meta.url), { data: { port: port2 }, transferList: [port2] });
register();

async function stopTranspiler() {
  const stopped = new Promise((resolve) => port1.once('message', resolve));
  port1.postMessage('stop');
  await stopped;
  port1.close();
}

const entry = workerData?.entry;
if (entry === 'cpu') {
  // cpuThread.ts's body never returns (it runs the pCPU until terminated): load, stop, then run.
  const { runCpuThread } = await import('../emulator/machine/parallel.ts');
  await stopTranspiler();
  runCpuThread(workerData.data);
} else {
  // compareWorker.ts runs its comparison while it loads; worker.ts installs its message handler.
  await import(entry === 'compare' ? './compareWorker.ts' : entry === 'asm' ? './asmWorker.ts' : './worker.ts');
  await stopTranspiler();
}
