/**
 * The comparison's chart (issue 16): the saved runs as bars, machine seconds to finish in dual boot
 * and under the hypervisor, and the hypervisor's own work as a line (% of pCPU time, right axis).
 * Pure shaping, unit-tested apart from uPlot (as perf/series.ts).
 */
import type { ComparisonRun } from '../../shared/api.js';

/** The newest runs the chart shows. */
export const CHART_RUNS = 12;

/**
 * uPlot's data: x = 1..n (oldest of the shown runs first), then dual-boot seconds, hypervisor
 * seconds, and the hypervisor's work in % (null for runs stored before it was charged: a gap).
 */
export function compareColumns(runs: readonly ComparisonRun[]): [number[], number[], number[], (number | null)[]] {
  const shown = runs.slice(-CHART_RUNS);
  return [
    shown.map((_, i) => i + 1),
    shown.map((r) => r.dualboot.seconds),
    shown.map((r) => r.hypervisor.seconds),
    shown.map((r) => (r.hypervisor.hypervisorShare === undefined ? null : r.hypervisor.hypervisorShare * 100)),
  ];
}

/** The label under bar group x (1-based) of `compareColumns(runs)`: the run's workload. */
export function runLabel(runs: readonly ComparisonRun[], x: number): string {
  const shown = runs.slice(-CHART_RUNS);
  return shown[x - 1]?.workload ?? '';
}
