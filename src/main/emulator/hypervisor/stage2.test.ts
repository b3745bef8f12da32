import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PhysicalMemory } from '../memory/PhysicalMemory.js';
import { buildStage2, ReservePages, stage2PagesNeeded } from './stage2.js';

const PAGE = 4096;

describe('stage2PagesNeeded', () => {
  it('says exactly how many reserve pages buildStage2 takes (so a build that was counted cannot fail)', () => {
    const mem = new PhysicalMemory(64 << 20);
    const range = fc.record({
      gpa: fc.integer({ min: 0, max: 3000 }).map((p) => p * PAGE),
      hpa: fc.integer({ min: 0, max: 3000 }).map((p) => p * PAGE),
      size: fc.oneof(fc.integer({ min: 1, max: 2048 }), fc.constantFrom(1024, 2048, 3072)).map((p) => p * PAGE),
    });
    const window = fc.record({
      base: fc.integer({ min: 0, max: 255 }).map((p) => 0xf000_0000 + p * PAGE),
      size: fc.integer({ min: 1, max: 4 }).map((p) => p * PAGE),
    });
    fc.assert(
      fc.property(fc.array(range, { maxLength: 6 }), fc.array(window, { maxLength: 3 }), (memory, windows) => {
        const reserve = new ReservePages(48 << 20, 16 << 20);
        const before = reserve.available;
        const t = buildStage2(mem, reserve, memory, windows);
        expect(t).toBeDefined();
        expect(before - reserve.available).toBe(stage2PagesNeeded(memory, windows));
      }),
      { seed: 5, numRuns: 400 },
    );
  });
});
