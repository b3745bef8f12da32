/**
 * Record and replay through the host API (docs/recording.md), as the app and `hyperdesk` call it:
 * the demo machine on the engine worker, a recording kept in the store, listed, replayed and moved.
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureDisks } from './disks.js';
import { createHost } from './host.js';

const dir = mkdtempSync(join(tmpdir(), 'hd-host-rec-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function waitFor(what: string, f: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (await f()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`never: ${what}`);
}

describe('recordings through the host API', () => {
  it('records, keeps the log in the store, lists, replays and reverse-steps', async () => {
    // The host boots disks from its data folder (or disks/) only.
    mkdirSync(join(dir, 'data'), { recursive: true });
    const disk = join(dir, 'data', 'demo.img');
    copyFileSync(await ensureDisks(), disk);
    const host = createHost('web', { dataDir: join(dir, 'data'), unpaced: true });
    try {
      await host.boot({ disks: [disk] });
      let cos = -1;
      await waitFor('cos at its prompt', async () => {
        cos = (await host.status()).guests.find((g) => g.name === 'cos')?.id ?? -1;
        return cos > 0 && (await host.consoleHistory(cos)).data.includes('cos> ');
      });
      const started = await host.recordStart('h1');
      expect(started.threads).toBe(false);
      await expect(host.recordStart('h2')).rejects.toThrow(/recording 'h1' is running already/);
      const before = (await host.consoleHistory(cos)).end;
      await host.consoleInput(cos, 'help\r');
      await waitFor('help answered', async () => {
        const h = await host.consoleHistory(cos);
        return h.end > before && h.data.endsWith('cos> ');
      });
      await waitFor('a checkpoint or two', async () => (await host.status()).seconds > started.seconds + 2.2);
      const summary = await host.recordStop();
      expect(summary.name).toBe('h1');
      expect(summary.inputs).toBeGreaterThanOrEqual(1);
      expect(summary.checkpoints).toBeGreaterThanOrEqual(2);
      expect((await host.recordings()).map((r) => r.name)).toEqual(['h1']);

      const report = await host.replay('h1');
      expect(report.verified).toBe(true);
      expect(report.checkpoints).toBe(summary.checkpoints);
      expect(report.consoleBytes[cos]).toBeGreaterThan(0);
      const pos = await host.seek(summary.startSeconds + summary.seconds / 2);
      expect(pos.seconds).toBeCloseTo(summary.startSeconds + summary.seconds / 2, 3);
      // Reverse steps from the end, on cos's vCPU, which answered 'help' inside the recording. (ctl
      // may retire nothing in the whole recording, as the timing of the run decides: its reverse
      // step then stands at the recording's start, which is right but proves nothing here.)
      await host.seek(summary.startSeconds + summary.seconds);
      const a = await host.reverseStep(cos, 0);
      const b = await host.reverseStep(cos, 0);
      expect([a.stop!.reason, b.stop!.reason]).toEqual(['step', 'step']);
      expect(b.stop!.retired).toBe(a.stop!.retired - 1);
      expect(b.seconds).toBeLessThanOrEqual(a.seconds);
      await expect(host.consoleInput(cos, 'x')).rejects.toThrow(/replay of recording 'h1'/);
      await expect(host.replay('nope')).rejects.toThrow(/no recording named 'nope'/);
    } finally {
      await host.close();
    }
  }, 600_000);
});
