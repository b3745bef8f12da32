import { describe, expect, it } from 'vitest';
import type { EngineKind, MachineConfig } from '../../shared/api.js';
import { engineSummary, machineLabel, viewKey } from './topbar.js';

const config: MachineConfig = { mode: 'hypervisor', cpus: 2, memMiB: 64, disks: [] };

describe('the top bar', () => {
  it('names the engine once when every guest runs on it, else per guest', () => {
    const guests: { name: string; engine: EngineKind }[] = [
      { name: 'ctl', engine: 'interp' },
      { name: 'cos', engine: 'interp' },
      { name: 'swos', engine: 'interp' },
    ];
    expect(engineSummary(guests, 'interp')).toBe('interp');
    expect(engineSummary([], 'jit')).toBe('jit');
    expect(engineSummary([])).toBe('interp');
    guests[1] = { name: 'cos', engine: 'jit' };
    expect(engineSummary(guests, 'interp')).toBe('jit: cos · interp: ctl, swos');
    expect(
      engineSummary(
        guests.map((g) => ({ ...g, engine: 'jit' as const })),
        'interp',
      ),
    ).toBe('jit');
  });

  it('names the saved machine that runs', () => {
    expect(machineLabel({ state: 'off', config })).toBe('');
    expect(machineLabel({ state: 'running', config })).toBe('demo');
    expect(machineLabel({ state: 'running', config: { ...config, name: 'lab copy' } })).toBe('lab copy');
    expect(machineLabel({ state: 'booting', config: { ...config, mode: 'dualboot', boot: 'swos' } })).toBe(
      'dual boot swos',
    );
  });

  it('gives the views the keys of the digit row with Alt: 1..9, 0, then -', () => {
    expect(Array.from({ length: 12 }, (_, i) => viewKey(i))).toEqual([
      '1',
      '2',
      '3',
      '4',
      '5',
      '6',
      '7',
      '8',
      '9',
      '0',
      '-',
      '',
    ]);
  });
});
