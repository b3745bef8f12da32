/**
 * ctl, the Controlling OS (M12, M13, M14; resources/ctl, docs/guests.md#ctl-the-controlling-os):
 * booted as partition 0 under the hypervisor from the default disk (as `hyperdesk boot --mode
 * hypervisor` does), in-process and deterministic, driven through its console and its clients'
 * consoles. Guests end lines with CR LF; the tests compare text with plain LF.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BLOCK_SIZE, MemoryBlockBackend } from '../../src/main/emulator/devices/disk/BlockBackend.js';
import { PowerOnError, powerOn } from '../../src/main/engine/powerOn.js';
import { DiskImage } from '../../src/main/disk/index.js';
import { ROOT } from '../../src/main/host/disks.js';
import { defaultImage } from './boot.js';
import { bootCtl, diskWithClients, HvRun, imageEnd, lf, MiB, STEP } from './hvrun.js';

const PARTS_HEADER =
  '  ID NAME            STATE       MEMORY VCPUS DEVS WEIGHT   HCALLS     MMIO     IRQS SWITCHES    INSTRET EXIT\n';

/** The rows of `parts`: id, name, state, memory. */
function partsRows(text: string): string[][] {
  expect(text.startsWith(PARTS_HEADER)).toBe(true);
  return text
    .slice(PARTS_HEADER.length)
    .trimEnd()
    .split('\n')
    .map((l) => {
      const m = /^ +(\d+) (\S+) +(\S+) +(\d+ [KM]iB) +(\d+) +\d+ +\d+ +\d+ +\d+ +\d+ +\d+ +\d+ +-?\d+$/.exec(l);
      if (!m) throw new Error(`not a parts row: ${JSON.stringify(l)}`);
      return [m[1], m[2], m[3], m[4], m[5]];
    });
}

describe('ctl is built from cos', () => {
  it('includes every file of cos, in cos.s order, with its own files before data.s', () => {
    const includes = (file: string) =>
      [...readFileSync(file, 'latin1').matchAll(/^\.include\s+"([^"]+)"/gm)].map((m) => m[1]);
    const cos = includes(join(ROOT, 'resources', 'cos', 'cos.s'));
    const ctl = includes(join(ROOT, 'resources', 'ctl', 'ctl.s'));
    expect(ctl.filter((f) => f.startsWith('../cos/')).map((f) => f.slice('../cos/'.length))).toEqual(cos);
    expect(ctl[ctl.length - 1]).toBe('../cos/data.s');
  });

  it('is partition 3 of the default disk, after cos and swos, with parttab and motd.txt', async () => {
    const image = await defaultImage();
    const disk = DiskImage.open(new MemoryBlockBackend(image.length / BLOCK_SIZE, true, image));
    if (disk instanceof Error) throw disk;
    expect(image.length).toBe(48 * MiB);
    expect(disk.table.partitions.map((p) => [p.number, p.type, p.bootable, p.name, p.first, p.blocks])).toEqual([
      [1, 'cfs', true, 'cos', 2048, 30720],
      [2, 'sfs', true, 'swos', 32768, 32768],
      [3, 'cfs', true, 'ctl', 65536, 32768],
    ]);
    const ctl = disk.osImage(3);
    if (ctl instanceof Error) throw ctl;
    expect(ctl.header).toMatchObject({ name: 'ctl 0.1', loadAddress: 0x100000, entry: 0x100000, flags: 1 });
    const fs = disk.fileSystem(3);
    if (fs instanceof Error) throw fs;
    expect(fs.list().map((f) => f.name)).toEqual(['motd.txt', 'parttab']);
    expect(disk.fsck()).toEqual([]);
  });
});

describe('ctl boots under the hypervisor and starts what parttab lists', () => {
  it('prints its banner, starts cos, swos and cos2, and each client shows its banner and prompt', async () => {
    const r = await bootCtl();
    const ctl = r.booted();
    expect(ctl).toBe(
      'ctl 0.1 (Controlling OS) on hyperdesk\n' +
        '31 MiB RAM, 1 pCPU (ctl runs on pCPU 0), booted from disk0 partition 3\n' +
        'ctl: hypervisor version 1, ctl is partition 0 (the Controlling OS); 4 MiB kept for ctl, 27 MiB for partitions\n' +
        'ctl: started 1 (cos): 8 MiB, pCPU 0\n' +
        'ctl: started 2 (swos): 4 MiB, pCPU 0\n' +
        'ctl: started 3 (cos2): 8 MiB, pCPU 0\n' +
        'ctl> ',
    );
    expect(lf(r.out.cos2)).toBe(
      'cos 0.1 (cooperative OS) on hyperdesk\n8 MiB RAM, 1 pCPU (cos runs on pCPU 0), booted from disk0 partition 1\ncos> ',
    );
    expect(lf(r.out.cos)).toBe(
      'cos 0.1 (cooperative OS) on hyperdesk\n8 MiB RAM, 1 pCPU (cos runs on pCPU 0), booted from disk0 partition 1\ncos> ',
    );
    expect(lf(r.out.swos)).toMatch(/^swos 1\.0 \(shrink-wrapped OS\)\nmemory: 4096 KiB \(probed\)\n/);
    expect(lf(r.out.swos)).toContain('file system: sfs on partition 2 (swos)\nswos$ ');
  });

  it('each client console answers its own commands', async () => {
    const r = await bootCtl();
    r.booted();
    expect(r.cmd('cos', 'mem')).toMatch(/^memory: 8192 KiB total, \d+ KiB used, \d+ KiB free\n$/);
    expect(r.cmd('swos', 'ver')).toBe('swos 1.0 (shrink-wrapped OS)\n');
    expect(r.cmd('cos', 'cat motd.txt')).toContain('cos');
    expect(r.cmd('swos', 'dir')).toContain('README.TXT');
    expect(r.cmd('ctl', 'cat parttab')).toContain('1 cos  cos  8M 0\n2 swos swos 4M 0\n3 cos2 cos  8M 0\n');
  });

  it("help lists ctl's commands, then the shell's under a heading of their own; halt names ctl", async () => {
    const r = await bootCtl();
    r.booted();
    const help = r.cmd('ctl', 'help');
    expect(help).toMatch(/^ctl commands \(the Controlling OS/);
    expect(help).toContain("\nshell commands (ctl's kernel is cos's: files, programs, processes):\n  help ");
    expect(help).not.toMatch(/cos commands|^commands:/m);
    r.type('ctl', 'halt\r');
    expect(r.expect('ctl', /ctl: halt\r?\n/)).not.toContain('cos: halt');
  });

  it('parts lists ctl and its three clients running', async () => {
    const r = await bootCtl();
    r.booted();
    const rows = partsRows(r.cmd('ctl', 'parts'));
    expect(rows).toEqual([
      ['0', 'ctl', 'running', '11 MiB', '1'],
      ['1', 'cos', 'running', '8 MiB', '1'],
      ['2', 'swos', 'running', '4 MiB', '1'],
      ['3', 'cos2', 'running', '8 MiB', '1'],
    ]);
    expect(r.hv.partitions.get(1)?.memBytes).toBe(8 * MiB);
    expect(r.hv.partitions.get(2)?.memBytes).toBe(4 * MiB);
  });

  it('res shows memory, pCPUs and who owns which device', async () => {
    const r = await bootCtl();
    r.booted();
    expect(r.cmd('ctl', 'res')).toBe(
      'memory:  ctl has 11 MiB: 4 MiB kept for itself, 7 MiB free for partitions (0x00400000..0x00b00000)\n' +
        '         20 MiB given to 3 partitions\n' +
        'pCPUs:   1\n' +
        '  pCPU 0: ctl, 1 cos, 2 swos, 3 cos2\n' +
        'devices:\n' +
        '  uart0    uart       ctl (its console)\n' +
        '  sysctl   sysctl     ctl (its power switch)\n' +
        '  rtc      rtc        ctl\n' +
        '  uart1    uart       ctl\n' +
        '  blkctl   controller nobody (move gives it with all under it)\n' +
        '  disk0    disk       ctl (its boot disk)\n' +
        '  netctl   controller nobody (move gives it with all under it)\n' +
        '  nic0     nic        ctl\n' +
        '  intc     intc       virtual: each partition has its own\n',
    );
    expect(r.cmd('ctl', 'oses')).toMatch(
      /^1 cos +cos 0\.1 +load 0x00010000 entry 0x00010000 +\d+ bytes, cooperative\n2 swos +swos 1\.0 +load 0x00100000 entry 0x00100000 +\d+ bytes, shrink-wrapped\n3 ctl +ctl 0\.1 .*cooperative\n$/,
    );
  });
});

describe('parttab', () => {
  it('skips comments, blank lines, tabs and CRs, reports each bad line and starts the others', async () => {
    const base = await defaultImage();
    const backend = new MemoryBlockBackend(base.length / BLOCK_SIZE, false, base.slice());
    const disk = DiskImage.open(backend);
    if (disk instanceof Error) throw disk;
    const fs = disk.fileSystem(3);
    if (fs instanceof Error) throw fs;
    const table = [
      '# a test table',
      '1 cos cos 8M 0   # a comment',
      '',
      '\t2\tswos\tSWOS\t4M\tany',
      '3 x nothing 1M 0',
      '4 big cos 900M 0',
      'x cos cos 1M 0',
      '5 a cos 2M 9',
      '6 toolongname1234567 cos 2M 0',
      '7 b cos',
      '8 c cos 3Q 0',
      '9 cos cos 2M 0',
      '10 e cos 2M any extra',
      '0 ctl cos 2M 0',
      '11 small 1 1280K any',
    ].join('\r\n');
    const w = fs.write('parttab', Buffer.from(table + '\n', 'latin1'));
    if (w instanceof Error) throw w;
    const r = new HvRun(backend.data);
    expect(r.expect('ctl', 'ctl> ')).toBe(
      'ctl 0.1 (Controlling OS) on hyperdesk\n' +
        '31 MiB RAM, 1 pCPU (ctl runs on pCPU 0), booted from disk0 partition 3\n' +
        'ctl: hypervisor version 1, ctl is partition 0 (the Controlling OS); 4 MiB kept for ctl, 27 MiB for partitions\n' +
        'ctl: started 1 (cos): 8 MiB, pCPU 0\n' +
        'ctl: started 2 (swos): 4 MiB, pCPU 0\n' +
        "ctl: cannot start 3 (x): no bootable disk partition 'nothing' (oses lists them) (ENOENT)\n" +
        'ctl: cannot start 4 (big): 900 MiB wanted, 15 MiB free for partitions (ENOMEM)\n' +
        "ctl: parttab line 7: 'x' is not a partition id (1..63) (EINVAL)\n" +
        "ctl: parttab line 8: '9' is not a pCPU (0..0, or any) (EINVAL)\n" +
        "ctl: cannot start 6 (toolongname1234567): 'toolongname1234567' is not a partition name (1..15 characters) (EINVAL)\n" +
        'ctl: parttab line 10: expected ID NAME OS MEM CPU (EINVAL)\n' +
        "ctl: parttab line 11: '3Q' is not a memory size (like 8M or 512K: a multiple of 4K, at least 64K) (EINVAL)\n" +
        "ctl: cannot start 9 (cos): the name 'cos' is taken by 1 (EBUSY)\n" +
        'ctl: parttab line 13: expected ID NAME OS MEM CPU (EINVAL)\n' +
        'ctl: parttab line 14: 0 is ctl itself (EINVAL)\n' +
        'ctl: started 11 (small): 1280 KiB, pCPU 0\n' +
        'ctl> ',
    );
    expect(partsRows(r.cmd('ctl', 'parts')).map((x) => x[0] + ' ' + x[1])).toEqual([
      '0 ctl',
      '1 cos',
      '2 swos',
      '11 small',
    ]);
    expect([...r.hv.partitions.keys()]).toEqual([0, 1, 2, 11]);
    expect(r.expect('small', 'cos> ')).toContain('1280 KiB RAM');
  });
});

describe('ctl manages partitions while the others keep running', () => {
  it('stops, starts and restarts a client; the other client keeps answering', async () => {
    const r = await bootCtl();
    r.booted();
    expect(r.cmd('ctl', 'stop 1')).toBe('ctl: stopped 1 (cos)\n');
    expect(r.cmd('swos', 'ver')).toBe('swos 1.0 (shrink-wrapped OS)\n');
    expect(partsRows(r.cmd('ctl', 'parts')).map((x) => x[2])).toEqual(['running', 'stopped', 'running', 'running']);
    r.type('cos', 'mem\r'); // a stopped guest does not run: its console keeps the bytes
    r.run(50_000_000);
    expect(lf(r.out.cos)).toMatch(/cos> $/);
    expect(r.cmd('ctl', 'start 1')).toBe('ctl: started 1 (cos): 8 MiB, pCPU 0\n');
    // It boots again (from its entry, a fresh boot info): the banner, then the typed-ahead line.
    expect(r.expect('cos', 'cos> ')).toBe(
      'cos 0.1 (cooperative OS) on hyperdesk\n8 MiB RAM, 1 pCPU (cos runs on pCPU 0), booted from disk0 partition 1\ncos> ',
    );
    expect(r.cmd('cos', 'uptime')).toMatch(/^up 0\.\d{3} s, 0 processes, 0 ticks\n$/);
    expect(r.cmd('ctl', 'restart 2')).toBe('ctl: restarted 2 (swos)\n');
    expect(r.expect('swos', 'swos$ ')).toMatch(/^swos 1\.0 \(shrink-wrapped OS\)\n/);
    expect(r.cmd('cos', 'date')).toMatch(/^2027-01-15 08:00:00\.\d{3} UTC\n$/);
    expect(r.cmd('swos', 'ver')).toBe('swos 1.0 (shrink-wrapped OS)\n');
    expect(r.cmd('ctl', 'restart 1')).toBe('ctl: restarted 1 (cos)\n');
    expect(r.expect('cos', 'cos> ')).toMatch(/^cos 0\.1 \(cooperative OS\) on hyperdesk\n8 MiB RAM/);
    expect(r.cmd('cos', 'ls')).toContain('motd.txt');
    expect(partsRows(r.cmd('ctl', 'parts')).map((x) => x[2])).toEqual(['running', 'running', 'running', 'running']);
  });

  it('destroy gives the memory back (res shows it) and it is used again', async () => {
    const r = await bootCtl();
    r.booted();
    expect(r.cmd('ctl', 'res')).toContain('7 MiB free for partitions');
    expect(r.cmd('ctl', 'destroy 2')).toBe('ctl: destroyed 2 (swos): 4 MiB back to ctl\n');
    expect(r.hv.partitions.has(2)).toBe(false);
    const res = r.cmd('ctl', 'res');
    expect(res).toContain(
      'memory:  ctl has 15 MiB: 4 MiB kept for itself, 11 MiB free for partitions (0x00400000..0x00f00000)\n',
    );
    expect(res).toContain('         16 MiB given to 2 partitions\n');
    expect(res).toContain('  pCPU 0: ctl, 1 cos, 3 cos2\n');
    expect(r.cmd('cos', 'mem')).toMatch(/^memory: 8192 KiB total/);
    expect(r.cmd('ctl', 'destroy 2')).toBe('ctl: no partition 2 (parts lists them) (ENOENT)\n');
    // The same memory again, for a second swos.
    expect(r.cmd('ctl', 'start 2 swos')).toBe('ctl: started 2 (swos): 4 MiB, pCPU 0\n');
    expect(r.expect('swos', 'swos$ ')).toContain('memory: 4096 KiB (probed)');
    expect(r.cmd('ctl', 'res')).toContain('7 MiB free for partitions');
  });

  it('builds a partition step by step: create, assign, load, start, resize, restart', async () => {
    const r = await bootCtl();
    r.booted();
    expect(r.cmd('ctl', 'create 5 demo')).toBe('ctl: created 5 (demo)\n');
    expect(r.cmd('ctl', 'assign 5 cpu 0')).toBe('ctl: 5 (demo) has vCPU 0 on pCPU 0\n');
    expect(r.cmd('ctl', 'assign 5 mem 2M')).toBe('ctl: 5 (demo) will get 2 MiB with its OS image (load or start)\n');
    expect(r.cmd('ctl', 'start 5')).toBe('ctl: start 5: no OS loaded into 5 (start 5 OS, or load it first) (EINVAL)\n');
    expect(r.cmd('ctl', 'load 5 cos')).toBe(
      'ctl: loaded cos 0.1 into 5 (demo): 2 MiB, entry 0x00010000, boot info at 0x8000\n',
    );
    expect(r.cmd('ctl', 'load 5 cos')).toBe(
      'ctl: load 5: 5 has memory already: its OS image goes into the first memory it gets (destroy it and start again) (EBUSY)\n',
    );
    expect(partsRows(r.cmd('ctl', 'parts'))[4]).toEqual(['5', 'demo', 'created', '2 MiB', '1']);
    expect(r.cmd('ctl', 'start 5')).toBe('ctl: started 5 (demo): 2 MiB, pCPU 0\n');
    expect(r.expect('demo', 'cos> ')).toBe(
      'cos 0.1 (cooperative OS) on hyperdesk\n2 MiB RAM, 1 pCPU (cos runs on pCPU 0), booted from disk0 partition 1\ncos> ',
    );
    expect(r.cmd('ctl', 'start 5')).toBe(
      'ctl: start 5: part_start: the partition is not in a state that allows it (EBUSY)\n',
    );
    expect(r.cmd('ctl', 'resize 5 +1M')).toBe(
      'ctl: 5 (demo) has 3 MiB now (+1 MiB; a running guest gets a notice `mem-added` and may use it at once)\n',
    );
    // cos uses it at once (M21), and says so before its prompt again.
    r.expect('demo', 'cos: 1024 KiB of RAM added and in use at once; 3072 KiB of RAM now\r\ncos> ');
    expect(r.cmd('ctl', 'restart 5')).toBe('ctl: restarted 5 (demo)\n');
    expect(r.expect('demo', 'cos> ')).toContain('3 MiB RAM, 1 pCPU');
    expect(r.cmd('demo', 'mem')).toMatch(/^memory: 3072 KiB total/);
    // Less memory is a request the guest may refuse; an idle cos agrees (test/guests/notices.test.ts).
    expect(r.cmd('ctl', 'resize 5 -1M')).toBe(
      'ctl: asked 5 (demo) to give back 1 MiB (it agrees with mem_release: a notice `released`; or it refuses)\n',
    );
    r.expect('demo', 'cos: gave 1024 KiB back to the hypervisor; 2048 KiB of RAM now\r\ncos> ');
    r.expect('ctl', '\r\nctl: notice from 5 (demo): released 1048576\r\nctl> ');
    expect(r.hv.partitions.get(5)?.memBytes).toBe(2 * MiB);
    expect(r.cmd('ctl', 'sched 5 20 500')).toBe('ctl: 5 (demo): weight 20, time slice 500 us\n');
    expect(r.cmd('ctl', 'sched 5 200')).toBe('ctl: sched 5: sched_set: a bad argument (EINVAL)\n');
    expect(r.hv.partitions.get(5)?.weight).toBe(20);
    expect(r.cmd('ctl', 'create 6 demo')).toBe("ctl: create 6: the name 'demo' is taken by 5 (EBUSY)\n");
    expect(r.cmd('ctl', 'start 6 cos 64K')).toBe(
      `ctl: cannot start 6 (cos6): the OS image of disk partition 1 ends at 0x${imageEnd(r, 1)}, past 64 KiB of memory (ENOMEM)\n`,
    );
    // cos runs in 1 MiB (its image at 64 KiB).
    expect(r.cmd('ctl', 'start 6 cos 1M')).toBe('ctl: started 6 (cos6): 1 MiB, pCPU 0\n');
    expect(r.expect('cos6', 'cos> ')).toContain('1 MiB RAM');
    expect(r.cmd('cos6', 'echo small')).toBe('small\n');
  });

  it('moves a device, keeps its own, and says why a move cannot happen', async () => {
    const r = await bootCtl();
    r.booted();
    expect(r.cmd('ctl', 'move uart0 1')).toBe("ctl: move uart0 1: uart0 is ctl's console: ctl keeps it (EBUSY)\n");
    expect(r.cmd('ctl', 'move disk0 2')).toBe("ctl: move disk0 2: disk0 is ctl's boot disk: ctl keeps it (EBUSY)\n");
    expect(r.cmd('ctl', 'move nic9 1')).toBe("ctl: move nic9 1: no device 'nic9' (res lists them) (ENOENT)\n");
    // A running client gets no device where it has a virtual one (M21: other devices hot-plug).
    expect(r.cmd('ctl', 'move nic0 1')).toBe(
      'ctl: move nic0 1: 1 (cos) runs with a virtual device where nic0 would go: stop it first (EBUSY)\n',
    );
    expect(r.cmd('ctl', 'stop 1')).toBe('ctl: stopped 1 (cos)\n');
    expect(r.cmd('ctl', 'move uart1 1')).toBe('ctl: uart1 moved to 1 (cos) (from its next start)\n');
    expect(r.cmd('ctl', 'res')).toContain('  uart1    uart       1 (cos)\n');
    expect(r.cmd('ctl', 'start 1')).toBe('ctl: started 1 (cos): 8 MiB, pCPU 0\n');
    r.expect('cos', 'cos> ');
    expect(r.cmd('cos', 'devs')).toContain('uart1');
    expect(r.hv.partitions.get(1)?.devices.has('uart1')).toBe(true);
    expect(r.cmd('ctl', 'destroy 1')).toBe('ctl: destroyed 1 (cos): 8 MiB back to ctl\n');
    expect(r.cmd('ctl', 'res')).toContain('  uart1    uart       ctl\n');
    expect(r.hv.partitions.get(0)?.devices.has('uart1')).toBe(true);
  });
});

describe('errors from the hypervisor and from ctl are named, never ignored', () => {
  it('names each error', async () => {
    const r = await bootCtl();
    r.booted();
    expect(r.cmd('ctl', 'stop 9')).toBe('ctl: no partition 9 (parts lists them) (ENOENT)\n');
    expect(r.cmd('ctl', 'stop 0')).toBe('ctl: 0 is ctl itself (EINVAL)\n');
    expect(r.cmd('ctl', 'stop x')).toBe("ctl: 'x' is not a partition id (1..63) (EINVAL)\n");
    expect(r.cmd('ctl', 'stop')).toBe('ctl: usage: stop ID (EINVAL)\n');
    expect(r.cmd('ctl', 'stop 1')).toBe('ctl: stopped 1 (cos)\n');
    expect(r.cmd('ctl', 'stop 1')).toBe(
      'ctl: stop 1: part_stop: the partition is not in a state that allows it (EBUSY)\n',
    );
    expect(r.cmd('ctl', 'start 5 nothing')).toBe(
      "ctl: start 5: no bootable disk partition 'nothing' (oses lists them) (ENOENT)\n",
    );
    expect(r.cmd('ctl', 'start 5 cos 64M')).toBe(
      'ctl: cannot start 5 (cos5): 64 MiB wanted, 7 MiB free for partitions (ENOMEM)\n',
    );
    expect(r.hv.partitions.has(5)).toBe(false); // what was built is undone
    expect(r.cmd('ctl', 'start 5 swos 1M')).toBe(
      `ctl: cannot start 5 (swos5): the OS image of disk partition 2 ends at 0x${imageEnd(r, 2)}, past 1 MiB of memory (ENOMEM)\n`,
    );
    expect(r.cmd('ctl', 'assign 1 mem 3K')).toBe(
      "ctl: assign 1 mem 3K: '3K' is not a memory size (like 8M or 512K: a multiple of 4K, at least 64K) (EINVAL)\n",
    );
    expect(r.cmd('ctl', 'assign 1 cpu 7')).toBe("ctl: assign 1 cpu 7: '7' is not a pCPU (0..0) (EINVAL)\n");
    expect(r.cmd('ctl', 'frobnicate')).toBe("ctl: unknown command 'frobnicate' (try help) (ENOENT)\n");
    const msg = r.cmd('ctl', 'msg 2 hello there');
    expect(['ctl: msg 2: messages are not available yet (ENOSYS)\n', 'ctl: sent 11 bytes to 2 (swos)\n']).toContain(
      msg,
    );
    expect(r.cmd('ctl', 'net')).toBe(
      "the hypervisor's bridge (a learning switch) has a port for each client; ctl is not on it\n" +
        '  PORT PARTITION           STATE    NIC\n' +
        '     1 1 (cos)             stopped  virtual, MAC 02:00:00:00:00:01\n' +
        '     2 2 (swos)            running  virtual, MAC 02:00:00:00:00:02\n' +
        '     3 3 (cos2)            running  virtual, MAC 02:00:00:00:00:03\n' +
        'bridge ports (rx: frames the bridge got from the guest; tx: frames it gave the guest):\n' +
        '  PORT PARTITION           MAC                PATH          RX FRAMES   RX BYTES  TX FRAMES   TX BYTES  DROPS\n' +
        '     1 1 (cos)             02:00:00:00:00:01  paravirtual           0          0          0          0      0\n' +
        '     2 2 (swos)            02:00:00:00:00:02  emulated              0          0          0          0      0\n' +
        '     3 3 (cos2)            02:00:00:00:00:03  paravirtual           0          0          0          0      0\n',
    );
  });

  it('refuses the control API to a client: a test OS started by ctl gets EPERM', async () => {
    const r = new HvRun(await diskWithClients());
    r.booted();
    expect(r.cmd('ctl', 'oses')).toMatch(/\n4 ctlclient +ctlclient 1 +load 0x00100000 .* shrink-wrapped\n$/);
    expect(r.cmd('ctl', 'start 7 ctlclient 2M')).toBe('ctl: started 7 (ctlclient): 2 MiB, pCPU 0\n');
    expect(r.expect('ctlclient', 'ctlclient: done\n')).toBe(
      'ctlclient: a client partition\n' +
        'ctlclient: partition_id -> 7\n' +
        'ctlclient: part_create -> -1\n' +
        'ctlclient: part_stop -> -1\n' +
        'ctlclient: part_query -> -1\n' +
        'ctlclient: hypercall 0x77 -> -8\n' +
        'ctlclient: done\n',
    );
    // ctl hears of it as it happens (monitor.s), and keeps the notice for inbox.
    r.expect('ctl', '\r\nctl: notice from 7 (ctlclient): shutdown 0\r\nctl> ');
    expect(r.hv.partitions.has(9)).toBe(false);
    const rows = partsRows(r.cmd('ctl', 'parts'));
    expect(rows.map((x) => [x[0], x[2]])).toEqual([
      ['0', 'running'],
      ['1', 'running'],
      ['2', 'running'],
      ['3', 'running'],
      ['7', 'stopped'],
    ]);
    expect(r.cmd('cos', 'uptime')).toMatch(/^up /); // partition 1 was not stopped by the client
    // The hypervisor told ctl (a notice message) that the client shut down.
    expect(r.cmd('ctl', 'inbox')).toContain('from 255 (the hypervisor): shutdown 7 0\n');
    expect(r.cmd('ctl', 'inbox')).toBe('no messages\n');
  });
});

describe('the management channel (@TAG lines)', () => {
  it('answers tagged, ends with ok or err, and leaves untagged lines alone', async () => {
    const r = await bootCtl();
    r.booted();
    const parts = r.cmd('ctl', '@1 parts');
    expect(parts).toMatch(
      /^@1 part id=0 name=ctl state=running mem=11534336 vcpus=1 devs=6 weight=10 hypercalls=\d+ mmio=\d+ irqs=\d+ switches=\d+ instret=\d+ exit=0\n@1 part id=1 name=cos state=running mem=8388608 vcpus=1 .*\n@1 part id=2 name=swos state=running mem=4194304 vcpus=1 .*\n@1 part id=3 name=cos2 state=running mem=8388608 vcpus=1 .*\n@1 ok\n$/,
    );
    expect(r.cmd('ctl', '@x7 res')).toBe(
      '@x7 mem ctl=11534336 keep=4194304 free=7340032 given=20971520 partitions=3\n' +
        '@x7 cpu n=0 vcpus=3\n' +
        '@x7 dev name=uart0 kind=uart owner=0 role=console\n' +
        '@x7 dev name=sysctl kind=sysctl owner=0 role=power\n' +
        '@x7 dev name=rtc kind=rtc owner=0\n' +
        '@x7 dev name=uart1 kind=uart owner=0\n' +
        '@x7 dev name=blkctl kind=controller owner=-1\n' +
        '@x7 dev name=disk0 kind=disk owner=0 role=boot-disk\n' +
        '@x7 dev name=netctl kind=controller owner=-1\n' +
        '@x7 dev name=nic0 kind=nic owner=0\n' +
        '@x7 dev name=intc kind=intc owner=0 role=virtual\n' +
        '@x7 ok\n',
    );
    expect(r.cmd('ctl', '@n net')).toBe(
      '@n port n=1 partition=1 state=running nic=virtual mac=02:00:00:00:00:01\n' +
        '@n port n=2 partition=2 state=running nic=virtual mac=02:00:00:00:00:02\n' +
        '@n port n=3 partition=3 state=running nic=virtual mac=02:00:00:00:00:03\n' +
        '@n bport port=1 owner=1 mac=02:00:00:00:00:01 up=1 path=paravirtual rx_frames=0 rx_bytes=0 tx_frames=0 tx_bytes=0 drops=0\n' +
        '@n bport port=2 owner=2 mac=02:00:00:00:00:02 up=1 path=emulated rx_frames=0 rx_bytes=0 tx_frames=0 tx_bytes=0 drops=0\n' +
        '@n bport port=3 owner=3 mac=02:00:00:00:00:03 up=1 path=paravirtual rx_frames=0 rx_bytes=0 tx_frames=0 tx_bytes=0 drops=0\n' +
        '@n ok\n',
    );
    expect(r.cmd('ctl', '@2 stop 9')).toBe('@2 err ENOENT no partition 9 (parts lists them)\n');
    expect(r.cmd('ctl', '@3 stop 2')).toBe('@3 ctl: stopped 2 (swos)\n@3 ok\n');
    expect(r.cmd('ctl', '@4 start 2')).toBe('@4 ctl: started 2 (swos): 4 MiB, pCPU 0\n@4 ok\n');
    expect(r.cmd('ctl', '@5 mem')).toMatch(/^@5 memory: 31744 KiB total, \d+ KiB used, \d+ KiB free\n@5 ok\n$/);
    expect(r.cmd('ctl', '@6 cat parttab')).toMatch(/^@6 # parttab: .*\n(@6 .*\n)+@6 ok\n$/);
    expect(r.cmd('ctl', '@7 nosuch')).toBe("@7 err ENOENT unknown command 'nosuch' (try help)\n");
    expect(r.cmd('ctl', '@8')).toBe('@8 err EINVAL empty command\n');
    expect(r.cmd('ctl', '@ parts')).toBe(
      "ctl: a tag is '@' and 1..15 characters, then a space and the command (EINVAL)\n",
    );
    expect(r.cmd('ctl', '@9 start')).toBe('@9 err EINVAL usage: start ID [OS [SIZE]]\n');
    // Untagged again: no prefix.
    expect(r.cmd('ctl', 'stop 9')).toBe('ctl: no partition 9 (parts lists them) (ENOENT)\n');
  });
});

describe('ctl booted bare (dual boot)', () => {
  it('says there is no hypervisor, never makes a hypercall, and its shell still works', async () => {
    const image = await defaultImage();
    let out = '';
    const disk = new MemoryBlockBackend(image.length / BLOCK_SIZE, false, image.slice());
    const powered = powerOn(
      {
        mode: 'dualboot',
        cpus: 1,
        memBytes: 32 * MiB,
        console: { write: (b) => (out += String.fromCharCode(b)) },
        rtcEpochSeconds: 0,
        select: 'ctl',
      },
      [disk],
    );
    if (powered instanceof PowerOnError) throw new Error(powered.message);
    const fw = powered.fw!;
    const m = powered.machine;
    const until = (s: string) => {
      for (let i = 0; i < 3000 && !lf(out).includes(s); i++) {
        const r = fw.run(STEP);
        if (r && r.kind !== 'idle') throw new Error(`stopped: ${JSON.stringify(r)}\n${out}`);
      }
      expect(lf(out)).toContain(s);
    };
    until('ctl> ');
    expect(lf(out)).toContain(
      'ctl 0.1 (Controlling OS) on hyperdesk\n32 MiB RAM, 1 pCPU (ctl runs on pCPU 0), booted from disk0 partition 3\n' +
        'ctl: no hypervisor: ctl was booted bare (dual boot), so there is nothing to partition.\n',
    );
    m.uart.input(Buffer.from('parts\r@1 start 1 cos\rls\r'));
    until('parttab');
    until('files, ');
    expect(lf(out)).toContain('ctl> parts\nctl: no hypervisor: ctl was booted bare (dual boot) (ENOSYS)\n');
    expect(lf(out)).toContain('ctl> @1 start 1 cos\n@1 err ENOSYS no hypervisor: ctl was booted bare (dual boot)\n');
    expect(m.cpus[0].stats.hypercalls).toBe(0);
  });
});

describe('determinism', () => {
  it('the same input gives byte-identical consoles and the same machine state', async () => {
    const session = async () => {
      const r = await bootCtl();
      r.booted();
      r.cmd('cos', 'mem');
      r.cmd('ctl', 'stop 1');
      r.cmd('swos', 'dir');
      r.cmd('ctl', 'start 1');
      r.expect('cos', 'cos> ');
      r.cmd('ctl', '@1 parts');
      r.cmd('ctl', 'destroy 2');
      r.cmd('ctl', 'start 4 swos 2M');
      r.expect('swos', 'swos$ ');
      r.cmd('ctl', 'parts');
      return { out: { ...r.out }, time: r.machine.time, stats: { ...r.hv.stats }, pc: r.machine.cpus[0].pc };
    };
    const a = await session();
    const b = await session();
    expect(b).toEqual(a);
  });
});
