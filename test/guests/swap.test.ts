/**
 * ctl swaps whole guests (M17; resources/ctl/swap.s, docs/guide.md#lab-m17-swapping-a-whole-guest):
 * `swap 1 out` puts cos, running, in the hypervisor's swap store and gives its 8 MiB back to ctl;
 * `swap 1 in` takes 8 MiB from ctl again and cos goes on where it was (its background program, its
 * clock). ctl itself, unknown ids and guests in the wrong state are refused with the reason.
 */
import { describe, expect, it } from 'vitest';
import { bootCtl, MiB } from './hvrun.js';

/** ctl's memory free for partitions, as `res` says it ("15 MiB free for partitions"). */
function freeMiB(res: string): number {
  const m = /(\d+) MiB free for partitions/.exec(res);
  if (!m) throw new Error(`no free memory in res: ${res}`);
  return Number(m[1]);
}

/** The state column of `parts` for partition `id`. */
function stateOf(parts: string, id: number): string | undefined {
  return new RegExp(`^ +${id} \\S+ +(\\S+)`, 'm').exec(parts)?.[1];
}

describe('ctl swap', () => {
  it('swaps a running cos out and back in; its memory goes to ctl and comes back, and cos goes on', async () => {
    const r = await bootCtl();
    r.booted();
    const job = /^\[(\d+)\] burner\n$/.exec(r.cmd('cos', 'run burner &'));
    expect(job).not.toBeNull();
    r.run(20_000_000);
    const before = r.cmd('cos', 'ps');
    const ticksBefore = Number(new RegExp(` ${job![1]} \\S+ +burner +(\\d+) &`).exec(before)![1]);
    const upBefore = r.cmd('cos', 'uptime');
    const freeBefore = freeMiB(r.cmd('ctl', 'res'));

    expect(r.cmd('ctl', 'swap 1 out')).toBe(
      'ctl: swapped out 1 (cos): 8 MiB back to ctl, the guest kept in the swap store\n',
    );
    const cos = r.hv.partitions.get(1)!;
    expect(cos.state).toBe('swapped');
    expect(cos.memBytes).toBe(0);
    expect(stateOf(r.cmd('ctl', 'parts'), 1)).toBe('swapped');
    const res = r.cmd('ctl', 'res');
    expect(freeMiB(res)).toBe(freeBefore + 8);
    expect(res).toContain('\n         8 MiB of 1 partition swapped out (swap ID in brings it back)\n');
    // While it is out, it does not run: its console stays silent and swos goes on.
    const quiet = r.out.cos.length;
    r.run(20_000_000);
    expect(r.out.cos.length).toBe(quiet);
    expect(r.cmd('swos', 'ver')).toBe('swos 1.0 (shrink-wrapped OS)\n');
    expect(r.cmd('ctl', 'swap 1 out')).toBe(
      'ctl: swap 1 out: 1 is swapped: only a running or stopped partition can be swapped out (EBUSY)\n',
    );

    expect(r.cmd('ctl', 'swap 1 in')).toBe('ctl: swapped in 1 (cos): 8 MiB from ctl, it goes on where it was\n');
    expect(cos.state).toBe('running');
    expect(cos.memBytes).toBe(8 * MiB);
    const resAfter = r.cmd('ctl', 'res');
    expect(freeMiB(resAfter)).toBe(freeBefore);
    expect(resAfter).not.toContain('swapped out');
    expect(stateOf(r.cmd('ctl', 'parts'), 1)).toBe('running');
    // The same process, its CPU time kept and growing; the clock of the same boot.
    const after = r.cmd('cos', 'ps');
    const ticksAfter = Number(new RegExp(` ${job![1]} \\S+ +burner +(\\d+) &`).exec(after)?.[1] ?? -1);
    expect(ticksAfter).toBeGreaterThanOrEqual(ticksBefore);
    expect(r.cmd('cos', 'uptime')).not.toBe(upBefore);
    expect(r.cmd('cos', 'run hello')).toBe('Hello from user mode!\n');
    expect(r.cmd('ctl', 'swap 1 in')).toBe('ctl: swap 1 in: 1 is running, not swapped out (EBUSY)\n');
  });

  it('swaps a stopped guest, which stays stopped when it comes back', async () => {
    const r = await bootCtl();
    r.booted();
    expect(r.cmd('ctl', 'stop 2')).toBe('ctl: stopped 2 (swos)\n');
    expect(r.cmd('ctl', 'swap 2 out')).toMatch(/^ctl: swapped out 2 \(swos\): 4 MiB back to ctl/);
    expect(r.cmd('ctl', 'swap 2 in')).toMatch(/^ctl: swapped in 2 \(swos\): 4 MiB from ctl/);
    expect(r.hv.partitions.get(2)!.state).toBe('stopped');
  });

  it('refuses to swap in without the memory, until some is freed; a swapped guest can be destroyed', async () => {
    const r = await bootCtl();
    r.booted();
    expect(r.cmd('ctl', 'swap auto off')).toBe(
      'ctl: swap auto off: a request for more memory than is free is refused; swap ID out|in by hand\n',
    );
    expect(r.cmd('ctl', 'swap 1 out')).toMatch(/^ctl: swapped out 1 \(cos\): 8 MiB/);
    expect(r.cmd('ctl', 'start 4 cos 8M')).toMatch(/^ctl: started 4 \(cos\d*\): 8 MiB/);
    expect(r.cmd('ctl', 'stop 1')).toMatch(/part_stop: .*\(EBUSY\)\n$/);
    expect(r.cmd('ctl', 'swap 1 in')).toBe('ctl: swap 1 in: 8 MiB wanted, 7 MiB free for partitions (ENOMEM)\n');
    expect(r.hv.partitions.get(1)!.state).toBe('swapped');
    expect(r.cmd('ctl', 'destroy 4')).toMatch(/^ctl: destroyed 4 .*8 MiB back to ctl\n$/);
    expect(r.cmd('ctl', 'swap 1 in')).toMatch(/^ctl: swapped in 1 \(cos\): 8 MiB from ctl/);
    expect(r.cmd('cos', 'run hello')).toBe('Hello from user mode!\n');
    expect(r.cmd('ctl', 'swap 2 out')).toMatch(/^ctl: swapped out 2 \(swos\)/);
    expect(r.cmd('ctl', 'destroy 2')).toMatch(/^ctl: destroyed 2 \(swos\)/);
    expect(r.hv.partitions.has(2)).toBe(false);
    expect(r.cmd('ctl', 'swap 2 in')).toBe('ctl: swap 2 in: no partition 2 (parts lists them) (ENOENT)\n');
  });

  it("answers on the management channel, as the app's Swap out and Swap in buttons send it", async () => {
    const r = await bootCtl();
    r.booted();
    expect(r.cmd('ctl', '@s1 swap 1 out')).toBe(
      '@s1 ctl: swapped out 1 (cos): 8 MiB back to ctl, the guest kept in the swap store\n@s1 ok\n',
    );
    expect(r.cmd('ctl', '@s2 parts')).toMatch(/\n@s2 part id=1 name=cos state=swapped mem=0 vcpus=1 /);
    expect(r.cmd('ctl', '@s3 swap 1 out')).toBe(
      '@s3 err EBUSY swap 1 out: 1 is swapped: only a running or stopped partition can be swapped out\n',
    );
    expect(r.cmd('ctl', '@s4 swap 0 out')).toMatch(/^@s4 err EINVAL swap 0 out: ctl cannot be swapped: /);
    expect(r.cmd('ctl', '@s5 swap 1 in')).toBe(
      '@s5 ctl: swapped in 1 (cos): 8 MiB from ctl, it goes on where it was\n@s5 ok\n',
    );
    expect(r.cmd('cos', 'run hello')).toBe('Hello from user mode!\n');
  });

  it('refuses ctl itself, unknown ids and bad words, with the reason', async () => {
    const r = await bootCtl();
    r.booted();
    expect(r.cmd('ctl', 'swap 0 out')).toBe(
      'ctl: swap 0 out: ctl cannot be swapped: it is partition 0, it holds the memory and runs the swapping (EINVAL)\n',
    );
    expect(r.cmd('ctl', 'swap 9 out')).toBe('ctl: swap 9 out: no partition 9 (parts lists them) (ENOENT)\n');
    expect(r.cmd('ctl', 'swap 1 sideways')).toBe(
      'ctl: swap 1 sideways: usage: swap ID out|in, swap auto [on|off] (EINVAL)\n',
    );
    expect(r.cmd('ctl', 'swap 1')).toMatch(/usage: swap ID out\|in/);
    expect(r.hv.partitions.get(1)!.state).toBe('running');
  });
});
