/**
 * Each isolation fuzz campaign (docs/security.md), briefly: 0 escapes and 0 host exceptions. The
 * long runs are `npm run fuzz -- NAME --count N` (figures in docs/security.md). The seed is fixed so
 * that a failure here reproduces with the command in its message.
 */
import { describe, expect, it } from 'vitest';
import { runCampaign, type CampaignResult, type CampaignSpec } from './campaign.js';
import { CAMPAIGNS } from './campaigns.js';
import { runCrashCampaign } from './crash.js';
import { runDiskFuzz } from './diskFuzz.js';
import { ensureDisks } from '../../src/main/host/disks.js';
import { runSoak } from './soak.js';
import { runWebFuzz } from './web.js';

const SEED = 1;

function brief<Op>(spec: CampaignSpec<Op>, count: number): CampaignResult {
  // Not shrunk here (replays take time): the command in the message prints the shortest sequences.
  const r = runCampaign(spec, { count, seed: SEED, reportPerInvariant: 1, shrinkBudget: 0 });
  const { reports, ...summary } = r;
  const why = [
    `npm run fuzz -- ${spec.name} --count ${count} --seed ${SEED}`,
    JSON.stringify(summary),
    ...reports.map((x) => JSON.stringify(x)),
  ].join('\n');
  expect(r.inputs, why).toBeGreaterThanOrEqual(count);
  expect({ escapes: r.escapes, exceptions: r.exceptions }, why).toEqual({ escapes: 0, exceptions: 0 });
  return r;
}

describe('isolation fuzz campaigns (issue 12, briefly)', () => {
  it('hypercalls: random numbers and arguments from a client, kernel and user mode', () => {
    brief(CAMPAIGNS.hypercalls, 500);
  }, 60_000);

  it('shared: offer / accept / release / destroy / swap between clients', () => {
    brief(CAMPAIGNS.shared, 60);
  }, 60_000);

  it('control: ctl’s control calls on a squeezed reserve', () => {
    brief(CAMPAIGNS.control, 80);
  }, 60_000);

  it('kernel: random instruction words in a client’s supervisor mode', () => {
    brief(CAMPAIGNS.kernel, 2_000_000);
  }, 60_000);
});

describe('disk campaigns (issue 13, briefly)', () => {
  it('disk: corrupted images through every disk tool and fsck --repair', () => {
    const r = runDiskFuzz({ count: 150, seed: SEED });
    const why = `npm run fuzz -- disk --count 150 --seed ${SEED}\n${JSON.stringify(r)}`;
    expect(r.inputs, why).toBe(150);
    expect(r.refusals, why).toBeGreaterThan(0); // the damage is real: tools refused some of it
    expect(r.repaired, why).toBeGreaterThan(0);
    expect({ failures: r.failures, exceptions: r.exceptions }, why).toEqual({ failures: 0, exceptions: 0 });
  }, 120_000);

  it('crash: kill -9 during host writes loses no acknowledged write, and fsck --repair leaves every partition usable', async () => {
    const image = await ensureDisks();
    const r = await runCrashCampaign({ runs: 3, seed: SEED, image });
    const why = `npm run fuzz -- crash --runs 3 --seed ${SEED}\n${JSON.stringify(r)}`;
    expect(r.runs, why).toBe(3);
    expect(r.inputs, why).toBeGreaterThan(0);
    expect({ lost: r.lost, refused: r.refused, exceptions: r.exceptions }, why).toEqual({
      lost: 0,
      refused: 0,
      exceptions: 0,
    });
  }, 180_000);
});

describe('the assembler campaign (issue 13, briefly)', () => {
  it('asm: random, mutated and hostile sources end in output or diagnostics within the limits', () => {
    const r = brief(CAMPAIGNS.asm, 100);
    // The hostile shapes were made and the limits answered some of them.
    expect(r.counters.limitErrors).toBeGreaterThan(0);
    expect(r.counters.assembled).toBeGreaterThan(0);
  }, 180_000);
});

describe('the web campaign (issue 13, briefly)', () => {
  it('web: hostile requests get a 2xx/4xx with a clear error, and the machine still answers after', async () => {
    const lines: string[] = [];
    const r = await runWebFuzz({ count: 300, seed: SEED, log: (l) => lines.push(l) });
    const why = [`npm run fuzz -- web --count 300 --seed ${SEED}`, JSON.stringify(r), ...lines].join('\n');
    expect(r.inputs, why).toBe(300);
    // The hostile shapes reached the server: refusals of several kinds and some calls that ran.
    for (const status of ['200', '400', '401', '404', '405']) expect(r.statuses[status], why).toBeGreaterThan(0);
    expect({ failures: r.failures, exceptions: r.exceptions }, why).toEqual({ failures: 0, exceptions: 0 });
  }, 180_000);
});

describe('the soak (issue 13, briefly)', () => {
  it('soak: the demo plus 20 busy clients, every client progresses in every interval and cos answers', async () => {
    const { intervals, summary } = await runSoak({ guests: 20, seconds: 6, intervalSeconds: 2 });
    const why = ['npm run fuzz -- soak --guests 20 --minutes 0.1 --every 2', ...intervals, summary]
      .map((x) => JSON.stringify(x))
      .join('\n');
    expect(intervals.length, why).toBe(3);
    for (const l of intervals) {
      expect(l.machineSeconds, why).toBeGreaterThan(0);
      expect(l.retired.starved, why).toBe(0);
      expect(l.retired.min, why).toBeGreaterThan(0);
    }
    expect(summary.cosAnswered, why).toBe(true);
    expect(summary.stopped, why).toBeUndefined();
  }, 180_000);
});
