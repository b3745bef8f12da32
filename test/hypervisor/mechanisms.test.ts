/**
 * Scenarios for messages, shared pages, swapping, hot-adding, device moves and DMA isolation
 * (issue 4: M17, M18, M19, M21, M5), through the hypervisor's mechanism as ctl drives it.
 */
import { existsSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SwapFiles } from '../../src/main/disk/swapFiles.js';
import type { Cpu } from '../../src/main/emulator/cpu/Cpu.js';
import { E, HC, handleHypercall } from '../../src/main/emulator/hypervisor/hypercalls.js';
import { swapIn, swapOut } from '../../src/main/emulator/hypervisor/messages.js';
import { rowsOf } from '../../src/main/engine/messageRows.js';
import { testGuest, world } from './harness.js';

describe('hypervisor mechanisms', () => {
  it('asynchronous messages and a synchronous call with its reply (M19)', async () => {
    const w = await world();
    w.launch(2, 'pong', testGuest('ponger'));
    w.launch(1, 'ping', testGuest('pinger'));
    w.expect('ping', 'reply: pong\n');
    expect(w.output('pong')).toContain('msg from 1:hello\n');
    expect(w.output('pong')).toContain('msg from 1:ping\n');
    expect(w.hv.events.some((e) => e.kind === 'message' && e.detail.startsWith('call to 2'))).toBe(true);
  });

  it('logs each message for the sequence view, and refuses a bad one with its reason (M19)', async () => {
    const w = await world();
    w.launch(2, 'pong', testGuest('ponger'));
    const ping = w.launch(1, 'ping', testGuest('pinger'));
    w.expect('ping', 'reply: pong\n');
    const rows = rowsOf(w.hv.events, (id) => w.hv.partitions.get(id)?.name ?? `partition ${id}`);
    expect(rows.map((r) => `${r.fromName}>${r.toName} ${r.op} ${r.text}`)).toEqual([
      'ping>pong send hello',
      'ping>pong call ping',
      'pong>ping reply pong',
    ]);
    // The reply time is the machine time between the call and the reply that answered it.
    const [, call, reply] = rows;
    expect(call!.replySeconds).toBeCloseTo(reply!.seconds - call!.seconds, 12);
    expect(call!.replySeconds).toBeGreaterThan(0);
    // Refused: the guest gets the code, the log the reason (a vCPU's registers stand in for a trap).
    const cpu = { regs: new Int32Array(32) } as unknown as Cpu;
    const send = (to: number, len: number) => {
      cpu.regs.set([to, 0x1000, len], 10);
      return handleHypercall(w.hv, ping, ping.vcpus[0]!, cpu, HC.msg_send);
    };
    expect(send(2, 300)).toBe(E.INVAL);
    expect(send(9, 4)).toBe(E.NOENT);
    cpu.regs.set([1, 0x1000, 4, 0x2000, 16], 10);
    expect(handleHypercall(w.hv, ping, ping.vcpus[0]!, cpu, HC.msg_call)).toBe(E.INVAL);
    cpu.regs.set([2, 0x1000, 4], 10);
    expect(handleHypercall(w.hv, ping, ping.vcpus[0]!, cpu, HC.msg_reply)).toBe(E.NOENT);
    expect(w.hv.events.slice(-4).map((e) => e.detail)).toEqual([
      'send to 2 refused: EINVAL: 300 bytes: a message holds 0..256',
      'send to 9 refused: ENOENT: no partition 9',
      'call to 1 refused: EINVAL: partition 1 cannot call itself',
      'reply to 2 refused: ENOENT: partition 2 waits for no reply from 1',
    ]);
    // A page it does not own is not its to share: refused, and the log says why.
    cpu.regs.set([0x7f000000, 2], 10);
    expect(handleHypercall(w.hv, ping, ping.vcpus[0]!, cpu, HC.share_offer)).toBe(E.NOMEM);
    expect(w.hv.events.at(-1)?.detail).toBe(
      "offer of 0x7f000000 to 2 refused: ENOMEM: 0x7f000000 is not partition 1's own memory",
    );
    // A flood of the same refusal is one event, counted (docs/security.md#floods).
    for (let i = 0; i < 1000; i++) send(9, 4);
    expect(w.hv.events.at(-1)).toMatchObject({ detail: 'send to 9 refused: ENOENT: no partition 9', repeat: 1000 });
  });

  it('a page shared by two guests on request of both: zero copy both ways (M19)', async () => {
    const w = await world();
    const a = w.launch(1, 'a', testGuest('sharer'));
    const b = w.launch(2, 'b', testGuest('sharee'));
    w.expect('b', '2 reads: hello!\n');
    w.expect('a', '1 sees the answer');
    expect(b.hostAddress(0x40000000)).toBe(a.hostAddress(0x30000)); // the same host page
  });

  it('a device cannot DMA outside its partition (M5)', async () => {
    const w = await world();
    const before = w.machine.mem.readBytes(0x01f00000, 512);
    w.launch(1, 'dma', testGuest('dmaout'), { grantDiskPartition: 1 });
    w.expect('dma', 'status 3\n');
    expect(w.machine.mem.readBytes(0x01f00000, 512)).toEqual(before);
  });

  it('swapping an idle guest out frees its memory; swapping back in resumes it intact (M17)', async () => {
    const w = await world();
    const ctl = w.hv.partitions.get(0);
    const g = w.launch(1, 'counter', testGuest('counter'));
    w.run(30_000_000);
    const counted = new DataView(w.hv.readGuest(g, 0x20000, 4)!.buffer).getUint32(0, true);
    expect(counted).toBeGreaterThan(0);
    const ctlBefore = ctl!.memBytes;
    expect(swapOut(w.hv, g)).toBeUndefined();
    expect(g.state).toBe('swapped');
    expect(g.memBytes).toBe(0);
    expect(ctl!.memBytes).toBe(ctlBefore + (4 << 20));
    const printed = w.output('counter').length;
    w.run(30_000_000);
    expect(w.output('counter').length).toBe(printed); // it does not run while swapped out
    // Back in, into a different range of ctl's memory than it came from.
    expect(swapIn(w.hv, g, 8 << 20)).toBeUndefined();
    expect(g.state).toBe('running');
    const after = new DataView(w.hv.readGuest(g, 0x20000, 4)!.buffer).getUint32(0, true);
    expect(after).toBeGreaterThanOrEqual(counted);
    w.run(30_000_000);
    expect(new DataView(w.hv.readGuest(g, 0x20000, 4)!.buffer).getUint32(0, true)).toBeGreaterThan(after);
  });

  it('a swapped-out guest is in a swap file on disk until it comes back (M17)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hyperdesk-swap-'));
    const w = await world({ swap: new SwapFiles(dir) });
    const g = w.launch(1, 'counter', testGuest('counter'));
    w.run(20_000_000);
    expect(swapOut(w.hv, g)).toBeUndefined();
    const file = join(dir, 'partition-1.swap');
    expect(statSync(file).size).toBe(4 << 20);
    expect(swapIn(w.hv, g, 8 << 20)).toBeUndefined();
    expect(existsSync(file)).toBe(false);
    w.run(20_000_000);
    expect(g.state).toBe('running');
  });

  it('part_idle tells an idle guest from a busy one; input for a swapped guest is one notice to ctl (M17)', async () => {
    const w = await world();
    const ctl = w.hv.partitions.get(0)!;
    const sleeper = w.launch(1, 'sleeper', testGuest('idle'));
    const busy = w.launch(2, 'counter', testGuest('counter'));
    w.run(50_000_000); // 0.2 s of machine time
    const cpu = { regs: new Int32Array(32) } as unknown as Cpu;
    const idle = (id: number) => {
      cpu.regs[10] = id;
      return handleHypercall(w.hv, ctl, ctl.vcpus[0]!, cpu, HC.part_idle);
    };
    // The sleeper waits in wfi from its first instruction: idle since its start (about 0.2 s).
    expect(idle(1)).toBeGreaterThan(150_000);
    expect(idle(1)).toBeLessThanOrEqual(200_000);
    // The counter computes: active within its last time slice (alone on its pCPU it gets tickless
    // slices of 10 ms, Hypervisor.ts TICKLESS_SLICES).
    expect(idle(2)).toBeLessThan(10_000);
    expect(idle(9)).toBe(E.NOENT);
    // Swapped out, a key typed at it is one notice `input 1 console`, however many keys follow;
    // the keys wait in its console.
    const inbox = () => ctl.inbox.map((m) => new TextDecoder().decode(m.data));
    ctl.inbox.length = 0;
    expect(swapOut(w.hv, sleeper)).toBeUndefined();
    w.hv.consoleInput(1, [0x61]);
    w.hv.consoleInput(1, [0x62, 0x63]);
    w.run(1_000_000);
    expect(inbox()).toEqual(['input 1 console']);
    expect(w.hv.vconsoles.get(1)!.pendingInput).toBe(3);
    // Back in, idle counts from the swap-in; a new swap-out tells ctl again.
    expect(swapIn(w.hv, sleeper, 8 << 20)).toBeUndefined();
    expect(idle(1)).toBeLessThan(100);
    expect(swapOut(w.hv, sleeper)).toBeUndefined();
    w.hv.consoleInput(1, [0x64]);
    expect(inbox()).toEqual(['input 1 console', 'input 1 console']);
    expect(busy.state).toBe('running');
  });

  it('hot-adding a vCPU to a running guest: it hears of it and starts it (M21)', async () => {
    const w = await world({ cpus: 2 });
    const g = w.launch(1, 'smp', testGuest('smp'));
    w.expect('smp', 'A');
    w.hv.addVcpu(g, 1);
    // What part_assign_cpu does for a running partition: a notice the guest can act on.
    const { notice } = await import('../../src/main/emulator/hypervisor/messages.js');
    notice(w.hv, g, 'cpu-added 1');
    w.expect('smp', 'B1');
    expect(g.vcpus[1].state).not.toBe('stopped');
  });

  it('the boot protocol: only vCPU 0 starts; another starts at ap_entry when the guest sends it an IPI', async () => {
    const w = await world({ cpus: 2 });
    const g = w.launch(1, 'smp', testGuest('smp'), { cpus: [0, 1] });
    w.expect('smp', 'A');
    w.run(20_000_000);
    expect(g.vcpus.map((v) => v.state === 'stopped')).toEqual([false, true]);
    expect(w.output('smp')).toBe('A'); // vCPU 1 ran nothing
    // The guest decides: this one writes ap_entry and sends the IPI when a message comes.
    const { notice } = await import('../../src/main/emulator/hypervisor/messages.js');
    notice(w.hv, g, 'go');
    w.expect('smp', 'B1');
    expect(g.vcpus[1].state).not.toBe('stopped');
  });

  it('hot-adding memory to a running guest grows its guest-physical space (M21)', async () => {
    const w = await world();
    const ctl = w.hv.partitions.get(0)!;
    const g = w.launch(1, 'counter', testGuest('counter'));
    w.run(5_000_000);
    expect(w.hv.moveMemory(ctl, g, 16 << 20, 1 << 20)).toBeUndefined();
    expect(g.memBytes).toBe(5 << 20);
    expect(g.hostAddress((4 << 20) + 100)).toBe((16 << 20) + 100);
    expect(ctl.hostAddress(16 << 20)).toBeUndefined(); // ownership moved, not copied
    w.run(5_000_000);
    expect(g.state).toBe('running');
  });

  it('moving a device subtree: uart1 leaves ctl and a probing guest finds it (M5, M18)', async () => {
    const w = await world();
    const ctl = w.hv.partitions.get(0)!;
    const swos = w.diskOs('swos');
    w.hv.create(2, 'swos');
    const p = w.hv.partitions.get(2)!;
    w.hv.addVcpu(p, 0);
    ctl.devices.delete('uart1');
    p.devices.add('uart1');
    w.hv.remap(ctl);
    w.hv.writeGuest(ctl, (40 << 20) + swos.loadAddress, swos.bytes);
    expect(w.hv.moveMemory(ctl, p, 40 << 20, 4 << 20)).toBeUndefined();
    p.diskGrants.set('disk0', new Set([swos.partition]));
    expect(w.hv.start(2, swos.entry, 0)).toBeUndefined();
    w.expect('swos', 'swos$ ');
    expect(w.output('swos')).toContain('found uart at 0xF0000000'); // its virtual console
    expect(w.output('swos')).toContain('found uart at 0xF0003000'); // the device it was given
  });
});
