/**
 * `npm run disks`: build disks/hyperdesk.img (docs/disks.md#the-default-disk) from resources/, unless
 * it is newer than every file under resources/ and the code that builds it (`--force` rebuilds
 * anyway). The app and the tests call `ensureDisks()` to get the image path, built when missing or
 * stale. The building itself lives in src/main/disk/build.ts; this file wires in the assembler and
 * the default paths.
 */
import { existsSync, mkdirSync, realpathSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatDiagnostic } from '../src/main/asm/index.js';
import {
  buildDisk as buildDiskWith,
  DiskError,
  ensureDiskImage,
  isStale,
  type AssembleFn,
  type AssembledImage,
  type BuildDiskOptions,
  type BuildReport,
} from '../src/main/disk/index.js';
import { assembleFile } from '../src/main/host/assembleFile.js';

const SCRIPT = fileURLToPath(import.meta.url);
/**
 * The project folder: the nearest one up from this script that holds resources/cos (this file is
 * scripts/build-disks.ts in the source tree, but a chunk under out/main/ in the built app).
 */
export const ROOT = findRoot(dirname(SCRIPT));

function findRoot(from: string): string {
  for (let dir = from, i = 0; i < 6; i++, dir = dirname(dir)) {
    if (existsSync(join(dir, 'resources', 'cos'))) return dir;
  }
  return resolve(from, '..');
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
function defaultInputs(root = ROOT): string[] {
  return [
    join(root, 'resources'),
    // This script's source, not SCRIPT: in the built app SCRIPT is a chunk of out/main/ that every
    // electron-vite build rewrites, which made each new build rebuild the image (and the app's
    // working copies look outdated: docs/disks.md#working-disks).
    join(root, 'scripts', 'build-disks.ts'),
    join(root, 'src', 'main', 'disk'),
    join(root, 'src', 'shared', 'crc32.ts'),
    join(root, 'src', 'shared', 'osImage.ts'),
  ];
}

/** assembleFile with its diagnostics folded into the Error. */
export const assembleForDisk: AssembleFn = (path: string): AssembledImage | Error => {
  const r = assembleFile(path);
  if (r.readError) return new Error(r.readError);
  if (!r.ok) {
    const errors = r.diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic);
    return new Error(`does not assemble:\n${errors.join('\n')}`);
  }
  return { bytes: r.bytes, base: r.base, entry: r.entry };
};

export type DiskBuildOptions = Omit<BuildDiskOptions, 'assemble'> & { assemble?: AssembleFn };

/** Build an image from the given sources (tests point this at fixtures); rejects with a DiskError. */
export async function buildDisk(options: DiskBuildOptions): Promise<BuildReport> {
  mkdirSync(dirname(options.output), { recursive: true });
  const r = buildDiskWith({ ...options, assemble: options.assemble ?? assembleForDisk });
  if (r instanceof DiskError) throw r;
  return r;
}

/** disks/hyperdesk.img, built from resources/ when missing or stale; its path. */
export async function ensureDisks(options: { log?: (line: string) => void } = {}): Promise<string> {
  mkdirSync(dirname(DEFAULT_IMAGE), { recursive: true });
  return ensureDiskImage({
    output: DEFAULT_IMAGE,
    ...defaultSources(),
    assemble: assembleForDisk,
    inputs: defaultInputs(),
    log: options.log,
  });
}

async function main(argv: string[]): Promise<number> {
  const force = argv.includes('--force');
  const log = (line: string) => process.stdout.write(line + '\n');
  if (!force && !isStale(DEFAULT_IMAGE, defaultInputs())) {
    log(`disks/hyperdesk.img is up to date (newer than resources/ and its build code; --force rebuilds it)`);
    return 0;
  }
  try {
    await buildDisk({ output: DEFAULT_IMAGE, ...defaultSources(), log });
    return 0;
  } catch (e) {
    process.stderr.write(`error: cannot build disks/hyperdesk.img: ${(e as Error).message}\n`);
    return 1;
  }
}

function invokedDirectly(): boolean {
  try {
    return !!process.argv[1] && realpathSync(resolve(process.argv[1])) === realpathSync(SCRIPT);
  } catch {
    return false;
  }
}

if (invokedDirectly()) process.exitCode = await main(process.argv.slice(2));
