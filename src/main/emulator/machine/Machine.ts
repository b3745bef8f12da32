/**
 * The board: pCPUs, RAM, the bus and the devices of the I/O tree (docs/devices.md), built from a
 * plain description (docs/architecture.md#machine). Several pCPUs run round-robin in fixed quanta of
 * cycles on one thread, which keeps SMP runs deterministic; a multi-threaded mode comes with the
 * speed issue.
 */
import { disassemble } from '../../../shared/isa/disasm.js';
import { causeName, IRQ } from '../../../shared/isa/csrs.js';
import { MODE_NAMES } from '../../../shared/isa/opcodes.js';
import { RESET_PC } from '../../../shared/isa/memoryMap.js';
import { Bus, type MmioDevice } from '../bus/Bus.js';
import { Cpu, type CpuState, type TrapRecord } from '../cpu/Cpu.js';
import { Jit } from '../cpu/jit/Jit.js';
import { runCpu } from '../cpu/run.js';
import type { BlockBackend } from '../devices/disk/BlockBackend.js';
import type { DiskDevice } from '../devices/disk/DiskDevice.js';
import type { Intc } from '../devices/intc/Intc.js';
import { parseMac, type Nic } from '../devices/nic/Nic.js';
import type { Rtc } from '../devices/rtc/Rtc.js';
import type { Sysctl } from '../devices/sysctl/Sysctl.js';
import type { ConsoleSink, Uart } from '../devices/uart/Uart.js';
import { dmaPort } from '../dma/DmaPort.js';
import { DmaTable, type DmaTableState } from '../dma/DmaTable.js';
import { newSharedCode, PhysicalMemory } from '../memory/PhysicalMemory.js';
import { standardIoTree, type IoNode } from './board.js';
import { buildDevices } from './devicesFromTree.js';

export interface MachineDescription {
  cpus: number;
  memBytes: number;
  /** Where console output goes (uart0). */
  console?: ConsoleSink;
  /** Where the second console's output goes (uart1). */
  console1?: ConsoleSink;
  /** One backend per disk (0..8): disk0, disk1, ... */
  disks?: BlockBackend[];
  /** Number of network cards (0..4, default 1). */
  nics?: number;
  /** MAC address of each nic ("02:00:00:00:00:01"); default 02:00:00:00:00:0N for nic N-1. */
  nicMacs?: string[];
  /** Wall-clock seconds since 1970 at power-on (the rtc adds emulated time); default 0. */
  rtcEpochSeconds?: number;
  /**
   * Bare-metal convention (docs/isa.md#bare-machine): a trap through a trap vector that was never
   * set (0) stops the machine with a report instead of jumping to address 0.
   */
  stopOnUnsetVector?: boolean;
  /** Cycles each pCPU runs before the next one gets its turn. */
  quantum?: number;
  /**
   * How the pCPUs execute (docs/architecture.md#block-translation): 'interp' (default), the
   * reference interpreter; 'jit', hot code compiled to JavaScript, with exactly the same results.
   */
  engine?: 'interp' | 'jit';
  /**
   * RAM in a SharedArrayBuffer, so that the pCPUs can also run on threads of their own
   * (ParallelRunner in parallel.ts); Machine.run stays the deterministic one-thread mode.
   */
  sharedMemory?: boolean;
}

export interface StopReport {
  /** 'reset': the guest wrote sysctl RESET; the host decides what power-on comes next. */
  kind: 'exit' | 'reset' | 'unhandled-trap' | 'limit' | 'idle';
  exitCode: number;
  trap?: TrapRecord & { cpu: number; causeName: string; disassembly: string; modeName: string };
}

export interface MachineState {
  cpus: CpuState[];
  memory: { size: number; bytes: Uint8Array };
  /** Each device's saved state by node id. */
  devices: Record<string, unknown>;
  /** DMA domains: the distinct tables, and which one each DMA device uses (shared tables stay shared). */
  dma: { tables: DmaTableState[]; domains: Record<string, number> };
  stopped: StopReport | null;
  time: number;
  carry: number;
}

export class Machine {
  readonly mem: PhysicalMemory;
  readonly bus = new Bus();
  readonly cpus: Cpu[];
  /** The I/O tree the devices were built from (docs/devices.md#the-io-tree-and-the-physical-map). */
  readonly tree: IoNode;
  /** Every device by node id. */
  readonly devices: Map<string, MmioDevice>;
  /** uart0 (the console), kept for compatibility; all uarts are in `uarts`. */
  readonly uart: Uart;
  readonly uarts: Uart[];
  readonly sysctl: Sysctl;
  readonly rtc: Rtc;
  readonly intc: Intc;
  readonly disks: DiskDevice[];
  readonly nics: Nic[];
  readonly quantum: number;
  /** The engine the pCPUs were built with (each pCPU's own is `cpu.engine`). */
  readonly engine: 'interp' | 'jit';
  stopped: StopReport | null = null;
  /** The pCPU running right now (device reads of the time use its exact cycle count). */
  private current: Cpu | undefined;
  /** DMA domain of each DMA-capable device, by node id. */
  private readonly domains = new Map<string, DmaTable>();

  constructor(readonly desc: MachineDescription) {
    if (!Number.isInteger(desc.cpus) || desc.cpus < 1 || desc.cpus > 256) {
      throw new RangeError(`a machine has 1..256 pCPUs, got ${desc.cpus}`);
    }
    this.mem = desc.sharedMemory
      ? new PhysicalMemory(desc.memBytes, {
          buffer: new SharedArrayBuffer(desc.memBytes),
          shared: newSharedCode(desc.memBytes >>> 12),
        })
      : new PhysicalMemory(desc.memBytes);
    this.quantum = desc.quantum ?? 10_000;
    this.engine = desc.engine ?? 'interp';
    const disks = desc.disks ?? [];
    const nics = desc.nics ?? 1;
    this.tree = standardIoTree({ disks: disks.length, nics });
    const macs = Array.from({ length: nics }, (_, i) =>
      desc.nicMacs?.[i] !== undefined ? parseMac(desc.nicMacs[i]) : Uint8Array.of(2, 0, 0, 0, 0, i + 1),
    );
    this.cpus = [];
    for (let i = 0; i < desc.cpus; i++) {
      const cpu = new Cpu(i, this.mem, this.bus);
      cpu.reset(RESET_PC);
      if (this.engine === 'jit') cpu.jit = new Jit();
      if (desc.stopOnUnsetVector) cpu.onTrap = (c, t) => this.checkVector(c, t);
      this.cpus.push(cpu);
    }
    const set = buildDevices(this.tree, {
      cpus: this.cpus,
      consoles: [desc.console, desc.console1],
      disks,
      macs,
      rtcEpochSeconds: desc.rtcEpochSeconds ?? 0,
      cycles: () => (this.current ?? this.cpus[0]).now(),
      charge: (cycles) => (this.current ?? this.cpus[0]).charge(cycles),
      sysctl: {
        exit: (code) => this.stop({ kind: 'exit', exitCode: code }),
        reset: () => this.stop({ kind: 'reset', exitCode: 0 }),
        sendIpi: (n) => {
          const cpu = this.cpus[n];
          if (!cpu) return false;
          cpu.setInterrupt(IRQ.ipi, true);
          return true;
        },
        cpuCount: () => this.cpus.length,
      },
      dma: (id) => {
        this.domains.set(id, DmaTable.identity(this.mem.size));
        return dmaPort(this.mem, () => this.dmaDomain(id));
      },
    });
    this.devices = set.devices;
    for (const [id, d] of set.devices) this.bus.attach(set.bases.get(id) as number, d);
    this.uarts = set.uarts;
    this.uart = set.uarts[0];
    this.sysctl = set.sysctl;
    this.rtc = set.rtc;
    this.intc = set.intc;
    this.disks = set.disks;
    this.nics = set.nics;
  }

  /**
   * Put every device back in its power-on state and every DMA domain back to identity over RAM (a
   * machine reset, e.g. after sysctl RESET; the pCPUs and RAM are the caller's business). Typed-ahead
   * console input and device metrics are kept.
   */
  resetDevices(): void {
    for (const id of this.domains.keys()) this.domains.set(id, DmaTable.identity(this.mem.size));
    for (const d of [...this.uarts, ...this.disks, ...this.nics]) d.reset();
    this.intc.reset();
  }

  /** The DMA domain of a DMA-capable device (default: identity over all RAM). */
  dmaDomain(deviceId: string): DmaTable {
    const t = this.domains.get(deviceId);
    if (!t) throw new RangeError(`${deviceId} is not a DMA-capable device of this machine`);
    return t;
  }

  /** Give a device another DMA domain; it takes effect at the device's next transfer. */
  setDmaDomain(deviceId: string, table: DmaTable): void {
    this.dmaDomain(deviceId);
    this.domains.set(deviceId, table);
  }

  /** Load bytes at a physical address (a loader, not a guest: no translation). */
  load(pa: number, bytes: Uint8Array): void {
    this.mem.writeBytes(pa, bytes);
  }

  /** Power off with an exit code (what sysctl EXIT does; the hypervisor uses it too). */
  powerOff(code: number): void {
    this.stop({ kind: 'exit', exitCode: code });
  }

  private stop(r: StopReport): void {
    if (this.stopped) return;
    this.stopped = r;
    for (const c of this.cpus) {
      c.halted = true;
      c.breakSlice = true;
    }
  }

  /** @internal The pCPU whose time devices read (ParallelRunner sets it when it runs a device access). */
  setCurrent(cpu: Cpu): void {
    this.current = cpu;
  }

  /** @internal Stop on a trap through a vector that was never set (stopOnUnsetVector). */
  checkVector(cpu: Cpu, t: TrapRecord): void {
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
      this.current = cpu;
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
        this.current = cpu;
        runCpu(cpu, this.quantum);
        if (!cpu.waiting || Number.isFinite(cpu.nextTimer())) busy = true;
      }
      this.carry -= this.quantum;
      this.time += this.quantum;
      if (!busy) {
        // Every pCPU waits with no timer armed: nothing happens until something from outside (a
        // key) arrives, so the rest of the granted time passes idle now, in whole quanta (as it would
        // quantum by quantum), and the carry stays under one quantum as the grid needs.
        const rest = this.carry - (this.carry % this.quantum);
        if (rest > 0) {
          for (const c of this.cpus) if (!c.halted) runCpu(c, rest);
          this.carry -= rest;
          this.time += rest;
        }
        return { kind: 'idle', exitCode: 0 };
      }
    }
    return this.stopped;
  }

  /** Total instructions retired by all pCPUs. */
  instructions(): number {
    return this.cpus.reduce((s, c) => s + c.instret, 0);
  }

  saveState(): MachineState {
    return { ...this.saveStateWithoutMemory(), memory: this.mem.saveState() };
  }

  /** The state but RAM, which the caller reads in place (a replay's checkpoints share its pages). */
  saveStateWithoutMemory(): Omit<MachineState, 'memory'> {
    const tables: DmaTable[] = [];
    const domains: Record<string, number> = {};
    for (const [id, t] of this.domains) {
      if (!tables.includes(t)) tables.push(t);
      domains[id] = tables.indexOf(t);
    }
    return {
      cpus: this.cpus.map((c) => c.saveState()),
      devices: this.saveDevices(),
      dma: { tables: tables.map((t) => t.saveState()), domains },
      stopped: this.stopped,
      time: this.time,
      carry: this.carry,
    };
  }

  /** Each device's saved state by node id (public for the engines' differential tests). */
  saveDevices(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [id, d] of this.devices) if (d.saveState) out[id] = d.saveState();
    return out;
  }

  /**
   * Restore a snapshot of a machine built from the same description. Devices first (they re-drive
   * their interrupt lines), then the pCPUs, whose saved pending lines are exactly what those lines
   * said when the snapshot was taken.
   */
  restoreState(s: MachineState): void {
    this.restoreStateInPlace(s, () => this.mem.restoreState(s.memory));
  }

  /**
   * Restore all but RAM, which `writeMemory` puts back in place (through mem.u8, then
   * mem.rewritten()) at the point where restoreState would: a replay's checkpoint (docs/recording.md).
   */
  restoreStateInPlace(s: Omit<MachineState, 'memory'>, writeMemory: () => void): void {
    if (s.cpus.length !== this.cpus.length) throw new Error('machine snapshot has a different number of pCPUs');
    const ids = [...this.devices.keys()];
    const saved = Object.keys(s.devices);
    if (saved.length !== ids.length || ids.some((id) => !(id in s.devices))) {
      throw new Error(`machine snapshot has devices ${saved.join(', ')}; this machine has ${ids.join(', ')}`);
    }
    writeMemory();
    for (const [id, d] of this.devices) d.restoreState?.(s.devices[id]);
    const tables = s.dma.tables.map((t) => DmaTable.fromState(t));
    for (const id of this.domains.keys()) {
      const t = tables[s.dma.domains[id]];
      if (!t) throw new Error(`machine snapshot has no DMA domain for ${id}`);
      this.domains.set(id, t);
    }
    s.cpus.forEach((cs, i) => this.cpus[i].restoreState(cs));
    this.stopped = s.stopped;
    this.time = s.time;
    this.carry = s.carry;
  }

  /** A hash of the whole architectural state (registers, control registers, counters, memory,
   *  devices). */
  stateHash(): string {
    let h = 0x811c9dc5;
    const mix = (x: number) => {
      h = Math.imul(h ^ (x | 0), 0x01000193);
    };
    for (const c of this.cpus) {
      const s = c.saveState();
      for (const r of s.regs) mix(r);
      mix(s.pc);
      mix(s.mode);
      for (const v of Object.values(s.csr)) mix(v);
      mix(s.hcycle % 4294967296);
      mix(Math.floor(s.hcycle / 4294967296));
      mix(s.instret % 4294967296);
      mix(s.ip);
      // Charged cycles not yet passed (Cpu.stall); mixed only when some are, so hashes of machines
      // that never had any stay what they were.
      if (s.stall) mix(s.stall % 4294967296);
    }
    // RAM a word at a time in four independent lanes, so the multiplications do not wait for each
    // other: 64 MiB hash in tens of milliseconds, which the recorder's checkpoints rely on
    // (docs/recording.md#checkpoints).
    const m = this.mem.i32;
    let a = 1,
      b = 2,
      c = 3,
      d = 4;
    const n = m.length & ~3;
    for (let i = 0; i < n; i += 4) {
      a = Math.imul(a ^ m[i]!, 0x01000193);
      b = Math.imul(b ^ m[i + 1]!, 0x01000193);
      c = Math.imul(c ^ m[i + 2]!, 0x01000193);
      d = Math.imul(d ^ m[i + 3]!, 0x01000193);
    }
    for (let i = n; i < m.length; i++) a = Math.imul(a ^ m[i]!, 0x01000193);
    mix(a);
    mix(b);
    mix(c);
    mix(d);
    const devices = JSON.stringify(this.saveDevices());
    for (let i = 0; i < devices.length; i++) mix(devices.charCodeAt(i));
    return (h >>> 0).toString(16).padStart(8, '0');
  }
}
