/**
 * `npm run bench [-- --json] [-- --filter NAME]`: the speed of both engines (the interpreter and the
 * block translator, `engine` in each line) on guest programs that run like real guests (paging on, user mode, timer ticks, stage 2), each against the same algorithm in
 * plain JavaScript measured in the same run (docs/performance.md). Every figure is the best of
 * several runs; ratios matter more than absolute numbers on a shared machine.
 */
import { parseArgs } from 'node:util';
import { prepareGuest } from './guest.js';
import { debuggerBenches } from './debugger.js';
import { hypervisorBenches } from './hypervisor.js';
import { recordBenches } from './record.js';
import { cliBenches } from './cli.js';
import { consoleBenches } from './console.js';
import { aluNative, fibNative, sieveNative } from './native.js';

interface Bench {
  name: string;
  program: string;
  defines: Record<string, number>;
  dataBytes: number;
  native: () => number;
}

const BENCHES: Bench[] = [
  { name: 'alu', program: 'alu', defines: { ITER: 10_000_000 }, dataBytes: 0, native: () => aluNative(10_000_000) },
  {
    name: 'sieve',
    program: 'sieve',
    defines: { N: 1_000_000, REPS: 3 },
    dataBytes: 1_000_000,
    native: () => sieveNative(1_000_000, 3),
  },
  { name: 'fib', program: 'fib', defines: { N: 27 }, dataBytes: 0, native: () => fibNative(27) },
];

const RUNS = 5;

function best<T extends { ms: number }>(f: () => T, runs = RUNS): T {
  let b: T | undefined;
  for (let i = 0; i < runs; i++) {
    const r = f();
    if (!b || r.ms < b.ms) b = r;
  }
  return b as T;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      json: { type: 'boolean' },
      filter: { type: 'string' },
      engine: { type: 'string' },
      // reverse-step: seconds of machine time recorded (docs/performance.md#record-replay-reverse).
      'record-seconds': { type: 'string' },
      // reverse-step over a recording of this many minutes, at 20 points (the figure).
      minutes: { type: 'string' },
    },
  });
  // --filter a,b runs the lines whose name contains a or b; --engine interp|jit only that engine's.
  const wanted = (name: string) => !values.filter || values.filter.split(',').some((f) => name.includes(f));
  const engines = (['interp', 'jit'] as const).filter((e) => !values.engine || values.engine === e);
  let failed = 0;
  for (const b of BENCHES) {
    if (!wanted(b.name)) continue;
    const native = best(() => {
      const t0 = performance.now();
      const result = b.native();
      return { result, ms: performance.now() - t0 };
    });
    for (const engine of engines) {
      const guest = best(() => prepareGuest(b.program, b.defines, b.dataBytes, engine)());
      const ok = guest.stop?.kind === 'exit' && guest.stop.exitCode === (native.result | 0);
      if (!ok) {
        failed++;
        process.stderr.write(
          `${b.name} (${engine}): wrong result: guest ${JSON.stringify(guest.stop)}, native ${native.result}\n`,
        );
      }
      const line = {
        bench: b.name,
        engine,
        mips: Math.round((guest.instructions / guest.ms / 1000) * 10) / 10,
        nativeRatio: Math.round((guest.ms / native.ms) * 100) / 100,
        instructions: guest.instructions,
        guestMs: Math.round(guest.ms * 10) / 10,
        nativeMs: Math.round(native.ms * 100) / 100,
        ok,
      };
      if (values.json) process.stdout.write(JSON.stringify(line) + '\n');
      else
        process.stdout.write(
          `${b.name.padEnd(8)} ${engine.padEnd(6)} ${String(line.mips).padStart(8)} MIPS   nativeRatio ${String(line.nativeRatio).padStart(6)}   ` +
            `(${line.instructions} instructions in ${line.guestMs} ms; native ${line.nativeMs} ms)${ok ? '' : '  WRONG RESULT'}\n`,
        );
    }
  }
  // What leaving a guest costs: hypercalls, world switches, a partition against bare metal.
  for (const line of await hypervisorBenches(values.filter, engines)) {
    if (values.json) process.stdout.write(JSON.stringify(line) + '\n');
    else process.stdout.write(`${String(line['bench']).padEnd(20)} ${JSON.stringify(line)}\n`);
  }
  // What the debugger costs the guests it does not debug, and the one it does (docs/debugger.md#cost).
  for (const line of debuggerBenches(values.filter, engines)) {
    if (values.json) process.stdout.write(JSON.stringify(line) + '\n');
    else process.stdout.write(`${'debug-overhead'.padEnd(20)} ${JSON.stringify(line)}\n`);
  }
  // Record, replay, reverse (docs/recording.md).
  const minutes = values.minutes === undefined ? undefined : Number(values.minutes);
  const recordSeconds = minutes !== undefined ? minutes * 60 : Number(values['record-seconds'] ?? 60);
  for (const line of await recordBenches(values.filter, recordSeconds, minutes !== undefined ? 20 : 10)) {
    if (values.json) process.stdout.write(JSON.stringify(line) + '\n');
    else process.stdout.write(`${String(line['bench']).padEnd(20)} ${JSON.stringify(line)}\n`);
  }
  // How long the command-line tool takes to start (issue 17's targets).
  for (const line of cliBenches(values.filter)) {
    if (values.json) process.stdout.write(JSON.stringify(line) + '\n');
    else process.stdout.write(`${'cli-start'.padEnd(20)} ${JSON.stringify(line)}\n`);
  }
  // What the page's terminal draws (docs/performance.md#console-throughput), in headless Chromium.
  for (const line of await consoleBenches(values.filter)) {
    if (values.json) process.stdout.write(JSON.stringify(line) + '\n');
    else process.stdout.write(`${String(line['bench']).padEnd(20)} ${JSON.stringify(line)}\n`);
  }
  return failed ? 1 : 0;
}

process.exitCode = await main();
