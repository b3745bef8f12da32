/**
 * Classic trap-and-emulate (M7; docs/hypercalls.md#virtualization-techniques): the guest kernel runs
 * in supervisor mode with hstatus.TE set and stage 2 off, so it owns no sensitive state. Every
 * supervisor control-register access, eret and tlbflush traps here and is emulated against the
 * vCPU; the MMU runs on a SHADOW page table the hypervisor builds from the guest's own table, with
 * each guest-physical page replaced by the host page behind it and device windows left out (an
 * access there faults here and is emulated like any device access). Page faults are not
 * delegated: the ones the guest's table explains are reflected to the guest.
 */
import { CAUSE, CSR, CSR_BY_NUMBER, EXC_DELEGABLE_MASK, HSTATUS_TE } from '../../../shared/isa/csrs.js';
import { decodeWord } from '../../../shared/isa/encoding.js';
import type { Cpu } from '../cpu/Cpu.js';
import type { PhysicalMemory } from '../memory/PhysicalMemory.js';
import { Mmu, type Translation } from '../mmu/Mmu.js';
import { PTE_RWX, PTE_V, type Access } from '../mmu/pte.js';
import type { MemRange, Partition } from './Partition.js';
import { buildStage2, TableWriter, type ReservePages, type Stage2Table } from './stage2.js';
import type { Vcpu } from './Vcpu.js';

const PAGE = 4096;
const PAGE_FAULTS = (1 << CAUSE.FETCH_PAGE_FAULT) | (1 << CAUSE.LOAD_PAGE_FAULT) | (1 << CAUSE.STORE_PAGE_FAULT);
/** What a trap-and-emulate guest delegates: everything but page faults (the shadow's misses are ours). */
export const TE_DELEG = EXC_DELEGABLE_MASK & ~PAGE_FAULTS;

/** The trap-and-emulate state of one vCPU. */
export interface TeVcpu {
  /** The guest's own ptbr (what it wrote; the real one points at the shadow). */
  vptbr: number;
  shadow: Stage2Table | undefined;
  /** The shadow must be built again before the vCPU runs (start, reset). */
  stale: boolean;
}

export function newTe(): TeVcpu {
  return { vptbr: 0, shadow: undefined, stale: true };
}

/** Host address of guest-physical `gpa` in the partition's memory, or -1. */
function hostOf(memory: readonly MemRange[], gpa: number): number {
  for (const r of memory) if (gpa >= r.gpa && gpa < r.gpa + r.size) return r.hpa + (gpa - r.gpa);
  return -1;
}

/**
 * The shadow table for guest ptbr `vptbr`: with translation off, guest-physical = virtual over its
 * memory; with it on, the guest's two-level table with host pages. Undefined when the reserve is full.
 */
export function buildShadow(
  mem: PhysicalMemory,
  reserve: ReservePages,
  p: Partition,
  vptbr: number,
): Stage2Table | undefined {
  if ((vptbr & 1) === 0) return buildStage2(mem, reserve, p.memory, []);
  const t = new TableWriter(mem, reserve);
  if (t.root === undefined) return t.release();
  const map = (va: number, gpa: number, flags: number): boolean => {
    const hpa = hostOf(p.memory, gpa);
    // A device window or nothing: left out, so an access faults and comes to the hypervisor.
    return hpa < 0 || t.map4k(va, hpa, flags & 0xfff);
  };
  const word = (gpa: number): number => {
    t.scanned++;
    return guestWord(mem, p, gpa);
  };
  const groot = vptbr & ~0xfff;
  for (let i = 0; i < 1024; i++) {
    const e = word(groot + i * 4);
    if ((e & PTE_V) === 0) continue;
    if ((e & PTE_RWX) !== 0) {
      if ((e & 0x003ff000) !== 0) continue; // misaligned: the MMU faults on it, so the shadow leaves it out
      // A 4 MiB superpage: page by page (the host memory behind it need not be contiguous).
      for (let o = 0; o < 1024; o++)
        if (!map(((i << 22) | (o << 12)) >>> 0, (e & 0xffc00000) + o * PAGE, e)) return t.release();
      continue;
    }
    const table = e & ~0xfff;
    for (let j = 0; j < 1024; j++) {
      const f = word(table + j * 4);
      if ((f & PTE_V) === 0 || (f & PTE_RWX) === 0) continue;
      if (!map(((i << 22) | (j << 12)) >>> 0, f & ~0xfff, f)) return t.release();
    }
  }
  return t.table();
}

/** A word of the guest's memory at guest-physical `gpa` (0 outside it, like an invalid PTE). */
function guestWord(mem: PhysicalMemory, p: Partition, gpa: number): number {
  const h = hostOf(p.memory, gpa >>> 0);
  return h < 0 ? 0 : mem.read32(h);
}

/**
 * The guest-physical address behind virtual `va` in the guest's own table, whatever the
 * permissions, or -1 where the MMU finds no leaf (none valid, a misaligned superpage).
 */
export function guestPhysical(mem: PhysicalMemory, p: Partition, vptbr: number, va: number): number {
  if ((vptbr & 1) === 0) return va >>> 0;
  const e = guestWord(mem, p, ((vptbr & ~0xfff) >>> 0) + (va >>> 22) * 4);
  if ((e & PTE_V) === 0) return -1;
  if ((e & PTE_RWX) !== 0) return (e & 0x003ff000) !== 0 ? -1 : ((e & 0xffc00000) | (va & 0x3fffff)) >>> 0;
  const f = guestWord(mem, p, ((e & ~0xfff) >>> 0) + ((va >>> 12) & 0x3ff) * 4);
  if ((f & PTE_V) === 0 || (f & PTE_RWX) === 0) return -1;
  return ((f & ~0xfff) | (va & 0xfff)) >>> 0;
}

/**
 * Whether the MMU lets mode `mode` make `access` at `va` with the guest's own table (walked through
 * its stage-2 table, as hardware assistance would; its translation off: everything) or, with
 * `shadow`, with the vCPU's shadow table (what the pCPU will walk when the guest runs again).
 */
export function mmuAllows(
  mem: PhysicalMemory,
  ptbr: number,
  s2ptbr: number,
  va: number,
  access: Access,
  mode: number,
): boolean {
  return new Mmu(mem).translate(va, access, { mode, ptbr, s2ptbr }, ALLOWS_OUT) === -1;
}
const ALLOWS_OUT: Translation = { hpa: 0, gpa: 0, perms: 0, global: false };

/** What the hypervisor does for the guest (it owns the reserve, the TLBs and the return paths). */
export interface TeHost {
  mem: PhysicalMemory;
  reserve: ReservePages;
  /** Drop the partition's TLB entries on every pCPU. */
  flushTlb(p: Partition): void;
  resume(cpu: Cpu): void;
  /** Charge a privileged instruction's emulation, or a shadow table's build, to `cpu` (src/shared/hvCosts.ts). */
  charge(kind: 'emulate', cpu: Cpu, p: Partition): void;
  chargeTable(t: Stage2Table, cpu: Cpu | undefined, p: Partition): void;
}

/** Installs the vCPU's shadow (building it when stale); false when the reserve is full. */
export function refreshShadow(host: TeHost, cpu: Cpu | undefined, v: Vcpu, p: Partition): boolean {
  const te = v.te ?? (v.te = newTe());
  const next = buildShadow(host.mem, host.reserve, p, te.vptbr);
  if (!next) return false;
  if (te.shadow) host.reserve.release(te.shadow.pages);
  te.shadow = next;
  te.stale = false;
  p.stats.shadowBuilds++;
  host.chargeTable(next, cpu, p);
  v.csr.ptbr = next.root | 1;
  if (cpu) {
    cpu.ptbr = next.root | 1;
    cpu.updateContext();
  }
  host.flushTlb(p);
  return true;
}

/**
 * Emulates the privileged instruction `word` a trap-and-emulate guest executed in supervisor mode
 * (the trap left hepc at it). False when it is not one this technique traps (the caller contains).
 */
export function emulatePrivileged(host: TeHost, cpu: Cpu, v: Vcpu, p: Partition, word: number): boolean {
  const d = decodeWord(word);
  if (!d) return false;
  const te = v.te ?? (v.te = newTe());
  switch (d.info.mnemonic) {
    case 'csrrw':
    case 'csrrs':
    case 'csrrc': {
      const info = CSR_BY_NUMBER.get(d.imm);
      if (!info) return false;
      const writes = d.info.mnemonic === 'csrrw' || d.rs1 !== 0;
      const src = cpu.regs[d.rs1];
      // Read as the guest would below hypervisor mode: its own ptbr, and cpuid = its vCPU number
      // (readCsr in hypervisor mode, where the trap left the pCPU, gives the pCPU's number).
      const old =
        info.number === CSR.ptbr
          ? te.vptbr
          : info.number === CSR.cpuid
            ? cpu.hvcpuid
            : cpu.readCsr(info.number, cpu.now(), cpu.sliceSteps);
      if (writes) {
        if (info.write === null || info.write > 1) return false;
        const v2 = d.info.mnemonic === 'csrrw' ? src : d.info.mnemonic === 'csrrs' ? old | src : old & ~src;
        const value = (old & ~info.writableMask) | (v2 & info.writableMask);
        if (info.number === CSR.ptbr) {
          te.vptbr = value;
          if (!refreshShadow(host, cpu, v, p)) return false;
        } else cpu.writeCsr(info.number, value, cpu.now(), cpu.sliceSteps);
      }
      if (d.rd !== 0) cpu.regs[d.rd] = old;
      p.stats.emulated++;
      host.charge('emulate', cpu, p);
      cpu.hepc = (cpu.hepc + 4) | 0;
      host.resume(cpu);
      return true;
    }
    case 'tlbflush':
      // The guest changed its table: its shadow follows (a flush is when an OS must expect it).
      if (!refreshShadow(host, cpu, v, p)) return false;
      p.stats.emulated++;
      host.charge('emulate', cpu, p);
      cpu.hepc = (cpu.hepc + 4) | 0;
      host.resume(cpu);
      return true;
    case 'eret':
      // Back to supervisor mode at the eret (the hypervisor's return), then the guest's own return.
      p.stats.emulated++;
      host.charge('emulate', cpu, p);
      host.resume(cpu);
      cpu.eret();
      return true;
    default:
      return false;
  }
}

/** Sets a pCPU up for a trap-and-emulate guest, or back for the others. */
export function setTechnique(cpu: Cpu, trapEmulate: boolean): void {
  if (trapEmulate) {
    cpu.hstatus |= HSTATUS_TE;
    cpu.hdeleg = TE_DELEG;
  } else {
    cpu.hstatus &= ~HSTATUS_TE;
    cpu.hdeleg = EXC_DELEGABLE_MASK;
  }
}
