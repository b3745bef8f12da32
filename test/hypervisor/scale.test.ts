/**
 * Many guests (issue 6, M16/M17): 300 small cos partitions on 2 pCPUs, more than there are VMIDs
 * (255), all boot and all answer; each console shows only its own guest's words (no TLB entries
 * shared between partitions that were lent the same VMID); idle guests swap out and back intact.
 */
import { describe, expect, it } from 'vitest';
import { swapIn, swapOut } from '../../src/main/emulator/hypervisor/messages.js';
import type { Partition } from '../../src/main/emulator/hypervisor/Partition.js';
import { HvWorld } from './harness.js';
import { defaultImage } from '../guests/boot.js';

const N = 300;
const MEM = 2 << 20;

describe('300 guests on 2 pCPUs', () => {
  it('boot, answer each its own, and swap out and back', async () => {
    const w = new HvWorld({
      cpus: 2,
      memBytes: N * MEM + (16 << 20),
      diskImage: await defaultImage(),
      reserveBytes: 8 << 20,
    });
    const cos = w.diskOs('cos');
    const parts: Partition[] = [];
    for (let i = 1; i <= N; i++)
      parts.push(w.launch(i, `g${i}`, cos, { memBytes: MEM, cpu: i % 2, grantDiskPartition: cos.partition }));
    const all = (re: RegExp) => parts.every((p) => re.test(w.output(p.name)));
    for (let i = 0; i < 2000 && !all(/cos> $/); i++) w.machine.run(1_000_000);
    expect(parts.filter((p) => !/2 MiB RAM[^]*cos> $/.test(w.output(p.name))).map((p) => p.name)).toEqual([]);
    // 300 partitions, 255 VMIDs: the holders have one each, never the same one.
    const held = parts.filter((p) => p.vmid !== 0).map((p) => p.vmid);
    expect(held.length).toBeLessThanOrEqual(255);
    expect(new Set(held).size).toBe(held.length);

    // Every guest echoes a word of its own.
    for (const p of parts) w.type(p.id, `echo word${p.id}\r`);
    for (let i = 0; i < 4000 && !all(/word\d+\r\ncos> $/); i++) w.machine.run(1_000_000);
    for (const p of parts) {
      const out = w.output(p.name);
      expect(out, p.name).toMatch(new RegExp(`echo word${p.id}\\r\\nword${p.id}\\r\\ncos> $`));
    }

    // Idle guests go to the swap store whole and come back where they were.
    const idle = parts.slice(0, 100);
    for (const p of idle) expect(swapOut(w.hv, p), p.name).toBeUndefined();
    expect(idle.every((p) => p.state === 'swapped')).toBe(true);
    w.machine.run(5_000_000);
    const ctl = w.hv.partitions.get(0)!;
    // Each comes back into the top of ctl's memory, where the swapped guests' memory went.
    for (const p of idle) expect(swapIn(w.hv, p, ctl.memEnd - MEM), p.name).toBeUndefined();
    for (const p of idle) w.type(p.id, `echo back${p.id}\r`);
    for (let i = 0; i < 4000 && !idle.every((p) => /back\d+\r\ncos> $/.test(w.output(p.name))); i++)
      w.machine.run(1_000_000);
    for (const p of idle) expect(w.output(p.name), p.name).toMatch(new RegExp(`back${p.id}\\r\\ncos> $`));
  }, 300_000);
});
