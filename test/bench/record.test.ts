/**
 * The reverse-step benchmark's short form (test/bench/record.ts; the figure itself is
 * `npm run bench -- --json --filter reverse-step --minutes 10`, docs/performance.md): a 2 s
 * recording of the demo with typing, opened, and a reverse step at 3 points; and the busy variant
 * (0.5 s of cos running burner, 2 points). No times are checked (benchmarks carry those); what is
 * checked is that every step lands before its point, in cos (in the busy program for the busy one).
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

  it('with a busy guest: each step is taken in the CPU-bound program, one of its instructions back', async () => {
    const rec = await recordSession(dir, 'busy', 0.5, true);
    const line = reverseBench(rec, 2, 0, 'busy');
    expect(line).toMatchObject({ bench: 'reverse-step', guest: 'busy', recordingSeconds: 0.5 });
    const moves = line['moves'] as { from: number[]; to: number[]; reason: string }[];
    expect(moves).toHaveLength(2);
    // cos runs burner (loaded at 0x00400000) all through: at each point its vCPU stands in the
    // program, and the step goes to the program's previous instruction, in the same second.
    for (const { from, to, reason } of moves) {
      expect(from[1]).toBeGreaterThanOrEqual(0x00400000);
      expect(reason).toBe('step');
      expect(to[1]).toBeGreaterThanOrEqual(0x00400000);
      expect(to[0]).toBeLessThan(from[0]!);
      expect(to[2]).toBeLessThanOrEqual(from[2]!);
      expect(from[2]! - to[2]!).toBeLessThan(1);
    }
  }, 600_000);
});
