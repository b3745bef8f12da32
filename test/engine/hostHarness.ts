/**
 * The engine tests' host: web mode (as the app's browser window and the Electron shell use it) on a
 * temporary copy of the demo disk, unpaced, with every guest's console collected as it comes.
 */
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { HostEvent, HostService } from '../../src/shared/api.js';
import { createHost } from '../../src/main/host/host.js';
import { ensureDisks } from '../../src/main/host/disks.js';

export interface TestHost {
  host: HostService;
  /** The temporary folder (data dir) and the disk image in it. */
  dir: string;
  disk: string;
  /** Each guest's console output so far, by guest id. */
  out: Map<number, string>;
  /** Waits (wall time, generous for a loaded CI machine) until guest `g`'s console matches. */
  until(g: number, re: RegExp, ms?: number): Promise<string>;
  close(): Promise<void>;
}

export async function startHost(prefix: string, onEvent?: (e: HostEvent) => void): Promise<TestHost> {
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  const disk = path.join(dir, 'demo.img');
  await copyFile(await ensureDisks(), disk);
  const host = createHost('web', { dataDir: dir, unpaced: true });
  const out = new Map<number, string>();
  host.subscribe((e) => {
    onEvent?.(e);
    if (e.type === 'console') out.set(e.guest, (out.get(e.guest) ?? '') + e.data);
  });
  return {
    host,
    dir,
    disk,
    out,
    async until(g, re, ms = 60_000) {
      const t0 = Date.now();
      while (!re.test(out.get(g) ?? '')) {
        if (Date.now() - t0 > ms) throw new Error(`guest ${g} never showed ${re}; it showed:\n${out.get(g)}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      return out.get(g)!;
    },
    async close() {
      await host.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
