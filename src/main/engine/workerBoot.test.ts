/**
 * A worker started from the sources leaves no zombie behind (issue 13): tsx's esbuild service, a
 * child process of the worker's module-hooks thread, is stopped and reaped before the worker ends
 * (worker-boot.mjs, esbuild-reaper.mjs). tsx's cache is off so that the worker must compile.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { workerUrl } from './Engine.js';

/** This process's children that have exited but were never reaped (state Z), from /proc. */
function zombies(): string[] {
  const out: string[] = [];
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      continue; // gone meanwhile
    }
    // pid (comm) state ppid ...: comm may hold spaces, so split after its closing parenthesis.
    const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (state === 'Z' && Number(ppid) === process.pid) out.push(stat.slice(0, stat.lastIndexOf(')') + 1));
  }
  return out;
}

describe('worker-boot', () => {
  it('reaps the esbuild service of a comparison worker before it ends', async () => {
    const before = zombies().length;
    for (let i = 0; i < 2; i++) {
      const w = new Worker(workerUrl('compare'), {
        workerData: { entry: 'compare', choice: { workload: 'no such workload' }, disks: [] },
        env: { ...process.env, TSX_DISABLE_CACHE: '1' },
      });
      const message = new Promise<unknown>((resolve) => w.once('message', resolve));
      await new Promise((resolve) => w.once('exit', resolve));
      expect(await message).toEqual({ error: expect.stringMatching(/no workload named/) });
    }
    await new Promise((resolve) => setTimeout(resolve, 300)); // a child killed late would show by now
    expect(zombies().slice(before)).toEqual([]);
  }, 120_000);
});
