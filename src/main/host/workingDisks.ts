/**
 * The app's working disks (docs/disks.md#working-disks): the machine the app boots by default runs
 * from a copy of the built image in the data folder (`<data>/disks/hyperdesk.img`), never from the
 * repository's `disks/hyperdesk.img`. Editing a guest's program in the app writes into the copy, so
 * the built image stays as `npm run disks` made it (the tests read it), and "reset this disk" makes
 * a fresh copy. A plain file copy, made to a temporary name and renamed, so a copy is whole or absent.
 *
 * Next to each copy a small JSON file says which built image it came from and when, so the app can
 * tell that the built image was rebuilt since (new guests from resources/) and offer the reset.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { WorkingDisk } from '../../shared/api.js';

/** Gives the built image's path, building it first when missing or stale (src/main/host/disks.ts). */
export type BuiltImage = () => Promise<string>;

/** The sidecar file next to a working copy. */
interface Origin {
  builtImage: string;
  /** The built image's mtime (ms) when it was copied. */
  builtMtimeMs: number;
  copiedAt: string;
}

export const defaultBuiltImage: BuiltImage = async () => {
  const { ensureDisks } = await import('./disks.js');
  return ensureDisks();
};

/** The folder of working disks in a data folder. */
export function disksFolder(dataDir: string): string {
  return join(dataDir, 'disks');
}

export class WorkingDisks {
  constructor(
    private readonly dataDir: string,
    private readonly built: BuiltImage = defaultBuiltImage,
  ) {}

  /** The working copy of the built image: made when missing; its path. */
  async demo(): Promise<string> {
    const image = await this.built();
    const path = join(disksFolder(this.dataDir), basename(image));
    if (!existsSync(path)) this.copy(image, path);
    return path;
  }

  /** The working disks there are (the demo's copy, once made). */
  async list(): Promise<WorkingDisk[]> {
    const image = await this.built();
    const path = join(disksFolder(this.dataDir), basename(image));
    return existsSync(path) ? [this.describe(path, image)] : [];
  }

  /**
   * Replaces the working disk `name` with a fresh copy of its built image (made first when missing).
   * The caller makes sure no running machine has the file open.
   */
  async reset(name: string): Promise<WorkingDisk> {
    const image = await this.built();
    if (name !== basename(image)) {
      throw new Error(`no working disk named '${name}' (there is: ${basename(image)}, a copy of ${image})`);
    }
    const path = join(disksFolder(this.dataDir), name);
    this.copy(image, path);
    return this.describe(path, image);
  }

  /** Whether `path` is one of the working disks (so that a reset must power it off first). */
  isWorkingDisk(path: string, name: string): boolean {
    return path === join(disksFolder(this.dataDir), name);
  }

  private copy(image: string, path: string): void {
    mkdirSync(disksFolder(this.dataDir), { recursive: true });
    const tmp = `${path}.${process.pid}.tmp`;
    copyFileSync(image, tmp);
    renameSync(tmp, path);
    const origin: Origin = {
      builtImage: image,
      builtMtimeMs: statSync(image).mtimeMs,
      copiedAt: new Date().toISOString(),
    };
    writeFileSync(`${path}.json`, JSON.stringify(origin, null, 2) + '\n');
  }

  private describe(path: string, image: string): WorkingDisk {
    const origin = readOrigin(`${path}.json`);
    const builtMtimeMs = statSync(image).mtimeMs;
    return {
      name: basename(path),
      path,
      builtImage: image,
      ...(origin ? { copiedAt: origin.copiedAt } : {}),
      // A copy without its note (made by hand) is taken as current: only a rebuild we saw is news.
      outdated: origin ? builtMtimeMs > origin.builtMtimeMs : false,
    };
  }
}

function readOrigin(file: string): Origin | undefined {
  try {
    const o = JSON.parse(readFileSync(file, 'utf8')) as Partial<Origin>;
    if (typeof o.builtMtimeMs === 'number' && typeof o.copiedAt === 'string' && typeof o.builtImage === 'string')
      return o as Origin;
  } catch {
    // Missing or unreadable: no origin known.
  }
  return undefined;
}
