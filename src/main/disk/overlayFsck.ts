/**
 * fsck of an overlay file (docs/disks.md#overlay-files): its header, its size, every map entry, the
 * crc32 of every block it holds, and the identity of its base; then the same for each overlay below
 * it. Reads only. Each problem names the file and where in it.
 */
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { crc32 } from '../../shared/crc32.js';
import { BLOCK } from './bytes.js';
import { checkBase } from './DiskChain.js';
import { BASE_OVERLAY, checkMap, FLAG_FROZEN, isOverlayFile, MAP_ENTRY, parseOverlayHeader } from './overlay.js';

export interface OverlayReport {
  /** Every file checked, top first, with what it holds. */
  files: { path: string; blocks: number; frozen: boolean }[];
  problems: string[];
  /** Things worth saying that are not damage (unused data slots). */
  notes: string[];
}

export function fsckOverlay(path: string, limit = 50): OverlayReport {
  const report: OverlayReport = { files: [], problems: [], notes: [] };
  let current = resolve(path);
  for (let depth = 0; depth < 1000 && isOverlayFile(current); depth++) {
    const base = checkOne(current, report, limit);
    if (!base) return report;
    current = base;
  }
  return report;
}

/** Check one overlay; returns its base's path when the chain can be followed further. */
function checkOne(path: string, report: OverlayReport, limit: number): string | undefined {
  const problem = (m: string) => report.problems.push(`${path}: ${m}`);
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY);
  } catch (e) {
    problem(`cannot open: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    return undefined;
  }
  try {
    const size = fstatSync(fd).size;
    const head = new Uint8Array(BLOCK);
    const h = parseOverlayHeader(head.subarray(0, readSync(fd, head, 0, BLOCK, 0)));
    if (h instanceof Error) return void problem(h.message);
    if (size % BLOCK !== 0) problem(`size ${size} bytes is not a whole number of ${BLOCK}-byte blocks (truncated?)`);
    if (size < h.dataFirst * BLOCK)
      return void problem(`truncated: ${Math.floor(size / BLOCK)} blocks, but the header and map take ${h.dataFirst}`);
    const slots = Math.floor(size / BLOCK) - h.dataFirst;
    const raw = new Uint8Array(h.diskBlocks * MAP_ENTRY);
    readSync(fd, raw, 0, raw.length, h.mapFirst * BLOCK);
    const dv = new DataView(raw.buffer);
    const map = new Uint32Array(h.diskBlocks * 2);
    for (let i = 0; i < map.length; i++) map[i] = dv.getUint32(i * 4, true);
    for (const p of checkMap(map, slots, limit)) problem(p);
    let held = 0;
    const used = new Uint8Array(slots + 1);
    const block = new Uint8Array(BLOCK);
    for (let blk = 0; blk < h.diskBlocks && report.problems.length < limit; blk++) {
      const slot = map[blk * 2]!;
      if (slot === 0 || slot > slots) continue;
      held++;
      used[slot] = 1;
      readSync(fd, block, 0, BLOCK, (h.dataFirst + slot - 1) * BLOCK);
      const sum = crc32(block);
      if (sum !== map[blk * 2 + 1])
        problem(
          `disk block ${blk} (data slot ${slot}): data crc32 0x${sum.toString(16)} does not match the map's 0x${map[blk * 2 + 1]!.toString(16)}`,
        );
    }
    let orphans = 0;
    for (let s = 1; s <= slots; s++) if (!used[s]) orphans++;
    // A slot written just before a crash, whose map entry was not: harmless, but said.
    if (orphans)
      report.notes.push(
        `${path}: ${orphans} data slot(s) that no map entry uses (an interrupted write left them; harmless)`,
      );
    report.files.push({ path, blocks: held, frozen: (h.flags & FLAG_FROZEN) !== 0 });
    const base = resolve(dirname(path), h.base.path);
    const bad = checkBase(base, h.base, h.diskBlocks);
    if (bad) return void problem(bad);
    if (h.base.kind === BASE_OVERLAY) return base;
    report.files.push({ path: base, blocks: h.diskBlocks, frozen: false });
    return undefined;
  } catch (e) {
    problem(`cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    return undefined;
  } finally {
    closeSync(fd);
  }
}
