/**
 * The disk image files of a machine, opened together. On an error the answer is a message naming
 * the file, and nothing stays open. Power-on (engine/powerOn.ts) opens files this way; the default
 * image (disks/hyperdesk.img) is chosen above, by the host (host/disks.ts), when no path is given.
 */
import { FileBlockBackend, type OpenOptions } from './FileBlockBackend.js';

export async function openDisks(
  paths: readonly string[],
  options: OpenOptions = {},
): Promise<{ paths: string[]; disks: FileBlockBackend[] } | string> {
  const chosen = [...paths];
  if (chosen.length === 0) return 'no disk image given';
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
