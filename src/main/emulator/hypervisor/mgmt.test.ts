/**
 * ctl's management mailbox on its own (mgmt.ts, docs/hypercalls.md#the-management-mailbox): one
 * request at a time, bounded and checked; ids its own; its state saved and restored exactly, its
 * replies (output) not part of the state. ctlChannel.test.ts drives it through ctl itself.
 */
import { describe, expect, it } from 'vitest';
import { MGMT_MAX_REPLIES, MGMT_MAX_REQUEST, MgmtMailbox } from './mgmt.js';

const bytes = (s: string) => new TextEncoder().encode(s);

describe('MgmtMailbox', () => {
  it('carries one request to ctl and its reply back, with ids of its own', () => {
    let changes = 0;
    const box = new MgmtMailbox(() => changes++);
    expect(box.pending).toBe(false);
    expect(box.submit('parts')).toBe(1);
    expect(box.pending).toBe(true);
    expect(changes).toBe(1);
    expect(box.submit('res')).toBe('ctl has not answered request 1 yet');
    const r = box.receive()!;
    expect(r.id).toBe(1);
    expect(new TextDecoder().decode(r.bytes)).toBe('parts');
    expect(box.pending).toBe(false);
    expect(box.busy).toBe(true);
    expect(box.receive()).toBeUndefined();
    expect(box.answer(2, 0, bytes(''), bytes(''))).toBe(false); // not the one taken
    expect(box.answer(1, -3, bytes('a\n'), bytes('no partition 9'))).toBe(true);
    expect(box.answer(1, 0, bytes(''), bytes(''))).toBe(false); // answered already
    expect(box.take()).toEqual([{ id: 1, status: -3, text: 'a\n', message: 'no partition 9' }]);
    expect(box.take()).toEqual([]);
    expect(box.submit('res')).toBe(2);
  });

  it('refuses what is not one line of printable text of bounded length, changing nothing', () => {
    const box = new MgmtMailbox(() => {});
    expect(box.submit('')).toBe('an empty command');
    expect(box.submit('x'.repeat(MGMT_MAX_REQUEST + 1))).toBe(
      `a command of ${MGMT_MAX_REQUEST + 1} characters (ctl's management mailbox takes at most ${MGMT_MAX_REQUEST})`,
    );
    expect(box.submit('parts\nhalt')).toMatch(/^character 6 of the command is not printable ASCII \(code 10\)/);
    expect(box.submit('caf\u00e9')).toMatch(/code 233/);
    expect(box.pending).toBe(false);
    expect(box.submit('x'.repeat(MGMT_MAX_REQUEST))).toBe(1);
  });

  it('keeps at most MGMT_MAX_REPLIES replies the host has not taken (the oldest go)', () => {
    const box = new MgmtMailbox(() => {});
    for (let i = 0; i < MGMT_MAX_REPLIES + 3; i++) {
      const id = box.submit('mem') as number;
      box.receive();
      box.answer(id, 0, bytes(`${id}`), bytes(''));
    }
    const kept = box.take();
    expect(kept).toHaveLength(MGMT_MAX_REPLIES);
    expect(kept[0]!.id).toBe(4);
  });

  it('saves and restores its state exactly; replies are output, not state', () => {
    const a = new MgmtMailbox(() => {});
    a.submit('parts');
    a.receive();
    a.answer(1, 0, bytes('x'), bytes(''));
    a.submit('res');
    const st = a.saveState();
    expect(st).toEqual({ nextId: 3, waiting: { id: 2, text: 'res' }, taken: 0 });
    const b = new MgmtMailbox(() => {});
    b.restoreState(structuredClone(st));
    expect(b.saveState()).toEqual(st);
    expect(b.take()).toEqual([]);
    expect(b.receive()).toMatchObject({ id: 2 });
    // A snapshot made before the mailbox existed: an empty one.
    b.restoreState(undefined);
    expect(b.saveState()).toEqual({ nextId: 1, waiting: null, taken: 0 });
  });
});
