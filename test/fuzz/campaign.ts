/**
 * What every fuzz campaign shares (docs/security.md): episodes of random operations, each in a
 * fresh machine, generated from the campaign's seed; invariants checked as the operations go; and,
 * for an escape, its exact step and the shortest operation sequence that still reproduces it
 * (delta debugging over the episode's operations, replayed in fresh machines).
 */
import type { Escape } from './invariants.js';
import { Rng } from './rng.js';

/** An escape (or a host exception) seen at step `step` of an episode. */
export interface StepEscape extends Escape {
  step: number;
}

/** A host exception while playing step `step` (`what` names the operation): the first lines of its stack. */
export function hostException(what: string, e: unknown, step: number): StepEscape {
  return {
    invariant: 'exception',
    detail: `${what}: ${(e as Error).stack?.split('\n').slice(0, 3).join(' / ')}`,
    step,
  };
}

export interface Outcome {
  /** Operations executed (inputs). */
  steps: number;
  /** Instructions the fuzzed guests retired (the kernel campaign counts these as inputs). */
  instructions?: number;
  /** Other figures of the campaign, summed over episodes into the summary line. */
  counters?: Record<string, number>;
  escapes: StepEscape[];
  /** Host exceptions: the emulator or the hypervisor threw (a bug, whatever the input). */
  exceptions: StepEscape[];
}

/**
 * Play `ops` in a fresh machine. `fine`: check every invariant after every operation (used to find
 * the exact step and to shrink); otherwise the campaign may check the costly ones less often. An
 * episode stops at the first escape that leaves the machine's state suspect.
 */
export type Play<Op> = (ops: readonly Op[], fine: boolean) => Outcome;

export interface CampaignSpec<Op> {
  name: string;
  /** The operations of episode `i`. */
  generate(rng: Rng, episode: number): Op[];
  play: Play<Op>;
  show(op: Op): string;
  /**
   * A finer kind for reporting (default none): escapes of one invariant at different kinds of
   * operation are reported separately (say, a stale mapping after a destroy and after a release).
   */
  classify?(op: Op): string;
  /** Inputs counted for an outcome (default: its steps). */
  inputs?(o: Outcome): number;
}

export interface RunOptions {
  count: number;
  seed: number;
  /** A line of output (escape reports). */
  log?: (line: string) => void;
  /** Escapes of each invariant (and kind) that are localized, shrunk and reported (default 3). */
  reportPerInvariant?: number;
  /** Replays a shrink may use (default 150). */
  shrinkBudget?: number;
}

export interface EscapeReport {
  escape: string;
  detail: string;
  episode: number;
  step: number;
  seed: number;
  /** The shortest sequence found that still breaks the same invariant (its last step breaks it). */
  reproduce: string[];
}

export interface CampaignResult {
  fuzz: string;
  inputs: number;
  escapes: number;
  exceptions: number;
  seed: number;
  episodes: number;
  ms: number;
  byInvariant: Record<string, number>;
  /** The campaign's own figures (Outcome.counters), summed. */
  counters: Record<string, number>;
  reports: EscapeReport[];
}

/**
 * The shortest subsequence of `ops` (order kept) for which `fails` holds, by delta debugging
 * (Zeller's ddmin), within `budget` calls of `fails`.
 */
export function shrink<T>(ops: readonly T[], fails: (xs: readonly T[]) => boolean, budget: number): T[] {
  let cur = [...ops];
  let n = 2;
  let tries = 0;
  while (cur.length >= 2 && tries < budget) {
    const size = Math.ceil(cur.length / n);
    let reduced = false;
    for (let i = 0; i < n && tries < budget; i++) {
      const without = [...cur.slice(0, i * size), ...cur.slice((i + 1) * size)];
      if (without.length === cur.length) continue;
      tries++;
      if (fails(without)) {
        cur = without;
        n = Math.max(n - 1, 2);
        reduced = true;
        break;
      }
    }
    if (!reduced) {
      if (n >= cur.length) break;
      n = Math.min(cur.length, n * 2);
    }
  }
  return cur;
}

/** Run a campaign: `count` inputs' worth of episodes from `seed`. */
export function runCampaign<Op>(spec: CampaignSpec<Op>, opts: RunOptions): CampaignResult {
  const t0 = performance.now();
  const rng = new Rng(opts.seed);
  const perInvariant = opts.reportPerInvariant ?? 3;
  const budget = opts.shrinkBudget ?? 150;
  const result: CampaignResult = {
    fuzz: spec.name,
    inputs: 0,
    escapes: 0,
    exceptions: 0,
    seed: opts.seed,
    episodes: 0,
    ms: 0,
    byInvariant: {},
    counters: {},
    reports: [],
  };
  const reported = new Map<string, number>();
  for (let e = 0; result.inputs < opts.count; e++) {
    const ops = spec.generate(rng.fork(e), e);
    const out = spec.play(ops, false);
    result.episodes++;
    result.inputs += spec.inputs ? spec.inputs(out) : out.steps;
    result.escapes += out.escapes.length;
    result.exceptions += out.exceptions.length;
    for (const [k, v] of Object.entries(out.counters ?? {})) result.counters[k] = (result.counters[k] ?? 0) + v;
    const inEpisode = new Set<string>();
    for (const x of [...out.escapes, ...out.exceptions]) {
      result.byInvariant[x.invariant] = (result.byInvariant[x.invariant] ?? 0) + 1;
      const at = ops[x.step];
      const key = spec.classify && at !== undefined ? `${x.invariant} at ${spec.classify(at)}` : x.invariant;
      const seen = reported.get(key) ?? 0;
      // The first of its kind in an episode only: replaying finds the first one anyway.
      if (seen >= perInvariant || inEpisode.has(key)) continue;
      inEpisode.add(key);
      reported.set(key, seen + 1);
      const report = reproduce(spec, ops, x, budget, opts.seed, e);
      result.reports.push(report);
      opts.log?.(JSON.stringify(report));
    }
  }
  result.ms = Math.round(performance.now() - t0);
  return result;
}

/** The exact step of an escape and the shortest sequence that still shows it. */
function reproduce<Op>(
  spec: CampaignSpec<Op>,
  ops: readonly Op[],
  x: StepEscape,
  budget: number,
  seed: number,
  episode: number,
): EscapeReport {
  const same = (o: Outcome): StepEscape | undefined =>
    [...o.escapes, ...o.exceptions].find((y) => y.invariant === x.invariant);
  // Checked after every step, the escape may show earlier than where the episode noticed it.
  const fine = same(spec.play(ops.slice(0, x.step + 1), true));
  const step = fine ? fine.step : x.step;
  const prefix = ops.slice(0, step + 1);
  const seq = shrink(prefix, (xs) => !!same(spec.play(xs, true)), budget);
  const last = seq.length < prefix.length ? same(spec.play(seq, true)) : fine;
  return {
    escape: x.invariant,
    detail: (last ?? fine ?? x).detail,
    episode,
    step,
    seed,
    reproduce: seq.map((o) => spec.show(o)),
  };
}
