import { describe, expect, it } from 'vitest';
import type { Ownership } from '../../shared/api.js';
import { commandFor, techniqueActions } from './commands.js';
import {
  cpuLine,
  explainError,
  movableDevices,
  returnableDevices,
  rowAction,
  techniqueLine,
  techniqueTitle,
} from './explain.js';

const parts: Ownership['partitions'] = [
  { id: 0, name: 'ctl', state: 'running' },
  { id: 1, name: 'cos', state: 'running' },
  { id: 2, name: 'swos', state: 'stopped' },
];
const busy = { name: 'EBUSY', message: 'part_stop: the partition is not in a state that allows it' };

describe('the Control panel explains', () => {
  it("ctl's errors with the partition and what to do", () => {
    expect(explainError('stop 2', busy, parts)).toBe(
      'Partition 2 (swos) is stopped: only a running partition can be stopped.',
    );
    expect(explainError('start 1', busy, parts)).toBe(
      'Partition 1 (cos) is running: it runs already; Restart starts it again.',
    );
    expect(explainError('resize 1 +1M', busy, parts)).toBe(
      'Partition 1 (cos) is running: Stop it first, make the change, then Start it.',
    );
    expect(
      explainError('move uart0 1', { name: 'EBUSY', message: "uart0 is ctl's console: ctl keeps it" }, parts),
    ).toMatch(/^uart0 is one ctl needs itself/);
    expect(explainError('stop 9', { name: 'ENOENT', message: 'no partition 9' }, parts)).toBe(
      'There is no partition 9: the table above lists the partitions.',
    );
    expect(explainError('assign 1 cpu 0', { name: 'ENOMEM', message: 'x' }, parts)).toMatch(/Not enough free memory/);
    expect(explainError('msg 1 hi', { name: 'EINVAL', message: 'bad' }, parts)).toBeUndefined();
  });

  it('which row actions a state allows', () => {
    expect(rowAction('start', parts[1]!)).toEqual({ ok: false, why: expect.stringMatching(/^cos is running/) });
    expect(rowAction('stop', parts[1]!).ok).toBe(true);
    expect(rowAction('start', parts[2]!).ok).toBe(true);
    expect(rowAction('stop', parts[2]!).ok).toBe(false);
    expect(rowAction('destroy', parts[2]!).ok).toBe(true);
  });

  it('swapping (M17): Swap out for a running or stopped guest, Swap in for a swapped one, else why', () => {
    const swapped = { name: 'cos', state: 'swapped' as const };
    expect(rowAction('swap-out', parts[1]!).ok).toBe(true);
    expect(rowAction('swap-out', parts[2]!).ok).toBe(true);
    expect(rowAction('swap-in', parts[1]!)).toEqual({ ok: false, why: 'cos is running, not swapped out' });
    expect(rowAction('swap-out', swapped)).toEqual({ ok: false, why: 'cos is swapped out already' });
    expect(rowAction('swap-out', { name: 'x', state: 'faulted' })).toEqual({
      ok: false,
      why: 'x is faulted: only a running or stopped partition can be swapped out',
    });
    expect(rowAction('swap-in', swapped).ok).toBe(true);
    // A swapped guest cannot be stopped, started or restarted (the hypervisor says EBUSY), only destroyed.
    expect(rowAction('stop', swapped)).toEqual({ ok: false, why: 'cos is swapped out: Swap in brings it back first' });
    expect(rowAction('start', swapped).ok).toBe(false);
    expect(rowAction('restart', swapped).ok).toBe(false);
    expect(rowAction('destroy', swapped).ok).toBe(true);
    expect(commandFor({ kind: 'swap-out', id: 1 })).toEqual({ command: 'swap 1 out' });
    expect(commandFor({ kind: 'swap-in', id: 1 })).toEqual({ command: 'swap 1 in' });
    expect(commandFor({ kind: 'remove-cpu', id: 1 })).toEqual({ command: 'remove 1 cpu' });
    expect(commandFor({ kind: 'remove-dev', id: 2, device: 'netctl' })).toEqual({ command: 'remove 2 dev netctl' });
    expect(commandFor({ kind: 'remove-dev', id: 2, device: '' })).toEqual({ error: 'pick a device' });
    expect(commandFor({ kind: 'swap-in', id: -1 })).toHaveProperty('error');
    const out = [...parts.slice(0, 1), { id: 1, name: 'cos', state: 'swapped' as const }];
    expect(explainError('swap 1 out', { name: 'EBUSY', message: '1 is swapped' }, out)).toBe(
      'Partition 1 (cos) is swapped: it is out already; Swap in brings it back.',
    );
    expect(explainError('swap 1 in', { name: 'ENOMEM', message: '8 MiB wanted' }, out)).toBe(
      'Not enough free memory to bring cos back, even with idle guests swapped out: destroy or swap out another partition first.',
    );
  });

  const dev = (name: string, kind: string, owner: number | null, parent?: string) => ({
    id: name,
    name,
    kind,
    base: 0,
    size: 0,
    owner,
    ...(parent ? { parent } : {}),
  });

  it('offers only devices that can be moved: controllers whole, not one holding what ctl keeps', () => {
    const list = [
      dev('sysbus', 'bus', null),
      dev('uart0', 'uart', 0, 'sysbus'),
      dev('sysctl', 'sysctl', 0, 'sysbus'),
      dev('uart1', 'uart', 0, 'sysbus'),
      dev('rtc', 'rtc', 0, 'sysbus'),
      dev('intc', 'intc', null, 'sysbus'),
      dev('blkctl', 'controller', null, 'sysbus'),
      dev('disk0', 'disk', 0, 'blkctl'),
      dev('disk1', 'disk', 0, 'blkctl'),
      dev('netctl', 'controller', null, 'sysbus'),
      dev('nic0', 'nic', 2, 'netctl'),
    ];
    expect(movableDevices(list).map((d) => d.name)).toEqual(['uart1', 'rtc', 'disk1', 'netctl', 'nic0']);
  });

  it('offers to take back the top of what each client holds (a controller with its subtree)', () => {
    const list = [
      dev('sysbus', 'bus', null),
      dev('uart1', 'uart', 1, 'sysbus'),
      dev('rtc', 'rtc', 0, 'sysbus'),
      dev('netctl', 'controller', 2, 'sysbus'),
      dev('nic0', 'nic', 2, 'netctl'),
      dev('nic1', 'nic', 2, 'netctl'),
      dev('blkctl', 'controller', null, 'sysbus'),
      dev('disk1', 'disk', 3, 'blkctl'),
    ];
    expect(returnableDevices(list).map((d) => `${d.owner} ${d.name}`)).toEqual(['1 uart1', '2 netctl', '3 disk1']);
  });

  it('explains a refused take-back of the last vCPU and a move from a running owner', () => {
    expect(
      explainError(
        'remove 1 cpu',
        { name: 'EINVAL', message: 'remove 1 cpu: 1 (cos) has one vCPU: the last one is never removed' },
        parts,
      ),
    ).toBe('Partition 1 (cos) is running: it has one vCPU, and a partition always keeps one.');
    expect(
      explainError(
        'move netctl 2',
        {
          name: 'EBUSY',
          message:
            'move netctl 2: netctl belongs to 1 (cos), which runs: ask for it (remove 1 dev netctl) or stop it first',
        },
        parts,
      ),
    ).toBe('netctl belongs to a running partition: Take it back first (the guest may refuse), or stop that partition.');
  });

  it('says what runs on a pCPU between slices', () => {
    expect(cpuLine({ index: 0, running: null, pinned: [0, 1, 2] }, parts)).toBe('time-shared by 2 vCPUs');
    expect(cpuLine({ index: 1, running: null, pinned: [0] }, parts)).toBe('runs ctl');
    expect(cpuLine({ index: 1, running: 1, pinned: [0, 1] }, parts)).toBe('runs cos');
    expect(cpuLine({ index: 2, running: null, pinned: [2] }, parts)).toBe('idle');
  });
});

describe('techniqueLine (M7)', () => {
  const c = { exits: 1500, hypercalls: 1200, mmioExits: 300, emulated: 1234, shadowBuilds: 56, reflected: 7 };
  it('names the technique and the counter that tells it apart', () => {
    expect(techniqueLine({ technique: 'trap-emulate', ...c })).toBe('trap-emulate · 1,234 emulated · 56 shadow builds');
    expect(techniqueLine({ technique: 'hardware', ...c })).toBe('hardware · 1,500 exits');
    expect(techniqueLine({ technique: 'paravirtual', ...c })).toBe('paravirtual · 1,200 hypercalls · 1,500 exits');
    expect(techniqueLine(undefined)).toBe('');
  });
  it('gives every counter in the title', () => {
    expect(techniqueTitle({ technique: 'hardware', ...c })).toBe(
      '1,500 exits (1,200 hypercalls, 300 MMIO), 1,234 instructions emulated, 56 shadow tables built, 7 faults reflected',
    );
    expect(techniqueTitle(undefined)).toMatch(/not virtualized/);
  });
});

describe('the technique form (M7)', () => {
  it('stops, switches and restarts a running client; switches a stopped one for its next start', () => {
    const cmds = (state: string) =>
      techniqueActions(1, 'trap-emulate', state).map((a) => {
        const c = commandFor(a);
        return 'command' in c ? c.command : c.error;
      });
    expect(cmds('running')).toEqual(['stop 1', 'technique 1 trap-emulate', 'restart 1']);
    expect(cmds('stopped')).toEqual(['technique 1 trap-emulate']);
    expect(commandFor({ kind: 'technique', id: 1, technique: 'sideways' })).toEqual({
      error: 'the technique is one of paravirtual, hardware, trap-emulate',
    });
  });
});
