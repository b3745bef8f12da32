/**
 * The paravirtual console costs machine time (docs/hypercalls.md#the-console-costs-machine-time,
 * issue 13): a guest looping console_write(buf, 4096) gets at most one byte per
 * CONSOLE_CYCLES_PER_BYTE cycles out (plus the queue), waits blocked while its console drains, and
 * a guest sharing its pCPU keeps running. Before the charge one 4 KiB write cost one instruction.
 */
import { describe, expect, it } from 'vitest';
import { CONSOLE_CYCLES_PER_BYTE, CONSOLE_QUEUE_BYTES } from '../../src/main/emulator/hypervisor/hypercalls.js';
import { HV_COSTS } from '../../src/shared/hvCosts.js';
import { testGuest, world } from './harness.js';

describe('console_write is charged in machine time', () => {
  it('bounds a flooder’s output by machine time and leaves its pCPU to the other guest', async () => {
    const w = await world({ cpus: 1 });
    const flood = w.launch(1, 'flood', testGuest('flooder'), { cpu: 0 });
    const other = w.launch(2, 'other', testGuest('counter'), { cpu: 0 });
    const cycles = 20_000_000;
    const t0 = w.machine.cpus[0].hcycle;
    w.run(cycles);
    const elapsed = w.machine.cpus[0].hcycle - t0;
    const written = w.output('flood').length;
    // At most what the console can send in that time plus its queue (and the write in flight).
    expect(written).toBeLessThanOrEqual(elapsed / CONSOLE_CYCLES_PER_BYTE + CONSOLE_QUEUE_BYTES + 4096);
    // And it did flood at a good part of that rate (it is slowed, not stopped; it waits for its turn).
    expect(written).toBeGreaterThan((elapsed / CONSOLE_CYCLES_PER_BYTE) * 0.5);
    const calls = new DataView(w.hv.readGuest(flood, 0x20000, 4)!.buffer).getUint32(0, true);
    // Every call wrote all 4096 bytes (the last one may still wait to return and count itself).
    expect(written - calls * 4096).toBeGreaterThanOrEqual(0);
    expect(written - calls * 4096).toBeLessThanOrEqual(4096);
    // The counter on the same pCPU got most of it: the flooder waits blocked, not spinning.
    const count = new DataView(w.hv.readGuest(other, 0x20000, 4)!.buffer).getUint32(0, true);
    expect(count).toBeGreaterThan(cycles / 20);
    expect(flood.state).toBe('running');
  });

  it('charges the emulated UART the same way (a store per byte, trapped and emulated)', async () => {
    const w = await world({ cpus: 1 });
    const uart = w.launch(1, 'uart', testGuest('uartflood'), { cpu: 0 });
    const other = w.launch(2, 'other', testGuest('counter'), { cpu: 0 });
    const t0 = w.machine.cpus[0].hcycle;
    w.run(10_000_000);
    const elapsed = w.machine.cpus[0].hcycle - t0;
    const written = w.output('uart').length;
    expect(written).toBeLessThanOrEqual(elapsed / CONSOLE_CYCLES_PER_BYTE + CONSOLE_QUEUE_BYTES + 1);
    // Each store is a trap and an emulated device access (docs/hypercalls.md#what-the-hypervisor-costs),
    // dearer than the line's 32 cycles a byte: the flooder pays that in its own half of the pCPU
    // (the store and the jump back are its two steps).
    const perByte = 2 + HV_COSTS.trapEntry.cycles + HV_COSTS.trapExit.cycles + HV_COSTS.mmio.cycles;
    expect(written).toBeLessThan((elapsed / 2 / perByte) * 1.05);
    expect(written).toBeGreaterThan((elapsed / 2 / perByte) * 0.9);
    expect(uart.stats.hvCycles).toBeGreaterThan(written * (perByte - 2) * 0.99);
    const count = new DataView(w.hv.readGuest(other, 0x20000, 4)!.buffer).getUint32(0, true);
    expect(count).toBeGreaterThan(10_000_000 / 20);
  });

  it('is deterministic: the same run gives the same output and counts', async () => {
    const runOnce = async () => {
      const w = await world({ cpus: 1 });
      const f = w.launch(1, 'flood', testGuest('flooder'), { cpu: 0 });
      w.launch(2, 'other', testGuest('counter'), { cpu: 0 });
      w.run(5_000_000);
      return [w.output('flood').length, w.hv.readGuest(f, 0x20000, 4)!.join(','), w.machine.cpus[0].instret];
    };
    expect(await runOnce()).toEqual(await runOnce());
  });
});
