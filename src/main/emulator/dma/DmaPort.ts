/**
 * What a DMA-capable device holds: its view of memory through its current DMA domain. The machine
 * binds a port to a device id, so giving the device another domain (`Machine.setDmaDomain`) takes
 * effect on its next transfer without the device knowing.
 */
import type { PhysicalMemory } from '../memory/PhysicalMemory.js';
import type { DmaFault, DmaTable } from './DmaTable.js';

export interface DmaPort {
  /** Read `len` bytes at bus address `bus`, or a fault (nothing read). */
  read(bus: number, len: number): Uint8Array | DmaFault;
  /** Write `bytes` at bus address `bus`, or a fault (nothing written). */
  write(bus: number, bytes: Uint8Array): true | DmaFault;
}

/** A port through whatever table `domain()` returns at the time of each transfer. */
export function dmaPort(mem: PhysicalMemory, domain: () => DmaTable): DmaPort {
  return {
    read: (bus, len) => domain().read(mem, bus, len),
    write: (bus, bytes) => domain().write(mem, bus, bytes),
  };
}
