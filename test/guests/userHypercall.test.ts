/**
 * A hypercall is the guest kernel's, never its user programs' (docs/hypercalls.md#calling-convention,
 * docs/isa.md#virtualizability): from user mode it traps PRIVILEGED_INSTRUCTION to the guest's own
 * kernel, which treats it like any other privileged instruction. Before this rule, `hypercall 4`
 * from a user program shut cos down, and a user program could reach the control API.
 */
import { describe, expect, it } from 'vitest';
import { assemble } from '../../src/main/asm/index.js';
import { buildCosExecutable, DiskImage } from '../../src/main/disk/index.js';
import { BLOCK_SIZE, MemoryBlockBackend } from '../../src/main/emulator/devices/disk/BlockBackend.js';
import { defaultImage } from './boot.js';
import { HvRun } from './hvrun.js';

/** The default disk with extra user programs in cos's file system (a copy: the image is not changed). */
async function withPrograms(programs: Record<string, string>): Promise<Uint8Array> {
  const image = (await defaultImage()).slice();
  const backend = new MemoryBlockBackend(image.length / BLOCK_SIZE, false, image);
  const disk = DiskImage.open(backend);
  if (disk instanceof Error) throw disk;
  const cos = disk.table.partitions.find((p) => p.name === 'cos');
  if (!cos) throw new Error('no cos partition on the default disk');
  const fs = disk.fileSystem(cos.number);
  if (fs instanceof Error) throw fs;
  for (const [name, src] of Object.entries(programs)) {
    const r = assemble(`.org 0x00400000\n_start:\n${src}\n`);
    if (!r.ok) throw new Error(`${name}: ${JSON.stringify(r.diagnostics)}`);
    const w = fs.write(name, buildCosExecutable(r.bytes, r.base, r.entry), { executable: true });
    if (w instanceof Error) throw w;
  }
  const flushed = disk.flush();
  if (flushed instanceof Error) throw flushed;
  return backend.data;
}

describe('hypercalls from user mode', () => {
  it('a user program in cos that calls shutdown, or the control API, is killed by cos; cos and the machine go on', async () => {
    const image = await withPrograms({
      hvshut: ' li a0, 7\n hypercall 4',
      hvdestroy: ' li a0, 2\n hypercall 0x107',
      hvid: ' hypercall 5\n li a0, 0\n syscall 0',
    });
    const r = new HvRun(image);
    r.booted();
    const cos = [...r.hv.partitions.values()].find((p) => p.name === 'cos');
    expect(cos?.state).toBe('running');
    const calls = cos!.stats.hypercalls;
    for (const name of ['hvshut', 'hvdestroy', 'hvid']) {
      const out = r.cmd('cos', name);
      expect(out).toMatch(
        /^cos: killed pid \d+ \(fault\): PRIVILEGED_INSTRUCTION at pc 0x0040000[04], address 0x[0-9a-f]{4}0039\n$/,
      );
    }
    // Not one of them reached the hypervisor: cos, swos and cos2 still run, and cos counts no new call
    // from them (its own kernel's calls, console output among them, still count).
    expect(cos?.state).toBe('running');
    expect([...r.hv.partitions.values()].map((p) => `${p.name} ${p.state}`)).toEqual([
      'ctl running',
      'cos running',
      'swos running',
      'cos2 running',
    ]);
    expect(r.hv.events.some((e) => e.kind === 'shutdown' || e.kind === 'destroyed')).toBe(false);
    expect(cos!.stats.hypercalls).toBeGreaterThanOrEqual(calls);
    expect(r.cmd('cos', 'hello')).toBe('Hello from user mode!\n');
  });
});
