/**
 * Power-on (docs/architecture.md#power-on): one function takes a machine configuration, its disks
 * and a mode and returns a running machine. The engine's Session, `hyperdesk boot`, the comparison
 * runner and the test harnesses all start machines here, so what a mode means (the firmware's menu in
 * dual boot; ctl as partition 0 with every resource under the hypervisor, swap files beside disk 0)
 * is written once.
 *
 * `powerOn` works on block backends the caller already has (in-memory copies, open files) and runs
 * on the caller's thread; `powerOnFiles` opens image files, calls it, and starts the pCPU threads
 * when asked. On any error the answer is a PowerOnError (its stage and message) and nothing stays
 * open.
 */
import { dirname, join } from 'node:path';
import type { BlockBackend } from '../emulator/devices/disk/BlockBackend.js';
import { Firmware } from '../emulator/firmware/Firmware.js';
import { Hypervisor } from '../emulator/hypervisor/Hypervisor.js';
import { controllingOsImage } from '../emulator/hypervisor/controllingOs.js';
import type { Partition, PartitionEvent } from '../emulator/hypervisor/Partition.js';
import type { SwapStore } from '../emulator/hypervisor/swap.js';
import type { ConsoleSink } from '../emulator/devices/uart/Uart.js';
import { UART_RX_FIFO } from '../emulator/devices/uart/Uart.js';
import { Machine, type StopReport } from '../emulator/machine/Machine.js';
export { TIMEBASE } from '../emulator/machine/board.js';
import type { ParallelRunner } from '../emulator/machine/parallel.js';
import { DiskChain } from '../disk/DiskChain.js';
import { openDisks } from '../disk/openDisks.js';
import { SwapFiles } from '../disk/swapFiles.js';
import { parallelRunner } from './threads.js';

export type PowerMode = 'dualboot' | 'hypervisor';

/** An image the hypervisor boots as the Controlling OS, as `bootControllingOs` takes it. */
export type ControllingOsBoot = Parameters<Hypervisor['bootControllingOs']>[0];

/** What differs between the callers; everything else is the same for all of them. */
export interface PowerOnOptions {
  mode: PowerMode;
  cpus: number;
  memBytes: number;
  /** The pCPUs' execution engine (default the interpreter). */
  engine?: 'interp' | 'jit';
  /** Console 0 (uart0): the OS's console in dual boot, ctl's under the hypervisor. */
  console?: ConsoleSink;
  /** Hypervisor mode: a client partition's console (default: its output is dropped). */
  consoleFor?(p: Partition): ConsoleSink;
  /** Network cards (the Machine's default otherwise). */
  nics?: number;
  /** Wall-clock seconds at power-on for the rtc (default: the host's clock now). */
  rtcEpochSeconds?: number;
  /**
   * Hypervisor mode: where swapped-out partitions go. Default: files in a `swap` folder beside disk
   * 0 when it is an image file (docs/hypercalls.md, M17), else memory.
   */
  swap?: SwapStore;
  /** Hypervisor mode: RAM kept at the top for stage-2 tables (the Hypervisor's default otherwise). */
  reserveBytes?: number;
  /** Hypervisor mode: every partition event as it happens. */
  onEvent?(e: PartitionEvent): void;
  /**
   * RAM shared with other threads so that each pCPU can run on a thread of its own
   * (docs/architecture.md#parallel-smp); `powerOnFiles` then starts the threads.
   */
  threads?: boolean;
  /** Dual boot: the entry to boot at once (name, its first word, or diskN:P); else the menu. */
  select?: string;
  /** Dual boot: seconds the menu counts down (the firmware's default otherwise). */
  timeoutSeconds?: number;
  /** Dual boot: fail unless the selected entry boots at once (no menu). */
  requireSelected?: boolean;
  /** Hypervisor mode: the Controlling OS, by its name on the disks (default ctl) or as an image. */
  ctl?: string | ControllingOsBoot;
}

/**
 * Why a machine did not power on, and at which stage: `config` (a bad machine description), `disk`
 * (an image file that cannot be opened), `boot` (nothing to boot on the disks), `threads` (the pCPU
 * threads did not start).
 */
export class PowerOnError {
  constructor(
    readonly stage: 'config' | 'disk' | 'boot' | 'threads',
    readonly message: string,
  ) {}

  toString(): string {
    return this.message;
  }
}

/** A machine that was powered on, and what runs it. */
export class PoweredMachine {
  /** The pCPUs' threads (options.threads after powerOnFiles), or undefined: all on this thread. */
  parallel: ParallelRunner | undefined;
  /**
   * Machine time the firmware's menu waited for a key (the machine's clock does not move then).
   * Public for snapshots, which save and restore it (engine/snapshots.ts).
   */
  menuCycles = 0;

  constructor(
    readonly mode: PowerMode,
    readonly machine: Machine,
    readonly disks: readonly BlockBackend[],
    /** The firmware (dual boot). */
    public fw: Firmware | undefined,
    /** The hypervisor (hypervisor mode). */
    readonly hv: Hypervisor | undefined,
    /** Backends opened by powerOnFiles, which close() closes (a caller's own backends stay open). */
    private readonly owned: readonly { close(): unknown }[] = [],
  ) {}

  /** Machine time in cycles, the firmware's menu included (so a timeout there advances). */
  get cycles(): number {
    return this.machine.time + this.menuCycles;
  }

  /**
   * Runs up to `cycles` of machine time: through the firmware in dual boot (its menu, and back to
   * it after a reset), on the pCPU threads when started, else on this thread.
   */
  run(cycles: number): StopReport | null {
    if (this.fw) {
      if (this.fw.state !== 'running') this.menuCycles += cycles;
      return this.fw.run(cycles);
    }
    return this.parallel ? this.parallel.run(cycles) : this.machine.run(cycles);
  }

  /** Dual boot: power on again through the firmware, booting `select` at once when given. */
  reboot(select?: string, requireSelected = false): PowerOnError | undefined {
    const old = this.fw?.opts ?? {};
    this.fw = new Firmware(this.machine, { ...old, select: select ?? old.select });
    this.fw.powerOn();
    return firmwareProblem(this.fw, requireSelected);
  }

  /** The partition a guest id names (0: uart0's owner: the OS, or ctl), for console input. */
  private partitionId(guest: number): number | undefined {
    if (guest === 0 || !this.hv) return guest === 0 ? 0 : undefined;
    return this.hv.vconsoles.has(guest) ? guest : undefined;
  }

  /** Keys for guest `guest`'s console (0: uart0); false when there is no such console. */
  input(guest: number, bytes: Iterable<number>): boolean {
    const id = this.partitionId(guest);
    if (id === undefined) return false;
    if (id === 0) this.machine.uart.input(bytes);
    else this.hv!.consoleInput(id, bytes);
    return true;
  }

  /** Bytes guest `guest`'s console has not read yet (0 for no such console). */
  pendingInput(guest: number): number {
    const id = this.partitionId(guest);
    if (id === undefined) return 0;
    return id === 0 ? this.machine.uart.pendingInput : (this.hv!.vconsoles.get(id)?.pendingInput ?? 0);
  }

  /** Free space in guest `guest`'s receive FIFO (0 for no such console). */
  inputRoom(guest: number): number {
    return this.partitionId(guest) === undefined ? 0 : UART_RX_FIFO - this.pendingInput(guest);
  }

  /** Makes every completed disk write durable; the first problem, or undefined. */
  flush(): string | undefined {
    let problem: string | undefined;
    this.disks.forEach((d, n) => {
      const r = d.flush();
      if (r instanceof Error) problem ??= `disk${n}: ${r.message}`;
    });
    return problem;
  }

  /** Stops the pCPU threads and closes the disk files powerOnFiles opened (flushing them). */
  close(): void {
    this.parallel?.close();
    this.parallel = undefined;
    for (const d of this.owned) d.close();
  }
}

function firmwareProblem(fw: Firmware, requireSelected: boolean): PowerOnError | undefined {
  if (requireSelected && fw.state !== 'running') {
    const why = fw.problems.join('; ') || 'not on the disks';
    return new PowerOnError('boot', `the boot loader cannot boot ${fw.opts.select ?? 'an OS'}: ${why}`);
  }
  const found = fw.problems.length ? ` (${fw.problems.join('; ')})` : '';
  if (fw.state === 'failed') return new PowerOnError('boot', `no bootable partition on the disks${found}`);
  return undefined;
}

/**
 * Powers a machine on over the given backends, on this thread. The answer is the running machine or
 * why it cannot run (a bad configuration, no Controlling OS on the disks, no bootable partition).
 */
export function powerOn(opts: PowerOnOptions, disks: readonly BlockBackend[]): PoweredMachine | PowerOnError {
  if (opts.mode !== 'dualboot' && opts.mode !== 'hypervisor')
    return new PowerOnError('config', `the mode must be dualboot or hypervisor, got '${String(opts.mode)}'`);
  const epoch = opts.rtcEpochSeconds ?? Math.floor(Date.now() / 1000);
  let machine: Machine;
  try {
    machine = new Machine({
      cpus: opts.cpus,
      memBytes: opts.memBytes,
      console: opts.console,
      disks: [...disks],
      ...(opts.nics !== undefined ? { nics: opts.nics } : {}),
      rtcEpochSeconds: epoch,
      engine: opts.engine ?? 'interp',
      sharedMemory: opts.threads === true,
    });
  } catch (e) {
    return new PowerOnError('config', (e as Error).message);
  }
  if (opts.mode === 'dualboot') {
    const fw = new Firmware(machine, {
      select: opts.select,
      ...(opts.timeoutSeconds !== undefined ? { timeoutSeconds: opts.timeoutSeconds } : {}),
    });
    fw.powerOn();
    const problem = firmwareProblem(fw, opts.requireSelected === true);
    return problem ?? new PoweredMachine('dualboot', machine, disks, fw, undefined);
  }
  const disk0 = disks[0];
  const swap =
    opts.swap ?? (disk0 instanceof DiskChain ? new SwapFiles(join(dirname(disk0.imagePath), 'swap')) : undefined);
  let hv: Hypervisor;
  try {
    hv = new Hypervisor(machine, {
      consoleFor: opts.consoleFor ?? (() => ({ write: () => {} })),
      rtcEpochSeconds: epoch,
      ...(swap ? { swap } : {}),
      ...(opts.reserveBytes !== undefined ? { reserveBytes: opts.reserveBytes } : {}),
      ...(opts.onEvent ? { onEvent: opts.onEvent } : {}),
    });
  } catch (e) {
    return new PowerOnError('config', (e as Error).message);
  }
  // The machine's description is good; now what the disks hold (docs/hypercalls.md#boot-in-hypervisor-mode-m13).
  const image =
    typeof opts.ctl === 'object' ? opts.ctl : controllingOsImage(disks, machine.mem.size, opts.ctl ?? 'ctl');
  if (typeof image === 'string') return new PowerOnError('boot', image);
  try {
    hv.bootControllingOs(image);
  } catch (e) {
    return new PowerOnError('boot', `the Controlling OS cannot start: ${(e as Error).message}`);
  }
  return new PoweredMachine('hypervisor', machine, disks, undefined, hv);
}

/**
 * Opens the image files `paths` (read-only if asked), powers the machine on over them and starts
 * the pCPU threads when `threads` is set. On an error nothing stays open.
 */
export async function powerOnFiles(
  opts: PowerOnOptions,
  paths: readonly string[],
  fileOptions: { readOnly?: boolean } = {},
): Promise<{ powered: PoweredMachine; paths: string[] } | PowerOnError> {
  if (paths.length === 0) return new PowerOnError('disk', 'no disk image given');
  const opened = await openDisks(paths, { readOnly: fileOptions.readOnly });
  if (typeof opened === 'string') return new PowerOnError('disk', opened);
  const closeAll = () => opened.disks.forEach((d) => d.close());
  const made = powerOn(opts, opened.disks);
  if (made instanceof PowerOnError) {
    closeAll();
    return made;
  }
  const powered = new PoweredMachine(made.mode, made.machine, made.disks, made.fw, made.hv, opened.disks);
  if (opts.threads) {
    try {
      powered.parallel = await parallelRunner(powered.machine);
    } catch (e) {
      powered.close();
      return new PowerOnError('threads', `cannot start the pCPU threads: ${(e as Error).message}`);
    }
  }
  return { powered, paths: opened.paths };
}
