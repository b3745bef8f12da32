/**
 * The scrubber's engine part (docs/recording.md#the-scrubber): a replay of a recorded app session
 * reports its span, checkpoints and inputs in the status; after a seek every console is sent whole
 * as it was at that moment (a `reset` batch) and consoleHistory agrees, the registers are the
 * ones of that moment, and the ownership map answers. The demo machine, paced by a fake clock.
 */
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MachineStatus, Ownership } from '../../shared/api.js';
import type { DebugRegisters } from '../../shared/debugApi.js';
import { ensureDisks } from '../host/disks.js';
import type { ConsoleBatch } from './consoles.js';
import { ManualCore } from './testing/manualCore.js';
import type { Recording } from './recordLog.js';
import { marksOf, type ReplayReport } from './replay.js';

let dir: string;
let resets: ConsoleBatch[] = [];
let cos = -1;
// A move's whole-console batches (reset) are kept apart; the rest is the live output.
const mc = new ManualCore(
  () => 25,
  (b, out) => (b.reset ? resets.push(b) : out.set(b.guest, (out.get(b.guest) ?? '') + b.data)),
);
const { core, out } = mc;
const until = (what: string, pred: () => boolean, maxTicks?: number) => mc.until(what, pred, maxTicks);
const settle = <T>(p: Promise<T>) => mc.settle(p);
const text = (g: number) => out.get(g) ?? '';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hd-scrub-'));
  const disk = join(dir, 'demo.img');
  copyFileSync(await ensureDisks(), disk);
  const st = (await core.call('boot', [{ disks: [disk] }])) as MachineStatus;
  expect(st.state).toBe('running');
  await until('cos at its prompt', () => {
    const g = core.status().guests.find((x) => x.name === 'cos');
    if (g) cos = g.id;
    return g !== undefined && text(g.id).includes('cos> ');
  });
}, 300_000);
afterAll(() => {
  core?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the scrubber over a replay', () => {
  let rec: Recording;
  let typedLater = 0;

  it('records help, then a command typed later', async () => {
    await core.call('recordStart', ['scrub1', join(dir, 'recordings'), { checkpointSeconds: 0.05 }]);
    let mark = text(cos).length;
    await core.call('consoleInput', [cos, 'help\r']);
    await until('help answered', () => text(cos).slice(mark).includes('cos> '));
    // Some machine time with nothing typed, so the later command is well after a checkpoint.
    const t0 = core.status().seconds;
    await until('0.2 s pass', () => core.status().seconds > t0 + 0.2);
    mark = text(cos).length;
    await core.call('consoleInput', [cos, 'xyzzy\r']);
    await until('xyzzy answered', () => text(cos).slice(mark).includes("unknown command 'xyzzy'"));
    await until('prompt back', () => text(cos).slice(mark).includes('cos> '));
    rec = (await core.call('recordStop', [])) as Recording;
    const keys = rec.log.filter((e) => e.k === 'in' && e.g === cos && e.b.includes(0x78)); // 'x'
    expect(keys.length).toBeGreaterThan(0);
    typedLater = keys[0]!.t / rec.timebase;
  }, 600_000);

  it('reports the span, checkpoints and inputs while verifying and once verified', async () => {
    const replaying = core.call('replay', [rec]) as Promise<ReplayReport>;
    const first = core.status().replay;
    expect(first).toMatchObject({ name: 'scrub1', verified: false });
    const report = await settle(replaying);
    expect(report.verified).toBe(true);
    const st = core.status().replay!;
    expect(st.verified).toBe(true);
    expect(st.startSeconds).toBeCloseTo(rec.start.cycles / rec.timebase, 9);
    expect(st.endSeconds).toBeGreaterThan(typedLater);
    expect(st.checkpoints.length).toBe(rec.log.filter((e) => e.k === 'cp').length);
    const typed = st.inputs.filter((i) => i.what.includes(`keys to guest ${cos}`));
    expect(typed.reduce((n, i) => n + i.count, 0)).toBe('help\r'.length + 'xyzzy\r'.length);
    expect(typed.some((i) => Math.abs(i.seconds - typedLater) < 1e-9)).toBe(true);
  }, 600_000);

  it('a seek shows every console as it was then, and the registers of that moment', async () => {
    const st = core.status().replay!;
    const end = (await core.call('seek', [st.endSeconds])) as { seconds: number };
    expect(end.seconds).toBeCloseTo(st.endSeconds, 6);
    const late = resets.find((b) => b.guest === cos)!;
    expect(late.data).toContain("unknown command 'xyzzy'");
    const regsLate = (await core.call('debugRegisters', [cos, 0])) as DebugRegisters;

    resets = [];
    const before = typedLater - 0.01;
    const pos = (await core.call('seek', [before])) as { seconds: number };
    expect(pos.seconds).toBeLessThanOrEqual(before);
    expect(pos.seconds).toBeGreaterThan(before - 0.001);
    // Every guest's console is sent whole, once, as it was there.
    const guests = core.status().guests.map((g) => g.id);
    expect(resets.map((b) => b.guest).sort()).toEqual([...guests].sort());
    const early = resets.find((b) => b.guest === cos)!;
    expect(early.data).not.toContain('xyzzy');
    expect(early.data).toContain('help'); // typed before: its echo and answer are there
    expect(early.data.endsWith('cos> ')).toBe(true);
    // The page that reloads gets the same console.
    expect(await core.call('consoleHistory', [cos])).toEqual({ data: early.data, end: early.end });
    const regsEarly = (await core.call('debugRegisters', [cos, 0])) as DebugRegisters;
    expect(regsEarly.regs.map((r) => r.value).join()).not.toBe(regsLate.regs.map((r) => r.value).join());
    const own = (await core.call('ownership', [])) as Ownership;
    expect(own.partitions.map((p) => p.id)).toContain(cos);

    // At the start: what the console showed when the recording started (its start snapshot's tail).
    resets = [];
    await core.call('seek', [st.startSeconds]);
    const start = resets.find((b) => b.guest === cos)!;
    expect(start.data).toContain('cos> ');
    expect(start.data).not.toContain('help\r\n');
    // And forward again: the same console as the first time there.
    resets = [];
    await core.call('seek', [st.endSeconds]);
    expect(resets.find((b) => b.guest === cos)!.data).toBe(late.data);
  }, 600_000);
});

describe('marksOf', () => {
  it('merges inputs and checkpoints into at most REPLAY_MARKS buckets, counting keys', () => {
    const log: Recording['log'] = [];
    for (let i = 0; i <= 1000; i++) log.push({ t: 1000 + i * 10, k: 'cp', n: i, hash: '', consoles: {}, net: [0, 0] });
    log.push({ t: 1005, k: 'in', g: 1, b: [104, 105] });
    log.push({ t: 1006, k: 'in', g: 1, b: [13] });
    log.push({ t: 1007, k: 'disk', d: 0, lba: 3, data: '' });
    log.push({ t: 9000, k: 'run', c: 5 });
    log.sort((a, b) => a.t - b.t);
    log.push({ t: 11_000, k: 'end', why: 'stopped' });
    const rec = { timebase: 1000, start: { cycles: 1000 }, log } as unknown as Recording;
    const m = marksOf(rec);
    expect(m.checkpoints.length).toBe(300);
    expect(m.checkpoints[0]).toBe(1);
    expect(m.inputs).toEqual([{ seconds: 1.005, what: 'keys to guest 1, disk 0 write', count: 4 }]);
  });
});
