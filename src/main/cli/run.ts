/**
 * `hyperdesk run FILE.s|FILE.bin`: a bare machine with its console on this terminal (docs/isa.md#bare-machine).
 * Keystrokes go to the UART; Ctrl-] quits. Exits with the program's exit code; an unhandled trap
 * prints its cause, pc and disassembly and exits with 128 + cause.
 */
import { readFileSync } from 'node:fs';
import { disassemble } from '../../shared/isa/disasm.js';
import type { StopReport } from '../emulator/machine/Machine.js';
import { Machine } from '../emulator/machine/Machine.js';
import { Jit } from '../emulator/cpu/jit/Jit.js';
import { TIMEBASE } from '../emulator/machine/board.js';
import { runCpu } from '../emulator/cpu/run.js';
import { assembleOrReport } from './report.js';
import { stdoutSink, terminalLoop } from './terminal.js';
import { UART_RX_FIFO } from '../emulator/devices/uart/Uart.js';
import type { RunOptions } from './index.js';
import { formatStats } from '../host/cliStats.js';

export function parseSize(s: string): number | undefined {
  const m = /^(\d+)([kKmMgG]?)$/.exec(s.trim());
  if (!m) return undefined;
  const mult = { '': 1, k: 1024, m: 1 << 20, g: 1 << 30 }[m[2].toLowerCase() as '' | 'k' | 'm' | 'g'];
  return Number(m[1]) * mult;
}

const hex = (n: number) => '0x' + (n >>> 0).toString(16).padStart(8, '0');

export function describeStop(r: StopReport): string {
  if (r.kind === 'unhandled-trap' && r.trap) {
    const t = r.trap;
    return (
      `error: unhandled trap ${t.causeName} (cause ${t.cause >>> 0}) on pCPU ${t.cpu} in ${t.modeName} mode\n` +
      `  at pc ${hex(t.pc)}: ${t.disassembly}\n` +
      `  badaddr ${hex(t.badaddr)}\n`
    );
  }
  return '';
}

export async function runCommand(file: string, opts: RunOptions): Promise<number> {
  const mem = parseSize(opts.mem);
  if (mem === undefined || mem < 4096 || mem % 4096 !== 0 || mem > 0x8000_0000) {
    process.stderr.write(`error: --mem needs a size like 16M (a multiple of 4K, at most 2G), got '${opts.mem}'\n`);
    return 2;
  }
  let image: Uint8Array;
  let base = opts.base;
  let entry = opts.base;
  if (/\.bin$/i.test(file)) {
    try {
      image = new Uint8Array(readFileSync(file));
    } catch (e) {
      process.stderr.write(`${file}: error: cannot read file: ${(e as NodeJS.ErrnoException).code ?? e}\n`);
      return 1;
    }
  } else {
    const r = assembleOrReport(file);
    if (!r) return 1;
    image = r.bytes;
    base = r.base;
    entry = r.entry;
  }
  if (base + image.length > mem) {
    process.stderr.write(
      `error: the program (${image.length} bytes at ${hex(base)}) does not fit in ${opts.mem} of memory\n`,
    );
    return 1;
  }

  const sink = stdoutSink();
  let machine: Machine;
  try {
    machine = new Machine({
      cpus: opts.cpus,
      memBytes: mem,
      console: sink,
      stopOnUnsetVector: true,
      engine: opts.engine,
    });
  } catch (e) {
    process.stderr.write(`error: ${(e as Error).message}\n`);
    return 2;
  }
  machine.load(base, image);
  for (const c of machine.cpus) c.pc = entry;

  const limit = opts.maxInstructions ?? Infinity;
  const statsSince = performance.now();
  const { result, quit } = await terminalLoop<StopReport>(
    {
      paced: false,
      timebase: TIMEBASE,
      machineTime: () => machine.time,
      input: (b) => machine.uart.input(b),
      pendingInput: () => machine.uart.pendingInput,
      inputRoom: () => UART_RX_FIFO - machine.uart.pendingInput,
      limit: () => (machine.instructions() >= limit ? { kind: 'limit', exitCode: 124 } : null),
      step: (cycles) => {
        if (!opts.trace) return machine.run(Math.min(cycles, limit - machine.instructions()));
        const cpu = machine.cpus[0];
        const w = machine.peekVirtual(cpu, cpu.pc);
        process.stderr.write(`${hex(cpu.pc)}  ${w === undefined ? '??' : disassemble(w, cpu.pc)}\n`);
        runCpu(cpu, 1);
        return machine.stopped;
      },
    },
    sink.flush,
  );
  if (opts.stats) process.stderr.write(formatStats(machine.cpus, (performance.now() - statsSince) / 1000));
  if (quit) return 130;
  if (!result) {
    process.stderr.write('error: the machine is idle (every pCPU waits for an interrupt that cannot come)\n');
    return 3;
  }
  if (result.kind === 'limit') {
    // With the translator, how much of the run it compiled (and so that it ran at all).
    const regions = machine.cpus.reduce((n, c) => n + (c.jit instanceof Jit ? c.jit.stats.regions : 0), 0);
    const engine = opts.engine === 'jit' ? `, translator: ${regions} region(s) compiled` : '';
    process.stderr.write(`stopped after ${machine.instructions()} instructions (--max-instructions${engine})\n`);
    return 124;
  }
  if (result.kind === 'unhandled-trap') {
    process.stderr.write(describeStop(result));
    return result.exitCode;
  }
  return result.exitCode & 0xff;
}
