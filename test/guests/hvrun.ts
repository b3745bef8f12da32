/**
 * ctl as partition 0 under the hypervisor, in-process and deterministic, for the scenario tests of
 * test/guests (ctl.test.ts, notices.test.ts): every guest's console kept by name and driven like a
 * person would. Guests end lines with CR LF; `cmd` and `expect` give text with plain LF.
 */
import { join } from 'node:path';
import { expect } from 'vitest';
import { BLOCK_SIZE, MemoryBlockBackend } from '../../src/main/emulator/devices/disk/BlockBackend.js';
import { scanBootEntries } from '../../src/main/emulator/firmware/Firmware.js';
import type { Hypervisor } from '../../src/main/emulator/hypervisor/Hypervisor.js';
import type { Machine, StopReport } from '../../src/main/emulator/machine/Machine.js';
import { PowerOnError, powerOn } from '../../src/main/engine/powerOn.js';
import { DiskImage } from '../../src/main/disk/index.js';
import { assembleFile } from '../../src/main/host/assembleFile.js';
import { ROOT } from '../../src/main/host/disks.js';
import { defaultImage } from './boot.js';

export const STEP = 1_000_000;
export const MiB = 1 << 20;
export const lf = (s: string) => s.replace(/\r\n/g, '\n');
const PROMPT: Record<string, string> = { ctl: 'ctl> ', swos: 'swos$ ' };
const promptOf = (who: string) => PROMPT[who] ?? 'cos> ';

/** A machine running the hypervisor with ctl as partition 0; every console kept by guest name. */
export class HvRun {
  readonly machine: Machine;
  readonly hv: Hypervisor;
  /** Console output by partition name ("ctl" is the physical uart0, which ctl owns). */
  readonly out: Record<string, string> = { ctl: '' };
  private readonly marks: Record<string, number> = {};
  stop: StopReport | null = null;

  constructor(image: Uint8Array, opts: { cpus?: number; memBytes?: number } = {}) {
    const disk = new MemoryBlockBackend(image.length / BLOCK_SIZE, false, image.slice());
    const sink = (who: string) => ({
      write: (b: number) => (this.out[who] = (this.out[who] ?? '') + String.fromCharCode(b)),
    });
    // The app's power-on (docs/architecture.md#power-on); swap stays in memory over a memory disk.
    const powered = powerOn(
      {
        mode: 'hypervisor',
        cpus: opts.cpus ?? 1,
        memBytes: opts.memBytes ?? 32 * MiB,
        console: sink('ctl'),
        consoleFor: (p) => sink(p.name),
        rtcEpochSeconds: 1_800_000_000,
      },
      [disk],
    );
    if (powered instanceof PowerOnError) throw new Error(powered.message);
    this.machine = powered.machine;
    this.hv = powered.hv!;
  }

  /** Run until `pattern` shows on `who`'s console after the last match; the text up to it (LF). */
  expect(who: string, pattern: string | RegExp, maxCycles = 3_000_000_000): string {
    for (let done = 0; ; done += STEP) {
      const rest = (this.out[who] ?? '').slice(this.marks[who] ?? 0);
      const m = typeof pattern === 'string' ? rest.indexOf(pattern) : rest.search(pattern);
      if (m >= 0) {
        const len =
          typeof pattern === 'string' ? pattern.length : (rest.slice(m).match(pattern) as RegExpMatchArray)[0].length;
        this.marks[who] = (this.marks[who] ?? 0) + m + len;
        return lf(rest.slice(0, m + len));
      }
      if (done >= maxCycles || this.stop)
        throw new Error(
          `${who} never showed ${String(pattern)}; stop: ${JSON.stringify(this.stop)}; since the last match:\n${rest}`,
        );
      const r = this.machine.run(STEP);
      if (r && r.kind !== 'idle') this.stop = r;
    }
  }

  /** Run `cycles` more cycles of machine time. */
  run(cycles: number): void {
    for (let done = 0; done < cycles && !this.stop; done += STEP) {
      const r = this.machine.run(STEP);
      if (r && r.kind !== 'idle') this.stop = r;
    }
  }

  type(who: string, text: string): void {
    const bytes = Buffer.from(text, 'latin1');
    if (who === 'ctl') return this.machine.uart.input(bytes);
    const p = [...this.hv.partitions.values()].find((x) => x.name === who);
    if (!p) throw new Error(`no partition named ${who}`);
    this.hv.consoleInput(p.id, bytes);
  }

  /** Type a line at `who` and return what it printed up to its next prompt (without the echo). */
  cmd(who: string, line: string): string {
    this.type(who, line + '\r');
    const text = this.expect(who, promptOf(who));
    const echo = line + '\n';
    expect(text.startsWith(echo), `echo of '${line}' on ${who}: ${JSON.stringify(text)}`).toBe(true);
    return text.slice(echo.length, text.length - promptOf(who).length);
  }

  /** Boot until ctl and the three clients of the default parttab (cos, swos, cos2) show their prompts. */
  booted(): string {
    const text = this.expect('ctl', 'ctl> ');
    this.expect('cos', 'cos> ');
    this.expect('swos', 'swos$ ');
    this.expect('cos2', 'cos> ');
    return text;
  }
}

/** Where the OS image of disk partition `n` ends when loaded (whole blocks from its load address), in hex. */
export function imageEnd(r: HvRun, n: number): string {
  const h = scanBootEntries(r.machine.desc.disks ?? [], r.machine.mem.size).entries.find(
    (e) => e.partition === n,
  )?.header;
  const end = (h?.loadAddress ?? 0) + Math.ceil((h?.imageSize ?? 0) / 512) * 512;
  expect(end).toBeGreaterThan(64 << 10); // the tests use it as "does not fit in 64 KiB"
  return end.toString(16);
}

export async function bootCtl(opts: { cpus?: number; memBytes?: number } = {}): Promise<HvRun> {
  return new HvRun(await defaultImage(), opts);
}

/**
 * The default disk plus one bootable raw partition per test OS of test/guests/fixtures (4, 5, ...):
 * `NAME.s` assembled, installed as OS image "NAME 1" (shrink-wrapped: no boot info).
 */
export async function diskWithClients(names: string[] = ['ctlclient']): Promise<Uint8Array> {
  const base = await defaultImage();
  const old = DiskImage.open(new MemoryBlockBackend(base.length / BLOCK_SIZE, true, base));
  if (old instanceof Error) throw old;
  const extra = 2048;
  const backend = new MemoryBlockBackend(base.length / BLOCK_SIZE + extra * names.length);
  backend.data.set(base);
  const disk = DiskImage.format(backend);
  if (disk instanceof Error) throw disk;
  for (const p of old.table.partitions) {
    const r = disk.addPartition({ type: p.type, first: p.first, blocks: p.blocks, name: p.name, bootable: p.bootable });
    if (r instanceof Error) throw r;
  }
  names.forEach((name, i) => {
    const client = assembleFile(join(ROOT, 'test', 'guests', 'fixtures', `${name}.s`));
    if (!client.ok) throw new Error(`${name}.s does not assemble: ${JSON.stringify(client.diagnostics.slice(0, 3))}`);
    const start = base.length / BLOCK_SIZE + extra * i;
    const added = disk.addPartition({ type: 'raw', first: start, blocks: extra, name, bootable: true });
    if (added instanceof Error) throw added;
    const h = disk.installOsImage(added.number, {
      loadAddress: client.base,
      entry: client.entry,
      image: client.bytes,
      fsOffset: 0,
      flags: 0,
      name: `${name} 1`,
    });
    if (h instanceof Error) throw h;
  });
  expect(disk.fsck()).toEqual([]);
  return backend.data;
}
