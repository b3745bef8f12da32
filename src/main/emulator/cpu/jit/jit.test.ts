/**
 * The block translator against the reference interpreter (docs/architecture.md#block-translation):
 * random programs generated from the opcode table, self-modifying code, code written by a loader or
 * DMA, remapped code pages and timer interrupts, each run under both engines in the same random
 * slices, comparing the whole architectural state after every slice.
 */
import { describe, expect, it } from 'vitest';
import { CSR, IRQ, STATUS_IE } from '../../../../shared/isa/csrs.js';
import { Machine } from '../../machine/Machine.js';
import { PTE_R, PTE_V, PTE_W, PTE_X } from '../../mmu/pte.js';
import { ins, li, PageTables, skipTrap, words } from '../../testing/harness.js';
import { newCodePage } from '../decode.js';
import { contentOf, translate } from './compile.js';
import { lockstep, rng } from './differential.js';
import type { Jit } from './Jit.js';

const CODE = 0x1000;
const DATA = 0x20000;
const HANDLER = 0x8000;

function pair(load: (m: Machine) => void, opts: { mem?: number } = {}): { ref: Machine; jit: Machine; out: string[] } {
  const out = ['', ''];
  const make = (engine: 'interp' | 'jit', i: number) => {
    const m = new Machine({
      cpus: 1,
      memBytes: opts.mem ?? 256 << 10,
      engine,
      console: { write: (b) => (out[i] += String.fromCharCode(b)) },
    });
    load(m);
    return m;
  };
  return { ref: make('interp', 0), jit: make('jit', 1), out };
}

/** Fraction of the steps the translated code ran (the rest ran in the interpreter). */
function translatedShare(m: Machine): number {
  const j = m.cpus[0].jit as Jit;
  return 1 - j.stats.interpreted / (m.cpus[0].hcycle || 1);
}

/** Trap handler (hypervisor mode): count the trap in s1 and skip the instruction. */
const skipHandler = skipTrap('hepc', 't6', ins('addi', { rd: 's1', rs1: 's1', imm: 1 }));

const R_OPS = [
  'add',
  'sub',
  'and',
  'or',
  'xor',
  'sll',
  'srl',
  'sra',
  'slt',
  'sltu',
  'mul',
  'mulh',
  'mulhu',
  'div',
  'divu',
  'rem',
  'remu',
];
const I_OPS = ['addi', 'slti', 'sltiu', 'andi', 'ori', 'xori'];
const SH_OPS = ['slli', 'srli', 'srai'];
const LOADS = ['lb', 'lh', 'lw', 'lbu', 'lhu'];
const STORES = ['sb', 'sh', 'sw'];
const BRANCHES = ['beq', 'bne', 'blt', 'bge', 'bltu', 'bgeu'];
/** Registers random code may write (not ra = r1, s0 = r8 the data base, s1 = r9 the trap count, r20.. loop counters, t6 the handler's). */
const DEST = [2, 3, 4, 5, 6, 7, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19];
const SRC = [0, ...DEST, 8];

/** A random program: straight-line code, loops (nested), forward branches, calls, loads and stores
 *  (some misaligned: traps), counter reads, syscalls and illegal words (traps the handler skips). */
function randomProgram(seed: number): number[] {
  const r = rng(seed);
  const pick = <T>(a: readonly T[]): T => a[Math.floor(r() * a.length)];
  const code: number[] = [...li('s0', DATA)];
  const one = (): number => {
    const x = r();
    const rd = pick(DEST);
    if (x < 0.35) return ins(pick(R_OPS), { rd, rs1: pick(SRC), rs2: pick(SRC) });
    if (x < 0.5) {
      const op = pick(I_OPS);
      const signed = op === 'addi' || op === 'slti' || op === 'sltiu';
      return ins(op, { rd, rs1: pick(SRC), imm: Math.floor(r() * 0x10000) - (signed ? 0x8000 : 0) });
    }
    if (x < 0.55) return ins(pick(SH_OPS), { rd, rs1: pick(SRC), imm: Math.floor(r() * 32) });
    if (x < 0.58) return ins(r() < 0.5 ? 'lui' : 'auipc', { rd, imm: Math.floor(r() * 0x10000) });
    const misalign = r() < 0.03 ? 1 : 0;
    if (x < 0.75) return ins(pick(LOADS), { rd, rs1: 's0', imm: (Math.floor(r() * 1000) * 4 + misalign) & 0xfff });
    if (x < 0.9)
      return ins(pick(STORES), { rs1: 's0', rs2: pick(SRC), imm: (Math.floor(r() * 1000) * 4 + misalign) & 0xfff });
    if (x < 0.93) return ins('csrrs', { rd, imm: r() < 0.5 ? CSR.instret : CSR.cycle });
    if (x < 0.95) return ins('syscall', { imm: 7 });
    if (x < 0.96) return 0x3f; // illegal
    return ins('addi', { rd, rs1: rd, imm: 1 });
  };
  const block = (depth: number): void => {
    const parts = 1 + Math.floor(r() * 4);
    for (let p = 0; p < parts; p++) {
      const x = r();
      if (x < 0.4 || depth >= 2) {
        for (let i = 0, n = 2 + Math.floor(r() * 10); i < n; i++) code.push(one());
      } else if (x < 0.7) {
        const rc = 20 + depth;
        code.push(ins('addi', { rd: rc, rs1: 0, imm: 3 + Math.floor(r() * 40) }));
        const top = code.length;
        block(depth + 1);
        code.push(ins('addi', { rd: rc, rs1: rc, imm: -1 }));
        code.push(ins('bne', { rs1: rc, rs2: 0, imm: (top - code.length) * 4 }));
      } else {
        const skip = 1 + Math.floor(r() * 4);
        code.push(ins(pick(BRANCHES), { rs1: pick(SRC), rs2: pick(SRC), imm: (skip + 1) * 4 }));
        for (let i = 0; i < skip; i++) code.push(one());
      }
    }
  };
  // An outer loop that runs forever, with calls to a leaf function placed after it.
  const top = code.length;
  block(0);
  const callAt = code.length;
  code.push(0); // jal ra, leaf (patched below)
  code.push(ins('jal', { rd: 0, imm: (top - code.length) * 4 }));
  const leaf = code.length;
  for (let i = 0; i < 6; i++) code.push(one());
  code.push(ins('jalr', { rd: 0, rs1: 'ra', imm: 0 }));
  code[callAt] = ins('jal', { rd: 'ra', imm: (leaf - callAt) * 4 });
  return code;
}

function loadRandom(seed: number) {
  return (m: Machine) => {
    m.load(CODE, words(randomProgram(seed)));
    m.load(HANDLER, words(skipHandler));
    const cpu = m.cpus[0];
    cpu.htvec = HANDLER;
    cpu.pc = CODE;
  };
}

describe('block translator vs interpreter', () => {
  for (const seed of [1, 2, 3, 4, 5, 6]) {
    it(`random program ${seed}: identical state after every slice`, () => {
      const { ref, jit } = pair(loadRandom(seed));
      const res = lockstep(ref, jit, 400_000, 20_000, seed);
      expect(res.detail).toBe('');
      expect(jit.cpus[0].engine).toBe('jit');
      expect(ref.cpus[0].engine).toBe('interp');
      // The test means something only if the translator ran most of it and traps happened.
      expect(translatedShare(jit)).toBeGreaterThan(0.5);
      expect(jit.cpus[0].stats.traps).toBeGreaterThan(0);
    });
  }

  it('a loop of 1,500 instructions across a page boundary (regions cut at their size limit)', () => {
    const r = rng(77);
    const body: number[] = [];
    for (let i = 0; i < 1500; i++) {
      const x = r();
      const rd = DEST[Math.floor(r() * DEST.length)];
      const rs1 = SRC[Math.floor(r() * SRC.length)];
      if (x < 0.6)
        body.push(ins(R_OPS[Math.floor(r() * R_OPS.length)], { rd, rs1, rs2: SRC[Math.floor(r() * SRC.length)] }));
      else if (x < 0.8) body.push(ins('addi', { rd, rs1, imm: Math.floor(r() * 0x10000) - 0x8000 }));
      else body.push(ins(r() < 0.5 ? 'lw' : 'sw', { rd, rs1: 's0', rs2: rd, imm: Math.floor(r() * 1000) * 4 }));
    }
    const prog = [
      ...li('s0', DATA),
      ins('addi', { rd: 20, rs1: 0, imm: 200 }),
      ...body,
      ins('addi', { rd: 20, rs1: 20, imm: -1 }),
      ins('bne', { rs1: 20, rs2: 0, imm: -(body.length + 1) * 4 }),
      ins('jal', { rd: 0, imm: 0 }),
    ];
    const { ref, jit } = pair((m) => {
      m.load(CODE + 0x800, words(prog)); // starts mid-page: the loop spans three pages
      m.cpus[0].pc = CODE + 0x800;
    });
    expect(lockstep(ref, jit, 400_000, 30_000, 13).detail).toBe('');
    expect(jit.cpus[0].regs[20]).toBe(0);
    expect(translatedShare(jit)).toBeGreaterThan(0.5);
  });

  it('self-modifying code: a hot loop patches its own body and the new instruction runs', () => {
    // a0 counts; after 200 iterations the loop rewrites its `addi a0, a0, 1` into `addi a0, a0, 100`.
    const patched = ins('addi', { rd: 'a0', rs1: 'a0', imm: 100 });
    const prog = [
      ...li('t0', 400), // iterations
      ...li('t1', patched),
      ...li('t2', 0), // address of the addi, set below
      ins('addi', { rd: 'a0', rs1: 'a0', imm: 1 }), // loop: (index 6)
      ins('addi', { rd: 't0', rs1: 't0', imm: -1 }),
      ins('addi', { rd: 't3', rs1: 0, imm: 200 }),
      ins('bne', { rs1: 't0', rs2: 't3', imm: 8 }),
      ins('sw', { rs1: 't2', rs2: 't1', imm: 0 }),
      ins('bne', { rs1: 't0', rs2: 0, imm: -5 * 4 }),
      ins('jal', { rd: 0, imm: 0 }),
    ];
    prog.splice(4, 2, ...li('t2', CODE + 6 * 4));
    const { ref, jit } = pair((m) => {
      m.load(CODE, words(prog));
      m.cpus[0].pc = CODE;
    });
    expect(lockstep(ref, jit, 20_000, 700, 9).detail).toBe('');
    expect(jit.cpus[0].regs[10]).toBe(200 + 200 * 100);
  });

  it('code written from outside (a loader or DMA) between slices replaces translated code', () => {
    const loop = (k: number) => [ins('addi', { rd: 'a0', rs1: 'a0', imm: k }), ins('jal', { rd: 0, imm: -4 })];
    const { ref, jit } = pair((m) => {
      m.load(CODE, words(loop(1)));
      m.cpus[0].pc = CODE;
    });
    expect(lockstep(ref, jit, 50_000, 5000, 3).detail).toBe('');
    expect((jit.cpus[0].jit as Jit).stats.regions).toBeGreaterThan(0);
    const before = jit.cpus[0].regs[10];
    for (const m of [ref, jit]) m.mem.writeBytes(CODE, words(loop(3))); // as a DMA transfer does
    const res = lockstep(ref, jit, 50_000, 5000, 4);
    expect(res.detail).toBe('');
    // Every addi after the write adds 3 (one addi per two steps).
    const delta = jit.cpus[0].regs[10] - before;
    expect(delta % 3).toBe(0);
    expect(Math.abs(delta - (3 * res.steps) / 2)).toBeLessThanOrEqual(3);
  });

  it('identical code pages share one translation; a page that differs in one instruction does not', () => {
    // A loop no other test has (its constant), loaded at different physical pages of three machines.
    const loop = (k: number) => [
      ...li('t0', 0x5eed0000 + k),
      ins('addi', { rd: 'a0', rs1: 'a0', imm: k }),
      ins('xor', { rd: 'a1', rs1: 'a1', rs2: 't0' }),
      ins('jal', { rd: 0, imm: -8 }),
    ];
    const run = (at: number, k: number) => {
      const { ref, jit } = pair((m) => {
        m.load(at, words(loop(k)));
        m.cpus[0].pc = at;
      });
      expect(lockstep(ref, jit, 30_000, 3000, 5).detail).toBe('');
      expect(jit.cpus[0].regs[10]).toBeGreaterThan(1000 * k);
      return (jit.cpus[0].jit as Jit).stats;
    };
    const first = run(0x3000, 7);
    expect(first.regions).toBeGreaterThan(0);
    expect(first.sharedRegions).toBe(0);
    // The same 4 KiB of code at another page: the same translations, taken as soon as an entry is
    // dispatched (not after 16 times), so less of it runs in the interpreter.
    const again = run(0x6000, 7);
    expect(again.regions).toBeGreaterThan(0);
    expect(again.sharedRegions).toBe(again.regions);
    expect(again.interpreted).toBeLessThan(first.interpreted);
    const other = run(0x3000, 9); // one instruction differs: its own translation
    expect(other.regions).toBeGreaterThan(0);
    expect(other.sharedRegions).toBe(0);
  });

  it('word accesses the block proves aligned skip the check; the ones it cannot prove still trap', () => {
    // 0(s0) checks and proves s0 aligned, so 4(s0) needs no check; xori then changes s0, so 8(s0)
    // checks again and traps when s0 is odd (the handler counts in s1 and skips). With s0 odd, 0(s0)
    // traps, and 4(s0) (entered after the trap) checks and traps too. Same traps at the same counts
    // in both engines; a check dropped wrongly would store where the interpreter traps.
    const load = (m: Machine) => {
      m.load(
        CODE,
        words(
          ...li('s0', DATA),
          ins('addi', { rd: 'a0', rs1: 'a0', imm: 1 }), // loop head: a0 counts rounds
          ins('sw', { rs1: 's0', rs2: 'a0', imm: 0 }),
          ins('sw', { rs1: 's0', rs2: 'a0', imm: 4 }),
          ins('xori', { rd: 's0', rs1: 's0', imm: 1 }), // alternately DATA + 1 and DATA
          ins('sw', { rs1: 's0', rs2: 'a0', imm: 8 }),
          ins('jal', { rd: 0, imm: -20 }),
        ),
      );
      m.load(HANDLER, words(skipHandler));
      m.cpus[0].htvec = HANDLER;
      m.cpus[0].pc = CODE;
    };
    const { ref, jit } = pair(load);
    expect(lockstep(ref, jit, 200_000, 7_000, 8).detail).toBe('');
    const c = jit.cpus[0];
    // Three traps per two rounds.
    expect(c.regs[9]).toBeGreaterThan(1000);
    expect(Math.abs(2 * c.regs[9] - 3 * c.regs[10])).toBeLessThanOrEqual(6);
    expect(translatedShare(jit)).toBeGreaterThan(0.3);
  });

  it('a warm entry takes any translation of identical code with a block there, whatever entries it was made for', () => {
    // Guests reach a shared kernel's entries in different orders, so their regions' keys (entry and
    // merged entries) differ; a warm entry looks for a block at its instruction instead.
    const m = new Machine({ cpus: 1, memBytes: 256 << 10, engine: 'jit' });
    const at = 0x7000;
    m.load(
      at,
      words(
        ins('addi', { rd: 'a0', rs1: 'a0', imm: 1 }), // 0: loop head
        ins('bne', { rs1: 'a0', rs2: 't0', imm: -4 }), // 1: back to 0
        ins('addi', { rd: 'a1', rs1: 'a1', imm: 0x3ab }), // 2: a block of its own (fall-through)
        ins('jal', { rd: 0, imm: -12 }), // 3: back to 0
      ),
    );
    const cpu = m.cpus[0];
    const content = contentOf(m.mem.i32, at);
    const site = (entry: number, more: number[]) => [cpu, newCodePage(), at, entry, more] as const;
    expect(translate(content, [...site(2, [9])], false)).toBeNull(); // nothing translated yet
    const compiled = translate(content, [...site(0, [])]);
    expect(compiled?.entries[2]).toBeGreaterThanOrEqual(0);
    const warm = translate(content, [...site(2, [9])], false); // a key nobody compiled
    expect(warm?.fn).toBe(compiled?.fn);
    expect(warm?.shared).toBe(true);
    expect(translate(content, [...site(1, [])], false)).toBeNull(); // no block starts at 1
  });

  it('an entry hot over all identical pages together is translated before any one page reaches 16', () => {
    // Guests sharing a kernel run its tick path once per time slice each. Here each machine runs 640
    // steps of the same loop: 5 dispatches at its head (one per interpreted chunk of 128), never 16;
    // the 13th machine brings the head's count over all of them to 65 (>= 64) and translates it.
    const loop = words(
      ins('addi', { rd: 'a0', rs1: 'a0', imm: 0x2bd }),
      ins('xor', { rd: 'a1', rs1: 'a1', rs2: 'a0' }),
      ins('slli', { rd: 'a2', rs1: 'a1', imm: 1 }),
      ins('jal', { rd: 0, imm: -12 }),
    );
    const regions: number[] = [];
    for (let k = 0; k < 13; k++) {
      const { ref, jit } = pair((m) => {
        m.load(CODE, loop);
        m.cpus[0].pc = CODE;
      });
      ref.run(640);
      jit.run(640);
      expect(jit.cpus[0].regs[12]).toBe(ref.cpus[0].regs[12]);
      regions.push((jit.cpus[0].jit as Jit).stats.regions);
    }
    expect(regions).toEqual([...new Array<number>(12).fill(0), 1]);
  });

  it('SMP: one pCPU rewrites the hot loop another pCPU is running in translated code', () => {
    // pCPU 0 spins adding 1 to a0 (translated after a few quanta); pCPU 1 counts to 30,000, then
    // patches pCPU 0's addi to add 5: pCPU 0 must drop its region and translate the new code.
    const other = 0x3000;
    const load = (m: Machine) => {
      m.load(CODE, words(ins('addi', { rd: 'a0', rs1: 'a0', imm: 1 }), ins('jal', { rd: 0, imm: -4 })));
      m.load(
        other,
        words(
          ...li('t0', 30_000),
          ...li('t1', ins('addi', { rd: 'a0', rs1: 'a0', imm: 5 })),
          ...li('t2', CODE),
          ins('addi', { rd: 't0', rs1: 't0', imm: -1 }),
          ins('bne', { rs1: 't0', rs2: 0, imm: -4 }),
          ins('sw', { rs1: 't2', rs2: 't1', imm: 0 }),
          ins('jal', { rd: 0, imm: 0 }),
        ),
      );
      m.cpus[0].pc = CODE;
      m.cpus[1].pc = other;
    };
    const ms = (['interp', 'jit'] as const).map((engine) => {
      const m = new Machine({ cpus: 2, memBytes: 256 << 10, engine, quantum: 997 });
      load(m);
      return m;
    });
    expect(lockstep(ms[0], ms[1], 200_000, 3000, 8).detail).toBe('');
    const a0 = ms[1].cpus[0].regs[10];
    expect(lockstep(ms[0], ms[1], 20_000, 3000, 9).detail).toBe('');
    // After the patch every addi adds 5.
    expect((ms[1].cpus[0].regs[10] - a0) % 5).toBe(0);
    expect(ms[1].cpus[0].regs[10] - a0).toBeGreaterThan(5 * 4000);
    expect((ms[1].cpus[0].jit as Jit).stats.regions).toBeGreaterThanOrEqual(2); // before and after the patch
  });

  it('a remapped code page (page tables changed, tlbflush) runs the new page', () => {
    // Supervisor mode with paging: virtual page 0x40000 maps to physical A (adds 1 to a0), then the
    // program points it at physical B (adds 1000) and flushes; both engines must follow the mapping.
    const A = 0x10000;
    const B = 0x11000;
    const V = 0x40000;
    const body = (k: number) => [
      ins('addi', { rd: 't0', rs1: 0, imm: 50 }),
      ins('addi', { rd: 'a0', rs1: 'a0', imm: k }),
      ins('addi', { rd: 't0', rs1: 't0', imm: -1 }),
      ins('bne', { rs1: 't0', rs2: 0, imm: -8 }),
      ins('jalr', { rd: 0, rs1: 'ra', imm: 0 }),
    ];
    const load = (m: Machine) => {
      const pt = new PageTables(m, 0x30000, 0x31000);
      pt.map(CODE, CODE, PTE_V | PTE_R | PTE_X);
      pt.map(0x30000, 0x30000, PTE_V | PTE_R | PTE_W);
      pt.map(0x31000, 0x31000, PTE_V | PTE_R | PTE_W);
      pt.map(V, A, PTE_V | PTE_R | PTE_X);
      const l2 = 0x31000 + ((V >>> 12) & 0x3ff) * 4; // the PTE of V
      m.load(A, words(body(1)));
      m.load(B, words(body(1000)));
      m.load(
        CODE,
        words(
          ...li('s2', V),
          ins('addi', { rd: 's3', rs1: 0, imm: 40 }),
          ins('jalr', { rd: 'ra', rs1: 's2', imm: 0 }), // call V, 40 times
          ins('addi', { rd: 's3', rs1: 's3', imm: -1 }),
          ins('bne', { rs1: 's3', rs2: 0, imm: -8 }),
          ...li('t1', l2),
          ...li('t2', B | PTE_V | PTE_R | PTE_X),
          ins('sw', { rs1: 't1', rs2: 't2', imm: 0 }),
          ins('tlbflush', { rs1: 0, rs2: 0 }),
          ins('addi', { rd: 's3', rs1: 0, imm: 40 }),
          ins('jalr', { rd: 'ra', rs1: 's2', imm: 0 }),
          ins('addi', { rd: 's3', rs1: 's3', imm: -1 }),
          ins('bne', { rs1: 's3', rs2: 0, imm: -8 }),
          ins('jal', { rd: 0, imm: 0 }),
        ),
      );
      const cpu = m.cpus[0];
      cpu.ptbr = 0x30000 | 1;
      cpu.mode = 1;
      cpu.updateContext();
      cpu.pc = CODE;
    };
    const { ref, jit } = pair(load);
    expect(lockstep(ref, jit, 30_000, 900, 5).detail).toBe('');
    expect(jit.cpus[0].regs[10]).toBe(40 * 50 + 40 * 50 * 1000);
    expect(translatedShare(jit)).toBeGreaterThan(0.5);
  });

  it('a timer interrupt lands at the same instruction inside a translated loop', () => {
    // A hot loop with the hypervisor timer armed at an odd cycle; the handler records where the loop
    // was (hepc) and how far it had counted, then disarms the timer.
    const load = (m: Machine) => {
      m.load(
        CODE,
        words(
          ins('addi', { rd: 'a0', rs1: 'a0', imm: 1 }),
          ins('xor', { rd: 'a1', rs1: 'a1', rs2: 'a0' }),
          ins('slli', { rd: 'a2', rs1: 'a1', imm: 3 }),
          ins('jal', { rd: 0, imm: -12 }),
        ),
      );
      m.load(
        HANDLER,
        words(
          ins('csrrs', { rd: 24, imm: CSR.hepc }),
          ins('addi', { rd: 25, rs1: 'a0', imm: 0 }),
          ins('csrrs', { rd: 26, imm: CSR.hcycle }),
          ins('csrrw', { rs1: 0, imm: CSR.hie }),
          ins('eret'),
        ),
      );
      const cpu = m.cpus[0];
      cpu.htvec = HANDLER;
      cpu.hstatus |= STATUS_IE;
      cpu.hie = 1 << IRQ.htimer;
      cpu.writeCsr(CSR.htimecmp, 123_457);
      cpu.pc = CODE;
    };
    const { ref, jit } = pair(load);
    expect(lockstep(ref, jit, 300_000, 50_000, 6).detail).toBe('');
    const c = jit.cpus[0];
    expect(c.stats.interrupts).toBe(1);
    // The interrupt came at cycle 123,457: the handler's third instruction reads 123,459.
    expect(c.regs[26]).toBe(123_459);
    expect(c.regs[24]).toBe(ref.cpus[0].regs[24]);
    expect(c.regs[25]).toBeGreaterThan(10_000);
    expect(translatedShare(jit)).toBeGreaterThan(0.9);
  });
});
