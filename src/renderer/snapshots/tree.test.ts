import { describe, expect, it } from 'vitest';
import type { SnapshotInfo } from '../../shared/api.js';
import { machineTime, nameProblem, pathTo, screenLines, snapshotTree, suggestName } from './tree.js';

let id = 0;
const snap = (name: string, parent: string | null, extra: Partial<SnapshotInfo> = {}): SnapshotInfo => ({
  id: ++id,
  name,
  machine: 'demo',
  createdAt: '2026-12-07T18:00:00.000Z',
  seconds: id,
  mode: 'hypervisor',
  file: `/d/snapshots/${name}.hdsnap`,
  bytes: 1000,
  parent,
  disks: [],
  ...extra,
});

/** The forest as nested [name, children] pairs, for comparing shapes. */
type Shape = [string, Shape[]];
const shape = (list: SnapshotInfo[]): Shape[] => {
  const walk = (n: { snap: SnapshotInfo; children: unknown[] }): Shape => [
    n.snap.name,
    (n.children as (typeof n)[]).map(walk),
  ];
  return snapshotTree(list).roots.map(walk);
};

describe('snapshotTree', () => {
  it('branches where a restore was followed by new snapshots', () => {
    // a, b after it; restore a; c after it: a has two children.
    const list = [snap('a', null), snap('b', 'a'), snap('c', 'a', { current: true })];
    expect(shape(list)).toEqual([
      [
        'a',
        [
          ['b', []],
          ['c', []],
        ],
      ],
    ]);
    const f = snapshotTree(list);
    expect(f.current?.snap.name).toBe('c');
    expect(pathTo(f, 'c')).toEqual(['a', 'c']);
  });

  it('keeps id order whatever the list order, and several roots (fresh boots)', () => {
    const a = snap('a', null);
    const b = snap('b', 'a');
    const c = snap('c', null);
    const d = snap('d', 'c');
    expect(shape([d, c, b, a])).toEqual([
      ['a', [['b', []]]],
      ['c', [['d', []]]],
    ]);
    expect(snapshotTree([a, b]).current).toBeUndefined();
  });

  it('shows a snapshot whose parent is gone, or that would make a cycle, as a root', () => {
    const x = snap('x', 'deleted');
    expect(shape([x])).toEqual([['x', []]]);
    expect(snapshotTree([x]).roots[0]!.orphan).toBe(true);
    const p = snap('p', 'q');
    const q = snap('q', 'p');
    const f = snapshotTree([p, q]);
    // Every snapshot appears exactly once.
    const names: string[] = [];
    const walk = (n: (typeof f.roots)[number]) => {
      names.push(n.snap.name);
      n.children.forEach(walk);
    };
    f.roots.forEach(walk);
    expect(names.sort()).toEqual(['p', 'q']);
    expect(pathTo(f, 'q').length).toBeLessThanOrEqual(2);
  });
});

describe('names', () => {
  it('suggests the first snapshot-N not taken', () => {
    expect(suggestName([])).toBe('snapshot-1');
    expect(suggestName([snap('a', null)])).toBe('snapshot-2');
    expect(suggestName([snap('snapshot-2', null), snap('snapshot-3', null)])).toBe('snapshot-4');
  });

  it('says what is wrong with a name', () => {
    const list = [snap('a', null)];
    expect(nameProblem('b-1.x', list)).toBeUndefined();
    expect(nameProblem('', list)).toMatch(/give the snapshot a name/);
    expect(nameProblem('my snap', list)).toMatch(/no spaces/);
    expect(nameProblem('-x', list)).toMatch(/starting with a letter or digit/);
    expect(nameProblem('a', list)).toMatch(/exists already/);
  });
});

describe('screenLines', () => {
  it('drops escapes and keeps the last lines as a screen shows them', () => {
    const tail = '\x1b[1mcos 0.1\x1b[0m\r\none\r\ntwo\r\nthree\r\ncos> '; // prompt without newline
    expect(screenLines(tail, 3)).toEqual(['two', 'three', 'cos>']);
    expect(screenLines(tail, 10)).toEqual(['cos 0.1', 'one', 'two', 'three', 'cos>']);
  });

  it('applies carriage returns, backspaces and tabs', () => {
    expect(screenLines('abcdef\rXY\n')).toEqual(['XYcdef']);
    expect(screenLines('cos> helx\b \blo\n')).toEqual(['cos> hello']);
    expect(screenLines('a\tb')).toEqual(['a       b']);
    expect(screenLines('')).toEqual(['']);
    expect(screenLines('x\n\n\n')).toEqual(['x']);
  });
});

it('machineTime reads as seconds, minutes, hours', () => {
  expect(machineTime(1.5)).toBe('1.500 s');
  expect(machineTime(125.25)).toBe('2 min 5.3 s');
  expect(machineTime(7380)).toBe('2 h 3 min');
});
