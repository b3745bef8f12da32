/**
 * sfs, the file system of swos (docs/disks.md#sfs-the-file-system-of-swos): a FAT of u16 chains and
 * a root directory of 8.3 names. `checkSfs` checks every structure and chain (fsck); `openSfs` opens
 * what can be read of a damaged volume (docs/disks.md#damaged-file-systems): files whose entries and
 * chains check out read as usual, the problems come back as warnings, and writing is refused unless
 * the only problem is lost blocks (harmless: nothing allocates them). Writes go out data first, then
 * the FAT, then the directory; freeing goes directory first, then FAT, so an interruption leaves lost
 * blocks, never a file whose chain runs through free blocks. Repairs: sfsRepair.ts.
 */
import { BLOCK, blocksFor, put16, put32, u16, u32 } from './bytes.js';
import { attempt, DiskError, fail, hex } from './errors.js';
import type { FileInfo, FileSystem } from './fileSystem.js';
import type { Region } from './Region.js';
import { fromSfsName, newSfsName, toSfsName } from './sfsNames.js';

export const SFS_MAGIC = 0x21534653; // 'SFS!'
export const SFS_VERSION = 1;
const ENTRY_BYTES = 32;
const ENTRIES_PER_BLOCK = BLOCK / ENTRY_BYTES;
const FAT_PER_BLOCK = BLOCK / 2;
export const FAT_FREE = 0x0000;
export const FAT_END = 0xffff;
/** Data block numbers are u16 and 0xFFFF means "end", so there are at most 0xFFFF data blocks. */
const MAX_DATA_BLOCKS = 0xffff;
const ATTR_IN_USE = 1;
const ATTR_READ_ONLY = 2;
const ATTR_SYSTEM = 4;
const KNOWN_ATTRS = ATTR_IN_USE | ATTR_READ_ONLY | ATTR_SYSTEM;

export interface Superblock {
  blocks: number;
  fatFirst: number;
  fatBlocks: number;
  rootFirst: number;
  rootBlocks: number;
  dataFirst: number;
  dataBlocks: number;
}

export interface Entry {
  slot: number;
  name: string;
  attrs: number;
  first: number;
  size: number;
}

export interface MkfsSfsOptions {
  /** Root-directory blocks (16 entries each); default: one per 1024 blocks, 1..8. */
  rootBlocks?: number;
}

/** Write an empty sfs at the start of the region (FAT, root directory, then superblock). */
export function mkfsSfs(region: Region, options: MkfsSfsOptions = {}): true | DiskError {
  return attempt(() => {
    const n = region.blocks;
    const rootBlocks = options.rootBlocks ?? Math.min(8, Math.max(1, Math.ceil(n / 1024)));
    if (!Number.isInteger(rootBlocks) || rootBlocks < 1)
      fail(`${region.where}: root-directory blocks: ${rootBlocks} is not at least 1`);
    let fatBlocks = 1;
    let dataBlocks = 0;
    for (;;) {
      dataBlocks = Math.min(MAX_DATA_BLOCKS, n - 1 - rootBlocks - fatBlocks);
      if (blocksFor(dataBlocks * 2) <= fatBlocks) break;
      fatBlocks++;
    }
    if (dataBlocks < 2)
      fail(`${region.where}: ${n} blocks is too small for a file system (at least ${4 + rootBlocks})`);
    const sb: Superblock = {
      blocks: 1 + fatBlocks + rootBlocks + dataBlocks,
      fatFirst: 1,
      fatBlocks,
      rootFirst: 1 + fatBlocks,
      rootBlocks,
      dataFirst: 1 + fatBlocks + rootBlocks,
      dataBlocks,
    };
    const fat = new Uint8Array(fatBlocks * BLOCK);
    put16(fat, 0, FAT_END); // data block 0 is reserved, so 0 can mean "none"
    region.write(sb.fatFirst, fat, 'FAT');
    region.write(sb.rootFirst, new Uint8Array(rootBlocks * BLOCK), 'root directory');
    region.write(0, encodeSuperblock(sb), 'superblock');
    return true;
  });
}

/** Check every structure and chain of the sfs in `region`, pushing one message per problem. */
export function checkSfs(region: Region, problems: string[]): SfsVolume | undefined {
  const before = problems.length;
  const vol = inspectSfs(region, problems);
  return problems.length === before ? vol : undefined;
}

/**
 * Check the sfs in `region`, pushing one message per problem. The volume comes back whenever the
 * superblock is sound (even with problems below it), knowing which entries are damaged and whether
 * writing is safe (docs/disks.md#damaged-file-systems); undefined when the superblock is not.
 */
export function inspectSfs(region: Region, problems: string[]): SfsVolume | undefined {
  const before = problems.length;
  const sbWhere = `${region.where}: superblock ${region.at(0)}`;
  const b = region.read(0, 1, 'superblock');
  const fatal = (msg: string) => {
    problems.push(`${sbWhere}: ${msg}`);
    return undefined;
  };
  const magic = u32(b, 0);
  if (magic !== SFS_MAGIC)
    return fatal(`magic: ${hex(magic)} is not ${hex(SFS_MAGIC)} ('SFS!'); not an sfs file system (mkfs it?)`);
  const version = u32(b, 4);
  if (version !== SFS_VERSION) return fatal(`version: ${version} is not ${SFS_VERSION}`);
  const sb: Superblock = {
    blocks: u32(b, 8),
    fatFirst: u32(b, 12),
    fatBlocks: u32(b, 16),
    rootFirst: u32(b, 20),
    rootBlocks: u32(b, 24),
    dataFirst: u32(b, 28),
    dataBlocks: u32(b, 32),
  };
  if (sb.blocks > region.blocks)
    return fatal(`blocks in the file system: ${sb.blocks}, but the partition has room for ${region.blocks}`);
  if (sb.fatFirst !== 1) return fatal(`first FAT block: ${sb.fatFirst} is not 1`);
  if (sb.dataBlocks < 2 || sb.dataBlocks > MAX_DATA_BLOCKS) {
    return fatal(`number of data blocks: ${sb.dataBlocks} is not between 2 and ${MAX_DATA_BLOCKS}`);
  }
  if (sb.fatBlocks * FAT_PER_BLOCK < sb.dataBlocks) {
    return fatal(
      `FAT blocks: ${sb.fatBlocks} hold ${sb.fatBlocks * FAT_PER_BLOCK} entries, fewer than the ${sb.dataBlocks} data blocks`,
    );
  }
  if (sb.rootFirst < sb.fatFirst + sb.fatBlocks) {
    return fatal(
      `first root-directory block: ${sb.rootFirst} is inside the FAT (blocks ${sb.fatFirst}..${sb.fatFirst + sb.fatBlocks - 1})`,
    );
  }
  if (sb.rootBlocks < 1) return fatal('root-directory blocks: 0');
  if (sb.dataFirst < sb.rootFirst + sb.rootBlocks) {
    return fatal(
      `first data block: ${sb.dataFirst} is inside the root directory (blocks ${sb.rootFirst}..${sb.rootFirst + sb.rootBlocks - 1})`,
    );
  }
  if (sb.dataFirst + sb.dataBlocks > sb.blocks) {
    return fatal(
      `data blocks ${sb.dataFirst}..${sb.dataFirst + sb.dataBlocks - 1} run past the end of the file system (${sb.blocks} blocks)`,
    );
  }
  const fatBytes = region.read(sb.fatFirst, sb.fatBlocks, 'FAT');
  const dir = region.read(sb.rootFirst, sb.rootBlocks, 'root directory');
  const vol = new SfsVolume(region, sb, fatBytes, dir);

  if (vol.next(0) !== FAT_END)
    problems.push(`${vol.fatWhere(0)}: ${hex(vol.next(0), 4)}, but data block 0 is reserved (0xffff)`);
  for (let i = 1; i < sb.dataBlocks; i++) {
    const v = vol.next(i);
    if (v !== FAT_FREE && v !== FAT_END && v >= sb.dataBlocks) {
      problems.push(`${vol.fatWhere(i)}: next block ${v} is out of range (data blocks 1..${sb.dataBlocks - 1})`);
    }
  }
  const owner = new Map<number, Entry>();
  const names = new Map<string, Entry>();
  let harmless = problems.length === before; // so far: nothing but (later) lost blocks
  for (const e of vol.rawEntries()) {
    const at = vol.entryWhere(e.slot);
    const bad = (msg: string) => {
      problems.push(`${at}: ${msg}`);
      vol.damaged.set(e.slot, `${at}: ${msg}`);
      harmless = false;
    };
    const raw = dir.subarray(e.slot * ENTRY_BYTES, (e.slot + 1) * ENTRY_BYTES);
    const name = fromSfsName(raw.subarray(0, 11));
    if (typeof name !== 'string') bad(`name: ${name.problem}`);
    else {
      const other = names.get(name);
      if (other) bad(`name: '${name}' is also the name of ${vol.entryWhere(other.slot, false)}`);
      names.set(name, e);
    }
    if (e.attrs & ~KNOWN_ATTRS) bad(`attributes: ${hex(e.attrs, 2)} has unknown bits set`);
    if (u16(raw, 14) !== 0 || raw.subarray(20).some((x) => x !== 0)) bad('reserved bytes 14..15 and 20..31 are not 0');
    const need = blocksFor(e.size);
    if (e.size === 0) {
      if (e.first !== 0) bad(`first data block: ${e.first} for an empty file (must be 0)`);
      continue;
    }
    if (e.first === 0 || e.first >= sb.dataBlocks) {
      bad(`first data block: ${e.first} is out of range (data blocks 1..${sb.dataBlocks - 1})`);
      continue;
    }
    let count = 0;
    for (let blk = e.first; ;) {
      const holder = owner.get(blk);
      if (holder === e) {
        bad(`chain: loops back to data block ${blk} after ${count} blocks`);
        break;
      }
      if (holder) {
        bad(`chain: data block ${blk} is cross-linked with ${vol.entryWhere(holder.slot, false)}`);
        break;
      }
      owner.set(blk, e);
      count++;
      const v = vol.next(blk);
      if (v === FAT_FREE) {
        bad(`chain: data block ${blk} is marked free in the FAT (${vol.fatWhere(blk, false)})`);
        break;
      }
      if (v === FAT_END) {
        if (count < need)
          bad(`size ${e.size} bytes needs ${need} blocks, but the chain ends after ${count}: truncated file`);
        if (count > need) bad(`size ${e.size} bytes needs ${need} blocks, but the chain has ${count}`);
        break;
      }
      if (v >= sb.dataBlocks) break; // reported with the FAT above
      blk = v;
    }
  }
  // A FAT entry out of range damages the chain through it, not only the entry.
  for (const [blk, e] of owner) {
    const v = vol.next(blk);
    if (v !== FAT_FREE && v !== FAT_END && v >= sb.dataBlocks && !vol.damaged.has(e.slot))
      vol.damaged.set(
        e.slot,
        `${vol.entryWhere(e.slot)}: chain: ${vol.fatWhere(blk, false)}: next block ${v} is out of range`,
      );
  }
  const lost: number[] = [];
  for (let i = 1; i < sb.dataBlocks; i++) if (vol.next(i) !== FAT_FREE && !owner.has(i)) lost.push(i);
  if (lost.length) {
    const more = lost.length > 8 ? ', ...' : '';
    const shown = lost.slice(0, 8).join(', ') + more;
    const disk = lost
      .slice(0, 8)
      .map((n) => region.start + sb.dataFirst + n)
      .join(', ');
    problems.push(
      `${region.where}: FAT: ${lost.length} data blocks are allocated but in no file's chain (lost): ${shown} (disk block${lost.length > 1 ? 's' : ''} ${disk}${more})`,
    );
  }
  const found = problems.slice(before);
  vol.warnings.push(...found);
  if (!harmless) vol.writeRefused = found.find((p) => !p.includes('(lost)')) ?? found[0];
  return vol;
}

/**
 * Open an sfs: refused only when its superblock is unsound; otherwise its problems are the volume's
 * `warnings`, a damaged file cannot be read and, unless every problem is lost blocks, nothing can be
 * written until `hyperdesk disk fsck --repair` (docs/disks.md#damaged-file-systems).
 */
export function openSfs(region: Region): SfsVolume | DiskError {
  return attempt(() => {
    const problems: string[] = [];
    const vol = inspectSfs(region, problems);
    if (!vol) fail(problems[0] + (problems.length > 1 ? ` (and ${problems.length - 1} more problems; run fsck)` : ''));
    return vol;
  });
}

export class SfsVolume implements FileSystem {
  readonly kind = 'sfs';
  /** What fsck would report, found at open (docs/disks.md#damaged-file-systems). */
  readonly warnings: string[] = [];
  /** Entries whose chain or fields are damaged: reading them is refused with this message. */
  readonly damaged = new Map<number, string>();
  /** Set when a problem other than lost blocks makes writing unsafe: the first such problem. */
  writeRefused: string | undefined;

  constructor(
    readonly region: Region,
    private readonly sb: Superblock,
    /** The FAT blocks and root-directory blocks as on disk (kept up to date by writes). */
    private fat: Uint8Array,
    private dir: Uint8Array,
  ) {}

  next(block: number): number {
    return u16(this.fat, block * 2);
  }

  /** "partition 2: sfs: FAT block 1 (disk block 34): data block 7" */
  fatWhere(block: number, withPrefix = true): string {
    const s = `FAT ${this.region.at(this.sb.fatFirst + Math.floor(block / FAT_PER_BLOCK))}: data block ${block}`;
    return withPrefix ? `${this.region.where}: ${s}` : s;
  }

  entryWhere(slot: number, withPrefix = true): string {
    const rel = this.sb.rootFirst + Math.floor(slot / ENTRIES_PER_BLOCK);
    const name = fromSfsName(this.dir.subarray(slot * ENTRY_BYTES, slot * ENTRY_BYTES + 11));
    const shown = typeof name === 'string' ? ` ('${name}')` : '';
    const s = `root directory ${this.region.at(rel)}: entry ${slot % ENTRIES_PER_BLOCK}${shown}`;
    return withPrefix ? `${this.region.where}: ${s}` : s;
  }

  /** Every in-use directory entry, as stored. */
  rawEntries(): Entry[] {
    const out: Entry[] = [];
    for (let slot = 0; slot < this.sb.rootBlocks * ENTRIES_PER_BLOCK; slot++) {
      const e = this.dir.subarray(slot * ENTRY_BYTES, (slot + 1) * ENTRY_BYTES);
      const attrs = e[11];
      if (!(attrs & ATTR_IN_USE)) continue; // a free entry: its other bytes mean nothing
      const name = fromSfsName(e.subarray(0, 11));
      out.push({ slot, name: typeof name === 'string' ? name : '', attrs, first: u16(e, 12), size: u32(e, 16) });
    }
    return out;
  }

  list(): FileInfo[] {
    return this.rawEntries().map((e) => ({
      name: e.name,
      size: e.size,
      readOnly: (e.attrs & ATTR_READ_ONLY) !== 0,
      system: (e.attrs & ATTR_SYSTEM) !== 0,
    }));
  }

  read(name: string): Uint8Array | DiskError {
    return attempt(() => {
      const e = this.find(name);
      const damage = this.damaged.get(e.slot);
      if (damage) fail(`${damage} (cannot read it; hyperdesk disk fsck --repair)`);
      const out = new Uint8Array(blocksFor(e.size) * BLOCK);
      this.chain(e.first).forEach((blk, i) =>
        out.set(this.region.read(this.sb.dataFirst + blk, 1, `file '${e.name}'`), i * BLOCK),
      );
      return out.subarray(0, e.size);
    });
  }

  checkName(name: string): DiskError | undefined {
    const r = attempt(() => newSfsName(name, this.region.where));
    return r instanceof DiskError ? r : undefined;
  }

  write(name: string, data: Uint8Array): true | DiskError {
    return attempt(() => {
      this.checkWritable();
      const stored = newSfsName(name, this.region.where);
      const shown = fromSfsName(stored) as string;
      const need = blocksFor(data.length);
      let old = this.rawEntries().find((e) => e.name === shown);
      if (old && old.attrs & ATTR_READ_ONLY) fail(`${this.region.where}: '${shown}' is read-only`);
      const free = this.freeBlocks();
      const oldBlocks = old ? this.chain(old.first).length : 0;
      if (need > free + oldBlocks) {
        fail(`${this.region.where}: no room for '${shown}' (${need} blocks; ${free} free)`);
      }
      const slot = old?.slot ?? this.freeSlot();
      if (slot < 0)
        fail(`${this.region.where}: the root directory is full (${this.sb.rootBlocks * ENTRIES_PER_BLOCK} entries)`);
      if (old && need > free) {
        // Only room if the old copy goes first: the caller asked to replace it.
        this.removeEntry(old);
        old = undefined;
      }
      const blocks = this.allocate(need);
      blocks.forEach((blk, i) =>
        this.region.write(this.sb.dataFirst + blk, data.subarray(i * BLOCK, (i + 1) * BLOCK), `file '${shown}'`),
      );
      const fat = this.fat.slice();
      blocks.forEach((blk, i) => put16(fat, blk * 2, i + 1 < blocks.length ? blocks[i + 1] : FAT_END));
      this.writeFat(fat);
      const e = new Uint8Array(ENTRY_BYTES);
      e.set(stored);
      e[11] = ATTR_IN_USE | (old ? old.attrs & ATTR_SYSTEM : 0);
      put16(e, 12, blocks[0] ?? 0);
      put32(e, 16, data.length);
      this.writeEntry(slot, e);
      if (old) this.freeChain(old.first);
      return true;
    });
  }

  remove(name: string): true | DiskError {
    return attempt(() => {
      this.checkWritable();
      const e = this.find(name);
      if (e.attrs & ATTR_READ_ONLY) fail(`${this.region.where}: '${e.name}' is read-only`);
      this.removeEntry(e);
      return true;
    });
  }

  freeBlocks(): number {
    let n = 0;
    for (let i = 1; i < this.sb.dataBlocks; i++) if (this.next(i) === FAT_FREE) n++;
    return n;
  }

  /** The superblock, FAT and root directory as on disk: what sfsRepair.ts works on. */
  layout(): { sb: Superblock; fat: Uint8Array; dir: Uint8Array } {
    return { sb: { ...this.sb }, fat: this.fat.slice(), dir: this.dir.slice() };
  }

  private checkWritable(): void {
    if (this.writeRefused)
      fail(`${this.writeRefused} (writing refused until \`hyperdesk disk fsck --repair\` fixes it)`);
  }

  private find(name: string): Entry {
    const stored = toSfsName(name, this.region.where);
    const shown = fromSfsName(stored) as string;
    const e = this.rawEntries().find((x) => x.name === shown);
    if (!e) fail(`${this.region.where}: no file '${shown}'`);
    return e;
  }

  /** The data blocks of a chain (checked at open, so it ends). */
  private chain(first: number): number[] {
    const out: number[] = [];
    for (let blk = first; blk !== 0 && blk !== FAT_END && out.length < this.sb.dataBlocks; blk = this.next(blk))
      out.push(blk);
    return out;
  }

  private freeSlot(): number {
    const taken = new Set(this.rawEntries().map((e) => e.slot));
    for (let s = 0; s < this.sb.rootBlocks * ENTRIES_PER_BLOCK; s++) if (!taken.has(s)) return s;
    return -1;
  }

  /** The lowest `count` free data blocks (the caller checked there are enough). */
  private allocate(count: number): number[] {
    const out: number[] = [];
    for (let i = 1; i < this.sb.dataBlocks && out.length < count; i++) if (this.next(i) === FAT_FREE) out.push(i);
    if (out.length < count) fail(`${this.region.where}: no room (${count} blocks; ${out.length} free)`);
    return out;
  }

  /** Directory entry first, then the FAT: an interruption leaves lost blocks, not a dangling chain. */
  private removeEntry(e: Entry): void {
    this.writeEntry(e.slot, new Uint8Array(ENTRY_BYTES));
    this.freeChain(e.first);
  }

  private freeChain(first: number): void {
    const fat = this.fat.slice();
    for (const blk of this.chain(first)) put16(fat, blk * 2, FAT_FREE);
    this.writeFat(fat);
  }

  /** Write the FAT blocks that differ from the current FAT. */
  private writeFat(fat: Uint8Array): void {
    for (let i = 0; i < this.sb.fatBlocks; i++) {
      const a = fat.subarray(i * BLOCK, (i + 1) * BLOCK);
      const b = this.fat.subarray(i * BLOCK, (i + 1) * BLOCK);
      if (a.some((x, k) => x !== b[k])) this.region.write(this.sb.fatFirst + i, a, 'FAT');
    }
    this.fat = fat;
  }

  private writeEntry(slot: number, entry: Uint8Array): void {
    const dir = this.dir.slice();
    dir.set(entry, slot * ENTRY_BYTES);
    const rel = Math.floor(slot / ENTRIES_PER_BLOCK);
    this.region.write(this.sb.rootFirst + rel, dir.subarray(rel * BLOCK, (rel + 1) * BLOCK), 'root directory');
    this.dir = dir;
  }
}

function encodeSuperblock(sb: Superblock): Uint8Array {
  const b = new Uint8Array(BLOCK);
  put32(b, 0, SFS_MAGIC);
  put32(b, 4, SFS_VERSION);
  put32(b, 8, sb.blocks);
  put32(b, 12, sb.fatFirst);
  put32(b, 16, sb.fatBlocks);
  put32(b, 20, sb.rootFirst);
  put32(b, 24, sb.rootBlocks);
  put32(b, 28, sb.dataFirst);
  put32(b, 32, sb.dataBlocks);
  return b;
}
