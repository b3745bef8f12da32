/**
 * The paravirtual network path (M18; docs/hypercalls.md#network-m20): net_send and net_recv move one
 * frame per hypercall between a guest and its bridge port. cos uses it when its boot info says so
 * and drives the emulated nic otherwise; both give the same pings and the same port counters.
 */
import { describe, expect, it, vi } from 'vitest';
import type { Cpu } from '../../src/main/emulator/cpu/Cpu.js';
import type { Nic } from '../../src/main/emulator/devices/nic/Nic.js';
import { BOOT_INFO_ADDR, BOOT_INFO_MAX, NODE_KIND, parseBootInfo } from '../../src/main/emulator/firmware/bootInfo.js';
import { BRIDGE_STATS_SIZE, E, HC, handleHypercall } from '../../src/main/emulator/hypervisor/hypercalls.js';
import { PV_QUEUE } from '../../src/main/emulator/hypervisor/net/pvnet.js';
import type { Partition } from '../../src/main/emulator/hypervisor/Partition.js';
import { ADDR, IRQ_LINE } from '../../src/main/emulator/machine/board.js';
import { testGuest, twoCos, world, type HvWorld } from './harness.js';

const part = (w: HvWorld, id: number) => w.hv.partitions.get(id) as Partition;
const nicOf = (w: HvWorld, id: number) => part(w, id).vbus.find(ADDR.nic0)?.device as Nic;
const PING_OK = '3 packets transmitted, 3 received, 0% packet loss';
/** One ARP exchange and three echoes with their replies: 60 + 3 * 98 bytes each way. */
const PORT_AFTER_PING = { rxFrames: 4, rxBytes: 354, txFrames: 4, txBytes: 354, drops: 0 };

/** Count every register access of a partition's virtual nic from now on. */
function spyNic(nic: Nic): () => number {
  const r = vi.spyOn(nic, 'read');
  const wr = vi.spyOn(nic, 'write');
  return () => r.mock.calls.length + wr.mock.calls.length;
}

describe('cos on the paravirtual network path', () => {
  it('the boot info marks the virtual nic as served by hypercalls (bit 16 of its second word)', async () => {
    for (const pv of [true, false]) {
      const w = await twoCos({ paravirtNet: pv });
      const bi = parseBootInfo(w.hv.readGuest(part(w, 1), BOOT_INFO_ADDR, BOOT_INFO_MAX) as Uint8Array);
      const nic = bi.nodes.find((n) => n.kind === NODE_KIND.nic);
      expect(nic?.x0).toBe(0x00000002); // 02:00:00:00 ...
      expect(nic?.x1).toBe(0x0100 | (pv ? 0x10000 : 0)); // ... 00:01, and the mark
    }
  });

  it('moves each frame with one hypercall and never touches the nic: ping and net as before', async () => {
    const w = await twoCos();
    const nics = [nicOf(w, 1), nicOf(w, 2)];
    // cos never programmed the card at boot: no ring, not enabled, no frame through it.
    for (const n of nics) expect(n.saveState().regs.every((x) => x === 0)).toBe(true);
    const accesses = nics.map(spyNic);
    const before = { hc: part(w, 2).stats.hypercalls, mmio: part(w, 2).stats.mmioExits };

    const out = w.command(2, 'cos2', 'ping 10.0.0.2 3');
    expect(out).toContain(PING_OK);
    expect(w.hv.bridge.counters(1)).toEqual(PORT_AFTER_PING);
    expect(w.hv.bridge.counters(2)).toEqual(PORT_AFTER_PING);
    for (const id of [1, 2]) expect(part(w, id).pvnet?.stats).toEqual({ sent: 4, received: 4, dropped: 0 });
    expect(accesses.map((n) => n())).toEqual([0, 0]);
    expect(nics.map((n) => [n.txFrames, n.rxFrames])).toEqual([
      [0, 0],
      [0, 0],
    ]);
    expect(part(w, 2).stats.hypercalls - before.hc).toBeGreaterThanOrEqual(8);
    // What is left of MMIO exits is the interrupt controller (claim and complete, a few per frame).
    const pvMmio = part(w, 2).stats.mmioExits - before.mmio;

    expect(w.command(1, 'cos1', 'net')).toBe(
      'nic0: MAC 02:00:00:00:00:01, IPv4 10.0.0.2/24 (paravirtual)\n  rx 4 frames, 354 bytes (0 ignored)\n  tx 4 frames, 354 bytes\n',
    );

    // The same ping through the emulated nic costs more exits.
    const e = await twoCos({ paravirtNet: false });
    const m0 = part(e, 2).stats.mmioExits;
    expect(e.command(2, 'cos2', 'ping 10.0.0.2 3')).toContain(PING_OK);
    expect(part(e, 2).stats.mmioExits - m0).toBeGreaterThan(pvMmio);
  });

  it('without the mark cos drives the emulated nic (rings, interrupts) and gets the same results', async () => {
    const w = await twoCos({ paravirtNet: false });
    expect(part(w, 1).pvnet).toBeUndefined();
    const nics = [nicOf(w, 1), nicOf(w, 2)];
    const accesses = nics.map(spyNic);
    expect(w.command(2, 'cos2', 'ping 10.0.0.2 3')).toContain(PING_OK);
    expect(w.hv.bridge.counters(1)).toEqual(PORT_AFTER_PING);
    expect(w.hv.bridge.counters(2)).toEqual(PORT_AFTER_PING);
    expect(nics.map((n) => [n.txFrames, n.rxFrames])).toEqual([
      [4, 4],
      [4, 4],
    ]);
    for (const n of accesses) expect(n()).toBeGreaterThan(8);
    expect(w.command(2, 'cos2', 'net')).toBe(
      'nic0: MAC 02:00:00:00:00:02, IPv4 10.0.0.3/24\n  rx 4 frames, 354 bytes (0 ignored)\n  tx 4 frames, 354 bytes\n',
    );
  });

  it('a paravirtual cos and an emulated one ping each other on the same bridge', async () => {
    const w = await world();
    const cos = w.diskOs('cos');
    w.launch(1, 'cos1', cos, { memBytes: 8 << 20, grantDiskPartition: cos.partition, paravirtNet: false });
    w.launch(2, 'cos2', cos, { memBytes: 8 << 20, grantDiskPartition: cos.partition });
    w.expect('cos1', 'cos> ');
    w.expect('cos2', 'cos> ');
    expect(w.command(1, 'cos1', 'ping 10.0.0.3 3')).toContain(PING_OK);
    expect(w.command(2, 'cos2', 'ping 10.0.0.2 1')).toContain('1 packets transmitted, 1 received');
    expect(nicOf(w, 1).txFrames).toBe(5);
    expect(part(w, 2).pvnet?.stats.sent).toBe(5); // an ARP reply, three echo replies, one echo
  });
});

// ---------------------------------------------------------------- the hypercalls themselves

/** Call hypercall `n` as partition `p` with arguments a0..a3 (a register file, no instruction). */
function hcall(w: HvWorld, p: Partition, n: number, ...args: number[]): number | undefined {
  const regs = new Int32Array(64);
  args.forEach((x, i) => (regs[10 + i] = x));
  return handleHypercall(w.hv, p, p.vcpus[0], { regs } as unknown as Cpu, n);
}

async function twoIdle(): Promise<{ w: HvWorld; a: Partition; b: Partition }> {
  const w = await world();
  const a = w.launch(1, 'a', testGuest('idle'));
  const b = w.launch(2, 'b', testGuest('idle'));
  return { w, a, b };
}

/** A broadcast frame of `len` bytes from partition `from`'s MAC. */
function frame(from: number, len = 60): Uint8Array {
  const f = new Uint8Array(len);
  f.fill(0xff, 0, 6);
  f.set([2, 0, 0, 0, 0, from], 6);
  f[12] = 0x88;
  f[13] = 0xb5;
  for (let i = 14; i < len; i++) f[i] = i & 0xff;
  return f;
}

describe('net_send, net_recv and bridge_stats', () => {
  it('net_send checks length and buffer; net_recv hands over each frame, and keeps one that does not fit', async () => {
    const { w, a, b } = await twoIdle();
    const buf = 0x200000;
    w.hv.writeGuest(a, buf, frame(1));
    expect(hcall(w, a, HC.net_send, buf, 13)).toBe(E.INVAL);
    expect(hcall(w, a, HC.net_send, buf, 1515)).toBe(E.INVAL);
    expect(hcall(w, a, HC.net_send, a.memBytes - 30, 60)).toBe(E.FAULT);
    expect(w.hv.bridge.stats.frames).toBe(0);

    // b has not made a PV call yet: the frame goes to its nic, which is off, and is dropped.
    expect(hcall(w, a, HC.net_send, buf, 60)).toBe(0);
    expect(w.hv.bridge.counters(2)?.drops).toBe(1);
    expect(hcall(w, b, HC.net_recv, buf, 2048)).toBe(0); // nothing waits; the path is b's now
    expect(hcall(w, a, HC.net_send, buf, 60)).toBe(0);
    expect(b.pvnet?.waiting).toBe(1);
    const vi2 = w.hv.vintc.get(2);
    expect(((vi2?.pending ?? 0) >>> IRQ_LINE.nic0) & 1).toBe(1); // the nic's line: a frame waits

    expect(hcall(w, b, HC.net_recv, buf, 59)).toBe(E.INVAL);
    expect(b.pvnet?.waiting).toBe(1);
    expect(hcall(w, b, HC.net_recv, b.memBytes - 10, 2048)).toBe(E.FAULT);
    expect(hcall(w, b, HC.net_recv, buf + 4, 2048)).toBe(60);
    expect(w.hv.readGuest(b, buf + 4, 60)).toEqual(frame(1));
    expect(((vi2?.pending ?? 0) >>> IRQ_LINE.nic0) & 1).toBe(0);
    expect(hcall(w, b, HC.net_recv, buf, 2048)).toBe(0);
    expect(w.hv.bridge.counters(1)).toMatchObject({ rxFrames: 2, rxBytes: 120 });
    expect(w.hv.bridge.counters(2)).toMatchObject({ txFrames: 1, txBytes: 60, drops: 1 });
  });

  it('a full queue drops, counted on the port; a partition not offered the path gets ENOENT', async () => {
    const { w, a, b } = await twoIdle();
    w.hv.writeGuest(a, 0x200000, frame(1, 100));
    expect(hcall(w, b, HC.net_recv, 0x200000, 2048)).toBe(0);
    for (let i = 0; i < PV_QUEUE + 3; i++) expect(hcall(w, a, HC.net_send, 0x200000, 100)).toBe(0);
    expect(b.pvnet?.waiting).toBe(PV_QUEUE);
    expect(w.hv.bridge.counters(2)).toMatchObject({ txFrames: PV_QUEUE, drops: 3 });

    const c = w.launch(3, 'c', testGuest('idle'), { paravirtNet: false });
    expect(c.pvnet).toBeUndefined();
    expect(hcall(w, c, HC.net_send, 0x200000, 100)).toBe(E.NOENT);
    expect(hcall(w, c, HC.net_recv, 0x200000, 2048)).toBe(E.NOENT);
  });

  it('bridge_stats reports each port to ctl only, in port order, then ENOENT', async () => {
    const { w, a, b } = await twoIdle();
    const ctl = part(w, 0);
    w.hv.writeGuest(a, 0x200000, frame(1, 80));
    hcall(w, b, HC.net_recv, 0x200000, 2048);
    hcall(w, a, HC.net_send, 0x200000, 80);
    w.hv.stop(1);
    const buf = 0x300000;
    expect(hcall(w, a, HC.bridge_stats, 0, 0x200000)).toBe(E.PERM);
    expect(hcall(w, ctl, HC.bridge_stats, -1, buf)).toBe(E.INVAL);
    expect(hcall(w, ctl, HC.bridge_stats, 2, buf)).toBe(E.NOENT);
    expect(hcall(w, ctl, HC.bridge_stats, 0, ctl.memBytes - 8)).toBe(E.FAULT);
    const rows = [0, 1].map((i) => {
      expect(hcall(w, ctl, HC.bridge_stats, i, buf)).toBe(0);
      const bytes = w.hv.readGuest(ctl, buf, BRIDGE_STATS_SIZE) as Uint8Array;
      const dv = new DataView(bytes.buffer);
      const u = (o: number) => dv.getUint32(o, true);
      return {
        port: u(0),
        owner: dv.getInt32(4, true),
        mac: [...bytes.subarray(8, 16)],
        counters: [u(16), u(20), u(24), u(28), u(32)],
        flags: u(36),
      };
    });
    expect(rows).toEqual([
      { port: 1, owner: 1, mac: [2, 0, 0, 0, 0, 1, 0, 0], counters: [1, 80, 0, 0, 0], flags: 2 },
      { port: 2, owner: 2, mac: [2, 0, 0, 0, 0, 2, 0, 0], counters: [0, 0, 1, 80, 0], flags: 3 },
    ]);
  });
});
