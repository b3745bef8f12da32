/**
 * M5 and M21 from ctl's shell, with cos acting on the notices (docs/guide.md, labs M5 and M21;
 * docs/hypercalls.md#device-subtrees, #hot-add-and-remove): a controller goes with its subtree; cos
 * starts a hot-added vCPU, gives one back when asked, uses added memory at once, hears of devices
 * that come, and gives them back unless its drivers use them; cos asks for a device (`want`, M18)
 * and ctl's policy gives what it can spare. Every refusal leaves ownership as it was.
 */
import { describe, expect, it } from 'vitest';
import { ownership } from '../../src/main/engine/views.js';
import { bootCtl, MiB, type HvRun } from './hvrun.js';

/** Who owns what, as the hypervisor holds it. */
const owners = (r: HvRun) => JSON.stringify(r.hv.layout().parts.map((p) => [p.id, p.devices, p.cpus, p.memory]));

describe('M21: vCPUs and memory of a running cos', () => {
  it('cos starts a hot-added vCPU, gives it back when asked, and the last one is never taken', async () => {
    const r = await bootCtl({ cpus: 2 });
    r.booted();
    expect(r.cmd('ctl', 'assign 1 cpu 1')).toBe('ctl: 1 (cos) has vCPU 1 on pCPU 1\n');
    expect(r.expect('cos', /cos: .*\r\ncos> /)).toMatch(
      /cos: started vCPU 1; vCPUs online: 2 \(it idles: cos's programs run on vCPU 0\)\ncos> $/,
    );
    const cos = r.hv.partitions.get(1)!;
    expect(cos.vcpus.map((v) => v.state === 'stopped')).toEqual([false, false]);
    expect(r.cmd('cos', 'devs')).toMatch(/vCPUs online: 2 \(vCPU 0 runs cos; the others idle\)\n$/);

    expect(r.cmd('ctl', 'remove 1 cpu')).toBe(
      'ctl: asked 1 (cos) to give back vCPU 1 (it agrees with cpu_release: a notice `cpu-released`; or it refuses)\n',
    );
    r.expect('cos', 'cos: gave vCPU 1 back to the hypervisor; vCPUs online: 1\r\ncos> ');
    r.expect('ctl', '\r\nctl: notice from 1 (cos): cpu-released 1\r\nctl> ');
    expect(cos.vcpus).toHaveLength(1);

    // The last vCPU: ctl refuses with the reason, and nothing of the machine's ownership moves.
    const before = owners(r);
    expect(r.cmd('ctl', 'remove 1 cpu')).toBe(
      'ctl: remove 1 cpu: 1 (cos) has one vCPU: the last one is never removed (EINVAL)\n',
    );
    expect(owners(r)).toBe(before);
    expect(r.cmd('cos', 'run primes')).toContain('1229 primes below 10000');
  });

  it('cos uses memory added while it runs at once', async () => {
    const r = await bootCtl();
    r.booted();
    expect(r.cmd('ctl', 'resize 1 +2M')).toBe(
      'ctl: 1 (cos) has 10 MiB now (+2 MiB; a running guest gets a notice `mem-added` and may use it at once)\n',
    );
    r.expect('cos', 'cos: 2048 KiB of RAM added and in use at once; 10240 KiB of RAM now\r\ncos> ');
    expect(r.cmd('cos', 'mem')).toMatch(/^memory: 10240 KiB total, \d+ KiB used, 10\d\d\d KiB free\n$/);
    expect(r.cmd('cos', 'run primes')).toContain('1229 primes below 10000');
    expect(r.hv.partitions.get(1)?.memBytes).toBe(10 * MiB);
  });
});

describe('M5 and M21: devices', () => {
  it('a device hot-plugged into a running cos, and given back when asked', async () => {
    const r = await bootCtl();
    r.booted();
    expect(r.cmd('ctl', 'move uart1 1')).toBe('ctl: uart1 moved to 1 (cos): hot-plugged, it gets a notice\n');
    r.expect('cos', 'cos: device uart1 arrived (hot-plugged; devs lists it)\r\ncos> ');
    expect(r.cmd('cos', 'devs')).toMatch(/\nhot-plugged since boot: uart1\n$/);
    expect(r.hv.partitions.get(1)?.devices.has('uart1')).toBe(true);
    expect(r.cmd('ctl', 'res')).toContain('  uart1    uart       1 (cos)\n');

    expect(r.cmd('ctl', 'remove 1 dev uart1')).toBe(
      'ctl: asked 1 (cos) to give back uart1 (it agrees with dev_release: a notice `dev-released`; or it refuses)\n',
    );
    r.expect('cos', 'cos: gave device uart1 back to the hypervisor\r\ncos> ');
    r.expect('ctl', '\r\nctl: notice from 1 (cos): dev-released uart1\r\nctl> ');
    expect(r.cmd('ctl', 'res')).toContain('  uart1    uart       ctl\n');
    expect(r.hv.partitions.get(0)?.devices.has('uart1')).toBe(true);
    expect(r.cmd('cos', 'devs')).not.toContain('hot-plugged');
  });

  it('netctl goes with nic0 under it; a running cos whose driver uses nic0 refuses to give it back', async () => {
    const r = await bootCtl();
    r.booted();
    const res = r.cmd('ctl', 'res');
    expect(res).toContain('  blkctl   controller nobody (move gives it with all under it)\n');
    expect(res).toContain('  netctl   controller nobody (move gives it with all under it)\n');
    expect(r.cmd('ctl', 'move blkctl 2')).toBe(
      "ctl: move blkctl 2: blkctl holds disk0, ctl's boot disk: ctl keeps it (EBUSY)\n",
    );
    expect(r.cmd('ctl', 'move netctl 1')).toBe(
      'ctl: move netctl 1: 1 (cos) runs with a virtual device where netctl would go: stop it first (EBUSY)\n',
    );
    expect(r.cmd('ctl', 'stop 1')).toBe('ctl: stopped 1 (cos)\n');
    expect(r.cmd('ctl', 'move netctl 1')).toBe('ctl: netctl moved to 1 (cos) (from its next start)\n');
    const res2 = r.cmd('ctl', 'res');
    expect(res2).toContain('  netctl   controller 1 (cos)\n');
    expect(res2).toContain('  nic0     nic        1 (cos)\n');
    // The app's ownership map: the controller and what is under it, one owner.
    const map = ownership(r.hv, r.machine).devices.filter((d) => d.id === 'netctl' || d.parent === 'netctl');
    expect(map.map((d) => [d.id, d.owner, d.parent])).toEqual([
      ['netctl', 1, 'sysbus'],
      ['nic0', 1, 'netctl'],
    ]);
    expect(r.cmd('ctl', 'start 1')).toBe('ctl: started 1 (cos): 8 MiB, pCPU 0\n');
    r.expect('cos', 'cos> ');
    expect(r.cmd('cos', 'devs')).toMatch(/ netctl +controller .*\n +\d+ nic0 +nic +0xf0030000/);

    // nic0 is its network card: cos refuses, says so, and tells ctl; nothing moves.
    const before = owners(r);
    r.cmd('ctl', 'remove 1 dev netctl');
    r.expect('cos', 'cos: refused dev-remove netctl: nic0 is in use (its network card)\r\ncos> ');
    r.expect('ctl', '\r\nctl: message from 1 (cos): dev-remove netctl refused\r\nctl> ');
    expect(owners(r)).toBe(before);
    expect(r.cmd('ctl', 'move netctl 2')).toBe(
      'ctl: move netctl 2: netctl belongs to 1 (cos), which runs: ask for it (remove 1 dev netctl) or stop it first (EBUSY)\n',
    );
    expect(owners(r)).toBe(before);

    // Stopped, it gives it back at once: the whole subtree.
    r.cmd('ctl', 'stop 1');
    expect(r.cmd('ctl', 'remove 1 dev netctl')).toBe('ctl: netctl back from 1 (cos)\n');
    expect(r.cmd('ctl', 'res')).toContain('  netctl   controller ctl\n  nic0     nic        ctl\n');
    // One nic leaving a controller breaks it: the controller is nobody's again.
    expect(r.cmd('ctl', 'move nic0 1')).toBe('ctl: nic0 moved to 1 (cos) (from its next start)\n');
    expect(r.cmd('ctl', 'res')).toContain(
      '  netctl   controller nobody (move gives it with all under it)\n  nic0     nic        1 (cos)\n',
    );
    // Back to ctl (which runs, with no virtual device in the way).
    expect(r.cmd('ctl', 'move nic0 0')).toBe('ctl: nic0 moved to 0 (ctl) (from its next start)\n');
    expect(r.hv.partitions.get(0)?.devices.has('nic0')).toBe(true);
    expect(r.hv.check()).toBeUndefined();
  });
});

describe('M18: a guest asks for a device', () => {
  it("cos's want: ctl gives what it can spare (hot-plugged), and says why not otherwise", async () => {
    const r = await bootCtl();
    r.booted();
    expect(r.cmd('cos', 'want uart1')).toBe(
      'cos: asked ctl for uart1 (it decides; a device it gives arrives as a notice)\n',
    );
    r.expect('ctl', '\r\nctl: notice from 1 (cos): request dev uart1\r\n');
    r.expect('ctl', 'ctl: uart1 moved to 1 (cos): hot-plugged, it gets a notice\r\n');
    r.expect('cos', 'cos: device uart1 arrived (hot-plugged; devs lists it)\r\ncos> ');
    expect(r.hv.partitions.get(1)?.devices.has('uart1')).toBe(true);

    const before = owners(r);
    r.cmd('cos', 'want disk0');
    r.expect('ctl', "ctl: 1 asked for disk0: disk0 is ctl's boot disk: ctl keeps it (EBUSY)\r\n");
    r.cmd('cos', 'want nosuch');
    r.expect('ctl', "ctl: 1 asked for nosuch: no device 'nosuch' (res lists them) (ENOENT)\r\n");
    expect(owners(r)).toBe(before);
    expect(r.cmd('cos', 'want')).toBe("usage: want DEVICE (devs lists what cos has; ctl's res what there is)\n");
  });
});

describe('M18: remote use of a device over messages', () => {
  it("cos prints on ctl's printer (its console) with a synchronous call; ctl answers with the bytes", async () => {
    const r = await bootCtl();
    r.booted();
    expect(r.cmd('cos', 'remote hello from cos')).toBe("cos: ctl's printer answered: ok 14\n");
    r.expect('ctl', '\r\nlp 1 (cos): hello from cos\r\nctl> ');
    expect(r.cmd('cos', 'echo still here')).toBe('still here\n');
    expect(r.cmd('cos', 'remote')).toBe(
      "usage: remote TEXT (printed on ctl's printer, its console); remote disk|ls|cat (ctl's exported disk)\n",
    );
    // A call to ctl is not a message it keeps for inbox: it was served.
    expect(r.cmd('ctl', 'inbox')).toBe('no messages\n');
  });
});
