/**
 * `hyperdesk disk fsck --repair` for sfs (docs/disks.md#fsck---repair): works on copies of the FAT
 * and the root directory and returns the blocks that change, each with a line saying what was fixed;
 * repair.ts backs up the old blocks and writes the new ones. A file loses only what is already
 * unreachable: a chain is cut where it loops, runs into another file's block or out of range, and
 * the size shrinks to what the chain holds; an entry with no chain at all is removed; every block no
 * chain reaches is freed. The superblock is never changed (a bad one cannot be repaired here).
 */
import { BLOCK, blocksFor, put16, put32, u16, u32 } from './bytes.js';
import { FAT_END, FAT_FREE, type SfsVolume } from './sfs.js';
import { fromSfsName, toSfsName } from './sfsNames.js';
import type { BlockChange } from './repair.js';

const ENTRY_BYTES = 32;
const ENTRIES_PER_BLOCK = BLOCK / ENTRY_BYTES;
const ATTR_IN_USE = 1;
const KNOWN_ATTRS = 7;

/** The repairs of an sfs whose superblock is sound (openSfs gave `vol`). */
export function planSfsRepair(vol: SfsVolume): { changes: BlockChange[]; fixes: string[] } {
  const { sb, fat: oldFat, dir: oldDir } = vol.layout();
  const fat = oldFat.slice();
  const dir = oldDir.slice();
  const where = vol.region.where;
  const fixes: string[] = [];
  const next = (b: number) => u16(fat, b * 2);
  const setNext = (b: number, v: number) => put16(fat, b * 2, v);
  const entryAt = (slot: number) =>
    `root directory ${vol.region.at(sb.rootFirst + Math.floor(slot / ENTRIES_PER_BLOCK))}: entry ${slot % ENTRIES_PER_BLOCK}`;

  if (next(0) !== FAT_END) {
    setNext(0, FAT_END);
    fixes.push(`${where}: FAT: data block 0 marked reserved (0xffff) again`);
  }
  const names = new Set<string>();
  let renamed = 0;
  const freshName = (): string => {
    for (;;) {
      const n = `FSCK${String(++renamed).padStart(4, '0')}`;
      if (!names.has(n)) return n;
    }
  };
  // Names first, so a fresh FSCKnnnn never takes the name of a later entry.
  for (let slot = 0; slot < sb.rootBlocks * ENTRIES_PER_BLOCK; slot++) {
    const e = dir.subarray(slot * ENTRY_BYTES, (slot + 1) * ENTRY_BYTES);
    if (!(e[11] & ATTR_IN_USE)) continue;
    const name = fromSfsName(e.subarray(0, 11));
    if (typeof name === 'string') names.add(name);
  }
  const seen = new Set<string>();
  const owner = new Map<number, number>();
  for (let slot = 0; slot < sb.rootBlocks * ENTRIES_PER_BLOCK; slot++) {
    const e = dir.subarray(slot * ENTRY_BYTES, (slot + 1) * ENTRY_BYTES);
    if (!(e[11] & ATTR_IN_USE)) continue;
    const at = `${where}: ${entryAt(slot)}`;
    const name = fromSfsName(e.subarray(0, 11));
    if (typeof name !== 'string' || seen.has(name)) {
      const fresh = freshName();
      e.set(toSfsName(fresh, where));
      names.add(fresh);
      seen.add(fresh);
      fixes.push(`${at}: renamed to ${fresh} (${typeof name === 'string' ? `a second '${name}'` : name.problem})`);
    } else seen.add(name);
    if (e[11] & ~KNOWN_ATTRS) {
      e[11] &= KNOWN_ATTRS;
      fixes.push(`${at}: unknown attribute bits cleared`);
    }
    if (u16(e, 14) !== 0 || e.subarray(20).some((x) => x !== 0)) {
      put16(e, 14, 0);
      e.fill(0, 20);
      fixes.push(`${at}: reserved bytes zeroed`);
    }
    const size = u32(e, 16);
    const first = u16(e, 12);
    if (size === 0) {
      if (first !== 0) {
        put16(e, 12, 0);
        fixes.push(`${at}: first data block of the empty file set to 0`);
      }
      continue;
    }
    if (first === 0 || first >= sb.dataBlocks) {
      e.fill(0);
      fixes.push(`${at}: removed (first data block ${first} is out of range; the file has no chain)`);
      continue;
    }
    // Walk the chain, stopping where it stops being this file's own.
    const chain: number[] = [];
    const mine = new Set<number>();
    let why = '';
    for (let blk = first; ;) {
      if (mine.has(blk)) {
        why = `it looped back to data block ${blk}`;
        break;
      }
      if (owner.has(blk)) {
        why = `data block ${blk} belongs to another file`;
        break;
      }
      chain.push(blk);
      mine.add(blk);
      const v = next(blk);
      if (v === FAT_END) break;
      if (v === FAT_FREE) {
        why = `data block ${blk} was marked free`;
        break;
      }
      if (v >= sb.dataBlocks) {
        why = `data block ${blk} pointed out of range (${v})`;
        break;
      }
      blk = v;
    }
    if (chain.length === 0) {
      e.fill(0);
      fixes.push(`${at}: removed (its first data block ${first} belongs to another file)`);
      continue;
    }
    const need = blocksFor(size);
    const kept = chain.slice(0, need);
    const last = kept[kept.length - 1];
    if (next(last) !== FAT_END) {
      setNext(last, FAT_END);
      fixes.push(
        `${at}: chain ends at data block ${last} (${why || `the size needs only ${need} blocks`}; the blocks after it are freed)`,
      );
    }
    if (kept.length < need) {
      put32(e, 16, kept.length * BLOCK);
      fixes.push(
        `${at}: size ${size} bytes cut to ${kept.length * BLOCK} (what its chain of ${kept.length} blocks holds)`,
      );
    }
    for (const b of kept) owner.set(b, slot);
  }
  const freed: number[] = [];
  for (let i = 1; i < sb.dataBlocks; i++) {
    if (next(i) !== FAT_FREE && !owner.has(i)) {
      setNext(i, FAT_FREE);
      freed.push(i);
    }
  }
  if (freed.length) {
    const shown = freed.slice(0, 8).join(', ') + (freed.length > 8 ? ', ...' : '');
    fixes.push(`${where}: FAT: freed ${freed.length} data blocks no file's chain reaches: ${shown}`);
  }
  // Directory first, then the FAT (as the tools order a removal: docs/disks.md#sfs-the-file-system-of-swos),
  // so an interrupted repair leaves at worst lost blocks for the next run.
  return {
    changes: [
      ...diffBlocks(vol, sb.rootFirst, oldDir, dir, 'root directory'),
      ...diffBlocks(vol, sb.fatFirst, oldFat, fat, 'FAT'),
    ],
    fixes,
  };
}

/** The blocks of `after` that differ from `before`, as changes at region block `first` onwards. */
export function diffBlocks(
  vol: { region: { start: number } },
  first: number,
  before: Uint8Array,
  after: Uint8Array,
  what: string,
): BlockChange[] {
  const out: BlockChange[] = [];
  for (let i = 0; i * BLOCK < after.length; i++) {
    const a = after.subarray(i * BLOCK, (i + 1) * BLOCK);
    const b = before.subarray(i * BLOCK, (i + 1) * BLOCK);
    if (a.some((x, k) => x !== b[k])) out.push({ block: vol.region.start + first + i, data: a.slice(), what });
  }
  return out;
}
