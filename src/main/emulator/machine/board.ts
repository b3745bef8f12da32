/**
 * The I/O tree of the board, declared once (docs/devices.md#the-io-tree-and-the-physical-map): buses,
 * controllers and devices with their MMIO windows and interrupt sources. The machine attaches devices
 * from it, the firmware describes it in the boot info, and the hypervisor (a later issue) assigns
 * whole subtrees of it to partitions (M5).
 */
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

export const TIMEBASE = 250_000_000;

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

export const DEVICE_ID = {
  uart: 0x54524155,
  sysctl: 0x4c544353,
  rtc: 0x20435452,
  intc: 0x43544e49,
  disk: 0x4b534944,
  nic: 0x2043494e,
} as const;

/** Identity and version registers every device window has (docs/devices.md). */
export const ID_OFFSET = 0xff0;
export const VERSION_OFFSET = 0xff4;

export interface BoardOptions {
  /** Number of disks (0..8): disk i at ADDR.disk0 + i * 0x1000, irq 3 + i. */
  disks: number;
  /** Number of network cards (0..4): nic i at ADDR.nic0 + i * 0x1000, irq 16 + i (nic0 keeps irq 5). */
  nics: number;
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
    leaf(`disk${i}`, 'disk', ADDR.disk0 + i * 0x1000, 0x1000, 3 + i),
  );
  const nics = Array.from({ length: o.nics }, (_, i) =>
    leaf(`nic${i}`, 'nic', ADDR.nic0 + i * 0x1000, 0x1000, i === 0 ? 5 : 15 + i),
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
