/** DMA domains: a device reaches only the memory it was given, with the permission it was given
 *  (docs/devices.md#dma-table-the-notes-tce). */
import { describe, expect, it } from 'vitest';
import { PhysicalMemory } from '../memory/PhysicalMemory.js';
import { dmaPort } from './DmaPort.js';
import { DMA_READ, DMA_RW, DMA_WRITE, DmaFault, DmaTable } from './DmaTable.js';

const bytes = (n: number, f = (i: number) => i & 0xff) => Uint8Array.from({ length: n }, (_, i) => f(i));

describe('DmaTable', () => {
  it('identity covers exactly RAM', () => {
    const mem = new PhysicalMemory(0x4000);
    const t = DmaTable.identity(mem.size);
    expect(t.write(mem, 0x3ffe, bytes(2))).toBe(true);
    expect(t.read(mem, 0x3ffe, 2)).toEqual(bytes(2));
    const f = t.write(mem, 0x3fff, bytes(2));
    expect(f).toBeInstanceOf(DmaFault);
    expect((f as DmaFault).bus).toBe(0x4000);
    expect(t.faults).toBe(1);
    expect(mem.u8[0x3fff]).toBe(1); // not partially written
  });

  it('a mapping to a different host page lands there, across page boundaries', () => {
    const mem = new PhysicalMemory(0x10000);
    const t = new DmaTable().map(0x10_0000, 0x8000, 0x1000, DMA_RW).map(0x10_1000, 0x3000, 0x1000, DMA_RW);
    expect(t.translate(0x10_0010, DMA_READ)).toBe(0x8010);
    const data = bytes(0x20, (i) => 0x80 + i);
    expect(t.write(mem, 0x10_0ff0, data)).toBe(true);
    expect(mem.readBytes(0x8ff0, 0x10)).toEqual(data.subarray(0, 0x10));
    expect(mem.readBytes(0x3000, 0x10)).toEqual(data.subarray(0x10));
    expect(t.read(mem, 0x10_0ff0, 0x20)).toEqual(data);
    expect(mem.readBytes(0x10_0ff0 & 0xffff, 0x10)).toEqual(new Uint8Array(0x10)); // nothing at the identity spot
  });

  it('a device reaches nothing it was not given, and permissions are enforced', () => {
    const mem = new PhysicalMemory(0x10000);
    const t = new DmaTable().map(0x1000, 0x1000, 0x1000, DMA_READ).map(0x2000, 0x2000, 0x1000, DMA_WRITE);
    mem.writeBytes(
      0x1000,
      bytes(4, () => 0xaa),
    );
    expect(t.read(mem, 0x1000, 4)).toEqual(bytes(4, () => 0xaa));
    expect((t.write(mem, 0x1000, bytes(4)) as DmaFault).reason).toBe('permission');
    expect((t.read(mem, 0x2000, 4) as DmaFault).reason).toBe('permission');
    expect(t.write(mem, 0x2000, bytes(4))).toBe(true);
    expect((t.read(mem, 0x0, 4) as DmaFault).reason).toBe('unmapped');
    // A transfer that runs from a writable page into a read-only one moves nothing.
    const before = mem.readBytes(0x1000, 0x3000);
    expect(
      t.write(
        mem,
        0x1ffc,
        bytes(8, () => 0x55),
      ),
    ).toBeInstanceOf(DmaFault);
    expect(mem.readBytes(0x1000, 0x3000)).toEqual(before);
    expect(t.faults).toBe(4);
  });

  it('unmap punches holes, even in the identity prefix; mappings outside RAM fault', () => {
    const mem = new PhysicalMemory(0x4000);
    const t = DmaTable.identity(mem.size).unmap(0x1000, 0x1000).map(0x8000, 0x10_0000, 0x1000, DMA_RW);
    expect(t.read(mem, 0x0, 4)).toBeInstanceOf(Uint8Array);
    expect((t.read(mem, 0x1000, 4) as DmaFault).reason).toBe('unmapped');
    expect((t.read(mem, 0x8000, 4) as DmaFault).reason).toBe('outside-ram');
    expect(t.read(mem, 0xffff_fffc, 8)).toBeInstanceOf(DmaFault);
    expect(t.read(mem, 0x100, 0)).toEqual(new Uint8Array(0));
  });

  it('DMA writes drop decoded code pages, so code loaded by DMA is seen', () => {
    const mem = new PhysicalMemory(0x4000);
    mem.codePage(1, () => new Int32Array(2048));
    const gen = mem.codeGeneration;
    expect(DmaTable.identity(mem.size).write(mem, 0x1800, bytes(4))).toBe(true);
    expect(mem.isCodePage(1)).toBe(false);
    expect(mem.codeGeneration).toBe(gen + 1);
  });

  it('rejects malformed mappings', () => {
    const t = new DmaTable();
    expect(() => t.map(0x10, 0, 0x1000, DMA_RW)).toThrow(RangeError);
    expect(() => t.map(0, 0, 0x100, DMA_RW)).toThrow(RangeError);
    expect(() => t.map(0, 0, 0x1000, 4)).toThrow(RangeError);
    expect(() => DmaTable.identity(100)).toThrow(RangeError);
  });

  it('a port follows whatever table its domain function returns', () => {
    const mem = new PhysicalMemory(0x4000);
    let table = DmaTable.identity(mem.size);
    const port = dmaPort(mem, () => table);
    expect(
      port.write(
        0x10,
        bytes(1, () => 7),
      ),
    ).toBe(true);
    table = new DmaTable();
    expect(port.read(0x10, 1)).toBeInstanceOf(DmaFault);
  });

  it('saves and restores its state', () => {
    const a = DmaTable.identity(0x4000).unmap(0x1000, 0x1000).map(0x9000, 0x2000, 0x2000, DMA_READ);
    a.read(new PhysicalMemory(0x4000), 0x1000, 1);
    const b = DmaTable.fromState(structuredClone(a.saveState()));
    expect(b.saveState()).toEqual(a.saveState());
    expect(b.translate(0xa004, DMA_READ)).toBe(0x3004);
    expect(b.translate(0x1004, DMA_READ)).toBeInstanceOf(DmaFault);
  });
});

describe('DmaTable large mappings', () => {
  const MiB = 1 << 20;

  it('keeps a large mapping as one range, and the newest mapping of a page wins', () => {
    const t = new DmaTable();
    t.map(0, 64 * MiB, 256 * MiB, DMA_RW); // a range
    expect(t.translate(5 * MiB + 12, DMA_READ)).toBe(69 * MiB + 12);
    t.unmap(8 * MiB, 4096); // a hole punched into it (a page entry)
    expect(t.translate(8 * MiB, DMA_READ)).toBeInstanceOf(DmaFault);
    t.map(8 * MiB, 4096, 4096, DMA_READ); // a page entry over the hole
    expect(t.translate(8 * MiB, DMA_READ)).toBe(4096);
    expect(t.translate(8 * MiB, DMA_WRITE)).toBeInstanceOf(DmaFault);
    t.map(0, 0, 16 * MiB, DMA_WRITE); // a newer range over all of that: the page entries inside go
    expect(t.translate(8 * MiB, DMA_WRITE)).toBe(8 * MiB);
    expect((t.translate(8 * MiB, DMA_READ) as DmaFault).reason).toBe('permission');
    expect(t.translate(20 * MiB, DMA_READ)).toBe(84 * MiB); // the older range still shows past it
  });

  it('saves and restores ranges exactly', () => {
    const t = new DmaTable();
    t.map(0, 32 * MiB, 8 * MiB, DMA_RW).unmap(4096, 4096);
    const u = DmaTable.fromState(structuredClone(t.saveState()));
    for (const a of [0, 4096, 8192, 8 * MiB - 4096, 8 * MiB])
      expect(u.translate(a, DMA_READ)).toEqual(t.translate(a, DMA_READ));
  });
});
