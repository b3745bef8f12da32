/**
 * Messages between the host (main thread) and the engine worker. A request carries an id and gets
 * exactly one reply with the same id; events flow from the worker unasked. Every value is plain
 * data (structured clone).
 */
import type {
  CtlReply,
  DeployResult,
  GuestFile,
  MachineConfig,
  MachineStatus,
  MessagesView,
  NetworkView,
  Ownership,
  PerfSample,
  TimelineEntry,
} from '../../shared/api.js';
import type {
  Breakpoint,
  BreakpointRequest,
  DebugEvent,
  DebugMemory,
  DebugRegisters,
  DebugStack,
  DebugState,
  DisasmLine,
  StepKind,
  Watchpoint,
  WatchpointRequest,
} from '../../shared/debugApi.js';
import type { ConsoleBatch } from './consoles.js';
import type { SessionLog } from './Session.js';
import type { SavedSnapshot } from './snapshots.js';
import type { Recording } from './recordLog.js';
import type { ReplayReport } from './replay.js';
import type { ReplayPosition, RetiredPoint } from './reverse.js';

/** What the engine can be asked, and what each answers. */
export interface EngineCalls {
  boot(config: Partial<MachineConfig>): MachineStatus;
  powerOff(): MachineStatus;
  status(): MachineStatus;
  setEngine(guest: number, engine: 'interp' | 'jit'): MachineStatus;
  consoleInput(guest: number, data: string): void;
  consoleHistory(guest: number): { data: string; end: number };
  listFiles(guest: number): GuestFile[];
  readFile(guest: number, name: string): string;
  writeFile(guest: number, name: string, text: string): { written: string };
  deploy(guest: number, name: string, source: string): DeployResult;
  ctl(command: string): CtlReply;
  ownership(): Ownership;
  network(): NetworkView;
  messages(): MessagesView;
  capture(): { base64: string; frames: number; dropped: number };
  perf(): PerfSample[];
  timeline(guest: number): TimelineEntry[];
  /** Save the running machine as snapshot `name` in the folder `dir` (docs/snapshots.md). */
  snapshotSave(name: string, dir: string): SavedSnapshot;
  /** Restore a snapshot file into the running machine (the same kind of machine). */
  snapshotRestore(file: string, dir: string): MachineStatus;
  // The debugger (docs/debugger.md#host-api): DebugApi's calls, answered between ticks.
  debugState(guest: number): DebugState;
  debugPause(guest: number): DebugState;
  debugContinue(guest: number): DebugState;
  debugStep(guest: number, vcpu: number, kind: StepKind): DebugState;
  debugRunTo(guest: number, target: BreakpointRequest): DebugState;
  debugRegisters(guest: number, vcpu: number): DebugRegisters;
  debugSetRegister(guest: number, vcpu: number, reg: string, value: number): DebugRegisters;
  debugReadMemory(guest: number, space: 'virtual' | 'physical', address: number, length: number): DebugMemory;
  debugWriteMemory(guest: number, space: 'virtual' | 'physical', address: number, hex: string): DebugMemory;
  debugDisassemble(guest: number, vcpu: number, address: number, count: number): DisasmLine[];
  debugStack(guest: number, vcpu: number): DebugStack;
  debugSetBreakpoints(guest: number, list: BreakpointRequest[]): Breakpoint[];
  debugSetWatchpoints(guest: number, list: WatchpointRequest[]): Watchpoint[];
  debugSetTrapBreaks(guest: number, causes: string[]): DebugState;
  debugDeploy(guest: number, name: string, source: string, stopOnEntry: boolean): DeployResult;
  debugMachine(paused: boolean): { paused: boolean; seconds: number };
  /** Start recording the running machine (docs/recording.md); checkpoint 0 is a snapshot in `dir`. */
  recordStart(
    name: string,
    dir: string,
    opts?: { checkpointSeconds?: number },
  ): { name: string; seconds: number; threads: false };
  /** End the recording; the answer is the whole recording, for the host to store. */
  recordStop(): Recording;
  /** Replace what runs by a replay of `rec`; answers when it is verified to its end. */
  replay(rec: Recording): ReplayReport;
  seek(seconds: number): ReplayPosition;
  seekTo(point: RetiredPoint): ReplayPosition;
  reverseStep(guest: number, vcpu: number, kind?: StepKind): ReplayPosition;
  forwardStep(guest: number, vcpu: number, kind?: StepKind): ReplayPosition;
  reverseContinue(guest: number, addresses: number[]): ReplayPosition;
}

export type EngineOp = keyof EngineCalls;

export interface EngineRequest {
  id: number;
  op: EngineOp;
  args: unknown[];
}

export type EngineReply = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: string };

export type EngineEvent =
  | { event: 'console'; batches: ConsoleBatch[] }
  | { event: 'status'; status: MachineStatus }
  | { event: 'perf'; sample: PerfSample }
  | { event: 'log'; logs: SessionLog[] }
  | { event: 'debug'; debug: DebugEvent };

export type FromEngine = EngineReply | EngineEvent;

/** Options the worker starts with (workerData). */
export interface EngineOptions {
  /** Run machine time as fast as the host can instead of at wall-clock speed (tests). */
  unpaced?: boolean;
  /** Do not schedule ticks: the caller calls tick() (tests with a fake clock). */
  manual?: boolean;
}
