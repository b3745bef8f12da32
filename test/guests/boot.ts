/**
 * Boot a guest OS in-process and drive its console, for tests (docs/boot.md). The disk image is
 * built from resources/ when missing or stale and copied into memory, so tests never change it.
 */
import { readFileSync } from 'node:fs';
import { MemoryBlockBackend, BLOCK_SIZE } from '../../src/main/emulator/devices/disk/BlockBackend.js';
import { Firmware, type FirmwareOptions } from '../../src/main/emulator/firmware/Firmware.js';
import { Machine, type StopReport } from '../../src/main/emulator/machine/Machine.js';
import { ensureDisks } from '../../scripts/build-disks.js';

export interface BootOptions extends FirmwareOptions {
  cpus?: number;
  memBytes?: number;
}

export class GuestConsole {
  private text = '';
  /** Where the next `expect` starts looking. */
  private mark = 0;
  readonly machine: Machine;
  readonly firmware: Firmware;
  stop: StopReport | null = null;

  constructor(image: Uint8Array, opts: BootOptions) {
    const disk = new MemoryBlockBackend(image.length / BLOCK_SIZE, false, image);
    this.machine = new Machine({
      cpus: opts.cpus ?? 1,
      memBytes: opts.memBytes ?? 32 << 20,
      console: { write: (b) => (this.text += String.fromCharCode(b)) },
      disks: [disk],
      rtcEpochSeconds: 1_800_000_000,
    });
    this.firmware = new Firmware(this.machine, opts);
    this.firmware.powerOn();
  }

  /** Everything the console printed. */
  get output(): string {
    return this.text;
  }

  type(s: string): void {
    this.machine.uart.input(Buffer.from(s, 'latin1'));
  }

  /**
   * Run until `pattern` appears in the output after the previous match (or the machine stops, or
   * `maxCycles` pass). Returns the output from the previous match to the end of this one.
   */
  expect(pattern: string | RegExp, maxCycles = 2_000_000_000): string {
    const step = 1_000_000;
    for (let done = 0; done < maxCycles && !this.stop; done += step) {
      const found = this.search(pattern);
      if (found >= 0) return this.take(found);
      this.stop = this.firmware.run(step);
      if (this.stop?.kind === 'idle') this.stop = null;
    }
    const found = this.search(pattern);
    if (found >= 0) return this.take(found);
    throw new Error(
      `console never showed ${String(pattern)}; stop: ${JSON.stringify(this.stop)}; output since last match:\n${this.text.slice(this.mark)}`,
    );
  }

  /** Run until the machine stops (halt, unhandled trap) or `maxCycles` pass. */
  runToStop(maxCycles = 2_000_000_000): StopReport | null {
    const step = 1_000_000;
    for (let done = 0; done < maxCycles && !this.stop; done += step) {
      const r = this.firmware.run(step);
      if (r && r.kind !== 'idle') this.stop = r;
    }
    return this.stop;
  }

  private search(p: string | RegExp): number {
    const rest = this.text.slice(this.mark);
    if (typeof p === 'string') {
      const i = rest.indexOf(p);
      return i < 0 ? -1 : this.mark + i + p.length;
    }
    const m = new RegExp(p.source, p.flags.replace('g', '')).exec(rest);
    return m ? this.mark + m.index + m[0].length : -1;
  }

  private take(end: number): string {
    const s = this.text.slice(this.mark, end);
    this.mark = end;
    return s;
  }
}

let cachedImage: Uint8Array | undefined;

/** The default disk image (built from resources/ if needed), as bytes. */
export async function defaultImage(): Promise<Uint8Array> {
  if (!cachedImage) cachedImage = new Uint8Array(readFileSync(await ensureDisks()));
  return cachedImage;
}

export async function bootGuest(opts: BootOptions = {}): Promise<GuestConsole> {
  return new GuestConsole(await defaultImage(), opts);
}
