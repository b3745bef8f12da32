import { describe, expect, it } from 'vitest';
import { SNAPSHOT_NAME_PATTERN } from '../../shared/api.js';
import { clearReturn, readReturn, returnSnapshotName, saveReturn, type KeyStore } from './returnPoint.js';

function memory(): KeyStore & { map: Map<string, string> } {
  const map = new Map<string, string>();
  return {
    map,
    getItem: (k) => map.get(k) ?? null,
    setItem: (k, v) => void map.set(k, v),
    removeItem: (k) => void map.delete(k),
  };
}

describe('the way back from a replay', () => {
  it('names the snapshot by the time, as a valid snapshot name', () => {
    const n = returnSnapshotName(new Date('2026-12-07T21:47:22.123Z'));
    expect(n).toBe('pre-replay-20261207-214722');
    expect(SNAPSHOT_NAME_PATTERN.test(n)).toBe(true);
  });

  it('keeps the point for its recording only, and forgets it', () => {
    const s = memory();
    const config = { mode: 'hypervisor' as const, cpus: 2, memMiB: 64, disks: ['/d/hyperdesk.img'] };
    saveReturn(s, { snapshot: 'pre-replay-1', config, recording: 'lab' });
    expect(readReturn(s, 'lab')).toEqual({ snapshot: 'pre-replay-1', config, recording: 'lab' });
    expect(readReturn(s, 'other')).toBeUndefined();
    clearReturn(s);
    expect(readReturn(s, 'lab')).toBeUndefined();
  });

  it('ignores what is not a point (another version of the page, a hand edit)', () => {
    const s = memory();
    s.setItem('hyperdesk.replayReturn', '{not json');
    expect(readReturn(s, 'lab')).toBeUndefined();
    s.setItem('hyperdesk.replayReturn', JSON.stringify({ snapshot: 3, recording: 'lab' }));
    expect(readReturn(s, 'lab')).toBeUndefined();
    expect(readReturn(undefined, 'lab')).toBeUndefined();
  });
});
