/** The page's link to the app: lost, probed with back-off, reopened; refused when the token is not taken. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  Connection,
  DisconnectedError,
  FIRST_RETRY_MS,
  isDisconnected,
  MAX_RETRY_MS,
  type ConnectionState,
} from './connection.js';

describe('Connection', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  function setup(answers: ('ok' | 'refused' | 'down')[]) {
    const probes: number[] = [];
    const states: ConnectionState[] = [];
    let reopened = 0;
    const c = new Connection(
      async () => {
        probes.push(Date.now());
        return answers.shift() ?? 'down';
      },
      () => reopened++,
    );
    c.onChange((s) => states.push(s));
    return { c, probes, states, reopened: () => reopened };
  }

  it('probes with back-off until the server answers, then reopens the stream; calls fail fast meanwhile', async () => {
    const { c, probes, states, reopened } = setup(['down', 'down', 'ok']);
    const t0 = Date.now();
    c.lost('the event stream closed');
    expect(c.state).toMatchObject({ state: 'lost', why: 'the event stream closed', retryAt: t0 + FIRST_RETRY_MS });
    const err = c.blocked();
    expect(err).toBeInstanceOf(DisconnectedError);
    expect(isDisconnected(err)).toBe(true);
    expect(err!.message).toBe('the app is not reachable (the event stream closed); the page reconnects by itself');
    // A second report while waiting does not start a second timer.
    c.lost('the server does not answer');
    await vi.advanceTimersByTimeAsync(FIRST_RETRY_MS);
    await vi.advanceTimersByTimeAsync(2 * FIRST_RETRY_MS);
    await vi.advanceTimersByTimeAsync(4 * FIRST_RETRY_MS);
    expect(probes.map((t) => t - t0)).toEqual([FIRST_RETRY_MS, 3 * FIRST_RETRY_MS, 7 * FIRST_RETRY_MS]);
    expect(reopened()).toBe(1);
    expect(c.state.state).toBe('lost');
    c.opened();
    expect(c.state).toEqual({ state: 'open' });
    expect(c.blocked()).toBeUndefined();
    expect(states.map((s) => s.state)).toEqual(['lost', 'lost', 'lost', 'open']);
    // Since the first loss: the page can say how long it has been away.
    expect(states.every((s) => s.state !== 'lost' || s.since === t0)).toBe(true);
  });

  it('waits at most MAX_RETRY_MS between tries, and starts again from the first delay after a reconnect', async () => {
    const { c, probes } = setup([]);
    c.lost('x');
    await vi.advanceTimersByTimeAsync(60_000);
    const gaps = probes.slice(1).map((t, i) => t - probes[i]!);
    expect(Math.max(...gaps)).toBe(MAX_RETRY_MS);
    c.opened();
    const n = probes.length;
    c.lost('y');
    await vi.advanceTimersByTimeAsync(FIRST_RETRY_MS);
    expect(probes.length).toBe(n + 1);
  });

  it('says the address changed when the server refuses the token, and stops trying', async () => {
    const { c, probes } = setup(['refused']);
    c.lost('the event stream closed');
    await vi.advanceTimersByTimeAsync(FIRST_RETRY_MS);
    expect(c.state).toEqual({
      state: 'refused',
      why: 'the app was started again with a new address: open the address `hyperdesk serve` printed',
    });
    c.lost('again');
    await vi.advanceTimersByTimeAsync(60_000);
    expect(probes.length).toBe(1);
  });

  it('retries at once when asked', async () => {
    const { c, probes, reopened } = setup(['ok']);
    c.lost('x');
    c.retryNow();
    await vi.advanceTimersByTimeAsync(0);
    expect(probes.length).toBe(1);
    expect(reopened()).toBe(1);
  });
});
