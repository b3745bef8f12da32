/**
 * The engine worker with the real demo machine (hypervisor mode: ctl, cos, swos) on a temporary
 * copy of the disk image, through the host API as the app uses it: consoles batched per guest,
 * typing, ctl's management channel, the ownership map, the network, and assemble-write-reboot of
 * one guest while the others keep their state.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HostEvent, HostService } from '../../src/shared/api.js';
import { Store, StoreError } from '../../src/main/store/index.js';
import { startHost, type TestHost } from './hostHarness.js';

describe('the engine worker', () => {
  let t: TestHost;
  let dir: string;
  let disk: string;
  let host: HostService;
  let out: Map<number, string>;
  const events: HostEvent[] = [];
  const until = (g: number, re: RegExp, ms?: number) => t.until(g, re, ms);

  beforeAll(async () => {
    t = await startHost('hyperdesk-engine-', (e) => events.push(e));
    ({ dir, disk, host, out } = t);
    const status = await host.boot({ disks: [disk] });
    expect(status.state).toBe('running');
    await until(0, /ctl> $/);
    await until(1, /cos> $/);
    await until(2, /swos\$ $/);
  }, 120_000);

  afterAll(async () => {
    await t?.close();
  });

  it('boots ctl, which starts cos, swos and cos2, and reports them', async () => {
    const status = await host.status();
    expect(status.guests.map((g) => [g.id, g.name, g.state])).toEqual([
      [0, 'ctl', 'running'],
      [1, 'cos', 'running'],
      [2, 'swos', 'running'],
      [3, 'cos2', 'running'],
    ]);
    expect(status.guests.find((g) => g.name === 'cos')?.bootPartition).toBe(1);
    // Output comes in batches (one event per guest per tick), never a byte at a time.
    const consoleEvents = events.filter((e) => e.type === 'console');
    const bytes = consoleEvents.reduce((n, e) => n + (e.type === 'console' ? e.data.length : 0), 0);
    expect(consoleEvents.length).toBeLessThan(bytes / 4);
  });

  it('types into a guest and reads its reply; the history ends where the events end', async () => {
    await host.consoleInput(1, 'run hello\r');
    await until(1, /run hello\r\nHello from user mode!\r\ncos> $/);
    const h = await host.consoleHistory(1);
    expect(h.data).toBe(out.get(1));
    expect(h.end).toBe(out.get(1)!.length);
  });

  it('sends ctl commands over the management channel and parses the answer', async () => {
    const parts = await host.ctl('parts');
    expect(parts.ok).toBe(true);
    expect(parts.lines.map((l) => /name=(\S+)/.exec(l)?.[1])).toEqual(['ctl', 'cos', 'swos', 'cos2']);
    const bad = await host.ctl('stop 9');
    expect(bad).toMatchObject({ ok: false, error: { name: 'ENOENT' } });
    // The exchange goes through the hypervisor's mailbox: none of it is on ctl's console.
    expect(out.get(0)).not.toMatch(/@h\d|part id=|no partition 9/);
  });

  it('shows who owns what: cos’s 8 MiB, the hypervisor’s reserve, every device', async () => {
    const own = await host.ownership();
    const cosMem = own.memory.filter((m) => m.owner === 1).reduce((n, m) => n + m.size, 0);
    expect(cosMem).toBe(8 << 20);
    expect(own.memory.some((m) => m.owner === null && /hypervisor/.test(m.what))).toBe(true);
    expect(own.cpus).toHaveLength(2);
    expect(own.devices.find((d) => d.id === 'uart0')?.owner).toBe(0);
    const total = own.memory.reduce((n, m) => n + m.size, 0);
    expect(total).toBeLessThanOrEqual(own.totalBytes);
    // M7: each client's technique and its counters reach the app; ctl, not virtualized, has none.
    expect(own.partitions.find((p) => p.id === 0)?.counters).toBeUndefined();
    const cos = own.partitions.find((p) => p.id === 1)?.counters;
    expect(cos).toMatchObject({ technique: 'paravirtual', emulated: 0, shadowBuilds: 0 });
    expect(cos!.hypercalls).toBeGreaterThan(0);
  });

  it('reports the bridge with a port per client and saves a capture as pcap', async () => {
    const net = await host.network();
    expect(net.ports.map((p) => p.guestName)).toEqual(['cos', 'swos', 'cos2']);
    const cap = await host.capture();
    expect(cap.name).toMatch(/\.pcap$/);
    expect(Buffer.from(cap.base64, 'base64').readUInt32LE(0)).toBe(0xa1b2c3d4);
  });

  it('keeps a timeline of the guest’s hypercalls and traps', async () => {
    const t = await host.timeline(1);
    expect(t.length).toBeGreaterThan(0);
    expect(t.some((e) => e.kind === 'hypercall')).toBe(true);
  });

  it('refuses a deploy with errors and writes nothing', async () => {
    const before = createHash('sha256')
      .update(await readFile(disk))
      .digest('hex');
    const source = await host.readFile(1, 'hello.s');
    const r = await host.deploy(1, 'hello.s', source + '\n    frob t0\n');
    expect(r.ok).toBe(false);
    expect(r.rebooted).toBe(false);
    expect(r.diagnostics[0]).toMatchObject({ file: 'hello.s', severity: 'error', col: 5 });
    expect(
      createHash('sha256')
        .update(await readFile(disk))
        .digest('hex'),
    ).toBe(before);
  });

  it('refuses a deploy whose source name does not fit, before writing or restarting anything (issue 13)', async () => {
    const hash = async () =>
      createHash('sha256')
        .update(await readFile(disk))
        .digest('hex');
    const before = await hash();
    const cosBefore = out.get(1);
    const source = await host.readFile(1, 'hello.s');
    // 18 characters fit cfs's 19 for the program, but not 'NAME.s' for its source: it used to write
    // the program, fail on the source and restart the guest anyway.
    for (const name of ['abcdefghijklmnopqr', 'abcdefghijklmnopqrs.s']) {
      const r = await host.deploy(1, name, source);
      expect(r).toMatchObject({ ok: false, rebooted: false, diagnostics: [] });
      expect(r.error).toMatch(/^cannot deploy '.*' \(the program '.*' and its source '.*\.s'\): .*at most 19 fit$/);
    }
    expect(await hash()).toBe(before);
    expect((await host.listFiles(1)).some((f) => f.name.startsWith('abcdefghijklmnopq'))).toBe(false);
    expect(out.get(1)).toBe(cosBefore);
  });

  it('assembles, writes and reboots only that guest; the others keep their consoles', async () => {
    const swosBefore = out.get(2);
    const source = await host.readFile(1, 'hello.s');
    expect(source).toContain('Hello from user mode!');
    const r = await host.deploy(1, 'hello.s', source.replace('Hello from user mode!', 'Hello, redeployed!'));
    expect(r).toMatchObject({ ok: true, rebooted: true });
    expect(await host.readFile(1, 'hello.s')).toContain('Hello, redeployed!');
    await until(1, /booted from disk0 partition 1\r\ncos> [^]*booted from disk0 partition 1\r\ncos> $/);
    await host.consoleInput(1, 'run hello\r');
    await until(1, /Hello, redeployed!\r\ncos> $/);
    expect(out.get(2)).toBe(swosBefore);
    expect((await host.status()).guests.find((g) => g.id === 2)?.state).toBe('running');
    expect((await host.events(50)).some((e) => e.kind === 'deployed' && e.guestName === 'cos')).toBe(true);
  });

  it('switches one guest to the block translator; it goes on answering, the others keep theirs', async () => {
    const st = await host.setEngine(1, 'jit');
    expect(st.guests.map((g) => [g.name, g.engine])).toEqual([
      ['ctl', 'interp'],
      ['cos', 'jit'],
      ['swos', 'interp'],
      ['cos2', 'interp'],
    ]);
    await host.consoleInput(1, 'run primes\r');
    await until(1, /1229 primes below 10000\r\ncos> $/);
    await host.setEngine(1, 'interp');
    await expect(host.setEngine(8, 'jit')).rejects.toThrow(/no guest 8/);
  });

  it('keeps the machine and the partition table it booted with in the store', async () => {
    const store = Store.open(path.join(dir, 'hyperdesk.db'));
    if (store instanceof StoreError) throw store;
    try {
      const demo = store.machines().find((m) => m.name === 'demo');
      expect(demo?.config).toMatchObject({ mode: 'hypervisor', cpus: 2, disks: [disk] });
      const tables = store.partitionTables(demo!.id);
      expect(tables).toHaveLength(1);
      expect(tables[0]!.text).toMatch(/cos/);
      expect(tables[0]!.text).toMatch(/swos/);
    } finally {
      store.close();
    }
  });

  it('saves a text file without a reboot; cos reads the new text; program images are refused', async () => {
    const before = out.get(1)!;
    const r = await host.writeFile(1, 'motd.txt', 'Saved from the editor.\n');
    expect(r.written).toBe(`${disk}:1 motd.txt`);
    expect(await host.readFile(1, 'motd.txt')).toBe('Saved from the editor.\n');
    await host.consoleInput(1, 'cat motd.txt\r');
    await until(1, /cat motd\.txt\r\nSaved from the editor\.\r?\n(\r\n)?cos> $/);
    // No reboot: the console went on from where it was.
    expect(out.get(1)!.startsWith(before)).toBe(true);
    expect(out.get(1)!.slice(before.length)).not.toMatch(/booted from disk0/);
    await expect(host.writeFile(1, 'hello', 'x')).rejects.toThrow(/hello is a program image/);
    await expect(host.writeFile(1, 'x.txt', 'a\0b')).rejects.toThrow(/NUL/);
    await expect(host.writeFile(9, 'x.txt', 'x')).rejects.toThrow(/no guest 9/);
    expect((await host.events(20)).some((e) => e.kind === 'file-saved' && e.guestName === 'cos')).toBe(true);
  });

  it('gives clear errors for a guest or file that is not there', async () => {
    await expect(host.consoleInput(7, 'x')).rejects.toThrow(/no guest 7/);
    await expect(host.readFile(1, 'nosuch.s')).rejects.toThrow(/nosuch\.s/);
    await expect(host.readFile(1, 'hello')).rejects.toThrow(/binary/);
    await expect(host.listFiles(9)).rejects.toThrow(/no guest 9/);
  });
});
