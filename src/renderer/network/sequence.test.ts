import { describe as group, expect, it } from 'vitest';
import type { MessageRow, MessagesView } from '../../shared/api.js';
import { arrowOf, describe, duration, lanesOf, machineTime } from './sequence.js';

const row = (r: Partial<MessageRow>): MessageRow => ({
  seconds: 0.01,
  from: 1,
  fromName: 'cos',
  to: 3,
  toName: 'cos2',
  op: 'send',
  bytes: 5,
  text: 'hello',
  ...r,
});

group('the message sequence layout', () => {
  const view: MessagesView = {
    rows: [row({}), row({ from: 3, fromName: 'cos2', to: 9, toName: 'partition 9', error: 'ENOENT: no partition 9' })],
    older: 0,
    eventsDropped: 0,
    partitions: [
      { id: 3, name: 'cos2' },
      { id: 0, name: 'ctl' },
      { id: 1, name: 'cos' },
    ],
  };

  it('draws a lifeline per partition in id order, and one for a missing partition a refusal names', () => {
    expect(lanesOf(view)).toEqual([
      { id: 0, name: 'ctl' },
      { id: 1, name: 'cos' },
      { id: 3, name: 'cos2' },
      { id: 9, name: '(none)' },
    ]);
  });

  it('points each arrow from the sender to the receiver', () => {
    const lanes = lanesOf(view);
    expect(arrowOf(view.rows[0]!, lanes)).toEqual({ first: 1, last: 2, rightward: true });
    expect(arrowOf(row({ from: 3, to: 0 }), lanes)).toEqual({ first: 0, last: 2, rightward: false });
  });

  it('says what each message was: sync or async, its text, the reply time, or why it was refused', () => {
    expect(describe(row({}))).toBe('send (async) "hello", 5 bytes');
    expect(describe(row({ op: 'call', replySeconds: 22.4e-6 }))).toBe('call (sync) "hello", 5 bytes: reply in 22.4 µs');
    expect(describe(row({ op: 'call' }))).toBe('call (sync) "hello", 5 bytes: no reply yet');
    expect(describe(row({ op: 'reply', bytes: 60, text: 'x'.repeat(40), repeat: 3 }))).toBe(
      `reply "${'x'.repeat(40)}"…, 60 bytes ×3`,
    );
    expect(describe(view.rows[1]!)).toBe('send (async) refused: ENOENT: no partition 9');
  });

  it('gives machine time in milliseconds and short spans in microseconds', () => {
    expect(machineTime(0.0140448)).toBe('14.045 ms');
    expect(duration(22.4e-6)).toBe('22.4 µs');
    expect(duration(0.0123)).toBe('12.30 ms');
  });
});
