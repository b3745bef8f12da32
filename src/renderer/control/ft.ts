/**
 * The Control panel's fault-tolerance card (M23, docs/fault-tolerance.md, docs/guide.md#lab-m23-a-backup-takes-over):
 * each pair with the backup's lag, and the last takeover, as text the card shows. Pure, so that it is
 * tested without a page.
 */
import type { FtView } from '../../shared/api.js';

/** 250 MHz: machine cycles per microsecond (docs/isa.md#timers). */
const CYCLES_PER_US = 250;

export interface FtRow {
  pair: string;
  lag: string;
  held: string;
}

/** One row per pair: who backs whom where, how far behind, what waits for the next epoch. */
export function ftRows(ft: FtView | undefined, name: (id: number) => string): FtRow[] {
  return (ft?.pairs ?? []).map((p) => ({
    pair: `${p.primary} ${name(p.primary)} → ${p.backup} ${p.backupName} (pCPU ${p.pcpu})`,
    lag: `epoch ${p.epoch} · ${p.lagInstructions.toLocaleString('en-US')} instructions ahead`,
    held:
      `${p.heldBytes} B, ${p.heldFrames} frames, ${p.heldBlocks} disk blocks held` +
      ` · ${p.lastDirtyPages} pages copied at the last epoch`,
  }));
}

/** The last takeover in words, with its time in cycles and machine microseconds; '' when none. */
export function takeoverLine(ft: FtView | undefined): string {
  const t = ft?.lastTakeover;
  if (!t) return '';
  const took =
    t.cycles === null
      ? 'the backup has not run yet'
      : `in ${t.cycles.toLocaleString('en-US')} cycles (${(t.cycles / CYCLES_PER_US).toFixed(1)} µs of machine time` +
        `${t.wallMs !== undefined ? `, ${t.wallMs.toFixed(1)} ms of wall time` : ''})`;
  return (
    `Last takeover: ${t.id} ${t.name} went on from epoch ${t.epoch} on pCPU ${t.pcpu}, ${took}; ` +
    `${t.replayedBytes} console bytes and ${t.replayedFrames} frames of the failed epoch given again, ` +
    `${t.discardedBytes} held bytes never sent`
  );
}

/** A partition's part in a pair, for the partitions table: 'primary', 'backup of N' or ''. */
export function ftRole(ft: FtView | undefined, id: number): string {
  for (const p of ft?.pairs ?? []) {
    if (p.primary === id) return `primary (backup ${p.backup})`;
    if (p.backup === id) return `backup of ${p.primary}`;
  }
  return '';
}
