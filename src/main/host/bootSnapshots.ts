/**
 * Snapshots for `hyperdesk boot`, which powers its machine on in the CLI's own process
 * (docs/snapshots.md#from-the-command-line): `--restore NAME` puts
 * the machine in the state of a snapshot of the data folder before the console attaches, and
 * `--save-at-exit NAME` saves it when the console detaches or the machine stops. A machine restored
 * and not saved again leaves its disk writes nowhere: its working overlay is removed at exit (said
 * on stderr), so the next boot starts from a snapshot or the image, never from a stray overlay.
 */
import { existsSync, rmSync } from 'node:fs';
import { DiskChain } from '../disk/DiskChain.js';
import type { PoweredMachine } from '../engine/powerOn.js';
import { TIMEBASE_HZ } from './snapshotCatalog.js';
import { restoreSnapshot, saveSnapshot, type SnapshotSubject } from '../engine/snapshots.js';
import type { MachineMode } from '../../shared/api.js';
import { findSnapshot, recordSnapshot, snapshotDir } from './snapshotCatalog.js';
import { dataDir } from '../store/index.js';

export interface BootSnapshotOptions {
  restore?: string;
  saveAtExit?: string;
}

export interface BootSnapshots {
  /** Called once the loop has ended: saves when asked, else drops an unsaved working overlay. */
  atExit(): number | undefined;
}

/** The machine the CLI's boot powered on, as snapshots and recordings describe it. */
export interface BootMachineConfig {
  mode: MachineMode;
  cpus: number;
  memMiB: number;
}

/** A powered-on machine as snapshots see it (the CLI's boot has no Session; bootRecording.ts too). */
export function subjectOf(powered: PoweredMachine, config: BootMachineConfig): SnapshotSubject {
  return {
    config: { ...config, disks: [] },
    machine: powered.machine,
    disks: powered.disks,
    fw: powered.fw,
    hv: powered.hv,
    parallel: powered.parallel,
    get cycles() {
      return powered.cycles;
    },
    timebase: TIMEBASE_HZ,
    sessionState: () => ({ waitCycles: powered.menuCycles, engine: null }),
    restoreSessionState: (st) => (powered.menuCycles = st.waitCycles),
  };
}

/** Restore when asked; the answer is what to call at exit, or why the boot cannot go on. */
export function bootSnapshots(
  opts: BootSnapshotOptions,
  powered: PoweredMachine,
  config: { mode: MachineMode; cpus: number; memMiB: number },
): BootSnapshots | string {
  if (opts.restore === undefined && opts.saveAtExit === undefined) return { atExit: () => undefined };
  const subject = subjectOf(powered, config);
  const data = dataDir();
  const dir = snapshotDir(data);
  let parent: string | null = null;
  if (opts.saveAtExit !== undefined) {
    const taken = findSnapshot(data, opts.saveAtExit);
    if (typeof taken !== 'string') return `--save-at-exit: a snapshot named '${opts.saveAtExit}' exists already`;
  }
  if (opts.restore !== undefined) {
    const snap = findSnapshot(data, opts.restore);
    if (typeof snap === 'string') return `--restore: ${snap}`;
    const r = restoreSnapshot(subject, snap.file, dir);
    if (typeof r === 'string') return `--restore ${opts.restore}: ${r}`;
    parent = snap.name;
    process.stderr.write(`[hyperdesk: restored ${snap.name} (${r.seconds.toFixed(3)} s of machine time)]\n`);
  }
  return {
    atExit() {
      const disks = subject.disks.filter((d): d is DiskChain => d instanceof DiskChain);
      if (opts.saveAtExit === undefined) {
        if (parent === null) return undefined;
        for (const d of disks) if (d.files().length > 1 && existsSync(d.path)) rmSync(d.path, { force: true });
        process.stderr.write(
          `[hyperdesk: the disk writes since ${parent} were not kept (--save-at-exit NAME keeps them)]\n`,
        );
        return undefined;
      }
      const saved = saveSnapshot(subject, opts.saveAtExit, dir);
      if (typeof saved === 'string') {
        process.stderr.write(`error: --save-at-exit: ${saved}\n`);
        return 1;
      }
      const row = recordSnapshot(data, {
        name: saved.name,
        machine: null,
        createdAt: new Date().toISOString(),
        seconds: saved.seconds,
        mode: saved.mode,
        file: saved.file,
        bytes: saved.bytes,
        parent,
        disks: saved.disks,
      });
      if (typeof row === 'string') {
        rmSync(saved.file, { force: true });
        process.stderr.write(`error: --save-at-exit: not recorded: ${row}\n`);
        return 1;
      }
      // The working overlays the save started hold nothing yet, and this process ends here.
      for (const d of disks) if (d.files().length > 1) rmSync(d.path, { force: true });
      process.stderr.write(
        `[hyperdesk: saved ${saved.name}: ${saved.seconds.toFixed(3)} s of machine time, ${saved.bytes} bytes]\n`,
      );
      return undefined;
    },
  };
}
