/**
 * The console UART (docs/devices.md#uart-console). Registers (offsets):
 *   +0x00 TX      write: send the low byte (never full: output is taken at once); reads 0
 *   +0x04 RX      read: next received byte, or -1 when the receive FIFO is empty
 *   +0x08 STATUS  read: bit 0 a byte is waiting, bit 1 ready to send (always)
 *   +0x0C CTRL    read/write: bit 0 interrupt while a byte is waiting (level)
 *   +0x10 RXCOUNT read: bytes waiting
 *   +0xFF0 identity 'UART', +0xFF4 version
 * Bytes reach the outside world through a `ConsoleSink`, so the core never touches a terminal; bytes
 * come in through `input` (the host), into a 256-byte FIFO that drops (and counts) what overflows.
 */
import { WordDevice } from '../WordDevice.js';
import { DEVICE_ID, identityRegister } from '../identity.js';
import { NO_IRQ, type IrqLine } from '../irq.js';

export interface ConsoleSink {
  write(byte: number): void;
}

export const UART_TX = 0x00;
export const UART_RX = 0x04;
export const UART_STATUS = 0x08;
export const UART_CTRL = 0x0c;
export const UART_RXCOUNT = 0x10;

export const UART_STATUS_RX_READY = 1;
export const UART_STATUS_TX_READY = 2;
export const UART_CTRL_RX_IRQ = 1;
export const UART_RX_FIFO = 256;

export interface UartMetrics {
  txBytes: number;
  rxBytes: number;
  /** Bytes that arrived while the receive FIFO was full. */
  rxDropped: number;
  badAccesses: number;
}

export interface UartState {
  rx: number[];
  ctrl: number;
  metrics: UartMetrics;
}

export class Uart extends WordDevice {
  readonly size = 0x1000;
  private readonly fifo = new Uint8Array(UART_RX_FIFO);
  private head = 0;
  private count = 0;
  private ctrl = 0;
  readonly metrics: UartMetrics = { txBytes: 0, rxBytes: 0, rxDropped: 0, badAccesses: 0 };

  constructor(
    readonly id: string,
    private readonly sink: ConsoleSink,
    private readonly irq: IrqLine = NO_IRQ,
  ) {
    super();
  }

  /** Bytes typed at the console (from the host). What does not fit in the FIFO is dropped. */
  input(bytes: Iterable<number>): void {
    for (const b of bytes) {
      if (this.count === UART_RX_FIFO) {
        this.metrics.rxDropped++;
        continue;
      }
      this.fifo[(this.head + this.count) % UART_RX_FIFO] = b & 0xff;
      this.count++;
    }
    this.updateIrq();
  }

  /** Bytes waiting in the receive FIFO. */
  get pendingInput(): number {
    return this.count;
  }

  protected readReg(offset: number): number | undefined {
    switch (offset) {
      case UART_TX:
        return 0;
      case UART_RX: {
        if (this.count === 0) return -1;
        const b = this.fifo[this.head];
        this.head = (this.head + 1) % UART_RX_FIFO;
        this.count--;
        this.metrics.rxBytes++;
        this.updateIrq();
        return b;
      }
      case UART_STATUS:
        return (this.count > 0 ? UART_STATUS_RX_READY : 0) | UART_STATUS_TX_READY;
      case UART_CTRL:
        return this.ctrl;
      case UART_RXCOUNT:
        return this.count;
      default:
        return identityRegister(offset, DEVICE_ID.uart);
    }
  }

  protected writeReg(offset: number, value: number): boolean {
    switch (offset) {
      case UART_TX:
        this.metrics.txBytes++;
        this.sink.write(value & 0xff);
        return true;
      case UART_CTRL:
        this.ctrl = value & UART_CTRL_RX_IRQ;
        this.updateIrq();
        return true;
      default:
        return false;
    }
  }

  /** Power-on state of the registers (machine reset). Bytes already typed stay in the FIFO. */
  reset(): void {
    this.ctrl = 0;
    this.updateIrq();
  }

  /** Level-triggered: high while a byte waits and the interrupt is enabled. */
  private updateIrq(): void {
    this.irq.set(this.count > 0 && (this.ctrl & UART_CTRL_RX_IRQ) !== 0);
  }

  saveState(): UartState {
    const rx: number[] = [];
    for (let i = 0; i < this.count; i++) rx.push(this.fifo[(this.head + i) % UART_RX_FIFO]);
    return { rx, ctrl: this.ctrl, metrics: { ...this.metrics } };
  }

  restoreState(s: unknown): void {
    const st = s as UartState;
    const rx = st.rx.slice(0, UART_RX_FIFO);
    this.fifo.fill(0);
    this.fifo.set(rx);
    this.head = 0;
    this.count = rx.length;
    this.ctrl = (st.ctrl ?? 0) & UART_CTRL_RX_IRQ;
    Object.assign(this.metrics, st.metrics);
    this.updateIrq();
  }
}
