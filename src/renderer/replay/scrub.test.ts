import { describe, expect, it } from 'vitest';
import { fractionOf, keyTarget, secondsAt, SeekQueue, timeLabel } from './scrub.js';

const r = { startSeconds: 20, endSeconds: 30, checkpoints: [20, 21, 22, 23.5, 30] };

describe('the scrubber track', () => {
  it('maps machine time to the track and back, clamped to the recording', () => {
    expect(fractionOf(25, r)).toBe(0.5);
    expect(fractionOf(10, r)).toBe(0);
    expect(fractionOf(99, r)).toBe(1);
    expect(secondsAt(0.25, r)).toBe(22.5);
    expect(secondsAt(-1, r)).toBe(20);
    expect(secondsAt(2, r)).toBe(30);
    expect(fractionOf(5, { startSeconds: 5, endSeconds: 5 })).toBe(0);
  });

  it('moves with the keys: arrows by 1/100 (Shift 1/10), pages by checkpoint, Home and End', () => {
    expect(keyTarget('ArrowRight', false, 25, r)).toBeCloseTo(25.1, 9);
    expect(keyTarget('ArrowLeft', true, 25, r)).toBeCloseTo(24, 9);
    expect(keyTarget('ArrowLeft', true, 20.5, r)).toBe(20);
    expect(keyTarget('ArrowUp', true, 29.5, r)).toBe(30);
    expect(keyTarget('PageDown', false, 23.5, r)).toBe(22);
    expect(keyTarget('PageDown', false, 23.6, r)).toBe(23.5);
    expect(keyTarget('PageUp', false, 22, r)).toBe(23.5);
    expect(keyTarget('PageUp', false, 30, r)).toBe(30);
    expect(keyTarget('Home', false, 25, r)).toBe(20);
    expect(keyTarget('End', false, 25, r)).toBe(30);
    expect(keyTarget('a', false, 25, r)).toBeUndefined();
    expect(timeLabel(27.25)).toBe('27.250 s');
  });
});

describe('SeekQueue', () => {
  it('keeps one seek in flight and sends only the newest position asked meanwhile', async () => {
    const sent: number[] = [];
    const answers: (() => void)[] = [];
    const q = new SeekQueue(
      (s) =>
        new Promise<void>((res) => {
          sent.push(s);
          answers.push(res);
        }),
    );
    const first = q.seek(1);
    expect(q.busy).toBe(true);
    void q.seek(2);
    void q.seek(3);
    void q.seek(4);
    expect(sent).toEqual([1]);
    answers.shift()!();
    await new Promise((res) => setTimeout(res, 0));
    expect(sent).toEqual([1, 4]);
    answers.shift()!();
    await first;
    expect(q.busy).toBe(false);
    expect(sent).toEqual([1, 4]);
  });

  it('reports a failed seek and goes on with the next', async () => {
    const errors: unknown[] = [];
    const sent: number[] = [];
    const q = new SeekQueue(
      async (s) => {
        sent.push(s);
        if (s === 1) throw new Error('still verifying');
      },
      (e) => errors.push(e),
    );
    await q.seek(1);
    await q.seek(2);
    expect(sent).toEqual([1, 2]);
    expect(errors.map((e) => (e as Error).message)).toEqual(['still verifying']);
  });
});
