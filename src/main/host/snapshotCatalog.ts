/**
 * The snapshot catalogue of a data folder for callers without a host of their own (`hyperdesk boot`
 * saves and restores its machine in-process): the store's snapshots table and the folder the files
 * go to (docs/snapshots.md#where-things-are). The app's host keeps the same table.
 */
import { join } from 'node:path';
import type { SnapshotInfo } from '../../shared/api.js';
import { Store, StoreError, storePath } from '../store/index.js';

/** The data folder (for the CLI's snapshot commands, which reach it through the host). */
export { dataDir } from '../store/index.js';

/**
 * Cycles per second of machine time (the board's TIMEBASE, docs/devices.md), repeated here because
 * the host's thread loads no emulator code; snapshots.test.ts checks the two agree.
 */
export const TIMEBASE_HZ = 250_000_000;

export function snapshotDir(data: string): string {
  return join(data, 'snapshots');
}

/** The snapshot `name` of the data folder `data`, or why there is none. */
export function findSnapshot(data: string, name: string): SnapshotInfo | string {
  const store = Store.open(storePath(data));
  if (store instanceof StoreError) return store.message;
  try {
    return store.snapshots().find((s) => s.name === name) ?? `no snapshot named '${name}' in ${data}`;
  } finally {
    store.close();
  }
}

/** Record a snapshot whose file is written; the answer is the row or why it was not recorded. */
export function recordSnapshot(data: string, info: Omit<SnapshotInfo, 'id'>): SnapshotInfo | string {
  const store = Store.open(storePath(data));
  if (store instanceof StoreError) return store.message;
  try {
    return store.addSnapshot(info);
  } catch (e) {
    return (e as Error).message;
  } finally {
    store.close();
  }
}
