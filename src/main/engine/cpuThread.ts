/**
 * The entry of a pCPU thread of a parallel machine (emulator/machine/parallel.ts): it runs one pCPU
 * until the machine's runner closes it.
 */
import { workerData } from 'node:worker_threads';
import { runCpuThread, type CpuThreadData } from '../emulator/machine/parallel.js';

runCpuThread((workerData as { data: CpuThreadData }).data);
