/**
 * Builds the devices of an I/O tree (docs/devices.md#the-io-tree-and-the-physical-map): one device per
 * node that has an MMIO window, wired to its interrupt source at the intc and, for DMA-capable
 * devices, to a DMA port. Buses and controllers have no registers and build nothing.
 */
import type { MmioDevice } from '../bus/Bus.js';
import { DiskDevice } from '../devices/disk/DiskDevice.js';
import type { BlockBackend } from '../devices/disk/BlockBackend.js';
import { Intc } from '../devices/intc/Intc.js';
import { NO_IRQ, type InterruptTarget, type IrqLine } from '../devices/irq.js';
import { Nic } from '../devices/nic/Nic.js';
import { Rtc } from '../devices/rtc/Rtc.js';
import { Sysctl, type SysctlHost } from '../devices/sysctl/Sysctl.js';
import { Uart, type ConsoleSink } from '../devices/uart/Uart.js';
import type { DmaPort } from '../dma/DmaPort.js';
import { flatten, type IoNode } from './board.js';

export interface DeviceWiring {
  /** The pCPUs, by number (the intc's contexts). */
  cpus: readonly InterruptTarget[];
  /** Console of uart i (absent: output is discarded). */
  consoles: readonly (ConsoleSink | undefined)[];
  /** Backend of disk i; the tree has exactly as many disks. */
  disks: readonly BlockBackend[];
  /** MAC address of nic i. */
  macs: readonly Uint8Array[];
  rtcEpochSeconds: number;
  /** Machine time in cycles (for the rtc). */
  cycles: () => number;
  /** Hold the pCPU touching a device for `cycles` (a full UART: Cpu.charge). */
  charge: (cycles: number) => void;
  sysctl: SysctlHost;
  /** The DMA port of a device, by node id. */
  dma: (deviceId: string) => DmaPort;
}

export interface DeviceSet {
  /** Every device by node id, in tree order. */
  devices: Map<string, MmioDevice>;
  /** Where each device is attached (its node's base). */
  bases: Map<string, number>;
  uarts: Uart[];
  disks: DiskDevice[];
  nics: Nic[];
  intc: Intc;
  sysctl: Sysctl;
  rtc: Rtc;
}

export function buildDevices(tree: IoNode, w: DeviceWiring): DeviceSet {
  const nodes = flatten(tree).map((e) => e.node);
  const intcNode = nodes.find((n) => n.kind === 'intc');
  const intc = new Intc(intcNode?.id ?? 'intc', w.cpus);
  const line = (n: IoNode): IrqLine => (n.irq === undefined ? NO_IRQ : intc.line(n.irq));
  const devices = new Map<string, MmioDevice>();
  const bases = new Map<string, number>();
  const uarts: Uart[] = [];
  const disks: DiskDevice[] = [];
  const nics: Nic[] = [];
  let sysctl: Sysctl | undefined;
  let rtc: Rtc | undefined;
  for (const n of nodes) {
    if (n.base === undefined || n.kind === 'bus' || n.kind === 'controller') continue;
    let d: MmioDevice;
    switch (n.kind) {
      case 'intc':
        d = intc;
        break;
      case 'uart': {
        const u = new Uart(n.id, w.consoles[uarts.length] ?? { write: () => {} }, line(n), {
          now: w.cycles,
          charge: w.charge,
        });
        uarts.push(u);
        d = u;
        break;
      }
      case 'sysctl':
        d = sysctl = new Sysctl(n.id, w.sysctl);
        break;
      case 'rtc':
        d = rtc = new Rtc(n.id, w.rtcEpochSeconds, w.cycles);
        break;
      case 'disk': {
        const backend = w.disks[disks.length];
        if (!backend) throw new Error(`no backend for ${n.id}`);
        const disk = new DiskDevice(n.id, backend, w.dma(n.id), line(n));
        disks.push(disk);
        d = disk;
        break;
      }
      case 'nic': {
        const nic = new Nic(n.id, w.macs[nics.length], w.dma(n.id), line(n));
        nics.push(nic);
        d = nic;
        break;
      }
      default:
        throw new Error(`node ${n.id} of kind ${n.kind} has a window but no device model`);
    }
    if (n.size !== undefined && n.size !== d.size)
      throw new Error(`node ${n.id}: window ${n.size} != device ${d.size}`);
    devices.set(n.id, d);
    bases.set(n.id, n.base);
  }
  if (!sysctl || !rtc || !intcNode || uarts.length === 0) {
    throw new Error('the I/O tree lacks one of uart, sysctl, rtc, intc');
  }
  return { devices, bases, uarts, disks, nics, intc, sysctl, rtc };
}
