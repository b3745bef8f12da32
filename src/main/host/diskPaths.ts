/**
 * Which disk image files a machine booted through the host API may open (docs/security.md#disks-the-app-opens):
 * only those in the app's data folder and in the project's disks/ folder. A disk is opened
 * read-write, so without this a page (or a web client) could name any host file whose size is a
 * multiple of 512 and have guests write into it. `hyperdesk boot --disk PATH` does not come here:
 * a path the user types on the command line is theirs to choose.
 */
import { realpathSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve } from 'node:path';

/** The real path of `p` (symlinks followed), or of its folder plus its name when it does not exist yet. */
function real(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    try {
      return resolve(realpathSync(dirname(p)), p.slice(dirname(p).length + 1));
    } catch {
      return resolve(p);
    }
  }
}

function inside(file: string, folder: string): boolean {
  const rel = relative(folder, file);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
}

/**
 * undefined when every disk lies (after following symlinks) inside one of `folders`; else an error
 * naming the first that does not and the allowed folders.
 */
export function checkDiskPaths(disks: readonly string[], folders: readonly string[]): string | undefined {
  const allowed = folders.map(real);
  for (const d of disks) {
    const file = real(resolve(d));
    if (!allowed.some((f) => inside(file, f))) {
      return (
        `disk ${d}: not in a folder the app opens disks from (${folders.join(', ')}); ` +
        'copy it there, or boot it from the command line: hyperdesk boot --disk PATH'
      );
    }
  }
  return undefined;
}
