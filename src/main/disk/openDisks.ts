/**
 * The disks of a machine, opened together: the given paths, or the demo image (disks/hyperdesk.img,
 * built from resources/ when missing or stale) when none is given. A path may be an image or an
 * overlay (docs/disks.md#copy-on-write-disks); each disk is a DiskChain, so that a snapshot can
 * freeze it and a restore switch it under the running machine. On an error the answer is a message
 * naming the file, and nothing stays open. The CLI's `boot` and the app's engine both start
 * machines this way.
 */
import { DiskChain } from './DiskChain.js';
import type { OpenOptions } from './FileBlockBackend.js';

export async function openDisks(
  paths: readonly string[],
  options: OpenOptions = {},
): Promise<{ paths: string[]; disks: DiskChain[] } | string> {
  let chosen = [...paths];
  if (chosen.length === 0) {
    const { ensureDisks } = await import('../../../scripts/build-disks.js');
    try {
      chosen = [await ensureDisks()];
    } catch (e) {
      return `cannot build the default disk image: ${(e as Error).message}`;
    }
  }
  const disks: DiskChain[] = [];
  for (const p of chosen) {
    const d = DiskChain.open(p, options);
    if (d instanceof Error) {
      for (const x of disks) x.close();
      return d.message; // it names the file of the chain at fault
    }
    disks.push(d);
  }
  return { paths: chosen, disks };
}
