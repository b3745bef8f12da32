import { describe, expect, it } from 'vitest';
import type { FtView } from '../../shared/api.js';
import { commandFor } from './commands.js';
import { ftRole, ftRows, takeoverLine } from './ft.js';

const view: FtView = {
  pairs: [
    {
      primary: 1,
      backup: 63,
      backupName: 'cos~b',
      pcpu: 1,
      epoch: 12,
      lagInstructions: 1234,
      heldBytes: 5,
      heldFrames: 1,
      heldBlocks: 0,
      lastDirtyPages: 3,
      pagesCopied: 2100,
    },
  ],
  lastTakeover: {
    id: 3,
    name: 'cos2',
    epoch: 7,
    pcpu: 0,
    cycles: 37_876,
    replayedBytes: 2,
    replayedFrames: 1,
    discardedBytes: 40,
  },
};

describe('the fault-tolerance card (M23)', () => {
  it('shows each pair with its lag and held output, and the last takeover with its time', () => {
    const rows = ftRows(view, (id) => (id === 1 ? 'cos' : '?'));
    expect(rows).toEqual([
      {
        pair: '1 cos → 63 cos~b (pCPU 1)',
        lag: 'epoch 12 · 1,234 instructions ahead',
        held: '5 B, 1 frames, 0 disk blocks held · 3 pages copied at the last epoch',
      },
    ]);
    expect(takeoverLine(view)).toBe(
      'Last takeover: 3 cos2 went on from epoch 7 on pCPU 0, in 37,876 cycles (151.5 µs of machine time); 2 console bytes and 1 frames of the failed epoch given again, 40 held bytes never sent',
    );
    expect(takeoverLine({ pairs: [], lastTakeover: { ...view.lastTakeover!, cycles: null } })).toMatch(
      /the backup has not run yet/,
    );
    expect(takeoverLine(undefined)).toBe('');
    expect(takeoverLine({ pairs: [], lastTakeover: { ...view.lastTakeover!, wallMs: 3.25 } })).toMatch(
      /\(151\.5 µs of machine time, 3\.3 ms of wall time\)/,
    );
    expect(ftRole(view, 1)).toBe('primary (backup 63)');
    expect(ftRole(view, 63)).toBe('backup of 1');
    expect(ftRole(view, 2)).toBe('');
  });

  it('ft ID on|off as ctl commands', () => {
    expect(commandFor({ kind: 'ft', id: 1, on: true })).toEqual({ command: 'ft 1 on' });
    expect(commandFor({ kind: 'ft', id: 1, on: false })).toEqual({ command: 'ft 1 off' });
  });
});
