/**
 * The app's machine with its pCPUs on threads (MachineConfig.threads, docs/architecture.md#parallel-smp):
 * the demo machine boots as it does on one thread, guests answer, one guest is redeployed and
 * rebooted while the others keep running, a guest changes engine, and the threads end with the
 * machine. A dual-boot machine cannot have threads, and says so.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HostService } from '../../src/shared/api.js';
import { checkConfig } from '../../src/shared/api.js';
import { startHost, type TestHost } from './hostHarness.js';

describe('the engine with the pCPUs on threads', () => {
  let t: TestHost;
  let disk: string;
  let host: HostService;
  let out: Map<number, string>;
  const until = (g: number, re: RegExp) => t.until(g, re, 90_000);

  beforeAll(async () => {
    t = await startHost('hyperdesk-threads-');
    ({ disk, host, out } = t);
  });

  afterAll(async () => {
    await t?.close();
  });

  it('refuses threads for a dual-boot machine, in the contract and in the engine', async () => {
    expect(checkConfig({ mode: 'dualboot', threads: true })).toBe('threads needs hypervisor mode');
    expect(checkConfig({ threads: 'yes' })).toBe('threads must be true or false');
    const st = await host.boot({ disks: [disk], mode: 'dualboot', threads: true });
    expect(st.state).not.toBe('running');
    expect(st.error).toBe('threads needs hypervisor mode');
  });

  it('boots ctl, cos, swos and cos2 with a thread per pCPU, and they answer', async () => {
    const st = await host.boot({ disks: [disk], cpus: 2, threads: true });
    expect(st.state).toBe('running');
    expect(st.config?.threads).toBe(true);
    await until(0, /ctl> $/);
    await until(1, /cos> $/);
    await until(2, /swos\$ $/);
    await until(3, /cos> $/);
    await host.consoleInput(1, 'run hello\r');
    await until(1, /run hello\r\nHello from user mode!\r\ncos> $/);
    const parts = await host.ctl('parts');
    expect(parts.lines.map((l) => /name=(\S+)/.exec(l)?.[1])).toEqual(['ctl', 'cos', 'swos', 'cos2']);
  }, 180_000);

  it('runs a 1 MiB cos on pCPU 1, that is on the other thread, as the guide says', async () => {
    for (const line of ['create 4 demo', 'assign 4 cpu 1', 'start 4 cos 1M']) {
      const r = await host.ctl(line);
      expect(r.ok, `${line}: ${JSON.stringify(r)}`).toBe(true);
    }
    await until(4, /1 MiB RAM[^]*cos> $/);
    await host.consoleInput(4, 'echo from pCPU 1\r');
    await until(4, /echo from pCPU 1\r\nfrom pCPU 1\r\ncos> $/);
    const res = await host.ctl('res');
    expect(res.lines).toContain('cpu n=1 vcpus=1'); // demo's, the only vCPU on pCPU 1
    // Its traps (taken on pCPU 1's thread) reach the timeline, in time order.
    const tl = await host.timeline(4);
    // (cos writes its console with hypercall 0x1 under the paravirtual technique, and idles in wfi.)
    expect(tl.filter((e) => e.kind === 'hypercall' && e.detail.startsWith('hypercall 0x1 ')).length).toBeGreaterThan(
      10,
    );
    expect(tl.some((e) => e.detail.startsWith('PRIVILEGED_INSTRUCTION'))).toBe(true);
    expect(tl.every((e, i) => i === 0 || e.seconds >= tl[i - 1]!.seconds)).toBe(true);
    expect(tl.at(-1)!.seconds).toBeLessThanOrEqual((await host.status()).seconds);
  }, 180_000);

  it('redeploys and reboots one guest while the others run on; switches a guest to the translator', async () => {
    const swosBefore = out.get(2);
    const source = await host.readFile(1, 'hello.s');
    const r = await host.deploy(1, 'hello.s', source.replace('Hello from user mode!', 'Hello from a thread!'));
    expect(r).toMatchObject({ ok: true, rebooted: true });
    await until(1, /booted from disk0 partition 1\r\ncos> [^]*booted from disk0 partition 1\r\ncos> $/);
    await host.consoleInput(1, 'run hello\r');
    await until(1, /Hello from a thread!\r\ncos> $/);
    expect(out.get(2)).toBe(swosBefore);
    const st = await host.setEngine(2, 'jit');
    expect(st.guests.find((g) => g.id === 2)?.engine).toBe('jit');
    await host.consoleInput(2, 'ver\r');
    await until(2, /ver\r\nswos 1\.0 \(shrink-wrapped OS\)\r\nswos\$ $/);
  }, 180_000);

  it('powers off: the machine and its threads end', async () => {
    const st = await host.powerOff();
    expect(st.state).toBe('off');
  });
});
