/**
 * Whole-machine snapshots of a running session (docs/snapshots.md): save = the machine's state, the
 * mode's own part (firmware or hypervisor) and the session's, plus every disk frozen copy-on-write
 * (docs/disks.md#copy-on-write-disks), in one snapshot file; restore = the reverse, all or nothing.
 *
 * Both run between two ticks of the engine, so the machine is paused at a slice boundary. The
 * hypervisor's part goes through `saveState()` / `restoreState()` of the Hypervisor (issue 12); a
 * build whose hypervisor lacks them refuses hypervisor-mode snapshots with a clear message.
 */
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { SNAPSHOT_NAME_PATTERN, type MachineConfig, type MachineMode, type SnapshotConsole } from '../../shared/api.js';
import { DiskChain, type PreparedSwitch } from '../disk/DiskChain.js';
import type { BlockBackend } from '../emulator/devices/disk/BlockBackend.js';
import type { FirmwareState } from '../emulator/firmware/Firmware.js';
import type { MachineState } from '../emulator/machine/Machine.js';
import { readSnapshotFile, SNAPSHOT_EXT, writeSnapshotFile } from './snapshotFile.js';

/** What a session hands to and takes from a snapshot besides the machine. */
export interface SnapshotSubject {
  readonly config: MachineConfig;
  readonly machine: { saveState(): MachineState; restoreState(s: MachineState): void; time: number };
  /** DiskChains (image files) can be frozen; a machine on other backends cannot be snapshotted. */
  readonly disks: readonly BlockBackend[];
  readonly fw: { saveState(): FirmwareState; restoreState(s: FirmwareState): void } | undefined;
  readonly hv: object | undefined;
  readonly parallel: unknown;
  /** Machine time in cycles, as the session counts it, and cycles per second (TIMEBASE). */
  readonly cycles: number;
  readonly timebase: number;
  sessionState(): SessionPart;
  restoreSessionState(s: SessionPart): void;
  /** The end of each guest's console now (docs/snapshots.md#consoles); not machine state. */
  consoleTails?(): SnapshotConsole[];
}

/** The session's own part: time the firmware menu waited, the dual-boot engine choice. */
export interface SessionPart {
  waitCycles: number;
  engine: 'interp' | 'jit' | null;
}

/** The hypervisor's save and restore, as the lead is adding them (plain data, issue 12). */
interface HypervisorSnapshots {
  saveState(): unknown;
  restoreState(s: unknown): void;
}

/** The content of a snapshot file. */
export interface SnapshotContent {
  format: 'hyperdesk-snapshot';
  name: string;
  createdAt: string;
  mode: MachineMode;
  config: { cpus: number; memMiB: number; engine: string; disks: number };
  cycles: number;
  machine: MachineState;
  firmware: FirmwareState | null;
  hypervisor: unknown;
  session: SessionPart;
  /** Each disk's frozen file (absolute), which a restore goes on from. */
  disks: string[];
  /** The consoles' ends when it was taken (absent in older files). */
  consoles?: SnapshotConsole[];
}

export interface SavedSnapshot {
  name: string;
  file: string;
  bytes: number;
  rawBytes: number;
  ms: number;
  mode: MachineMode;
  /** Machine time at the snapshot, seconds. */
  seconds: number;
  disks: string[];
  consoles: SnapshotConsole[];
}

export function snapshotFile(dir: string, name: string): string {
  return join(resolve(dir), `${name}${SNAPSHOT_EXT}`);
}

function overlayPath(dir: string, disk: number): string {
  // Unique without a clock: a restore may go back to the same snapshot many times.
  return join(resolve(dir), 'overlays', `disk${disk}-${randomBytes(6).toString('hex')}.hdov`);
}

function hypervisorOf(s: SnapshotSubject): HypervisorSnapshots | string {
  const hv = s.hv as Partial<HypervisorSnapshots>;
  if (typeof hv.saveState !== 'function' || typeof hv.restoreState !== 'function')
    return 'hypervisor-mode snapshots are not yet available: this build’s hypervisor cannot save its state (dual boot can)';
  return hv as HypervisorSnapshots;
}

/** Save the session as snapshot `name` in `dir`; the answer is the saved snapshot or why not. */
export function saveSnapshot(s: SnapshotSubject, name: string, dir: string): SavedSnapshot | string {
  if (!SNAPSHOT_NAME_PATTERN.test(name))
    return `a snapshot name is 1..64 letters, digits, '_', '.', '-' (starting with a letter or digit), got '${name}'`;
  if (s.parallel) return 'snapshots need every pCPU on the engine’s thread: boot without pCPU threads';
  const hv = s.hv ? hypervisorOf(s) : undefined;
  if (typeof hv === 'string') return hv;
  const chains = diskChains(s);
  if (typeof chains === 'string') return chains;
  if (chains.some((d) => d.readOnly)) return 'a disk is open read-only: it cannot be frozen for a snapshot';
  const file = snapshotFile(dir, name);
  if (existsSync(file)) return `a snapshot named '${name}' exists already (remove it first)`;
  try {
    mkdirSync(join(resolve(dir), 'overlays'), { recursive: true });
  } catch (e) {
    return `cannot create ${dir}: ${(e as Error).message}`;
  }
  // The state first (nothing runs until we return), then the disks are frozen as they are now.
  const content: SnapshotContent = {
    format: 'hyperdesk-snapshot',
    name,
    createdAt: new Date().toISOString(),
    mode: s.config.mode,
    config: {
      cpus: s.config.cpus,
      memMiB: s.config.memMiB,
      engine: s.config.engine ?? 'interp',
      disks: s.disks.length,
    },
    cycles: s.cycles,
    machine: s.machine.saveState(),
    firmware: s.fw ? s.fw.saveState() : null,
    hypervisor: hv ? hv.saveState() : null,
    session: s.sessionState(),
    disks: [],
    consoles: s.consoleTails?.() ?? [],
  };
  for (let i = 0; i < s.disks.length; i++) {
    const frozen = chains[i]!.freeze(overlayPath(dir, i));
    // A disk frozen before a later one failed goes on in its new overlay: same contents, no loss.
    if (frozen instanceof Error) return `disk ${i}: ${frozen.message}`;
    content.disks.push(resolve(frozen));
  }
  try {
    const info = writeSnapshotFile(file, content);
    return {
      name,
      file,
      ...info,
      mode: content.mode,
      seconds: content.cycles / s.timebase,
      disks: content.disks,
      consoles: content.consoles ?? [],
    };
  } catch (e) {
    return (e as Error).message;
  }
}

/**
 * Restore the snapshot file `file` into the session: refused with a message and nothing changed when
 * the file is damaged, was taken of another kind of machine, or a disk it needs is missing or
 * changed. Returns the machine time restored to (seconds) and the consoles' ends it recorded.
 */
export function restoreSnapshot(
  s: SnapshotSubject,
  file: string,
  dir: string,
): { seconds: number; consoles: SnapshotConsole[] } | string {
  if (s.parallel) return 'snapshots need every pCPU on the engine’s thread: boot without pCPU threads';
  let c: SnapshotContent;
  try {
    c = readSnapshotFile(file).state as SnapshotContent;
  } catch (e) {
    return (e as Error).message;
  }
  const chains = diskChains(s);
  if (typeof chains === 'string') return chains;
  const bad = checkContent(c, s);
  if (bad) return `${file}: ${bad}; not restored, nothing changed`;
  const hv = s.hv ? hypervisorOf(s) : undefined;
  if (typeof hv === 'string') return hv;
  try {
    mkdirSync(join(resolve(dir), 'overlays'), { recursive: true });
  } catch (e) {
    return `cannot create ${dir}: ${(e as Error).message}`;
  }
  // Disks first, prepared only: every chain opened and checked before anything switches.
  const prepared: PreparedSwitch[] = [];
  for (let i = 0; i < s.disks.length; i++) {
    const p = chains[i]!.prepareSwitch(c.disks[i]!, overlayPath(dir, i));
    if (p instanceof Error) {
      for (const q of prepared) DiskChain.abortSwitch(q);
      return `disk ${i}: ${p.message}; not restored, nothing changed`;
    }
    prepared.push(p);
    // The snapshot's disk must be this machine's disk at some other time, not another image.
    if (resolve(p.below.imagePath) !== resolve(chains[i]!.imagePath)) {
      for (const q of prepared) DiskChain.abortSwitch(q);
      return `disk ${i}: the snapshot's disk is ${p.below.imagePath}, this machine's is ${chains[i]!.imagePath}; not restored, nothing changed`;
    }
  }
  const before = { machine: s.machine.saveState(), fw: s.fw?.saveState(), session: s.sessionState() };
  const hvBefore = hv ? hv.saveState() : undefined;
  try {
    s.machine.restoreState(c.machine);
    if (s.fw && c.firmware) s.fw.restoreState(c.firmware);
    if (hv) hv.restoreState(c.hypervisor);
    s.restoreSessionState(c.session);
  } catch (e) {
    // A state that does not fit this machine: put everything back as it was.
    s.machine.restoreState(before.machine);
    if (s.fw && before.fw) s.fw.restoreState(before.fw);
    if (hv) hv.restoreState(hvBefore);
    s.restoreSessionState(before.session);
    for (const q of prepared) DiskChain.abortSwitch(q);
    return `${file}: does not fit this machine (${(e as Error).message}); not restored, nothing changed`;
  }
  for (const p of prepared) {
    const { oldTop, oldTopWasOverlay } = DiskChain.commitSwitch(p);
    // The working overlay left behind: no snapshot names it (saving freezes the top), so it goes.
    if (oldTopWasOverlay) rmSync(oldTop, { force: true });
  }
  return { seconds: c.cycles / s.timebase, consoles: Array.isArray(c.consoles) ? c.consoles : [] };
}

/** The machine's disks as chains of files, or why they cannot be snapshotted. */
function diskChains(s: SnapshotSubject): DiskChain[] | string {
  const bad = s.disks.findIndex((d) => !(d instanceof DiskChain));
  if (bad >= 0) return `disk ${bad} is not an image file (it cannot be frozen for a snapshot)`;
  return s.disks as DiskChain[];
}

function checkContent(c: SnapshotContent, s: SnapshotSubject): string | undefined {
  if (typeof c !== 'object' || c === null || c.format !== 'hyperdesk-snapshot') return 'not a machine snapshot';
  if (c.mode !== s.config.mode) return `it is of a ${c.mode} machine; this one runs in ${s.config.mode} mode`;
  if (c.config.cpus !== s.config.cpus) return `it has ${c.config.cpus} pCPUs; this machine has ${s.config.cpus}`;
  if (c.config.memMiB !== s.config.memMiB)
    return `it has ${c.config.memMiB} MiB of RAM; this machine has ${s.config.memMiB}`;
  if (!Array.isArray(c.disks) || c.disks.length !== s.disks.length)
    return `it has ${c.disks?.length ?? 0} disks; this machine has ${s.disks.length}`;
  if ((c.firmware === null) !== (s.fw === undefined)) return 'its firmware state does not match this machine';
  return undefined;
}
