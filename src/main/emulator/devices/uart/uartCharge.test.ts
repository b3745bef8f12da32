/**
 * The machine's UART costs the writer machine time (issue 13, docs/devices.md#uart-console): a
 * dual-boot OS (or any code on the bare machine) that stores to TX in a loop sends one byte per
 * UART_TX_CYCLES_PER_BYTE plus the queue, its pCPU held while the queue is full (Cpu.charge), the
 * same figures as the paravirtual console. Before, each byte cost the writer one instruction and
 * the host had to keep up with a byte a cycle. The other pCPU runs on untouched.
 */
import { describe, expect, it } from 'vitest';
import { ins, li, machine, words } from '../../testing/harness.js';
import { ADDR } from '../../machine/board.js';
import { UART_STATUS, UART_TX_CYCLES_PER_BYTE, UART_TX_QUEUE } from './Uart.js';

const FLOOD = 0x1000;
const COUNT = 0x2000;
const CYCLES = 4_000_000;

/** pCPU 0 floods uart0 (never looking at STATUS); pCPU 1 counts in a0. */
function flood(engine: 'interp' | 'jit', cuts: number[]) {
  const t = machine({ cpus: 2, engine });
  t.m.load(
    FLOOD,
    words(
      li('t0', ADDR.uart0),
      ins('addi', { rd: 's1', imm: 0x55 }),
      ins('sw', { rs2: 's1', rs1: 't0' }),
      ins('jal', { rd: 0, imm: -4 }),
    ),
  );
  t.m.load(COUNT, words(ins('addi', { rd: 'a0', rs1: 'a0', imm: 1 }), ins('jal', { rd: 0, imm: -4 })));
  t.m.cpus[0].pc = FLOOD;
  t.m.cpus[1].pc = COUNT;
  for (const n of cuts) t.m.run(n);
  return t;
}

describe('the machine UART', () => {
  it('holds a flooding writer to the line rate, and leaves the other pCPU alone', () => {
    const t = flood('interp', [CYCLES]);
    const written = t.out().length;
    // At most what the line sends in that time plus the queue; and it did send at that rate.
    expect(written).toBeLessThanOrEqual(CYCLES / UART_TX_CYCLES_PER_BYTE + UART_TX_QUEUE + 1);
    expect(written).toBeGreaterThan((CYCLES / UART_TX_CYCLES_PER_BYTE) * 0.99);
    // The writer retired its two instructions a byte (and its setup), no more: it waited the rest.
    const [w, c] = t.m.cpus;
    expect(w.instret).toBeLessThan(2 * written + 10);
    expect(w.hcycle).toBeGreaterThanOrEqual(CYCLES);
    // The counter on the other pCPU ran every cycle (two steps a round).
    expect(c.instret).toBe(CYCLES);
    expect(c.regs[10]).toBe(CYCLES / 2);
    // A full queue says so: STATUS's ready-to-send bit is clear.
    expect(t.m.bus.read(ADDR.uart0 + UART_STATUS, 4)! & 2).toBe(0);
  });

  it('charges the same in both engines, however the run is cut into calls', () => {
    const runs = (['interp', 'jit'] as const).flatMap((engine) => [
      flood(engine, [CYCLES]),
      flood(engine, [1, 9_999, 123_457, 866_543, 3_000_000]),
    ]);
    const hash = runs[0].m.stateHash();
    for (const r of runs) {
      expect(r.out()).toBe(runs[0].out());
      expect(r.m.stateHash()).toBe(hash);
    }
  });
});
