/**
 * A whole disk (docs/disks.md): the partition table, the OS image at the start of each bootable
 * partition (docs/boot.md#os-image-header-multiboot-like) and the file system of each cfs or sfs
 * partition, over any BlockBackend (a file, or memory in tests). Every method returns a DiskError
 * value for bad input; nothing is written unless a method that writes is called.
 */
import type { BlockBackend } from '../emulator/devices/disk/BlockBackend.js';
import {
  buildOsImageHeader,
  checkOsImage,
  OsImageError,
  osImageBlocks,
  parseOsImageHeader,
  type OsImageHeader,
  type OsImageSpec,
} from '../../shared/osImage.js';
import { BLOCK } from './bytes.js';
import { checkCfs, mkfsCfs, openCfs, type MkfsCfsOptions } from './cfs.js';
import { attempt, DiskError, fail, must } from './errors.js';
import type { FileSystem } from './fileSystem.js';
import {
  addPartition,
  checkPartitionTable,
  createPartitionTable,
  encodePartitionTable,
  removePartition,
  type NewPartition,
  type Partition,
  type PartitionTable,
} from './partitionTable.js';
import { Region } from './Region.js';
import { checkSfs, mkfsSfs, openSfs, type MkfsSfsOptions } from './sfs.js';

export type MkfsOptions = MkfsCfsOptions & MkfsSfsOptions;

export class DiskImage {
  private constructor(
    readonly backend: BlockBackend,
    private tableValue: PartitionTable,
  ) {}

  /** Read and check the partition table. */
  static open(backend: BlockBackend): DiskImage | DiskError {
    return attempt(() => {
      const problems: string[] = [];
      const block0 = must(backend.read(0, 1), 'partition table (block 0): cannot read');
      const table = checkPartitionTable(block0, backend.blocks, problems);
      if (!table) fail(problems[0] + (problems.length > 1 ? ` (and ${problems.length - 1} more problems)` : ''));
      return new DiskImage(backend, table);
    });
  }

  /** Write an empty partition table to block 0 (the rest of the disk is left as it is). */
  static format(backend: BlockBackend): DiskImage | DiskError {
    return attempt(() => {
      const table = createPartitionTable(backend.blocks);
      must(backend.write(0, encodePartitionTable(table)), 'partition table (block 0): cannot write');
      return new DiskImage(backend, table);
    });
  }

  get table(): PartitionTable {
    return this.tableValue;
  }

  partition(number: number): Partition | DiskError {
    const p = this.tableValue.partitions.find((x) => x.number === number);
    if (p) return p;
    const have = this.tableValue.partitions.map((x) => x.number).join(', ') || 'none';
    return new DiskError(`partition ${number}: no such partition (partitions: ${have})`);
  }

  addPartition(spec: NewPartition): Partition | DiskError {
    return attempt(() => {
      const before = new Set(this.tableValue.partitions.map((p) => p.number));
      const next = must(addPartition(this.tableValue, spec));
      this.writeTable(next);
      return next.partitions.find((p) => !before.has(p.number)) as Partition;
    });
  }

  removePartition(number: number): true | DiskError {
    return attempt(() => {
      this.writeTable(must(removePartition(this.tableValue, number)));
      return true;
    });
  }

  /** The whole partition as a region ("partition 2"). */
  partitionRegion(number: number): Region | DiskError {
    return attempt(() => {
      const p = must(this.partition(number));
      return new Region(this.backend, p.first, p.blocks, `partition ${p.number}`);
    });
  }

  /** The OS image header of a bootable partition, checked against the partition's size. */
  osHeader(number: number): OsImageHeader | DiskError {
    return attempt(() => {
      const region = must(this.partitionRegion(number));
      const p = must(this.partition(number));
      if (!p.bootable) fail(`partition ${number}: not bootable (no OS image header)`);
      const h = parseOsImageHeader(region.read(0, 1, 'OS image header'), { partitionBlocks: p.blocks });
      if (h instanceof OsImageError) fail(`partition ${number}: ${region.at(0)}: ${h.message}`);
      return h;
    });
  }

  /** The OS image bytes of a bootable partition, crc checked. */
  osImage(number: number): { header: OsImageHeader; image: Uint8Array } | DiskError {
    return attempt(() => {
      const header = must(this.osHeader(number));
      const region = must(this.partitionRegion(number));
      const image = region.read(1, osImageBlocks(header.imageSize) - 1, 'OS image').subarray(0, header.imageSize);
      const ok = checkOsImage(header, image);
      if (ok instanceof OsImageError) fail(`partition ${number}: ${region.at(0)}: ${ok.message}`);
      return { header, image };
    });
  }

  /**
   * Write an OS image at the start of a partition (image blocks, then the header block) and mark the
   * partition bootable. It must end before `spec.fsOffset` (0: the partition has no file system).
   */
  installOsImage(number: number, spec: OsImageSpec): OsImageHeader | DiskError {
    return attempt(() => {
      const region = must(this.partitionRegion(number));
      const p = must(this.partition(number));
      const header = buildOsImageHeader(spec, { partitionBlocks: p.blocks });
      if (header instanceof OsImageError) fail(`partition ${number}: ${header.message}`);
      region.write(1, spec.image, 'OS image');
      region.write(0, header, 'OS image header');
      if (!p.bootable) {
        const partitions = this.tableValue.partitions.map((x) => (x.number === number ? { ...x, bootable: true } : x));
        this.writeTable({ ...this.tableValue, partitions });
      }
      return must(this.osHeader(number));
    });
  }

  /** Where a partition's file system lives: the whole partition, or after the OS image when bootable. */
  fsRegion(number: number): Region | DiskError {
    return attempt(() => {
      const p = must(this.partition(number));
      if (p.type === 'raw') fail(`partition ${number}: type raw has no file system`);
      let offset = 0;
      if (p.bootable) {
        offset = must(this.osHeader(number)).fsOffset;
        if (offset === 0) fail(`partition ${number}: the OS image header's fs offset is 0 (no file system)`);
      }
      return new Region(this.backend, p.first + offset, p.blocks - offset, `partition ${number}: ${p.type}`);
    });
  }

  /** The first partition with a file system (the default of `IMAGE` without `:P`). */
  defaultFsPartition(): number | DiskError {
    const p = this.tableValue.partitions.find((x) => x.type === 'cfs' || x.type === 'sfs');
    return p ? p.number : new DiskError('no partition with a file system (cfs or sfs)');
  }

  /** Open the file system of a partition (default: the first with one), refusing a damaged one. */
  fileSystem(number?: number): FileSystem | DiskError {
    return attempt(() => {
      const n = number ?? must(this.defaultFsPartition());
      const region = must(this.fsRegion(n));
      return must(must(this.partition(n)).type === 'cfs' ? openCfs(region) : openSfs(region));
    });
  }

  /** Write an empty file system of the partition's type. */
  mkfs(number: number, options: MkfsOptions = {}): FileSystem | DiskError {
    return attempt(() => {
      const region = must(this.fsRegion(number));
      must(must(this.partition(number)).type === 'cfs' ? mkfsCfs(region, options) : mkfsSfs(region, options));
      return must(this.fileSystem(number));
    });
  }

  /** Every problem in one partition: its OS image (header and crc) and its file system. */
  fsckPartition(number: number): string[] {
    const problems: string[] = [];
    const p = this.partition(number);
    if (p instanceof DiskError) return [p.message];
    const step = (fn: () => void) => {
      const r = attempt(fn);
      if (r instanceof DiskError) problems.push(r.message);
    };
    if (p.bootable) step(() => must(this.osImage(number)));
    if (p.type !== 'raw' && problems.length === 0) {
      step(() => {
        const region = must(this.fsRegion(number));
        if (p.type === 'cfs') checkCfs(region, problems);
        else checkSfs(region, problems);
      });
    }
    return problems;
  }

  /** Every problem on the disk: the table (checked at open), then each partition. */
  fsck(): string[] {
    return this.tableValue.partitions.flatMap((p) => this.fsckPartition(p.number));
  }

  flush(): true | DiskError {
    const r = this.backend.flush();
    return r instanceof Error ? new DiskError(`flush failed: ${r.message}`) : true;
  }

  private writeTable(table: PartitionTable): void {
    const bytes = encodePartitionTable(table);
    if (bytes.length !== BLOCK) fail('partition table: encoded to the wrong size');
    must(this.backend.write(0, bytes), 'partition table (block 0): cannot write');
    this.tableValue = table;
  }
}

/** Check a whole disk: the partition table, then every partition (fsck without repairs). */
export function fsckDisk(backend: BlockBackend): string[] {
  const disk = DiskImage.open(backend);
  if (disk instanceof DiskError) {
    const problems: string[] = [];
    const block0 = backend.read(0, 1);
    if (block0 instanceof Error) return [`partition table (block 0): cannot read: ${block0.message}`];
    checkPartitionTable(block0, backend.blocks, problems);
    return problems.length ? problems : [disk.message];
  }
  return disk.fsck();
}
