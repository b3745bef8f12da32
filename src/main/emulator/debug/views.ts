/**
 * What the debugger shows of a guest (docs/debugger.md#views): registers with their ABI names, the
 * control registers its mode can read, how the hypervisor runs it; memory by guest-virtual or
 * guest-physical address (guestMemory.ts: never outside the guest); disassembly with labels and
 * source lines.
 */
import type { DebugMemory, DebugRegisters, DisasmLine } from '../../../shared/debugApi.js';
import { CSRS, CSR } from '../../../shared/isa/csrs.js';
import { disassemble } from '../../../shared/isa/disasm.js';
import { MODE_NAMES } from '../../../shared/isa/opcodes.js';
import { REGISTER_ABI_NAMES, registerNumber } from '../../../shared/isa/registers.js';
import { hostOf, readGuest, writeGuest } from './guestMemory.js';
import { labelAt, lineAt, type ProgramInfo } from './program.js';
import type { Target } from './targets.js';

const TWO32 = 4294967296;

export function registersOf(t: Target, vcpu: number): DebugRegisters {
  const v = t.view(vcpu);
  const regs = REGISTER_ABI_NAMES.map((abi, i) => ({ name: `r${i}`, abi, value: v.regs[i]! >>> 0 }));
  const control: { name: string; value: number }[] = [];
  for (const c of CSRS) {
    if (c.read > v.mode) continue;
    const value = v.cpu ? v.cpu.readCsr(c.number, v.cpu.now()) : savedCsr(t, vcpu, c.name, c.number);
    if (value !== undefined) control.push({ name: c.name, value: value >>> 0 });
  }
  return {
    guest: t.guest,
    vcpu,
    pc: v.pc >>> 0,
    regs,
    mode: MODE_NAMES[v.mode] ?? String(v.mode),
    control,
    virt: { technique: t.technique, stage2Root: t.stage2Root, vmid: t.vmid },
  };
}

/** A control register of a vCPU that is not on a pCPU (its saved state in the hypervisor). */
function savedCsr(t: Target, vcpu: number, name: string, n: number): number | undefined {
  const v = t.view(vcpu).vcpu;
  if (!v) return undefined;
  if (name in v.csr) return v.csr[name as keyof typeof v.csr];
  const home = (t as { hv?: { machine: { cpus: { now(): number }[] } } }).hv?.machine.cpus[v.home];
  const vcycle = (home ? home.now() : 0) + v.cycleOffset;
  switch (n) {
    case CSR.cycle:
      return vcycle % TWO32;
    case CSR.cycleh:
      return Math.floor(vcycle / TWO32);
    case CSR.instret:
      return v.instret % TWO32;
    case CSR.instreth:
      return Math.floor(v.instret / TWO32);
    case CSR.cpuid:
      return v.index;
    case CSR.sip:
      return v.virq | (v.timerPending ? 1 : 0);
  }
  return undefined;
}

/** Set a general register (by r-number or ABI name) or pc of a paused vCPU. */
export function setRegister(t: Target, vcpu: number, reg: string, value: number): string | undefined {
  if (reg.toLowerCase() === 'pc') {
    if ((value & 3) !== 0) return `pc must be a multiple of 4, got 0x${(value >>> 0).toString(16)}`;
    t.setPc(vcpu, value);
    return undefined;
  }
  const n = registerNumber(reg);
  if (n === undefined) return `no register "${reg}" (use r0..r31, an ABI name such as a0, or pc)`;
  if (n === 0) return 'r0 (zero) is always zero: it cannot be set';
  t.view(vcpu).regs[n] = value | 0;
  return undefined;
}

export function readMemory(
  t: Target,
  vcpu: number,
  space: 'virtual' | 'physical',
  address: number,
  length: number,
): DebugMemory {
  const r = readGuest(t, space, vcpu, address >>> 0, length);
  return {
    guest: t.guest,
    space,
    address: address >>> 0,
    hex: toHex(r.bytes),
    ...(r.unreadableFrom !== undefined ? { unreadableFrom: r.unreadableFrom, reason: r.reason } : {}),
  };
}

export function writeMemory(
  t: Target,
  vcpu: number,
  space: 'virtual' | 'physical',
  address: number,
  hex: string,
): DebugMemory | string {
  if (!/^([0-9a-fA-F]{2})*$/.test(hex)) return 'the bytes to write must be hex, two digits per byte';
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  const bad = writeGuest(t, space, vcpu, address >>> 0, bytes);
  if (bad) return `${t.name}: nothing written: ${bad}`;
  return readMemory(t, vcpu, space, address, bytes.length);
}

export function disassembleAt(
  t: Target,
  vcpu: number,
  address: number,
  count: number,
  prog: ProgramInfo | undefined,
): DisasmLine[] {
  const out: DisasmLine[] = [];
  for (let i = 0; i < count; i++) {
    const a = (address + 4 * i) >>> 0;
    const h = hostOf(t, 'virtual', vcpu, a & ~3);
    const word = typeof h === 'string' ? undefined : t.mem.i32[h >>> 2]! >>> 0;
    const label = prog && labelAt(prog, a);
    const where = prog && lineAt(prog, a);
    out.push({
      address: a,
      word: word ?? 0,
      text: word === undefined ? `?? (${h as string})` : disassemble(word, a),
      ...(label ? { label } : {}),
      ...(where ? { file: where.file, line: where.line } : {}),
    });
  }
  return out;
}

function toHex(b: Uint8Array): string {
  let s = '';
  for (const x of b) s += x.toString(16).padStart(2, '0');
  return s;
}
