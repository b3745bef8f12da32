/**
 * Record and replay in dual boot (docs/recording.md): the firmware's menu counts whole runs, so the
 * runs outside the OS are logged and replayed as they were. cos boots from the menu's countdown
 * (no selection), is typed into, and the replay must match every checkpoint.
 */
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { ensureDisks } from '../host/disks.js';
import { Recorder } from './recorder.js';
import { Replay } from './replay.js';
import { seek } from './reverse.js';
import { Session } from './Session.js';

const dir = mkdtempSync(join(tmpdir(), 'hd-record-db-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('records the menu, a boot and typing in dual boot, and the replay matches', async () => {
  const disk = join(dir, 'd.img');
  copyFileSync(await ensureDisks(), disk);
  const s = await Session.boot({ mode: 'dualboot', cpus: 1, memMiB: 16, disks: [disk], boot: 'nothing' });
  if (typeof s === 'string') throw new Error(s);
  try {
    const r = Recorder.start(s, 'db', join(dir, 'rec'), { checkpointSeconds: 0.5 });
    if (typeof r === 'string') throw new Error(r);
    s.recorder = r;
    // Uneven runs through the menu's countdown and cos's boot.
    for (let k = 0; k < 40_000 && !s.consoles.partialLine(0).endsWith('cos> '); k++) {
      s.run(250_000 + ((k * 7919) % 100_000));
      s.drain();
    }
    expect(s.consoles.partialLine(0)).toMatch(/cos> $/);
    s.type(0, 'help\r');
    for (let k = 0; k < 400; k++) s.run(300_001);
    const rec = r.stop('test');
    expect(rec.log.some((e) => e.k === 'run')).toBe(true);
    expect(rec.log.some((e) => e.k === 'in')).toBe(true);

    const rp = Replay.open(rec);
    if (typeof rp === 'string') throw new Error(rp);
    try {
      while (!rp.work(1000));
      const report = rp.report();
      expect(report.verified).toBe(true);
      expect(report.checkpoints).toBe(rec.log.filter((e) => e.k === 'cp').length);
      expect(report.consoleBytes['0']).toBeGreaterThan(100);
      // Back to the middle and forward again: the same state at the end.
      const endHash = rec.log.filter((e) => e.k === 'cp').at(-1)!;
      seek(rp, (rec.start.cycles + (endHash.t - rec.start.cycles) / 2) / 250e6);
      seek(rp, endHash.t / 250e6);
      expect(rp.cycles).toBe(endHash.t);
    } finally {
      rp.close();
    }
  } finally {
    s.close();
  }
}, 600_000);
