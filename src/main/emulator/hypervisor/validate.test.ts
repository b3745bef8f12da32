/**
 * Property tests of the partition checker (validatePartitions, docs/hypercalls.md#partitions) with
 * fast-check: over random partition sets it accepts exactly those with no host memory range
 * overlapping another, no device in two partitions, and nothing outside the machine (memory past
 * RAM or not whole pages, a pCPU or device the machine does not have, an id used twice). The oracle
 * below says that the slow, obvious way: every pair of ranges compared.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { validateChanged, validatePartitions, type MachineSpec, type PartitionSpec } from './validate.js';

const PAGE = 4096;
const MACHINE: MachineSpec = { ramBytes: 64 * PAGE, cpus: 3, devices: ['uart0', 'uart1', 'disk0', 'nic0'] };
const DEVICE_NAMES = [...MACHINE.devices, 'nosuch'];

/** The obvious check: what a valid set of partitions is. */
function oracle(parts: readonly PartitionSpec[], m: MachineSpec): boolean {
  const ids = parts.map((p) => p.id);
  if (new Set(ids).size !== ids.length) return false;
  const ranges = parts.flatMap((p) => p.memory);
  for (const r of ranges)
    if (r.size <= 0 || r.hpa % PAGE !== 0 || r.size % PAGE !== 0 || r.hpa < 0 || r.hpa + r.size > m.ramBytes)
      return false;
  for (let i = 0; i < ranges.length; i++)
    for (let j = i + 1; j < ranges.length; j++) {
      const [a, b] = [ranges[i], ranges[j]];
      if (a.hpa < b.hpa + b.size && b.hpa < a.hpa + a.size) return false;
    }
  for (const p of parts) {
    if (p.cpus.some((c) => !Number.isInteger(c) || c < 0 || c >= m.cpus)) return false;
    if (p.devices.some((d) => !m.devices.includes(d))) return false;
  }
  for (const p of parts)
    for (const q of parts) if (p !== q && p.id !== q.id && p.devices.some((d) => q.devices.includes(d))) return false;
  return true;
}

/** Mostly whole pages in and around RAM; sometimes a misaligned or empty one. */
const range = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record({
      hpa: fc.integer({ min: -2, max: 66 }).map((p) => p * PAGE),
      size: fc.integer({ min: 1, max: 12 }).map((s) => s * PAGE),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      hpa: fc.integer({ min: -PAGE, max: 70 * PAGE }),
      size: fc.integer({ min: -PAGE, max: 8 * PAGE }),
    }),
  },
);

const partition = (id: fc.Arbitrary<number>): fc.Arbitrary<PartitionSpec> =>
  fc.record({
    id,
    memory: fc.array(range, { maxLength: 4 }),
    cpus: fc.array(fc.integer({ min: -1, max: 3 }), { maxLength: 3 }),
    devices: fc.uniqueArray(fc.constantFrom(...DEVICE_NAMES), { maxLength: 3 }),
  });

/** Valid by construction: each partition gets its own slice of RAM (cut in pieces) and devices. */
const validSet: fc.Arbitrary<PartitionSpec[]> = fc
  .record({
    n: fc.integer({ min: 1, max: 6 }),
    cuts: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 6, maxLength: 6 }),
    owners: fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 4, maxLength: 4 }),
    cpus: fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 6, maxLength: 6 }),
  })
  .map(({ n, cuts, owners, cpus }) => {
    const slice = Math.floor(64 / n);
    return Array.from({ length: n }, (_, i) => {
      const pieces = cuts[i];
      const memory = [];
      const each = Math.floor(slice / pieces);
      for (let k = 0; k < pieces && each > 0; k++)
        memory.push({ hpa: (i * slice + k * each) * PAGE, size: each * PAGE });
      return {
        id: i,
        memory,
        cpus: [cpus[i]],
        devices: MACHINE.devices.filter((_, d) => owners[d] === i),
      };
    });
  });

describe('validatePartitions (property tests)', () => {
  it('accepts exactly the sets the obvious check accepts', () => {
    fc.assert(
      fc.property(fc.array(partition(fc.integer({ min: 0, max: 6 })), { maxLength: 5 }), (parts) => {
        const errors = validatePartitions(parts, MACHINE);
        expect(errors.length === 0).toBe(oracle(parts, MACHINE));
      }),
      { numRuns: 3000, seed: 12 },
    );
  });

  it('accepts every set that partitions the machine', () => {
    fc.assert(
      fc.property(validSet, (parts) => {
        expect(oracle(parts, MACHINE)).toBe(true);
        expect(validatePartitions(parts, MACHINE)).toEqual([]);
      }),
      { numRuns: 500, seed: 12 },
    );
  });

  it('rejects a valid set with one fault added, and says which', () => {
    const fault = fc.oneof(
      fc.constant('overlap' as const),
      fc.constant('device twice' as const),
      fc.constant('past RAM' as const),
      fc.constant('no such pCPU' as const),
    );
    fc.assert(
      fc.property(validSet, fault, fc.nat(), (parts, kind, k) => {
        const p = parts[k % parts.length];
        const q = parts[(k + 1) % parts.length];
        const bad = parts.map((x) => ({ ...x, memory: [...x.memory], devices: [...x.devices], cpus: [...x.cpus] }));
        const bp = bad[parts.indexOf(p)];
        const bq = bad[parts.indexOf(q)];
        let expected: RegExp;
        if (kind === 'overlap') {
          const r = q.memory[0] ?? { hpa: 0, size: PAGE };
          bp.memory.push({ hpa: r.hpa, size: PAGE });
          expected = /belongs to partitions/;
        } else if (kind === 'device twice') {
          // Another partition (a new one when the set has only one) lists a device p lists.
          bp.devices = ['uart0'];
          if (bp === bq) bad.push({ id: 99, memory: [], cpus: [], devices: ['uart0'] });
          else bq.devices = ['uart0'];
          expected = /device uart0 belongs to partitions/;
        } else if (kind === 'past RAM') {
          bp.memory.push({ hpa: MACHINE.ramBytes - PAGE, size: 2 * PAGE });
          expected = /outside the machine/;
        } else {
          bp.cpus.push(MACHINE.cpus);
          expected = /does not exist/;
        }
        expect(oracle(bad, MACHINE)).toBe(false);
        const errors = validatePartitions(bad, MACHINE);
        expect(errors.join('\n')).toMatch(expected);
      }),
      { numRuns: 500, seed: 12 },
    );
  });

  it('checking only what changed gives the full check’s verdict, when the rest was valid', () => {
    fc.assert(
      fc.property(
        validSet,
        fc.array(partition(fc.integer({ min: 0, max: 8 })), { maxLength: 3 }),
        fc.array(fc.boolean(), { minLength: 6, maxLength: 6 }),
        (base, extra, pick) => {
          // A valid set, some of its partitions changed (replaced by random ones, or new ones added).
          const changed = new Set<number>();
          const parts = base.map((p, i) => {
            if (!pick[i] || extra.length === 0) return p;
            changed.add(p.id);
            return { ...extra[i % extra.length], id: p.id };
          });
          for (const e of extra) {
            if (parts.some((p) => p.id === e.id)) continue;
            changed.add(e.id);
            parts.push(e);
          }
          const full = validatePartitions(parts, MACHINE).length === 0;
          expect(validateChanged(parts, changed, MACHINE).length === 0).toBe(full);
        },
      ),
      { seed: 12, numRuns: 3000 },
    );
  });
});
