import { describe, expect, it } from 'vitest';
import type { EngineKind, MachineConfig } from '../../shared/api.js';
import { bootChoice, engineSummary, machineLabel, modeLabel, viewKey } from './topbar.js';

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

  it("shows the running machine's mode in the badge and the boot selects", () => {
    const dual: MachineConfig = { ...config, mode: 'dualboot', boot: 'swos' };
    expect(modeLabel({})).toBe('–');
    expect(modeLabel({ config })).toBe('hypervisor');
    expect(modeLabel({ config: dual })).toBe('dual boot · swos');
    // Issue 15: a dual-boot machine running left the select saying "Hypervisor".
    const running = bootChoice({ state: 'running', config: dual });
    expect(running).toMatchObject({ mode: 'dualboot', os: 'swos', threads: false });
    expect(bootChoice({ state: 'booting', config: { ...config, threads: true } })).toMatchObject({
      mode: 'hypervisor',
      os: undefined,
      threads: true,
    });
    // Off or failed: the selects keep the person's pick.
    expect(bootChoice({ state: 'off', config: dual })).toBeUndefined();
    expect(bootChoice({ state: 'failed', config: dual })).toBeUndefined();
    expect(bootChoice({ state: 'running' })).toBeUndefined();
    // The same boot keeps its key (status ticks do not undo a pick); another boot changes it.
    expect(bootChoice({ state: 'running', config: dual })!.key).toBe(running!.key);
    expect(bootChoice({ state: 'running', config: { ...dual, boot: 'cos' } })!.key).not.toBe(running!.key);
    expect(bootChoice({ state: 'running', config })!.key).not.toBe(running!.key);
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
