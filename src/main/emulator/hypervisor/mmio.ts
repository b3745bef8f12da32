/**
 * Trap-and-emulate of device registers (docs/hypercalls.md#partitions): a guest load or store to a
 * virtual device window faults to the hypervisor (the window is not in its stage-2 table); the
 * hypervisor reads the instruction at the guest's pc, performs the access on the virtual device and
 * writes the loaded value to the destination register, then the guest goes on after the instruction.
 */
import { decodeWord } from '../../../shared/isa/encoding.js';
import type { Bus, Width } from '../bus/Bus.js';
import type { Cpu } from '../cpu/Cpu.js';
import type { PhysicalMemory } from '../memory/PhysicalMemory.js';
import { ACCESS_EXEC } from '../mmu/pte.js';

export type MmioResult = 'done' | 'not-device' | 'bad-access';

const WIDTH: Record<string, { width: Width; signed: boolean; store: boolean }> = {
  lb: { width: 1, signed: true, store: false },
  lh: { width: 2, signed: true, store: false },
  lw: { width: 4, signed: false, store: false },
  lbu: { width: 1, signed: false, store: false },
  lhu: { width: 2, signed: false, store: false },
  sb: { width: 1, signed: false, store: true },
  sh: { width: 2, signed: false, store: true },
  sw: { width: 4, signed: false, store: true },
};

/** The word at the guest's virtual pc, read through its own translation (no side effects). */
export function guestInstruction(cpu: Cpu, mem: PhysicalMemory, pc: number, mode: number): number | undefined {
  const out = { hpa: 0, gpa: 0, perms: 0, global: false };
  const cause = cpu.mmu.translate(pc, ACCESS_EXEC, { mode, ptbr: cpu.ptbr, s2ptbr: cpu.s2ptbr }, out);
  if (cause >= 0 || !mem.isRam(out.hpa)) return undefined;
  return mem.i32[out.hpa >>> 2];
}

/** Emulate the access that faulted at guest-physical `gpa`. On 'done' the guest's pc is advanced. */
export function emulateMmio(cpu: Cpu, mem: PhysicalMemory, vbus: Bus, gpa: number): MmioResult {
  if (!vbus.find(gpa)) return 'not-device';
  const mode = (cpu.hstatus >> 2) & 3;
  const word = guestInstruction(cpu, mem, cpu.hepc, mode);
  const d = word === undefined ? undefined : decodeWord(word);
  const kind = d ? WIDTH[d.info.mnemonic] : undefined;
  if (!d || !kind) return 'bad-access';
  if (kind.store) {
    const v = cpu.regs[d.rs2];
    if (!vbus.write(gpa, kind.width, v)) return 'bad-access';
  } else {
    const v = vbus.read(gpa, kind.width);
    if (v === undefined) return 'bad-access';
    let x = v | 0;
    if (kind.width === 1) x = kind.signed ? (x << 24) >> 24 : x & 0xff;
    else if (kind.width === 2) x = kind.signed ? (x << 16) >> 16 : x & 0xffff;
    if (d.rd !== 0) cpu.regs[d.rd] = x;
  }
  cpu.hepc = (cpu.hepc + 4) | 0;
  return 'done';
}
