/**
 * The access rule every word-register device shares (docs/devices.md): registers are 32-bit words
 * at 4-aligned offsets; a byte or halfword access, or an offset with no register, is not handled
 * (the guest gets ACCESS_FAULT) and is counted in the device's metrics (Firecracker's rule).
 * A device implements only its register map.
 */
import type { MmioDevice, Width } from '../bus/Bus.js';

export abstract class WordDevice implements MmioDevice {
  abstract readonly id: string;
  abstract readonly size: number;
  abstract readonly metrics: { badAccesses: number };

  /** The register at `offset`, or undefined when there is none. */
  protected abstract readReg(offset: number): number | undefined;
  /** Write the register at `offset`; false when there is none (or it is read-only). */
  protected abstract writeReg(offset: number, value: number): boolean;

  read(offset: number, width: Width): number | undefined {
    const v = width === 4 ? this.readReg(offset) : undefined;
    if (v === undefined) this.metrics.badAccesses++;
    return v;
  }

  write(offset: number, width: Width, value: number): boolean {
    const ok = width === 4 && this.writeReg(offset, value);
    if (!ok) this.metrics.badAccesses++;
    return ok;
  }
}
