/**
 * What ctl and cos do with the hypervisor's notices as they arrive (docs/guests.md#notices-and-the-
 * fault-policy): cos gives memory back when it can and refuses when it cannot (M21); ctl prints
 * every notice, keeps it for `inbox`, and applies its own fault policy (M12, M22: the hypervisor
 * only stops a faulting partition); ctl's `net` shows the bridge's counters (bridge_stats, M20).
 */
import { describe, expect, it } from 'vitest';
import { bootCtl, diskWithClients, HvRun, MiB } from './hvrun.js';

/** ctl's free memory for partitions, from `res`. */
function ctlFree(r: HvRun): number {
  const m = /(\d+) (KiB|MiB) free for partitions/.exec(r.cmd('ctl', 'res'));
  if (!m) throw new Error('res shows no free memory');
  return Number(m[1]) * (m[2] === 'MiB' ? MiB : 1024);
}

describe('cos gives memory back only when it can (mem-remove)', () => {
  it('an idle cos agrees: its RAM shrinks, ctl gets the memory, and cos keeps working', async () => {
    const r = await bootCtl();
    r.booted();
    const free = ctlFree(r);
    expect(r.cmd('ctl', 'resize 1 -1M')).toBe(
      'ctl: asked 1 (cos) to give back 1 MiB (it agrees with mem_release: a notice `released`; or it refuses)\n',
    );
    expect(r.expect('cos', /cos: gave .*\r\ncos> /)).toMatch(
      /cos: gave 1024 KiB back to the hypervisor; 7168 KiB of RAM now\ncos> $/,
    );
    r.expect('ctl', '\r\nctl: notice from 1 (cos): released 1048576\r\nctl> ');
    expect(r.hv.partitions.get(1)?.memBytes).toBe(7 * MiB);
    expect(ctlFree(r)).toBe(free + MiB);
    expect(r.cmd('cos', 'mem')).toMatch(/^memory: 7168 KiB total, \d+ KiB used, \d+ KiB free\n$/);
    expect(r.cmd('cos', 'run primes')).toContain('1229 primes below 10000');
    expect(r.cmd('cos', 'echo still here')).toBe('still here\n');
    // ctl heard of it as it happened, and kept the notice for inbox.
    expect(r.cmd('ctl', 'inbox')).toBe('from 255 (the hypervisor): released 1 1048576\n');
    expect(r.cmd('ctl', 'inbox')).toBe('no messages\n');
  });

  it('a request cos cannot meet is refused: it keeps all its memory and tells ctl', async () => {
    const r = await bootCtl();
    r.booted();
    const free = ctlFree(r);
    // All but 64 KiB of its 8 MiB would take the kernel's own memory (its image at 64 KiB).
    r.cmd('ctl', 'resize 1 -8128K');
    expect(r.expect('cos', /cos: refused .*\r\ncos> /)).toMatch(
      /cos: refused mem-remove of 8128 KiB: the top of its memory is in use; it keeps all its memory\ncos> $/,
    );
    r.expect('ctl', '\r\nctl: message from 1 (cos): mem-remove 8323072 refused\r\nctl> ');
    expect(r.hv.partitions.get(1)?.memBytes).toBe(8 * MiB);
    expect(ctlFree(r)).toBe(free);
    expect(r.cmd('cos', 'mem')).toMatch(/^memory: 8192 KiB total/);
    expect(r.cmd('cos', 'run hello')).toBe('Hello from user mode!\n');
    // A size that is not whole pages of 4 KiB, or all of it: refused too (ctl checks sizes first).
    expect(r.cmd('ctl', 'resize 1 -3K')).toMatch(/^ctl: resize 1 -3K: '3K' is not a memory size/);
    r.cmd('ctl', 'resize 1 -8M');
    r.expect('cos', 'cos: refused mem-remove 8388608: not whole pages, or all of its memory\r\ncos> ');
    r.expect('ctl', 'ctl: message from 1 (cos): mem-remove 8388608 refused\r\nctl> ');
    expect(r.hv.partitions.get(1)?.memBytes).toBe(8 * MiB);
    // Then a request it can meet still works.
    r.cmd('ctl', 'resize 1 -2M');
    r.expect('cos', 'cos: gave 2048 KiB back to the hypervisor; 6144 KiB of RAM now\r\ncos> ');
    expect(r.hv.partitions.get(1)?.memBytes).toBe(6 * MiB);
  });

  it('memory added while cos runs is given back first, without touching its own', async () => {
    const r = await bootCtl();
    r.booted();
    expect(r.cmd('ctl', 'resize 1 +2M')).toMatch(/^ctl: 1 \(cos\) has 10 MiB now/);
    r.cmd('ctl', 'resize 1 -3M');
    r.expect('cos', 'cos: gave 3072 KiB back to the hypervisor; 7168 KiB of RAM now\r\ncos> ');
    expect(r.hv.partitions.get(1)?.memBytes).toBe(7 * MiB);
    expect(r.cmd('cos', 'mem')).toMatch(/^memory: 7168 KiB total/);
  });
});

describe('ctl acts on notices by itself', () => {
  it('prints each notice as it comes and applies its fault policy: stop, or restart 3 times in a row', async () => {
    const r = new HvRun(await diskWithClients(['faulter']));
    r.booted();
    expect(r.cmd('ctl', 'start 7 faulter 2M')).toBe('ctl: started 7 (faulter): 2 MiB, pCPU 0\n');
    r.expect('faulter', 'faulter: up\n');
    // The default policy: it stays stopped; the hypervisor restarts nothing by itself.
    expect(r.expect('ctl', 'policy ID restart changes it)\r\nctl> ')).toBe(
      '\nctl: notice from 7 (faulter): faulted\n' +
        'ctl: 7 (faulter) stays stopped (fault policy stop; policy ID restart changes it)\nctl> ',
    );
    r.run(50_000_000);
    expect(r.hv.partitions.get(7)?.state).toBe('faulted');
    expect(r.out.faulter).toBe('faulter: up\n');

    expect(r.cmd('ctl', 'policy 7 restart')).toBe(
      'ctl: 7 (faulter): fault policy restart (restart: at most 3 times in a row)\n',
    );
    expect(r.cmd('ctl', 'restart 7')).toBe('ctl: restarted 7 (faulter)\n');
    for (let n = 1; n <= 3; n++)
      r.expect(
        'ctl',
        `ctl: notice from 7 (faulter): faulted\r\nctl: restarted 7 (faulter): its fault policy is restart (${n} of 3 in a row)\r\n`,
      );
    r.expect(
      'ctl',
      'ctl: notice from 7 (faulter): faulted\r\n' +
        'ctl: 7 (faulter) stays stopped: restarted 3 times in a row already (policy ID restart counts again)\r\nctl> ',
    );
    r.run(50_000_000);
    expect(r.out.faulter).toBe('faulter: up\n'.repeat(5)); // the first run, by hand, then 3 by policy
    expect(r.hv.partitions.get(7)?.state).toBe('faulted');
    // Every restart was ctl's part_restart (4), none the hypervisor's own.
    expect(r.hv.events.filter((e) => e.partition === 7 && e.kind === 'restarted')).toHaveLength(4);
    expect(r.hv.events.filter((e) => e.partition === 7 && e.kind === 'faulted')).toHaveLength(5);
    // The other guests never noticed.
    expect(r.cmd('cos', 'echo fine')).toBe('fine\n');
    expect(r.cmd('ctl', 'policy 7 maybe')).toBe('ctl: policy 7 maybe: usage: policy ID restart|stop (EINVAL)\n');
    expect(r.cmd('ctl', 'policy 9 stop')).toBe('ctl: no partition 9 (parts lists them) (ENOENT)\n');
    // inbox keeps the last 8 messages (5 faults here).
    expect(r.cmd('ctl', 'inbox')).toBe('from 255 (the hypervisor): faulted 7\n'.repeat(5));
  });

  it('a guest that stops itself with an error (a cos kernel panic) is a fault for the policy too', async () => {
    const r = await bootCtl();
    r.booted();
    r.cmd('ctl', 'policy 1 restart');
    r.type('cos', 'crash\r');
    r.expect('cos', 'cos: PANIC: kernel trap');
    r.expect(
      'ctl',
      '\r\nctl: notice from 1 (cos): shutdown 1\r\n' +
        'ctl: restarted 1 (cos): its fault policy is restart (1 of 3 in a row)\r\nctl> ',
    );
    r.expect('cos', '8 MiB RAM, 1 pCPU');
    r.expect('cos', 'cos> ');
    expect(r.cmd('cos', 'echo back again')).toBe('back again\n');
    // A clean shutdown (code 0) is not a fault: nothing is restarted.
    r.type('cos', 'halt\r');
    r.expect('cos', 'cos: halt');
    r.expect('ctl', '\r\nctl: notice from 1 (cos): shutdown 0\r\nctl> ');
    r.run(20_000_000);
    expect(r.hv.partitions.get(1)?.state).toBe('stopped');
  });

  it('a client message is printed as it comes; the tagged channel is not disturbed', async () => {
    const r = await bootCtl();
    r.booted();
    expect(r.cmd('ctl', '@a parts')).toMatch(/^(@a part .*\n){4}@a ok\n$/);
    r.cmd('ctl', 'resize 1 -8128K'); // cos refuses with a message to ctl
    r.expect('ctl', '\r\nctl: message from 1 (cos): mem-remove 8323072 refused\r\nctl> ');
    expect(r.cmd('ctl', '@b inbox')).toBe('@b msg from=1 reply=0 text=mem-remove 8323072 refused\n@b ok\n');
  });
});

describe("ctl's net shows the bridge's counters (bridge_stats)", () => {
  it('after a ping between two cos, per port: frames and bytes each way, drops, and the path', async () => {
    const r = await bootCtl();
    r.booted();
    // The demo's parttab starts cos2 in partition 3 (10.0.0.4).
    expect(r.cmd('cos2', 'ping 10.0.0.2 2')).toContain('2 packets transmitted, 2 received');
    const c = (id: number) => r.hv.bridge.counters(id);
    // cos2 sent an ARP request (flooded: cos got it, swos's nic is off and dropped it) and two echoes.
    expect(c(3)).toEqual({ rxFrames: 3, rxBytes: 256, txFrames: 3, txBytes: 256, drops: 0 });
    expect(c(1)).toEqual({ rxFrames: 3, rxBytes: 256, txFrames: 3, txBytes: 256, drops: 0 });
    expect(c(2)).toEqual({ rxFrames: 0, rxBytes: 0, txFrames: 0, txBytes: 0, drops: 1 });
    const text = r.cmd('ctl', 'net');
    expect(text).toContain(
      'bridge ports (rx: frames the bridge got from the guest; tx: frames it gave the guest):\n' +
        '  PORT PARTITION           MAC                PATH          RX FRAMES   RX BYTES  TX FRAMES   TX BYTES  DROPS\n' +
        '     1 1 (cos)             02:00:00:00:00:01  paravirtual           3        256          3        256      0\n' +
        '     2 2 (swos)            02:00:00:00:00:02  emulated              0          0          0          0      1\n' +
        '     3 3 (cos2)            02:00:00:00:00:03  paravirtual           3        256          3        256      0\n',
    );
    expect(r.cmd('ctl', '@t net')).toContain(
      '@t bport port=3 owner=3 mac=02:00:00:00:00:03 up=1 path=paravirtual rx_frames=3 rx_bytes=256 tx_frames=3 tx_bytes=256 drops=0\n',
    );
    // A destroyed partition's port leaves the bridge (issue 15: it used to stay, owned by nobody).
    r.cmd('ctl', 'destroy 3');
    const after = r.cmd('ctl', 'net');
    expect(after).toContain('     1 1 (cos)             02:00:00:00:00:01');
    expect(after).not.toContain('02:00:00:00:00:03');
  });
});
