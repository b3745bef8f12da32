/**
 * Loop versioning of the TLB check (loops.ts; docs/architecture.md#block-translation): loops whose
 * pointers cross pages of a scattered mapping, run backwards, turn misaligned, or write the page
 * table they walk, each against the interpreter in random slices, with the memory they leave checked
 * against what the program means.
 */
import { describe, expect, it } from 'vitest';
import { Machine } from '../../machine/Machine.js';
import { PTE_R, PTE_V, PTE_W, PTE_X } from '../../mmu/pte.js';
import { ins, li, PageTables, skipTrap, words } from '../../testing/harness.js';
import { decodeInto, newCodePage } from '../decode.js';
import { lockstep } from './differential.js';
import type { Jit } from './Jit.js';
import { versionLoop } from './loops.js';

const CODE = 0x1000;
const HANDLER = 0x8000;
const V = 0x40000; // a 4-page virtual buffer ...
const P = [0x13000, 0x11000, 0x17000, 0x15000]; // ... on scattered physical pages
const Q = 0x19000;
const L2 = 0x31000;
const pteOf = (va: number) => L2 + ((va >>> 12) & 0x3ff) * 4;

/** Both engines, supervisor mode with paging on, `code` at CODE, traps skipped (counted in s1). */
function pair(code: number[]): { ref: Machine; jit: Machine } {
  const make = (engine: 'interp' | 'jit') => {
    const m = new Machine({ cpus: 1, memBytes: 256 << 10, engine });
    const pt = new PageTables(m, 0x30000, L2);
    pt.map(CODE, CODE, PTE_V | PTE_R | PTE_X);
    pt.map(CODE + 0x1000, CODE + 0x1000, PTE_V | PTE_R | PTE_X);
    pt.map(0x30000, 0x30000, PTE_V | PTE_R | PTE_W);
    pt.map(L2, L2, PTE_V | PTE_R | PTE_W);
    P.forEach((p, k) => pt.map(V + 4096 * k, p, PTE_V | PTE_R | PTE_W));
    m.load(CODE, words(code));
    m.load(HANDLER, words(skipTrap('hepc', 't6', ins('addi', { rd: 's1', rs1: 's1', imm: 1 }))));
    const cpu = m.cpus[0];
    cpu.htvec = HANDLER;
    cpu.ptbr = 0x30000 | 1;
    cpu.mode = 1;
    cpu.updateContext();
    cpu.pc = CODE;
    return m;
  };
  return { ref: make('interp'), jit: make('jit') };
}

/** The byte at virtual address va of the buffer, read through the mapping. */
const at = (m: Machine, va: number) => m.mem.u8[P[(va - V) >>> 12] + (va & 4095)];

/** A loop run `times` times (s3 counts), so that it turns hot and runs translated. */
const repeat = (times: number, setup: number[], loop: number[]) => [
  ins('addi', { rd: 's3', rs1: 0, imm: times }),
  ...setup,
  ...loop,
  ins('addi', { rd: 's3', rs1: 's3', imm: -1 }),
  ins('bne', { rs1: 's3', rs2: 0, imm: -4 * (setup.length + loop.length + 1) }),
];

describe('loop versioning of the TLB check', () => {
  it('loops cross pages of a scattered mapping forwards and backwards, by bytes and by words', () => {
    const code = [
      // (a) bytes forward from an odd address whose bits overlap the index's: buf[i] = i.
      ...repeat(
        30,
        [...li('s0', V + 0x7f3), ins('addi', { rd: 't0', rs1: 0, imm: 0 }), ...li('s2', 3 * 4096 + 100)],
        [
          ins('add', { rd: 't2', rs1: 's0', rs2: 't0' }),
          ins('sb', { rs1: 't2', rs2: 't0', imm: 0 }),
          ins('addi', { rd: 't0', rs1: 't0', imm: 1 }),
          ins('blt', { rs1: 't0', rs2: 's2', imm: -12 }),
        ],
      ),
      // (b) words backwards at two strides: a load stream (-4) and a store stream (-12), offset 8.
      ...repeat(
        20,
        [...li('a1', V + 0x1ffc), ...li('a2', V + 0x3ff0), ...li('a3', V + 0x1000)],
        [
          ins('lw', { rd: 't3', rs1: 'a1', imm: 0 }),
          ins('xori', { rd: 't3', rs1: 't3', imm: 0x5a5 }),
          ins('sw', { rs1: 'a2', rs2: 't3', imm: 8 }),
          ins('addi', { rd: 'a1', rs1: 'a1', imm: -4 }),
          ins('addi', { rd: 'a2', rs1: 'a2', imm: -12 }),
          ins('bne', { rs1: 'a1', rs2: 'a3', imm: -20 }),
        ],
      ),
      // (c) a stride held in a register (the sieve's inner loop), large enough to cross pages often.
      ...repeat(
        20,
        [...li('s0', V), ins('addi', { rd: 't1', rs1: 0, imm: 5 }), ins('addi', { rd: 't0', rs1: 0, imm: 37 })],
        [
          ins('add', { rd: 't2', rs1: 's0', rs2: 't1' }),
          ins('sb', { rs1: 't2', rs2: 't1', imm: 1 }),
          ins('add', { rd: 't1', rs1: 't1', rs2: 't0' }),
          ins('blt', { rs1: 't1', rs2: 's2', imm: -12 }),
        ],
      ),
      // (d) a stride that grows each iteration (not an induction variable: left checked).
      ...repeat(
        20,
        [...li('s0', V), ins('addi', { rd: 't1', rs1: 0, imm: 0 }), ins('addi', { rd: 't0', rs1: 0, imm: 1 })],
        [
          ins('add', { rd: 't2', rs1: 's0', rs2: 't1' }),
          ins('lbu', { rd: 't3', rs1: 't2', imm: 0 }),
          ins('add', { rd: 'a0', rs1: 'a0', rs2: 't3' }),
          ins('add', { rd: 't1', rs1: 't1', rs2: 't0' }),
          ins('addi', { rd: 't0', rs1: 't0', imm: 1 }),
          ins('blt', { rs1: 't1', rs2: 's2', imm: -20 }),
        ],
      ),
      // (e) word loads at a stride of 2: every other one is misaligned and traps (s1 counts).
      ...repeat(
        20,
        [...li('a1', V + 0xff0), ...li('a3', V + 0x1010)],
        [
          ins('lw', { rd: 't3', rs1: 'a1', imm: 0 }),
          ins('add', { rd: 'a0', rs1: 'a0', rs2: 't3' }),
          ins('addi', { rd: 'a1', rs1: 'a1', imm: 2 }),
          ins('blt', { rs1: 'a1', rs2: 'a3', imm: -12 }),
        ],
      ),
      // (f) an induction variable that runs up to 2^31 - 1 (the stretch's end cannot be folded into
      // the branch near the top: i0 + kf * d would not be an int32), bytes across V+0x3000.
      ...repeat(
        20,
        [...li('s0', V + 0x2800), ...li('s4', 0x7fffe800), ...li('t0', 0x7fffe800), ...li('s5', 0x7fffffff)],
        [
          ins('sub', { rd: 't2', rs1: 't0', rs2: 's4' }),
          ins('add', { rd: 't2', rs1: 't2', rs2: 's0' }),
          ins('srli', { rd: 't3', rs1: 't0', imm: 3 }),
          ins('sb', { rs1: 't2', rs2: 't3', imm: 0 }),
          ins('addi', { rd: 't0', rs1: 't0', imm: 1 }),
          ins('blt', { rs1: 't0', rs2: 's5', imm: -20 }),
        ],
      ),
      ins('jal', { rd: 0, imm: 0 }),
    ];
    expect(code.length).toBeLessThan(1024); // one code page
    const { ref, jit } = pair(code);
    expect(lockstep(ref, jit, 3_500_000, 20_000, 11).detail).toBe('');
    expect(jit.cpus[0].pc).toBe(CODE + 4 * (code.length - 1)); // ran to the end
    // The buffer as the program means it (loops a, b and c written out in JS), through the mapping.
    const buf = new DataView(new ArrayBuffer(0x4000));
    for (let rep = 0; rep < 30; rep++) for (let i = 0; i < 3 * 4096 + 100; i++) buf.setUint8(0x7f3 + i, i);
    for (let rep = 0; rep < 20; rep++)
      for (let a1 = 0x1ffc, a2 = 0x3ff0; a1 !== 0x1000; a1 -= 4, a2 -= 12)
        buf.setInt32(a2 + 8, buf.getInt32(a1, true) ^ 0x5a5, true);
    for (let rep = 0; rep < 20; rep++) for (let t1 = 5; t1 < 3 * 4096 + 100; t1 += 37) buf.setUint8(t1 + 1, t1);
    for (let t0 = 0x7fffe800; t0 < 0x7fffffff; t0++) buf.setUint8(0x2800 + t0 - 0x7fffe800, t0 >>> 3);
    for (let i = 0; i < 0x4000; i++)
      if (at(jit, V + i) !== buf.getUint8(i)) expect(`V + ${i}: ${at(jit, V + i)}`).toBe(buf.getUint8(i));
    expect(jit.cpus[0].regs[9]).toBe(20 * 8); // (e): 8 misaligned loads per run
    expect((jit.cpus[0].jit as Jit).stats.interpreted).toBeLessThan(jit.cpus[0].instret / 5);
  });

  it('a loop that writes the page table it walks, and a remap with tlbflush between runs', () => {
    // The loop stores every word of pages V..V+3 and, each iteration, points V+2's PTE at Q (a
    // stride-0 store): V+2 is not in the TLB yet when the loop starts, so both engines find Q there
    // when the pointer reaches it. Then V+1 is pointed at Q too, flushed, and the loop runs again.
    const loop = (k: number) => [
      ...li('a1', V),
      ...li('a3', V + 0x4000),
      ...li('t4', pteOf(V + 0x2000)),
      ...li('t5', Q | PTE_V | PTE_R | PTE_W),
      ins('sw', { rs1: 'a1', rs2: 'a1', imm: 0 }),
      ins('sw', { rs1: 't4', rs2: 't5', imm: 0 }),
      ins('addi', { rd: 'a1', rs1: 'a1', imm: k }),
      ins('bltu', { rs1: 'a1', rs2: 'a3', imm: -12 }),
    ];
    const code = [
      ...loop(4),
      ...li('t4', pteOf(V + 0x1000)),
      ins('sw', { rs1: 't4', rs2: 't5', imm: 0 }),
      ins('tlbflush', { rs1: 0, rs2: 0 }),
      ...loop(8),
      ins('jal', { rd: 0, imm: 0 }),
    ];
    const { ref, jit } = pair(code);
    expect(lockstep(ref, jit, 40_000, 3_000, 12).detail).toBe('');
    expect(jit.cpus[0].pc).toBe(CODE + 4 * (code.length - 1));
    const w = (pa: number) => jit.mem.i32[pa >>> 2];
    expect(w(P[0] + 0x10)).toBe(V + 0x10);
    expect(w(P[1] + 0x14)).toBe(V + 0x1014); // first run only (the second one's stride is 8)
    expect(w(P[2] + 0x10)).toBe(0); // never written: its page was remapped before the loop got there
    expect(w(P[3] + 0x14)).toBe(V + 0x3014);
    // Q is V+2 in the first run, V+1 and V+2 in the second (words at multiples of 8).
    expect(w(Q + 0x14)).toBe(V + 0x2014);
    expect(w(Q + 0x10)).toBe(V + 0x2010);
    expect((jit.cpus[0].jit as Jit).stats.interpreted).toBeLessThan(jit.cpus[0].instret / 2);
  });

  it('versions loops whose accesses are affine in the iteration, and only those', () => {
    const page = (code: number[]) => {
      const p = newCodePage();
      code.forEach((w, i) => decodeInto(p, i, w));
      return p;
    };
    const sieve = page([
      ins('add', { rd: 't2', rs1: 's0', rs2: 't1' }),
      ins('sb', { rs1: 't2', rs2: 0, imm: 0 }),
      ins('add', { rd: 't1', rs1: 't1', rs2: 't0' }),
      ins('blt', { rs1: 't1', rs2: 's1', imm: -12 }),
    ]);
    const v = versionLoop(sieve, 0, 4, 'L0');
    expect(v?.head).toContain('st = (r5) | 0;'); // the stride is t0 (r5)
    const chase = page([
      ins('lw', { rd: 'a1', rs1: 'a1', imm: 4 }), // a linked list: the next address is loaded
      ins('bne', { rs1: 'a1', rs2: 0, imm: -4 }),
    ]);
    expect(versionLoop(chase, 0, 2, 'L0')).toBeUndefined();
  });
});
