/**
 * Pacing: the engine runs machine time at wall-clock speed, and when the host falls far behind it
 * forgives the debt instead of racing to catch up (a clock that ran away once: the debt grew each
 * tick). A fake clock drives the loop; the machine is the demo on a temporary copy of the disk.
 */
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDisks } from '../host/disks.js';
import { EngineCore } from './EngineCore.js';
import { MAX_TYPED } from './Session.js';
import type { EngineEvent } from './protocol.js';

describe('EngineCore pacing', () => {
  let dir: string;
  let now = 0;
  const events: EngineEvent[] = [];
  let core: EngineCore;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'hyperdesk-core-'));
    const disk = path.join(dir, 'demo.img');
    await copyFile(await ensureDisks(), disk);
    core = new EngineCore(
      (e) => events.push(e),
      { manual: true },
      () => now,
    );
    const st = (await core.call('boot', [{ disks: [disk] }])) as { state: string };
    expect(st.state).toBe('running');
  }, 60_000);
  afterAll(async () => {
    core.close();
    await rm(dir, { recursive: true, force: true });
  });

  const seconds = () => core.status().seconds;

  it('runs machine time at wall-clock speed', () => {
    const start = seconds();
    for (let i = 0; i < 100; i++) {
      now += 10;
      core.tick();
    }
    // One wall second later the machine is one second on, less at most one 1 ms slice.
    expect(seconds() - start).toBeGreaterThan(0.998);
    expect(seconds() - start).toBeLessThanOrEqual(1.0000001);
    expect(events.some((e) => e.event === 'console')).toBe(true);
  });

  it('forgives a debt it cannot pay instead of racing after it', () => {
    const start = seconds();
    now += 60_000; // the host was asleep for a minute
    core.tick();
    expect(seconds() - start).toBeLessThanOrEqual(0.1 + 0.001);
    now += 10;
    core.tick();
    expect(seconds() - start).toBeLessThanOrEqual(0.11 + 0.001);
  });

  it('bounds the keys waiting for a guest and tells the typist (docs/security.md#floods)', async () => {
    // No tick runs in between, as for a stopped guest: nothing reads the keys.
    const chunk = 'x'.repeat(MAX_TYPED / 2);
    await core.call('consoleInput', [2, chunk]);
    await expect(core.call('consoleInput', [2, chunk + chunk])).rejects.toThrow(
      /is not reading its console: \d+ typed bytes wait already \(at most 65536\); these 65536 were not typed/,
    );
    // What fits still goes in.
    await core.call('consoleInput', [2, 'y'.repeat(1000)]);
  });
});
