/**
 * Snapshots through the host API (docs/snapshots.md): save, list, restore and remove against a
 * machine the engine worker runs, with the metadata in the store and the files in the data folder.
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHost } from '../../src/main/host/host.js';
import { startHost, type TestHost } from './hostHarness.js';

describe('snapshots through the host', () => {
  let t: TestHost;
  beforeAll(async () => {
    t = await startHost('hyperdesk-snap-');
  }, 120_000);
  afterAll(async () => t?.close());

  it('saves, lists, restores and removes, keeping the metadata in the store', async () => {
    const { host, disk, dir } = t;
    const status = await host.boot({ mode: 'dualboot', boot: 'cos', cpus: 1, memMiB: 16, disks: [disk] });
    expect(status.error).toBeUndefined();
    await t.until(0, /cos> $/);
    const a = await host.snapshotSave('at-prompt');
    expect(a).toMatchObject({
      name: 'at-prompt',
      machine: 'dual boot cos',
      mode: 'dualboot',
      parent: null,
      file: path.join(dir, 'snapshots', 'at-prompt.hdsnap'),
      disks: [disk],
    });
    expect(a.bytes).toBeGreaterThan(100);
    await expect(host.snapshotSave('at-prompt')).rejects.toThrow(/exists already/);

    await host.consoleInput(0, 'hello\r');
    await t.until(0, /Hello from user mode![\s\S]*cos> $/);
    const b = await host.snapshotSave('after-hello');
    expect(b.parent).toBe('at-prompt');
    expect(b.seconds).toBeGreaterThan(a.seconds);
    // Each snapshot records the end of every console (docs/snapshots.md#consoles).
    expect(a.consoles?.map((c) => c.name)).toEqual(['cos']);
    expect(a.consoles?.[0]?.tail).toMatch(/cos> $/);
    expect(a.consoles?.[0]?.tail).not.toMatch(/Hello from user mode/);
    expect(b.consoles?.[0]?.tail).toMatch(/Hello from user mode![\s\S]*cos> $/);

    const mark = t.out.get(0)!.length;
    const restored = await host.snapshotRestore('at-prompt');
    expect(restored.state).toBe('running');
    expect(restored.seconds).toBeGreaterThanOrEqual(a.seconds);
    expect(restored.seconds).toBeLessThan(b.seconds);
    // The console gets its text back as it was then, under a line that says so.
    await t.until(0, /restored snapshot 'at-prompt'/);
    const back = t.out.get(0)!.slice(mark);
    expect(back).toContain(`cos's console as it was`);
    expect(back.slice(back.indexOf('as it was'))).not.toMatch(/Hello from user mode/);
    // The restored machine answers at its prompt as it did then.
    const before = t.out.get(0)!.length;
    await host.consoleInput(0, 'hello\r');
    const t0 = Date.now();
    while (!/Hello from user mode![\s\S]*cos> $/.test(t.out.get(0)!.slice(before))) {
      if (Date.now() - t0 > 60_000) throw new Error(`no answer after the restore: ${t.out.get(0)!.slice(before)}`);
      await new Promise((r) => setTimeout(r, 20));
    }

    expect((await host.snapshotList()).map((s) => [s.name, s.parent, s.current])).toEqual([
      ['at-prompt', null, true],
      ['after-hello', 'at-prompt', false],
    ]);
    expect((await host.snapshotList())[1]!.consoles?.[0]?.tail).toMatch(/Hello from user mode/);
    await expect(host.snapshotRestore('nosuch')).rejects.toThrow(/no snapshot named 'nosuch'/);

    await host.snapshotRemove('after-hello');
    expect(existsSync(b.file)).toBe(false);
    expect(existsSync(b.file.replace(/\.hdsnap$/, '.consoles.json'))).toBe(false);
    expect((await host.snapshotList()).map((s) => s.name)).toEqual(['at-prompt']);
    const events = await host.events(20);
    expect(events.map((e) => e.kind)).toEqual(
      expect.arrayContaining(['snapshot-saved', 'snapshot-restored', 'snapshot-removed']),
    );
    // The store outlives the host: a new one lists the same snapshot.
    await host.powerOff();
    const again = createHost('web', { dataDir: dir });
    expect((await again.snapshotList()).map((s) => s.name)).toEqual(['at-prompt']);
    await again.close();
    // Only overlays something needs are left: the frozen base is the image, the working one goes
    // with nothing else.
    expect(readdirSync(path.join(dir, 'snapshots')).filter((n) => n.endsWith('.hdsnap'))).toEqual(['at-prompt.hdsnap']);
  }, 180_000);

  it('refuses a bad name at the API boundary', async () => {
    await expect(t.host.snapshotSave('../escape')).rejects.toThrow();
  });
});
