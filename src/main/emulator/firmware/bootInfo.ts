/**
 * The boot info (docs/boot.md#boot-info-m8): a flat, little-endian description of the machine that an
 * OS written in assembly can walk. The firmware writes it for the whole machine in dual boot; the
 * hypervisor (a later issue) will write one per partition showing only that partition's resources.
 */
import type { IoNode, NodeKind } from '../machine/board.js';
import { flatten, TIMEBASE } from '../machine/board.js';

export const BOOT_INFO_MAGIC = 0x49424448; // 'HDBI'
export const BOOT_INFO_ADDR = 0x8000;
export const BOOT_INFO_MAX = 0x4000;
const HEADER_BYTES = 64;
const NODE_BYTES = 32;

/** Node kind numbers of docs/boot.md. */
export const NODE_KIND: Record<'memory' | 'cpu' | NodeKind, number> = {
  memory: 1,
  cpu: 2,
  bus: 3,
  intc: 4,
  uart: 5,
  sysctl: 6,
  rtc: 7,
  controller: 8,
  disk: 9,
  nic: 10,
};

export const BI = {
  magic: 0,
  version: 4,
  totalSize: 8,
  nodeCount: 12,
  nodeOffset: 16,
  stringOffset: 20,
  ramBase: 24,
  ramSize: 28,
  cpuCount: 32,
  timebase: 36,
  bootCpu: 40,
  apEntry: 44,
  cmdline: 48,
  partitionId: 52,
  bootDisk: 56,
  bootPartition: 60,
} as const;

export interface BootInfoInput {
  ramBase: number;
  ramSize: number;
  cpus: number[];
  /** The device tree the OS may see (its root and everything below). */
  tree: IoNode;
  /** Kind-specific words by node id (disk size in blocks, the console flag, MAC). */
  extra?: Record<string, [number, number]>;
  bootCpu: number;
  partitionId: number;
  bootDisk?: string;
  bootPartition?: number;
  cmdline?: string;
}

interface RawNode {
  kind: number;
  parent: number;
  base: number;
  size: number;
  irq: number;
  id: string;
  x0: number;
  x1: number;
}

/** Build the blob. Node 0 is memory, then one node per pCPU, then the I/O tree depth-first. */
export function buildBootInfo(input: BootInfoInput): Uint8Array {
  const nodes: RawNode[] = [];
  nodes.push({ kind: 1, parent: -1, base: input.ramBase, size: input.ramSize, irq: 0, id: 'memory', x0: 0, x1: 0 });
  for (const c of input.cpus)
    nodes.push({ kind: 2, parent: -1, base: c, size: 0, irq: 0, id: `cpu${c}`, x0: TIMEBASE, x1: 0 });
  const first = nodes.length;
  for (const { node, parent } of flatten(input.tree)) {
    const [x0, x1] = input.extra?.[node.id] ?? [0, 0];
    nodes.push({
      kind: NODE_KIND[node.kind],
      parent: parent < 0 ? -1 : first + parent,
      base: node.base ?? 0,
      size: node.size ?? 0,
      irq: node.irq ?? 0,
      id: node.id,
      x0,
      x1,
    });
  }
  // String table: ids, then the command line.
  const strings: number[] = [0];
  const strOff = (s: string) => {
    const at = strings.length;
    for (const ch of s) strings.push(ch.charCodeAt(0) & 0x7f);
    strings.push(0);
    return at;
  };
  const idOffsets = nodes.map((n) => strOff(n.id));
  const cmdline = input.cmdline ? strOff(input.cmdline) : 0;
  const stringBase = HEADER_BYTES + nodes.length * NODE_BYTES;
  const total = (stringBase + strings.length + 3) & ~3;
  if (total > BOOT_INFO_MAX) throw new RangeError(`boot info of ${total} bytes does not fit in ${BOOT_INFO_MAX}`);
  const buf = new Uint8Array(total);
  const v = new DataView(buf.buffer);
  const u32 = (o: number, x: number) => v.setUint32(o, x >>> 0, true);
  u32(BI.magic, BOOT_INFO_MAGIC);
  u32(BI.version, 1);
  u32(BI.totalSize, total);
  u32(BI.nodeCount, nodes.length);
  u32(BI.nodeOffset, HEADER_BYTES);
  u32(BI.stringOffset, stringBase);
  u32(BI.ramBase, input.ramBase);
  u32(BI.ramSize, input.ramSize);
  u32(BI.cpuCount, input.cpus.length);
  u32(BI.timebase, TIMEBASE);
  u32(BI.bootCpu, input.bootCpu);
  u32(BI.apEntry, 0);
  u32(BI.cmdline, cmdline);
  u32(BI.partitionId, input.partitionId);
  u32(BI.bootDisk, input.bootDisk === undefined ? -1 : nodes.findIndex((n) => n.id === input.bootDisk));
  u32(BI.bootPartition, input.bootPartition ?? 0);
  nodes.forEach((n, i) => {
    const o = HEADER_BYTES + i * NODE_BYTES;
    u32(o, n.kind);
    u32(o + 4, n.parent);
    u32(o + 8, n.base);
    u32(o + 12, n.size);
    u32(o + 16, n.irq);
    u32(o + 20, idOffsets[i]);
    u32(o + 24, n.x0);
    u32(o + 28, n.x1);
  });
  buf.set(strings, stringBase);
  return buf;
}

export interface ParsedBootInfo {
  ramBase: number;
  ramSize: number;
  cpuCount: number;
  timebase: number;
  bootDisk: number;
  bootPartition: number;
  apEntry: number;
  nodes: {
    kind: number;
    parent: number;
    base: number;
    size: number;
    irq: number;
    id: string;
    x0: number;
    x1: number;
  }[];
}

/** Read a blob back (tests, the debugger). Throws on a malformed blob: it is our own output. */
export function parseBootInfo(buf: Uint8Array): ParsedBootInfo {
  const v = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const u = (o: number) => v.getUint32(o, true);
  const i = (o: number) => v.getInt32(o, true);
  if (u(BI.magic) !== BOOT_INFO_MAGIC) throw new Error('boot info: bad magic');
  const strAt = (o: number) => {
    let s = '';
    for (let p = u(BI.stringOffset) + o; buf[p] !== 0 && p < buf.length; p++) s += String.fromCharCode(buf[p]);
    return s;
  };
  const nodes = [];
  for (let n = 0; n < u(BI.nodeCount); n++) {
    const o = u(BI.nodeOffset) + n * NODE_BYTES;
    nodes.push({
      kind: u(o),
      parent: i(o + 4),
      base: u(o + 8),
      size: u(o + 12),
      irq: u(o + 16),
      id: strAt(u(o + 20)),
      x0: u(o + 24),
      x1: u(o + 28),
    });
  }
  return {
    ramBase: u(BI.ramBase),
    ramSize: u(BI.ramSize),
    cpuCount: u(BI.cpuCount),
    timebase: u(BI.timebase),
    bootDisk: i(BI.bootDisk),
    bootPartition: u(BI.bootPartition),
    apEntry: u(BI.apEntry),
    nodes,
  };
}
