/**
 * The board: pCPUs, RAM, the bus and the devices of the bare machine, built from a plain
 * description (docs/architecture.md#machine). Several pCPUs run round-robin in fixed quanta of
 * cycles on one thread, which keeps SMP runs deterministic; a multi-threaded mode comes with the
 * speed issue.
 */
import { disassemble } from '../../../shared/isa/disasm.js';
import { causeName, IRQ } from '../../../shared/isa/csrs.js';
import { MODE_NAMES } from '../../../shared/isa/opcodes.js';
import { RESET_PC, SYSCTL_BASE, UART0_BASE } from '../../../shared/isa/memoryMap.js';
import { Bus } from '../bus/Bus.js';
import { Cpu, type CpuState, type TrapRecord } from '../cpu/Cpu.js';
import { runCpu } from '../cpu/run.js';
import { Sysctl } from '../devices/sysctl/Sysctl.js';
import { Uart, type ConsoleSink } from '../devices/uart/Uart.js';
import { PhysicalMemory } from '../memory/PhysicalMemory.js';

export interface MachineDescription {
  cpus: number;
  memBytes: number;
  /** Where console output goes. */
  console?: ConsoleSink;
  /**
   * Bare-metal convention (docs/isa.md#bare-machine): a trap through a trap vector that was never
   * set (0) stops the machine with a report instead of jumping to address 0.
   */
  stopOnUnsetVector?: boolean;
  /** Cycles each pCPU runs before the next one gets its turn. */
  quantum?: number;
}

export interface StopReport {
  kind: 'exit' | 'unhandled-trap' | 'limit' | 'idle';
  exitCode: number;
  trap?: TrapRecord & { cpu: number; causeName: string; disassembly: string; modeName: string };
}

export interface MachineState {
  cpus: CpuState[];
  memory: { size: number; bytes: Uint8Array };
  uart: unknown;
  stopped: StopReport | null;
  time: number;
  carry: number;
}

export class Machine {
  readonly mem: PhysicalMemory;
  readonly bus = new Bus();
  readonly cpus: Cpu[];
  readonly uart: Uart;
  readonly sysctl: Sysctl;
  readonly quantum: number;
  stopped: StopReport | null = null;

  constructor(readonly desc: MachineDescription) {
    if (!Number.isInteger(desc.cpus) || desc.cpus < 1 || desc.cpus > 256) {
      throw new RangeError(`a machine has 1..256 pCPUs, got ${desc.cpus}`);
    }
    this.mem = new PhysicalMemory(desc.memBytes);
    this.quantum = desc.quantum ?? 10_000;
    this.uart = new Uart('uart0', desc.console ?? { write: () => {} });
    this.sysctl = new Sysctl('sysctl', {
      exit: (code) => this.stop({ kind: 'exit', exitCode: code }),
      sendIpi: (n) => {
        const cpu = this.cpus[n];
        if (!cpu) return false;
        cpu.setInterrupt(IRQ.ipi, true);
        return true;
      },
      cpuCount: () => this.cpus.length,
    });
    this.bus.attach(UART0_BASE, this.uart);
    this.bus.attach(SYSCTL_BASE, this.sysctl);
    this.cpus = [];
    for (let i = 0; i < desc.cpus; i++) {
      const cpu = new Cpu(i, this.mem, this.bus);
      cpu.reset(RESET_PC);
      if (desc.stopOnUnsetVector) cpu.onTrap = (c, t) => this.checkVector(c, t);
      this.cpus.push(cpu);
    }
  }

  /** Load bytes at a physical address (a loader, not a guest: no translation). */
  load(pa: number, bytes: Uint8Array): void {
    this.mem.writeBytes(pa, bytes);
  }

  private stop(r: StopReport): void {
    if (this.stopped) return;
    this.stopped = r;
    for (const c of this.cpus) {
      c.halted = true;
      c.breakSlice = true;
    }
  }

  private checkVector(cpu: Cpu, t: TrapRecord): void {
    const vector = t.targetMode === 1 ? cpu.stvec : cpu.htvec;
    if (vector !== 0) return;
    this.stop({
      kind: 'unhandled-trap',
      exitCode: 128 + (t.cause & 0x7f),
      trap: {
        ...t,
        cpu: cpu.id,
        causeName: causeName(t.cause),
        modeName: MODE_NAMES[t.mode] ?? String(t.mode),
        disassembly: this.disassembleAt(cpu, t.pc),
      },
    });
  }

  /** Best-effort disassembly of the word at a virtual pc (for reports). */
  disassembleAt(cpu: Cpu, va: number): string {
    const w = this.peekVirtual(cpu, va);
    return w === undefined ? '(not readable)' : disassemble(w, va);
  }

  /** Read a word through the MMU of `cpu` as its trapping mode saw it, without side effects. */
  peekVirtual(cpu: Cpu, va: number): number | undefined {
    const out = { hpa: 0, gpa: 0, perms: 0, global: false };
    const mode = cpu.mode === 2 && cpu.hstatus >> 2 !== 2 ? (cpu.hstatus >> 2) & 3 : cpu.mode;
    const cause = cpu.mmu.translate(va & ~3, 2, { mode, ptbr: cpu.ptbr, s2ptbr: cpu.s2ptbr }, out);
    if (cause >= 0 || !this.mem.isRam(out.hpa)) return undefined;
    return this.mem.i32[out.hpa >>> 2];
  }

  /** Machine time: cycles every pCPU has completed. */
  time = 0;
  /** Cycles granted to an SMP machine but not yet run (less than one quantum). */
  private carry = 0;

  /**
   * Run for `cycles` cycles of machine time. One pCPU runs exactly that many. Several pCPUs take
   * turns in whole quanta on a fixed grid (pCPU 0, 1, ... each run the same quantum), and what is
   * left of a quantum waits for the next call, so the interleaving, and so the state, does not
   * depend on how the caller slices time (docs/architecture.md#determinism). Returns the stop report
   * once the machine has stopped, 'idle' when every pCPU waits with no timer armed, else null.
   */
  run(cycles: number): StopReport | null {
    if (this.stopped) return this.stopped;
    if (this.cpus.length === 1) {
      const cpu = this.cpus[0];
      const used = runCpu(cpu, cycles);
      this.time += used;
      if (!this.stopped && cpu.waiting && !Number.isFinite(cpu.nextTimer())) return { kind: 'idle', exitCode: 0 };
      return this.stopped;
    }
    this.carry += cycles;
    while (this.carry >= this.quantum && !this.stopped) {
      let busy = false;
      for (const cpu of this.cpus) {
        if (cpu.halted) continue;
        runCpu(cpu, this.quantum);
        if (!cpu.waiting || Number.isFinite(cpu.nextTimer())) busy = true;
      }
      this.carry -= this.quantum;
      this.time += this.quantum;
      if (!busy) return { kind: 'idle', exitCode: 0 };
    }
    return this.stopped;
  }

  /** Total instructions retired by all pCPUs. */
  instructions(): number {
    return this.cpus.reduce((s, c) => s + c.instret, 0);
  }

  saveState(): MachineState {
    return {
      cpus: this.cpus.map((c) => c.saveState()),
      memory: this.mem.saveState(),
      uart: this.uart.saveState(),
      stopped: this.stopped,
      time: this.time,
      carry: this.carry,
    };
  }

  restoreState(s: MachineState): void {
    if (s.cpus.length !== this.cpus.length) throw new Error('machine snapshot has a different number of pCPUs');
    this.mem.restoreState(s.memory);
    s.cpus.forEach((cs, i) => this.cpus[i].restoreState(cs));
    this.uart.restoreState(s.uart);
    this.stopped = s.stopped;
    this.time = s.time;
    this.carry = s.carry;
  }

  /** A hash of the whole architectural state (registers, control registers, counters, memory). */
  stateHash(): string {
    let h = 0x811c9dc5;
    const mix = (x: number) => {
      h ^= x & 0xff;
      h = Math.imul(h, 0x01000193);
      h ^= (x >>> 8) & 0xff;
      h = Math.imul(h, 0x01000193);
      h ^= (x >>> 16) & 0xff;
      h = Math.imul(h, 0x01000193);
      h ^= (x >>> 24) & 0xff;
      h = Math.imul(h, 0x01000193);
    };
    for (const c of this.cpus) {
      const s = c.saveState();
      for (const r of s.regs) mix(r);
      mix(s.pc);
      mix(s.mode);
      for (const v of Object.values(s.csr)) mix(v);
      mix(s.hcycle % 4294967296);
      mix(s.instret % 4294967296);
      mix(s.ip);
    }
    const m = this.mem.i32;
    for (let i = 0; i < m.length; i++) mix(m[i]);
    return (h >>> 0).toString(16).padStart(8, '0');
  }
}
