/**
 * The hypervisor's guests under both engines (docs/architecture.md#block-translation): ctl booted
 * as partition 0 by the TypeScript hypervisor (whose trap handler rewrites registers and the pc on
 * every hypercall and world switch), with 2 pCPUs, on the interpreter and on the block translator
 * in the same random slices; machine state and every console must be identical after every slice.
 */
import { describe, expect, it } from 'vitest';
import { BLOCK_SIZE, MemoryBlockBackend } from '../../src/main/emulator/devices/disk/BlockBackend.js';
import type { Hypervisor } from '../../src/main/emulator/hypervisor/Hypervisor.js';
import { PowerOnError, powerOn } from '../../src/main/engine/powerOn.js';
import { lockstep } from '../../src/main/emulator/cpu/jit/differential.js';
import type { Jit } from '../../src/main/emulator/cpu/jit/Jit.js';
import { defaultImage } from '../guests/boot.js';

describe('the hypervisor under both engines', () => {
  it('ctl boots cos and swos as partitions on 2 pCPUs, cos runs a command: identical state and consoles after every slice', async () => {
    const image = await defaultImage();
    const outs: Record<string, string>[] = [{}, {}];
    const hvs: Hypervisor[] = [];
    const machines = (['interp', 'jit'] as const).map((engine, i) => {
      const disk = new MemoryBlockBackend(image.length / BLOCK_SIZE, false, image.slice());
      const sink = (who: string) => ({
        write: (b: number) => (outs[i][who] = (outs[i][who] ?? '') + String.fromCharCode(b)),
      });
      const powered = powerOn(
        {
          mode: 'hypervisor',
          cpus: 2,
          memBytes: 32 << 20,
          engine,
          console: sink('ctl'),
          consoleFor: (p) => sink(p.name),
          rtcEpochSeconds: 1_800_000_000,
        },
        [disk],
      );
      if (powered instanceof PowerOnError) throw new Error(powered.message);
      hvs.push(powered.hv!);
      return powered.machine;
    });
    const [ref, jit] = machines;
    let total = 0;
    const booted = (o: Record<string, string>) =>
      ['ctl> ', 'cos> '].every((p) => Object.values(o).some((t) => t.includes(p)));
    while (!booted(outs[0]) && total < 600_000_000) {
      const res = lockstep(ref, jit, 5_000_000, 500_000, 21 + total);
      expect(res.detail).toBe('');
      total += res.steps;
    }
    expect(outs[0].ctl).toContain('ctl> ');
    expect(booted(outs[1])).toBe(true);
    // A CPU-bound command in the cos partition, to its next prompt, still in step.
    const cos = hvs.map((hv) => [...hv.partitions.values()].find((p) => p.name === 'cos'));
    if (!cos[0] || !cos[1]) throw new Error('no cos partition');
    const before = outs[0].cos.length;
    hvs.forEach((hv, i) => hv.consoleInput((cos[i] as { id: number }).id, Buffer.from('burner 2000000\r', 'latin1')));
    for (let i = 0; i < 40 && !outs[0].cos.slice(before).includes('cos> '); i++) {
      expect(lockstep(ref, jit, 5_000_000, 500_000, 99 + i).detail).toBe('');
    }
    expect(outs[0].cos.slice(before)).toMatch(/burner: 2000000 iterations[^]*cos> /);
    expect(outs[1]).toEqual(outs[0]);
    expect(jit.cpus.map((c) => c.engine)).toEqual(['jit', 'jit']);
    expect((jit.cpus[0].jit as Jit).stats.regions).toBeGreaterThan(0);
  }, 120_000);
});
