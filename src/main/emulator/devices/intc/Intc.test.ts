/** The interrupt controller: levels, priorities, thresholds, claim and complete, IPIs (docs/devices.md#intc-interrupt-controller). */
import { describe, expect, it } from 'vitest';
import { IRQ } from '../../../../shared/isa/csrs.js';
import { DEVICE_ID, ID_OFFSET, VERSION_OFFSET } from '../identity.js';
import type { InterruptTarget } from '../irq.js';
import {
  Intc,
  INTC_CLAIM,
  INTC_CONTEXT,
  INTC_CONTEXT_STRIDE,
  INTC_ENABLE,
  INTC_IPI,
  INTC_MAX_CONTEXTS,
  INTC_PENDING,
  INTC_THRESHOLD,
} from './Intc.js';

class FakeCpu implements InterruptTarget {
  ip = 0;
  setInterrupt(line: number, level: boolean): void {
    this.ip = level ? this.ip | (1 << line) : this.ip & ~(1 << line);
  }
  get external(): boolean {
    return ((this.ip >> IRQ.external) & 1) === 1;
  }
}

const ctx = (c: number, r: number) => INTC_CONTEXT + INTC_CONTEXT_STRIDE * c + r;

function intc(n = 2) {
  const cpus = Array.from({ length: n }, () => new FakeCpu());
  return { i: new Intc('intc', cpus), cpus };
}

describe('intc', () => {
  it('a pending, enabled source raises the pCPU line; claim lowers it; complete re-delivers a held level', () => {
    const { i, cpus } = intc();
    const l3 = i.line(3);
    l3.set(true);
    expect(i.read(INTC_PENDING, 4)).toBe(1 << 3);
    expect(cpus[0].external).toBe(false); // not enabled yet
    i.write(ctx(0, INTC_ENABLE), 4, 1 << 3);
    expect(cpus[0].external).toBe(true);
    expect(cpus[1].external).toBe(false);
    expect(i.read(ctx(0, INTC_CLAIM), 4)).toBe(3);
    expect(cpus[0].external).toBe(false);
    expect(i.read(ctx(0, INTC_CLAIM), 4)).toBe(0); // claimed: not delivered again
    l3.set(false);
    l3.set(true);
    expect(cpus[0].external).toBe(false); // still claimed
    i.write(ctx(0, INTC_CLAIM), 4, 3);
    expect(cpus[0].external).toBe(true); // completed, line still high
    l3.set(false);
    expect(cpus[0].external).toBe(false);
    expect(i.metrics).toMatchObject({ claims: 1, completions: 1 });
  });

  it('claims the highest priority first, the lowest number on ties, and honours the threshold', () => {
    const { i, cpus } = intc(1);
    i.write(ctx(0, INTC_ENABLE), 4, -1);
    i.write(4 * 5, 4, 3);
    i.write(4 * 9, 4, 3);
    i.write(4 * 2, 4, 2);
    for (const s of [2, 5, 9, 12]) i.line(s).set(true);
    expect(i.read(4 * 5, 4)).toBe(3);
    expect(i.read(4 * 12, 4)).toBe(1); // reset priority
    expect(i.read(0, 4)).toBe(0); // source 0 does not exist
    i.write(ctx(0, INTC_THRESHOLD), 4, 2);
    expect(i.read(ctx(0, INTC_THRESHOLD), 4)).toBe(2);
    expect(i.read(ctx(0, INTC_CLAIM), 4)).toBe(5);
    expect(i.read(ctx(0, INTC_CLAIM), 4)).toBe(9);
    expect(i.read(ctx(0, INTC_CLAIM), 4)).toBe(0); // 2 and 12 are at or below the threshold
    expect(cpus[0].external).toBe(false);
    i.write(ctx(0, INTC_THRESHOLD), 4, 0);
    expect(cpus[0].external).toBe(true);
    expect(i.read(ctx(0, INTC_CLAIM), 4)).toBe(2);
    expect(i.read(ctx(0, INTC_CLAIM), 4)).toBe(12);
    i.write(4 * 7, 4, 0); // priority 0: never delivered
    i.line(7).set(true);
    expect(i.read(ctx(0, INTC_CLAIM), 4)).toBe(0);
    i.write(4 * 7, 4, 99); // clamped to 7
    expect(i.read(4 * 7, 4)).toBe(7);
  });

  it('a source claimed by one pCPU is not delivered to another until completed', () => {
    const { i, cpus } = intc();
    i.write(ctx(0, INTC_ENABLE), 4, 1 << 4);
    i.write(ctx(1, INTC_ENABLE), 4, 1 << 4);
    i.line(4).set(true);
    expect(cpus[0].external && cpus[1].external).toBe(true);
    expect(i.read(ctx(1, INTC_CLAIM), 4)).toBe(4);
    expect(cpus[0].external || cpus[1].external).toBe(false);
    i.write(ctx(1, INTC_CLAIM), 4, 4);
    expect(cpus[0].external && cpus[1].external).toBe(true);
  });

  it('IPI raises another pCPU’s ipi line; a pCPU that does not exist is a bad access', () => {
    const { i, cpus } = intc();
    expect(i.write(ctx(0, INTC_IPI), 4, 1)).toBe(true);
    expect(cpus[1].ip).toBe(1 << IRQ.ipi);
    expect(i.write(ctx(0, INTC_IPI), 4, 2)).toBe(false);
    expect(i.metrics.ipis).toBe(1);
  });

  it('identity, version, and bad accesses: other contexts, holes, read-only PENDING, widths', () => {
    const { i } = intc(2);
    expect(i.read(ID_OFFSET, 4)).toBe(DEVICE_ID.intc);
    expect(i.read(VERSION_OFFSET, 4)).toBe(1);
    expect(i.read(ctx(2, INTC_ENABLE), 4)).toBeUndefined();
    expect(i.read(ctx(0, 0x10), 4)).toBeUndefined();
    expect(i.write(INTC_PENDING, 4, 1)).toBe(false);
    expect(i.read(0x84, 4)).toBeUndefined();
    expect(i.read(ctx(0, INTC_ENABLE), 1)).toBeUndefined();
    expect(i.metrics.badAccesses).toBe(5);
    expect(INTC_MAX_CONTEXTS).toBe(248);
    expect(
      new Intc(
        'intc',
        Array.from({ length: 256 }, () => new FakeCpu()),
      ).contexts,
    ).toBe(248);
    expect(() => i.line(0)).toThrow(RangeError);
    expect(() => i.line(32)).toThrow(RangeError);
  });

  it('saves and restores its state, and re-drives the pCPU lines', () => {
    const a = intc();
    a.i.write(ctx(0, INTC_ENABLE), 4, 0b1110);
    a.i.write(ctx(1, INTC_ENABLE), 4, 0b0100);
    a.i.write(4 * 3, 4, 5);
    a.i.line(1).set(true);
    a.i.line(2).set(true);
    expect(a.i.read(ctx(1, INTC_CLAIM), 4)).toBe(2);
    const b = intc();
    b.i.restoreState(structuredClone(a.i.saveState()));
    expect(b.i.saveState()).toEqual(a.i.saveState());
    expect(b.cpus.map((c) => c.ip)).toEqual(a.cpus.map((c) => c.ip));
    expect(b.i.read(ctx(0, INTC_CLAIM), 4)).toBe(1);
    expect(() => intc(3).i.restoreState(a.i.saveState())).toThrow(/contexts/);
  });
});
