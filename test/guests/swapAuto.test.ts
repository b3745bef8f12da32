/**
 * ctl's automatic swap policy (M17; resources/ctl/swap.s, docs/guests.md#swapping-automatically,
 * docs/guide.md#lab-m17-swapping-a-whole-guest): memory short for a new partition, the longest-idle
 * client (part_idle) goes to the swap store and the new one starts; keys typed at the swapped guest
 * are a notice to ctl (`input ID console`), which brings it back, and the guest answers them.
 */
import { describe, expect, it } from 'vitest';
import { bootCtl } from './hvrun.js';

describe('ctl swap auto', () => {
  it('swaps the longest-idle client out to start a new one, and brings it back when typed at', async () => {
    const r = await bootCtl();
    r.booted();
    // On by default; it lists how long each running client has been idle (part_idle).
    expect(r.cmd('ctl', 'swap auto')).toMatch(
      /^ctl: swap auto on: .*\n {2}1 \(cos\) idle \d+ ms\n {2}2 \(swos\) idle \d+ ms\n {2}3 \(cos2\) idle \d+ ms\n$/,
    );
    expect(r.cmd('cos', 'run burner &')).toMatch(/^\[\d+\] burner\n$/); // cos computes: never idle
    r.run(50_000_000);
    expect(r.cmd('swos', 'ver')).toBe('swos 1.0 (shrink-wrapped OS)\n'); // swos was just used
    // cos2 has done nothing since its prompt: the longest idle.
    const start = r.cmd('ctl', 'start 4 cos 8M');
    expect(start).toMatch(
      /^ctl: swapped out 3 \(cos2, idle \d+ ms\) to make room for 4 \(cos4\): 8 MiB wanted, 7 MiB were free \(swap auto off turns this off\)\nctl: started 4 \(cos4\): 8 MiB/,
    );
    const cos2 = r.hv.partitions.get(3)!;
    expect(cos2.state).toBe('swapped');
    expect(r.hv.partitions.get(1)!.state).toBe('running');
    r.expect('cos4', 'cos> ');

    // More than swapping every candidate out could free: refused, and nobody is swapped out for it.
    expect(r.cmd('ctl', 'start 5 cos 64M')).toBe(
      'ctl: cannot start 5 (cos5): 64 MiB wanted, 7 MiB free for partitions (ENOMEM)\n',
    );
    expect(r.hv.partitions.get(2)!.state).toBe('running');

    // Typed at while swapped out: ctl hears of it, makes room (7 MiB free, cos2 needs 8) and swaps
    // it back in; the line typed was kept and cos2 answers it.
    expect(r.cmd('cos2', 'run hello')).toBe('Hello from user mode!\n');
    const said = r.expect('ctl', /swapped in 3 \(cos2\): 8 MiB from ctl, it goes on where it was/);
    expect(said).toContain('ctl: notice from 3 (cos2): input console\n');
    expect(said).toContain('ctl: 3 (cos2) has console input: swapping it back in\n');
    expect(said).toMatch(
      /ctl: swapped out \d \((swos|cos4), idle \d+ ms\) to make room for 3 \(cos2\): 8 MiB wanted, 7 MiB were free/,
    );
    expect(cos2.state).toBe('running');
    expect(r.hv.partitions.get(1)!.state).toBe('running'); // the busy one stayed
  });

  it('never swaps out the preferred guest; a message for a swapped guest brings it back too', async () => {
    const r = await bootCtl();
    r.booted();
    expect(r.cmd('ctl', 'prefer 3')).toMatch(/^ctl: 3 \(cos2\) is the preferred guest/);
    expect(r.cmd('ctl', 'swap auto')).toContain('  3 (cos2) idle ');
    const start = r.cmd('ctl', 'start 4 cos 8M');
    const out = /^ctl: swapped out ([12]) \((cos|swos), idle \d+ ms\) to make room for 4 \(cos4\)/.exec(start);
    expect(out, start).not.toBeNull();
    expect(r.hv.partitions.get(3)!.state).toBe('running');
    const id = Number(out![1]);
    expect(r.hv.partitions.get(id)!.state).toBe('swapped');
    // ctl's own message to it is input for it (the notice says `message`): back it comes.
    r.cmd('ctl', `msg ${id} hello`);
    r.expect('ctl', `ctl: notice from ${id} (${out![2]}): input message`);
    r.expect('ctl', `ctl: ${id} (${out![2]}) has message input: swapping it back in`);
    r.expect('ctl', `ctl: swapped in ${id} (${out![2]})`);
    expect(r.hv.partitions.get(id)!.state).toBe('running');
    expect(r.hv.partitions.get(3)!.state).toBe('running');
  });

  it('with swap auto off, a new partition that does not fit is refused and nobody is swapped', async () => {
    const r = await bootCtl();
    r.booted();
    expect(r.cmd('ctl', 'swap auto off')).toMatch(/^ctl: swap auto off: /);
    expect(r.cmd('ctl', 'start 4 cos 8M')).toBe(
      'ctl: cannot start 4 (cos4): 8 MiB wanted, 7 MiB free for partitions (ENOMEM)\n',
    );
    for (const id of [1, 2, 3]) expect(r.hv.partitions.get(id)!.state).toBe('running');
    expect(r.cmd('ctl', 'swap auto sideways')).toBe('ctl: usage: swap ID out|in, swap auto [on|off] (EINVAL)\n');
  });
});
