/**
 * The disks of a machine, opened together. A path may be an image or an overlay
 * (docs/disks.md#copy-on-write-disks); each disk is a DiskChain, so that a snapshot can freeze it and
 * a restore switch it under the running machine. On an error the answer is a message naming the
 * file, and nothing stays open. Power-on (engine/powerOn.ts) opens files this way; the default image
 * (disks/hyperdesk.img) is chosen above, by the host (host/disks.ts), when no path is given.
 */
import { DiskChain } from './DiskChain.js';
import type { OpenOptions } from './FileBlockBackend.js';

export async function openDisks(
  paths: readonly string[],
  options: OpenOptions = {},
): Promise<{ paths: string[]; disks: DiskChain[] } | string> {
  const chosen = [...paths];
  if (chosen.length === 0) return 'no disk image given';
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
