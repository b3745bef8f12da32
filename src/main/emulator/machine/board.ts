/**
 * The I/O tree of the board, declared once (docs/devices.md#the-io-tree-and-the-physical-map): buses,
 * controllers and devices with their MMIO windows and interrupt sources. The machine attaches devices
 * from it, the firmware describes it in the boot info, and the hypervisor (a later issue) assigns
 * whole subtrees of it to partitions (M5).
 */
import { RTC_TIMEBASE } from '../devices/rtc/Rtc.js';

export type NodeKind = 'bus' | 'intc' | 'uart' | 'sysctl' | 'rtc' | 'controller' | 'disk' | 'nic';

export interface IoNode {
  readonly id: string;
  readonly kind: NodeKind;
  /** MMIO window (absent for buses and controllers without registers of their own). */
  readonly base?: number;
  readonly size?: number;
  /** Interrupt source number at the intc (1..31), absent when the device has none. */
  readonly irq?: number;
  readonly children: readonly IoNode[];
}

/** Nominal clock: cycles per emulated second (boot info `timebase`). */
export const TIMEBASE = RTC_TIMEBASE;

export const ADDR = {
  uart0: 0xf000_0000,
  sysctl: 0xf000_1000,
  rtc: 0xf000_2000,
  uart1: 0xf000_3000,
  intc: 0xf001_0000,
  disk0: 0xf002_0000,
  nic0: 0xf003_0000,
} as const;

export const IRQ_LINE = { uart0: 1, uart1: 2, disk0: 3, nic0: 5 } as const;

// Identity and version registers every device window has (docs/devices.md); defined with the devices.
export { DEVICE_ID, ID_OFFSET, VERSION_OFFSET } from '../devices/identity.js';

export interface BoardOptions {
  /** Number of disks (0..8): disk i at ADDR.disk0 + i * 0x1000, irq `diskIrq(i)` (3, 4, then 6..11). */
  disks: number;
  /** Number of network cards (0..4): nic i at ADDR.nic0 + i * 0x1000, irq `nicIrq(i)` (5, then 16..18). */
  nics: number;
}

/** Interrupt source of disk i: disk0 3, disk1 4 (docs/devices.md), further disks skip nic0's 5. */
export function diskIrq(i: number): number {
  return i < 2 ? 3 + i : 4 + i;
}

/** Interrupt source of nic i: nic0 5 (docs/devices.md), further nics 16, 17, 18. */
export function nicIrq(i: number): number {
  return i === 0 ? 5 : 15 + i;
}

const leaf = (id: string, kind: NodeKind, base: number, size: number, irq?: number): IoNode => ({
  id,
  kind,
  base,
  size,
  irq,
  children: [],
});

/** The standard board. */
export function standardIoTree(o: BoardOptions): IoNode {
  if (!Number.isInteger(o.disks) || o.disks < 0 || o.disks > 8)
    throw new RangeError(`a board has 0..8 disks, got ${o.disks}`);
  if (!Number.isInteger(o.nics) || o.nics < 0 || o.nics > 4)
    throw new RangeError(`a board has 0..4 nics, got ${o.nics}`);
  const disks = Array.from({ length: o.disks }, (_, i) =>
    leaf(`disk${i}`, 'disk', ADDR.disk0 + i * 0x1000, 0x1000, diskIrq(i)),
  );
  const nics = Array.from({ length: o.nics }, (_, i) =>
    leaf(`nic${i}`, 'nic', ADDR.nic0 + i * 0x1000, 0x1000, nicIrq(i)),
  );
  return {
    id: 'sysbus',
    kind: 'bus',
    base: 0xf000_0000,
    size: 0x10_0000,
    children: [
      leaf('uart0', 'uart', ADDR.uart0, 0x1000, IRQ_LINE.uart0),
      leaf('sysctl', 'sysctl', ADDR.sysctl, 0x1000),
      leaf('rtc', 'rtc', ADDR.rtc, 0x1000),
      leaf('uart1', 'uart', ADDR.uart1, 0x1000, IRQ_LINE.uart1),
      leaf('intc', 'intc', ADDR.intc, 0x2000),
      { id: 'blkctl', kind: 'controller', children: disks },
      { id: 'netctl', kind: 'controller', children: nics },
    ],
  };
}

/** Depth-first list of the nodes of a tree, parents before children. */
export function flatten(root: IoNode): { node: IoNode; parent: number }[] {
  const out: { node: IoNode; parent: number }[] = [];
  const walk = (n: IoNode, parent: number) => {
    const me = out.length;
    out.push({ node: n, parent });
    for (const c of n.children) walk(c, me);
  };
  walk(root, -1);
  return out;
}

/** The subtree rooted at `id` (what assigning that node gives away), or undefined. */
export function subtree(root: IoNode, id: string): IoNode | undefined {
  if (root.id === id) return root;
  for (const c of root.children) {
    const s = subtree(c, id);
    if (s) return s;
  }
  return undefined;
}
