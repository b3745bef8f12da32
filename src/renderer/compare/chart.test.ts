import { describe, expect, it } from 'vitest';
import type { ComparisonRun, RunFigures } from '../../shared/api.js';
import { CHART_RUNS, compareColumns, runLabel } from './chart.js';

const figures = (seconds: number, hypervisorShare?: number): RunFigures => ({
  seconds,
  jobsPerSecond: 2 / seconds,
  instructions: 1,
  reboots: 0,
  utilisation: 0.5,
  ...(hypervisorShare !== undefined ? { hypervisorShare } : {}),
});
const run = (id: number, db: number, hv: number, share?: number): ComparisonRun => ({
  id,
  at: '2026-12-07T22:00:00.000Z',
  workload: `w${id}`,
  dualboot: figures(db, 0),
  hypervisor: figures(hv, share),
});

describe('the comparison chart', () => {
  it('has a bar group per run: seconds both ways, the hypervisor work in %, a gap where it was not stored', () => {
    const runs = [run(1, 0.15, 0.0958, 0.0034), run(2, 0.0074, 0.0263)];
    const [xs, db, hv, work] = compareColumns(runs);
    expect([xs, db, hv]).toEqual([
      [1, 2],
      [0.15, 0.0074],
      [0.0958, 0.0263],
    ]);
    expect(work[0]).toBeCloseTo(0.34, 12);
    expect(work[1]).toBeNull();
    expect(runLabel(runs, 2)).toBe('w2');
    expect(runLabel(runs, 3)).toBe('');
  });

  it('keeps the newest runs only', () => {
    const runs = Array.from({ length: CHART_RUNS + 5 }, (_, i) => run(i + 1, 1, 1, 0.01));
    const cols = compareColumns(runs);
    expect(cols[0]).toHaveLength(CHART_RUNS);
    expect(runLabel(runs, 1)).toBe('w6');
    expect(runLabel(runs, CHART_RUNS)).toBe(`w${CHART_RUNS + 5}`);
  });
});
