/**
 * Scenario tests of the hypervisor drive its mechanism directly, the way the Controlling OS does
 * through the control API, with small assembly guests (test/hypervisor/guests) or the real OSes.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { formatDiagnostic } from '../../src/main/asm/index.js';
import { MemoryBlockBackend } from '../../src/main/emulator/devices/disk/BlockBackend.js';
import { readBootImage, scanBootEntries } from '../../src/main/emulator/firmware/Firmware.js';
import type { Hypervisor } from '../../src/main/emulator/hypervisor/Hypervisor.js';
import type { Partition } from '../../src/main/emulator/hypervisor/Partition.js';
import type { Machine } from '../../src/main/emulator/machine/Machine.js';
import { PowerOnError, powerOn } from '../../src/main/engine/powerOn.js';
import type { ParallelRunner } from '../../src/main/emulator/machine/parallel.js';
import type { SwapStore } from '../../src/main/emulator/hypervisor/swap.js';
import { assembleFile } from '../../src/main/host/assembleFile.js';
import { defaultImage } from '../guests/boot.js';

export interface Guest {
  bytes: Uint8Array;
  loadAddress: number;
  entry: number;
  cooperative: boolean;
}

export function testGuest(name: string): Guest {
  const r = assembleFile(fileURLToPath(new URL(`./guests/${name}.s`, import.meta.url)));
  if (!r.ok) throw new Error(r.diagnostics.map(formatDiagnostic).join('\n'));
  return { bytes: r.bytes, loadAddress: r.base, entry: r.entry, cooperative: false };
}

export class HvWorld {
  readonly machine: Machine;
  readonly hv: Hypervisor;
  readonly out = new Map<string, string>();
  /** Partition 0's memory handed out from the top, 64 KiB below the top first. */
  private nextTop: number;
  readonly disk: MemoryBlockBackend;

  constructor(opts: {
    cpus?: number;
    memBytes?: number;
    diskImage: Uint8Array;
    swap?: SwapStore;
    reserveBytes?: number;
    /** RAM other threads can share, so that `parallel` may run the pCPUs (engine/threads.ts). */
    sharedMemory?: boolean;
    /** The pCPUs' engine (Machine's default: the interpreter). */
    engine?: 'interp' | 'jit';
    /** Network cards on the board (default 1). */
    nics?: number;
  }) {
    this.disk = new MemoryBlockBackend(opts.diskImage.length / 512, false, opts.diskImage);
    // The app's power-on (docs/architecture.md#power-on), with a small test guest as ctl; the rtc
    // starts at 0 as these scenarios always had it.
    const powered = powerOn(
      {
        mode: 'hypervisor',
        cpus: opts.cpus ?? 1,
        memBytes: opts.memBytes ?? 64 << 20,
        engine: opts.engine,
        ...(opts.nics !== undefined ? { nics: opts.nics } : {}),
        console: { write: (b) => this.put('ctl', b) },
        consoleFor: (p) => ({ write: (b) => this.put(p.name, b) }),
        rtcEpochSeconds: 0,
        swap: opts.swap,
        reserveBytes: opts.reserveBytes,
        threads: opts.sharedMemory,
        ctl: { ...testGuest('idle'), name: 'ctl' },
      },
      [this.disk],
    );
    if (powered instanceof PowerOnError) throw new Error(powered.message);
    this.machine = powered.machine;
    this.hv = powered.hv!;
    this.nextTop = this.hv.usableBytes;
  }

  private put(name: string, b: number): void {
    this.out.set(name, (this.out.get(name) ?? '') + String.fromCharCode(b));
  }

  output(name: string): string {
    return this.out.get(name) ?? '';
  }

  /** What ctl does for a partition: create, give a pCPU and memory holding the image, start. */
  launch(
    id: number,
    name: string,
    guest: Guest,
    opts: {
      memBytes?: number;
      cpu?: number;
      /** One vCPU per entry, pinned to that pCPU (instead of `cpu`). */
      cpus?: number[];
      grantDiskPartition?: number;
      paravirtNet?: boolean;
      technique?: 'paravirtual' | 'hardware' | 'trap-emulate';
    } = {},
  ): Partition {
    const size = opts.memBytes ?? 4 << 20;
    this.nextTop -= size;
    const base = this.nextTop;
    const ctl = this.hv.partitions.get(0) as Partition;
    this.hv.create(id, name);
    const p = this.hv.partitions.get(id) as Partition;
    for (const pcpu of opts.cpus ?? [opts.cpu ?? 0]) this.hv.addVcpu(p, pcpu);
    // The image goes into ctl's memory first, then the memory (with the image) goes to the client.
    this.hv.writeGuest(ctl, base + guest.loadAddress, guest.bytes);
    const err = this.hv.moveMemory(ctl, p, base, size);
    if (err) throw new Error(err.message);
    if (opts.grantDiskPartition) p.diskGrants.set('disk0', new Set([opts.grantDiskPartition]));
    if (opts.paravirtNet !== undefined) p.paravirtNet = opts.paravirtNet;
    if (opts.technique) p.technique = opts.technique;
    const e = this.hv.start(id, guest.entry, guest.cooperative ? 1 : 0);
    if (e) throw new Error(e.message);
    return p;
  }

  /** A bootable OS from the default disk (cos or swos). */
  diskOs(name: string): Guest & { partition: number } {
    const { entries } = scanBootEntries([this.disk], this.machine.mem.size);
    const e = entries.find((x) => x.header.name.startsWith(name));
    if (!e) throw new Error(`no ${name} on the disk`);
    const bytes = readBootImage([this.disk], e);
    if (typeof bytes === 'string') throw new Error(bytes);
    return {
      bytes,
      loadAddress: e.header.loadAddress,
      entry: e.header.entry,
      cooperative: (e.header.flags & 1) === 1,
      partition: e.partition,
    };
  }

  /** When set, the pCPUs run on threads of their own (real SMP); else on this thread, deterministically. */
  parallel: ParallelRunner | undefined;

  /** Run the machine for `cycles` (one step, on threads when `parallel` is set). */
  step(cycles: number): void {
    if (this.parallel) this.parallel.run(cycles);
    else this.machine.run(cycles);
  }

  run(cycles: number): void {
    const step = 1_000_000;
    for (let done = 0; done < cycles && !this.machine.stopped; done += step) this.step(step);
  }

  /** Run until `text` appears on guest `name`'s console. */
  expect(name: string, text: string | RegExp, maxCycles = 2_000_000_000): void {
    const step = 1_000_000;
    const seen = () => (typeof text === 'string' ? this.output(name).includes(text) : text.test(this.output(name)));
    for (let done = 0; done < maxCycles && !seen(); done += step) this.step(step);
    if (!seen()) throw new Error(`${name} never showed ${String(text)}; it showed:\n${this.output(name)}`);
  }

  type(id: number, s: string): void {
    this.hv.consoleInput(id, Buffer.from(s, 'latin1'));
  }

  /** Type `cmd` at cos client `id` (console `name`) and run until its next prompt; the text in between. */
  command(id: number, name: string, cmd: string, maxSteps = 4000): string {
    const before = this.output(name).length;
    this.type(id, cmd + '\r');
    const done = () => this.output(name).slice(before).includes('cos> ');
    for (let i = 0; i < maxSteps && !done(); i++) this.run(1_000_000);
    const out = this.output(name).slice(before).replace(/\r\n/g, '\n');
    if (!done()) throw new Error(`${name}: "${cmd}" did not finish; it showed:\n${out}`);
    return out.slice(out.indexOf('\n') + 1, out.lastIndexOf('cos> '));
  }
}

/** Two cos clients, cos1 (partition 1) and cos2 (partition 2), 8 MiB each, booted to their prompts. */
export async function twoCos(opts: { paravirtNet?: boolean } = {}): Promise<HvWorld> {
  const w = await world();
  const cos = w.diskOs('cos');
  w.launch(1, 'cos1', cos, { memBytes: 8 << 20, grantDiskPartition: cos.partition, ...opts });
  w.launch(2, 'cos2', cos, { memBytes: 8 << 20, grantDiskPartition: cos.partition, ...opts });
  w.expect('cos1', 'cos> ');
  w.expect('cos2', 'cos> ');
  return w;
}

export async function world(
  opts: { cpus?: number; memBytes?: number; swap?: SwapStore; nics?: number } = {},
): Promise<HvWorld> {
  return new HvWorld({ ...opts, diskImage: await defaultImage() });
}

export function readText(path: string): string {
  return readFileSync(path, 'utf8');
}
