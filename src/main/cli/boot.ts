/**
 * `hyperdesk boot [--mode dualboot] [--disk PATH ...] [--select NAME] [--cpus N] [--mem SIZE]`:
 * power on a machine with the given disks (default: disks/hyperdesk.img, built from resources/ when
 * missing or stale), its boot loader and console 0 on this terminal, paced to wall-clock time
 * (docs/boot.md). Exits with the guest's exit code when it halts.
 */
import { TIMEBASE } from '../emulator/machine/board.js';
import { Firmware } from '../emulator/firmware/Firmware.js';
import { Machine } from '../emulator/machine/Machine.js';
import type { BlockBackend } from '../emulator/devices/disk/BlockBackend.js';
import { FileBlockBackend } from '../disk/FileBlockBackend.js';
import { describeStop, parseSize } from './run.js';
import { stdoutSink, terminalLoop } from './terminal.js';
import { UART_RX_FIFO } from '../emulator/devices/uart/Uart.js';

export interface BootOptions {
  mode: string;
  disk: string[];
  select?: string;
  cpus: number;
  mem: string;
  timeout: number;
  readOnly?: boolean;
  unpaced?: boolean;
}

export async function bootCommand(opts: BootOptions): Promise<number> {
  if (opts.mode !== 'dualboot') {
    process.stderr.write(
      `error: --mode ${opts.mode} is not available yet (only dualboot; hypervisor mode comes with the hypervisor)\n`,
    );
    return 2;
  }
  const mem = parseSize(opts.mem);
  if (mem === undefined || mem < 1 << 20 || mem % 4096 !== 0 || mem > 0x8000_0000) {
    process.stderr.write(
      `error: --mem needs a size like 32M (at least 1M, a multiple of 4K, at most 2G), got '${opts.mem}'\n`,
    );
    return 2;
  }
  let paths = opts.disk;
  if (paths.length === 0) {
    const { ensureDisks } = await import('../../../scripts/build-disks.js');
    try {
      paths = [await ensureDisks()];
    } catch (e) {
      process.stderr.write(`error: cannot build the default disk image: ${(e as Error).message}\n`);
      return 1;
    }
  }
  const disks: BlockBackend[] = [];
  for (const p of paths) {
    const d = FileBlockBackend.open(p, { readOnly: opts.readOnly });
    if (d instanceof Error) {
      process.stderr.write(`${p}: ${d.message}\n`);
      return 1;
    }
    disks.push(d);
  }
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
