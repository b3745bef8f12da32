import { describe, expect, it } from 'vitest';
import type { Ownership } from '../../shared/api.js';
import { FtWall, withFtWall } from './ftWall.js';

const own = (cycles: number | null): Ownership => ({
  partitions: [],
  cpus: [],
  memory: [],
  devices: [],
  totalBytes: 0,
  ft: {
    pairs: [],
    lastTakeover: {
      id: 1,
      name: 'cos',
      epoch: 3,
      pcpu: 1,
      cycles,
      replayedBytes: 0,
      replayedFrames: 0,
      discardedBytes: 0,
    },
  },
});

describe('the takeover wall time (M23)', () => {
  it('is the time between the takeover and its end, added once the backup ran', () => {
    const w = new FtWall();
    w.note('backup 63 (cos~b) on pCPU 1: ...', 5);
    expect(withFtWall(own(100), w)).toEqual(own(100));
    w.note('takeover: backup 63 is 1 (cos) ...', 1000);
    w.note('takeover done in 37876 cycles of machine time', 1012.5);
    expect(withFtWall(own(37876), w).ft?.lastTakeover?.wallMs).toBe(12.5);
    expect(withFtWall(own(null), w).ft?.lastTakeover?.wallMs).toBeUndefined();
    w.note('takeover: again', 2000);
    expect(w.ms).toBeUndefined();
  });
});
