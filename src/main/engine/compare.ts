/**
 * Dual boot vs hypervisor (VISION.md "compare running them one at a time with running them side by
 * side"; docs/architecture.md#the-comparison). A workload is one job for cos and one for swos. Dual
 * boot gives one OS the whole machine, so the two jobs run one after the other with a reboot between
 * them; the hypervisor runs ctl with cos and swos as clients, each on its own pCPU, and the jobs run
 * at the same time. Both runs are unpaced and measured in machine time (cycles / TIMEBASE), so the
 * same workload gives the same figures on any host, every time.
 *
 * Disks are read once into memory; each run gets a fresh copy, so the image files are never changed
 * (the hypervisor run writes its own parttab into its copy of ctl's file system).
 */
import { readFileSync } from 'node:fs';
import type { RunFigures } from '../../shared/api.js';
import { DiskImage } from '../disk/index.js';
import { BLOCK_SIZE, MemoryBlockBackend } from '../emulator/devices/disk/BlockBackend.js';
import { scanBootEntries } from '../emulator/firmware/Firmware.js';
import { TIMEBASE } from '../emulator/machine/board.js';
import type { Machine, StopReport } from '../emulator/machine/Machine.js';
import type { Hypervisor } from '../emulator/hypervisor/Hypervisor.js';
import { PowerOnError, powerOn, type PoweredMachine } from './powerOn.js';
import { WORKLOADS, type GuestOs, type Job, type Workload } from './workloads.js';

export { WORKLOADS, type GuestOs, type Job, type Workload } from './workloads.js';

export interface CompareOptions {
  /** Disk image files holding cos, swos and ctl (read, never written). */
  disks: string[];
  /** pCPUs of the machine in both modes (default 2: the hypervisor gives cos and swos one each). */
  cpus?: number;
  /** Memory in MiB (default 32). */
  memMiB?: number;
  /** Machine seconds each mode may take before the run is given up (default 20). */
  limitSeconds?: number;
  /** Progress 0..1 and what is happening, in words. */
  onProgress?: (done: number, label: string) => void;
  /**
   * The pCPUs' engine in both runs (default the interpreter). The figures are machine time, so both
   * engines give the same ones; only the wall time differs (docs/architecture.md#determinism).
   */
  engine?: 'interp' | 'jit';
  /** How the hypervisor run virtualizes cos and swos (default paravirtual, ctl's default; M7). */
  technique?: Technique;
}

export type Technique = 'paravirtual' | 'hardware' | 'trap-emulate';

export interface ComparisonFigures {
  dualboot: RunFigures;
  hypervisor: RunFigures;
}

/** A comparison that could not run: an unknown workload, a disk, or a job that did not finish. */
export class ComparisonError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ComparisonError';
  }
}

const PROMPT: Record<GuestOs | 'ctl', string> = { cos: 'cos> ', swos: 'swos$ ', ctl: 'ctl> ' };
/** Cycles between two looks at the consoles: 40 µs of machine time, so a finished job is seen at once. */
const STEP = 10_000;
/** A fixed wall clock for the guests' rtc: the runs must not depend on the day they ran. */
const RTC_EPOCH = 1_800_000_000;

export function findWorkload(name: string): Workload {
  const w = WORKLOADS.find((x) => x.name === name);
  if (!w) {
    throw new ComparisonError(`no workload named '${name}' (there are: ${WORKLOADS.map((x) => x.name).join(', ')})`);
  }
  return w;
}

/** Runs the workload named `workload` (WORKLOADS) in dual-boot mode, then in hypervisor mode, on fresh machines. */
export function runComparison(workload: string, opts: CompareOptions): ComparisonFigures {
  return runWorkload(findWorkload(workload), opts);
}

/** Runs any workload (tests give their own) both ways. */
export function runWorkload(w: Workload, opts: CompareOptions): ComparisonFigures {
  const images = readDisks(opts.disks);
  const cpus = opts.cpus ?? 2;
  const memMiB = opts.memMiB ?? 32;
  if (!Number.isInteger(cpus) || cpus < 1 || cpus > 8) throw new ComparisonError(`cpus must be 1..8, got ${cpus}`);
  // ctl keeps 4 MiB and gives cos 8 MiB and swos 4 MiB; the hypervisor keeps 1 MiB.
  if (!Number.isInteger(memMiB) || memMiB < 20 || memMiB > 1024) {
    throw new ComparisonError(`memMiB must be 20..1024 (ctl, cos and swos need 17 MiB), got ${memMiB}`);
  }
  const memBytes = memMiB << 20;
  const limit = (opts.limitSeconds ?? 20) * TIMEBASE;
  const progress = opts.onProgress ?? (() => {});
  const engine = opts.engine ?? 'interp';
  const technique = opts.technique ?? 'paravirtual';
  const setup = { images, cpus, memBytes, limit, progress, engine, technique };
  const dualboot = runDualBoot(w, setup);
  const hypervisor = runHypervisor(w, setup);
  progress(1, 'done');
  return { dualboot, hypervisor };
}

interface RunSetup {
  images: Uint8Array[];
  cpus: number;
  memBytes: number;
  limit: number;
  progress: (done: number, label: string) => void;
  engine: 'interp' | 'jit';
  technique: Technique;
}

function readDisks(paths: string[]): Uint8Array[] {
  if (paths.length === 0) throw new ComparisonError('the comparison needs a disk image with cos, swos and ctl');
  return paths.map((p) => {
    let bytes: Uint8Array;
    try {
      bytes = readFileSync(p);
    } catch (e) {
      throw new ComparisonError(`${p}: cannot read: ${(e as Error).message}`);
    }
    if (bytes.length === 0 || bytes.length % BLOCK_SIZE !== 0) {
      throw new ComparisonError(`${p}: not a disk image (${bytes.length} bytes is not a whole number of blocks)`);
    }
    return bytes;
  });
}

/** Fresh in-memory disks: a run may write to them, the files never see it. */
function freshDisks(images: Uint8Array[]): MemoryBlockBackend[] {
  return images.map((img) => new MemoryBlockBackend(img.length / BLOCK_SIZE, false, img));
}

/** One machine's console output, by console name (uart0, or a partition's name). */
class Consoles {
  private readonly text = new Map<string, string>();

  sink(name: string): { write(b: number): void } {
    return { write: (b) => this.text.set(name, (this.text.get(name) ?? '') + String.fromCharCode(b)) };
  }

  of(name: string): string {
    return this.text.get(name) ?? '';
  }

  /** The last lines of a console, for error messages. */
  tail(name: string): string {
    const t = this.of(name).replace(/\r\n/g, '\n').trimEnd();
    return t.length > 300 ? '…' + t.slice(-300) : t || '(nothing)';
  }
}

/** Where a console is waited on: its name, the prompt, and how far it had got when the wait began. */
interface Wait {
  console: string;
  prompt: string;
  from: number;
  /** What is being waited for, for the error: "cos running 'primes'". */
  what: string;
  done?: number;
}

/**
 * Run `machine` (through `step`) until every wait has seen its prompt after its mark. Returns when the
 * last one finishes; `onDone` is called for each as it finishes (it may add work, e.g. type a job).
 */
function runUntil(
  mode: string,
  machine: Machine,
  consoles: Consoles,
  waits: Wait[],
  limit: number,
  step: (cycles: number) => StopReport | null,
  onDone: (w: Wait) => void = () => {},
): void {
  let stop: StopReport | null = null;
  for (;;) {
    let progressed = false;
    for (const w of waits) {
      if (w.done === undefined && consoles.of(w.console).indexOf(w.prompt, w.from) >= 0) {
        w.done = machine.time;
        progressed = true;
        onDone(w);
      }
    }
    const pending = waits.filter((w) => w.done === undefined);
    if (pending.length === 0) return;
    const why = (s: string) =>
      new ComparisonError(
        `${mode}: ${pending.map((w) => w.what).join(' and ')} did not finish: ${s}; ${pending
          .map((w) => `${w.console} showed: ${consoles.tail(w.console)}`)
          .join('; ')}`,
      );
    // An idle machine may have been woken by what onDone typed; otherwise nothing will change.
    if (stop?.kind === 'idle' && !progressed) throw why('the machine went idle (every pCPU waits, no timer is armed)');
    if (stop && stop.kind !== 'idle') {
      const trap = stop.trap ? ` (${stop.trap.causeName} at pc 0x${(stop.trap.pc >>> 0).toString(16)})` : '';
      throw why(`the machine stopped: ${stop.kind}, exit code ${stop.exitCode}${trap}`);
    }
    if (machine.time >= limit) throw why(`${limit / TIMEBASE} s of machine time went by`);
    stop = step(STEP);
  }
}

function type(bytes: string): number[] {
  return [...bytes].map((c) => c.charCodeAt(0) & 0xff);
}

/** cos's job with the whole machine, a reboot into swos, swos's job with the whole machine. */
function runDualBoot(w: Workload, s: RunSetup): RunFigures {
  const consoles = new Consoles();
  const mode = 'dual boot';
  const powered = check(
    mode,
    powerOn(
      {
        mode: 'dualboot',
        cpus: s.cpus,
        memBytes: s.memBytes,
        engine: s.engine,
        console: consoles.sink('uart0'),
        rtcEpochSeconds: RTC_EPOCH,
        select: 'cos',
        requireSelected: true,
      },
      freshDisks(s.images),
    ),
  );
  const machine = powered.machine;
  let reboots = 0;
  // The firmware runs the machine; cos's reboot resets it, and swos boots straight away, as when a
  // person picks it at once from the boot menu (the menu itself takes no machine time).
  const step = (cycles: number): StopReport | null => {
    const r = powered.fw!.state === 'running' ? machine.run(cycles) : powered.fw!.run(cycles);
    if (r?.kind !== 'reset') return r;
    reboots++;
    const problem = powered.reboot('swos', true);
    if (problem) throw new ComparisonError(`${mode}: ${problem.message}`);
    return null;
  };
  let mark = 0;
  for (const [i, os] of (['cos', 'swos'] as const).entries()) {
    const job = w.jobs[os];
    s.progress(i * 0.25, i === 0 ? `dual boot: booting cos` : `dual boot: rebooting into swos`);
    runUntil(mode, machine, consoles, [wait('uart0', os, mark, `${os} booting`)], s.limit, step);
    s.progress(i * 0.25 + 0.1, `dual boot: ${os} runs '${job.command}'`);
    const from = consoles.of('uart0').length;
    machine.uart.input(type(job.command + '\r'));
    runUntil(mode, machine, consoles, [wait('uart0', os, from, `${os} running '${job.command}'`)], s.limit, step);
    checkOutput(mode, os, job, consoles.of('uart0').slice(from));
    if (os === 'cos') {
      mark = consoles.of('uart0').length;
      machine.uart.input(type('reboot\r'));
    }
  }
  const instructions = machine.instructions();
  return figures(machine.time, instructions + trapSteps(machine), instructions, reboots, s.cpus, 0);
}

function wait(console: string, os: GuestOs | 'ctl', from: number, what: string): Wait {
  return { console, prompt: PROMPT[os], from, what };
}

/** The powered machine, or the power-on's error as the comparison's. */
function check(mode: string, r: PoweredMachine | PowerOnError): PoweredMachine {
  if (r instanceof PowerOnError) throw new ComparisonError(`${mode}: ${r.message}`);
  return r;
}

/** A finished job printed what it should have (a command the OS does not know fails here). */
function checkOutput(mode: string, os: GuestOs, job: Job, out: string): void {
  if (!job.expect.test(out)) {
    const text = out.replace(/\r\n/g, '\n').trim();
    throw new ComparisonError(`${mode}: ${os}'s job '${job.command}' did not print ${job.expect}; it printed: ${text}`);
  }
}

/**
 * Steps of the pCPUs that did not retire an instruction: a trapping instruction takes its cycle too.
 * Interrupts are taken between instructions and take none; waiting (wfi, an idle pCPU) is not busy.
 */
function trapSteps(machine: Machine): number {
  return machine.cpus.reduce((n, c) => n + c.stats.traps, 0);
}

/**
 * The run's figures. `hvCycles`: pCPU cycles of the hypervisor's own work (Hypervisor.stats.hvCycles,
 * docs/hypercalls.md#what-the-hypervisor-costs), busy time too; 0 in dual boot.
 */
function figures(
  cycles: number,
  busy: number,
  instructions: number,
  reboots: number,
  cpus: number,
  hvCycles: number,
): RunFigures {
  const seconds = cycles / TIMEBASE;
  return {
    seconds,
    jobsPerSecond: 2 / seconds,
    instructions,
    reboots,
    utilisation: (busy + hvCycles) / (cpus * cycles),
    hypervisorShare: hvCycles / (cpus * cycles),
  };
}

/** ctl as partition 0 starts cos and swos on a pCPU each (writeParttab); both jobs run at once. */
function runHypervisor(w: Workload, s: RunSetup): RunFigures {
  const mode = 'hypervisor';
  const disks = freshDisks(s.images);
  writeParttab(disks, s.cpus, s.memBytes);
  const made: { hv?: Hypervisor } = {};
  const consoles = new Consoles();
  // Swap stays in memory (the default over in-memory disks): the runs never write files.
  const powered = check(
    mode,
    powerOn(
      {
        mode: 'hypervisor',
        cpus: s.cpus,
        memBytes: s.memBytes,
        engine: s.engine,
        console: consoles.sink('ctl'),
        consoleFor: (p) => consoles.sink(p.name),
        rtcEpochSeconds: RTC_EPOCH,
        ctl: 'ctl',
        // The technique is chosen before a client starts (docs/hypercalls.md#virtualization-techniques):
        // ctl creates cos and swos from the parttab, and each gets the run's technique at once.
        onEvent: (e) => {
          const p = e.kind === 'created' && e.partition !== 0 ? made.hv?.partitions.get(e.partition) : undefined;
          if (p && p.state === 'created') p.technique = s.technique;
        },
      },
      disks,
    ),
  );
  made.hv = powered.hv;
  const { machine } = powered;
  const hv = powered.hv!;
  const step = (cycles: number) => machine.run(cycles);
  s.progress(0.5, 'hypervisor: booting ctl, which starts cos and swos');
  const oses = ['cos', 'swos'] as const;
  // Each job is typed as soon as its OS shows its prompt; the run ends when both prompts are back.
  const boots = oses.map((os) => wait(os, os, 0, `${os} booting`));
  const jobs: Wait[] = [];
  const started = new Set<GuestOs>();
  const typeJob = (b: Wait) => {
    const os = b.console as GuestOs;
    if (started.has(os)) return;
    started.add(os);
    const job = w.jobs[os];
    const p = [...hv.partitions.values()].find((x) => x.name === os);
    if (!p) throw new ComparisonError(`${mode}: ctl did not start a partition named ${os}`);
    jobs.push(wait(os, os, consoles.of(os).length, `${os} running '${job.command}'`));
    hv.consoleInput(p.id, type(job.command + '\r'));
    if (started.size === 2) s.progress(0.7, `hypervisor: cos and swos run their jobs side by side`);
  };
  try {
    runUntil(mode, machine, consoles, boots, s.limit, step, typeJob);
  } catch (e) {
    // What ctl said (a partition it could not start) is the likely reason.
    if (e instanceof ComparisonError) throw new ComparisonError(`${e.message}; ctl showed: ${consoles.tail('ctl')}`);
    throw e;
  }
  runUntil(mode, machine, consoles, jobs, s.limit, step);
  for (const j of jobs) {
    const os = j.console as GuestOs;
    checkOutput(mode, os, w.jobs[os], consoles.of(os).slice(j.from));
  }
  // Guests' instruction counters are per vCPU (saved and restored by the world switch): add them up.
  let instructions = 0;
  for (const p of hv.partitions.values()) {
    for (const v of p.vcpus) instructions += v.runningOn >= 0 ? machine.cpus[v.runningOn].instret : v.instret;
  }
  return figures(machine.time, instructions + trapSteps(machine), instructions, 0, s.cpus, hv.stats.hvCycles);
}

/**
 * Put a parttab for this comparison into ctl's file system on the in-memory disk: swos on pCPU 0,
 * cos on pCPU 1 (both on 0 with one pCPU), so that each job has a pCPU as it has in dual boot.
 * (This placement once worked around swos reading the physical pCPU number from `cpuid`; cpuid now
 * gives the vCPU number in a partition, and the placement stays so that past figures compare.)
 * Returns ctl's boot entry.
 */
function writeParttab(disks: MemoryBlockBackend[], cpus: number, memBytes: number) {
  const mode = 'hypervisor';
  const { entries, problems } = scanBootEntries(disks, memBytes);
  const find = (os: string) => entries.find((e) => e.header.name.toLowerCase().split(' ')[0] === os);
  const ctl = find('ctl');
  if (!ctl) {
    throw new ComparisonError(
      `${mode}: no bootable partition named ctl for the Controlling OS${problems.length ? ` (${problems.join('; ')})` : ''}`,
    );
  }
  for (const os of ['cos', 'swos']) {
    const e = find(os);
    // ctl grants its clients partitions of disk0 only (docs/guests.md#starting-a-partition).
    if (!e || e.disk !== 0) throw new ComparisonError(`${mode}: ${os} must be a bootable partition of the first disk`);
  }
  const disk = DiskImage.open(disks[ctl.disk]);
  if (disk instanceof Error) throw new ComparisonError(`${mode}: disk${ctl.disk}: ${disk.message}`);
  const fs = disk.fileSystem(ctl.partition);
  if (fs instanceof Error) throw new ComparisonError(`${mode}: ctl's file system: ${fs.message}`);
  const text = [
    "# written by hyperdesk's comparison runner (docs/architecture.md#the-comparison)",
    `1 cos  cos  8M ${Math.min(1, cpus - 1)}`,
    '2 swos swos 4M 0',
    '',
  ].join('\n');
  const ok = fs.write('parttab', new TextEncoder().encode(text));
  if (ok !== true) throw new ComparisonError(`${mode}: cannot write ctl's parttab: ${ok.message}`);
  return ctl;
}
