/**
 * The disk through direct register pokes on a machine's bus (docs/devices.md#disk-block-device-with-dma):
 * commands, status codes, range checks, read-only disks, the completion interrupt, and DMA through
 * the device's domain. Guest-code tests are in machine/devices.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { DMA_READ, DMA_RW, DmaTable } from '../../dma/DmaTable.js';
import { Machine } from '../../machine/Machine.js';
import { ADDR } from '../../machine/board.js';
import { DEVICE_ID, ID_OFFSET, VERSION_OFFSET } from '../identity.js';
import { BLOCK_SIZE, MemoryBlockBackend, type BlockBackend } from './BlockBackend.js';
import {
  DISK_BLOCKS,
  DISK_CMD,
  DISK_COUNT,
  DISK_CTRL,
  DISK_DMA,
  DISK_IRQACK,
  DISK_LBA,
  DISK_STATUS,
  DiskDevice,
  type DiskState,
} from './DiskDevice.js';

/** Byte-for-byte equality without a test-framework diff of a whole RAM image. */
const same = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);

const pattern = (blocks: number) => Uint8Array.from({ length: blocks * BLOCK_SIZE }, (_, i) => (i * 7 + 3) & 0xff);

function setup(backends: BlockBackend[] = [new MemoryBlockBackend(64, false, pattern(64))]) {
  const m = new Machine({ cpus: 1, memBytes: 1 << 20, disks: backends });
  const base = ADDR.disk0;
  const w = (off: number, v: number) => m.bus.write(base + off, 4, v);
  const r = (off: number) => m.bus.read(base + off, 4);
  const cmd = (c: number, lba: number, count: number, dma: number) => {
    w(DISK_LBA, lba);
    w(DISK_COUNT, count);
    w(DISK_DMA, dma);
    w(DISK_CMD, c);
    return r(DISK_STATUS);
  };
  return { m, disk: m.disks[0], backend: backends[0] as MemoryBlockBackend, w, r, cmd };
}

describe('disk registers and commands', () => {
  it('BLOCKS, identity and version; registers read back', () => {
    const { r, w } = setup();
    expect(r(DISK_BLOCKS)).toBe(64);
    expect(r(ID_OFFSET)).toBe(DEVICE_ID.disk);
    expect(r(VERSION_OFFSET)).toBe(1);
    expect(r(DISK_STATUS)).toBe(0);
    w(DISK_LBA, 5);
    w(DISK_COUNT, 2);
    w(DISK_DMA, 0x8000);
    w(DISK_CTRL, 3);
    expect([r(DISK_LBA), r(DISK_COUNT), r(DISK_DMA), r(DISK_CTRL)]).toEqual([5, 2, 0x8000, 1]);
  });

  it('reads blocks into memory and writes memory to blocks', () => {
    const { m, backend, cmd } = setup();
    expect(cmd(1, 3, 2, 0x8000)).toBe(1);
    expect(m.mem.readBytes(0x8000, 2 * BLOCK_SIZE)).toEqual(backend.data.slice(3 * BLOCK_SIZE, 5 * BLOCK_SIZE));
    m.mem.writeBytes(
      0x9000,
      Uint8Array.from({ length: BLOCK_SIZE }, (_, i) => i ^ 0x5a),
    );
    expect(cmd(2, 63, 1, 0x9000)).toBe(1);
    expect(backend.data.slice(63 * BLOCK_SIZE)).toEqual(m.mem.readBytes(0x9000, BLOCK_SIZE));
    expect(cmd(1, 0, 256, 0x20000)).toBe(2); // 256 blocks, but the disk has 64
    expect(m.disks[0].metrics).toMatchObject({ reads: 2, writes: 1, blocksRead: 2, blocksWritten: 1, errors: 1 });
  });

  it('a write lands in the backend before STATUS reads 1; flush counts only CMD 3', () => {
    const mem = new MemoryBlockBackend(8);
    let statusDuringWrite = -1;
    const ref: { disk?: DiskDevice } = {};
    const spy: BlockBackend = {
      blocks: 8,
      readOnly: false,
      read: (l, c) => mem.read(l, c),
      write: (l, d) => {
        statusDuringWrite = ref.disk?.read(DISK_STATUS, 4) ?? -1;
        return mem.write(l, d);
      },
      flush: () => mem.flush(),
    };
    const t = setup([spy]);
    ref.disk = t.disk;
    t.m.mem.writeBytes(0x4000, new Uint8Array(BLOCK_SIZE).fill(0xee));
    expect(t.cmd(2, 1, 1, 0x4000)).toBe(1);
    expect(statusDuringWrite).toBe(0);
    expect(mem.data[BLOCK_SIZE]).toBe(0xee);
    expect(mem.flushes).toBe(0);
    expect(t.cmd(1, 1, 1, 0x5000)).toBe(1);
    expect(mem.flushes).toBe(0);
    t.w(DISK_CMD, 3);
    expect(t.r(DISK_STATUS)).toBe(1);
    expect(mem.flushes).toBe(1);
    expect(t.disk.metrics.flushes).toBe(1);
  });

  it('range checks: COUNT 1..256, LBA + COUNT within the disk; unknown commands', () => {
    const { cmd, w, r } = setup([new MemoryBlockBackend(300)]);
    expect(cmd(1, 0, 0, 0x8000)).toBe(2);
    expect(cmd(1, 0, 257, 0x8000)).toBe(2);
    expect(cmd(1, 44, 256, 0x8000)).toBe(1);
    expect(cmd(1, 45, 256, 0x8000)).toBe(2);
    expect(cmd(2, 0xffffffff, 1, 0x8000)).toBe(2);
    w(DISK_CMD, 9);
    expect(r(DISK_STATUS)).toBe(2);
  });

  it('a read-only disk refuses writes (5) but reads and flushes', () => {
    const { cmd, w, r, backend } = setup([new MemoryBlockBackend(4, true)]);
    expect(cmd(2, 0, 1, 0x8000)).toBe(5);
    expect(cmd(1, 0, 1, 0x8000)).toBe(1);
    w(DISK_CMD, 3);
    expect(r(DISK_STATUS)).toBe(1);
    expect(backend.flushes).toBe(1);
  });

  it('a failing backend gives STATUS 4', () => {
    const bad: BlockBackend = {
      blocks: 4,
      readOnly: false,
      read: () => new Error('EIO'),
      write: () => new Error('EIO'),
      flush: () => new Error('EIO'),
    };
    const { cmd, w, r } = setup([bad]);
    expect(cmd(1, 0, 1, 0x8000)).toBe(4);
    expect(cmd(2, 0, 1, 0x8000)).toBe(4);
    w(DISK_CMD, 3);
    expect(r(DISK_STATUS)).toBe(4);
  });

  it('raises its completion interrupt when enabled, until IRQACK', () => {
    const { m, w, cmd } = setup();
    cmd(1, 0, 1, 0x8000);
    expect(m.intc.pending).toBe(0); // interrupt not enabled
    w(DISK_CTRL, 1);
    expect(cmd(1, 999, 1, 0x8000)).toBe(2); // errors complete too
    expect(m.intc.pending).toBe(1 << 3);
    w(DISK_IRQACK, 0);
    expect(m.intc.pending).toBe(0);
  });

  it('bad accesses are counted: holes, read-only registers, byte accesses', () => {
    const { m, disk } = setup();
    expect(m.bus.read(ADDR.disk0 + 0x20, 4)).toBeUndefined();
    expect(m.bus.write(ADDR.disk0 + DISK_BLOCKS, 4, 1)).toBe(false);
    expect(m.bus.write(ADDR.disk0 + DISK_STATUS, 4, 1)).toBe(false);
    expect(m.bus.read(ADDR.disk0 + DISK_STATUS, 1)).toBeUndefined();
    expect(disk.metrics.badAccesses).toBe(4);
  });

  it('saves and restores its state (interrupt raised, registers programmed)', () => {
    const a = setup();
    a.w(DISK_CTRL, 1);
    a.cmd(1, 2, 1, 0x8000);
    a.w(DISK_LBA, 7);
    const snap = structuredClone(a.disk.saveState()) as DiskState;
    const b = setup();
    b.disk.restoreState(snap);
    expect(b.disk.saveState()).toEqual(a.disk.saveState());
    expect(b.m.intc.pending).toBe(1 << 3);
    expect(b.r(DISK_LBA)).toBe(7);
  });
});

describe('disk DMA through its domain', () => {
  it('a read into an unmapped bus page fails with STATUS 3 and RAM is untouched', () => {
    const { m, cmd } = setup();
    m.setDmaDomain('disk0', new DmaTable().map(0x8000, 0x8000, 0x1000, DMA_RW));
    const before = m.mem.readBytes(0, m.mem.size);
    expect(cmd(1, 0, 1, 0x8000)).toBe(1); // the page it was given
    const afterOk = m.mem.readBytes(0, m.mem.size);
    expect(same(afterOk, before)).toBe(false);
    expect(cmd(1, 0, 1, 0x10000)).toBe(3);
    expect(cmd(1, 0, 16, 0x8000)).toBe(3); // runs past the mapped page: nothing moves
    expect(same(m.mem.readBytes(0, m.mem.size), afterOk)).toBe(true);
    expect(m.disks[0].metrics.dmaFaults).toBe(2);
    expect(m.dmaDomain('disk0').faults).toBe(2);
  });

  it('a bus page mapped to a different host page really lands there', () => {
    const { m, cmd, backend } = setup();
    m.setDmaDomain('disk0', new DmaTable().map(0x1000, 0x7000, 0x1000, DMA_RW));
    expect(cmd(1, 4, 1, 0x1200)).toBe(1);
    expect(m.mem.readBytes(0x7200, BLOCK_SIZE)).toEqual(backend.data.slice(4 * BLOCK_SIZE, 5 * BLOCK_SIZE));
    expect(m.mem.readBytes(0x1200, BLOCK_SIZE)).toEqual(new Uint8Array(BLOCK_SIZE));
  });

  it('write permission is enforced: a read-only mapping serves disk writes but not disk reads', () => {
    const { m, cmd, backend } = setup();
    m.mem.writeBytes(0x3000, new Uint8Array(BLOCK_SIZE).fill(0x42));
    m.setDmaDomain('disk0', new DmaTable().map(0x3000, 0x3000, 0x1000, DMA_READ));
    expect(cmd(2, 0, 1, 0x3000)).toBe(1); // memory -> disk needs read permission only
    expect(backend.data[0]).toBe(0x42);
    expect(cmd(1, 1, 1, 0x3000)).toBe(3); // disk -> memory needs write permission
    expect(m.mem.readBytes(0x3000, BLOCK_SIZE)).toEqual(new Uint8Array(BLOCK_SIZE).fill(0x42));
  });

  it('devices have separate domains: taking disk0’s away leaves nic0’s', () => {
    const { m } = setup();
    m.setDmaDomain('disk0', new DmaTable());
    expect(m.dmaDomain('nic0').translate(0x8000, DMA_RW)).toBe(0x8000);
    expect(() => m.dmaDomain('uart0')).toThrow(RangeError);
    expect(() => m.setDmaDomain('disk7', new DmaTable())).toThrow(RangeError);
  });
});
