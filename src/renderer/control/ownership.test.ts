import { describe, expect, it } from 'vitest';
import type { Ownership } from '../../shared/api.js';
import { commandFor, nextFreeId } from './commands.js';
import { deviceTree, flatten, HYPERVISOR_COLOUR, memorySegments, ownerColour, OWNER_PALETTE } from './ownership.js';

describe('ownerColour', () => {
  it('gives each partition a stable colour and the hypervisor its own', () => {
    expect(ownerColour(0)).toBe(OWNER_PALETTE[0]);
    expect(ownerColour(1)).not.toBe(ownerColour(2));
    expect(ownerColour(OWNER_PALETTE.length + 1)).toBe(ownerColour(1));
    expect(ownerColour(null)).toBe(HYPERVISOR_COLOUR);
  });
});

describe('memorySegments', () => {
  const MiB = 1 << 20;
  it('covers the bar in address order, gaps as free', () => {
    const segs = memorySegments(
      [
        { base: 8 * MiB, size: 8 * MiB, owner: 1, what: 'cos' },
        { base: 0, size: 4 * MiB, owner: 0, what: 'ctl' },
      ],
      32 * MiB,
    );
    expect(segs.map((s) => [s.base / MiB, s.size / MiB, s.owner])).toEqual([
      [0, 4, 0],
      [4, 4, 'free'],
      [8, 8, 1],
      [16, 16, 'free'],
    ]);
    expect(segs.map((s) => s.width)).toEqual([12.5, 12.5, 25, 50]);
    expect(segs[3]!.left).toBe(50);
  });

  it('keeps a tiny range visible and the total at 100 %', () => {
    const segs = memorySegments(
      [
        { base: 0, size: 1023 * MiB, owner: 0, what: 'ctl' },
        { base: 1023 * MiB, size: 64 * 1024, owner: 3, what: 'tiny' },
      ],
      1024 * MiB,
      2,
    );
    const tiny = segs.find((s) => s.owner === 3)!;
    expect(tiny.width).toBe(2);
    const sum = segs.reduce((a, s) => a + s.width, 0);
    expect(sum).toBeCloseTo(100, 6);
    for (let i = 1; i < segs.length; i++) expect(segs[i]!.left).toBeCloseTo(segs[i - 1]!.left + segs[i - 1]!.width, 6);
  });
});

describe('deviceTree', () => {
  const dev = (id: string, base: number, parent?: string): Ownership['devices'][number] => ({
    id,
    name: id,
    kind: 'x',
    base,
    size: 16,
    owner: 0,
    parent,
  });
  it('nests children under parents in address order; unknown parents become roots', () => {
    const tree = deviceTree([
      dev('uart1', 0x20, 'bus'),
      dev('bus', 0),
      dev('uart0', 0x10, 'bus'),
      dev('lost', 5, 'nope'),
    ]);
    expect(flatten(tree).map((n) => `${n.depth}:${n.device.id}`)).toEqual(['0:bus', '1:uart0', '1:uart1', '0:lost']);
  });

  it('shows devices caught in a parent cycle instead of losing them', () => {
    const tree = deviceTree([dev('a', 0, 'b'), dev('b', 1, 'a')]);
    expect(flatten(tree).map((n) => `${n.depth}:${n.device.id}`)).toEqual(['0:a', '1:b']);
  });
});

describe('commandFor (ctl command words, docs/guests.md#shell)', () => {
  it('builds the commands a person would type', () => {
    expect(commandFor({ kind: 'create', id: 3, name: 'mycos' })).toEqual({ command: 'create 3 mycos' });
    expect(commandFor({ kind: 'start', id: 3, os: 'cos', size: '4M' })).toEqual({ command: 'start 3 cos 4M' });
    expect(commandFor({ kind: 'start', id: 3 })).toEqual({ command: 'start 3' });
    expect(commandFor({ kind: 'stop', id: 1 })).toEqual({ command: 'stop 1' });
    expect(commandFor({ kind: 'resize', id: 1, size: '1M' })).toEqual({ command: 'resize 1 +1M' });
    expect(commandFor({ kind: 'assign-cpu', id: 2, cpu: 1 })).toEqual({ command: 'assign 2 cpu 1' });
    expect(commandFor({ kind: 'move', device: 'nic0', id: 2 })).toEqual({ command: 'move nic0 2' });
    expect(commandFor({ kind: 'sched', id: 1, weight: 20, sliceUs: 500 })).toEqual({ command: 'sched 1 20 500' });
    expect(commandFor({ kind: 'msg', id: 1, text: ' hi\nthere ' })).toEqual({ command: 'msg 1 hi there' });
  });

  it('refuses fields that would change the command, in words', () => {
    expect(commandFor({ kind: 'create', id: 3, name: 'two words' })).toHaveProperty('error');
    expect(commandFor({ kind: 'create', id: 1.5, name: 'x' })).toHaveProperty('error');
    // '@' is plain text: the channel is ctl's mailbox, not tagged lines on its console.
    expect(commandFor({ kind: 'msg', id: 1, text: 'mail me @ 5' })).toEqual({ command: 'msg 1 mail me @ 5' });
    expect(commandFor({ kind: 'resize', id: 1, size: 'lots' })).toHaveProperty('error');
  });

  it('finds the lowest free partition id', () => {
    expect(nextFreeId([0, 1, 2])).toBe(3);
    expect(nextFreeId([0, 2])).toBe(1);
  });
});
