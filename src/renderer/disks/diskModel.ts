/**
 * What the Disks view computes from the host's answers, without the DOM (tested in
 * diskModel.test.ts): the partition map's segments, sizes typed by the user, a name for a new image,
 * and what uses an image, in words (docs/disks.md#disks-in-the-app).
 */
import type { ImageInfo } from '../../shared/api.js';

const BLOCK = 512;

/** One segment of the partition map: a partition, a free run, or the table's block 0. */
export interface Segment {
  kind: 'table' | 'part' | 'free';
  first: number;
  blocks: number;
  /** Share of the disk, 0..100 (at least a sliver for tiny segments, so each is visible). */
  pct: number;
  /** The partition's number, for `part`. */
  number?: number;
  label: string;
}

/** The disk from block 0 to its end as segments in order (block 0, partitions, free runs). */
export function partitionMap(info: Pick<ImageInfo, 'blocks' | 'partitions' | 'free'>): Segment[] {
  const total = Math.max(1, info.blocks);
  const pct = (blocks: number) => Math.max(0.6, (blocks / total) * 100);
  const segs: Segment[] = [{ kind: 'table', first: 0, blocks: 1, pct: pct(1), label: 'partition table' }];
  for (const p of info.partitions)
    segs.push({
      kind: 'part',
      first: p.first,
      blocks: p.blocks,
      pct: pct(p.blocks),
      number: p.number,
      label: `${p.number} ${p.name} (${p.type}${p.os ? `, ${p.os}` : ''})`,
    });
  for (const f of info.free)
    // Alignment leftovers (a few blocks) are not worth a segment of their own.
    if (f.blocks >= 8 || f.first !== 1)
      segs.push({ kind: 'free', first: f.first, blocks: f.blocks, pct: pct(f.blocks), label: 'free' });
  return segs.sort((a, b) => a.first - b.first);
}

/**
 * A size the user typed, in blocks: `8M`, `512K`, `1G` (binary units), or a plain number of
 * blocks; a message saying what is wrong otherwise.
 */
export function parseBlocks(text: string): number | string {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kKmMgG]i?[bB]?|blocks?)?\s*$/.exec(text);
  if (!m) return `'${text}' is not a size: a number of blocks, or like 8M or 512K`;
  const n = Number(m[1]);
  const unit = (m[2] ?? '').toLowerCase()[0];
  const bytes = unit === 'k' ? n * 1024 : unit === 'm' ? n * 2 ** 20 : unit === 'g' ? n * 2 ** 30 : undefined;
  const blocks = bytes === undefined ? n : bytes / BLOCK;
  if (!Number.isInteger(blocks) || blocks < 1) return `'${text}' is not a whole number of 512-byte blocks`;
  return blocks;
}

/** `disk1.img`, or the first `diskN.img` no image has. */
export function suggestImageName(existing: readonly string[]): string {
  for (let i = 1; ; i++) if (!existing.includes(`disk${i}.img`)) return `disk${i}.img`;
}

/** The name an imported file gets: its file name, made a library name ending in .img. */
export function importName(hostPath: string): string {
  const base = (hostPath.split(/[\\/]/).pop() ?? '').replace(/\.img$/i, '');
  const clean = base.replace(/[^A-Za-z0-9_.-]/g, '_').replace(/^[^A-Za-z0-9]+/, '').slice(0, 56);
  return `${clean || 'imported'}.img`;
}

/** What uses the image, in a few words: `demo, lab · running (disk 0)`. */
export function usage(info: ImageInfo): string {
  const parts = [info.usedBy.length ? info.usedBy.join(', ') : 'no machine'];
  if (info.runningDisk !== undefined) parts.push(`running (disk ${info.runningDisk})`);
  if (info.snapshots.length) parts.push(`${info.snapshots.length} snapshot${info.snapshots.length > 1 ? 's' : ''}`);
  return parts.join(' · ');
}

/** Why the image cannot be changed from the view now, or undefined (the host refuses the same). */
export function lockedBecause(info: ImageInfo): string | undefined {
  if (info.runningDisk !== undefined)
    return `The running machine has ${info.name} open (disk ${info.runningDisk}): power it off to change its partitions. Files of a running guest's partition are edited through that guest.`;
  if (info.snapshots.length)
    return `Snapshot ${info.snapshots.join(', ')} goes on from ${info.name}: a change would strand it. Remove the snapshot first.`;
  return undefined;
}
