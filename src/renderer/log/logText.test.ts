import { describe, expect, it } from 'vitest';
import { logText, logTime } from './logText.js';

describe('the event log', () => {
  it('shows each time with its date', () => {
    const at = new Date(2026, 11, 7, 9, 5, 3).toISOString();
    expect(logTime(at)).toBe('2026-12-07 09:05:03');
  });

  it('exports one event a line, tab-separated, a detail kept on its line', () => {
    const text = logText([
      {
        id: 1,
        at: '2026-12-07T09:00:00.000Z',
        guest: null,
        guestName: 'machine',
        kind: 'booted',
        detail: 'hypervisor',
      },
      {
        id: 2,
        at: '2026-12-07T09:00:01.000Z',
        guest: 1,
        guestName: 'cos',
        kind: 'faulted',
        detail: 'pc 0x10\tbad\naddr',
      },
    ]);
    expect(text).toBe(
      '2026-12-07T09:00:00.000Z\tmachine\tbooted\thypervisor\n2026-12-07T09:00:01.000Z\tcos\tfaulted\tpc 0x10 bad addr\n',
    );
  });
});
