/**
 * `hyperdesk boot [--mode dualboot] [--disk PATH ...] [--select NAME] [--cpus N] [--mem SIZE]`:
 * power on a machine with the given disks (default: disks/hyperdesk.img, built from resources/ when
 * missing or stale), its boot loader and console 0 on this terminal, paced to wall-clock time
 * (docs/boot.md). Exits with the guest's exit code when it halts.
 */
import { TIMEBASE } from '../emulator/machine/board.js';
import { Firmware } from '../emulator/firmware/Firmware.js';
import { Hypervisor } from '../emulator/hypervisor/Hypervisor.js';
import { controllingOsImage } from '../emulator/hypervisor/controllingOs.js';
import { ConsoleMux } from './consoles.js';
import { SwapFiles } from '../disk/swapFiles.js';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ParallelRunner } from '../emulator/machine/parallel.js';
import { parallelRunner } from '../engine/threads.js';
import { Machine } from '../emulator/machine/Machine.js';
import type { BlockBackend } from '../emulator/devices/disk/BlockBackend.js';
import { FileBlockBackend } from '../disk/FileBlockBackend.js';
import { openDisks } from '../disk/openDisks.js';
import { describeStop, parseSize } from './run.js';
import { stdoutSink, terminalLoop } from './terminal.js';
import { UART_RX_FIFO } from '../emulator/devices/uart/Uart.js';
import { formatStats } from './stats.js';

export interface BootOptions {
  mode: string;
  /** Hypervisor mode: the guest whose console gets the terminal (default: all, prefixed; keys to ctl). */
  console?: string;
  /** Hypervisor mode: the bootable partition to run as the Controlling OS (default ctl). */
  ctl?: string;
  /** Hypervisor mode: write the bridge's capture to this pcap file at exit. */
  pcap?: string;
  disk: string[];
  select?: string;
  cpus: number;
  mem: string;
  timeout: number;
  readOnly?: boolean;
  unpaced?: boolean;
  /** Hypervisor mode: each pCPU on a thread of its own (ParallelRunner) instead of all on this one. */
  threads?: boolean;
  /** Print the machine's counters to stderr at exit (cli/stats.ts). */
  stats?: boolean;
}

export async function bootCommand(opts: BootOptions): Promise<number> {
  if (opts.mode !== 'dualboot' && opts.mode !== 'hypervisor') {
    process.stderr.write(`error: --mode must be dualboot or hypervisor, got '${opts.mode}'\n`);
    return 2;
  }
  const mem = parseSize(opts.mem);
  if (mem === undefined || mem < 1 << 20 || mem % 4096 !== 0 || mem > 0x8000_0000) {
    process.stderr.write(
      `error: --mem needs a size like 32M (at least 1M, a multiple of 4K, at most 2G), got '${opts.mem}'\n`,
    );
    return 2;
  }
  const opened = await openDisks(opts.disk, { readOnly: opts.readOnly });
  if (typeof opened === 'string') {
    process.stderr.write(`error: ${opened}\n`);
    return 1;
  }
  const disks: BlockBackend[] = opened.disks;
  if (opts.mode === 'hypervisor') return bootHypervisor(opts, mem, disks);
  const sink = stdoutSink();
  let machine: Machine;
  try {
    machine = new Machine({
      cpus: opts.cpus,
      memBytes: mem,
      console: sink,
      disks,
      rtcEpochSeconds: Math.floor(Date.now() / 1000),
    });
  } catch (e) {
    process.stderr.write(`error: ${(e as Error).message}\n`);
    return 2;
  }
  const fw = new Firmware(machine, { select: opts.select, timeoutSeconds: opts.timeout });
  fw.powerOn();
  let menuTime = 0;
  const statsSince = performance.now();
  const { result, quit } = await terminalLoop(
    {
      paced: !opts.unpaced,
      chunk: TIMEBASE / 100,
      machineTime: () => (fw.state === 'running' ? machine.time + menuTime : menuTime),
      input: (b) => machine.uart.input(b),
      pendingInput: () => machine.uart.pendingInput,
      inputRoom: () => UART_RX_FIFO - machine.uart.pendingInput,
      step: (cycles) => {
        if (fw.state !== 'running') menuTime += cycles;
        return fw.run(cycles);
      },
    },
    sink.flush,
  );
  if (opts.stats) process.stderr.write(formatStats(machine.cpus, (performance.now() - statsSince) / 1000));
  for (const d of disks) (d as FileBlockBackend).flush();
  if (quit) return 130;
  if (!result) return 0;
  if (result.kind === 'unhandled-trap') {
    process.stderr.write(describeStop(result));
    return result.exitCode;
  }
  if (result.kind === 'idle' && fw.state === 'failed') return 1;
  return result.exitCode & 0xff;
}

/** Hypervisor mode (docs/hypercalls.md#boot-in-hypervisor-mode-m13): ctl boots with everything. */
async function bootHypervisor(opts: BootOptions, mem: number, disks: BlockBackend[]): Promise<number> {
  const ctlName = (opts.ctl ?? 'ctl').toLowerCase();
  const image = controllingOsImage(disks, mem, ctlName);
  if (typeof image === 'string') {
    process.stderr.write(`error: ${image}\n`);
    return 1;
  }
  const only = opts.console?.toLowerCase();
  const mux = new ConsoleMux((b) => process.stdout.write(b));
  const raw = stdoutSink();
  const sinkFor = (name: string) =>
    only === undefined ? mux.sink(name) : only === name.toLowerCase() ? raw : { write: () => {} };
  let machine: Machine;
  let hv: Hypervisor;
  try {
    machine = new Machine({
      cpus: opts.cpus,
      memBytes: mem,
      console: sinkFor(ctlName),
      disks,
      rtcEpochSeconds: Math.floor(Date.now() / 1000),
      sharedMemory: opts.threads,
    });
    hv = new Hypervisor(machine, {
      consoleFor: (p) => sinkFor(p.name),
      rtcEpochSeconds: Math.floor(Date.now() / 1000),
      swap: new SwapFiles(join(dirname(disks[0] instanceof FileBlockBackend ? disks[0].path : 'disks/x'), 'swap')),
    });
    hv.bootControllingOs(image);
  } catch (e) {
    process.stderr.write(`error: ${(e as Error).message}\n`);
    return 2;
  }
  let runner: ParallelRunner | undefined;
  if (opts.threads) {
    try {
      runner = await parallelRunner(machine);
    } catch (e) {
      process.stderr.write(`error: cannot start the pCPU threads: ${(e as Error).message}\n`);
      return 2;
    }
  }
  const target = () =>
    only === undefined || only === ctlName
      ? undefined
      : [...hv.partitions.values()].find((p) => p.name.toLowerCase() === only);
  const statsSince = performance.now();
  const { result, quit } = await terminalLoop(
    {
      paced: !opts.unpaced,
      chunk: TIMEBASE / 100,
      machineTime: () => machine.time,
      input: (b) => {
        const p = target();
        if (p) hv.consoleInput(p.id, b);
        else machine.uart.input(b);
      },
      pendingInput: () => {
        const p = target();
        return p ? (hv.vconsoles.get(p.id)?.pendingInput ?? 0) : machine.uart.pendingInput;
      },
      inputRoom: () => {
        const p = target();
        const pending = p ? (hv.vconsoles.get(p.id)?.pendingInput ?? UART_RX_FIFO) : machine.uart.pendingInput;
        return UART_RX_FIFO - pending;
      },
      step: (cycles) => (runner ? runner.run(cycles) : machine.run(cycles)),
    },
    () => {
      mux.flush();
      raw.flush();
    },
  );
  runner?.close();
  // With --threads the pCPUs ran on their own threads: these are the machine thread's copies.
  if (opts.stats) process.stderr.write(formatStats(machine.cpus, (performance.now() - statsSince) / 1000));
  for (const d of disks) (d as FileBlockBackend).flush();
  if (opts.pcap) {
    try {
      writeFileSync(opts.pcap, hv.bridge.pcap());
      process.stderr.write(`wrote the virtual bridge's capture to ${opts.pcap}\n`);
    } catch (e) {
      process.stderr.write(`error: cannot write ${opts.pcap}: ${(e as Error).message}\n`);
    }
  }
  if (quit) return 130;
  return result ? result.exitCode & 0xff : 0;
}
