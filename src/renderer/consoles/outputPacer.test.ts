import { describe, expect, it } from 'vitest';
import { DRAIN_FRAMES, MAX_CHARS, MIN_CHARS, OutputPacer, PARSE_SHARE, START_RATE } from './outputPacer.js';

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
    const big = 'x'.repeat(5 * MIN_CHARS + 123);
    p.push(big, 1000 + big.length);
    let got = '';
    for (let f = 0; f < 1000 && p.pending > 0; f++) {
      const s = p.take(f * FRAME)!;
      got += s.text;
      // Part of an event: its end less what is still to come.
      expect(s.end).toBe(1000 + got.length);
    }
    expect(got).toBe(big);
  });

  it('sizes a write to parse in PARSE_SHARE of the time since the last frame, at the measured rate', () => {
    const p = new OutputPacer();
    p.push('y'.repeat(MAX_CHARS), MAX_CHARS);
    expect(p.take(0)!.text.length).toBe(Math.round(START_RATE * PARSE_SHARE * FRAME));
    // xterm parsed 100,000 characters in 10 ms: the rate moves towards 10,000 a ms.
    for (let i = 0; i < 30; i++) p.parsed(100_000, 10);
    expect(p.charsPerMs).toBeCloseTo(10_000, -1);
    expect(p.take(FRAME)!.text.length).toBeCloseTo(p.charsPerMs * PARSE_SHARE * FRAME, -1);
    // A late frame (a loaded machine) gets a larger write in proportion, up to 100 ms' worth.
    expect(p.take(FRAME + 50)!.text.length).toBeCloseTo(p.charsPerMs * PARSE_SHARE * 50, -1);
    expect(p.take(FRAME + 50 + 1000)!.text.length).toBeCloseTo(p.charsPerMs * PARSE_SHARE * 100, -1);
  });

  it('ignores writes too short to time, and keeps to MIN_CHARS and MAX_CHARS', () => {
    const p = new OutputPacer();
    p.parsed(100, 0.01);
    p.parsed(1_000_000, 0.5);
    expect(p.charsPerMs).toBe(START_RATE);
    for (let i = 0; i < 40; i++) p.parsed(4096, 1000); // a very slow parse
    p.push('z'.repeat(MAX_CHARS * 8), MAX_CHARS * 8);
    expect(p.take(0)!.text.length).toBe(Math.max(MIN_CHARS, Math.ceil((MAX_CHARS * 8) / DRAIN_FRAMES)));
    for (let i = 0; i < 40; i++) p.parsed(10_000_000, 1); // a very fast one
    expect(p.take(100)!.text.length).toBe(MAX_CHARS);
  });

  it('takes at least 1/DRAIN_FRAMES of a backlog each frame', () => {
    const p = new OutputPacer();
    for (let i = 0; i < 40; i++) p.parsed(4096, 1000);
    const n = DRAIN_FRAMES * MIN_CHARS * 4;
    p.push('w'.repeat(n), n);
    let frames = 0;
    while (p.pending > 0 && frames < 10 * DRAIN_FRAMES) p.take(frames++ * FRAME);
    expect(p.pending).toBe(0);
    expect(frames).toBeLessThanOrEqual(DRAIN_FRAMES * 4);
  });

  it('takes everything at once for a console nobody sees, and forgets the queue on clear', () => {
    const p = new OutputPacer();
    const big = 'q'.repeat(5 * MAX_CHARS);
    p.push(big, big.length);
    expect(p.take(0, true)).toEqual({ text: big, end: big.length });
    p.push('lost', 4);
    p.clear();
    expect(p.pending).toBe(0);
    expect(p.take(FRAME)).toBeUndefined();
  });
});
