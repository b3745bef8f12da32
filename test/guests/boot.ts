/**
 * Boot a guest OS in-process and drive its console, for tests (docs/boot.md). The disk image is
 * built from resources/ when missing or stale and copied into memory, so tests never change it.
 */
import { readFileSync } from 'node:fs';
import { MemoryBlockBackend, BLOCK_SIZE } from '../../src/main/emulator/devices/disk/BlockBackend.js';
import { Firmware, type FirmwareOptions } from '../../src/main/emulator/firmware/Firmware.js';
import { Machine } from '../../src/main/emulator/machine/Machine.js';
import { ConsoleDriver } from './driver.js';
import { ensureDisks } from '../../scripts/build-disks.js';

export interface BootOptions extends FirmwareOptions {
  cpus?: number;
  memBytes?: number;
}

/** A machine with the image as disk0, powered on through the firmware, console 0 driven here. */
export class GuestConsole extends ConsoleDriver {
  readonly firmware: Firmware;

  constructor(image: Uint8Array, opts: BootOptions) {
    let fw: Firmware | undefined;
    super(
      (console) => {
        const disk = new MemoryBlockBackend(image.length / BLOCK_SIZE, false, image);
        const m = new Machine({
          cpus: opts.cpus ?? 1,
          memBytes: opts.memBytes ?? 32 << 20,
          console,
          disks: [disk],
          rtcEpochSeconds: 1_800_000_000,
        });
        fw = new Firmware(m, opts);
        fw.powerOn();
        return m;
      },
      (_m, cycles) => (fw as Firmware).run(cycles),
    );
    this.firmware = fw as Firmware;
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
