/**
 * Power-on (docs/architecture.md#power-on): both modes reach a running OS, and every way it can fail
 * (a bad configuration, a missing disk, nothing to boot, no Controlling OS) is a PowerOnError that
 * says which stage and why, with no file left open.
 */
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BLOCK_SIZE, MemoryBlockBackend } from '../emulator/devices/disk/BlockBackend.js';
import { SwapFiles } from '../disk/swapFiles.js';
import { ensureDisks } from '../host/disks.js';
import { PowerOnError, powerOn, powerOnFiles, type PoweredMachine } from './powerOn.js';

let dir: string;
let image: string;
let bytes: Uint8Array;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hyperdesk-poweron-'));
  image = join(dir, 'disk.img');
  copyFileSync(await ensureDisks(), image);
  bytes = new Uint8Array(readFileSync(image));
}, 120_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const memoryDisk = () => new MemoryBlockBackend(bytes.length / BLOCK_SIZE, false, bytes.slice());
/** Open file descriptors of this process (to see that a failed power-on leaves none behind). */
const openFds = () => readdirSync('/dev/fd').length;

/** Runs until `text` shows on the console kept in `out`, at most `max` cycles. */
function runUntil(m: PoweredMachine, out: () => string, text: string, max = 1_500_000_000): void {
  for (let done = 0; done < max && !out().includes(text); done += 1_000_000) {
    const r = m.run(1_000_000);
    if (r && r.kind !== 'idle') throw new Error(`stopped: ${JSON.stringify(r)}\n${out()}`);
  }
  expect(out()).toContain(text);
}

const base = { cpus: 1, memBytes: 32 << 20, rtcEpochSeconds: 1_800_000_000 };

describe('powerOn', () => {
  it('dual boot: the firmware boots the selected OS, which answers on console 0', () => {
    let out = '';
    const m = powerOn(
      { ...base, mode: 'dualboot', select: 'swos', console: { write: (b) => (out += String.fromCharCode(b)) } },
      [memoryDisk()],
    );
    if (m instanceof PowerOnError) throw new Error(m.message);
    expect(m.mode).toBe('dualboot');
    expect(m.hv).toBeUndefined();
    expect(m.fw?.state).toBe('running');
    expect(m.fw?.booted?.header.name).toBe('swos 1.0');
    runUntil(m, () => out, 'swos$ ');
    expect(m.inputRoom(0)).toBeGreaterThan(0);
    expect(m.input(0, Buffer.from('ver\r'))).toBe(true);
    expect(m.input(3, Buffer.from('x'))).toBe(false); // no guest 3 in dual boot
    const mark = out.length;
    runUntil(m, () => out.slice(mark), 'swos$ ');
    expect(out.slice(mark)).toMatch(/swos/i);
    expect(m.cycles).toBeGreaterThanOrEqual(m.machine.time);
  });

  it('hypervisor: ctl boots as partition 0 with every pCPU and starts its clients', () => {
    const outs: Record<string, string> = {};
    const sink = (who: string) => ({ write: (b: number) => (outs[who] = (outs[who] ?? '') + String.fromCharCode(b)) });
    const m = powerOn(
      {
        ...base,
        mode: 'hypervisor',
        cpus: 2,
        memBytes: 64 << 20,
        console: sink('ctl'),
        consoleFor: (p) => sink(p.name),
      },
      [memoryDisk()],
    );
    if (m instanceof PowerOnError) throw new Error(m.message);
    expect(m.fw).toBeUndefined();
    const ctl = m.hv!.partitions.get(0)!;
    expect(ctl.name).toBe('ctl');
    expect(ctl.bootPartition).toBe(3);
    // Over in-memory disks swapped guests stay in memory: nothing is written beside a file.
    expect(m.hv!.swapStore).not.toBeInstanceOf(SwapFiles);
    runUntil(m, () => outs.ctl ?? '', 'ctl> ');
    runUntil(m, () => outs.cos ?? '', 'cos> ');
    const cos = [...m.hv!.partitions.values()].find((p) => p.name === 'cos')!;
    expect(m.input(cos.id, Buffer.from('\r'))).toBe(true);
    expect(m.pendingInput(cos.id)).toBeGreaterThan(0);
  });

  it('a bad configuration is refused before anything runs, naming what is wrong', () => {
    const bad = (o: Partial<Parameters<typeof powerOn>[0]>) =>
      powerOn({ ...base, mode: 'dualboot', ...o } as Parameters<typeof powerOn>[0], [memoryDisk()]);
    const mode = bad({ mode: 'turbo' as 'dualboot' });
    expect(mode).toBeInstanceOf(PowerOnError);
    expect(mode).toMatchObject({ stage: 'config', message: "the mode must be dualboot or hypervisor, got 'turbo'" });
    const cpus = bad({ cpus: 0 });
    expect(cpus).toMatchObject({ stage: 'config' });
    expect((cpus as PowerOnError).message).toBe('a machine has 1..256 pCPUs, got 0');
    const small = bad({ mode: 'hypervisor', memBytes: 1 << 20 });
    expect(small).toMatchObject({ stage: 'config' });
    expect((small as PowerOnError).message).toMatch(/RAM|memBytes|reserve/);
  });

  it('nothing to boot: an unknown entry when one is required, a disk without an OS', () => {
    const unknown = powerOn({ ...base, mode: 'dualboot', select: 'beos', requireSelected: true }, [memoryDisk()]);
    expect(unknown).toMatchObject({ stage: 'boot', message: expect.stringContaining('cannot boot beos') });
    const blank = powerOn({ ...base, mode: 'dualboot' }, [new MemoryBlockBackend(64)]);
    expect(blank).toMatchObject({
      stage: 'boot',
      message: expect.stringMatching(/^no bootable partition on the disks/),
    });
  });

  it('no Controlling OS on the disks: the error names what the disks hold', () => {
    const r = powerOn({ ...base, mode: 'hypervisor', ctl: 'nope' }, [memoryDisk()]);
    expect(r).toBeInstanceOf(PowerOnError);
    expect(r).toMatchObject({ stage: 'boot' });
    expect((r as PowerOnError).message).toContain("no bootable partition named 'nope' for the Controlling OS");
    expect((r as PowerOnError).message).toContain('cos 0.1');
  });
});

describe('powerOnFiles', () => {
  it('a missing disk: the path and why, and the disks opened before it are closed again', async () => {
    const before = openFds();
    const missing = join(dir, 'missing.img');
    const r = await powerOnFiles({ ...base, mode: 'dualboot' }, [image, missing]);
    expect(r).toBeInstanceOf(PowerOnError);
    expect(r).toMatchObject({ stage: 'disk' });
    expect((r as PowerOnError).message).toMatch(new RegExp(`^${missing.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: `));
    expect((r as PowerOnError).message).toContain('ENOENT');
    expect(openFds()).toBe(before);
    expect(await powerOnFiles({ ...base, mode: 'dualboot' }, [])).toMatchObject({ stage: 'disk' });
  });

  it('a disk without ctl in hypervisor mode: a clear error and the file closed', async () => {
    const blank = join(dir, 'blank.img');
    writeFileSync(blank, Buffer.alloc(64 * BLOCK_SIZE));
    const before = openFds();
    const r = await powerOnFiles({ ...base, mode: 'hypervisor' }, [blank]);
    expect(r).toMatchObject({ stage: 'boot' });
    expect((r as PowerOnError).message).toContain(
      "no bootable partition named 'ctl' for the Controlling OS (found: none)",
    );
    expect(openFds()).toBe(before);
  });

  it('hypervisor over an image file: swap files beside it; close() closes the file', async () => {
    const before = openFds();
    const r = await powerOnFiles({ ...base, mode: 'hypervisor', memBytes: 64 << 20 }, [image], { readOnly: true });
    if (r instanceof PowerOnError) throw new Error(r.message);
    expect(r.paths).toEqual([image]);
    const swap = r.powered.hv!.swapStore;
    expect(swap).toBeInstanceOf(SwapFiles);
    expect((swap as SwapFiles).dir).toBe(join(dir, 'swap'));
    expect(openFds()).toBe(before + 1);
    expect(r.powered.flush()).toBeUndefined();
    r.powered.close();
    expect(openFds()).toBe(before);
    expect(r.powered.disks[0]!.read(0, 1)).toBeInstanceOf(Error);
  });
});
