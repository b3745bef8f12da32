/**
 * The console UART (docs/devices.md#uart-console). Registers (offsets):
 *   +0x00 TX      write: send the low byte; reads 0. With a clock (the machine's physical UARTs) the
 *                 line sends one byte per UART_TX_CYCLES_PER_BYTE into a queue of UART_TX_QUEUE bytes;
 *                 a write to a full queue holds the writing pCPU until there is room (Cpu.charge)
 *   +0x04 RX      read: next received byte, or -1 when the receive FIFO is empty
 *   +0x08 STATUS  read: bit 0 a byte is waiting, bit 1 ready to send (the transmit queue has room)
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

/**
 * A console line is not free (issue 13, docs/devices.md#uart-console): the machine's UARTs send one
 * byte per 32 cycles (7.8 MB/s at 250 MHz) from a 4 KiB queue, the paravirtual console's figures
 * (hypercalls.ts takes them from here), so that a dual-boot OS flooding its UART pays in machine
 * time as a client flooding console_write does.
 */
export const UART_TX_CYCLES_PER_BYTE = 32;
export const UART_TX_QUEUE = 4096;

/** The time of the pCPU touching the UART, and how to hold it (Machine wires the current pCPU's). */
export interface UartClock {
  now(): number;
  charge(cycles: number): void;
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
  /** When the transmit queue is empty, in cycles (absent before the line was charged: 0). */
  txFreeAt?: number;
}

export class Uart extends WordDevice {
  readonly size = 0x1000;
  private readonly fifo = new Uint8Array(UART_RX_FIFO);
  private head = 0;
  private count = 0;
  private ctrl = 0;
  /** The cycle at which the transmit queue will be empty (with a clock). */
  private txFreeAt = 0;
  readonly metrics: UartMetrics = { txBytes: 0, rxBytes: 0, rxDropped: 0, badAccesses: 0 };

  constructor(
    readonly id: string,
    private readonly sink: ConsoleSink,
    private readonly irq: IrqLine = NO_IRQ,
    /** The machine's time; without one (a partition's virtual UART, charged by the hypervisor) output is free. */
    private readonly clock?: UartClock,
  ) {
    super();
  }

  /** Whether a byte written now would wait for room in the transmit queue. */
  private txFull(now: number): boolean {
    return this.txFreeAt - now > (UART_TX_QUEUE - 1) * UART_TX_CYCLES_PER_BYTE;
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
      case UART_STATUS: {
        const txReady = !this.clock || !this.txFull(this.clock.now());
        return (this.count > 0 ? UART_STATUS_RX_READY : 0) | (txReady ? UART_STATUS_TX_READY : 0);
      }
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
        if (this.clock) {
          // The byte joins the queue; when the queue was full the writer waits until it had room
          // (deterministic: machine time), so a flood costs the flooder, never the host.
          const now = this.clock.now();
          this.txFreeAt = Math.max(now, this.txFreeAt) + UART_TX_CYCLES_PER_BYTE;
          const wait = this.txFreeAt - UART_TX_QUEUE * UART_TX_CYCLES_PER_BYTE - now;
          if (wait > 0) this.clock.charge(wait);
        }
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
    return { rx, ctrl: this.ctrl, metrics: { ...this.metrics }, txFreeAt: this.txFreeAt };
  }

  restoreState(s: unknown): void {
    const st = s as UartState;
    const rx = st.rx.slice(0, UART_RX_FIFO);
    this.fifo.fill(0);
    this.fifo.set(rx);
    this.head = 0;
    this.count = rx.length;
    this.ctrl = (st.ctrl ?? 0) & UART_CTRL_RX_IRQ;
    this.txFreeAt = st.txFreeAt ?? 0;
    Object.assign(this.metrics, st.metrics);
    this.updateIrq();
  }
}
