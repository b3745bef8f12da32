/**
 * Boot a guest OS in-process and drive its console, for tests (docs/boot.md). The disk image is
 * built from resources/ when missing or stale and copied into memory, so tests never change it.
 */
import { readFileSync } from 'node:fs';
import { MemoryBlockBackend, BLOCK_SIZE } from '../../src/main/emulator/devices/disk/BlockBackend.js';
import type { Firmware, FirmwareOptions } from '../../src/main/emulator/firmware/Firmware.js';
import { PowerOnError, powerOn, type PoweredMachine } from '../../src/main/engine/powerOn.js';
import { ConsoleDriver } from './driver.js';
import { ensureDisks } from '../../src/main/host/disks.js';

export interface BootOptions extends FirmwareOptions {
  cpus?: number;
  memBytes?: number;
}

/** A machine with the image as disk0, powered on through the firmware, console 0 driven here. */
export class GuestConsole extends ConsoleDriver {
  readonly firmware: Firmware;

  constructor(image: Uint8Array, opts: BootOptions) {
    let powered: PoweredMachine | undefined;
    super(
      (console) => {
        const disk = new MemoryBlockBackend(image.length / BLOCK_SIZE, false, image);
        // The app's power-on (docs/architecture.md#power-on).
        const r = powerOn(
          {
            mode: 'dualboot',
            cpus: opts.cpus ?? 1,
            memBytes: opts.memBytes ?? 32 << 20,
            console,
            rtcEpochSeconds: 1_800_000_000,
            select: opts.select,
            timeoutSeconds: opts.timeoutSeconds,
          },
          [disk],
        );
        if (r instanceof PowerOnError) throw new Error(r.message);
        powered = r;
        return r.machine;
      },
      (_m, cycles) => powered!.run(cycles),
    );
    this.firmware = powered!.fw!;
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
