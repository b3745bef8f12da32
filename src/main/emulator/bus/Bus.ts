/**
 * The physical bus: which device answers a physical address outside RAM (docs/isa.md#memory-map).
 * Ranges are half-open [base, base+size); a device sees only offsets into its own range
 * (Firecracker's rule), and answers 'handled' or 'unhandled' (Jailhouse's rule). An unhandled access
 * is a guest error, not an emulator error: the CPU raises ACCESS_FAULT.
 */
export type Width = 1 | 2 | 4;

export interface MmioDevice {
  /** Stable id for the device tree and logs, e.g. "uart0". */
  readonly id: string;
  readonly size: number;
  /** Value read, or undefined when the offset/width has no register. */
  read(offset: number, width: Width): number | undefined;
  /** True when handled. */
  write(offset: number, width: Width, value: number): boolean;
  saveState?(): unknown;
  restoreState?(s: unknown): void;
}

interface Mapping {
  base: number;
  end: number;
  device: MmioDevice;
}

export class Bus {
  private readonly maps: Mapping[] = [];
  /** Accesses nobody answered (counted, like Firecracker's metrics). */
  unhandled = 0;

  attach(base: number, device: MmioDevice): void {
    const b = base >>> 0;
    const end = b + device.size;
    for (const m of this.maps) {
      if (b < m.end && m.base < end) {
        throw new Error(
          `device ${device.id} at 0x${b.toString(16)} overlaps ${m.device.id} at 0x${m.base.toString(16)}`,
        );
      }
    }
    this.maps.push({ base: b, end, device });
    this.maps.sort((x, y) => x.base - y.base);
  }

  /** Detach every device (a partition's virtual devices are rebuilt on each start). */
  clear(): void {
    this.maps.length = 0;
  }

  find(pa: number): Mapping | undefined {
    const a = pa >>> 0;
    for (const m of this.maps) if (a >= m.base && a < m.end) return m;
    return undefined;
  }

  read(pa: number, width: Width): number | undefined {
    const m = this.find(pa);
    const v = m?.device.read((pa >>> 0) - m.base, width);
    if (v === undefined) this.unhandled++;
    return v;
  }

  write(pa: number, width: Width, value: number): boolean {
    const m = this.find(pa);
    const ok = m?.device.write((pa >>> 0) - m.base, width, value) ?? false;
    if (!ok) this.unhandled++;
    return ok;
  }

  devices(): { base: number; device: MmioDevice }[] {
    return this.maps.map((m) => ({ base: m.base, device: m.device }));
  }
}
