/**
 * System control (docs/devices.md#sysctl): the bare machine's way to stop with an exit code, reset,
 * and send an inter-processor interrupt. Registers (offsets):
 *   +0x00 EXIT   write: stop the machine; the value is the exit code (reads 0)
 *   +0x04 IPI    write: raise the ipi line of the pCPU with that number (reads 0; no such pCPU:
 *                ACCESS_FAULT)
 *   +0x08 NCPU   read: number of pCPUs
 *   +0x0C RESET  write: any value: reset the machine (reads 0)
 *   +0xFF0 identity 'SCTL', +0xFF4 version
 */
import type { MmioDevice, Width } from '../../bus/Bus.js';
import { DEVICE_ID, identityRegister } from '../identity.js';

export const SYSCTL_EXIT = 0x00;
export const SYSCTL_IPI = 0x04;
export const SYSCTL_NCPU = 0x08;
export const SYSCTL_RESET = 0x0c;

export interface SysctlHost {
  exit(code: number): void;
  /** False when there is no such pCPU. */
  sendIpi(cpu: number): boolean;
  cpuCount(): number;
  reset(): void;
}

export interface SysctlState {
  metrics: { badAccesses: number };
}

export class Sysctl implements MmioDevice {
  readonly size = 0x1000;
  readonly metrics = { badAccesses: 0 };

  constructor(
    readonly id: string,
    private readonly host: SysctlHost,
  ) {}

  read(offset: number, width: Width): number | undefined {
    let v: number | undefined;
    if (width === 4) {
      if (offset === SYSCTL_NCPU) v = this.host.cpuCount();
      else if (offset === SYSCTL_EXIT || offset === SYSCTL_IPI || offset === SYSCTL_RESET) v = 0;
      else v = identityRegister(offset, DEVICE_ID.sysctl);
    }
    if (v === undefined) this.metrics.badAccesses++;
    return v;
  }

  write(offset: number, width: Width, value: number): boolean {
    let ok = false;
    if (width === 4) {
      if (offset === SYSCTL_EXIT) {
        this.host.exit(value | 0);
        ok = true;
      } else if (offset === SYSCTL_IPI) ok = this.host.sendIpi(value >>> 0);
      else if (offset === SYSCTL_RESET) {
        this.host.reset();
        ok = true;
      }
    }
    if (!ok) this.metrics.badAccesses++;
    return ok;
  }

  saveState(): SysctlState {
    return { metrics: { ...this.metrics } };
  }

  restoreState(s: unknown): void {
    Object.assign(this.metrics, (s as SysctlState).metrics);
  }
}
