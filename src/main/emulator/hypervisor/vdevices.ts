/**
 * The virtual devices the hypervisor emulates for a partition (M18, docs/hypercalls.md): the same
 * device models as the physical board (uart, sysctl, rtc, intc, disk), wired to the partition instead
 * of the machine, at the standard addresses of docs/devices.md. A guest cannot tell them from real
 * ones (swos finds them by scanning), but every access is a trap to the hypervisor.
 */
import type { ConsoleSink } from '../devices/uart/Uart.js';
import { Uart } from '../devices/uart/Uart.js';
import { Sysctl } from '../devices/sysctl/Sysctl.js';
import { Rtc } from '../devices/rtc/Rtc.js';
import { Intc } from '../devices/intc/Intc.js';
import { DiskDevice } from '../devices/disk/DiskDevice.js';
import { BLOCK_SIZE, type BlockBackend } from '../devices/disk/BlockBackend.js';
import { DmaTable, DMA_RW } from '../dma/DmaTable.js';
import type { PhysicalMemory } from '../memory/PhysicalMemory.js';
import { ADDR, IRQ_LINE, type IoNode } from '../machine/board.js';
import type { Partition } from './Partition.js';
import type { Vcpu } from './Vcpu.js';
import type { Nic } from '../devices/nic/Nic.js';
import type { Bridge } from './net/Bridge.js';
import { addVirtualNic } from './net/vnic.js';

/** The partition's interrupt controller; completing a passed-through source completes it physically. */
export class VirtualIntc extends Intc {
  onComplete?: (source: number) => void;
  override complete(s: number): void {
    super.complete(s);
    this.onComplete?.(s);
  }
}

export interface PartitionHooks {
  console: ConsoleSink;
  shutdown(code: number): void;
  restart(): void;
  now(): number;
  rtcEpochSeconds: number;
  /** Network (issue 4): the bridge a virtual nic0 joins; none: no virtual nic. */
  bridge?: Bridge;
  /** A frame came for its nic while its port was down (swapped out: idle.ts tells ctl). */
  frameWhileDown?: () => void;
}

export interface VirtualDevices {
  intc: VirtualIntc;
  uart?: Uart;
  disk?: DiskDevice;
  nic?: Nic;
  /** What the partition's boot info shows for them. */
  nodes: IoNode[];
}

/**
 * A disk that is a window onto a physical disk: block 0 (the partition table) read-only, and the
 * disk partitions granted to this guest read-write; anything else fails like an I/O error.
 */
export class GrantedDisk implements BlockBackend {
  constructor(
    private readonly backend: BlockBackend,
    private readonly ranges: { start: number; blocks: number }[],
    /** An injected disk write error (faults.ts): true when this write must fail. */
    private readonly writeFault: () => boolean = () => false,
  ) {}
  get blocks(): number {
    return this.backend.blocks;
  }
  get readOnly(): boolean {
    return this.backend.readOnly;
  }
  private allowed(lba: number, count: number, write: boolean): boolean {
    if (!write && lba === 0 && count === 1) return true;
    return this.ranges.some((r) => lba >= r.start && lba + count <= r.start + r.blocks);
  }
  read(lba: number, count: number): Uint8Array | Error {
    if (!this.allowed(lba, count, false))
      return new Error(`blocks ${lba}..${lba + count - 1} are not granted to this partition`);
    return this.backend.read(lba, count);
  }
  write(lba: number, data: Uint8Array): true | Error {
    const count = data.length / BLOCK_SIZE;
    if (!this.allowed(lba, count, true))
      return new Error(`blocks ${lba}..${lba + count - 1} are not granted to this partition`);
    if (this.writeFault()) return new Error(`an injected write error at block ${lba}`);
    return this.backend.write(lba, data);
  }
  flush(): true | Error {
    return this.backend.flush();
  }
}

/**
 * The partition's DMA domain as it is at each transfer: swapping, resizing or moving memory rebuilds
 * it (Hypervisor.remap), and a virtual device that kept the table of its start would go on writing
 * to host memory the partition no longer owns.
 */
function currentDma(p: Partition): () => DmaTable {
  return () => (p.dma ??= partitionDma(p));
}

/** The DMA domain of a partition: bus address = its guest-physical address, nothing else. */
export function partitionDma(p: Partition): DmaTable {
  const t = new DmaTable();
  for (const r of p.memory) t.map(r.gpa, r.hpa, r.size, DMA_RW);
  return t;
}

/**
 * Build the virtual devices of a partition. `physical` lists the device ids it owns for real (those
 * addresses stay with the physical device); the others get a virtual one when there is a model.
 */
export function buildVirtualDevices(
  p: Partition,
  vcpus: Vcpu[],
  mem: PhysicalMemory,
  hooks: PartitionHooks,
  disk: { backend: BlockBackend; ranges: { start: number; blocks: number }[] } | undefined,
): VirtualDevices {
  const nodes: IoNode[] = [];
  const leaf = (id: string, kind: IoNode['kind'], base: number, size: number, irq?: number): IoNode => ({
    id,
    kind,
    base,
    size,
    irq,
    children: [],
  });
  const intc = new VirtualIntc(`p${p.id}.intc`, vcpus);
  p.vbus.attach(ADDR.intc, intc);
  nodes.push(leaf('intc', 'intc', ADDR.intc, 0x2000));
  const owns = (id: string) => p.devices.has(id);
  let uart: Uart | undefined;
  if (!owns('uart0')) {
    uart = new Uart(`p${p.id}.uart0`, hooks.console, intc.line(IRQ_LINE.uart0));
    p.vbus.attach(ADDR.uart0, uart);
    nodes.push(leaf('uart0', 'uart', ADDR.uart0, 0x1000, IRQ_LINE.uart0));
  }
  if (!owns('sysctl')) {
    p.vbus.attach(
      ADDR.sysctl,
      new Sysctl(`p${p.id}.sysctl`, {
        exit: (code) => hooks.shutdown(code),
        reset: () => hooks.restart(),
        cpuCount: () => vcpus.length,
        sendIpi: (n) => {
          const v = vcpus[n];
          if (!v) return false;
          v.setInterrupt(2, true);
          return true;
        },
      }),
    );
    nodes.push(leaf('sysctl', 'sysctl', ADDR.sysctl, 0x1000));
  }
  if (!owns('rtc')) {
    p.vbus.attach(ADDR.rtc, new Rtc(`p${p.id}.rtc`, hooks.rtcEpochSeconds, hooks.now));
    nodes.push(leaf('rtc', 'rtc', ADDR.rtc, 0x1000));
  }
  let vdisk: DiskDevice | undefined;
  if (disk && !owns('disk0')) {
    const table = currentDma(p);
    vdisk = new DiskDevice(
      `p${p.id}.disk0`,
      new GrantedDisk(disk.backend, disk.ranges, () => p.writeFaults > 0 && p.writeFaults-- > 0),
      { read: (bus, len) => table().read(mem, bus, len), write: (bus, bytes) => table().write(mem, bus, bytes) },
      intc.line(IRQ_LINE.disk0),
    );
    p.vbus.attach(ADDR.disk0, vdisk);
    nodes.push({
      id: 'blkctl',
      kind: 'controller',
      children: [leaf('disk0', 'disk', ADDR.disk0, 0x1000, IRQ_LINE.disk0)],
    });
  }
  // Network (issue 4, net/vnic.ts): nic0 on the hypervisor's bridge, DMA through the partition's domain,
  // and the paravirtual path on the same port (net/pvnet.ts).
  p.pvnet = undefined;
  const nic =
    hooks.bridge && !owns('nic0')
      ? addVirtualNic(p, currentDma(p), mem, intc.line(IRQ_LINE.nic0), hooks.bridge, nodes, hooks.frameWhileDown)
      : undefined;
  return { intc, uart, disk: vdisk, nic, nodes };
}
