/**
 * The engine worker as the built app starts it (main/worker.js of an electron-vite build, no tsx):
 * it boots the demo from the default disk and shows cos's prompt. The host picks the default disk
 * and passes its path (the engine only opens the files it is given: docs/architecture.md#power-on).
 */
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT, runElectronViteBuild } from '../../src/main/web/build.js';
import { ensureDisks } from '../../src/main/host/disks.js';
import type { FromEngine } from '../../src/main/engine/protocol.js';

describe('the built engine worker', () => {
  it('boots the demo without tsx', async () => {
    const disk = await ensureDisks();
    // A build of its own (out/ may be in use by the e2e tests running beside this one).
    const outDir = path.join(PROJECT_ROOT, 'test-results', 'built-app');
    await runElectronViteBuild(outDir);
    const w = new Worker(path.join(outDir, 'main', 'worker.js'), { workerData: { unpaced: true } });
    try {
      let cos = '';
      const prompt = new Promise<void>((resolve) =>
        w.on('message', (m: FromEngine) => {
          if ('event' in m && m.event === 'console') for (const b of m.batches) if (b.guest === 1) cos += b.data;
          if (/cos> $/.test(cos)) resolve();
        }),
      );
      const reply = new Promise<FromEngine>((resolve) =>
        w.on('message', (m: FromEngine) => {
          if ('id' in m && m.id === 1) resolve(m);
        }),
      );
      w.postMessage({ id: 1, op: 'boot', args: [{ disks: [disk] }] });
      expect(await reply).toMatchObject({ ok: true, value: { state: 'running' } });
      await prompt;
      expect(cos).toMatch(/booted from disk0 partition 1/);
    } finally {
      await w.terminate();
    }
  }, 180_000);
});
