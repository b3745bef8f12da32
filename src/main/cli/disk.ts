/**
 * `hyperdesk disk ...`: create, partition and edit disk images (docs/disks.md#tools). Every problem
 * is one line on stderr starting with the image path, and a non-zero exit; an image is opened
 * read-only unless the command changes it, checked before anything is written, and fsync'ed before
 * the command returns.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import {
  addImagePartition,
  createImageFile,
  DiskError,
  DiskChain,
  DiskImage,
  fsckDisk,
  fsckOverlay,
  isOverlayFile,
  parseSize,
  repairDisk,
  type FileSystem,
  type PartitionType,
} from '../host/tools.js';

const BLOCK = 512;

/** A failure to report as "IMAGE: message". */
class Failure extends Error {}

function check<T>(value: T | Error): T {
  if (value instanceof Error) throw new Failure(value.message);
  return value;
}

/** "disks/a.img:2" -> path and partition number (undefined: the default partition). */
function splitTarget(target: string): { path: string; part?: number } {
  const m = /^(.*):(\d+)$/.exec(target);
  return m ? { path: m[1], part: Number(m[2]) } : { path: target };
}

/**
 * Open the image (or an overlay, read through its chain: docs/disks.md#copy-on-write-disks), run
 * `fn`, flush when writable; errors become "IMAGE: message" on stderr.
 */
async function withDisk(
  path: string,
  writable: boolean,
  fn: (disk: DiskImage, backend: DiskChain) => void | number,
): Promise<number> {
  const backend = DiskChain.open(path, { readOnly: !writable });
  if (backend instanceof Error) return reportChain(backend);
  try {
    const disk = DiskImage.open(backend);
    if (disk instanceof DiskError) return report(path, disk.message);
    const r = fn(disk, backend);
    return typeof r === 'number' ? r : 0;
  } catch (e) {
    if (e instanceof Failure) return report(path, e.message);
    throw e;
  } finally {
    const closed = backend.close(); // fsyncs a writable image
    if (closed instanceof Error) report(path, closed.message);
  }
}

function report(path: string, message: string): number {
  process.stderr.write(`${path}: ${message}\n`);
  return 1;
}

/** A DiskChain's error already starts with the file of the chain at fault. */
function reportChain(e: Error): number {
  process.stderr.write(`${e.message}\n`);
  return 1;
}

const out = (line: string) => process.stdout.write(line + '\n');

function human(bytes: number): string {
  if (bytes >= 1 << 20 && bytes % (1 << 20) === 0) return `${bytes / (1 << 20)} MiB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} bytes`;
}

/**
 * A partition's file system. A damaged one still opens (docs/disks.md#damaged-file-systems): what
 * fsck would report goes to stderr as warnings, and the volume itself refuses what is unsafe.
 */
function openFs(path: string, disk: DiskImage, part: number | undefined): { fs: FileSystem; number: number } {
  const number = part ?? check(disk.defaultFsPartition());
  const fs = check(disk.fileSystem(number));
  for (const w of fs.warnings) process.stderr.write(`${path}: warning: ${w}\n`);
  return { fs, number };
}

function count(v: string, flag: string): number {
  const n = Number(v.replace(/_/g, ''));
  if (!Number.isSafeInteger(n) || n < 0) throw new InvalidArgumentError(`${flag} needs a whole number, got '${v}'`);
  return n;
}

export async function diskCommand(argv: string[]): Promise<number> {
  let exitCode = 0;
  const program = new Command('hyperdesk disk')
    .description('create, partition and edit disk images (docs/disks.md); IMAGE:P names partition P (1-based)')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s), writeOut: (s) => process.stdout.write(s) });

  program
    .command('create')
    .description('create a new image with an empty partition table (never overwrites)')
    .argument('<image>')
    .requiredOption('--size <size>', 'size, e.g. 16M (a whole number of 512-byte blocks)')
    .action((image: string, opts: { size: string }) => {
      const bytes = parseSize(opts.size);
      if (bytes === undefined || bytes % BLOCK !== 0 || bytes < 2 * BLOCK) {
        exitCode = report(
          image,
          `--size needs a size like 16M (a multiple of 512 bytes, at least 1K), got '${opts.size}'`,
        );
        return;
      }
      const r = createImageFile(image, bytes / BLOCK);
      if (r instanceof DiskError) exitCode = report(image, r.message);
      else out(`${image}: created, ${human(bytes)} (${bytes / BLOCK} blocks), no partitions`);
    });

  program
    .command('part')
    .description('partition table: list | add --type T [--start N] --blocks N --name NAME [--bootable] | rm N')
    .argument('<image>')
    .argument('<action>', 'list, add or rm')
    .argument('[number]', 'rm: the partition number')
    .addOption(new Option('--type <type>', 'add: file system type').choices(['cfs', 'sfs', 'raw']))
    .option('--start <block>', 'add: first block (default: the first free 4 KiB-aligned run that fits)', (v) =>
      count(v, '--start'),
    )
    .option('--blocks <n>', 'add: number of blocks', (v) => count(v, '--blocks'))
    .option('--name <name>', 'add: partition name (up to 31 characters)')
    .option('--bootable', 'add: the partition starts with an OS image header (docs/boot.md)')
    .action(async (image: string, action: string, number: string | undefined, opts: PartOptions) => {
      exitCode = await partCommand(image, action, number, opts);
    });

  program
    .command('mkfs')
    .description("write an empty file system of the partition's type (cfs or sfs) over partition P")
    .argument('<image:p>')
    .option('--label <label>', 'cfs volume label')
    .action(async (target: string, opts: { label?: string }) => {
      const { path, part } = splitTarget(target);
      if (part === undefined) {
        exitCode = report(path, 'mkfs needs the partition: IMAGE:P (it erases the file system there)');
        return;
      }
      exitCode = await withDisk(path, true, (disk) => {
        const fs = check(disk.mkfs(part, { label: opts.label ?? check(disk.partition(part)).name }));
        out(`${path}: partition ${part}: new ${fs.kind} file system, ${fs.freeBlocks()} blocks free`);
      });
    });

  program
    .command('ls')
    .description('list the files of a partition (default: the first with a file system)')
    .argument('<image[:p]>')
    .action(async (target: string) => {
      const { path, part } = splitTarget(target);
      exitCode = await withDisk(path, false, (disk) => {
        const { fs, number } = openFs(path, disk, part);
        const files = fs.list();
        const width = Math.max(4, ...files.map((f) => f.name.length));
        for (const f of files) {
          const flags = [f.executable && 'executable', f.readOnly && 'read-only', f.system && 'system'].filter(Boolean);
          out(`${f.name.padEnd(width)}  ${String(f.size).padStart(9)}${flags.length ? '  ' + flags.join(' ') : ''}`);
        }
        out(`partition ${number} (${fs.kind}): ${files.length} files, ${fs.freeBlocks()} blocks free`);
      });
    });

  program
    .command('put')
    .description('copy HOSTFILE into the partition as NAME (default: its base name), replacing a file of that name')
    .argument('<image[:p]>')
    .argument('<hostfile>')
    .argument('[name]')
    .option('--executable', 'cfs: mark the file executable')
    .action(async (target: string, hostfile: string, name: string | undefined, opts: { executable?: boolean }) => {
      const { path, part } = splitTarget(target);
      let data: Uint8Array;
      try {
        data = new Uint8Array(readFileSync(hostfile));
      } catch (e) {
        exitCode = report(hostfile, `cannot read: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
        return;
      }
      exitCode = await withDisk(path, true, (disk) => {
        const { fs, number } = openFs(path, disk, part);
        check(fs.write(name ?? basename(hostfile), data, { executable: opts.executable }));
        out(`${path}: partition ${number}: wrote '${name ?? basename(hostfile)}' (${data.length} bytes)`);
      });
    });

  program
    .command('get')
    .description('copy NAME out of the partition to HOSTFILE (default: NAME; - for stdout)')
    .argument('<image[:p]>')
    .argument('<name>')
    .argument('[hostfile]')
    .action(async (target: string, name: string, hostfile: string | undefined) => {
      const { path, part } = splitTarget(target);
      exitCode = await withDisk(path, false, (disk) => {
        const data = check(openFs(path, disk, part).fs.read(name));
        const dest = hostfile ?? name;
        if (dest === '-') {
          process.stdout.write(data);
          return;
        }
        try {
          writeFileSync(dest, data);
        } catch (e) {
          return report(dest, `cannot write: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
        }
      });
    });

  program
    .command('rm')
    .description('remove NAME from the partition')
    .argument('<image[:p]>')
    .argument('<name>')
    .action(async (target: string, name: string) => {
      const { path, part } = splitTarget(target);
      exitCode = await withDisk(path, true, (disk) => {
        const { fs, number } = openFs(path, disk, part);
        check(fs.remove(name));
        out(`${path}: partition ${number}: removed '${name}'`);
      });
    });

  program
    .command('overlay')
    .description(
      'start a copy-on-write overlay NEW over BASE (an image or a frozen overlay); BASE is never written through it',
    )
    .argument('<base>')
    .argument('<new>')
    .action((base: string, next: string) => {
      const r = DiskChain.createOverlay(base, next);
      if (r instanceof Error) exitCode = report(next, r.message);
      else out(`${next}: new overlay over ${base}; writes through ${next} leave ${base} as it is`);
    });

  program
    .command('freeze')
    .description('freeze an overlay: it is never written again (new overlays can go on top of it)')
    .argument('<overlay>')
    .action((path: string) => {
      const r = DiskChain.freezeOverlay(path);
      if (r instanceof Error) exitCode = report(path, r.message);
      else out(`${path}: frozen`);
    });

  program
    .command('fsck')
    .description(
      'check the partition table and every partition (or only partition P); --repair fixes the file systems, backing up every block it changes first',
    )
    .argument('<image[:p]>')
    .option('--part <n>', 'only partition N (the same as IMAGE:N)', (v) => count(v, '--part'))
    .option('--repair', 'fix what the checkers find (lost blocks, bad chains and entries, the directory crc)')
    .action(async (target: string, opts: { part?: number; repair?: boolean }) => {
      const split = splitTarget(target);
      const path = split.path;
      const part = opts.part ?? split.part;
      // An overlay: first the overlay files themselves (structure, map, data, base identity).
      const overlay = isOverlayFile(path) ? fsckOverlay(path) : undefined;
      if (overlay) {
        for (const n of overlay.notes) out(`note: ${n}`);
        if (overlay.problems.length) {
          for (const p of overlay.problems) report(path, p);
          exitCode = 1;
          return;
        }
        for (const f of overlay.files)
          out(
            `${f.path}: ${f.frozen ? 'frozen overlay, ' : ''}${f === overlay.files.at(-1) ? 'the image' : `${f.blocks} blocks held`}`,
          );
      }
      const backend = DiskChain.open(path, { readOnly: !opts.repair });
      if (backend instanceof Error) {
        exitCode = reportChain(backend);
        return;
      }
      try {
        if (opts.repair) {
          exitCode = repairCommand(path, backend, part);
          return;
        }
        let problems: string[];
        if (part === undefined) problems = fsckDisk(backend);
        else {
          const disk = DiskImage.open(backend);
          problems = disk instanceof DiskError ? [disk.message] : disk.fsckPartition(part);
        }
        for (const p of problems) report(path, p);
        if (problems.length) exitCode = 1;
        else out(`${path}: clean${part === undefined ? '' : ` (partition ${part})`}`);
      } finally {
        const closed = backend.close();
        if (closed instanceof Error) exitCode = report(path, closed.message);
      }
    });

  // The images in the data folder's disks/, as the app's Disks view shows them (diskLibrary.ts).
  const library = (action: string, args: string[]) => async () => {
    const { libraryCommand } = await import('./diskLibrary.js');
    exitCode = await libraryCommand(action, args);
  };
  program
    .command('list')
    .description("the images in the data folder's disks/ folder: partitions, file systems, who uses them")
    .action(() => library('list', [])());
  program
    .command('import')
    .description("copy a disk image file into the data folder's disks/ folder (checked first) as NAME")
    .argument('<hostfile>')
    .argument('[name]', 'the name in the data folder (default: the file name, ending in .img)')
    .action((file: string, name: string | undefined) => library('import', name ? [file, name] : [file])());
  program
    .command('delete')
    .description("delete an image from the data folder's disks/ folder (refused while a saved machine uses it)")
    .argument('<name>')
    .action((name: string) => library('delete', [name])());
  program
    .command('attach')
    .description("add an image of the data folder's disks/ to a saved machine's disks")
    .argument('<machine>')
    .argument('<name>')
    .action((machine: string, name: string) => library('attach', [machine, name])());
  program
    .command('detach')
    .description("remove an image from a saved machine's disks")
    .argument('<machine>')
    .argument('<name>')
    .action((machine: string, name: string) => library('detach', [machine, name])());

  program
    .command('reset')
    .description("replace the app's working copy of a disk (in the data folder) with the built image")
    .argument('[name]', 'the working disk', 'hyperdesk.img')
    .action(async (name: string) => {
      // docs/disks.md#working-disks: the copy lives in the data folder ($HYPERDESK_DATA, ...).
      const { dataDir } = await import('../host/snapshotCatalog.js');
      const { WorkingDisks } = await import('../host/workingDisks.js');
      try {
        const d = await new WorkingDisks(dataDir()).reset(name);
        out(`${d.path}: reset to a copy of ${d.builtImage}`);
        out('(an app running from this disk keeps the old copy open until it boots again)');
      } catch (e) {
        exitCode = report(name, (e as Error).message);
      }
    });

  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    throw e;
  }
  return exitCode;
}

/**
 * `fsck --repair` (docs/disks.md#fsck---repair): what was found, each fix, the backup, and what is
 * left; exit code 0 only when the disk is clean afterwards.
 */
function repairCommand(path: string, backend: DiskChain, part: number | undefined): number {
  const r = repairDisk(backend, path, part);
  if (r instanceof DiskError) return report(path, r.message);
  const where = part === undefined ? '' : ` (partition ${part})`;
  if (r.found.length === 0) {
    out(`${path}: clean${where}; nothing to repair`);
    return 0;
  }
  for (const p of r.found) out(`${path}: found: ${p}`);
  for (const f of r.fixes) out(`${path}: repaired: ${f}`);
  if (r.backup) out(`${path}: ${r.blocks} blocks changed; their old contents are in ${r.backup}`);
  for (const p of r.left) report(path, `not repaired: ${p}`);
  if (r.left.length) return 1;
  out(`${path}: clean${where} after the repair`);
  return 0;
}

interface PartOptions {
  type?: PartitionType;
  start?: number;
  blocks?: number;
  name?: string;
  bootable?: boolean;
}

async function partCommand(
  image: string,
  action: string,
  number: string | undefined,
  opts: PartOptions,
): Promise<number> {
  if (action === 'list') {
    return withDisk(image, false, (disk) => {
      const t = disk.table;
      out(`${image}: ${t.diskBlocks} blocks (${human(t.diskBlocks * BLOCK)}), ${t.partitions.length} partitions`);
      if (t.partitions.length) out('  #  type  boot      first     blocks  size        name');
      for (const p of t.partitions) {
        out(
          `  ${p.number}  ${p.type.padEnd(4)}  ${p.bootable ? 'yes ' : 'no  '}  ${String(p.first).padStart(9)}  ${String(p.blocks).padStart(9)}  ${human(p.blocks * BLOCK).padEnd(10)}  ${p.name}`,
        );
      }
    });
  }
  if (action === 'add') {
    const missing = (['type', 'blocks', 'name'] as const).filter((k) => opts[k] === undefined);
    if (missing.length) return report(image, `part add needs ${missing.map((k) => '--' + k).join(', ')}`);
    return withDisk(image, true, (disk) => {
      // The same placement as the app's Disks view (src/main/disk/imageOps.ts).
      const p = check(
        addImagePartition(disk, {
          type: opts.type as PartitionType,
          ...(opts.start !== undefined ? { start: opts.start } : {}),
          blocks: opts.blocks as number,
          name: opts.name as string,
          bootable: opts.bootable ?? false,
        }),
      );
      out(
        `${image}: added partition ${p.number} '${p.name}' (${p.type}${p.bootable ? ', bootable' : ''}), blocks ${p.first}..${p.first + p.blocks - 1}`,
      );
    });
  }
  if (action === 'rm') {
    const n = Number(number);
    if (number === undefined || !Number.isInteger(n) || n < 1)
      return report(image, `part rm needs a partition number, got '${number ?? ''}'`);
    return withDisk(image, true, (disk) => {
      const last = disk.table.partitions.length;
      check(disk.removePartition(n));
      const moved = n < last ? `; partitions ${n + 1}..${last} are now ${n}..${last - 1}` : '';
      out(`${image}: removed partition ${n} (its blocks are left as they were)${moved}`);
    });
  }
  return report(image, `part: unknown action '${action}' (list, add or rm)`);
}
