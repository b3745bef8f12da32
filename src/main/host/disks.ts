/**
 * Disk images for the faces and the tests: the default disk (disks/hyperdesk.img) built from
 * resources/ with the host's file-reading assembler (assembleFile.ts). The disk layer
 * (src/main/disk/defaultDisk.ts) knows the sources and the layout but takes the assembler as a
 * function, so it stays below the host; `npm run disks` (scripts/build-disks.ts) is a thin entry to
 * buildDisksCommand here (docs/architecture.md#layers-and-who-may-import-whom).
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { formatDiagnostic } from '../asm/index.js';
import { buildDefaultDisk, ensureDefaultDisk } from '../disk/defaultDisk.js';
import {
  buildDisk as buildDiskWith,
  DiskError,
  type AssembleFn,
  type AssembledImage,
  type BuildDiskOptions,
  type BuildReport,
} from '../disk/index.js';
import { assembleFile } from './assembleFile.js';

export { DEFAULT_IMAGE, ROOT, defaultSources } from '../disk/defaultDisk.js';

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
  return ensureDefaultDisk(assembleForDisk, options.log);
}

/** `npm run disks [--force]`: the exit code. */
export async function buildDisksCommand(argv: readonly string[]): Promise<number> {
  return buildDefaultDisk(assembleForDisk, {
    force: argv.includes('--force'),
    log: (line) => process.stdout.write(line + '\n'),
    error: (line) => process.stderr.write(line + '\n'),
  });
}
