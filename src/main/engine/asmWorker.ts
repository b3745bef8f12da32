/**
 * The assembler's worker entry (docs/app.md#assembling): runs one assembly at a time for the thread
 * that started it (asmThread.ts), so a source that takes long (up to the assembler's limits,
 * docs/isa.md#limits) never blocks the host's thread or the machine's. `.include`s come from the
 * demo's program folder, read here, or from the asker (a guest's file system on the engine thread):
 * the assembler's readFile is synchronous, so a read is a message on the job's own port and a wait on
 * a shared flag until the asker has put the answer on that port.
 */
import { type MessagePort, parentPort, receiveMessageOnPort } from 'node:worker_threads';
import { assemble } from '../asm/index.js';
import { programInclude, toDiagnostics } from './assembly.js';
import type { AsmJob, AsmJobResult, IncludeReply } from './asmThread.js';

const port = parentPort;
if (!port) throw new Error('engine/asmWorker.ts runs as a worker thread (see asmThread.ts)');

/** Ask the starting thread for an include and wait for its answer (flag 0 -> 1, then reset). */
function askInclude(jobPort: MessagePort, flag: Int32Array, name: string): string | undefined {
  Atomics.store(flag, 0, 0);
  jobPort.postMessage({ read: name });
  for (;;) {
    Atomics.wait(flag, 0, 0);
    const m = receiveMessageOnPort(jobPort);
    if (m) return (m.message as IncludeReply).text;
    // Woken with no message yet (it is posted before the flag is set, so this is only a spurious wake).
    Atomics.store(flag, 0, 0);
  }
}

port.on('message', (job: AsmJob) => {
  let result: AsmJobResult;
  try {
    const flag = job.flag ? new Int32Array(job.flag) : undefined;
    const readFile =
      job.port && flag ? (name: string) => askInclude(job.port!, flag, name) : (name: string) => programInclude(name);
    const r = assemble(job.source, { filename: job.file, readFile });
    result = {
      id: job.id,
      ok: r.ok,
      diagnostics: toDiagnostics(r),
      bytes: r.bytes,
      base: r.base,
      entry: r.entry,
      lineMap: r.lineMap,
      symbolFile: r.symbolFile,
    };
  } catch (e) {
    // assemble() never throws; this is only a bug in this file.
    const message = `internal error: ${e instanceof Error ? e.message : String(e)}`;
    result = {
      id: job.id,
      ok: false,
      diagnostics: [{ file: job.file, line: 1, col: 1, severity: 'error', message }],
      bytes: new Uint8Array(0),
      base: 0,
      entry: 0,
      lineMap: [],
      symbolFile: '',
    };
  }
  job.port?.close();
  port.postMessage(result, [result.bytes.buffer as ArrayBuffer]);
});
