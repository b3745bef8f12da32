/**
 * A whole guest OS under both engines (docs/architecture.md#block-translation): cos booted from the
 * default disk through the firmware, then given a command, on the interpreter and on the block
 * translator in the same random slices; the state (CPU, devices, all of RAM) and the console output
 * must be identical after every slice.
 */
import { describe, expect, it } from 'vitest';
import { MemoryBlockBackend, BLOCK_SIZE } from '../../src/main/emulator/devices/disk/BlockBackend.js';
import { Machine } from '../../src/main/emulator/machine/Machine.js';
import { PowerOnError, powerOn } from '../../src/main/engine/powerOn.js';
import { lockstep } from '../../src/main/emulator/cpu/jit/differential.js';
import type { Jit } from '../../src/main/emulator/cpu/jit/Jit.js';
import { defaultImage } from '../guests/boot.js';

describe('cos under both engines', () => {
  it('boots to its prompt and runs a command with identical state after every slice', async () => {
    const image = await defaultImage();
    const out = ['', ''];
    const fws = (['interp', 'jit'] as const).map((engine, i) => {
      const powered = powerOn(
        {
          mode: 'dualboot',
          cpus: 1,
          memBytes: 32 << 20,
          engine,
          console: { write: (b) => (out[i] += String.fromCharCode(b)) },
          rtcEpochSeconds: 1_800_000_000,
          select: 'cos',
        },
        [new MemoryBlockBackend(image.length / BLOCK_SIZE, false, image.slice())],
      );
      if (powered instanceof PowerOnError) throw new Error(powered.message);
      return powered.fw!;
    });
    const [ref, jit] = fws.map((f) => f.machine);
    const run = (m: Machine, k: number) => fws[m === ref ? 0 : 1].run(k);
    // Boot until the prompt.
    let total = 0;
    while (!out[0].includes('cos> ') && total < 400_000_000) {
      const res = lockstep(ref, jit, 5_000_000, 1_000_000, total + 1, run);
      expect(res.detail).toBe('');
      total += res.steps;
    }
    expect(out[1]).toContain('cos> ');
    for (const m of [ref, jit]) m.uart.input(Array.from('burner 3000000\r', (c) => c.charCodeAt(0)));
    const before = out[0].length;
    for (let i = 0; i < 20 && !out[0].slice(before).includes('cos> '); i++) {
      expect(lockstep(ref, jit, 5_000_000, 1_000_000, 100 + i, run).detail).toBe('');
    }
    expect(out[0].slice(before)).toContain('cos> ');
    expect(out[1]).toBe(out[0]);
    const stats = (jit.cpus[0].jit as Jit).stats;
    expect(stats.regions).toBeGreaterThan(0);
    expect(stats.interpreted / jit.cpus[0].hcycle).toBeLessThan(0.5);
  }, 120_000);
});
