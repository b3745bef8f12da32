import { describe, expect, it } from 'vitest';
import { commandFor, FAULTS } from './commands.js';

describe('the fault menu and the preferred guest as ctl commands', () => {
  it('every fault of the menu is one ctl command; crash names no partition', () => {
    expect(FAULTS.map((f) => f.fault)).toEqual(['kernel', 'irqoff', 'wild', 'dma', 'fail', 'crash', 'diskerr']);
    for (const f of FAULTS) expect(f.contained.length).toBeGreaterThan(10);
    expect(commandFor({ kind: 'fault', fault: 'wild', id: 1 })).toEqual({ command: 'fault wild 1' });
    expect(commandFor({ kind: 'fault', fault: 'crash', id: 3 })).toEqual({ command: 'fault crash' });
    expect(commandFor({ kind: 'fault', fault: 'melt', id: 1 })).toEqual({ error: 'pick a fault from the list' });
    expect(commandFor({ kind: 'fault', fault: 'kernel', id: 1.5 })).toEqual({
      error: 'the partition id must be a whole number',
    });
  });

  it('prefer ID, prefer none', () => {
    expect(commandFor({ kind: 'prefer', id: 2 })).toEqual({ command: 'prefer 2' });
    expect(commandFor({ kind: 'prefer', id: null })).toEqual({ command: 'prefer none' });
  });
});
