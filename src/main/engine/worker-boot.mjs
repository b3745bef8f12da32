// Starts a worker from the TypeScript sources (web mode, CLI, tests): the worker thread needs tsx
// registered on its own before it can import TypeScript. The built Electron app starts the bundled
// worker.js / compareWorker.js / cpuThread.js / asmWorker.js instead (Engine.ts picks).
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const ENTRIES = { compare: './compareWorker.ts', cpu: './cpuThread.ts', asm: './asmWorker.ts' };
await import(ENTRIES[workerData?.entry] ?? './worker.ts');
