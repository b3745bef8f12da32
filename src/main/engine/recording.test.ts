/**
 * Record, replay and reverse (docs/recording.md) through the engine as the app drives it: the demo
 * machine (ctl, cos, swos under the hypervisor), paced by a fake clock in uneven ticks, recorded
 * while keys are typed into cos, a program is deployed, and cos pings over the bridge; the replay
 * must reproduce every checkpoint's state hash and the consoles, and a changed log or disk must be
 * refused with where it differs.
 */
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeployResult, MachineStatus } from '../../shared/api.js';
import type { DebugRegisters } from '../../shared/debugApi.js';
import { ensureDisks } from '../host/disks.js';
import { ManualCore } from './testing/manualCore.js';
import type { Recording } from './recordLog.js';
import type { ReplayReport } from './replay.js';
import { subMarks, type ReplayPosition } from './reverse.js';

let dir: string;
let rec: Recording;
let cos = -1;
// Uneven pacing: the replay must not depend on it.
const mc = new ManualCore((k) => 20 + ((k * 7) % 31));
const { core, out } = mc;
const until = (what: string, pred: () => boolean, maxTicks?: number) => mc.until(what, pred, maxTicks);
const settle = <T>(p: Promise<T>) => mc.settle(p);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hd-record-'));
  const disk = join(dir, 'demo.img');
  copyFileSync(await ensureDisks(), disk);
  const st = (await core.call('boot', [{ disks: [disk] }])) as MachineStatus;
  expect(st.state).toBe('running');
  await until(
    'cos and swos at their prompts',
    () => core.status().guests.length >= 3 && [...out.values()].some((t) => t.includes('cos>')),
  );
  cos = core.status().guests.find((g) => g.name === 'cos')!.id;
  await until('cos prompt', () => (out.get(cos) ?? '').includes('cos> '));
}, 300_000);
afterAll(() => {
  core?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('record and replay of an app session', () => {
  it('records typing, a deploy and a ping, and the replay matches at every checkpoint', async () => {
    const started = (await core.call('recordStart', [
      'session1',
      join(dir, 'recordings'),
      { checkpointSeconds: 0.05 },
    ])) as {
      threads: boolean;
    };
    expect(started.threads).toBe(false);
    const mark = (out.get(cos) ?? '').length;
    await core.call('consoleInput', [cos, 'help\r']);
    await until('help answered', () => (out.get(cos) ?? '').slice(mark).includes('cos> '));
    const source = `.org 0x00400000\n.include "lib.inc"\n_start:\n la a0, msg\n call print\n li a0, 0\n call exit\nmsg: .asciz "recorded hello\\n"\n`;
    const m2 = (out.get(cos) ?? '').length;
    const d = await settle(core.call('deploy', [cos, 'rech.s', source]) as Promise<DeployResult>);
    expect(d.error).toBeUndefined();
    expect(d.rebooted).toBe(true);
    await until('cos back', () => (out.get(cos) ?? '').slice(m2).includes('cos> '));
    await core.call('consoleInput', [cos, 'run rech\r']);
    await until('program ran', () => (out.get(cos) ?? '').includes('recorded hello'));
    const m3 = (out.get(cos) ?? '').length;
    await core.call('consoleInput', [cos, 'ping 10.0.0.2\r']);
    await until('ping done', () => (out.get(cos) ?? '').slice(m3).includes('cos> '));
    rec = (await core.call('recordStop', [])) as Recording;
    const kinds = new Set(rec.log.map((e) => e.k));
    expect(kinds).toContain('in');
    expect(kinds).toContain('disk');
    // deploy's `stop` and `restart` went to ctl through its mailbox: logged as requests.
    expect(rec.log.filter((e) => e.k === 'ctl').map((e) => (e.k === 'ctl' ? e.text : ''))).toEqual([
      `stop ${cos}`,
      `restart ${cos}`,
    ]);
    expect(rec.log.filter((e) => e.k === 'cp').length).toBeGreaterThan(2);
    const liveCos = out.get(cos) ?? '';

    out.clear();
    const report = await settle(core.call('replay', [rec]) as Promise<ReplayReport>);
    expect(report.verified).toBe(true);
    expect(report.checkpoints).toBe(rec.log.filter((e) => e.k === 'cp').length);
    // The replay's cos printed what the live one printed after the recording started.
    expect(liveCos).toContain(out.get(cos)!.slice(-200));
    expect(out.get(cos)).toContain('recorded hello');
    // A replay is moved, not typed into.
    await expect(core.call('consoleInput', [cos, 'x'])).rejects.toThrow(/replay of recording 'session1'/);
  }, 600_000);

  it('reverse step lands exactly one instruction back, and seekTo is repeatable', async () => {
    const mid = (rec.log[rec.log.length - 1]!.t + rec.start.cycles) / 2 / 250e6;
    await core.call('seek', [mid]);
    const a = (await core.call('seekTo', [{ guest: cos, vcpu: 0, retired: 0 }]).catch((e: Error) => e)) as Error;
    expect(a.message).toMatch(/before the start of the recording/);
    const here = (await core.call('reverseStep', [cos, 0])) as ReplayPosition;
    const r = here.stop!.retired;
    const back = (await core.call('reverseStep', [cos, 0])) as ReplayPosition;
    expect(back.stop!.retired).toBe(r - 1);
    const again = (await core.call('seekTo', [
      { guest: cos, vcpu: 0, retired: r, pc: here.stop!.pc },
    ])) as ReplayPosition;
    expect(again.stop!.retired).toBe(r);
    expect(again.stop!.pc).toBe(here.stop!.pc);
    expect(again.seconds).toBe(here.seconds);
    // Reverse continue from the end: the last time cos's vCPU was about to run a program's first
    // instruction (cos loads every program at 0x00400000: the ping, after the deployed one).
    const end = rec.log[rec.log.length - 1]!.t / 250e6;
    await core.call('seek', [end]);
    const hit = (await core.call('reverseContinue', [cos, [0x00400000]])) as ReplayPosition;
    expect(hit.stop!.reason).toBe('breakpoint');
    // Exactly there, in user mode. A count alone can name several moments (a trap, an interrupt or
    // an emulated instruction keeps it), so the stop is found and reached by (count, pc)
    // (docs/recording.md#points).
    expect(hit.stop!.pc).toBe(0x00400000);
    const regs = (await core.call('debugRegisters', [cos, 0])) as DebugRegisters;
    expect(regs).toMatchObject({ pc: 0x00400000, mode: 'user' });
    expect(hit.seconds).toBeLessThan(end);
    // The same point again by its count and pc.
    const same = (await core.call('seekTo', [
      { guest: cos, vcpu: 0, retired: hit.stop!.retired, pc: 0x00400000 },
    ])) as ReplayPosition;
    expect(same).toEqual(hit.stop && { seconds: hit.seconds, stop: { ...hit.stop, reason: 'step' } });
    // A reverse step in user mode goes back over the kernel that started the program, to the last
    // user instruction before it (the program that ran before, or this one's earlier run).
    const before = (await core.call('reverseStep', [cos, 0])) as ReplayPosition;
    expect(before.stop!.seconds).toBeLessThan(hit.seconds);
    expect(((await core.call('debugRegisters', [cos, 0])) as DebugRegisters).mode).toBe('user');
    // And forward again, the mirror: the kernel runs through, the next user instruction is the hit.
    const fwd = (await core.call('forwardStep', [cos, 0])) as ReplayPosition;
    expect(fwd).toEqual({ seconds: hit.seconds, stop: { ...hit.stop!, reason: 'step' } });
  }, 600_000);

  it('a reverse step lands at the same place whether or not its pass took checkpoints of its own', async () => {
    // swos computes all the time (it polls its UART), so the instruction before any point is just
    // before it: from the middle of a window it is found after the pass's first checkpoints. cos
    // waits most of the time (its last instruction may lie before them): it checks the landing only.
    const swos = core.status().guests.find((g) => g.name === 'swos')!.id;
    const cps = rec.log.filter((e) => e.k === 'cp').map((e) => e.t);
    const land = async (guest: number, t: number, rounds: number) => {
      // Checkpoints every `rounds` rounds, never by wall time: the same points on every machine.
      Object.assign(subMarks, { ms: Infinity, rounds });
      await core.call('seek', [t]);
      const p = (await core.call('reverseStep', [guest, 0])) as ReplayPosition;
      return { p, regs: (await core.call('debugRegisters', [guest, 0])) as DebugRegisters };
    };
    try {
      for (const i of [1, Math.floor(cps.length / 2), cps.length - 2]) {
        const t = (cps[i]! + cps[i + 1]!) / 2 / 250e6;
        for (const guest of [swos, cos]) {
          const plain = await land(guest, t, Infinity);
          const { taken, used } = subMarks;
          const near = await land(guest, t, 100);
          expect(near).toEqual(plain);
          // The second pass took checkpoints, and none failed to reach what was found after it.
          expect(subMarks.taken).toBeGreaterThan(taken);
          expect(subMarks.missed).toBe(0);
          if (guest === swos) expect(subMarks.used).toBe(used + 1);
        }
      }
    } finally {
      Object.assign(subMarks, { ms: 150, rounds: Infinity });
    }
  }, 600_000);

  it('refuses a log that does not match, saying at which checkpoint', async () => {
    const bad: Recording = structuredClone(rec);
    const key = bad.log.find((e) => e.k === 'in' && e.g === cos);
    if (key?.k !== 'in') throw new Error('no key logged');
    key.b = key.b.map((b) => (b === 0x68 ? 0x78 : b)); // 'help' becomes 'xelp'
    await expect(settle(core.call('replay', [bad]) as Promise<ReplayReport>)).rejects.toThrow(
      /does not match the recording: checkpoint \d+ \(machine time [\d.]+ s\)/,
    );
  }, 600_000);

  it('refuses a start disk that is not the recorded one', async () => {
    const bad: Recording = structuredClone(rec);
    bad.start.diskHashes[0] = '0'.repeat(64);
    await expect(core.call('replay', [bad])).rejects.toThrow(/disk 0 .* is not the disk the recording started with/);
  }, 120_000);
});
