/**
 * The disk (docs/devices.md#disk-block-device-with-dma): 512-byte blocks moved by DMA between a
 * BlockBackend and memory, through the device's DMA domain. A command runs to completion when CMD is
 * written, so STATUS is final when the guest's `sw` retires. Registers (offsets):
 *   +0x00 BLOCKS  read: size in blocks
 *   +0x04 LBA     read/write: first block of the next command
 *   +0x08 COUNT   read/write: blocks (1..256, checked when the command runs)
 *   +0x0C DMA     read/write: bus address of the buffer
 *   +0x10 CMD     write: 1 read, 2 write, 3 flush (reads 0)
 *   +0x14 STATUS  read: 0 idle, 1 done, 2 bad LBA/COUNT or command, 3 DMA fault, 4 I/O error, 5 read-only
 *   +0x18 CTRL    read/write: bit 0 interrupt on completion
 *   +0x1C IRQACK  write: lower the completion interrupt (reads 0)
 *   +0xFF0 identity 'DISK', +0xFF4 version
 * Write safety: a write's data has reached the backend (and a flush the disk) before STATUS is 1.
 */
import { WordDevice } from '../WordDevice.js';
import { DmaFault } from '../../dma/DmaTable.js';
import type { DmaPort } from '../../dma/DmaPort.js';
import { DEVICE_ID, identityRegister } from '../identity.js';
import { NO_IRQ, type IrqLine } from '../irq.js';
import { BLOCK_SIZE, type BlockBackend } from './BlockBackend.js';

export const DISK_BLOCKS = 0x00;
export const DISK_LBA = 0x04;
export const DISK_COUNT = 0x08;
export const DISK_DMA = 0x0c;
export const DISK_CMD = 0x10;
export const DISK_STATUS = 0x14;
export const DISK_CTRL = 0x18;
export const DISK_IRQACK = 0x1c;

export const DISK_CMD_READ = 1;
export const DISK_CMD_WRITE = 2;
export const DISK_CMD_FLUSH = 3;

export const DISK_STATUS_IDLE = 0;
export const DISK_STATUS_DONE = 1;
export const DISK_STATUS_RANGE = 2;
export const DISK_STATUS_DMA = 3;
export const DISK_STATUS_IO = 4;
export const DISK_STATUS_READ_ONLY = 5;

export const DISK_CTRL_IRQ = 1;
export const DISK_MAX_COUNT = 256;

export interface DiskMetrics {
  reads: number;
  writes: number;
  flushes: number;
  blocksRead: number;
  blocksWritten: number;
  /** Commands that ended with an error status. */
  errors: number;
  dmaFaults: number;
  badAccesses: number;
}

export interface DiskState {
  lba: number;
  count: number;
  dma: number;
  status: number;
  ctrl: number;
  irq: boolean;
  metrics: DiskMetrics;
}

export class DiskDevice extends WordDevice {
  readonly size = 0x1000;
  private lba = 0;
  private count = 0;
  private dmaAddr = 0;
  private status = DISK_STATUS_IDLE;
  private ctrl = 0;
  /** The completion interrupt is raised (until IRQACK). */
  private irqRaised = false;
  readonly metrics: DiskMetrics = {
    reads: 0,
    writes: 0,
    flushes: 0,
    blocksRead: 0,
    blocksWritten: 0,
    errors: 0,
    dmaFaults: 0,
    badAccesses: 0,
  };

  constructor(
    readonly id: string,
    readonly backend: BlockBackend,
    private readonly dma: DmaPort,
    private readonly irq: IrqLine = NO_IRQ,
  ) {
    super();
  }

  protected readReg(offset: number): number | undefined {
    switch (offset) {
      case DISK_BLOCKS:
        return this.backend.blocks | 0;
      case DISK_LBA:
        return this.lba | 0;
      case DISK_COUNT:
        return this.count | 0;
      case DISK_DMA:
        return this.dmaAddr | 0;
      case DISK_STATUS:
        return this.status;
      case DISK_CTRL:
        return this.ctrl;
      case DISK_CMD:
      case DISK_IRQACK:
        return 0;
      default:
        return identityRegister(offset, DEVICE_ID.disk);
    }
  }

  protected writeReg(offset: number, value: number): boolean {
    switch (offset) {
      case DISK_LBA:
        this.lba = value >>> 0;
        return true;
      case DISK_COUNT:
        this.count = value >>> 0;
        return true;
      case DISK_DMA:
        this.dmaAddr = value >>> 0;
        return true;
      case DISK_CMD:
        this.complete(this.run(value >>> 0));
        return true;
      case DISK_CTRL:
        this.ctrl = value & DISK_CTRL_IRQ;
        return true;
      case DISK_IRQACK:
        this.irqRaised = false;
        this.irq.set(false);
        return true;
      default:
        return false;
    }
  }

  /** Run one command; returns its final status. */
  private run(cmd: number): number {
    if (cmd === DISK_CMD_FLUSH) {
      this.metrics.flushes++;
      return this.backend.flush() === true ? DISK_STATUS_DONE : DISK_STATUS_IO;
    }
    if (cmd !== DISK_CMD_READ && cmd !== DISK_CMD_WRITE) return DISK_STATUS_RANGE;
    if (cmd === DISK_CMD_READ) this.metrics.reads++;
    else this.metrics.writes++;
    const { lba, count } = this;
    if (count < 1 || count > DISK_MAX_COUNT || lba + count > this.backend.blocks) return DISK_STATUS_RANGE;
    const bytes = count * BLOCK_SIZE;
    if (cmd === DISK_CMD_READ) {
      const data = this.backend.read(lba, count);
      if (data instanceof Error || data.length !== bytes) return DISK_STATUS_IO;
      const r = this.dma.write(this.dmaAddr, data);
      if (r instanceof DmaFault) return this.dmaFault();
      this.metrics.blocksRead += count;
      return DISK_STATUS_DONE;
    }
    if (this.backend.readOnly) return DISK_STATUS_READ_ONLY;
    const data = this.dma.read(this.dmaAddr, bytes);
    if (data instanceof DmaFault) return this.dmaFault();
    if (this.backend.write(lba, data) !== true) return DISK_STATUS_IO;
    this.metrics.blocksWritten += count;
    return DISK_STATUS_DONE;
  }

  private dmaFault(): number {
    this.metrics.dmaFaults++;
    return DISK_STATUS_DMA;
  }

  private complete(status: number): void {
    this.status = status;
    if (status !== DISK_STATUS_DONE) this.metrics.errors++;
    if ((this.ctrl & DISK_CTRL_IRQ) !== 0) {
      this.irqRaised = true;
      this.irq.set(true);
    }
  }

  /** Power-on state of the registers (machine reset); lowers the interrupt. */
  reset(): void {
    this.lba = 0;
    this.count = 0;
    this.dmaAddr = 0;
    this.status = DISK_STATUS_IDLE;
    this.ctrl = 0;
    this.irqRaised = false;
    this.irq.set(false);
  }

  saveState(): DiskState {
    return {
      lba: this.lba,
      count: this.count,
      dma: this.dmaAddr,
      status: this.status,
      ctrl: this.ctrl,
      irq: this.irqRaised,
      metrics: { ...this.metrics },
    };
  }

  restoreState(s: unknown): void {
    const st = s as DiskState;
    this.lba = st.lba >>> 0;
    this.count = st.count >>> 0;
    this.dmaAddr = st.dma >>> 0;
    this.status = st.status;
    this.ctrl = st.ctrl & DISK_CTRL_IRQ;
    this.irqRaised = st.irq;
    Object.assign(this.metrics, st.metrics);
    this.irq.set(this.irqRaised);
  }
}
