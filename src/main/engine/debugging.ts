/**
 * The engine's side of the debugger (docs/debugger.md#host-api): the session's Debugger answers
 * the DebugApi calls; a step waits (boundedly) for its stop so the caller sees where it ended.
 */
import type { DebugState } from '../../shared/debugApi.js';
import type { AsmResult } from '../asm/index.js';
import type { ProgramInfo } from '../emulator/debug/program.js';
import type { EngineCalls } from './protocol.js';
import { HOST_ACTIONS } from './hostActions.js';
import type { Session } from './Session.js';

/** Machine time a step may take before the call returns without its stop (the event follows). */
const STEP_CHUNK = 10_000;
const STEP_MAX_CYCLES = 50_000_000;
const STEP_MAX_MS = 1500;

/** A deployed program's debugging information from the assembler's output. */
export function programInfo(file: string, r: Pick<AsmResult, 'entry' | 'symbolFile' | 'lineMap'>): ProgramInfo {
  const labels: ProgramInfo['labels'] = [];
  for (const line of r.symbolFile.split('\n')) {
    const [addr, name, kind] = line.split(' ');
    if (name && (kind === 'label' || kind === 'global')) labels.push({ name, address: parseInt(addr!, 16) >>> 0 });
  }
  return { file, entry: r.entry >>> 0, lines: r.lineMap, labels };
}

export type DebugOp = Exclude<Extract<keyof EngineCalls, `debug${string}`>, 'debugDeploy'>;

/**
 * The calls that change what the machine does next (docs/recording.md#what-comes-from-outside): a
 * recording logs them as host actions at the machine time they came, and a replay applies them
 * there, so a guest paused at a breakpoint while recording is paused at the same point when replayed.
 */
const RECORDED: ReadonlySet<DebugOp> = new Set<DebugOp>([
  'debugPause',
  'debugContinue',
  'debugStep',
  'debugRunTo',
  'debugSetRegister',
  'debugWriteMemory',
  'debugSetBreakpoints',
  'debugSetWatchpoints',
  'debugSetTrapBreaks',
]);

for (const op of RECORDED)
  HOST_ACTIONS.set(op, (s, args) => {
    try {
      // A step's own runs are in the log as machine time: the replay runs them, the step only starts.
      if (op === 'debugStep') s.debug.step(args[0] as number, args[1] as number, args[2] as never);
      else apply(s, op, args as never[]);
      return undefined;
    } catch (e) {
      return (e as Error).message;
    }
  });

// What debugDeploy tells the debugger (Session.deploy logs it): the program's line map and labels.
HOST_ACTIONS.set('debugProgram', (s, args) => {
  const [guest, info, entry] = args as [number, ProgramInfo, number | null];
  s.debug.setProgram(guest, info);
  if (entry !== null) s.debug.armEntry(guest, entry);
  return undefined;
});

/** Answers one debugger call on a session (throws Errors with the message for the user). */
export function debugCall(s: Session, op: DebugOp, a: never[], clock: () => number): unknown {
  if (s.parallel)
    throw new Error('the debugger needs the machine on one thread: boot it without threads (config.threads off)');
  if (RECORDED.has(op) && s.recorder && !s.recorder.stopped) s.recorder.host(op, a);
  if (op === 'debugStep') {
    s.debug.step(a[0], a[1], a[2]);
    return runUntilStopped(s, a[0], clock);
  }
  return apply(s, op, a);
}

function apply(s: Session, op: DebugOp, a: never[]): unknown {
  const d = s.debug;
  switch (op) {
    case 'debugState':
      return d.state(a[0]);
    case 'debugPause':
      return d.pause(a[0]);
    case 'debugContinue':
      return d.resume(a[0]);
    case 'debugStep':
      return d.step(a[0], a[1], a[2]);
    case 'debugRunTo':
      return d.runTo(a[0], a[1]);
    case 'debugRegisters':
      return d.registers(a[0], a[1]);
    case 'debugSetRegister':
      return d.setRegister(a[0], a[1], a[2], a[3]);
    case 'debugReadMemory':
      return d.readMemory(a[0], a[1], a[2], a[3]);
    case 'debugWriteMemory':
      return d.writeMemory(a[0], a[1], a[2], a[3]);
    case 'debugDisassemble':
      return d.disassemble(a[0], a[1], a[2], a[3]);
    case 'debugStack':
      return d.stack(a[0], a[1]);
    case 'debugSetBreakpoints':
      return d.setBreakpoints(a[0], a[1]);
    case 'debugSetWatchpoints':
      return d.setWatchpoints(a[0], a[1]);
    case 'debugSetTrapBreaks':
      return d.setTrapBreaks(a[0], a[1]);
  }
}

/**
 * Run the machine until the guest stops again (a step is usually a few instructions away), up to a
 * bound: then the call returns the guest running, and the stop comes later as a `debug` event.
 */
function runUntilStopped(s: Session, guest: number, clock: () => number): DebugState {
  const t0 = clock();
  for (let spent = 0; spent < STEP_MAX_CYCLES && clock() - t0 < STEP_MAX_MS; spent += STEP_CHUNK) {
    if (s.debug.state(guest).paused) break;
    if (!s.run(STEP_CHUNK)) break;
  }
  return s.debug.state(guest);
}
