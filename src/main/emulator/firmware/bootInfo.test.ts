import { describe, expect, it } from 'vitest';
import { crc32 } from '../../../shared/crc32.js';
import { disassemble } from '../../../shared/isa/disasm.js';
import { standardIoTree } from '../machine/board.js';
import { apStubWords } from './apStub.js';
import { BOOT_INFO_MAGIC, buildBootInfo, NODE_KIND, parseBootInfo } from './bootInfo.js';
import { bootablePartitions, PT_MAGIC } from './partitions.js';

describe('boot info', () => {
  const tree = standardIoTree({ disks: 2, nics: 1 });
  const blob = buildBootInfo({
    ramBase: 0,
    ramSize: 32 << 20,
    cpus: [0, 1],
    tree,
    extra: { uart0: [1, 0], disk0: [65536, 0] },
    bootCpu: 0,
    partitionId: 0,
    bootDisk: 'disk0',
    bootPartition: 2,
    cmdline: 'quiet',
  });
  const info = parseBootInfo(blob);

  it('starts with the magic and fits in its slot, 4-byte aligned', () => {
    expect(new DataView(blob.buffer).getUint32(0, true)).toBe(BOOT_INFO_MAGIC);
    expect(blob.length % 4).toBe(0);
    expect(blob.length).toBeLessThan(0x4000);
  });
  it('describes memory, every pCPU and the whole I/O tree with parents', () => {
    expect(info.ramSize).toBe(32 << 20);
    expect(info.cpuCount).toBe(2);
    expect(info.nodes[0]).toMatchObject({ kind: NODE_KIND.memory, base: 0, size: 32 << 20 });
    expect(info.nodes.filter((n) => n.kind === NODE_KIND.cpu).map((n) => n.base)).toEqual([0, 1]);
    const uart0 = info.nodes.find((n) => n.id === 'uart0');
    expect(uart0).toMatchObject({ kind: NODE_KIND.uart, base: 0xf0000000, irq: 1, x0: 1 });
    const disk1 = info.nodes.find((n) => n.id === 'disk1');
    const blkctl = info.nodes.findIndex((n) => n.id === 'blkctl');
    expect(disk1?.parent).toBe(blkctl);
    expect(info.nodes[blkctl].parent).toBe(info.nodes.findIndex((n) => n.id === 'sysbus'));
  });
  it('names the boot disk and partition', () => {
    expect(info.nodes[info.bootDisk].id).toBe('disk0');
    expect(info.bootPartition).toBe(2);
    expect(info.apEntry).toBe(0);
  });
});

describe('firmware pieces', () => {
  it('the secondary-pCPU stub is valid code', () => {
    const text = apStubWords().map((w) => disassemble(w));
    expect(text.some((t) => t.startsWith('.word'))).toBe(false);
    expect(text[0]).toBe('wfi');
    expect(text.at(-1)).toBe('eret');
  });
  it('finds bootable partitions and rejects a damaged table', () => {
    const b = new Uint8Array(512);
    const v = new DataView(b.buffer);
    v.setUint32(0, PT_MAGIC, true);
    v.setUint32(4, 1, true);
    v.setUint32(8, 2, true);
    v.setUint32(12, 1000, true);
    // entry 1: cfs bootable at 8, 100 blocks "cos"; entry 2: raw not bootable.
    v.setUint32(16, 1, true);
    v.setUint32(20, 1, true);
    v.setUint32(24, 8, true);
    v.setUint32(28, 100, true);
    b.set([0x63, 0x6f, 0x73], 32);
    v.setUint32(64, 3, true);
    v.setUint32(72, 200, true);
    v.setUint32(76, 10, true);
    v.setUint32(400, crc32(b.subarray(0, 400)), true);
    expect(bootablePartitions(b, 1000)).toEqual([{ number: 1, type: 1, start: 8, blocks: 100, name: 'cos' }]);
    b[33] ^= 1;
    expect(bootablePartitions(b, 1000)).toMatch(/crc mismatch/);
    expect(bootablePartitions(new Uint8Array(512), 1000)).toMatch(/no partition table/);
  });
});
