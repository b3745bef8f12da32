/**
 * The engine's debugger (docs/debugger.md): one GuestDebug per guest it has been asked about, and
 * the calls of the host API's DebugApi as plain synchronous functions (the engine session answers
 * them between slices, so no pCPU is in the middle of one). Errors are thrown as Errors whose
 * message names the guest and says what to do.
 */
import type {
  DebugMemory,
  DebugRegisters,
  DebugStack,
  DisasmLine,
  Breakpoint,
  BreakpointRequest,
  DebugEvent,
  DebugState,
  StepKind,
  Watchpoint,
  WatchpointRequest,
} from '../../../shared/debugApi.js';
import type { Hypervisor } from '../hypervisor/Hypervisor.js';
import type { Partition } from '../hypervisor/Partition.js';
import type { Machine } from '../machine/Machine.js';
import { parseCondition } from './condition.js';
import {
  causeByName,
  GuestDebug,
  type ArmedBreakpoint,
  type ArmedWatchpoint,
  type GuestDebugState,
} from './GuestDebug.js';
import { hex } from './guestMemory.js';
import { MachineTarget, PartitionTarget, type Target } from './targets.js';
import { resolveLine, type ProgramInfo } from './program.js';
import { stackOf } from './stack.js';
import { disassembleAt, readMemory, registersOf, setRegister, writeMemory } from './views.js';

interface Entry {
  g: GuestDebug;
  t: Target;
  /** The partition object it was made for (a destroyed and re-created partition is a new one). */
  owner: unknown;
  bps: Breakpoint[];
  wps: Watchpoint[];
  traps: string[];
}

/** Debugger.saveState: plain data. */
export interface DebuggerState {
  programs: [number, ProgramInfo][];
  guests: { id: number; bps: Breakpoint[]; wps: Watchpoint[]; traps: string[]; g: GuestDebugState }[];
}

export class Debugger {
  private readonly guests = new Map<number, Entry>();
  private readonly programs = new Map<number, ProgramInfo>();
  private nextId = 1;

  constructor(
    private readonly machine: Machine,
    private readonly hv: Hypervisor | undefined,
    /** Dual boot: the OS's name (for messages). */
    private readonly dualName: () => string,
    private readonly emit: (e: DebugEvent) => void,
  ) {}

  /** The guest's debugger, made on first use; throws when there is no such guest. */
  entry(guest: number): Entry {
    let e = this.guests.get(guest);
    if (this.hv) {
      const p = this.hv.partitions.get(guest);
      if (!p || p.state === 'destroyed')
        throw new Error(`no guest ${guest} to debug (the Guests list or status() shows which there are)`);
      // The partition was destroyed and made again, or restored from a snapshot: new vCPUs.
      if (e && e.owner !== p) e = this.rebuild(e, p);
      if (!e) {
        const t = new PartitionTarget(this.hv, p);
        const g = new GuestDebug(t, (x) => this.stopped(x));
        t.bind(g);
        e = { g, t, owner: p, bps: [], wps: [], traps: [] };
        this.guests.set(guest, e);
      }
      return e;
    }
    if (guest !== 0) throw new Error(`no guest ${guest} in dual boot: the one OS is guest 0`);
    if (!e) {
      const t = new MachineTarget(this.machine, `guest 0 (${this.dualName()})`);
      const g = new GuestDebug(t, (x) => this.stopped(x));
      t.bind(g);
      e = { g, t, owner: this.machine, bps: [], wps: [], traps: [] };
      this.guests.set(guest, e);
    }
    return e;
  }

  /**
   * A debugger for the guest's new partition with the same breakpoints, watchpoints and trap
   * breaks, running (a stop of the old partition means nothing for the new one).
   */
  private rebuild(old: Entry, p: Partition): Entry {
    const t = new PartitionTarget(this.hv!, p);
    const g = new GuestDebug(t, (x) => this.stopped(x));
    t.bind(g);
    const e: Entry = { ...old, g, t, owner: p };
    this.guests.set(t.guest, e);
    this.rearm(e);
    this.armWatchpoints(e);
    e.g.setTrapBreaks(e.traps.map((c) => causeByName(c) as number));
    return e;
  }

  /**
   * After a snapshot was restored (docs/debugger.md#what-works): partitions are new objects, so
   * each guest's debugger is made again with its breakpoints; every guest runs.
   */
  afterRestore(): void {
    for (const [id, e] of [...this.guests]) {
      if (this.hv) {
        const p = this.hv.partitions.get(id);
        if (!p) this.guests.delete(id);
        else this.rebuild(e, p);
      } else {
        e.g.resume();
        e.g.refresh();
      }
    }
  }

  /**
   * The debugger's part of a replay's checkpoint (docs/debugger.md#reverse): what each guest was
   * asked and whether it stood paused or in a step, so a restored checkpoint runs on as recorded.
   */
  saveState(): DebuggerState {
    return {
      programs: structuredClone([...this.programs]),
      guests: [...this.guests].map(([id, e]) => ({
        id,
        bps: structuredClone(e.bps),
        wps: structuredClone(e.wps),
        traps: [...e.traps],
        g: e.g.save(),
      })),
    };
  }

  /** After the machine was put back to a checkpoint (its partitions are new objects). */
  restoreState(st: DebuggerState): void {
    this.programs.clear();
    for (const [id, p] of structuredClone(st.programs)) this.programs.set(id, p);
    const saved = new Map(st.guests.map((x) => [x.id, x]));
    for (const id of [...this.guests.keys()])
      if (!saved.has(id) || (this.hv && !this.hv.partitions.get(id))) this.guests.delete(id);
    for (const x of st.guests) {
      if (this.hv && !this.hv.partitions.get(x.id)) continue;
      const old = this.guests.get(x.id);
      const t = this.hv ? new PartitionTarget(this.hv, this.hv.partitions.get(x.id)!) : undefined;
      const e = t
        ? (() => {
            const g = new GuestDebug(t, (y) => this.stopped(y));
            t.bind(g);
            return { g, t, owner: this.hv!.partitions.get(x.id)!, bps: [], wps: [], traps: [] } as Entry;
          })()
        : (old ?? this.entry(x.id));
      e.bps = structuredClone(x.bps);
      e.wps = structuredClone(x.wps);
      e.traps = [...x.traps];
      this.guests.set(x.id, e);
      e.g.load(x.g);
    }
  }

  private hooked = false;

  /**
   * Trap breaks see every trap a guest takes through its pCPU's onTrap (chained after what was
   * there: the timeline, the bare-machine report), installed once, when a trap break is first set.
   */
  private hookTraps(): void {
    if (this.hooked) return;
    this.hooked = true;
    for (const cpu of this.machine.cpus) {
      const prev = cpu.onTrap;
      cpu.onTrap = (c, t) => {
        prev?.(c, t);
        for (const e of this.guests.values()) {
          if (e.g.trapBreaks.size === 0) continue;
          const vc = e.t.trapVcpu(c, t);
          if (vc >= 0) return e.g.after(vc, t);
        }
      };
    }
  }

  /** Dual boot: the session changed the pCPUs' engine; a checked guest stays checked. */
  engineChanged(): void {
    const e = this.guests.get(0);
    if (e && !this.hv) e.g.rebind();
  }

  private stopped(g: GuestDebug): void {
    this.emit({ type: 'debug', guest: g.target.guest, paused: g.paused, ...(g.stop ? { stop: { ...g.stop } } : {}) });
  }

  /** After each run of the machine: held vCPUs leave their pCPUs, trap stops learn their pc. */
  settle(): void {
    for (const e of this.guests.values()) {
      if (!e.g.paused) continue;
      e.t.settle();
      e.g.fixStopPc();
    }
  }

  /** Dual boot: every pCPU is held, so the session runs no machine time. */
  machineHeld(): boolean {
    const e = this.guests.get(0);
    return !this.hv && !!e && (e.t as MachineTarget).allHeld();
  }

  /**
   * The watchpoints guest `guest` has armed (copies; none for a guest never debugged) and those set
   * aside while a replay is open: reverse continue's.
   */
  watchpointsOf(guest: number): ArmedWatchpoint[] {
    const armed = (this.guests.get(guest)?.g.watchpoints ?? []).map((w) => ({ ...w }));
    return [...armed, ...(this.aside.get(guest)?.wps ?? []).map(toArmed)];
  }

  state(guest: number): DebugState {
    const e = this.entry(guest);
    const aside = this.aside.get(guest);
    return {
      guest,
      paused: e.g.paused,
      ...(e.g.stop ? { stop: { ...e.g.stop } } : {}),
      breakpoints: (aside?.bps ?? e.bps).map((b) => ({ ...b })),
      watchpoints: (aside?.wps ?? e.wps).map((w) => ({ ...w })),
      trapBreaks: [...(aside?.traps ?? e.traps)],
    };
  }

  // ------------------------------------------------------------------ set aside (a replay's)

  /**
   * Breakpoints, watchpoints and trap breaks a user sets while the machine is a replay
   * (docs/recording.md#breakpoints-in-a-replay): resolved and shown by state() in place of the
   * recorded ones, and used by reverse continue, but never armed. Armed, they would stop the
   * replayed guest where the recording did not, and replace the breakpoints the recording had
   * (which a replayed stop needs). They are no part of the machine's state: a restored checkpoint
   * keeps them.
   */
  private readonly aside = new Map<number, { bps?: Breakpoint[]; wps?: Watchpoint[]; traps?: string[] }>();
  /** Their ids, apart from the machine's (the replayed debugger's ids stay as recorded). */
  private asideId = 1 << 30;

  setBreakpointsAside(guest: number, list: BreakpointRequest[]): Breakpoint[] {
    const e = this.entry(guest);
    const bps: Breakpoint[] = list.map((req) => ({ ...req, id: this.asideId++, guest, verified: false, hits: 0 }));
    for (const b of bps) this.check(guest, e, b);
    this.aside.set(guest, { ...this.aside.get(guest), bps });
    return bps.map((b) => ({ ...b }));
  }

  setWatchpointsAside(guest: number, list: WatchpointRequest[]): Watchpoint[] {
    this.entry(guest);
    const wps: Watchpoint[] = list.map((w) => ({ ...w, id: this.asideId++, guest, hits: 0 }));
    this.aside.set(guest, { ...this.aside.get(guest), wps });
    return wps.map((w) => ({ ...w }));
  }

  setTrapBreaksAside(guest: number, causes: string[]): DebugState {
    trapCodes(this.entry(guest), causes);
    this.aside.set(guest, { ...this.aside.get(guest), traps: causes.map((c) => c.toUpperCase()) });
    return this.state(guest);
  }

  pause(guest: number): DebugState {
    this.entry(guest).g.pause();
    this.settle();
    return this.state(guest);
  }

  resume(guest: number): DebugState {
    this.entry(guest).g.resume();
    return this.state(guest);
  }

  /** Start a step; the session runs the machine until the guest stops again. */
  step(guest: number, vcpu: number, kind: StepKind): DebugState {
    const e = this.entry(guest);
    this.vcpuOf(e, vcpu);
    if (!e.g.paused) throw new Error(`${e.t.name} is running: pause it before stepping`);
    e.g.startStep(vcpu, kind, e.t.view(vcpu).mode);
    return this.state(guest);
  }

  /** Run until the address or source line is reached (a one-shot breakpoint) or another stop. */
  runTo(guest: number, target: BreakpointRequest): DebugState {
    const e = this.entry(guest);
    const r = this.resolve(guest, e, target);
    if (r.resolved === undefined) throw new Error(`${e.t.name}: ${r.message}`);
    e.g.addBreakpoint({ id: 0, address: r.resolved, userOnly: r.userOnly, oneShot: 'breakpoint', hits: 0 });
    if (e.g.paused) e.g.resume();
    return this.state(guest);
  }

  /** Stop at the first instruction of the program deployed next (reason 'entry'). */
  armEntry(guest: number, entry: number): void {
    const e = this.entry(guest);
    e.g.addBreakpoint({ id: 0, address: entry >>> 0, userOnly: true, oneShot: 'entry', hits: 0 });
  }

  setProgram(guest: number, info: ProgramInfo): void {
    this.programs.set(guest, info);
    const e = this.guests.get(guest);
    if (e) this.rearm(e);
  }

  program(guest: number): ProgramInfo | undefined {
    return this.programs.get(guest);
  }

  vcpuOf(e: Entry, vcpu: number): void {
    const n = e.t.vcpuCount();
    if (!Number.isInteger(vcpu) || vcpu < 0 || vcpu >= n)
      throw new Error(`${e.t.name} has vCPUs 0..${n - 1}; there is no vCPU ${vcpu}`);
  }

  // ------------------------------------------------------------------ breakpoints

  setBreakpoints(guest: number, list: BreakpointRequest[]): Breakpoint[] {
    const e = this.entry(guest);
    e.bps = list.map((req) => ({ ...req, id: this.nextId++, guest, verified: false, hits: 0 }));
    this.rearm(e);
    return e.bps.map((b) => ({ ...b }));
  }

  /** Resolve every breakpoint again (a new program, a new partition) and arm the verified ones. */
  private rearm(e: Entry): void {
    const guest = e.t.guest;
    const armed: ArmedBreakpoint[] = [];
    for (const b of e.bps) {
      const r = this.check(guest, e, b);
      if (!r) continue;
      // Hits live on the armed breakpoint; the listed one reads them (see state()).
      const a: ArmedBreakpoint = {
        id: b.id,
        address: r.address,
        userOnly: r.userOnly,
        hits: b.hits,
        ...(r.condition ? { condition: r.condition } : {}),
      };
      Object.defineProperty(b, 'hits', { get: () => a.hits, enumerable: true, configurable: true });
      armed.push(a);
    }
    e.g.setBreakpoints(armed);
  }

  /**
   * Resolves `b` (its address, or its file and line) and parses its condition: marks it verified or
   * gives the message why not; for a verified one, what arming it takes.
   */
  private check(
    guest: number,
    e: Entry,
    b: Breakpoint,
  ): { address: number; userOnly: boolean; condition?: ReturnType<typeof parseCondition> & object } | undefined {
    const r = this.resolve(guest, e, b);
    let message = r.message;
    let condition;
    if (b.condition !== undefined && b.condition.trim() !== '') {
      const c = parseCondition(b.condition);
      if (typeof c === 'string') message = c;
      else condition = c;
    }
    b.verified = r.resolved !== undefined && message === undefined;
    if (message !== undefined) b.message = message;
    else delete b.message;
    if (r.resolved !== undefined) b.resolved = r.resolved;
    if (!b.verified || r.resolved === undefined) return undefined;
    return { address: r.resolved, userOnly: r.userOnly, ...(condition ? { condition } : {}) };
  }

  private resolve(
    guest: number,
    e: Entry,
    b: BreakpointRequest,
  ): { resolved?: number; userOnly: boolean; message?: string } {
    if (b.address !== undefined) return { resolved: b.address >>> 0, userOnly: false };
    if (b.file === undefined || b.line === undefined)
      return { userOnly: false, message: 'a breakpoint needs an address, or a file and a line' };
    const prog = this.programs.get(guest);
    if (!prog)
      return {
        userOnly: true,
        message: `no program is deployed in ${e.t.name} with debugging information: deploy ${b.file} first`,
      };
    const r = resolveLine(prog, b.file, b.line);
    return typeof r === 'string' ? { userOnly: true, message: r } : { resolved: r, userOnly: true };
  }

  setWatchpoints(guest: number, list: WatchpointRequest[]): Watchpoint[] {
    const e = this.entry(guest);
    e.wps = list.map((w) => ({ ...w, id: this.nextId++, guest, hits: 0 }));
    this.armWatchpoints(e);
    return e.wps.map((w) => ({ ...w }));
  }

  private armWatchpoints(e: Entry): void {
    const armed = e.wps.map(toArmed);
    e.wps.forEach((w, i) =>
      Object.defineProperty(w, 'hits', { get: () => armed[i]!.hits, enumerable: true, configurable: true }),
    );
    e.g.setWatchpoints(armed);
  }

  setTrapBreaks(guest: number, causes: string[]): DebugState {
    const e = this.entry(guest);
    const codes = trapCodes(e, causes);
    e.traps = causes.map((c) => c.toUpperCase());
    e.g.setTrapBreaks(codes);
    if (codes.length) this.hookTraps();
    return this.state(guest);
  }

  /** The guest must be paused (registers and memory writes, stepping). */
  needPaused(e: Entry, what: string): void {
    if (!e.g.paused) throw new Error(`${e.t.name} is running: pause it before ${what}`);
  }

  // ------------------------------------------------------------------ views

  registers(guest: number, vcpu: number): DebugRegisters {
    const e = this.entry(guest);
    this.vcpuOf(e, vcpu);
    return registersOf(e.t, vcpu);
  }

  setRegister(guest: number, vcpu: number, reg: string, value: number): DebugRegisters {
    const e = this.entry(guest);
    this.vcpuOf(e, vcpu);
    this.needPaused(e, `setting ${reg}`);
    const bad = setRegister(e.t, vcpu, reg, value);
    if (bad) throw new Error(`${e.t.name}: ${bad}`);
    return registersOf(e.t, vcpu);
  }

  /** Virtual addresses go through the page table of the vCPU that stopped last (or vCPU 0). */
  private memVcpu(e: Entry): number {
    return e.g.stop?.vcpu ?? 0;
  }

  readMemory(guest: number, space: 'virtual' | 'physical', address: number, length: number): DebugMemory {
    const e = this.entry(guest);
    return readMemory(e.t, this.memVcpu(e), space, address, length);
  }

  writeMemory(guest: number, space: 'virtual' | 'physical', address: number, hexBytes: string): DebugMemory {
    const e = this.entry(guest);
    const r = writeMemory(e.t, this.memVcpu(e), space, address, hexBytes);
    if (typeof r === 'string') throw new Error(r);
    return r;
  }

  disassemble(guest: number, vcpu: number, address: number, count: number): DisasmLine[] {
    const e = this.entry(guest);
    this.vcpuOf(e, vcpu);
    return disassembleAt(e.t, vcpu, address, count, this.programs.get(guest));
  }

  /** The vCPU's call stack (stack.ts: a prologue-scanning heuristic bounded by the symbols). */
  stack(guest: number, vcpu: number): DebugStack {
    const e = this.entry(guest);
    this.vcpuOf(e, vcpu);
    return stackOf(e.t, vcpu, this.programs.get(guest));
  }

  static hex = hex;
}

/** The trap causes named by `causes` (docs/debugger.md), or an error naming the guest and the bad name. */
function trapCodes(e: Entry, causes: string[]): number[] {
  return causes.map((c) => {
    const code = causeByName(c);
    if (typeof code === 'string') throw new Error(`${e.t.name}: ${code}`);
    return code;
  });
}

/** What the guest's debugger checks of a watchpoint. */
function toArmed(w: Watchpoint): ArmedWatchpoint {
  return {
    id: w.id,
    address: w.address >>> 0,
    length: w.length,
    read: w.access !== 'write',
    write: w.access !== 'read',
    physical: w.space === 'physical',
    hits: w.hits,
  };
}
