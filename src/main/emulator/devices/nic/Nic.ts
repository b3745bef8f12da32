/**
 * The network card (docs/devices.md#nic-network-card-with-dma-descriptor-rings): transmit and
 * receive rings of 16-byte descriptors in guest memory, reached by DMA through the device's domain.
 * Transmit runs when TX_TAIL is written (or the card is enabled): every descriptor from TX_HEAD up
 * to TX_TAIL that has OWN set is sent to the `NetBackend` (if any), counted and handed back (OWN
 * cleared). The host delivers frames with `receive`: each fills the descriptor at RX_HEAD if the
 * device owns it, else the frame is dropped and counted. Registers: see the table in
 * docs/devices.md; identity 'NIC ' at +0xFF0, version at +0xFF4.
 */
import { WordDevice } from '../WordDevice.js';
import { DmaFault } from '../../dma/DmaTable.js';
import type { DmaPort } from '../../dma/DmaPort.js';
import { DEVICE_ID, identityRegister } from '../identity.js';
import { NO_IRQ, type IrqLine } from '../irq.js';

/** Where transmitted frames go (the host's network, later the hypervisor's virtual bridge). */
export interface NetBackend {
  transmit(frame: Uint8Array): void;
}

export const NIC_MAC_LO = 0x00;
export const NIC_MAC_HI = 0x04;
export const NIC_TX_RING = 0x08;
export const NIC_TX_SIZE = 0x0c;
export const NIC_TX_TAIL = 0x10;
export const NIC_TX_HEAD = 0x14;
export const NIC_RX_RING = 0x18;
export const NIC_RX_SIZE = 0x1c;
export const NIC_RX_TAIL = 0x20;
export const NIC_RX_HEAD = 0x24;
export const NIC_CTRL = 0x28;
export const NIC_ISR = 0x2c;
export const NIC_TX_FRAMES = 0x30;
export const NIC_RX_FRAMES = 0x34;

export const NIC_CTRL_ENABLE = 1;
export const NIC_CTRL_RX_IRQ = 2;
export const NIC_CTRL_TX_IRQ = 4;
export const NIC_ISR_RX = 1;
export const NIC_ISR_TX = 2;

export const DESC_SIZE = 16;
export const DESC_OWN = 1;
export const DESC_ERR = 2;
export const NIC_MAX_FRAME = 1514;
export const NIC_MAX_RING = 256;

export interface NicMetrics {
  txErrors: number;
  rxErrors: number;
  /** Frames the host offered that found no descriptor (or the card disabled). */
  rxDropped: number;
  dmaFaults: number;
  badAccesses: number;
}

export interface NicState {
  regs: number[];
  metrics: NicMetrics;
}

/** Register file, in this order in the saved state. */
interface Regs {
  txRing: number;
  txSize: number;
  txTail: number;
  txHead: number;
  rxRing: number;
  rxSize: number;
  rxTail: number;
  rxHead: number;
  ctrl: number;
  isr: number;
  txFrames: number;
  rxFrames: number;
}
const REG_NAMES: (keyof Regs)[] = [
  'txRing',
  'txSize',
  'txTail',
  'txHead',
  'rxRing',
  'rxSize',
  'rxTail',
  'rxHead',
  'ctrl',
  'isr',
  'txFrames',
  'rxFrames',
];

export class Nic extends WordDevice {
  readonly size = 0x1000;
  readonly mac: Uint8Array;
  /** Where transmitted frames go; none: they are counted and dropped. */
  backend?: NetBackend;
  private r: Regs = Nic.resetRegs();
  readonly metrics: NicMetrics = { txErrors: 0, rxErrors: 0, rxDropped: 0, dmaFaults: 0, badAccesses: 0 };

  constructor(
    readonly id: string,
    mac: Uint8Array,
    private readonly dma: DmaPort,
    private readonly irq: IrqLine = NO_IRQ,
  ) {
    super();
    if (mac.length !== 6) throw new RangeError(`a MAC address has 6 bytes, got ${mac.length}`);
    this.mac = Uint8Array.from(mac);
  }

  private static resetRegs(): Regs {
    return Object.fromEntries(REG_NAMES.map((k) => [k, 0])) as unknown as Regs;
  }

  get txFrames(): number {
    return this.r.txFrames;
  }
  get rxFrames(): number {
    return this.r.rxFrames;
  }

  protected readReg(offset: number): number | undefined {
    const r = this.r;
    const m = this.mac;
    switch (offset) {
      case NIC_MAC_LO:
        return m[0] | (m[1] << 8) | (m[2] << 16) | (m[3] << 24);
      case NIC_MAC_HI:
        return m[4] | (m[5] << 8);
      case NIC_TX_RING:
        return r.txRing | 0;
      case NIC_TX_SIZE:
        return r.txSize;
      case NIC_TX_TAIL:
        return r.txTail;
      case NIC_TX_HEAD:
        return r.txHead;
      case NIC_RX_RING:
        return r.rxRing | 0;
      case NIC_RX_SIZE:
        return r.rxSize;
      case NIC_RX_TAIL:
        return r.rxTail;
      case NIC_RX_HEAD:
        return r.rxHead;
      case NIC_CTRL:
        return r.ctrl;
      case NIC_ISR:
        return r.isr;
      case NIC_TX_FRAMES:
        return r.txFrames | 0;
      case NIC_RX_FRAMES:
        return r.rxFrames | 0;
      default:
        return identityRegister(offset, DEVICE_ID.nic);
    }
  }

  protected writeReg(offset: number, value: number): boolean {
    const v = value >>> 0; // the ring registers hold unsigned addresses and indices
    const r = this.r;
    switch (offset) {
      case NIC_TX_RING:
        r.txRing = v;
        return true;
      case NIC_RX_RING:
        r.rxRing = v;
        return true;
      case NIC_TX_SIZE:
      case NIC_RX_SIZE:
        // A power of two up to 256, or 0 (no ring). Setting the size restarts the ring at index 0.
        if (v > NIC_MAX_RING || (v & (v - 1)) !== 0) return false;
        if (offset === NIC_TX_SIZE) [r.txSize, r.txHead, r.txTail] = [v, 0, 0];
        else [r.rxSize, r.rxHead, r.rxTail] = [v, 0, 0];
        return true;
      case NIC_TX_TAIL:
        if (v !== 0 && v >= r.txSize) return false;
        r.txTail = v;
        this.transmit();
        return true;
      case NIC_RX_TAIL:
        if (v !== 0 && v >= r.rxSize) return false;
        r.rxTail = v;
        return true;
      case NIC_CTRL:
        r.ctrl = v & (NIC_CTRL_ENABLE | NIC_CTRL_RX_IRQ | NIC_CTRL_TX_IRQ);
        this.transmit();
        this.updateIrq();
        return true;
      case NIC_ISR:
        r.isr &= ~v;
        this.updateIrq();
        return true;
      default:
        return false;
    }
  }

  /** Send every descriptor the device owns from TX_HEAD up to TX_TAIL. */
  private transmit(): void {
    const r = this.r;
    if ((r.ctrl & NIC_CTRL_ENABLE) === 0 || r.txSize === 0) return;
    let done = 0;
    while (r.txHead !== r.txTail) {
      const at = (r.txRing + r.txHead * DESC_SIZE) >>> 0;
      const d = this.readDescriptor(at);
      if (!d || (d.flags & DESC_OWN) === 0) break;
      let err = d.len === 0 || d.len > NIC_MAX_FRAME;
      if (!err) {
        const frame = this.dma.read(d.buf, d.len);
        if (frame instanceof DmaFault) {
          this.metrics.dmaFaults++;
          err = true;
        } else {
          this.backend?.transmit(frame);
          r.txFrames++;
        }
      }
      if (err) this.metrics.txErrors++;
      this.writeBack(at, d.len, (d.flags & ~(DESC_OWN | DESC_ERR)) | (err ? DESC_ERR : 0));
      r.txHead = (r.txHead + 1) & (r.txSize - 1);
      done++;
    }
    if (done > 0) {
      r.isr |= NIC_ISR_TX;
      this.updateIrq();
    }
  }

  /**
   * A frame from the host's network. It fills the descriptor at RX_HEAD when the card is enabled and
   * owns it; otherwise it is dropped and counted. Returns true when the guest got the frame.
   */
  receive(frame: Uint8Array): boolean {
    const r = this.r;
    const usable =
      (r.ctrl & NIC_CTRL_ENABLE) !== 0 && r.rxSize !== 0 && r.rxHead !== r.rxTail && frame.length <= NIC_MAX_FRAME;
    const at = (r.rxRing + r.rxHead * DESC_SIZE) >>> 0;
    const d = usable ? this.readDescriptor(at) : undefined;
    if (!d || (d.flags & DESC_OWN) === 0) {
      this.metrics.rxDropped++;
      return false;
    }
    // The descriptor's length is the buffer's capacity; the device replaces it with the frame's.
    let err = frame.length > d.len;
    if (!err && this.dma.write(d.buf, frame) instanceof DmaFault) {
      this.metrics.dmaFaults++;
      err = true;
    }
    if (err) this.metrics.rxErrors++;
    else r.rxFrames++;
    this.writeBack(at, frame.length, (d.flags & ~(DESC_OWN | DESC_ERR)) | (err ? DESC_ERR : 0));
    r.rxHead = (r.rxHead + 1) & (r.rxSize - 1);
    r.isr |= NIC_ISR_RX;
    this.updateIrq();
    return !err;
  }

  private readDescriptor(at: number): { buf: number; len: number; flags: number } | undefined {
    const b = this.dma.read(at, DESC_SIZE);
    if (b instanceof DmaFault) {
      this.metrics.dmaFaults++;
      return undefined;
    }
    const v = new DataView(b.buffer, b.byteOffset, DESC_SIZE);
    return { buf: v.getUint32(0, true), len: v.getUint32(4, true), flags: v.getUint32(8, true) };
  }

  /** Hand a descriptor back: its length and flags words (+4, +8). */
  private writeBack(at: number, len: number, flags: number): void {
    const b = new Uint8Array(8);
    const v = new DataView(b.buffer);
    v.setUint32(0, len >>> 0, true);
    v.setUint32(4, flags >>> 0, true);
    if (this.dma.write(at + 4, b) instanceof DmaFault) this.metrics.dmaFaults++;
  }

  /** Level: high while a completed event is flagged in ISR and its interrupt is enabled. */
  private updateIrq(): void {
    const { isr, ctrl } = this.r;
    this.irq.set(
      ((isr & NIC_ISR_RX) !== 0 && (ctrl & NIC_CTRL_RX_IRQ) !== 0) ||
        ((isr & NIC_ISR_TX) !== 0 && (ctrl & NIC_CTRL_TX_IRQ) !== 0),
    );
  }

  /** Power-on state of the registers (machine reset): disabled, no rings, counters 0. */
  reset(): void {
    this.r = Nic.resetRegs();
    this.updateIrq();
  }

  saveState(): NicState {
    return { regs: REG_NAMES.map((k) => this.r[k]), metrics: { ...this.metrics } };
  }

  restoreState(s: unknown): void {
    const st = s as NicState;
    const r = Nic.resetRegs();
    REG_NAMES.forEach((k, i) => (r[k] = st.regs[i] ?? 0));
    this.r = r;
    Object.assign(this.metrics, st.metrics);
    this.updateIrq();
  }
}

/** Parse "02:00:00:00:00:01" (or with dashes) into 6 bytes. */
export function parseMac(s: string): Uint8Array {
  const parts = s.split(/[:-]/);
  if (parts.length !== 6 || parts.some((p) => !/^[0-9a-fA-F]{2}$/.test(p))) {
    throw new RangeError(`a MAC address looks like 02:00:00:00:00:01, got "${s}"`);
  }
  return Uint8Array.from(parts.map((p) => parseInt(p, 16)));
}
