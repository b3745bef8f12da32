/**
 * Control operations are all or nothing, and shared pages never outlive their owner's consent
 * (issue 12.2, 12.3; docs/hypercalls.md#control-operations-are-all-or-nothing). Each test is a case
 * that broke isolation before: a failed remap that left a live stage-2 root on the free list, a
 * device move that ignored a failed remap, a shared page that stayed mapped after its owner gave it
 * back, was destroyed or swapped out, or withdrew before the accept; unbounded offers and events.
 */
import { describe, expect, it } from 'vitest';
import { E } from '../../src/main/emulator/hypervisor/errors.js';
import { MAX_EVENTS, type Hypervisor } from '../../src/main/emulator/hypervisor/Hypervisor.js';
import { accept, offer, swapOut } from '../../src/main/emulator/hypervisor/messages.js';
import type { Partition } from '../../src/main/emulator/hypervisor/Partition.js';
import { MAX_OFFERS } from '../../src/main/emulator/hypervisor/plan.js';
import { HvError } from '../../src/main/emulator/hypervisor/errors.js';
import { testGuest, world, type HvWorld } from './harness.js';

const MiB = 1 << 20;
const SHARED_AT = 0x4000_0000;

/** What a stage-2 table maps guest-physical `gpa` to (host address), or -1. */
function s2lookup(hv: Hypervisor, p: Partition, gpa: number): number {
  const mem = hv.machine.mem;
  const e = mem.read32(p.s2root + (gpa >>> 22) * 4);
  if ((e & 1) === 0) return -1;
  if ((e & 0xe) !== 0) return ((e & 0xffc00000) | (gpa & 0x3fffff)) >>> 0;
  const f = mem.read32((e & ~0xfff) + ((gpa >>> 12) & 0x3ff) * 4);
  if ((f & 1) === 0) return -1;
  return ((f & ~0xfff) | (gpa & 0xfff)) >>> 0;
}

/** Everything a failed operation must leave as it was. */
function everything(w: HvWorld): string {
  const hv = w.hv;
  return JSON.stringify({
    layout: hv.layout(),
    free: hv.reserve.freePages(),
    roots: [...hv.partitions.values()].map((p) => [p.id, p.s2root, p.state, [...p.devices], p.shared]),
    machine: w.machine.stateHash(),
  });
}

/** No page of a live table is free, and no two partitions' tables share a page. */
function tablesSound(hv: Hypervisor): void {
  const free = new Set(hv.reserve.freePages());
  const owner = new Map<number, number>();
  for (const p of hv.partitions.values()) {
    for (const page of hv.tablePages(p.id)) {
      expect(free.has(page), `partition ${p.id}'s table page 0x${page.toString(16)} is on the free list`).toBe(false);
      expect(owner.get(page), `page 0x${page.toString(16)} in two tables`).toBeUndefined();
      owner.set(page, p.id);
    }
    if (p.s2root) expect(hv.tablePages(p.id)).toContain(p.s2root);
  }
}

async function twoClients(): Promise<{ w: HvWorld; ctl: Partition; a: Partition; b: Partition }> {
  const w = await world();
  const a = w.launch(1, 'a', testGuest('idle'));
  const b = w.launch(2, 'b', testGuest('idle'));
  return { w, ctl: w.hv.partitions.get(0) as Partition, a, b };
}

/** a offers its page 0x30000 to b, b maps it at SHARED_AT. */
function share(w: HvWorld, a: Partition, b: Partition): number {
  const id = offer(w.hv, a, 0x30000, b.id);
  expect(id).toBeGreaterThan(0);
  expect(accept(w.hv, b, id, SHARED_AT)).toBe(0);
  expect(b.hostAddress(SHARED_AT)).toBe(a.hostAddress(0x30000));
  expect(s2lookup(w.hv, b, SHARED_AT)).toBe(a.hostAddress(0x30000));
  return id;
}

function revoked(w: HvWorld, b: Partition, hpa: number): void {
  expect(b.hostAddress(SHARED_AT)).toBeUndefined();
  expect(b.shared).toEqual([]);
  expect(s2lookup(w.hv, b, SHARED_AT)).toBe(-1);
  expect(w.hv.shares).toEqual([]);
  // b's table maps nothing of that page any more, anywhere.
  for (const r of b.memory)
    for (let g = r.gpa; g < r.gpa + r.size; g += 4096) expect(s2lookup(w.hv, b, g)).not.toBe(hpa);
  expect(w.hv.check()).toBeUndefined();
  tablesSound(w.hv);
}

describe('shared pages never outlive their owner (issue 12.3)', () => {
  it('mem_release of the page revokes the mapping', async () => {
    const { w, ctl, a, b } = await twoClients();
    share(w, a, b);
    const hpa = a.hostAddress(0x30000) as number;
    // mem_release of all but the bottom 128 KiB takes the page at 0x30000 back to ctl.
    expect(w.hv.moveMemory(a, ctl, 0x20000, a.memBytes - 0x20000)).toBeUndefined();
    revoked(w, b, hpa);
    expect(new TextDecoder().decode(b.inbox.at(-1)?.data)).toBe('share-revoked 1');
  });

  it('destroying the offerer revokes the mapping', async () => {
    const { w, a, b } = await twoClients();
    share(w, a, b);
    const hpa = a.hostAddress(0x30000) as number;
    expect(w.hv.destroy(a.id)).toBeUndefined();
    revoked(w, b, hpa);
  });

  it('swapping the offerer out revokes the mapping (and its memory is cleared for ctl)', async () => {
    const { w, a, b } = await twoClients();
    share(w, a, b);
    const hpa = a.hostAddress(0x30000) as number;
    w.machine.mem.write32(hpa, 0x1234);
    expect(swapOut(w.hv, a)).toBeUndefined();
    revoked(w, b, hpa);
    expect(w.machine.mem.read32(hpa)).toBe(0);
  });

  it('an offer withdrawn before the accept (the page given back) cannot be accepted', async () => {
    const { w, ctl, a, b } = await twoClients();
    const id = offer(w.hv, a, 0x30000, b.id);
    expect(w.hv.moveMemory(a, ctl, 0x20000, a.memBytes - 0x20000)).toBeUndefined();
    expect(accept(w.hv, b, id, SHARED_AT)).toBe(E.NOENT);
    expect(b.hostAddress(SHARED_AT)).toBeUndefined();
    expect(s2lookup(w.hv, b, SHARED_AT)).toBe(-1);
  });

  it('destroying the acceptor drops its shares; the offerer keeps its page', async () => {
    const { w, a, b } = await twoClients();
    share(w, a, b);
    expect(w.hv.destroy(b.id)).toBeUndefined();
    expect(w.hv.shares).toEqual([]);
    expect(a.hostAddress(0x30000)).toBeDefined();
    tablesSound(w.hv);
  });

  it('pending offers are bounded: the next one is ENOSPC, and accepting frees a slot', async () => {
    const { w, a, b } = await twoClients();
    const ids = [];
    for (let i = 0; i < MAX_OFFERS; i++) ids.push(offer(w.hv, a, 0x30000 + i * 4096, b.id));
    expect(ids.every((id) => id > 0)).toBe(true);
    expect(offer(w.hv, a, 0x60000, b.id)).toBe(E.NOSPC);
    expect(w.hv.shares).toHaveLength(MAX_OFFERS);
    expect(accept(w.hv, b, ids[0], SHARED_AT)).toBe(0);
    expect(offer(w.hv, a, 0x60000, b.id)).toBeGreaterThan(0);
  });

  it('a shared page cannot go over the acceptor’s own memory or the device windows', async () => {
    const { w, a, b } = await twoClients();
    const id = offer(w.hv, a, 0x30000, b.id);
    expect(accept(w.hv, b, id, 0x1000)).toBe(E.INVAL);
    expect(accept(w.hv, b, id, 0xf000_0000)).toBe(E.INVAL);
    expect(accept(w.hv, b, id, SHARED_AT + 1)).toBe(E.INVAL);
    expect(accept(w.hv, a, id, SHARED_AT)).toBe(E.NOENT); // not offered to a
  });
});

describe('control operations are all or nothing (issue 12.2)', () => {
  /** Take every free page of the reserve but `leave`; returns them, to give back. */
  function exhaust(hv: Hypervisor, leave: number): number[] {
    const taken: number[] = [];
    while (hv.reserve.available > leave) taken.push(hv.reserve.alloc() as number);
    return taken;
  }

  it('a move that does not fit in the reserve fails with ENOMEM and changes nothing', async () => {
    const { w, ctl, a } = await twoClients();
    exhaust(w.hv, 0);
    const before = everything(w);
    // 4 KiB from the middle of ctl's memory: both tables need a second-level page now.
    const r = w.hv.moveMemory(ctl, a, 20 * MiB + 4096, 4096);
    expect(r).toBeInstanceOf(HvError);
    expect(r?.code).toBe(E.NOMEM);
    expect(r?.message).toMatch(/reserve is full/);
    expect(everything(w)).toBe(before);
    tablesSound(w.hv);
  });

  it('after a failed move the next partition gets its own table, not a live one from the free list', async () => {
    const { w, ctl, a } = await twoClients();
    const taken = exhaust(w.hv, 1);
    expect(w.hv.moveMemory(ctl, a, 20 * MiB + 4096, 4096)?.code).toBe(E.NOMEM);
    w.hv.reserve.release(taken);
    const c = w.launch(3, 'c', testGuest('idle'));
    tablesSound(w.hv);
    expect(c.s2root).not.toBe(a.s2root);
    expect(c.s2root).not.toBe(ctl.s2root);
    // a still runs on a table that maps its own memory.
    expect(s2lookup(w.hv, a, 0x30000)).toBe(a.hostAddress(0x30000));
  });

  it('a device move that does not fit fails with ENOMEM and the device stays where it was', async () => {
    const { w, ctl } = await twoClients();
    const d = w.hv.create(5, 'd');
    w.hv.addVcpu(d, 0);
    exhaust(w.hv, 0);
    const dev = [...ctl.devices].find((x) => x.startsWith('uart')) as string;
    const before = everything(w);
    const r = w.hv.control({ op: 'assign-device', by: 0, to: 5, device: dev });
    expect(r).toBeInstanceOf(HvError);
    expect((r as HvError).code).toBe(E.NOMEM);
    expect(ctl.devices.has(dev)).toBe(true);
    expect(everything(w)).toBe(before);
  });

  it('a destroy that does not fit fails with ENOMEM: the partition still runs', async () => {
    const { w, ctl, a } = await twoClients();
    // Give a memory from the middle of ctl, so that ctl's table needs more pages when it comes back.
    expect(w.hv.moveMemory(ctl, a, 20 * MiB + 4096, 4096)).toBeUndefined();
    exhaust(w.hv, 0);
    const before = everything(w);
    expect(w.hv.destroy(a.id)?.code).toBe(E.NOMEM);
    expect(a.state).toBe('running');
    expect(everything(w)).toBe(before);
  });

  it('the error a guest gets comes from the code, not the message text', async () => {
    const { w } = await twoClients();
    expect(w.hv.start(9, 0, 0)?.code).toBe(E.NOENT);
    expect(w.hv.start(1, 0, 0)?.code).toBe(E.BUSY);
    expect(w.hv.stop(9)?.code).toBe(E.NOENT);
    expect(w.hv.destroy(0)?.code).toBe(E.NOENT);
    expect(String(w.hv.start(1, 0, 0))).toBe('EBUSY: partition 1 is already running');
  });
});

describe('what a guest can fill is bounded (issue 12.3)', () => {
  it('the same event again is counted, not stored; distinct events keep the newest', async () => {
    const { w } = await twoClients();
    const n0 = w.hv.events.length;
    for (let i = 0; i < 100_000; i++) w.hv.log(1, 'memory', 'request 1 mem 4096 (ctl decides)');
    expect(w.hv.events.length).toBe(n0 + 1);
    expect(w.hv.events.at(-1)?.repeat).toBe(100_000);
    for (let i = 0; i < 5 * MAX_EVENTS; i++) w.hv.log(1, 'message', `send to 2, ${i} bytes`);
    expect(w.hv.events.length).toBeLessThanOrEqual(2 * MAX_EVENTS);
    expect(w.hv.events.at(-1)?.detail).toBe(`send to 2, ${5 * MAX_EVENTS - 1} bytes`);
    expect(w.hv.eventsDropped + w.hv.events.length).toBe(n0 + 1 + 5 * MAX_EVENTS);
  });
});
