/**
 * The debugger's part of the host API (issue 14; docs/debugger.md): the contract the engine, the
 * faces (the Debug view, `hyperdesk dap`) and the tests share. The debugger works on one guest (a
 * partition in hypervisor mode, the one OS in dual boot) while the others keep running.
 *
 * Addresses are unsigned 32-bit numbers. A guest's vCPUs are numbered from 0 as the guest sees them.
 * Every call on a guest that does not exist, or in a state that does not allow it, fails with an
 * Error whose message names the guest and says what to do (never a bare code).
 */
import type { DeployResult } from './api.js';

/** Why a guest's vCPU stopped. */
export type DebugStopReason =
  | 'pause' // the user asked
  | 'step' // a step finished
  | 'breakpoint'
  | 'watchpoint'
  | 'trap' // break on trap by cause
  | 'entry' // stopped before the first instruction of a program deployed with "debug from start"
  | 'replay-start' // reverse execution reached the start of the recording
  | 'replay-end'; // a forward move in a replay reached the end of the recording

export interface DebugStop {
  guest: number;
  vcpu: number;
  reason: DebugStopReason;
  pc: number;
  /** Instructions this vCPU has retired: with the guest it names one point of its execution. */
  retired: number;
  /** Machine time of the stop, seconds. */
  seconds: number;
  /** The breakpoint or watchpoint hit, if any. */
  breakpointId?: number;
  /** In words: "write of 4 bytes at 0x00012340", "trap PAGE_FAULT_LOAD". */
  detail?: string;
}

/** A breakpoint as the user asks for it: by address, or by a source line of a deployed program. */
export interface BreakpointRequest {
  address?: number;
  /** A program's source file name as deployed (`hello.s`) and a 1-based line. */
  file?: string;
  line?: number;
  /** Stop only when it holds: `r5 == 3`, `a0 != 0`, `sp < 0x7000` (register OP number). */
  condition?: string;
}

export interface Breakpoint extends BreakpointRequest {
  id: number;
  guest: number;
  /** False when it could not be placed (no code on that line, bad condition): see message. */
  verified: boolean;
  message?: string;
  /** The address it was placed at (the line's first instruction). */
  resolved?: number;
  hits: number;
}

export interface WatchpointRequest {
  address: number;
  /** Bytes, 1..4096. */
  length: number;
  access: 'read' | 'write' | 'readwrite';
  /** Guest-virtual (as the guest's current page table maps it) or guest-physical. */
  space: 'virtual' | 'physical';
}

export interface Watchpoint extends WatchpointRequest {
  id: number;
  guest: number;
  hits: number;
}

export interface DebugRegisters {
  guest: number;
  vcpu: number;
  pc: number;
  /** The general registers r0..r31 as unsigned numbers, with their ABI names. */
  regs: { name: string; abi: string; value: number }[];
  /** 'user' | 'supervisor' (a guest never sees hypervisor mode). */
  mode: string;
  /** The control registers the guest's mode can read, by name. */
  control: { name: string; value: number }[];
  /** For the curious: how the hypervisor runs this guest. */
  virt: { technique: string; stage2Root: number | null; vmid: number | null };
}

export interface DebugMemory {
  guest: number;
  space: 'virtual' | 'physical';
  address: number;
  /** Hex of the bytes read, two digits each; bytes that could not be read are absent... */
  hex: string;
  /** ...from this offset on (the first unreadable byte), with the reason. */
  unreadableFrom?: number;
  reason?: string;
}

export interface DisasmLine {
  address: number;
  word: number;
  text: string;
  /** The label at this address, if the deployed program's symbols name one. */
  label?: string;
  /** The source line this word came from (the assembler's listing), if known. */
  file?: string;
  line?: number;
}

/**
 * One frame of a vCPU's call stack (docs/debugger.md#call-stack): frame 0 is where the vCPU stands;
 * each next one is its caller, standing at its call instruction.
 */
export interface DebugFrame {
  index: number;
  pc: number;
  /** The stack pointer in this frame (the caller's is worked out from the callee's prologue). */
  sp: number;
  /** The function it is in (the program's entry or a call target at or below pc), by its label... */
  function?: string;
  /** ...and pc's distance from the function's start, in bytes. */
  offset?: number;
  /** A label exactly at pc (`loop`), if any. */
  label?: string;
  /** The source line of pc, if the program's line map knows it. */
  file?: string;
  line?: number;
}

export interface DebugStack {
  frames: DebugFrame[];
  /** Why the walk stopped before reaching the program's entry, in words (absent: it got there). */
  stopped?: string;
}

export interface DebugState {
  guest: number;
  /** True while every vCPU of the guest is stopped by the debugger. */
  paused: boolean;
  stop?: DebugStop;
  breakpoints: Breakpoint[];
  watchpoints: Watchpoint[];
  /** Trap causes it breaks on, by name (docs/isa.md#traps). */
  trapBreaks: string[];
}

export type StepKind = 'instruction' | 'over' | 'out';

/** The debugger's calls; HostApi includes them (src/shared/api.ts). */
export interface DebugApi {
  debugState(guest: number): Promise<DebugState>;
  debugPause(guest: number): Promise<DebugState>;
  debugContinue(guest: number): Promise<DebugState>;
  /** Runs one vCPU one step (the others of the guest stay stopped) and returns when it stops. */
  debugStep(guest: number, vcpu: number, kind: StepKind): Promise<DebugState>;
  /** Runs until the source line (or address) is reached or another stop comes first. */
  debugRunTo(guest: number, target: BreakpointRequest): Promise<DebugState>;
  debugRegisters(guest: number, vcpu: number): Promise<DebugRegisters>;
  debugSetRegister(guest: number, vcpu: number, reg: string, value: number): Promise<DebugRegisters>;
  debugReadMemory(guest: number, space: 'virtual' | 'physical', address: number, length: number): Promise<DebugMemory>;
  debugWriteMemory(guest: number, space: 'virtual' | 'physical', address: number, hex: string): Promise<DebugMemory>;
  debugDisassemble(guest: number, vcpu: number, address: number, count: number): Promise<DisasmLine[]>;
  /**
   * The vCPU's call stack, walked from its registers and stack with the deployed program's symbols
   * (a heuristic: HD32 code keeps no frame pointer; docs/debugger.md#call-stack).
   */
  debugStack(guest: number, vcpu: number): Promise<DebugStack>;
  /** Replaces all of the guest's breakpoints (as DAP's setBreakpoints does). */
  debugSetBreakpoints(guest: number, list: BreakpointRequest[]): Promise<Breakpoint[]>;
  debugSetWatchpoints(guest: number, list: WatchpointRequest[]): Promise<Watchpoint[]>;
  debugSetTrapBreaks(guest: number, causes: string[]): Promise<DebugState>;
  /**
   * Deploy as `deploy` does (assemble, write, reboot the guest), and with `stopOnEntry` stop the
   * guest before the program's first instruction when it next runs (reason 'entry'). Every deploy
   * keeps the program's line map and labels for source breakpoints (docs/debugger.md#source-level).
   */
  debugDeploy(guest: number, name: string, source: string, stopOnEntry: boolean): Promise<DeployResult>;
  /**
   * Pause (true) or continue (false) the whole machine: no machine time passes while it is paused,
   * for every guest at once (the per-guest pause leaves the others running).
   */
  debugMachine(paused: boolean): Promise<{ paused: boolean; seconds: number }>;
}

/** The event the host sends when a guest stops under the debugger or goes on (stop undefined). */
export interface DebugEvent {
  type: 'debug';
  guest: number;
  paused: boolean;
  stop?: DebugStop;
}
