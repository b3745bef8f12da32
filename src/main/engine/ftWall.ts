/**
 * The wall time of a fault-tolerance takeover (M23, docs/fault-tolerance.md#takeover): the emulator
 * core has no clock, so the host notes when the hypervisor logged the takeover (`takeover: ...`, at
 * the failure) and when the backup first ran (`takeover done ...`), and adds the difference to the
 * ownership map's last takeover.
 */
import type { Ownership } from '../../shared/api.js';

export class FtWall {
  private started: number | undefined;
  /** Wall milliseconds of the last takeover that finished (undefined: none yet). */
  ms: number | undefined;

  /** An `ft` event's detail at wall time `now` (ms). */
  note(detail: string, now: number): void {
    if (detail.startsWith('takeover:')) {
      this.started = now;
      this.ms = undefined;
    } else if (detail.startsWith('takeover done') && this.started !== undefined) {
      this.ms = now - this.started;
      this.started = undefined;
    }
  }
}

/** The ownership map with the last takeover's wall time, when the host measured it. */
export function withFtWall(o: Ownership, wall: FtWall | undefined): Ownership {
  const t = o.ft?.lastTakeover;
  if (!t || wall?.ms === undefined || t.cycles === null) return o;
  return { ...o, ft: { ...o.ft!, lastTakeover: { ...t, wallMs: wall.ms } } };
}
