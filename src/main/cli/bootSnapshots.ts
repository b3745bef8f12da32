/**
 * Snapshots for `hyperdesk boot` (docs/snapshots.md#from-the-command-line): `--restore NAME` puts
 * the machine in the state of a snapshot of the data folder before the console attaches, and
 * `--save-at-exit NAME` saves it when the console detaches or the machine stops. A machine restored
 * and not saved again leaves its disk writes nowhere: its working overlay is removed at exit (said
 * on stderr), so the next boot starts from a snapshot or the image, never from a stray overlay.
 */
import { existsSync, rmSync } from 'node:fs';
import type { DiskChain } from '../disk/DiskChain.js';
import { restoreSnapshot, saveSnapshot, type SnapshotSubject } from '../engine/snapshots.js';
import { findSnapshot, recordSnapshot, snapshotDir } from '../host/snapshotCatalog.js';
import { dataDir } from '../store/index.js';

export interface BootSnapshotOptions {
  restore?: string;
  saveAtExit?: string;
}

export interface BootSnapshots {
  /** Called once the loop has ended: saves when asked, else drops an unsaved working overlay. */
  atExit(): number | undefined;
}

/** Restore when asked; the answer is what to call at exit, or why the boot cannot go on. */
export function bootSnapshots(opts: BootSnapshotOptions, subject: SnapshotSubject): BootSnapshots | string {
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
      const disks: DiskChain[] = subject.disks;
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
