/**
 * `hyperdesk boot [--mode dualboot] [--disk PATH ...] [--select NAME] [--cpus N] [--mem SIZE]`:
 * power on a machine with the given disks (default: disks/hyperdesk.img, built from resources/ when
 * missing or stale), its boot loader and console 0 on this terminal, paced to wall-clock time
 * (docs/boot.md). Exits with the guest's exit code when it halts.
 */
import { writeFileSync } from 'node:fs';
import { PowerOnError, powerOnFiles, TIMEBASE } from '../engine/powerOn.js';
import { ensureDisks } from '../host/disks.js';
import { ConsoleMux } from './consoles.js';
import { bootSnapshots } from '../host/bootSnapshots.js';
import { describeStop, parseSize } from './run.js';
import { stdoutKeepsUp, stdoutSink, terminalLoop } from './terminal.js';
import { formatStats } from '../host/cliStats.js';
import { bootRecording, consoleTaps, type BootRecording } from '../host/bootRecording.js';
import type { PoweredMachine } from '../engine/powerOn.js';

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
  /** Network cards on the board (default 1): nic0, nic1, ... under netctl. */
  nics?: number;
  timeout: number;
  readOnly?: boolean;
  unpaced?: boolean;
  /** Hypervisor mode: each pCPU on a thread of its own (ParallelRunner) instead of all on this one. */
  threads?: boolean;
  /** The interpreter or the block translator (every guest, in hypervisor mode). */
  engine?: 'interp' | 'jit';
  /** Start from this snapshot of the data folder (docs/snapshots.md). */
  restore?: string;
  /** Save the machine as this snapshot when the console detaches or the machine stops. */
  saveAtExit?: string;
  /** Print the machine's counters to stderr at exit (host/cliStats.ts). */
  stats?: boolean;
  /** Record the session as this recording of the data folder (docs/recording.md#from-the-command-line). */
  record?: string;
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
  if (opts.disk.length === 0) {
    try {
      opts = { ...opts, disk: [await ensureDisks()] };
    } catch (e) {
      process.stderr.write(`error: cannot build the default disk image: ${(e as Error).message}\n`);
      return 1;
    }
  }
  if (opts.mode === 'hypervisor') return bootHypervisor(opts, mem);
  const sink = stdoutSink();
  const taps = consoleTaps();
  // docs/architecture.md#power-on: the same power-on as the app's engine, the comparison and the tests.
  const started = await powerOnFiles(
    {
      mode: 'dualboot',
      cpus: opts.cpus,
      memBytes: mem,
      ...(opts.nics !== undefined ? { nics: opts.nics } : {}),
      console: opts.record === undefined ? sink : taps.tap(0, sink),
      select: opts.select,
      timeoutSeconds: opts.timeout,
      engine: opts.engine,
    },
    opts.disk,
    { readOnly: opts.readOnly },
  );
  if (started instanceof PowerOnError) return fail(started, sink);
  const { powered } = started;
  const config = { mode: 'dualboot' as const, cpus: opts.cpus, memMiB: mem / (1 << 20) };
  const snaps = bootSnapshots(opts, powered, config);
  const rec = typeof snaps === 'string' ? undefined : startRecording(opts, powered, config, taps);
  if (typeof snaps === 'string' || typeof rec === 'string') {
    powered.close();
    process.stderr.write(`error: ${typeof snaps === 'string' ? snaps : rec}\n`);
    return 1;
  }
  const statsSince = performance.now();
  const { result, quit } = await terminalLoop(
    {
      paced: !opts.unpaced,
      timebase: TIMEBASE,
      chunk: TIMEBASE / 100,
      machineTime: () => powered.cycles,
      input: (b) => {
        if (powered.input(0, b)) rec?.input(0, b);
      },
      pendingInput: () => powered.pendingInput(0),
      inputRoom: () => powered.inputRoom(0),
      step: (cycles) => (rec ? rec.run(cycles) : powered.run(cycles)),
    },
    sink.flush,
  );
  // With --threads the pCPUs ran on threads of their own: these are the machine thread's copies.
  if (opts.stats) process.stderr.write(formatStats(powered.machine.cpus, (performance.now() - statsSince) / 1000));
  const recProblem = rec?.atExit(quit ? 'the console detached' : 'the machine stopped');
  const saveProblem = snaps.atExit();
  powered.close();
  if (saveProblem || recProblem) return saveProblem ?? recProblem!;
  if (quit) return 130;
  if (!result) return 0;
  if (result.kind === 'unhandled-trap') {
    process.stderr.write(describeStop(result));
    return result.exitCode;
  }
  if (result.kind === 'idle' && powered.fw?.state === 'failed') return 1;
  return result.exitCode & 0xff;
}

/**
 * A machine that could not power on: what the boot loader printed, then why. A disk that cannot be
 * opened or holds nothing to boot is exit code 1, a bad machine description or no threads 2.
 */
function fail(e: PowerOnError, sink: { flush(): void }): number {
  sink.flush();
  process.stderr.write(`error: ${e.message}\n`);
  return e.stage === 'disk' || e.stage === 'boot' ? 1 : 2;
}

/** Hypervisor mode (docs/hypercalls.md#boot-in-hypervisor-mode-m13): ctl boots with everything. */
async function bootHypervisor(opts: BootOptions, mem: number): Promise<number> {
  const ctlName = (opts.ctl ?? 'ctl').toLowerCase();
  const only = opts.console?.toLowerCase();
  const mux = new ConsoleMux((b) => process.stdout.write(b), stdoutKeepsUp);
  const raw = stdoutSink();
  const taps = consoleTaps();
  const shown = (name: string) =>
    only === undefined ? mux.sink(name) : only === name.toLowerCase() ? raw : { write: () => {} };
  // With --record every console's bytes are digested too, by guest id (0: ctl's uart0).
  const sinkFor = (name: string, guest: number) =>
    opts.record === undefined ? shown(name) : taps.tap(guest, shown(name));
  const started = await powerOnFiles(
    {
      mode: 'hypervisor',
      cpus: opts.cpus,
      memBytes: mem,
      ...(opts.nics !== undefined ? { nics: opts.nics } : {}),
      console: sinkFor(ctlName, 0),
      consoleFor: (p) => sinkFor(p.name, p.id),
      ctl: ctlName,
      threads: opts.threads === true,
      engine: opts.engine,
    },
    opts.disk,
    { readOnly: opts.readOnly },
  );
  if (started instanceof PowerOnError) return fail(started, raw);
  const { powered } = started;
  const hv = powered.hv!;
  const config = { mode: 'hypervisor' as const, cpus: opts.cpus, memMiB: mem / (1 << 20) };
  const snaps = bootSnapshots(opts, powered, config);
  const rec = typeof snaps === 'string' ? undefined : startRecording(opts, powered, config, taps);
  if (typeof snaps === 'string' || typeof rec === 'string') {
    powered.close();
    process.stderr.write(`error: ${typeof snaps === 'string' ? snaps : rec}\n`);
    return 1;
  }
  // Keys go to the chosen guest once ctl has started it, to ctl (uart0) until then.
  const target = () =>
    only === undefined || only === ctlName
      ? 0
      : ([...hv.partitions.values()].find((p) => p.name.toLowerCase() === only)?.id ?? 0);
  const statsSince = performance.now();
  const { result, quit } = await terminalLoop(
    {
      paced: !opts.unpaced,
      timebase: TIMEBASE,
      chunk: TIMEBASE / 100,
      machineTime: () => powered.cycles,
      input: (b) => {
        const g = target();
        if (powered.input(g, b)) rec?.input(g, b);
      },
      pendingInput: () => powered.pendingInput(target()),
      inputRoom: () => powered.inputRoom(target()),
      step: (cycles) => (rec ? rec.run(cycles) : powered.run(cycles)),
    },
    () => {
      mux.flush();
      raw.flush();
    },
  );
  // With --threads the pCPUs ran on threads of their own: these are the machine thread's copies.
  if (opts.stats) process.stderr.write(formatStats(powered.machine.cpus, (performance.now() - statsSince) / 1000));
  const recProblem = rec?.atExit(quit ? 'the console detached' : 'the machine stopped');
  const saveProblem = snaps.atExit();
  powered.close();
  if (opts.pcap) {
    try {
      writeFileSync(opts.pcap, hv.bridge.pcap());
      process.stderr.write(`wrote the virtual bridge's capture to ${opts.pcap}\n`);
    } catch (e) {
      process.stderr.write(`error: cannot write ${opts.pcap}: ${(e as Error).message}\n`);
    }
  }
  if (saveProblem || recProblem) return saveProblem ?? recProblem!;
  if (quit) return 130;
  return result ? result.exitCode & 0xff : 0;
}

/** `--record NAME`: the recorder, none, or why it cannot start (docs/recording.md#from-the-command-line). */
function startRecording(
  opts: BootOptions,
  powered: PoweredMachine,
  config: { mode: 'dualboot' | 'hypervisor'; cpus: number; memMiB: number },
  taps: ReturnType<typeof consoleTaps>,
): BootRecording | string | undefined {
  if (opts.record === undefined) return undefined;
  return bootRecording(opts.record, powered, config, taps);
}
