/**
 * A minimal console UART (docs/isa.md#memory-map): enough for bare-metal programs today; the full
 * device with FIFOs and interrupts comes with the devices issue. Registers (offsets):
 *   +0 TX     write: send the low byte
 *   +4 RX     read: next received byte, or -1 when none
 *   +8 STATUS read: bit 0 a byte is waiting, bit 1 ready to send (always)
 * Bytes reach the outside world through a `ConsoleSink` so that the core never touches a terminal.
 */
import type { MmioDevice, Width } from '../../bus/Bus.js';

export interface ConsoleSink {
  write(byte: number): void;
}

export const UART_TX = 0;
export const UART_RX = 4;
export const UART_STATUS = 8;

export class Uart implements MmioDevice {
  readonly size = 0x1000;
  private rx: number[] = [];
  /** Metrics: bytes each way, and accesses to offsets with no register. */
  readonly metrics = { txBytes: 0, rxBytes: 0, badAccesses: 0 };

  constructor(
    readonly id: string,
    private readonly sink: ConsoleSink,
  ) {}

  /** Bytes typed at the console (from the host). */
  input(bytes: Iterable<number>): void {
    for (const b of bytes) this.rx.push(b & 0xff);
  }

  get pendingInput(): number {
    return this.rx.length;
  }

  read(offset: number, _width: Width): number | undefined {
    switch (offset) {
      case UART_RX: {
        const b = this.rx.shift();
        if (b === undefined) return -1;
        this.metrics.rxBytes++;
        return b;
      }
      case UART_STATUS:
        return (this.rx.length > 0 ? 1 : 0) | 2;
      case UART_TX:
        return 0;
      default:
        this.metrics.badAccesses++;
        return undefined;
    }
  }

  write(offset: number, _width: Width, value: number): boolean {
    if (offset !== UART_TX) {
      this.metrics.badAccesses++;
      return false;
    }
    this.metrics.txBytes++;
    this.sink.write(value & 0xff);
    return true;
  }

  saveState(): { rx: number[] } {
    return { rx: [...this.rx] };
  }

  restoreState(s: unknown): void {
    this.rx = [...(s as { rx: number[] }).rx];
  }
}
