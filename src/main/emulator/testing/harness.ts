/**
 * Helpers for emulator tests: build instruction words straight from the opcode table (so emulator
 * tests do not depend on the assembler), load them, and step a pCPU.
 */
import { CSR } from '../../../shared/isa/csrs.js';
import { encode, type Operands } from '../../../shared/isa/encoding.js';
import { OPCODE_BY_MNEMONIC } from '../../../shared/isa/opcodes.js';
import { registerNumber } from '../../../shared/isa/registers.js';
import type { Cpu } from '../cpu/Cpu.js';
import { runCpu } from '../cpu/run.js';
import { Hypervisor } from '../hypervisor/Hypervisor.js';
import type { Partition } from '../hypervisor/Partition.js';
import { Machine } from '../machine/Machine.js';

type Reg = number | string;
export interface Ops {
  rd?: Reg;
  rs1?: Reg;
  rs2?: Reg;
  imm?: number;
}

export function reg(r: Reg | undefined): number {
  if (r === undefined) return 0;
  if (typeof r === 'number') return r;
  const n = registerNumber(r);
  if (n === undefined) throw new Error(`no register ${r}`);
  return n;
}

/** One instruction word. */
export function ins(mnemonic: string, ops: Ops = {}): number {
  const info = OPCODE_BY_MNEMONIC.get(mnemonic);
  if (!info) throw new Error(`no mnemonic ${mnemonic}`);
  const o: Operands = { rd: reg(ops.rd), rs1: reg(ops.rs1), rs2: reg(ops.rs2), imm: ops.imm ?? 0 };
  return encode(info, o);
}

/** Instructions that load a 32-bit constant into a register (lui + ori). */
export function li(rd: Reg, value: number): number[] {
  return [ins('lui', { rd, imm: (value >>> 16) & 0xffff }), ins('ori', { rd, rs1: rd, imm: value & 0xffff })];
}

/**
 * A trap handler that returns past the trapping instruction: `epc` += 4 (through `scratch`), then
 * `body` (say, counting the trap), then eret.
 */
export function skipTrap(epc: 'hepc' | 'sepc', scratch: Reg, ...body: number[]): number[] {
  return [
    ins('csrrs', { rd: scratch, imm: CSR[epc] }),
    ins('addi', { rd: scratch, rs1: scratch, imm: 4 }),
    ins('csrrw', { rs1: scratch, imm: CSR[epc] }),
    ...body,
    ins('eret'),
  ];
}

export function words(...ws: (number | number[])[]): Uint8Array {
  return new Uint8Array(new Uint32Array(ws.flat()).buffer);
}

export interface TestMachine {
  m: Machine;
  cpu: Cpu;
  out: () => string;
}

export function machine(
  opts: {
    cpus?: number;
    mem?: number;
    stopOnUnsetVector?: boolean;
    sharedMemory?: boolean;
    engine?: 'interp' | 'jit';
  } = {},
): TestMachine {
  let out = '';
  const m = new Machine({
    cpus: opts.cpus ?? 1,
    memBytes: opts.mem ?? 1 << 20,
    console: { write: (b) => (out += String.fromCharCode(b)) },
    stopOnUnsetVector: opts.stopOnUnsetVector ?? false,
    sharedMemory: opts.sharedMemory,
    engine: opts.engine,
  });
  return { m, cpu: m.cpus[0], out: () => out };
}

/** Step exactly `n` cycles of one pCPU. */
export function step(cpu: Cpu, n = 1): number {
  return runCpu(cpu, n);
}

/**
 * Builds two-level page tables (stage 1 or 2) in RAM for tests and benchmarks, like a loader would.
 * Tables come from a bump allocator. Addresses in entries are in the table's own physical space;
 * `hostOffset` says where that space starts in the machine's RAM (a guest's stage-1 tables live in
 * guest-physical memory that stage 2 places elsewhere).
 */
export class PageTables {
  next: number;
  constructor(
    private readonly m: Machine,
    readonly root: number,
    allocFrom: number,
    private readonly hostOffset = 0,
  ) {
    this.next = allocFrom;
    m.mem.writeBytes(root + hostOffset, new Uint8Array(4096));
  }
  map(va: number, pa: number, flags: number): this {
    const mem = this.m.mem;
    const l1 = this.root + ((va >>> 22) << 2) + this.hostOffset;
    let pte1 = mem.read32(l1);
    if ((pte1 & 1) === 0) {
      const t = this.next;
      this.next += 4096;
      mem.writeBytes(t + this.hostOffset, new Uint8Array(4096));
      pte1 = t | 1;
      mem.write32(l1, pte1);
    }
    const l2 = ((pte1 & ~0xfff) >>> 0) + (((va >>> 12) & 0x3ff) << 2) + this.hostOffset;
    mem.write32(l2, (pa & ~0xfff) | flags);
    return this;
  }
  /** Map a 4 MiB superpage (va and pa 4 MiB-aligned). */
  mapSuper(va: number, pa: number, flags: number): this {
    this.m.mem.write32(this.root + ((va >>> 22) << 2) + this.hostOffset, (pa & 0xffc00000) | flags);
    return this;
  }
  /** Map [va, va+len) to [pa, ...) page by page. */
  mapRange(va: number, pa: number, len: number, flags: number): this {
    for (let o = 0; o < len; o += 4096) this.map(va + o, pa + o, flags);
    return this;
  }
}

/** Where each guest of partitionedMachine is loaded and starts (guest-physical). */
export const GUEST_ENTRY = 0x10000;
/** Each partition's memory in partitionedMachine. */
export const PARTITION_BYTES = 256 << 10;
/** Sleeps for good: wfi with nothing enabled (ctl, or a guest that must not run). */
export const IDLE = words(ins('wfi'), ins('jal', { rd: 0, imm: -4 }));

/**
 * One pCPU with the hypervisor: ctl idles, and image i runs at GUEST_ENTRY in partition i + 1 (one
 * vCPU, PARTITION_BYTES moved to it from the top of ctl's memory; docs/architecture.md#the-hypervisor-issue-4).
 * What the debugger's tests and its benchmark run on.
 */
export function partitionedMachine(
  engine: 'interp' | 'jit',
  images: Uint8Array[],
): { machine: Machine; hv: Hypervisor; parts: Partition[] } {
  const machine = new Machine({ cpus: 1, memBytes: 8 << 20, nics: 1, engine });
  const hv = new Hypervisor(machine, { consoleFor: () => ({ write: () => undefined }) });
  const ctl = hv.bootControllingOs({ loadAddress: GUEST_ENTRY, entry: GUEST_ENTRY, bytes: IDLE, name: 'ctl' });
  let top = hv.usableBytes;
  const parts = images.map((img, i) => {
    top -= PARTITION_BYTES;
    const p = hv.create(i + 1, `p${i + 1}`);
    hv.addVcpu(p, 0);
    hv.writeGuest(ctl, top, new Uint8Array(PARTITION_BYTES));
    hv.writeGuest(ctl, top + GUEST_ENTRY, img);
    const err = hv.moveMemory(ctl, p, top, PARTITION_BYTES) ?? hv.start(i + 1, GUEST_ENTRY, 0);
    if (err) throw new Error(String(err));
    return p;
  });
  return { machine, hv, parts };
}
