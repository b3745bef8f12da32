/**
 * Build the default disk (docs/disks.md#the-default-disk) from sources: partition 1 "cos" (cfs,
 * bootable) with the cos image, programs and files; partition 2 "swos" (sfs, bootable) with the swos
 * image and files; and, when its sources are given, partition 3 "ctl" (cfs, bootable) with the
 * Controlling OS's image and files (its parttab). The assembler comes in as a function (the host
 * layer owns assembling files), so this module stays below the host. The image is built in memory,
 * checked with fsck, and written with a temp file and a rename.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import type { BlockBackend } from '../emulator/devices/disk/BlockBackend.js';
import { OS_FLAG_COOPERATIVE, osImageBlocks } from '../../shared/osImage.js';
import { BLOCK } from './bytes.js';
import { buildCosExecutable } from './cosExecutable.js';
import { DiskImage } from './DiskImage.js';
import { attempt, DiskError, fail, hex, must } from './errors.js';
import { writeFileAtomic } from './imageFile.js';
import type { PartitionType } from './partitionTable.js';

/** What the assembler gives back for one source file. */
export interface AssembledImage {
  bytes: Uint8Array;
  /** Lowest address emitted: the load address. */
  base: number;
  entry: number;
}
/** Assemble a file; an Error carries the diagnostics, one per line. */
export type AssembleFn = (path: string) => AssembledImage | Error;

export interface OsSources {
  /** The OS's main assembly file (e.g. resources/cos/cos.s). */
  source: string;
  /** Files copied into its file system as they are (missing folder: none). */
  files: string;
  /** cos only: every *.s here becomes an executable named after the file (missing folder: none). */
  programs?: string;
  /** Name in the OS image header, shown by the boot loader. */
  name: string;
}

export interface BuildDiskOptions {
  output: string;
  /** Bytes; default 32 MiB. */
  size?: number;
  cos: OsSources;
  swos: OsSources;
  /** The Controlling OS (docs/guests.md#ctl-the-controlling-os): partition 3 when given. */
  ctl?: OsSources;
  assemble: AssembleFn;
  /** Where to print what was done (default: nowhere). */
  log?: (line: string) => void;
}

export interface BuiltFile {
  partition: number;
  name: string;
  size: number;
  from: string;
  executable: boolean;
}

export interface BuildReport {
  output: string;
  files: BuiltFile[];
}

export const DEFAULT_DISK_BYTES = 32 * 1024 * 1024;
/** With ctl: cos and swos keep the first 32 MiB as without it, ctl gets the next 16 MiB. */
export const DEFAULT_DISK_BYTES_WITH_CTL = 48 * 1024 * 1024;

/** Build the disk image; a DiskError naming the source or structure on any problem. */
export function buildDisk(options: BuildDiskOptions): BuildReport | DiskError {
  return attempt(() => {
    const log = options.log ?? (() => {});
    const shown = (p: string) => {
      const r = relative(process.cwd(), p);
      return r && !r.startsWith('..') ? r : p;
    };
    for (const [os, src] of [
      ['cos', options.cos.source],
      ['swos', options.swos.source],
      ...(options.ctl ? [['ctl', options.ctl.source]] : []),
    ]) {
      if (!existsSync(src)) fail(`${shown(src)}: not found (the ${os} source; is ${os} written yet?)`);
    }
    const size = options.size ?? (options.ctl ? DEFAULT_DISK_BYTES_WITH_CTL : DEFAULT_DISK_BYTES);
    if (size % BLOCK !== 0 || size < 64 * BLOCK)
      fail(`size: ${size} bytes is not a whole number of blocks (at least 64)`);
    const blocks = size / BLOCK;
    const backend = new ScratchDisk(blocks);
    const disk = must(DiskImage.format(backend));
    // cos and swos share the disk, or its first two thirds when ctl takes the last third (48 MiB:
    // cos and swos exactly where they are on a 32 MiB disk without ctl).
    const shared = options.ctl ? Math.floor((blocks * 2) / 3) : blocks;
    const half = Math.floor(shared / 2);
    const first = blocks >= 16384 ? 2048 : 8; // 1 MiB aligned on real-sized disks
    const files: BuiltFile[] = [];
    log(`${shown(options.output)}: ${size / (1024 * 1024)} MiB (${blocks} blocks)`);

    const install = (
      number: number,
      name: string,
      type: PartitionType,
      start: number,
      count: number,
      os: OsSources,
      flags: number,
    ) => {
      must(disk.addPartition({ type, first: start, blocks: count, name, bootable: true }));
      const img = must(options.assemble(os.source), shown(os.source));
      const fsOffset = Math.ceil(osImageBlocks(img.bytes.length) / 8) * 8;
      must(
        disk.installOsImage(number, {
          loadAddress: img.base,
          entry: img.entry,
          image: img.bytes,
          fsOffset,
          flags,
          name: os.name,
        }),
        shown(os.source),
      );
      log(
        `  partition ${number} '${name}' (${type}, bootable): blocks ${start}..${start + count - 1}; ` +
          `OS image '${os.name}' from ${shown(os.source)}: ${img.bytes.length} bytes at ${hex(img.base)}, entry ${hex(img.entry)}; ` +
          `file system at block ${fsOffset}`,
      );
      const fs = must(disk.mkfs(number, type === 'cfs' ? { label: name } : {}));
      const put = (fileName: string, data: Uint8Array, from: string, executable: boolean) => {
        const before = new Set(fs.list().map((f) => f.name));
        must(fs.write(fileName, data, { executable }), shown(from));
        const added = fs.list().find((f) => !before.has(f.name));
        if (!added) fail(`${shown(from)}: another file on partition ${number} already has the name '${fileName}'`);
        files.push({ partition: number, name: added.name, size: data.length, from, executable });
        log(`    ${added.name}${executable ? ' (executable)' : ''}: ${data.length} bytes from ${shown(from)}`);
      };
      if (os.programs) {
        for (const f of listDir(os.programs, log, shown, true).filter((f) => f.endsWith('.s'))) {
          const path = join(os.programs, f);
          const prog = must(options.assemble(path), shown(path));
          put(basename(f, '.s'), buildCosExecutable(prog.bytes, prog.base, prog.entry), path, true);
        }
        // The sources too (and their includes), so that the app's editor opens a guest's programs
        // from its own disk, and a deploy can write both back (docs/guide.md).
        for (const f of listDir(os.programs, log, shown, true).filter((f) => /\.(s|inc)$/.test(f))) {
          const path = join(os.programs, f);
          put(f, new Uint8Array(readFileSync(path)), path, false);
        }
      }
      for (const f of listDir(os.files, log, shown)) {
        const path = join(os.files, f);
        put(f, new Uint8Array(readFileSync(path)), path, false);
      }
    };
    install(1, 'cos', 'cfs', first, half - first, options.cos, OS_FLAG_COOPERATIVE);
    install(2, 'swos', 'sfs', half, shared - half, options.swos, 0);
    if (options.ctl) install(3, 'ctl', 'cfs', shared, blocks - shared, options.ctl, OS_FLAG_COOPERATIVE);

    const problems = disk.fsck();
    if (problems.length) fail(`the built image fails its own check: ${problems[0]}`);
    must(writeFileAtomic(options.output, backend.data), shown(options.output));
    log(`${shown(options.output)}: written (${files.length} files)`);
    return { output: options.output, files };
  });
}

/**
 * Regular files of a folder, sorted, without dotfiles (.gitkeep); a missing folder has none.
 * Subfolders are an error (the file systems are flat) unless `skipFolders` (programs/ may keep includes in them).
 */
function listDir(
  dir: string,
  log: (line: string) => void,
  shown: (p: string) => string,
  skipFolders = false,
): string[] {
  if (!existsSync(dir)) {
    log(`    (no ${shown(dir)}/: nothing to copy from it)`);
    return [];
  }
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => !e.name.startsWith('.') && !(skipFolders && e.isDirectory()))
    .map((e) => {
      if (!e.isFile()) fail(`${shown(join(dir, e.name))}: not a regular file (file systems here are flat)`);
      return e.name;
    })
    .sort();
}

/** True when `output` is missing or older than any file or folder under `inputs` (folders walked). */
export function isStale(output: string, inputs: string[]): boolean {
  let built: number;
  try {
    built = statSync(output).mtimeMs;
  } catch {
    return true;
  }
  const newer = (p: string): boolean => {
    let st;
    try {
      st = statSync(p);
    } catch {
      return false; // a missing input is reported by the build, not here
    }
    if (st.mtimeMs > built) return true;
    return st.isDirectory() && readdirSync(p).some((name) => newer(join(p, name)));
  };
  return inputs.some(newer);
}

/** Build `options.output` unless it is newer than every input; the image path. */
export async function ensureDiskImage(options: BuildDiskOptions & { inputs: string[] }): Promise<string> {
  if (!isStale(options.output, options.inputs)) return options.output;
  const r = buildDisk(options);
  if (r instanceof DiskError) throw r;
  return options.output;
}

/**
 * The image being built, in memory (written to the file at the end). A backend of its own rather
 * than the emulator's MemoryBlockBackend, so that building disks (the host's `npm run disks` and
 * default image) loads no emulator code (docs/architecture.md#layers-and-who-may-import-whom).
 */
class ScratchDisk implements BlockBackend {
  readonly readOnly = false;
  readonly data: Uint8Array;

  constructor(readonly blocks: number) {
    this.data = new Uint8Array(blocks * BLOCK);
  }

  read(lba: number, count: number): Uint8Array {
    return this.data.slice(lba * BLOCK, (lba + count) * BLOCK);
  }

  write(lba: number, data: Uint8Array): true {
    this.data.set(data, lba * BLOCK);
    return true;
  }

  flush(): true {
    return true;
  }
}
