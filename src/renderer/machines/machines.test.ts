/** The Machines view's order (the demo first) and its one-line description of a machine. */
import { describe, expect, it } from 'vitest';
import type { MachineConfig, SavedMachine } from '../../shared/api.js';
import { describeMachine, machineOrder } from './MachinesView.js';

const config: MachineConfig = { mode: 'hypervisor', cpus: 2, memMiB: 64, disks: [], engine: 'interp' };
const saved = (name: string): SavedMachine => ({ id: 1, name, config, updatedAt: '2026-12-07T16:00:00.000Z' });

describe('machines', () => {
  it('lists the demo first, then by name', () => {
    expect(machineOrder([saved('b'), saved('demo'), saved('a')]).map((m) => m.name)).toEqual(['demo', 'a', 'b']);
    expect(machineOrder([saved('b'), saved('a')]).map((m) => m.name)).toEqual(['a', 'b']);
  });

  it('describes mode, pCPUs, threads, memory and engine', () => {
    expect(describeMachine(config)).toBe('hypervisor · 2 pCPU · 64 MiB · interp');
    expect(describeMachine({ ...config, threads: true, engine: 'jit' })).toBe(
      'hypervisor · 2 pCPU on threads · 64 MiB · jit',
    );
    expect(describeMachine({ ...config, mode: 'dualboot', boot: 'swos', cpus: 1, memMiB: 32 })).toBe(
      'dual boot swos · 1 pCPU · 32 MiB · interp',
    );
    // More than the one default network card (M18): said, as is none.
    expect(describeMachine({ ...config, nics: 3 })).toBe('hypervisor · 2 pCPU · 64 MiB · 3 nics · interp');
    expect(describeMachine({ ...config, nics: 0 })).toBe('hypervisor · 2 pCPU · 64 MiB · 0 nics · interp');
    expect(describeMachine({ ...config, nics: 1 })).toBe('hypervisor · 2 pCPU · 64 MiB · interp');
  });
});
