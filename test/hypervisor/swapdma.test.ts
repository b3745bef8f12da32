/**
 * A swapped guest comes back into other host memory, and its virtual devices follow: the virtual
 * disk (and nic) DMA through the partition's domain as it is now, not as it was at start (that
 * wrote the guest's disk reads into memory it no longer owned, and the guest read garbage).
 */
import { describe, expect, it } from 'vitest';
import { swapIn, swapOut } from '../../src/main/emulator/hypervisor/messages.js';
import type { Partition } from '../../src/main/emulator/hypervisor/Partition.js';
import { world } from './harness.js';

describe('swap and DMA', () => {
  it('a guest swapped back into other host memory still reads its disk, and only into its own memory', async () => {
    const w = await world({ cpus: 1, memBytes: 64 << 20 });
    const cos = w.diskOs('cos');
    const MEM = 2 << 20;
    const p = w.launch(1, 'g1', cos, { memBytes: MEM, grantDiskPartition: cos.partition });
    w.expect('g1', 'cos> ');
    const ctl = w.hv.partitions.get(0) as Partition;
    const before = p.memory.map((r) => r.hpa);
    expect(swapOut(w.hv, p)).toBeUndefined();
    // Back 8 MiB lower in ctl's memory: other host pages than before.
    expect(swapIn(w.hv, p, ctl.memEnd - 4 * MEM)).toBeUndefined();
    expect(p.memory.map((r) => r.hpa)).not.toEqual(before);
    // Where the guest was is ctl's now: mark it, and see that the guest's disk reads miss it.
    const oldHpa = before[0];
    w.machine.mem.writeBytes(oldHpa, new Uint8Array(MEM).fill(0xa5));
    expect(w.command(1, 'g1', 'echo hi')).toBe('hi\n');
    expect(w.machine.mem.readBytes(oldHpa, MEM).every((b) => b === 0xa5)).toBe(true);
  });
});
