/**
 * The disk images in the data folder's disks/ folder (docs/disks.md#disks-in-the-app): list them
 * with their partitions and file systems and who uses them, create, import, delete, partition,
 * make file systems, and read and write their files. The host API (imageCalls.ts) and the CLI
 * (`hyperdesk disk list|import|delete`) both use this class; the work on the image itself is the
 * disk layer's (src/main/disk/imageOps.ts, the same functions `hyperdesk disk part|mkfs|put` run).
 *
 * The app opens disks only from the data folder and the project's disks/ (docs/security.md), so
 * images live here under a plain file name; an import copies the user's file in, never opening it
 * for writing. The repository's disks/ is never written: its built image reaches the library as the
 * working copy (workingDisks.ts).
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ImageFiles, ImageInfo, MachineConfig, NewImagePartition, SavedMachine } from '../../shared/api.js';
import {
  addImagePartition,
  checkImportable,
  createImageFile,
  describePartitions,
  DiskError,
  freeRuns,
  listGuestFiles,
  parseSize,
  readGuestText,
  withImage,
  writeGuestText,
} from '../disk/index.js';
import { chainFiles } from '../disk/overlay.js';
import { checkDiskPaths } from './diskPaths.js';

/** A name in the library: a plain file name ending in .img (API_ARGS checks the same pattern). */
export const IMAGE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,59}\.img$/;
/** The largest image the app creates or imports (a guest disk holds a few MiB; this guards the host's disk). */
export const MAX_IMAGE_BYTES = 2 ** 31;

/** What the library needs to know about the rest of the app at the moment of a call. */
export interface LibraryContext {
  machines: readonly SavedMachine[];
  /** The running machine's disks (absent: nothing runs). */
  running?: readonly string[];
  /** Each snapshot's frozen files (docs/snapshots.md). */
  snapshots: readonly { name: string; disks: readonly string[] }[];
}

export class ImageLibrary {
  /** `demo`: the working copy a machine with no disks runs from (`<data>/disks/hyperdesk.img`). */
  constructor(
    readonly folder: string,
    private readonly demo: string,
  ) {}

  /** The path of image `name`, which must exist. */
  pathOf(name: string): string {
    if (!IMAGE_NAME.test(name))
      throw new Error(`'${name}' is not an image name (letters, digits, _ . - and .img at the end, like lab.img)`);
    const path = join(this.folder, name);
    let isFile = false;
    try {
      isFile = statSync(path).isFile();
    } catch {
      // missing: said below
    }
    if (!isFile) throw new Error(`${name}: no such image in ${this.folder} (images() lists them)`);
    // A symlink out of the folder is refused as a boot would refuse it (docs/security.md#disks-the-app-opens).
    const outside = checkDiskPaths([path], [this.folder]);
    if (outside) throw new Error(outside);
    return path;
  }

  /** Every image, sorted by name. */
  list(ctx: LibraryContext): Omit<ImageInfo, 'working'>[] {
    let names: string[];
    try {
      names = readdirSync(this.folder).filter((n) => IMAGE_NAME.test(n));
    } catch {
      return [];
    }
    return (
      names
        .sort()
        // Only plain files that are really here (not a symlink out of the folder: pathOf refuses those).
        .filter(
          (n) => statSync(join(this.folder, n)).isFile() && !checkDiskPaths([join(this.folder, n)], [this.folder]),
        )
        .map((n) => this.describe(n, ctx))
    );
  }

  describe(name: string, ctx: LibraryContext): Omit<ImageInfo, 'working'> {
    const path = this.pathOf(name);
    const bytes = statSync(path).size;
    const base = {
      name,
      path,
      bytes,
      usedBy: this.usedBy(path, ctx),
      snapshots: this.snapshotsOn(path, ctx),
      ...(this.runningDisk(path, ctx) !== undefined ? { runningDisk: this.runningDisk(path, ctx) } : {}),
    };
    const d = withImage(path, false, (disk) => ({
      blocks: disk.table.diskBlocks,
      partitions: describePartitions(disk),
      free: freeRuns(disk.table),
    }));
    if (d instanceof DiskError)
      return { ...base, blocks: Math.floor(bytes / 512), partitions: [], free: [], problem: d.message };
    return { ...base, ...d };
  }

  /** Saved machines whose disks list the image (no disks: the demo's working copy). */
  usedBy(path: string, ctx: LibraryContext): string[] {
    return ctx.machines.filter((m) => disksOf(m.config, this.demo).some((d) => same(d, path))).map((m) => m.name);
  }

  runningDisk(path: string, ctx: LibraryContext): number | undefined {
    const i = ctx.running?.findIndex((d) => same(d, path)) ?? -1;
    return i >= 0 ? i : undefined;
  }

  /** Snapshots whose chains go down to this file. */
  snapshotsOn(path: string, ctx: LibraryContext): string[] {
    return ctx.snapshots
      .filter((s) => s.disks.some((d) => chainFiles(d).files.some((f) => same(f, path))))
      .map((s) => s.name);
  }

  /**
   * Why the image may not be changed here (the running machine has it open, a snapshot goes on from
   * it), or undefined. `what` says what was asked (`add a partition`).
   */
  refusal(name: string, what: string, ctx: LibraryContext): string | undefined {
    const path = this.pathOf(name);
    const disk = this.runningDisk(path, ctx);
    if (disk !== undefined)
      return `${name}: cannot ${what}: it is disk ${disk} of the running machine (power it off first)`;
    const snaps = this.snapshotsOn(path, ctx);
    if (snaps.length)
      return (
        `${name}: cannot ${what}: snapshot ${snaps.map((s) => `'${s}'`).join(', ')} goes on from this file, and a ` +
        'change would strand it (docs/disks.md#copy-on-write-disks); remove the snapshot first'
      );
    return undefined;
  }

  private change<T>(name: string, what: string, ctx: LibraryContext, fn: (path: string) => T | DiskError): T {
    const refused = this.refusal(name, what, ctx);
    if (refused) throw new Error(refused);
    const r = fn(this.pathOf(name));
    if (r instanceof DiskError) throw new Error(`${name}: ${r.message}`);
    return r;
  }

  create(name: string, size: string): string {
    if (!IMAGE_NAME.test(name)) this.pathOf(name); // throws the naming error
    const bytes = parseSize(size);
    if (bytes === undefined || bytes % 512 !== 0 || bytes < 1024)
      throw new Error(`${name}: size '${size}' is not a multiple of 512 bytes of at least 1K (like 16M)`);
    if (bytes > MAX_IMAGE_BYTES) throw new Error(`${name}: size ${size} is more than the app makes (2G)`);
    mkdirSync(this.folder, { recursive: true });
    const path = join(this.folder, name);
    const r = createImageFile(path, bytes / 512);
    if (r instanceof DiskError) throw new Error(`${name}: ${r.message}`);
    return path;
  }

  /** Copies `hostPath` in as `name` (checked first; to a temporary name, then renamed). */
  import(hostPath: string, name: string): { path: string; warnings: string[] } {
    if (!IMAGE_NAME.test(name)) this.pathOf(name);
    const source = resolve(hostPath);
    const check = checkImportable(source, MAX_IMAGE_BYTES);
    if (check instanceof DiskError) throw new Error(`${hostPath}: ${check.message}; not imported`);
    mkdirSync(this.folder, { recursive: true });
    const path = join(this.folder, name);
    if (existsSync(path))
      throw new Error(
        `${name}: an image of that name exists already in ${this.folder} (delete it or pick another name)`,
      );
    const tmp = join(this.folder, `.${name}.${process.pid}.import.tmp`);
    try {
      copyFileSync(source, tmp);
      renameSync(tmp, path);
    } catch (e) {
      rmSync(tmp, { force: true });
      throw new Error(`${hostPath}: cannot copy into ${this.folder}: ${(e as NodeJS.ErrnoException).code ?? e}`);
    }
    return { path, warnings: check.warnings };
  }

  delete(name: string, ctx: LibraryContext): void {
    const path = this.pathOf(name);
    const users = this.usedBy(path, ctx);
    if (users.length)
      throw new Error(
        `${name}: cannot delete: saved machine ${users.map((u) => `'${u}'`).join(', ')} uses it (detach it first)`,
      );
    const refused = this.refusal(name, 'delete it', ctx);
    if (refused) throw new Error(refused);
    rmSync(path);
    rmSync(`${path}.json`, { force: true }); // a working copy's note (workingDisks.ts)
  }

  addPartition(name: string, spec: NewImagePartition, ctx: LibraryContext): number {
    return this.change(name, 'add a partition', ctx, (path) =>
      withImage(path, true, (disk) => {
        const p = addImagePartition(disk, spec);
        if (p instanceof DiskError) throw p;
        return p.number;
      }),
    );
  }

  removePartition(name: string, number: number, ctx: LibraryContext): void {
    this.change(name, `remove partition ${number}`, ctx, (path) =>
      withImage(path, true, (disk) => {
        const r = disk.removePartition(number);
        if (r instanceof DiskError) throw r;
      }),
    );
  }

  mkfs(name: string, part: number, label: string, ctx: LibraryContext): void {
    this.change(name, `make a file system on partition ${part}`, ctx, (path) =>
      withImage(path, true, (disk) => {
        const p = disk.partition(part);
        if (p instanceof DiskError) throw p;
        const fs = disk.mkfs(part, { label: label || p.name });
        if (fs instanceof DiskError) throw fs;
      }),
    );
  }

  files(name: string, part: number): ImageFiles {
    const r = withImage(this.pathOf(name), false, (disk) => {
      const fs = disk.fileSystem(part);
      if (fs instanceof DiskError) throw fs;
      return {
        image: name,
        partition: part,
        kind: fs.kind,
        files: listGuestFiles(fs),
        freeBlocks: fs.freeBlocks(),
        warnings: [...fs.warnings],
      };
    });
    if (r instanceof DiskError) throw new Error(`${name}: ${r.message}`);
    return r;
  }

  readFile(name: string, part: number, file: string): string {
    const r = withImage(this.pathOf(name), false, (disk) => {
      const fs = disk.fileSystem(part);
      if (fs instanceof DiskError) throw fs;
      const text = readGuestText(fs, file);
      if (text instanceof DiskError) throw new DiskError(`partition ${part}: ${text.message}`);
      return text;
    });
    if (r instanceof DiskError) throw new Error(`${name}: ${r.message}`);
    return r;
  }

  writeFile(name: string, part: number, file: string, text: string, ctx: LibraryContext): string {
    const written = this.change(name, `write ${file}`, ctx, (path) =>
      withImage(path, true, (disk) => {
        const fs = disk.fileSystem(part);
        if (fs instanceof DiskError) throw fs;
        const r = writeGuestText(fs, file, text);
        if (r instanceof DiskError) throw r;
        return r;
      }),
    );
    return `${name}:${part} ${written}`;
  }

  removeFile(name: string, part: number, file: string, ctx: LibraryContext): void {
    this.change(name, `remove ${file}`, ctx, (path) =>
      withImage(path, true, (disk) => {
        const fs = disk.fileSystem(part);
        if (fs instanceof DiskError) throw fs;
        const r = fs.remove(file);
        if (r instanceof DiskError) throw r;
      }),
    );
  }
}

/** A configuration's disks as paths (none: the demo's working copy). */
export function disksOf(config: MachineConfig, demo: string): string[] {
  return config.disks.length ? [...config.disks] : [demo];
}

/** Whether two paths name the same file (machine configurations keep the paths they were given). */
export function same(a: string, b: string): boolean {
  return resolve(a) === resolve(b);
}
