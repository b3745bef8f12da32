/**
 * ctl's `ft` command (M23, docs/fault-tolerance.md, docs/guests.md#ctl-the-controlling-os): its
 * memory policy with `swap auto` (the client itself and a client with a backup are never swapped out
 * to make room), `ft ID off`, and refusals with the reason.
 */
import { describe, expect, it } from 'vitest';
import { bootCtl } from './hvrun.js';

describe("ctl's ft", () => {
  it('swap auto makes room by swapping another client out, never the one being paired; a primary is never chosen', async () => {
    const r = await bootCtl();
    r.booted();
    const on = r.cmd('ctl', 'ft 1 on');
    expect(on).toMatch(/^ctl: swapped out [23] \((swos|cos2), idle [^)]*\) to make room for 1 \(cos\)/);
    expect(on).toMatch(/ctl: 1 \(cos\) has a backup: 63 on pCPU 0/);
    expect(r.hv.partitions.get(1)?.state).toBe('running');
    expect(r.hv.ft.get(1)?.backup).toBe(63);
    // Another client that needs room: cos (a primary) is not a candidate, whatever its idle time.
    expect(r.cmd('ctl', 'ft')).toMatch(/^ft: 1 \(cos\) backup 63 on pCPU 0: epoch \d+/);
    expect(r.cmd('ctl', 'swap 1 out')).toMatch(/EBUSY/);
    const start = r.cmd('ctl', 'start 5 cos 8M');
    expect(start).toMatch(/swapped out [23] \((swos|cos2)/);
    expect(start).not.toMatch(/swapped out 1 /);
    expect(r.hv.partitions.get(1)?.state).toBe('running');
    expect(r.cmd('ctl', 'ft 1 off')).toMatch(/^ctl: 1 \(cos\) has no backup any more; its memory came back to ctl/);
    expect(r.hv.partitions.has(63)).toBe(false);
    expect(r.cmd('ctl', 'ft 1 off')).toMatch(/1 has no backup \(ft 1 on gives it one\) \(ENOENT\)/);
    expect(r.cmd('ctl', 'ft 1 maybe')).toMatch(/usage: ft \[ID on\|off\]/);
    expect(r.cmd('ctl', 'ft')).toMatch(/^ft: no client has a backup/);
  }, 120_000);
});
