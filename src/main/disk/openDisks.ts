/**
 * The disk image files of a machine, opened together: the given paths, or the demo image
 * (disks/hyperdesk.img, built from resources/ when missing or stale) when none is given. On an error
 * the answer is a message naming the file, and nothing stays open. The CLI's `boot` and the app's
 * engine both start machines this way.
 */
import { FileBlockBackend, type OpenOptions } from './FileBlockBackend.js';

export async function openDisks(
  paths: readonly string[],
  options: OpenOptions = {},
): Promise<{ paths: string[]; disks: FileBlockBackend[] } | string> {
  let chosen = [...paths];
  if (chosen.length === 0) {
    const { ensureDisks } = await import('../../../scripts/build-disks.js');
    try {
      chosen = [await ensureDisks()];
    } catch (e) {
      return `cannot build the default disk image: ${(e as Error).message}`;
    }
  }
  const disks: FileBlockBackend[] = [];
  for (const p of chosen) {
    const d = FileBlockBackend.open(p, options);
    if (d instanceof Error) {
      for (const x of disks) x.close();
      return `${p}: ${d.message}`;
    }
    disks.push(d);
  }
  return { paths: chosen, disks };
}
