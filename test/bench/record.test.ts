/**
 * The reverse-step benchmark's short form (test/bench/record.ts; the figure itself is
 * `npm run bench -- --json --filter reverse-step --minutes 10`, docs/performance.md): a 2 s
 * recording of the demo with typing, opened, and a reverse step at 3 points. No times are checked
 * (benchmarks carry those); what is checked is that every step lands before its point, in cos.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { recordSession, reverseBench } from './record.js';

const dir = mkdtempSync(join(tmpdir(), 'hd-bench-short-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('reverse-step bench, short form', () => {
  it('records, opens the replay and reverse-steps at points spread over it', async () => {
    const rec = await recordSession(dir, 'short', 2);
    const start = rec.start.cycles / 250e6;
    const line = reverseBench(rec, 3, 0);
    expect(line).toMatchObject({ bench: 'reverse-step', recordingSeconds: 2, target: 1000 });
    expect(line['checkpoints']).toBeGreaterThanOrEqual(3);
    const steps = line['steps'] as number[];
    expect(steps).toHaveLength(3);
    expect(line['ms']).toBe(Math.max(...steps));
    // Each step went back from its point (start + len * (i - 0.5) / 3): no later in machine time,
    // at most as many instructions retired, and to another instruction, or to the recording's
    // start when cos executed nothing since (it idles in its kernel between the typed commands).
    const moves = line['moves'] as { from: number[]; to: number[]; reason: string }[];
    moves.forEach(({ from, to, reason }, i) => {
      expect(from[2]).toBeLessThanOrEqual(start + (2 * (i + 0.5)) / 3);
      expect(to[2]).toBeLessThanOrEqual(from[2]!);
      expect(to[0]).toBeLessThanOrEqual(from[0]!);
      if (reason === 'replay-start') expect(to[2]).toBeCloseTo(start, 9);
      else expect([reason, to.slice(0, 2)]).not.toEqual(['step', from.slice(0, 2)]);
    });
    // The typing in the recording makes cos execute: not every step can be the start.
    expect(moves.some((m) => m.reason === 'step')).toBe(true);
  }, 600_000);
});
