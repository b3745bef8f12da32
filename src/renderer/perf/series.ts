/**
 * Performance samples as chart columns: one x column (wall seconds) and one y column per guest for
 * a chosen figure, over a sliding window. Pure, so that the shaping is unit-tested apart from uPlot.
 */
import type { GuestPerf, PerfSample } from '../../shared/api.js';

export type Figure = 'mips' | 'cpuShare' | 'exitsPerSec';

/** One figure of one guest's sample (exits: traps + interrupts + hypercalls per second). */
export function figureOf(g: GuestPerf, f: Figure): number {
  switch (f) {
    case 'mips':
      return g.mips;
    case 'cpuShare':
      return g.cpuShare * 100;
    case 'exitsPerSec':
      return g.trapsPerSec + g.irqsPerSec + g.hypercallsPerSec;
  }
}

/**
 * The guests of the latest sample, in id order: the chart's lines and legend. A destroyed partition
 * leaves the legend with its last sample (its earlier points are not drawn without a line).
 */
export function guestsOf(samples: readonly PerfSample[]): { id: number; name: string }[] {
  const last = samples[samples.length - 1];
  return (last?.guests ?? []).map((g) => ({ id: g.id, name: g.name })).sort((a, b) => a.id - b.id);
}

/** uPlot's data layout: [xs, ...ys]; a guest absent from a sample is null (a gap in its line). */
export function columns(
  samples: readonly PerfSample[],
  guests: readonly { id: number }[],
  f: Figure,
): [number[], ...(number | null)[][]] {
  const xs = samples.map((s) => s.wall / 1000);
  const ys = guests.map((g) =>
    samples.map((s) => {
      const p = s.guests.find((x) => x.id === g.id);
      return p ? figureOf(p, f) : null;
    }),
  );
  return [xs, ...ys];
}

/** Appends a sample to a window, keeping samples in wall order, no duplicates, at most `max`. */
export function pushSample(window: PerfSample[], s: PerfSample, max: number): PerfSample[] {
  if (window.length && s.wall <= window[window.length - 1]!.wall) {
    if (window.some((w) => w.wall === s.wall)) return window;
    window = [...window, s].sort((a, b) => a.wall - b.wall);
  } else window = [...window, s];
  return window.length > max ? window.slice(window.length - max) : window;
}
