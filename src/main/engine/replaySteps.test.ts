/**
 * Step over and out in a replay, forward and back (replaySteps.ts, docs/recording.md#step-over-and-out):
 * a cos program with nested calls (_start calls outer twice, outer calls inner twice) is recorded
 * while it runs, with a watchpoint on the word it stores last; in the replay each move must land on
 * the pc and count that single steps reach (the handlers of interrupts that came in between are
 * stepped over by both), and reverse continue must find the watchpoint's hit.
 */
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeployResult, MachineStatus } from '../../shared/api.js';
import type { DebugRegisters, DebugState } from '../../shared/debugApi.js';
import { assemble } from '../asm/index.js';
import { ensureDisks } from '../host/disks.js';
import { programInclude } from './assembly.js';
import type { Recording } from './recordLog.js';
import type { ReplayReport } from './replay.js';
import type { ReplayPosition } from './reverse.js';
import { ManualCore } from './testing/manualCore.js';

const NEST_S = `.org 0x00400000
_start:
    li    s0, 0
c1: call  outer
back1: addi  s0, s0, 1
    call  outer
    la    t2, var
st: sw    s0, 0(t2)
    la    a0, msg
    call  print
    li    a0, 0
    call  exit
outer:
    addi  sp, sp, -16
    sw    ra, 12(sp)
    li    t0, 3
c3: call  inner
back3: addi  t0, t0, 1
    call  inner
    lw    ra, 12(sp)
    addi  sp, sp, 16
ro: ret
inner:
    addi  t1, t1, 1
    addi  t1, t1, 1
    ret
msg: .asciz "nested\\n"
.align 2
var: .word 0
.include "lib.inc"
`;

const built = assemble(NEST_S, { filename: 'nest.s', readFile: (n) => programInclude(n) });
const label = (name: string): number => {
  const row = built.symbolFile.split('\n').find((l) => l.split(' ')[1] === name);
  if (!row) throw new Error(`no label ${name}`);
  return parseInt(row.split(' ')[0]!, 16) >>> 0;
};

let dir: string;
let cos = -1;
let rec: Recording;
/** The replay's point at the call c1 (reverse continue's breakpoint hit). */
let c1: { pc: number; retired: number; reason: string };
const mc = new ManualCore(() => 20);
const { core, out } = mc;
const text = () => out.get(cos) ?? '';
const call = <T>(op: string, ...args: unknown[]) => core.call(op as never, args as never) as Promise<T>;

beforeAll(async () => {
  expect(built.ok).toBe(true);
  dir = mkdtempSync(join(tmpdir(), 'hd-replaysteps-'));
  const disk = join(dir, 'demo.img');
  copyFileSync(await ensureDisks(), disk);
  const st = await call<MachineStatus>('boot', { disks: [disk] });
  expect(st.state).toBe('running');
  await mc.until('cos at its prompt', () => {
    cos = core.status().guests.find((g) => g.name === 'cos')?.id ?? -1;
    return cos > 0 && text().includes('cos> ');
  });
  const mark = text().length;
  const d = await mc.settle(call<DeployResult>('deploy', cos, 'nest.s', NEST_S));
  expect(d.error).toBeUndefined();
  await mc.until('cos back after the deploy', () => text().slice(mark).includes('cos> '));
  await call('recordStart', 'steps', join(dir, 'recordings'), { checkpointSeconds: 0.05 });
  // A watchpoint on the word the program stores: the live run stops there and is continued.
  await call('debugSetWatchpoints', cos, [{ address: label('var'), length: 4, access: 'write', space: 'virtual' }]);
  const m2 = text().length;
  await call('consoleInput', cos, 'run nest\r');
  let stop: DebugState | undefined;
  await mc.until('the watchpoint hit', () => {
    void call<DebugState>('debugState', cos).then((s) => (stop = s));
    return stop?.paused === true;
  });
  expect(stop!.stop).toMatchObject({ reason: 'watchpoint', pc: label('st') });
  await call('debugContinue', cos);
  await mc.until('the program ran', () => text().slice(m2).includes('nested') && text().endsWith('cos> '));
  rec = await call<Recording>('recordStop');
  const report = await mc.settle(call<ReplayReport>('replay', rec));
  expect(report.verified).toBe(true);
}, 600_000);

afterAll(() => {
  core?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The replay to a point found before (seekTo by count and pc). */
const goTo = (p: { pc: number; retired: number }) =>
  call<ReplayPosition>('seekTo', { guest: cos, vcpu: 0, retired: p.retired, pc: p.pc });
const at = (p: ReplayPosition) => ({ pc: p.stop!.pc, retired: p.stop!.retired, reason: p.stop!.reason });

describe('step over and out in a replay', () => {
  it('reverse continue finds the watchpoint hit and the breakpoint', async () => {
    const end = rec.log[rec.log.length - 1]!.t / rec.timebase;
    await call('seek', end);
    const w = await call<ReplayPosition>('reverseContinue', cos, []);
    expect(at(w)).toMatchObject({ pc: label('st'), reason: 'watchpoint' });
    const b = await call<ReplayPosition>('reverseContinue', cos, [label('c1')]);
    expect(at(b)).toMatchObject({ pc: label('c1'), reason: 'breakpoint' });
    expect(b.stop!.retired).toBeLessThan(w.stop!.retired);
    c1 = at(b);
  }, 300_000);

  it('forward over, out and one instruction land where single steps do', async () => {
    await goTo(c1);
    // Single steps from the call: outer's 15 instructions (two calls of inner included), then r1.
    const walk: number[] = [];
    let p = c1;
    for (let i = 0; i < 16; i++) {
      p = at(await call<ReplayPosition>('forwardStep', cos, 0, 'instruction'));
      walk.push(p.pc);
    }
    expect(walk[0]).toBe(label('outer'));
    expect(walk[3]).toBe(label('c3'));
    expect(walk[4]).toBe(label('inner'));
    expect(walk[14]).toBe(label('ro'));
    expect(p.pc).toBe(label('back1'));
    const afterCall = p;
    // Over the call from c1: the same point in one move.
    await goTo(c1);
    expect(at(await call<ReplayPosition>('forwardStep', cos, 0, 'over'))).toEqual({ ...afterCall, reason: 'step' });
    // Over an instruction that calls nothing is one instruction.
    const next = at(await call<ReplayPosition>('forwardStep', cos, 0, 'over'));
    expect(next.pc).toBe(label('back1') + 4);
    // Into outer, then inner; out of inner lands after its call (r3), out of outer after c1 (r1).
    await goTo(c1);
    for (let i = 0; i < 5; i++) await call('forwardStep', cos, 0);
    const inInner = at(await call<ReplayPosition>('forwardStep', cos, 0, 'instruction'));
    expect(inInner.pc).toBe(label('inner') + 4);
    const out3 = at(await call<ReplayPosition>('forwardStep', cos, 0, 'out'));
    expect(out3.pc).toBe(label('back3'));
    const outOuter = at(await call<ReplayPosition>('forwardStep', cos, 0, 'out'));
    expect(outOuter).toEqual({ ...afterCall, reason: 'step' });
  }, 300_000);

  it('reverse over and out go back over whole calls, to the call that entered the function', async () => {
    await goTo(c1);
    const r1 = at(await call<ReplayPosition>('forwardStep', cos, 0, 'over'));
    // One instruction back from r1 is outer's ret; back over is the call that outer returned from.
    expect(at(await call<ReplayPosition>('reverseStep', cos, 0, 'instruction')).pc).toBe(label('ro'));
    await goTo(r1);
    expect(at(await call<ReplayPosition>('reverseStep', cos, 0, 'over'))).toEqual({ ...c1, reason: 'step' });
    // Back over a plain instruction is one instruction: from c1 to the li before it.
    expect(at(await call<ReplayPosition>('reverseStep', cos, 0, 'over')).pc).toBe(label('_start'));
    // Inside inner's second call from outer: out goes back to that call, then to c1.
    await goTo(c1);
    for (let i = 0; i < 10; i++) await call('forwardStep', cos, 0);
    const inInner2 = at(await call<ReplayPosition>('forwardStep', cos, 0));
    expect(inInner2.pc).toBe(label('inner') + 4);
    const call2 = at(await call<ReplayPosition>('reverseStep', cos, 0, 'out'));
    expect(call2.pc).toBe(label('back3') + 4);
    // From that call, back over goes to r3 (the instruction before it in outer), over inner's first call.
    const r3 = at(await call<ReplayPosition>('reverseStep', cos, 0, 'over'));
    expect(r3.pc).toBe(label('back3'));
    expect(at(await call<ReplayPosition>('reverseStep', cos, 0, 'over')).pc).toBe(label('c3'));
    // Out of outer: the call at c1, with its count.
    expect(at(await call<ReplayPosition>('reverseStep', cos, 0, 'out'))).toEqual({ ...c1, reason: 'step' });
    // Back over from outer's first instruction leaves the frame: the call at c1.
    const outer0 = at(await call<ReplayPosition>('forwardStep', cos, 0));
    expect(outer0.pc).toBe(label('outer'));
    expect(at(await call<ReplayPosition>('reverseStep', cos, 0, 'over'))).toEqual({ ...c1, reason: 'step' });
  }, 300_000);

  it('breakpoints and watchpoints set on the replay are set aside: shown and used by reverse continue, never stopping a move', async () => {
    await goTo(c1);
    const afterCall = at(await call<ReplayPosition>('forwardStep', cos, 0, 'over'));
    // A breakpoint inside the call and a watchpoint on the word the program stores, set on the replay.
    const bps = await call<{ verified: boolean; resolved?: number }[]>('debugSetBreakpoints', cos, [
      { address: label('inner') },
    ]);
    expect(bps).toMatchObject([{ verified: true, resolved: label('inner') }]);
    await call('debugSetWatchpoints', cos, [{ address: label('var'), length: 4, access: 'write', space: 'virtual' }]);
    await call('debugSetTrapBreaks', cos, ['syscall']);
    const shown = await call<DebugState>('debugState', cos);
    expect(shown.breakpoints.map((b) => b.resolved)).toEqual([label('inner')]);
    expect(shown.trapBreaks).toEqual(['SYSCALL']);
    // Over the call from c1 still lands after it: the breakpoint in inner did not stop the replay.
    await goTo(c1);
    expect(at(await call<ReplayPosition>('forwardStep', cos, 0, 'over'))).toEqual({ ...afterCall, reason: 'step' });
    // Reverse continue from the end uses the set-aside watchpoint; a restored checkpoint kept them all.
    await call('seek', rec.log[rec.log.length - 1]!.t / rec.timebase);
    expect(at(await call<ReplayPosition>('reverseContinue', cos, [label('inner')]))).toMatchObject({
      pc: label('st'),
      reason: 'watchpoint',
    });
    expect((await call<DebugState>('debugState', cos)).breakpoints.map((b) => b.resolved)).toEqual([label('inner')]);
    // Cleared, the recorded watchpoint is back in the view and reverse continue finds the breakpoint.
    await call('debugSetWatchpoints', cos, []);
    await call('debugSetBreakpoints', cos, []);
    await call('debugSetTrapBreaks', cos, []);
    expect(at(await call<ReplayPosition>('reverseContinue', cos, [label('inner')]))).toMatchObject({
      pc: label('inner'),
      reason: 'breakpoint',
    });
  }, 300_000);

  it("stops at the recording's ends with replay-start and replay-end", async () => {
    await call('seek', rec.log[rec.log.length - 1]!.t / rec.timebase);
    expect(at(await call<ReplayPosition>('forwardStep', cos, 0, 'over')).reason).toBe('replay-end');
    await call('seek', rec.start.cycles / rec.timebase);
    expect(at(await call<ReplayPosition>('reverseStep', cos, 0, 'over')).reason).toBe('replay-start');
    expect(at(await call<ReplayPosition>('reverseStep', cos, 0, 'out')).reason).toBe('replay-start');
    // The debugger's own run control would run the replay off its log: refused, saying what moves it.
    for (const op of ['debugStep', 'debugContinue', 'debugPause'])
      await expect(call(op, cos, 0, 'over')).rejects.toThrow(/replay of recording 'steps'.*forwardStep, reverseStep/);
    // So would a write to its registers or memory: refused, and the register is as it was.
    const before = await call<DebugRegisters>('debugRegisters', cos, 0);
    await expect(call('debugSetRegister', cos, 0, 's0', 12345)).rejects.toThrow(/replay of recording 'steps'/);
    await expect(call('debugWriteMemory', cos, 'virtual', label('var'), '01020304')).rejects.toThrow(
      /replay of recording 'steps'/,
    );
    expect(await call<DebugRegisters>('debugRegisters', cos, 0)).toEqual(before);
  }, 300_000);
});
