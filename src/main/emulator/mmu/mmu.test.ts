/**
 * Address translation (docs/isa.md#paging, docs/isa.md#tlb): permissions, the TLB and its flushes,
 * address-space ids, stage 2, superpages, and code that changes under the CPU.
 */
import { describe, expect, it } from 'vitest';
import { CAUSE } from '../../../shared/isa/csrs.js';
import { ins, machine, PageTables, step, words } from '../testing/harness.js';
import { PTE_G, PTE_R, PTE_U, PTE_V, PTE_W, PTE_X } from './pte.js';
import { Tlb, TLB_MASK } from './Tlb.js';

const V = PTE_V;
const RW = V | PTE_R | PTE_W;
const RX = V | PTE_R | PTE_X;

/** A machine whose pCPU runs in `mode` with stage-1 tables at 0x10000 (tables from 0x11000). */
function paged(mode: 0 | 1) {
  const t = machine({ mem: 4 << 20 });
  const pt = new PageTables(t.m, 0x10000, 0x11000);
  const cpu = t.cpu;
  cpu.htvec = 0x100;
  cpu.ptbr = 0x10000 | 1;
  cpu.mode = mode;
  cpu.updateContext();
  const U = mode === 0 ? PTE_U : 0;
  pt.map(0x400000, 0x80000, RX | U); // code
  cpu.pc = 0x400000;
  return { ...t, pt, U };
}

function code(t: ReturnType<typeof paged>, ...ws: number[]) {
  t.m.load(0x80000, words(...ws));
}

describe('stage-1 translation', () => {
  it('user mode reads and writes through U pages', () => {
    const t = paged(0);
    t.pt.map(0x500000, 0x90000, RW | PTE_U);
    t.m.mem.write32(0x90010, 1234);
    code(t, ins('lw', { rd: 'a0', rs1: 'a1', imm: 0x10 }), ins('sw', { rs2: 'a0', rs1: 'a1', imm: 0x20 }));
    t.cpu.regs[11] = 0x500000;
    step(t.cpu, 2);
    expect(t.cpu.regs[10]).toBe(1234);
    expect(t.m.mem.read32(0x90020)).toBe(1234);
    expect(t.cpu.mode).toBe(0);
  });

  it.each([
    ['store to a read-only page', 'sw', V | PTE_R | PTE_U, CAUSE.STORE_PAGE_FAULT],
    ['load from a write-only page', 'lw', V | PTE_W | PTE_U, CAUSE.LOAD_PAGE_FAULT],
    ['load from an invalid entry', 'lw', PTE_R | PTE_U, CAUSE.LOAD_PAGE_FAULT],
    ['user load from a supervisor page', 'lw', RW, CAUSE.LOAD_PAGE_FAULT],
    ['user store to a supervisor page', 'sw', RW, CAUSE.STORE_PAGE_FAULT],
  ])('%s faults with the virtual address', (_what, m, flags, cause) => {
    const t = paged(0);
    t.pt.map(0x500000, 0x90000, flags as number);
    const w = m === 'sw' ? ins('sw', { rs2: 'a0', rs1: 'a1', imm: 4 }) : ins('lw', { rd: 'a0', rs1: 'a1', imm: 4 });
    code(t, w);
    t.cpu.regs[11] = 0x500000;
    step(t.cpu, 1);
    expect(t.cpu.hcause).toBe(cause);
    expect(t.cpu.hbadaddr).toBe(0x500004);
    expect(t.cpu.hepc).toBe(0x400000);
    expect(t.cpu.hstatus >> 2).toBe(0); // trapped from user mode
  });

  it('an unmapped address faults (no level-2 table)', () => {
    const t = paged(1);
    code(t, ins('lw', { rd: 'a0', rs1: 'a1', imm: 0 }));
    t.cpu.regs[11] = 0x7fff0000;
    step(t.cpu, 1);
    expect(t.cpu.hcause).toBe(CAUSE.LOAD_PAGE_FAULT);
  });

  it('fetch needs X, and the supervisor may not execute user pages', () => {
    let t = paged(1);
    t.pt.map(0x400000, 0x80000, RW); // no X
    step(t.cpu, 1);
    expect(t.cpu.hcause).toBe(CAUSE.FETCH_PAGE_FAULT);
    expect(t.cpu.hbadaddr).toBe(0x400000);
    t = paged(1);
    t.pt.map(0x400000, 0x80000, RX | PTE_U);
    step(t.cpu, 1);
    expect(t.cpu.hcause).toBe(CAUSE.FETCH_PAGE_FAULT);
  });

  it('the supervisor may read user pages', () => {
    const t = paged(1);
    t.pt.map(0x500000, 0x90000, RW | PTE_U);
    t.m.mem.write32(0x90000, 77);
    code(t, ins('lw', { rd: 'a0', rs1: 'a1', imm: 0 }));
    t.cpu.regs[11] = 0x500000;
    step(t.cpu, 1);
    expect(t.cpu.regs[10]).toBe(77);
  });

  it('maps 4 MiB superpages, and rejects misaligned ones', () => {
    const t = paged(1);
    t.m.mem.write32(0x10000 + (0x800000 >>> 22) * 4, 0x000000 | RW); // va 8M -> pa 0
    t.m.mem.write32(0x1234, 99);
    code(t, ins('lw', { rd: 'a0', rs1: 'a1', imm: 0x234 }), ins('lw', { rd: 'a2', rs1: 'a3', imm: 0 }));
    t.cpu.regs[11] = 0x801000;
    t.m.mem.write32(0x10000 + (0xc00000 >>> 22) * 4, 0x1000 | RW); // misaligned superpage
    t.cpu.regs[13] = 0xc00000;
    step(t.cpu, 2);
    expect(t.cpu.regs[10]).toBe(99);
    expect(t.cpu.hcause).toBe(CAUSE.LOAD_PAGE_FAULT);
    expect(t.cpu.hbadaddr).toBe(0xc00000);
  });

  it('a page table outside RAM gives ACCESS_FAULT', () => {
    const t = paged(1);
    t.m.mem.write32(0x10000 + (0x500000 >>> 22) * 4, 0x3ff000 | V); // l2 table beyond 4 MiB RAM? (inside)
    t.cpu.ptbr = 0xe0000000 | 1; // root outside RAM
    t.cpu.updateContext();
    step(t.cpu, 1);
    expect(t.cpu.hcause).toBe(CAUSE.ACCESS_FAULT);
  });
});

describe('TLB', () => {
  it('keeps a translation until tlbflush (the stale entry is visible, then gone)', () => {
    const t = paged(1);
    t.pt.map(0x500000, 0x90000, RW);
    t.m.mem.write32(0x90000, 1);
    t.m.mem.write32(0xa0000, 2);
    code(
      t,
      ins('lw', { rd: 'a0', rs1: 'a1' }),
      ins('lw', { rd: 'a2', rs1: 'a1' }),
      ins('tlbflush', { rs1: 'a1', rs2: 0 }),
      ins('lw', { rd: 'a3', rs1: 'a1' }),
    );
    t.cpu.regs[11] = 0x500000;
    step(t.cpu, 1);
    t.pt.map(0x500000, 0xa0000, RW); // change the PTE behind the TLB's back
    step(t.cpu, 3);
    expect([t.cpu.regs[10], t.cpu.regs[12], t.cpu.regs[13]]).toEqual([1, 1, 2]);
  });

  it('tags entries with the ASID: switching address spaces needs no flush', () => {
    const t = paged(1);
    // asid 1 maps 0x500000 -> 0x90000 (value 1); asid 2 uses another table mapping it to 0xa0000 (2).
    t.pt.map(0x500000, 0x90000, RW);
    const pt2 = new PageTables(t.m, 0x20000, 0x21000);
    pt2.map(0x400000, 0x80000, RX).map(0x500000, 0xa0000, RW);
    t.m.mem.write32(0x90000, 1);
    t.m.mem.write32(0xa0000, 2);
    const cpu = t.cpu;
    const load = () => {
      code(t, ins('lw', { rd: 'a0', rs1: 'a1' }));
      cpu.pc = 0x400000;
      step(cpu, 1);
      return cpu.regs[10];
    };
    cpu.regs[11] = 0x500000;
    cpu.asid = 1;
    cpu.updateContext();
    expect(load()).toBe(1);
    cpu.asid = 2;
    cpu.ptbr = 0x20000 | 1;
    cpu.updateContext();
    expect(load()).toBe(2);
    // Back to asid 1 but keep asid 2's table: the asid-1 entry is still cached, so we see 1.
    cpu.asid = 1;
    cpu.updateContext();
    expect(load()).toBe(1);
    // Flush asid 1 only: now the walk uses the current table.
    cpu.regs[12] = 1;
    code(t, ins('tlbflush', { rs1: 0, rs2: 'a2' }));
    cpu.pc = 0x400000;
    step(cpu, 1);
    expect(load()).toBe(2);
  });

  it('a flush by ASID spares global pages', () => {
    const t = paged(1);
    t.pt.map(0x500000, 0x90000, RW | PTE_G);
    t.m.mem.write32(0x90000, 5);
    t.m.mem.write32(0xa0000, 6);
    t.cpu.asid = 3;
    t.cpu.updateContext();
    code(
      t,
      ins('lw', { rd: 'a0', rs1: 'a1' }),
      ins('tlbflush', { rs1: 0, rs2: 'a2' }),
      ins('lw', { rd: 'a3', rs1: 'a1' }),
    );
    t.cpu.regs[11] = 0x500000;
    t.cpu.regs[12] = 3;
    step(t.cpu, 1);
    t.pt.map(0x500000, 0xa0000, RW | PTE_G);
    step(t.cpu, 2);
    expect(t.cpu.regs[13]).toBe(5);
  });
});

describe('stage 2', () => {
  function guest() {
    const t = machine({ mem: 4 << 20 });
    // Guest-physical 0..64 KiB -> host-physical 0x100000..; stage-2 tables at 0x200000.
    const s2 = new PageTables(t.m, 0x200000, 0x201000);
    s2.mapRange(0, 0x100000, 0x10000, RW | PTE_X);
    const cpu = t.cpu;
    cpu.s2ptbr = 0x200000 | 1;
    cpu.vmid = 7;
    cpu.hdeleg = 0xffff;
    cpu.htvec = 0x300;
    cpu.stvec = 0x400;
    cpu.mode = 1;
    cpu.updateContext();
    cpu.pc = 0x1000;
    return { ...t, s2 };
  }
  it('translates guest-physical to host-physical', () => {
    const t = guest();
    t.m.load(
      0x101000,
      words(ins('lw', { rd: 'a0', rs1: 0, imm: 0x2000 }), ins('sw', { rs2: 'a0', rs1: 0, imm: 0x2004 })),
    );
    t.m.mem.write32(0x102000, 42);
    step(t.cpu, 2);
    expect(t.cpu.regs[10]).toBe(42);
    expect(t.m.mem.read32(0x102004)).toBe(42);
    expect(t.m.mem.read32(0x2004)).toBe(0);
  });
  it('an access outside the partition is a guest fault to the hypervisor, even with everything delegated', () => {
    const t = guest();
    t.m.load(0x101000, words(ins('lw', { rd: 'a0', rs1: 'a1', imm: 0 })));
    t.cpu.regs[11] = 0x20000; // beyond the 64 KiB the partition has
    step(t.cpu, 1);
    expect(t.cpu.mode).toBe(2);
    expect(t.cpu.hcause).toBe(CAUSE.GUEST_LOAD_FAULT);
    expect(t.cpu.hgpa).toBe(0x20000);
    expect(t.cpu.hepc).toBe(0x1000);
  });
  it('stage-1 page tables are read through stage 2 (a guest cannot point them outside)', () => {
    const t = guest();
    t.m.load(0x101000, words(ins('lw', { rd: 'a0', rs1: 'a1', imm: 0 })));
    // The guest's stage 1 maps its code; the root table lies at guest-physical 0x8000 (host 0x108000).
    t.m.mem.write32(0x108000 + (0x1000 >>> 22) * 4, 0x9000 | V);
    t.m.mem.write32(0x109000 + ((0x1000 >>> 12) & 0x3ff) * 4, 0x1000 | RX);
    // A second mapping whose level-1 entry points at a "table" outside the partition (0x300000).
    t.m.mem.write32(0x108000 + (0x400000 >>> 22) * 4, 0x300000 | V);
    t.cpu.ptbr = 0x8000 | 1;
    t.cpu.updateContext();
    t.cpu.regs[11] = 0x400000;
    step(t.cpu, 1);
    expect(t.cpu.hcause).toBe(CAUSE.GUEST_LOAD_FAULT);
    expect(t.cpu.hgpa).toBe(0x300000);
  });
  it('hflush drops the entries of a VMID', () => {
    const t = guest();
    t.m.load(0x101000, words(ins('lw', { rd: 'a0', rs1: 0, imm: 0x2000 })));
    t.m.mem.write32(0x102000, 1);
    t.m.mem.write32(0x103000, 2);
    step(t.cpu, 1);
    t.s2.map(0x2000, 0x103000, RW);
    t.cpu.pc = 0x1000;
    step(t.cpu, 1);
    expect(t.cpu.regs[10]).toBe(1); // stale
    t.cpu.tlb.flushVmid(7);
    t.cpu.pc = 0x1000;
    step(t.cpu, 1);
    expect(t.cpu.regs[10]).toBe(2);
  });
});

describe('the TLB alone', () => {
  const meta = (vmid: number) => ({ asid: 0, vmid, global: false, stage1: true });
  const hit = (t: Tlb, ctx: number, vpn: number, hash: number) => t.rTag[(vpn ^ hash) & TLB_MASK] === (ctx | vpn);
  it('a VMID flush drops exactly that VMID, also after slots were taken over by other VMIDs', () => {
    const t = new Tlb();
    const A = 1 << 20; // two contexts, VMIDs 3 and 4, with their own slot spreading
    const B = 2 << 20;
    const ha = Tlb.hash(0, 3);
    const hb = Tlb.hash(0, 4);
    for (let vpn = 0; vpn < 700; vpn++) t.fill(A, ha, vpn, vpn << 12, true, true, false, meta(3));
    // VMID 4 takes over some of VMID 3's slots (a direct-mapped TLB), the rest are its own.
    for (let vpn = 0; vpn < 700; vpn++) t.fill(B, hb, vpn, vpn << 12, true, false, true, meta(4));
    const left3 = [...Array(700).keys()].filter((v) => hit(t, A, v, ha));
    expect(left3.length).toBeGreaterThan(0);
    expect(left3.length).toBeLessThan(700);
    t.flushVmid(3);
    expect([...Array(700).keys()].filter((v) => hit(t, A, v, ha))).toEqual([]);
    expect([...Array(700).keys()].every((v) => hit(t, B, v, hb))).toBe(true);
    t.flushVmid(3); // nothing of VMID 3 is left: still correct, and counted as a flush
    t.flushVmid(4);
    expect([...Array(700).keys()].some((v) => hit(t, B, v, hb))).toBe(false);
    expect(t.flushes).toBe(3);
  });
});

describe('code that changes', () => {
  it('a store into the running page is seen by the next instruction (self-modifying code)', () => {
    const t = machine();
    // 0x100: sw a1, 8(zero)   -> overwrites the instruction at 0x108
    // 0x104: addi a0, zero, 1
    // 0x108: addi a0, zero, 2  (replaced by addi a0, a0, 10)
    t.m.load(
      0x100,
      words(
        ins('sw', { rs2: 'a1', rs1: 0, imm: 0x108 }),
        ins('addi', { rd: 'a0', imm: 1 }),
        ins('addi', { rd: 'a0', imm: 2 }),
      ),
    );
    t.cpu.pc = 0x100;
    // Run the page once so it is decoded, then again with the patch.
    t.cpu.regs[11] = ins('addi', { rd: 'a0', rs1: 'a0', imm: 10 });
    step(t.cpu, 3);
    expect(t.cpu.regs[10]).toBe(11);
  });
  it('a loader writing over decoded code is seen', () => {
    const t = machine();
    t.m.load(0x100, words(ins('addi', { rd: 'a0', imm: 1 }), ins('jal', { rd: 0, imm: -4 })));
    t.cpu.pc = 0x100;
    step(t.cpu, 2);
    t.m.load(0x100, words(ins('addi', { rd: 'a0', imm: 5 })));
    step(t.cpu, 1);
    expect(t.cpu.regs[10]).toBe(5);
  });
});
