/** The network card's registers and descriptor rings (docs/devices.md#nic-network-card-with-dma-descriptor-rings). */
import { describe, expect, it } from 'vitest';
import { dmaPort } from '../../dma/DmaPort.js';
import { DMA_RW, DmaTable } from '../../dma/DmaTable.js';
import { PhysicalMemory } from '../../memory/PhysicalMemory.js';
import { DEVICE_ID, ID_OFFSET, VERSION_OFFSET } from '../identity.js';
import { RecordingIrqLine } from '../irq.js';
import {
  DESC_ERR,
  DESC_OWN,
  Nic,
  NIC_CTRL,
  NIC_ISR,
  NIC_MAC_HI,
  NIC_MAC_LO,
  NIC_RX_FRAMES,
  NIC_RX_HEAD,
  NIC_RX_RING,
  NIC_RX_SIZE,
  NIC_RX_TAIL,
  NIC_TX_FRAMES,
  NIC_TX_HEAD,
  NIC_TX_RING,
  NIC_TX_SIZE,
  NIC_TX_TAIL,
  parseMac,
  type NicState,
} from './Nic.js';

const TX_RING = 0x1000;
const RX_RING = 0x2000;

function nic(domain = (mem: PhysicalMemory) => DmaTable.identity(mem.size)) {
  const mem = new PhysicalMemory(0x10000);
  const table = domain(mem);
  const irq = new RecordingIrqLine();
  const sent: number[][] = [];
  const n = new Nic(
    'nic0',
    parseMac('02:00:00:00:00:01'),
    dmaPort(mem, () => table),
    irq,
  );
  n.backend = { transmit: (f) => sent.push([...f]) };
  const desc = (ring: number, i: number, buf: number, len: number, flags: number) => {
    mem.write32(ring + i * 16, buf);
    mem.write32(ring + i * 16 + 4, len);
    mem.write32(ring + i * 16 + 8, flags);
  };
  const flags = (ring: number, i: number) => mem.read32(ring + i * 16 + 8);
  return { n, mem, irq, sent, desc, flags, table };
}

describe('nic', () => {
  it('MAC, identity and version registers', () => {
    const { n } = nic();
    expect(n.read(NIC_MAC_LO, 4)).toBe(0x00000002);
    expect(n.read(NIC_MAC_HI, 4)).toBe(0x0100);
    const m = new Nic(
      'nic1',
      parseMac('12:34:56:78:9a:bc'),
      dmaPort(new PhysicalMemory(4096), () => new DmaTable()),
    );
    expect(m.read(NIC_MAC_LO, 4)).toBe(0x78563412);
    expect(m.read(NIC_MAC_HI, 4)).toBe(0xbc9a);
    expect(n.read(ID_OFFSET, 4)).toBe(DEVICE_ID.nic);
    expect(n.read(VERSION_OFFSET, 4)).toBe(1);
    expect(() => parseMac('02:00:00:00:01')).toThrow(RangeError);
  });

  it('transmits the owned descriptors up to TX_TAIL, hands them back, counts, interrupts', () => {
    const { n, mem, desc, flags, sent, irq } = nic();
    mem.writeBytes(0x4000, Uint8Array.of(1, 2, 3, 4, 5));
    mem.writeBytes(0x5000, Uint8Array.of(9, 8, 7));
    desc(TX_RING, 0, 0x4000, 5, DESC_OWN);
    desc(TX_RING, 1, 0x5000, 3, DESC_OWN);
    desc(TX_RING, 2, 0x5000, 2000, DESC_OWN); // too long
    n.write(NIC_TX_RING, 4, TX_RING);
    n.write(NIC_TX_SIZE, 4, 4);
    n.write(NIC_CTRL, 4, 1 | 4);
    expect(n.write(NIC_TX_TAIL, 4, 2)).toBe(true);
    expect(sent).toEqual([
      [1, 2, 3, 4, 5],
      [9, 8, 7],
    ]);
    expect([flags(TX_RING, 0), flags(TX_RING, 1), flags(TX_RING, 2)]).toEqual([0, 0, DESC_OWN]);
    expect(n.read(NIC_TX_HEAD, 4)).toBe(2);
    expect(n.read(NIC_TX_FRAMES, 4)).toBe(2);
    expect(n.read(NIC_ISR, 4)).toBe(2);
    expect(irq.level).toBe(true);
    n.write(NIC_ISR, 4, 2);
    expect(irq.level).toBe(false);
    n.write(NIC_TX_TAIL, 4, 3);
    expect(flags(TX_RING, 2)).toBe(DESC_ERR);
    expect(n.metrics.txErrors).toBe(1);
    // Wrap around the ring; a descriptor without OWN stops the device.
    desc(TX_RING, 3, 0x4000, 1, DESC_OWN);
    desc(TX_RING, 0, 0x4000, 1, 0);
    n.write(NIC_TX_TAIL, 4, 1);
    expect(n.read(NIC_TX_HEAD, 4)).toBe(0);
    expect(sent.length).toBe(3);
  });

  it('does nothing while disabled, and starts when enabled', () => {
    const { n, desc, sent } = nic();
    desc(TX_RING, 0, 0x4000, 4, DESC_OWN);
    n.write(NIC_TX_RING, 4, TX_RING);
    n.write(NIC_TX_SIZE, 4, 2);
    n.write(NIC_TX_TAIL, 4, 1);
    expect(sent.length).toBe(0);
    n.write(NIC_CTRL, 4, 1);
    expect(sent.length).toBe(1);
    expect(n.receive(Uint8Array.of(1))).toBe(false);
  });

  it('receives into the descriptor at RX_HEAD; drops and counts with no descriptor free', () => {
    const { n, mem, desc, flags, irq } = nic();
    desc(RX_RING, 0, 0x6000, 1514, DESC_OWN);
    desc(RX_RING, 1, 0x7000, 4, DESC_OWN);
    n.write(NIC_RX_RING, 4, RX_RING);
    n.write(NIC_RX_SIZE, 4, 4);
    n.write(NIC_RX_TAIL, 4, 2);
    n.write(NIC_CTRL, 4, 1 | 2);
    expect(n.receive(Uint8Array.of(0xde, 0xad, 0xbe, 0xef, 0x01))).toBe(true);
    expect(mem.readBytes(0x6000, 5)).toEqual(Uint8Array.of(0xde, 0xad, 0xbe, 0xef, 0x01));
    expect(mem.read32(RX_RING + 4)).toBe(5);
    expect(flags(RX_RING, 0)).toBe(0);
    expect(n.read(NIC_ISR, 4)).toBe(1);
    expect(irq.level).toBe(true);
    // Too long for the 4-byte buffer: ERR, nothing written.
    expect(n.receive(Uint8Array.of(1, 2, 3, 4, 5))).toBe(false);
    expect(flags(RX_RING, 1)).toBe(DESC_ERR);
    expect(mem.read32(0x7000)).toBe(0);
    expect(n.read(NIC_RX_HEAD, 4)).toBe(2);
    // Head caught up with the tail: no descriptor.
    expect(n.receive(Uint8Array.of(1))).toBe(false);
    expect(n.metrics).toMatchObject({ rxDropped: 1, rxErrors: 1 });
    expect(n.read(NIC_RX_FRAMES, 4)).toBe(1);
    n.write(NIC_ISR, 4, 1);
    expect(irq.level).toBe(false);
  });

  it('DMA outside its domain fails: the frame is not delivered and RAM is untouched', () => {
    const { n, mem, desc, flags } = nic(() => new DmaTable().map(RX_RING, RX_RING, 0x1000, DMA_RW));
    desc(RX_RING, 0, 0x6000, 64, DESC_OWN);
    n.write(NIC_RX_RING, 4, RX_RING);
    n.write(NIC_RX_SIZE, 4, 2);
    n.write(NIC_RX_TAIL, 4, 1);
    n.write(NIC_CTRL, 4, 1);
    expect(n.receive(Uint8Array.of(7, 7, 7))).toBe(false);
    expect(mem.read32(0x6000)).toBe(0);
    expect(flags(RX_RING, 0)).toBe(DESC_ERR);
    expect(n.metrics.dmaFaults).toBe(1);
  });

  it('bad accesses: invalid ring sizes, tails beyond the ring, read-only registers, widths, holes', () => {
    const { n } = nic();
    expect(n.write(NIC_TX_SIZE, 4, 3)).toBe(false);
    expect(n.write(NIC_RX_SIZE, 4, 512)).toBe(false);
    expect(n.write(NIC_TX_TAIL, 4, 1)).toBe(false); // no ring yet
    expect(n.write(NIC_TX_HEAD, 4, 0)).toBe(false);
    expect(n.write(NIC_MAC_LO, 4, 0)).toBe(false);
    expect(n.read(0x38, 4)).toBeUndefined();
    expect(n.read(NIC_CTRL, 2)).toBeUndefined();
    expect(n.metrics.badAccesses).toBe(7);
  });

  it('saves and restores its state', () => {
    const a = nic();
    a.desc(RX_RING, 0, 0x6000, 64, DESC_OWN);
    a.n.write(NIC_RX_RING, 4, RX_RING);
    a.n.write(NIC_RX_SIZE, 4, 8);
    a.n.write(NIC_RX_TAIL, 4, 5);
    a.n.write(NIC_CTRL, 4, 3);
    a.n.receive(Uint8Array.of(1, 2));
    const b = nic();
    b.n.restoreState(structuredClone(a.n.saveState()) as NicState);
    expect(b.n.saveState()).toEqual(a.n.saveState());
    expect(b.irq.level).toBe(true);
    expect(b.n.read(NIC_RX_HEAD, 4)).toBe(1);
  });
});
