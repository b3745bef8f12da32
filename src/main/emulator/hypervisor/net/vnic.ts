/**
 * A client partition's virtual nic (issue 4, M20): the board's Nic device model at the standard
 * nic0 address (0xF0030000, interrupt 5 of the partition's own interrupt controller), its DMA
 * through the partition's DMA domain (bus address = guest-physical address, nothing else), its
 * backend the partition's port on the hypervisor's bridge. MAC 02:00:00:00:00:<partition id>.
 * The same port also serves the paravirtual path (net_send/net_recv, pvnet.ts) when the partition
 * is offered it.
 */
import type { Bus } from '../../bus/Bus.js';
import { Nic } from '../../devices/nic/Nic.js';
import type { IrqLine } from '../../devices/irq.js';
import type { DmaTable } from '../../dma/DmaTable.js';
import type { PhysicalMemory } from '../../memory/PhysicalMemory.js';
import { ADDR, IRQ_LINE, type IoNode } from '../../machine/board.js';
import type { Bridge, BridgeEndpoint } from './Bridge.js';
import { orLines, PvNet } from './pvnet.js';

/** The MAC address of partition `id`'s virtual nic. */
export function virtualMac(id: number): Uint8Array {
  return Uint8Array.of(0x02, 0, 0, 0, 0, id & 0xff);
}

/** A MAC as the boot info's two kind-specific words (docs/boot.md): bytes 0..3, bytes 4..5. */
export function macWords(mac: Uint8Array): [number, number] {
  return [(mac[0] | (mac[1] << 8) | (mac[2] << 16) | (mac[3] << 24)) >>> 0, mac[4] | (mac[5] << 8)];
}

/**
 * Build partition `p`'s nic0, put it on its virtual bus and on port `p.id` of `bridge`, and append
 * its node (under a `netctl` controller, like the board's) to `nodes` for the boot info.
 */
export function addVirtualNic(
  p: { id: number; state: string; vbus: Bus; paravirtNet: boolean; technique: string; pvnet?: PvNet },
  dma: () => DmaTable,
  mem: PhysicalMemory,
  irq: IrqLine,
  bridge: Bridge,
  nodes: IoNode[],
  frameWhileDown?: () => void,
): Nic {
  // The nic and the paravirtual path (pvnet.ts) share the port and the interrupt line.
  const [nicIrq, pvIrq] = orLines(irq);
  const nic = new Nic(
    `p${p.id}.nic0`,
    virtualMac(p.id),
    { read: (bus, len) => dma().read(mem, bus, len), write: (bus, bytes) => dma().write(mem, bus, bytes) },
    nicIrq,
  );
  nic.backend = bridge.backendFor(p.id);
  const pv = p.paravirtNet && p.technique === 'paravirtual' ? new PvNet(pvIrq) : undefined;
  p.pvnet = pv;
  const endpoint: BridgeEndpoint = { receive: (f) => (pv?.up ? pv.receive(f) : nic.receive(f)) };
  bridge.attach(p.id, endpoint, () => {
    if (p.state === 'running') return true;
    frameWhileDown?.(); // a swapped guest's port is down: the frame is lost, ctl is told (M17)
    return false;
  });
  p.vbus.attach(ADDR.nic0, nic);
  nodes.push({
    id: 'netctl',
    kind: 'controller',
    children: [{ id: 'nic0', kind: 'nic', base: ADDR.nic0, size: 0x1000, irq: IRQ_LINE.nic0, children: [] }],
  });
  return nic;
}
