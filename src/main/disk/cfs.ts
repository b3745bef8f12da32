/**
 * cfs, the file system of cos (docs/disks.md#cfs-the-file-system-of-cos): one directory, contiguous
 * files. `checkCfs` checks every structure and collects every problem (fsck); `openCfs` opens what
 * can be read of a damaged volume (docs/disks.md#damaged-file-systems): sound files read as usual,
 * the problems come back as warnings, a damaged entry cannot be read and nothing can be written
 * until `hyperdesk disk fsck --repair` (cfsRepair.ts). Writes go out data first, then directory
 * blocks, then the superblock with the directory crc.
 */
import { crc32 } from '../../shared/crc32.js';
import { guestFileNameProblem } from '../../shared/guestFileNames.js';
import { BLOCK, blocksFor, nameBytes, put32, readName, u32, writeName } from './bytes.js';
import { attempt, DiskError, fail, hex } from './errors.js';
import type { FileInfo, FileSystem, WriteOptions } from './fileSystem.js';
import type { Region } from './Region.js';

export const CFS_MAGIC = 0x31534643; // 'CFS1'
export const CFS_VERSION = 1;
const ENTRY_BYTES = 32;
const ENTRIES_PER_BLOCK = BLOCK / ENTRY_BYTES;
const NAME_BYTES = 20;
export const CFS_NAME_MAX = NAME_BYTES - 1;
const LABEL_BYTES = 32;
const FLAG_IN_USE = 1;
const FLAG_EXECUTABLE = 2;
const KNOWN_FLAGS = FLAG_IN_USE | FLAG_EXECUTABLE;

export interface Superblock {
  blocks: number;
  dirFirst: number;
  dirBlocks: number;
  dataFirst: number;
  dirCrc: number;
  label: string;
}

export interface Entry {
  /** Index over the whole directory: block dirFirst + slot / 16, entry slot % 16. */
  slot: number;
  name: string;
  flags: number;
  first: number;
  size: number;
}

export interface MkfsCfsOptions {
  label?: string;
  /** Directory blocks (16 entries each); default: one per 512 blocks, 1..8. */
  dirBlocks?: number;
}

/** Write an empty cfs over the whole region (directory, then superblock). */
export function mkfsCfs(region: Region, options: MkfsCfsOptions = {}): true | DiskError {
  return attempt(() => {
    const dirBlocks = options.dirBlocks ?? Math.min(8, Math.max(1, Math.ceil(region.blocks / 512)));
    if (!Number.isInteger(dirBlocks) || dirBlocks < 1)
      fail(`${region.where}: directory blocks: ${dirBlocks} is not at least 1`);
    if (region.blocks < 2 + dirBlocks) {
      fail(`${region.where}: ${region.blocks} blocks is too small for a file system (at least ${2 + dirBlocks})`);
    }
    const sb: Superblock = {
      blocks: region.blocks,
      dirFirst: 1,
      dirBlocks,
      dataFirst: 1 + dirBlocks,
      dirCrc: 0,
      label: options.label ?? '',
    };
    const dir = new Uint8Array(dirBlocks * BLOCK);
    sb.dirCrc = crc32(dir);
    const sbBytes = encodeSuperblock(sb, region.where);
    region.write(sb.dirFirst, dir, 'directory');
    region.write(0, sbBytes, 'superblock');
    return true;
  });
}

/** Check every structure of the cfs in `region`, pushing one message per problem. */
export function checkCfs(region: Region, problems: string[]): CfsVolume | undefined {
  const before = problems.length;
  const vol = inspectCfs(region, problems);
  return problems.length === before ? vol : undefined;
}

/**
 * Check the cfs in `region`, pushing one message per problem. The volume comes back whenever the
 * superblock's geometry is sound, knowing its damaged entries (docs/disks.md#damaged-file-systems).
 */
export function inspectCfs(region: Region, problems: string[]): CfsVolume | undefined {
  const before = problems.length;
  const sbWhere = `${region.where}: superblock ${region.at(0)}`;
  const sbBytes = region.read(0, 1, 'superblock');
  const magic = u32(sbBytes, 0);
  if (magic !== CFS_MAGIC) {
    problems.push(
      `${sbWhere}: magic: ${hex(magic)} is not ${hex(CFS_MAGIC)} ('CFS1'); not a cfs file system (mkfs it?)`,
    );
    return undefined;
  }
  const version = u32(sbBytes, 4);
  const sb: Superblock = {
    blocks: u32(sbBytes, 8),
    dirFirst: u32(sbBytes, 12),
    dirBlocks: u32(sbBytes, 16),
    dataFirst: u32(sbBytes, 20),
    dirCrc: u32(sbBytes, 24),
    label: '',
  };
  const fatal = (msg: string) => {
    problems.push(`${sbWhere}: ${msg}`);
    return undefined;
  };
  if (version !== CFS_VERSION) return fatal(`version: ${version} is not ${CFS_VERSION}`);
  if (sb.blocks > region.blocks) {
    return fatal(`blocks in the file system: ${sb.blocks}, but the partition has room for ${region.blocks}`);
  }
  if (sb.dirFirst !== 1) return fatal(`first directory block: ${sb.dirFirst} is not 1`);
  if (sb.dirBlocks < 1 || sb.dirFirst + sb.dirBlocks > sb.blocks) {
    return fatal(`directory blocks: ${sb.dirBlocks} (from block 1) do not fit in ${sb.blocks} blocks`);
  }
  if (sb.dataFirst < sb.dirFirst + sb.dirBlocks || sb.dataFirst > sb.blocks) {
    return fatal(`first data block: ${sb.dataFirst} is not between ${sb.dirFirst + sb.dirBlocks} and ${sb.blocks}`);
  }
  const label = readName(sbBytes.subarray(28, 28 + LABEL_BYTES));
  if (typeof label === 'string') sb.label = label;
  else problems.push(`${sbWhere}: volume label: ${label.problem}`);

  const dir = region.read(sb.dirFirst, sb.dirBlocks, 'directory');
  const crc = crc32(dir);
  if (crc !== sb.dirCrc) {
    problems.push(
      `${sbWhere}: directory crc: the directory blocks have crc32 ${hex(crc)}, the superblock says ${hex(sb.dirCrc)}`,
    );
  }
  const vol = new CfsVolume(region, sb, dir);
  const entries: Entry[] = [];
  const names = new Map<string, Entry>();
  for (let slot = 0; slot < sb.dirBlocks * ENTRIES_PER_BLOCK; slot++) {
    const e = dir.subarray(slot * ENTRY_BYTES, (slot + 1) * ENTRY_BYTES);
    const flags = u32(e, 20);
    if (!(flags & FLAG_IN_USE)) continue; // a free entry: its other bytes mean nothing
    const at = vol.entryWhere(slot);
    const name = readName(e.subarray(0, NAME_BYTES));
    const entry: Entry = {
      slot,
      name: typeof name === 'string' ? name : '',
      flags,
      first: u32(e, 24),
      size: u32(e, 28),
    };
    const bad = (msg: string) => {
      problems.push(`${at}: ${msg}`);
      vol.damaged.set(slot, `${at}: ${msg}`);
    };
    if (typeof name !== 'string') bad(`name: ${name.problem}`);
    else if (name === '') bad('name: empty');
    else if (name.includes('/')) bad(`name: '${name}' contains '/'`);
    else {
      const other = names.get(name);
      if (other) bad(`name: '${name}' is also the name of ${vol.entryWhere(other.slot, false)}`);
      names.set(name, entry);
    }
    if (flags & ~KNOWN_FLAGS) bad(`flags: ${hex(flags)} has unknown bits set`);
    if (entry.size > 0) {
      const count = blocksFor(entry.size);
      if (entry.first < sb.dataFirst) {
        bad(`first block ${entry.first} is inside the metadata (data starts at block ${sb.dataFirst})`);
        continue;
      }
      if (entry.first >= sb.blocks) {
        bad(`first block ${entry.first} past the end of the file system (${sb.blocks} blocks)`);
        continue;
      }
      if (entry.first + count > sb.blocks) {
        bad(
          `size ${entry.size} bytes (${count} blocks from block ${entry.first}) runs past the end of the file system (${sb.blocks} blocks): truncated file`,
        );
        continue;
      }
      entries.push(entry);
    }
  }
  const sorted = [...entries].sort((a, b) => a.first - b.first);
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1];
    const cur = sorted[i];
    const prevEnd = prev.first + blocksFor(prev.size);
    if (cur.first < prevEnd) {
      const msg = `${vol.entryWhere(cur.slot)}: blocks ${cur.first}..${cur.first + blocksFor(cur.size) - 1} overlap ${vol.entryWhere(prev.slot, false)} (blocks ${prev.first}..${prevEnd - 1})`;
      problems.push(msg);
      vol.damaged.set(cur.slot, msg);
      vol.damaged.set(prev.slot, msg);
    }
  }
  const found = problems.slice(before);
  vol.warnings.push(...found);
  vol.writeRefused = found[0];
  return vol;
}

/**
 * Open a cfs: refused only when its superblock is unsound; otherwise its problems are the volume's
 * `warnings`, a damaged entry cannot be read, and nothing is written until fsck --repair.
 */
export function openCfs(region: Region): CfsVolume | DiskError {
  return attempt(() => {
    const problems: string[] = [];
    const vol = inspectCfs(region, problems);
    if (!vol) fail(problems[0] + (problems.length > 1 ? ` (and ${problems.length - 1} more problems; run fsck)` : ''));
    return vol;
  });
}

export class CfsVolume implements FileSystem {
  readonly kind = 'cfs';
  /** What fsck would report, found at open (docs/disks.md#damaged-file-systems). */
  readonly warnings: string[] = [];
  /** Damaged entries: reading them is refused with this message. */
  readonly damaged = new Map<number, string>();
  /** The first problem, when there is any: writing waits for fsck --repair. */
  writeRefused: string | undefined;

  constructor(
    readonly region: Region,
    private sb: Superblock,
    /** The directory blocks as on disk (kept up to date by writes). */
    private dir: Uint8Array,
  ) {}

  get label(): string {
    return this.sb.label;
  }

  /** "partition 2: cfs: directory block 1 (disk block 2050): entry 5" */
  entryWhere(slot: number, withPrefix = true): string {
    const rel = this.sb.dirFirst + Math.floor(slot / ENTRIES_PER_BLOCK);
    const name = readName(this.dir.subarray(slot * ENTRY_BYTES, slot * ENTRY_BYTES + NAME_BYTES));
    const shown = typeof name === 'string' && name !== '' ? ` ('${name}')` : '';
    const s = `directory ${this.region.at(rel)}: entry ${slot % ENTRIES_PER_BLOCK}${shown}`;
    return withPrefix ? `${this.region.where}: ${s}` : s;
  }

  list(): FileInfo[] {
    return this.entries().map((e) => ({ name: e.name, size: e.size, executable: (e.flags & FLAG_EXECUTABLE) !== 0 }));
  }

  read(name: string): Uint8Array | DiskError {
    return attempt(() => {
      const e = this.find(name);
      const damage = this.damaged.get(e.slot);
      if (damage) fail(`${damage} (cannot read it; hyperdesk disk fsck --repair)`);
      if (e.size === 0) return new Uint8Array(0);
      return this.region.read(e.first, blocksFor(e.size), `file '${name}'`).slice(0, e.size);
    });
  }

  checkName(name: string): DiskError | undefined {
    const r = attempt(() => validName(name, this.region.where));
    return r instanceof DiskError ? r : undefined;
  }

  write(name: string, data: Uint8Array, options: WriteOptions = {}): true | DiskError {
    return attempt(() => {
      this.checkWritable();
      const bytes = validName(name, this.region.where);
      const count = blocksFor(data.length);
      const all = this.entries();
      const old = all.find((e) => e.name === name);
      // Prefer free space, so an interrupted replacement leaves the old file; else reuse its blocks.
      let first = count === 0 ? 0 : this.firstFit(count, all);
      if (first < 0)
        first = this.firstFit(
          count,
          all.filter((e) => e !== old),
        );
      if (first < 0) {
        fail(
          `${this.region.where}: no room for '${name}' (${count} contiguous blocks; ${this.freeBlocks()} blocks free in all)`,
        );
      }
      let slot = old?.slot ?? -1;
      if (slot < 0) {
        const taken = new Set(all.map((e) => e.slot));
        for (let s = 0; s < this.sb.dirBlocks * ENTRIES_PER_BLOCK && slot < 0; s++) if (!taken.has(s)) slot = s;
        if (slot < 0)
          fail(`${this.region.where}: the directory is full (${this.sb.dirBlocks * ENTRIES_PER_BLOCK} entries)`);
      }
      // Over the old copy's own blocks (no room elsewhere): its entry goes first, so an interrupted
      // replacement leaves no file rather than the old name over a mix of old and new bytes.
      if (old && count > 0 && old.size > 0 && first < old.first + blocksFor(old.size) && old.first < first + count)
        this.commit(old.slot, new Uint8Array(ENTRY_BYTES));
      if (count > 0) this.region.write(first, data, `file '${name}'`);
      const e = new Uint8Array(ENTRY_BYTES);
      e.set(bytes);
      put32(e, 20, FLAG_IN_USE | (options.executable ? FLAG_EXECUTABLE : 0));
      put32(e, 24, first);
      put32(e, 28, data.length);
      this.commit(slot, e);
      return true;
    });
  }

  remove(name: string): true | DiskError {
    return attempt(() => {
      this.checkWritable();
      const e = this.find(name);
      this.commit(e.slot, new Uint8Array(ENTRY_BYTES));
      return true;
    });
  }

  freeBlocks(): number {
    const used = this.entries().reduce((n, e) => n + blocksFor(e.size), 0);
    return this.sb.blocks - this.sb.dataFirst - used;
  }

  /** The superblock and directory as on disk: what cfsRepair.ts works on. */
  layout(): { sb: Superblock; dir: Uint8Array } {
    return { sb: { ...this.sb }, dir: this.dir.slice() };
  }

  private checkWritable(): void {
    if (this.writeRefused)
      fail(`${this.writeRefused} (writing refused until \`hyperdesk disk fsck --repair\` fixes it)`);
  }

  private entries(): Entry[] {
    const out: Entry[] = [];
    for (let slot = 0; slot < this.sb.dirBlocks * ENTRIES_PER_BLOCK; slot++) {
      const e = this.dir.subarray(slot * ENTRY_BYTES, (slot + 1) * ENTRY_BYTES);
      const flags = u32(e, 20);
      if (!(flags & FLAG_IN_USE)) continue;
      const name = readName(e.subarray(0, NAME_BYTES));
      out.push({ slot, name: typeof name === 'string' ? name : '', flags, first: u32(e, 24), size: u32(e, 28) });
    }
    return out;
  }

  private find(name: string): Entry {
    const e = this.entries().find((x) => x.name === name);
    if (!e) fail(`${this.region.where}: no file '${name}'`);
    return e;
  }

  /** First block of the first gap of `count` blocks among `used`, or -1. */
  private firstFit(count: number, used: Entry[]): number {
    const extents = used.filter((e) => e.size > 0).sort((a, b) => a.first - b.first);
    let at = this.sb.dataFirst;
    for (const e of extents) {
      if (e.first - at >= count) return at;
      at = Math.max(at, e.first + blocksFor(e.size));
    }
    return this.sb.blocks - at >= count ? at : -1;
  }

  /** Put one directory entry: its directory block, then the superblock with the new crc. */
  private commit(slot: number, entry: Uint8Array): void {
    const dir = this.dir.slice();
    dir.set(entry, slot * ENTRY_BYTES);
    const rel = Math.floor(slot / ENTRIES_PER_BLOCK);
    const sb = { ...this.sb, dirCrc: crc32(dir) };
    const sbBytes = encodeSuperblock(sb, this.region.where);
    this.region.write(this.sb.dirFirst + rel, dir.subarray(rel * BLOCK, (rel + 1) * BLOCK), 'directory');
    this.dir = dir;
    this.region.write(0, sbBytes, 'superblock');
    this.sb = sb;
  }
}

export function encodeSuperblock(sb: Superblock, where: string): Uint8Array {
  const b = new Uint8Array(BLOCK);
  put32(b, 0, CFS_MAGIC);
  put32(b, 4, CFS_VERSION);
  put32(b, 8, sb.blocks);
  put32(b, 12, sb.dirFirst);
  put32(b, 16, sb.dirBlocks);
  put32(b, 20, sb.dataFirst);
  put32(b, 24, sb.dirCrc);
  writeName(b.subarray(28, 28 + LABEL_BYTES), sb.label, `${where}: volume label`);
  return b;
}

/** A new cfs name: 1..19 printable ASCII characters, no '/', none of the odd names (docs/disks.md#file-names). */
function validName(name: string, where: string): Uint8Array {
  if (name === '') fail(`${where}: a file name cannot be empty`);
  if (name.includes('/')) fail(`${where}: file name '${name}' contains '/'`);
  const bytes = nameBytes(name, CFS_NAME_MAX, `${where}: file name`);
  const odd = guestFileNameProblem(name);
  if (odd) fail(`${where}: file name ${odd}`);
  return bytes;
}
