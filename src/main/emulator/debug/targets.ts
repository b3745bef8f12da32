/**
 * What the debugger debugs (docs/debugger.md#pause-is-a-partition-state): a partition of the
 * hypervisor, whose vCPUs the scheduler passes by while the debugger holds them (the other
 * partitions run on), or in dual boot the one OS, which is the whole machine: held pCPUs leave
 * their slice and the session stops running the machine while every one is held.
 */
import type { Cpu, TrapRecord } from '../cpu/Cpu.js';
import { TIMEBASE } from '../machine/board.js';
import type { Machine } from '../machine/Machine.js';
import type { Hypervisor } from '../hypervisor/Hypervisor.js';
import type { Partition } from '../hypervisor/Partition.js';
import type { Vcpu } from '../hypervisor/Vcpu.js';
import { CheckedEngine, type CheckedHost } from './CheckedEngine.js';
import type { DebugTarget, GuestDebug } from './GuestDebug.js';
import { hostOf, virtToPhys, type GuestSpace } from './guestMemory.js';
import type { SliceEngine } from '../cpu/Cpu.js';

/** The parts of a vCPU the views read and write, wherever it is (on a pCPU or saved). */
export interface VcpuView {
  regs: Int32Array;
  pc: number;
  mode: number;
  /** The pCPU it is live on, if any (its control registers are read there). */
  cpu: Cpu | undefined;
  vcpu: Vcpu | undefined;
  instret: number;
}

export interface Target extends DebugTarget, GuestSpace, CheckedHost {
  view(vcpu: number): VcpuView;
  /** Set pc (the vCPU must be held). */
  setPc(vcpu: number, pc: number): void;
  technique: string;
  stage2Root: number | null;
  vmid: number | null;
  /** Attach the checked engine of this guest's debugger. */
  bind(g: GuestDebug): void;
}

export class PartitionTarget implements Target {
  private engine: CheckedEngine | undefined;

  constructor(
    readonly hv: Hypervisor,
    readonly p: Partition,
  ) {}

  get guest(): number {
    return this.p.id;
  }
  get name(): string {
    return `guest ${this.p.id} (${this.p.name})`;
  }
  get mem() {
    return this.hv.machine.mem;
  }
  get technique(): string {
    return this.p.technique;
  }
  get stage2Root(): number | null {
    return this.p.technique === 'trap-emulate' ? null : this.p.s2root;
  }
  get vmid(): number | null {
    return this.p.vmid || null;
  }

  bind(g: GuestDebug): void {
    this.engine = new CheckedEngine(g, this);
  }

  vcpuCount(): number {
    return this.p.vcpus.length;
  }

  hold(i: number, held: boolean): void {
    const v = this.p.vcpus[i];
    if (!v || v.debugHeld === held) return;
    v.debugHeld = held;
    if (!held) this.hv.debugRelease(v);
  }

  settle(): void {
    for (const v of this.p.vcpus)
      if (v.debugHeld && v.runningOn >= 0) this.hv.debugLeave(this.hv.machine.cpus[v.runningOn]!);
  }

  setChecked(on: boolean): void {
    this.p.debugEngine = on ? (this.engine as SliceEngine) : undefined;
    this.hv.debugRefresh(this.p);
  }

  seconds(): number {
    return this.hv.machine.cpus[0]!.now() / TIMEBASE;
  }

  view(i: number): VcpuView {
    const v = this.p.vcpus[i]!;
    const cpu = v.runningOn >= 0 ? this.hv.machine.cpus[v.runningOn] : undefined;
    // On a pCPU between slices the guest's state is live there (in guest mode: no trap is open).
    if (cpu && cpu.mode < 2) return { regs: cpu.regs, pc: cpu.pc, mode: cpu.mode, cpu, vcpu: v, instret: cpu.instret };
    return { regs: v.regs, pc: v.pc, mode: v.mode, cpu: undefined, vcpu: v, instret: v.instret };
  }

  setPc(i: number, pc: number): void {
    const v = this.p.vcpus[i]!;
    v.pc = pc | 0;
  }

  pc(i: number): number {
    return this.view(i).pc;
  }

  mode(i: number): number {
    return this.view(i).mode;
  }

  retired(i: number): number {
    return this.view(i).instret;
  }

  host(gpa: number): number | undefined {
    return this.p.hostAddress(gpa);
  }

  ptbr(i: number): number {
    const v = this.p.vcpus[i]!;
    // Trap-and-emulate: the guest's own ptbr is the virtual one; the live one is the shadow's.
    if (v.te) return v.te.vptbr;
    const view = this.view(i);
    return view.cpu ? view.cpu.ptbr : v.csr.ptbr;
  }

  word(i: number, va: number): number | undefined {
    const h = hostOf(this, 'virtual', i, va & ~3);
    return typeof h === 'string' ? undefined : this.mem.i32[h >>> 2];
  }

  physOf(cpu: Cpu, va: number): number | undefined {
    const v = this.hv.currentOn(cpu.id);
    if (!v) return undefined;
    const r = virtToPhys(this, this.ptbr(v.index), va);
    return typeof r === 'string' ? undefined : r;
  }

  vcpuOn(cpu: Cpu): number {
    if (cpu.mode === 2) return -1;
    const v = this.hv.currentOn(cpu.id);
    return v && v.partition === this.p ? v.index : -1;
  }

  leave(cpu: Cpu): void {
    this.hv.debugLeave(cpu);
  }

  fromGuest(t: TrapRecord): boolean {
    return t.mode < 2;
  }
}

/** Dual boot: the guest is the machine; vCPU i is pCPU i. */
export class MachineTarget implements Target {
  readonly guest = 0;
  readonly technique = 'none (dual boot: the OS owns the machine)';
  readonly stage2Root = null;
  readonly vmid = null;
  private engine: CheckedEngine | undefined;
  private readonly was = new Map<number, SliceEngine | null>();
  private readonly held: boolean[];

  constructor(
    readonly machine: Machine,
    readonly name: string,
  ) {
    this.held = machine.cpus.map(() => false);
  }

  get mem() {
    return this.machine.mem;
  }

  bind(g: GuestDebug): void {
    this.engine = new CheckedEngine(g, this);
  }

  vcpuCount(): number {
    return this.machine.cpus.length;
  }

  hold(i: number, held: boolean): void {
    this.held[i] = held;
    // A held pCPU leaves runCpu at once; the session does not run a machine whose pCPUs all are.
    const cpu = this.machine.cpus[i];
    if (cpu) cpu.exitRequested = held;
  }

  /** Every pCPU is held: the session need not run the machine. */
  allHeld(): boolean {
    return this.held.every((h) => h);
  }

  settle(): void {}

  setChecked(on: boolean): void {
    for (const cpu of this.machine.cpus) {
      if (on) {
        if (cpu.jit !== this.engine) this.was.set(cpu.id, cpu.jit);
        cpu.jit = this.engine as SliceEngine;
      } else if (cpu.jit === this.engine) cpu.jit = this.was.get(cpu.id) ?? null;
    }
  }

  seconds(): number {
    return this.machine.cpus[0]!.now() / TIMEBASE;
  }

  view(i: number): VcpuView {
    const cpu = this.machine.cpus[i]!;
    return { regs: cpu.regs, pc: cpu.pc, mode: cpu.mode, cpu, vcpu: undefined, instret: cpu.instret };
  }

  setPc(i: number, pc: number): void {
    this.machine.cpus[i]!.pc = pc | 0;
    this.machine.cpus[i]!.fetchVa = -1;
  }

  pc(i: number): number {
    return this.machine.cpus[i]!.pc;
  }

  mode(i: number): number {
    return this.machine.cpus[i]!.mode;
  }

  retired(i: number): number {
    return this.machine.cpus[i]!.instret;
  }

  host(gpa: number): number | undefined {
    return gpa >>> 0 < this.mem.size ? gpa >>> 0 : undefined;
  }

  ptbr(i: number): number {
    const cpu = this.machine.cpus[i]!;
    return cpu.mode === 2 ? 0 : cpu.ptbr;
  }

  word(i: number, va: number): number | undefined {
    const h = hostOf(this, 'virtual', i, va & ~3);
    return typeof h === 'string' ? undefined : this.mem.i32[h >>> 2];
  }

  physOf(cpu: Cpu, va: number): number | undefined {
    const r = virtToPhys(this, this.ptbr(cpu.id), va);
    return typeof r === 'string' ? undefined : r;
  }

  vcpuOn(cpu: Cpu): number {
    return cpu.id;
  }

  leave(): void {}

  fromGuest(): boolean {
    return true;
  }
}
