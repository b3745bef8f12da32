/**
 * `hyperdesk disk fsck --repair` for cfs (docs/disks.md#fsck---repair): works on a copy of the
 * directory and returns the blocks that change (directory blocks, then the superblock with the new
 * crc), each fix with a line. Bad names are renamed FSCKnnnn, unknown flag bits cleared, an entry
 * starting outside the data area removed, a file running past the end cut to what fits, and of two
 * overlapping files the one starting later removed; the directory crc is recomputed last.
 */
import { crc32 } from '../../shared/crc32.js';
import { BLOCK, blocksFor, nameBytes, put32, readName, u32 } from './bytes.js';
import { encodeSuperblock, type CfsVolume } from './cfs.js';
import { hex } from './errors.js';
import type { BlockChange } from './repair.js';
import { diffBlocks } from './sfsRepair.js';

const ENTRY_BYTES = 32;
const ENTRIES_PER_BLOCK = BLOCK / ENTRY_BYTES;
const NAME_BYTES = 20;
const FLAG_IN_USE = 1;
const KNOWN_FLAGS = 3;

/** The repairs of a cfs whose superblock geometry is sound (openCfs gave `vol`). */
export function planCfsRepair(vol: CfsVolume): { changes: BlockChange[]; fixes: string[] } {
  const { sb, dir: oldDir } = vol.layout();
  const dir = oldDir.slice();
  const where = vol.region.where;
  const fixes: string[] = [];
  const slots = sb.dirBlocks * ENTRIES_PER_BLOCK;
  const entryAt = (slot: number) =>
    `${where}: directory ${vol.region.at(sb.dirFirst + Math.floor(slot / ENTRIES_PER_BLOCK))}: entry ${slot % ENTRIES_PER_BLOCK}`;
  const entry = (slot: number) => dir.subarray(slot * ENTRY_BYTES, (slot + 1) * ENTRY_BYTES);
  const inUse = (slot: number) => (u32(entry(slot), 20) & FLAG_IN_USE) !== 0;

  const names = new Set<string>();
  for (let slot = 0; slot < slots; slot++) {
    const n = inUse(slot) ? readName(entry(slot).subarray(0, NAME_BYTES)) : undefined;
    if (typeof n === 'string') names.add(n);
  }
  let renamed = 0;
  const seen = new Set<string>();
  const files: { slot: number; first: number; blocks: number }[] = [];
  for (let slot = 0; slot < slots; slot++) {
    if (!inUse(slot)) continue;
    const e = entry(slot);
    const at = entryAt(slot);
    const name = readName(e.subarray(0, NAME_BYTES));
    const bad =
      typeof name !== 'string'
        ? name.problem
        : name === ''
          ? 'empty name'
          : name.includes('/')
            ? `'${name}' contains '/'`
            : seen.has(name)
              ? `a second '${name}'`
              : undefined;
    if (bad) {
      let fresh = '';
      do fresh = `FSCK${String(++renamed).padStart(4, '0')}`;
      while (names.has(fresh));
      e.fill(0, 0, NAME_BYTES);
      e.set(nameBytes(fresh, NAME_BYTES - 1, 'name'));
      names.add(fresh);
      seen.add(fresh);
      fixes.push(`${at}: renamed to ${fresh} (${bad})`);
    } else seen.add(name as string);
    const flags = u32(e, 20);
    if (flags & ~KNOWN_FLAGS) {
      put32(e, 20, flags & KNOWN_FLAGS);
      fixes.push(`${at}: unknown flag bits cleared`);
    }
    const size = u32(e, 28);
    const first = u32(e, 24);
    if (size === 0) continue;
    if (first < sb.dataFirst || first >= sb.blocks) {
      e.fill(0);
      fixes.push(`${at}: removed (first block ${first} is outside the data blocks ${sb.dataFirst}..${sb.blocks - 1})`);
      continue;
    }
    if (first + blocksFor(size) > sb.blocks) {
      const cut = (sb.blocks - first) * BLOCK;
      put32(e, 28, cut);
      fixes.push(`${at}: size ${size} bytes cut to ${cut} (it ran past the end of the file system)`);
    }
    files.push({ slot, first, blocks: blocksFor(u32(e, 28)) });
  }
  files.sort((a, b) => a.first - b.first || a.slot - b.slot);
  let end = 0;
  let endSlot = -1;
  for (const f of files) {
    if (f.first < end) {
      entry(f.slot).fill(0);
      fixes.push(
        `${entryAt(f.slot)}: removed (blocks ${f.first}..${f.first + f.blocks - 1} overlap entry ${endSlot % ENTRIES_PER_BLOCK} of directory block ${sb.dirFirst + Math.floor(endSlot / ENTRIES_PER_BLOCK)})`,
      );
      continue;
    }
    end = f.first + f.blocks;
    endSlot = f.slot;
  }
  const changes = diffBlocks(vol, sb.dirFirst, oldDir, dir, 'directory');
  const crc = crc32(dir);
  // inspectCfs left a bad label as ''; the superblock on disk says whether it was bad.
  const badLabel = typeof readName(vol.region.read(0, 1, 'superblock').subarray(28, 60)) !== 'string';
  if (crc !== sb.dirCrc && changes.length === 0) fixes.push(`${where}: directory crc recomputed (${hex(crc)})`);
  if (badLabel) fixes.push(`${where}: volume label cleared (it was not a printable name)`);
  if (changes.length > 0 || crc !== sb.dirCrc || badLabel) {
    changes.push({
      block: vol.region.start,
      data: encodeSuperblock({ ...sb, dirCrc: crc }, where),
      what: 'superblock',
    });
  }
  return { changes, fixes };
}
