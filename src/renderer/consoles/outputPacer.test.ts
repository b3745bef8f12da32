import { describe, expect, it } from 'vitest';
import { DRAIN_FRAMES, MAX_BUDGET, MIN_BUDGET, OutputPacer, STEP } from './outputPacer.js';

const FRAME = 1000 / 60;

describe('OutputPacer', () => {
  it('hands out everything queued, in order, once per frame, with the end it reaches', () => {
    const p = new OutputPacer();
    p.push('abc', 3);
    p.push('de', 5);
    expect(p.take(0)).toEqual({ text: 'abcde', end: 5 });
    expect(p.pending).toBe(0);
    expect(p.take(FRAME)).toBeUndefined();
  });

  it('splits a large backlog across frames without losing or doubling a character', () => {
    const p = new OutputPacer();
    const big = 'x'.repeat(3 * p.perFrame + 123);
    p.push(big, 1000 + big.length);
    let got = '';
    let end = 0;
    for (let f = 0; f < 100 && p.pending > 0; f++) {
      const s = p.take(f * FRAME)!;
      expect(s.text.length).toBeLessThanOrEqual(Math.max(MAX_BUDGET, big.length));
      got += s.text;
      end = s.end;
      // Part of an event: its end less what is still to come.
      expect(s.end).toBe(1000 + got.length);
    }
    expect(got).toBe(big);
    expect(end).toBe(1000 + big.length);
  });

  it('raises the budget while frames come on time and output waits, halves it on a late frame', () => {
    const p = new OutputPacer();
    const start = p.perFrame;
    p.push('y'.repeat(50 * MAX_BUDGET), 50 * MAX_BUDGET);
    p.take(0);
    p.take(FRAME);
    p.take(2 * FRAME);
    expect(p.perFrame).toBe(start + 2 * STEP);
    p.take(5 * FRAME); // three periods: two frames missed
    expect(p.perFrame).toBe(Math.floor((start + 2 * STEP) / 2));
    for (let i = 0; i < 20; i++) p.take(5 * FRAME + 100 * i);
    expect(p.perFrame).toBe(MIN_BUDGET);
  });

  it('does not raise the budget when a frame took everything that waited', () => {
    const p = new OutputPacer();
    const start = p.perFrame;
    for (let f = 0; f < 10; f++) {
      p.push('z', f + 1);
      p.take(f * FRAME);
    }
    expect(p.perFrame).toBe(start);
  });

  it('drains a backlog within a few times DRAIN_FRAMES frames even at the smallest budget', () => {
    const p = new OutputPacer();
    const n = DRAIN_FRAMES * MIN_BUDGET * 4;
    p.push('w'.repeat(n), n);
    let frames = 0;
    // Every frame late: the budget stays at its floor.
    while (p.pending > 0 && frames < 10 * DRAIN_FRAMES) p.take(frames++ * 100);
    expect(p.pending).toBe(0);
    expect(frames).toBeLessThanOrEqual(DRAIN_FRAMES * 4);
  });

  it('takes everything at once for a console nobody sees, and forgets the queue on clear', () => {
    const p = new OutputPacer();
    const big = 'q'.repeat(5 * MAX_BUDGET);
    p.push(big, big.length);
    expect(p.take(0, true)).toEqual({ text: big, end: big.length });
    p.push('lost', 4);
    p.clear();
    expect(p.pending).toBe(0);
    expect(p.take(FRAME)).toBeUndefined();
  });
});
