/**
 * Garbage collection of a snapshot folder's overlays (docs/snapshots.md#where-things-are): a frozen
 * overlay stays while a snapshot or a working overlay reaches it; the rest go when a snapshot is
 * removed. Working overlays are never deleted here: a running machine (the app's, or a
 * `hyperdesk boot` in another process) may be writing them.
 */
import { readdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chainFiles } from './overlay.js';

/**
 * Delete the frozen overlays in `dir`/overlays that nothing needs any more: needed are the chains
 * below `keep` (the remaining snapshots' frozen files) and below every working (unfrozen) overlay in
 * the folder, which a running machine may be writing. Returns the files deleted.
 */
export function pruneOverlays(dir: string, keep: readonly string[]): string[] {
  const folder = join(resolve(dir), 'overlays');
  let names: string[];
  try {
    names = readdirSync(folder).filter((n) => n.endsWith('.hdov'));
  } catch {
    return [];
  }
  const needed = new Set<string>();
  const tops = [...keep.map((k) => resolve(k))];
  const frozen = new Set<string>();
  for (const n of names) {
    const path = join(folder, n);
    const info = chainFiles(path);
    if (info.frozen) frozen.add(path);
    else tops.push(path);
  }
  for (const t of tops) for (const f of chainFiles(t).files) needed.add(f);
  const removed: string[] = [];
  for (const f of frozen) {
    if (needed.has(f)) continue;
    rmSync(f, { force: true });
    removed.push(f);
  }
  return removed;
}
