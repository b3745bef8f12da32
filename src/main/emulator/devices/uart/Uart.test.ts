/** The console UART's registers, receive FIFO and interrupt line (docs/devices.md#uart-console). */
import { describe, expect, it } from 'vitest';
import { DEVICE_ID, ID_OFFSET, VERSION_OFFSET } from '../identity.js';
import { RecordingIrqLine } from '../irq.js';
import { Uart, UART_CTRL, UART_RX, UART_RX_FIFO, UART_RXCOUNT, UART_STATUS, UART_TX } from './Uart.js';

function uart() {
  const out: number[] = [];
  const irq = new RecordingIrqLine();
  const u = new Uart('uart0', { write: (b) => out.push(b) }, irq);
  return { u, out, irq };
}

describe('uart', () => {
  it('sends the low byte of TX and reports ready to send', () => {
    const { u, out } = uart();
    expect(u.write(UART_TX, 4, 0x1241)).toBe(true);
    expect(out).toEqual([0x41]);
    expect(u.read(UART_STATUS, 4)).toBe(2);
    expect(u.read(UART_TX, 4)).toBe(0);
    expect(u.metrics.txBytes).toBe(1);
  });

  it('receives through a FIFO: RX, STATUS, RXCOUNT, -1 when empty', () => {
    const { u } = uart();
    expect(u.read(UART_RX, 4)).toBe(-1);
    u.input([0x61, 0x162]);
    expect(u.pendingInput).toBe(2);
    expect(u.read(UART_STATUS, 4)).toBe(3);
    expect(u.read(UART_RXCOUNT, 4)).toBe(2);
    expect(u.read(UART_RX, 4)).toBe(0x61);
    expect(u.read(UART_RX, 4)).toBe(0x62);
    expect(u.read(UART_RX, 4)).toBe(-1);
    expect(u.read(UART_STATUS, 4)).toBe(2);
    expect(u.metrics.rxBytes).toBe(2);
  });

  it('keeps 256 bytes and drops and counts the rest', () => {
    const { u } = uart();
    u.input(Array.from({ length: 300 }, (_, i) => i));
    expect(u.read(UART_RXCOUNT, 4)).toBe(UART_RX_FIFO);
    expect(u.metrics.rxDropped).toBe(44);
    for (let i = 0; i < UART_RX_FIFO; i++) expect(u.read(UART_RX, 4)).toBe(i & 0xff);
    // The ring wraps correctly after draining.
    u.input([7, 8]);
    expect([u.read(UART_RX, 4), u.read(UART_RX, 4)]).toEqual([7, 8]);
  });

  it('raises its line while a byte waits and the interrupt is enabled (level)', () => {
    const { u, irq } = uart();
    u.input([1, 2]);
    expect(irq.level).toBe(false);
    expect(u.write(UART_CTRL, 4, 0xff)).toBe(true);
    expect(u.read(UART_CTRL, 4)).toBe(1);
    expect(irq.level).toBe(true);
    u.read(UART_RX, 4);
    expect(irq.level).toBe(true);
    u.read(UART_RX, 4);
    expect(irq.level).toBe(false);
    u.input([3]);
    expect(irq.level).toBe(true);
    u.write(UART_CTRL, 4, 0);
    expect(irq.level).toBe(false);
  });

  it('has identity and version registers', () => {
    const { u } = uart();
    expect(u.read(ID_OFFSET, 4)).toBe(DEVICE_ID.uart);
    expect(u.read(VERSION_OFFSET, 4)).toBe(1);
  });

  it('counts bad accesses: missing registers, read-only registers, byte and halfword widths', () => {
    const { u } = uart();
    expect(u.read(0x14, 4)).toBeUndefined();
    expect(u.write(UART_RX, 4, 1)).toBe(false);
    expect(u.write(ID_OFFSET, 4, 1)).toBe(false);
    expect(u.read(UART_STATUS, 1)).toBeUndefined();
    expect(u.write(UART_TX, 2, 0x41)).toBe(false);
    expect(u.metrics.badAccesses).toBe(5);
  });

  it('saves and restores its state exactly', () => {
    const a = uart();
    a.u.input([9, 8, 7]);
    a.u.read(UART_RX, 4);
    a.u.write(UART_CTRL, 4, 1);
    const snap = structuredClone(a.u.saveState());
    const b = uart();
    b.u.restoreState(snap);
    expect(b.u.saveState()).toEqual(a.u.saveState());
    expect(b.irq.level).toBe(true);
    expect([b.u.read(UART_RX, 4), b.u.read(UART_RX, 4), b.u.read(UART_RX, 4)]).toEqual([8, 7, -1]);
  });
});
