import { describe, expect, it } from 'vitest';
import type { PerfSample } from '../../shared/api.js';
import { columns, guestsOf, pushSample } from './series.js';

const g = (id: number, name: string, mips: number) => ({
  id,
  name,
  mips,
  cpuShare: 0.25,
  trapsPerSec: 1,
  irqsPerSec: 2,
  hypercallsPerSec: 3,
});
const s = (wall: number, guests: PerfSample['guests']): PerfSample => ({ wall, seconds: wall / 1000, guests });

describe('performance series', () => {
  it('makes one column per guest, with gaps where a guest was absent', () => {
    const samples = [s(1000, [g(0, 'ctl', 5)]), s(2000, [g(0, 'ctl', 6), g(1, 'cos', 7)])];
    const guests = guestsOf(samples);
    expect(guests).toEqual([
      { id: 0, name: 'ctl' },
      { id: 1, name: 'cos' },
    ]);
    expect(columns(samples, guests, 'mips')).toEqual([
      [1, 2],
      [5, 6],
      [null, 7],
    ]);
    expect(columns(samples, guests, 'cpuShare')[1]).toEqual([25, 25]);
    expect(columns(samples, guests, 'exitsPerSec')[2]).toEqual([null, 6]);
  });

  it('drops a partition that is gone from the lines and the legend', () => {
    const samples = [s(1000, [g(0, 'ctl', 5), g(3, 'mycos', 1)]), s(2000, [g(0, 'ctl', 6)])];
    expect(guestsOf(samples)).toEqual([{ id: 0, name: 'ctl' }]);
    expect(guestsOf([])).toEqual([]);
  });

  it('keeps a bounded window in wall order without duplicates', () => {
    let w: PerfSample[] = [];
    for (const t of [1, 2, 3, 2, 5, 4]) w = pushSample(w, s(t, []), 4);
    expect(w.map((x) => x.wall)).toEqual([2, 3, 4, 5]);
  });
});
