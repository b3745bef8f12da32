/**
 * System control (docs/isa.md#memory-map): the bare machine's way to stop with an exit code, and to
 * send an inter-processor interrupt. Registers (offsets):
 *   +0 EXIT  write: stop the machine; the value is the exit code
 *   +4 IPI   write: raise the ipi line of the pCPU with that number
 *   +8 NCPU  read: number of pCPUs
 */
import type { MmioDevice, Width } from '../../bus/Bus.js';

export interface SysctlHost {
  exit(code: number): void;
  sendIpi(cpu: number): boolean;
  cpuCount(): number;
}

export class Sysctl implements MmioDevice {
  readonly size = 0x1000;
  readonly metrics = { badAccesses: 0 };

  constructor(
    readonly id: string,
    private readonly host: SysctlHost,
  ) {}

  read(offset: number, _width: Width): number | undefined {
    if (offset === 8) return this.host.cpuCount();
    if (offset === 0 || offset === 4) return 0;
    this.metrics.badAccesses++;
    return undefined;
  }

  write(offset: number, _width: Width, value: number): boolean {
    if (offset === 0) {
      this.host.exit(value | 0);
      return true;
    }
    if (offset === 4) return this.host.sendIpi(value >>> 0);
    this.metrics.badAccesses++;
    return false;
  }
}
