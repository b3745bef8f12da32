/**
 * `npm run fuzz -- crash --runs N [--seed S]` (docs/security.md#crash-safety): kill -9 a process
 * writing to both file systems of a copy of the demo disk at a random moment, N times. After each
 * kill: every write the child acknowledged is there (the one in flight may be old or new), every
 * file it did not touch is unchanged, and after `fsck --repair` (repairDisk, as the CLI runs it)
 * every partition opens with no warnings and takes a write. One JSON line per failure (at most
 * `report`), then a summary: runs, acknowledged writes, lost, partitions refused, seed.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DiskChain, DiskError, DiskImage, repairDisk, type FileSystem } from '../../src/main/host/tools.js';
import { CRASH_FILES, fileBytes } from './crashFiles.js';
import { Rng } from './rng.js';

export interface CrashOptions {
  runs: number;
  seed: number;
  /** The image to copy (default: the built demo disk). */
  image: string;
  /** The kill comes 5..maxDelayMs ms after the child is ready (default 1500). */
  maxDelayMs?: number;
  log?: (line: string) => void;
  /** Failure lines printed (default 20). */
  report?: number;
}

export interface CrashResult {
  fuzz: 'crash';
  runs: number;
  /** Acknowledged writes (and removals) over all runs. */
  inputs: number;
  /** Acknowledged writes missing or wrong after the kill, or after the repair; files not touched that changed. */
  lost: number;
  /** Partitions a host tool refused after the kill (before any repair). */
  refusedBeforeRepair: number;
  /** Partitions still refused, warned about or unwritable after fsck --repair. */
  refused: number;
  /** Runs whose disk fsck found problems after the kill (all of them repaired, unless `refused`). */
  damagedRuns: number;
  /** Blocks fsck --repair changed, over all runs. */
  repairedBlocks: number;
  /** Runs whose child failed by itself (an error, not the kill). */
  exceptions: number;
  failures: number;
  seed: number;
  ms: number;
}

type State = { len: number; tag: number } | null;
const CHILD = fileURLToPath(new URL('./crashChild.ts', import.meta.url));
const PARTS = CRASH_FILES.map((f) => f.part);
const ours = new Set(CRASH_FILES.flatMap((f) => f.names.map((n) => `${f.part}:${n}`)));

/** Every file of each file system partition, by "part:NAME" (the baseline of files the child never touches). */
function snapshotFiles(path: string): Map<string, Uint8Array> {
  const out = new Map<string, Uint8Array>();
  withDisk(path, true, (disk) => {
    for (const part of PARTS) {
      const fs = disk.fileSystem(part);
      if (fs instanceof DiskError) throw fs;
      for (const f of fs.list()) {
        const data = fs.read(f.name);
        if (!(data instanceof DiskError) && !ours.has(`${part}:${f.name}`)) out.set(`${part}:${f.name}`, data);
      }
    }
  });
  return out;
}

function withDisk<T>(path: string, readOnly: boolean, fn: (disk: DiskImage, backend: DiskChain) => T): T {
  const backend = DiskChain.open(path, { readOnly });
  if (backend instanceof Error) throw backend;
  try {
    const disk = DiskImage.open(backend);
    if (disk instanceof DiskError) throw disk;
    return fn(disk, backend);
  } finally {
    backend.close();
  }
}

/** Start the child, kill -9 it `delay` ms after it is ready; its stdout lines and how it ended. */
function runChild(
  image: string,
  seed: number,
  sync: boolean,
  dieAt: number,
  delay: number,
): Promise<{ lines: string[]; killed: boolean; err: string }> {
  return new Promise((done) => {
    const args = ['--import', 'tsx', CHILD, image, String(seed), sync ? '1' : '0', String(dieAt)];
    const child = spawn(process.execPath, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    let timer: NodeJS.Timeout | undefined;
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString();
      if (!timer && out.startsWith('ready\n')) timer = setTimeout(() => child.kill('SIGKILL'), delay);
    });
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    child.on('close', (_code, signal) => {
      clearTimeout(timer);
      done({ lines: out.split('\n').filter(Boolean), killed: signal === 'SIGKILL', err });
    });
  });
}

export async function runCrashCampaign(opts: CrashOptions): Promise<CrashResult> {
  const started = Date.now();
  const r: CrashResult = {
    fuzz: 'crash',
    runs: 0,
    inputs: 0,
    lost: 0,
    refusedBeforeRepair: 0,
    refused: 0,
    damagedRuns: 0,
    repairedBlocks: 0,
    exceptions: 0,
    failures: 0,
    seed: opts.seed,
    ms: 0,
  };
  const tmp = mkdtempSync(join(tmpdir(), 'hyperdesk-crash-'));
  const baseline = snapshotFiles(opts.image);
  const failure = (run: number, what: string, detail: string) => {
    r.failures++;
    if (r.failures <= (opts.report ?? 20)) opts.log?.(JSON.stringify({ failure: what, detail, run, seed: opts.seed }));
  };
  try {
    for (let run = 0; run < opts.runs; run++) {
      const rng = new Rng(opts.seed).fork(run);
      const img = join(tmp, 'disk.img');
      copyFileSync(opts.image, img);
      // Half the runs fsync after every operation as the tools do, half do not; half are killed by
      // the parent at a random moment, half kill themselves at a random block write (crashChild.ts).
      const sync = rng.chance(0.5);
      const dieAt = rng.chance(0.5) ? rng.int(1, 250) : 0;
      const delay = rng.int(5, opts.maxDelayMs ?? 1500) + (dieAt ? 60_000 : 0);
      const child = await runChild(img, rng.u32(), sync, dieAt, delay);
      r.runs++;
      if (!child.killed) {
        r.exceptions++;
        failure(run, 'exception', `the child ended by itself: ${child.err.split('\n').slice(0, 3).join(' / ')}`);
        continue;
      }
      // What the child acknowledged, and the operation in flight when it died.
      const acked = new Map<string, State>();
      let inflight: { key: string; state: State } | undefined;
      for (const line of child.lines) {
        const [kind, op, part, name, len, tag] = line.split(' ');
        if (kind !== 'begin' && kind !== 'ack') continue;
        const key = `${part}:${name}`;
        const state: State = op === 'rm' ? null : { len: Number(len), tag: Number(tag) };
        if (kind === 'begin') inflight = { key, state };
        else {
          acked.set(key, state);
          inflight = undefined;
          r.inputs++;
        }
      }
      const verify = (fss: Map<number, FileSystem>, when: string) => {
        for (const [key, state] of acked) {
          const [part, name] = key.split(':');
          const fs = fss.get(Number(part));
          if (!fs) continue; // counted as refused
          const allowed = [state, ...(inflight?.key === key ? [inflight.state] : [])];
          const present = fs.list().some((f) => f.name === name);
          const data = present ? fs.read(name) : null;
          const ok = allowed.some((s) =>
            s === null ? !present : data instanceof Uint8Array && Buffer.compare(data, fileBytes(s.len, s.tag)) === 0,
          );
          if (!ok) {
            r.lost++;
            const seen = data instanceof DiskError ? data.message : data ? `${data.length} other bytes` : 'no file';
            failure(run, 'lost', `${when}: ${key}: acknowledged ${JSON.stringify(state)}, found ${seen}`);
          }
        }
        for (const [key, bytes] of baseline) {
          const [part, name] = key.split(':');
          const fs = fss.get(Number(part));
          const data = fs?.read(name);
          if (fs && !(data instanceof Uint8Array && Buffer.compare(data, bytes) === 0)) {
            r.lost++;
            failure(run, 'lost', `${when}: ${key}, a file the child never touched, changed or cannot be read`);
          }
        }
      };
      const open = (disk: DiskImage, when: string, count: () => void) => {
        const fss = new Map<number, FileSystem>();
        for (const part of PARTS) {
          const fs = disk.fileSystem(part);
          if (fs instanceof DiskError) {
            count();
            failure(run, 'refused', `${when}: partition ${part}: ${fs.message}`);
          } else fss.set(part, fs);
        }
        return fss;
      };
      withDisk(img, true, (disk) => {
        if (disk.fsck().length) r.damagedRuns++;
        verify(
          open(disk, 'after the kill', () => r.refusedBeforeRepair++),
          'after the kill',
        );
      });
      withDisk(img, false, (_disk, backend) => {
        const rep = repairDisk(backend, img);
        if (rep instanceof DiskError) throw rep;
        r.repairedBlocks += rep.blocks;
        for (const left of rep.left) failure(run, 'refused', `fsck --repair left: ${left}`);
      });
      withDisk(img, false, (disk) => {
        const fss = open(disk, 'after fsck --repair', () => r.refused++);
        for (const [part, fs] of fss) {
          const probe = part === 1 ? 'fsckprobe' : 'PROBE.TXT';
          const w = fs.warnings.length ? fs.warnings[0] : fs.write(probe, fileBytes(700, 1));
          const rm = w === true ? fs.remove(probe) : w;
          if (rm !== true) {
            r.refused++;
            failure(run, 'refused', `after fsck --repair: partition ${part}: ${String(rm)}`);
          }
        }
        verify(fss, 'after fsck --repair');
      });
      for (const f of readdirSync(tmp)) if (f.endsWith('.bak')) rmSync(join(tmp, f));
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  r.ms = Date.now() - started;
  return r;
}
