/**
 * The default disk (docs/disks.md#the-default-disk): where its sources are in the project folder,
 * where the image goes (disks/hyperdesk.img), and building it when it is missing or older than its
 * inputs. The assembler comes in as a function, as for build.ts: the host owns assembling files
 * (docs/architecture.md#layers-and-who-may-import-whom), and src/main/host/disks.ts wires it in.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildDisk, ensureDiskImage, isStale, type AssembleFn, type BuildDiskOptions } from './build.js';

/**
 * The project folder: the nearest one up from this module that holds resources/cos (this file is
 * src/main/disk/defaultDisk.ts in the source tree, but a chunk under out/main/ in the built app).
 */
export const ROOT = findRoot(dirname(fileURLToPath(import.meta.url)));

function findRoot(from: string): string {
  for (let dir = from, i = 0; i < 6; i++, dir = dirname(dir)) {
    if (existsSync(join(dir, 'resources', 'cos'))) return dir;
  }
  return resolve(from, '..', '..', '..');
}

export const DEFAULT_IMAGE = join(ROOT, 'disks', 'hyperdesk.img');

/** The default sources under `root`/resources (ctl only where resources/ctl/ctl.s exists). */
export function defaultSources(root = ROOT): Pick<BuildDiskOptions, 'cos' | 'swos' | 'ctl'> {
  const res = join(root, 'resources');
  const ctl = join(res, 'ctl', 'ctl.s');
  return {
    cos: {
      source: join(res, 'cos', 'cos.s'),
      programs: join(res, 'programs'),
      files: join(res, 'cos', 'files'),
      name: 'cos 0.1',
    },
    swos: { source: join(res, 'swos', 'swos.s'), files: join(res, 'swos', 'files'), name: 'swos 1.0' },
    ...(existsSync(ctl) ? { ctl: { source: ctl, files: join(res, 'ctl', 'files'), name: 'ctl 0.1' } } : {}),
  };
}

/** Everything whose change makes the image stale: the sources and the code that lays out the disk. */
export function defaultInputs(root = ROOT): string[] {
  return [
    join(root, 'resources'),
    join(root, 'src', 'main', 'disk'),
    join(root, 'src', 'main', 'host', 'disks.ts'),
    join(root, 'src', 'shared', 'crc32.ts'),
    join(root, 'src', 'shared', 'osImage.ts'),
  ];
}

/** disks/hyperdesk.img, built from resources/ with `assemble` when missing or stale; its path. */
export async function ensureDefaultDisk(assemble: AssembleFn, log?: (line: string) => void): Promise<string> {
  mkdirSync(dirname(DEFAULT_IMAGE), { recursive: true });
  return ensureDiskImage({ output: DEFAULT_IMAGE, ...defaultSources(), assemble, inputs: defaultInputs(), log });
}

/**
 * `npm run disks`: build disks/hyperdesk.img unless it is newer than every input (`force` rebuilds
 * anyway). The exit code: 0 done or up to date, 1 the build failed (said on `error`).
 */
export async function buildDefaultDisk(
  assemble: AssembleFn,
  opts: { force?: boolean; log(line: string): void; error(line: string): void },
): Promise<number> {
  if (!opts.force && !isStale(DEFAULT_IMAGE, defaultInputs())) {
    opts.log(`disks/hyperdesk.img is up to date (newer than resources/ and its build code; --force rebuilds it)`);
    return 0;
  }
  let r;
  try {
    mkdirSync(dirname(DEFAULT_IMAGE), { recursive: true });
    r = buildDisk({ output: DEFAULT_IMAGE, ...defaultSources(), assemble, log: opts.log });
  } catch (e) {
    r = e as Error;
  }
  if (r instanceof Error) {
    opts.error(`error: cannot build disks/hyperdesk.img: ${r.message}`);
    return 1;
  }
  return 0;
}
