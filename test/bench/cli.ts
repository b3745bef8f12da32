/**
 * `{"bench":"cli-start",...}`: how long the `hyperdesk` command takes from the shell to its end
 * (docs/performance.md#the-cli-starts-from-a-build-docsarchitecturemdthe-command-line-tool-issue-17):
 * `--help`, and `run` of a program that exits at its third instruction, against `node -e 0` in the
 * same run (the share that is Node's own start). Medians of several spawns; wall time follows the
 * machine's load, so the figures over Node's own start matter more than the totals.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const bin = join(root, 'bin/hyperdesk.js');

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

/** Median wall milliseconds of `node ARGS`, after one warm-up (which also builds the CLI). */
function time(args: string[], runs: number): number {
  spawnSync(process.execPath, args, { cwd: root });
  const wall: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8' });
    wall.push(performance.now() - t0);
    if (r.status !== 0) throw new Error(`node ${args.join(' ')}: exit ${String(r.status)}: ${r.stderr}`);
  }
  return Math.round(median(wall));
}

export function cliBenches(filter: string | undefined): Record<string, unknown>[] {
  if (filter && !filter.split(',').some((f) => 'cli-start'.includes(f))) return [];
  const dir = mkdtempSync(join(tmpdir(), 'hd-bench-cli-'));
  try {
    const triv = join(dir, 'triv.s');
    writeFileSync(triv, '_start:\n  li t0, 0xF0001000\n  sw zero, 0(t0)\n');
    const runs = 15;
    const node = time(['-e', '0'], runs);
    const help = time([bin, '--help'], runs);
    const run = time([bin, 'run', triv], runs);
    return [
      {
        bench: 'cli-start',
        helpMs: help,
        runMs: run,
        nodeMs: node,
        helpOverNodeMs: help - node,
        runOverNodeMs: run - node,
        runs,
      },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
