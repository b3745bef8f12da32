/**
 * `npm run fuzz -- soak --guests N --minutes M` (docs/security.md#the-soak): the demo machine runs
 * paced on the engine's own loop (EngineCore, in this process, as flood.ts does), plus N small
 * clients launched the way ctl would (memory from the top of ctl's, pCPU i % 2), each a busy loop
 * (SOAK_GUEST), on a machine with enough memory that the hypervisor's reserve holds their tables
 * (soakMachineMiB). A `launched` line says the machine's size and the reserve's use. Every interval (a minute by default) one JSON line: heap and RSS in MiB, machine
 * seconds run, and the instructions each client retired in that interval (min / median / max, and
 * how many retired none: a starved guest). Then a summary line with the slope of RSS (MiB a minute,
 * least squares over the interval lines) and whether every guest progressed in every interval.
 */
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { assemble, formatDiagnostic } from '../../src/main/asm/index.js';
import { EngineCore } from '../../src/main/engine/EngineCore.js';
import type { EngineEvent } from '../../src/main/engine/protocol.js';
import { DEMO_CONFIG } from '../../src/main/engine/Session.js';
import { HV_RESERVE_SHARE } from '../../src/main/emulator/hypervisor/Hypervisor.js';
import { ensureDisks } from '../../src/main/host/disks.js';

/** The smallest useful client: it only retires instructions (no memory, no hypercalls). */
const SOAK_GUEST = `.org 0
_start:
1:  addi  t0, t0, 1
    j     1b
`;
/** Each client's memory (its code is 8 bytes at address 0). */
const GUEST_BYTES = 64 << 10;

export interface SoakInterval {
  soak: 'interval';
  n: number;
  wallSeconds: number;
  heapMiB: number;
  rssMiB: number;
  machineSeconds: number;
  /** Instructions each client retired in this interval. */
  retired: { min: number; median: number; max: number; starved: number };
}

export interface SoakSummary {
  soak: 'summary';
  guests: number;
  intervals: number;
  intervalSeconds: number;
  machineSeconds: number;
  rssMiB: { first: number; last: number; peak: number; slopePerMinute: number };
  heapMiB: { first: number; last: number; peak: number };
  /** Intervals in which some client retired nothing. */
  starvedIntervals: number;
  /** cos still answered `echo` at the end. */
  cosAnswered: boolean;
  /** Why the machine or a partition stopped during the soak, if one did (none: absent). */
  stopped?: string;
  ms: number;
}

const MiB = (n: number) => Math.round((n / (1 << 20)) * 10) / 10;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function slope(xs: number[], ys: number[]): number {
  const n = xs.length;
  if (n < 2) return 0;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (xs[i]! - mx) * (ys[i]! - my);
    den += (xs[i]! - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

/**
 * The soak's machine (docs/security.md#the-soak): the demo's memory plus the clients' (ctl hands
 * them out from the top of its own), and enough that the reserve the hypervisor sizes by the RAM
 * (reserveBytesFor: 1/HV_RESERVE_SHARE of it) holds every client's stage-2 tables (2 pages each,
 * 3 counted) plus 1 MiB for ctl, cos and swos.
 */
export function soakMachineMiB(guests: number): number {
  const forGuests = DEMO_CONFIG.memMiB + Math.ceil((guests * GUEST_BYTES) / (1 << 20)) + 8;
  const forReserve = Math.ceil((HV_RESERVE_SHARE * (guests * 3 * 4096 + (1 << 20))) / (1 << 20));
  return Math.max(forGuests, forReserve);
}

export async function runSoak(opts: {
  guests: number;
  seconds: number;
  intervalSeconds?: number;
  log?: (line: string) => void;
}): Promise<{ intervals: SoakInterval[]; summary: SoakSummary }> {
  const t0 = performance.now();
  const every = opts.intervalSeconds ?? 60;
  const dir = await mkdtemp(path.join(tmpdir(), 'hyperdesk-soak-'));
  const disk = path.join(dir, 'demo.img');
  await copyFile(await ensureDisks(), disk);
  let cosTail = '';
  let cos2Tail = '';
  let swosBytes = 0;
  /** Why the machine or a partition stopped, if one did: failed states and `faulted` log lines. */
  let stopped: string | undefined;
  const note = (what: string) => (stopped = stopped ? `${stopped}; ${what}` : what);
  const onEvent = (e: EngineEvent) => {
    if (e.event === 'status' && e.status.state === 'failed')
      note(`the machine failed at ${e.status.seconds} s: ${e.status.error ?? 'no reason given'}`);
    if (e.event === 'log')
      for (const l of e.logs) if (l.kind === 'faulted') note(`${l.guestName} (${l.guest}) faulted: ${l.detail}`);
    if (e.event !== 'console') return;
    for (const b of e.batches) {
      if (b.guest === 1) cosTail = (cosTail + b.data).slice(-4096);
      if (b.guest === 2) swosBytes += b.data.length;
      if (b.guest === 3) cos2Tail = (cos2Tail + b.data).slice(-4096);
    }
  };
  const img = assemble(SOAK_GUEST, { filename: 'soak.s' });
  if (!img.ok) throw new Error(img.diagnostics.map(formatDiagnostic).join('\n'));
  const core = new EngineCore(onEvent);
  try {
    const memMiB = soakMachineMiB(opts.guests);
    const st = (await core.call('boot', [{ ...DEMO_CONFIG, memMiB, disks: [disk] }])) as {
      state: string;
      error?: string;
    };
    if (st.state !== 'running') throw new Error(`the demo did not boot: ${st.error ?? st.state}`);
    // ctl has launched every guest of the demo's parttab (as flood.ts waits: cos2 starts after swos):
    // only then is the top of its memory free to hand out. Taking it earlier pulls memory from under
    // ctl while it loads cos2, and ctl faults on its own store (what CI once saw).
    for (
      let end = performance.now() + 120_000;
      !cosTail.includes('cos> ') || !cos2Tail.includes('cos> ') || swosBytes === 0;
      await sleep(20)
    )
      if (performance.now() > end)
        throw new Error(`timed out waiting for cos and cos2${stopped ? ` (${stopped})` : ''}`);
    const session = core.running!;
    const hv = session.hv!;
    const ctl = hv.partitions.get(0)!;
    const ids: number[] = [];
    const reserveBefore = hv.reserve.available;
    for (let i = 0; i < opts.guests; i++) {
      const id = 4 + i; // after the demo's cos (1), swos (2) and cos2 (3)
      const top = ctl.memory.reduce((m, r) => (r.gpa + r.size > m.gpa + m.size ? r : m));
      const base = top.gpa + top.size - GUEST_BYTES;
      hv.create(id, `soak${i}`);
      const p = hv.partitions.get(id)!;
      hv.addVcpu(p, i % 2);
      hv.writeGuest(ctl, base + img.base, img.bytes);
      const err = hv.moveMemory(ctl, p, base, GUEST_BYTES) ?? hv.start(id, img.entry, 0);
      if (err) throw new Error(`cannot launch soak guest ${id}: ${err.message}`);
      ids.push(id);
    }
    const reserve = {
      bytes: hv.reserve.size,
      pagesPerGuest: Math.round(((reserveBefore - hv.reserve.available) / Math.max(1, opts.guests)) * 100) / 100,
      pagesFree: hv.reserve.available,
    };
    opts.log?.(JSON.stringify({ soak: 'launched', guests: ids.length, memMiB, reserve }));
    const retired = (id: number) => hv.partitions.get(id)!.vcpus.reduce((s, v) => s + v.instret, 0);

    const intervals: SoakInterval[] = [];
    let last = ids.map(retired);
    let lastCycles = session.cycles;
    const peak = { rss: 0, heap: 0 };
    const start = performance.now();
    const total = Math.max(1, Math.round(opts.seconds / every));
    for (let n = 1; n <= total; n++) {
      const due = start + n * every * 1000;
      while (performance.now() < due) {
        await sleep(Math.min(500, Math.max(1, due - performance.now())));
        const m = process.memoryUsage();
        peak.rss = Math.max(peak.rss, m.rss);
        peak.heap = Math.max(peak.heap, m.heapUsed);
      }
      const now = ids.map(retired);
      const delta = now.map((x, i) => x - last[i]!).sort((a, b) => a - b);
      last = now;
      const m = process.memoryUsage();
      const line: SoakInterval = {
        soak: 'interval',
        n,
        wallSeconds: Math.round((performance.now() - start) / 100) / 10,
        heapMiB: MiB(m.heapUsed),
        rssMiB: MiB(m.rss),
        machineSeconds: Math.round(((session.cycles - lastCycles) / session.timebase) * 1000) / 1000,
        retired: {
          min: delta[0] ?? 0,
          median: delta[delta.length >> 1] ?? 0,
          max: delta[delta.length - 1] ?? 0,
          starved: delta.filter((d) => d <= 0).length,
        },
      };
      lastCycles = session.cycles;
      intervals.push(line);
      opts.log?.(JSON.stringify(line));
    }

    // cos, sharing the pCPUs with every client, still answers.
    cosTail = '';
    await core.call('consoleInput', [1, 'echo soaked\r']);
    let cosAnswered = false;
    for (let end = performance.now() + 60_000; performance.now() < end && !cosAnswered; await sleep(50))
      cosAnswered = /\nsoaked\r?\n/.test(cosTail);

    const rss = intervals.map((l) => l.rssMiB);
    const heap = intervals.map((l) => l.heapMiB);
    const summary: SoakSummary = {
      soak: 'summary',
      guests: opts.guests,
      intervals: intervals.length,
      intervalSeconds: every,
      machineSeconds: Math.round(intervals.reduce((s, l) => s + l.machineSeconds, 0) * 1000) / 1000,
      rssMiB: {
        first: rss[0]!,
        last: rss[rss.length - 1]!,
        peak: MiB(peak.rss),
        slopePerMinute:
          Math.round(
            slope(
              intervals.map((l) => l.wallSeconds / 60),
              rss,
            ) * 100,
          ) / 100,
      },
      heapMiB: { first: heap[0]!, last: heap[heap.length - 1]!, peak: MiB(peak.heap) },
      starvedIntervals: intervals.filter((l) => l.retired.starved > 0).length,
      cosAnswered,
      ...(stopped ? { stopped } : {}),
      ms: Math.round(performance.now() - t0),
    };
    return { intervals, summary };
  } finally {
    core.close();
    await rm(dir, { recursive: true, force: true });
  }
}
