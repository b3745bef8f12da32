/**
 * `npm run fuzz -- flood --kind console|events|input --seconds N` (docs/security.md#floods): the demo
 * machine runs paced on the engine's own loop (EngineCore, in this process, as the engine worker runs
 * it for `hyperdesk serve`), and one hostile party floods it for N seconds of wall time:
 *
 * - console: a client (partition 4, on pCPU 0 with cos, swos and cos2) loops console_write(buf, 4096);
 * - events:  a client loops request (a new amount each time), msg_send and share_offer to ctl;
 * - input:   the typist sends 64 KiB at a time to swos, which ctl has stopped (it reads nothing).
 *
 * Meanwhile cos is asked `uptime` every two seconds (does another guest's console keep answering,
 * and how fast), the status is asked every 100 ms the way the worker answers calls (between ticks,
 * so its latency is how long a tick holds the loop), and host memory is sampled. One JSON line.
 */
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatDiagnostic } from '../../src/main/asm/index.js';
import { EngineCore } from '../../src/main/engine/EngineCore.js';
import type { EngineEvent } from '../../src/main/engine/protocol.js';
import { DEMO_CONFIG } from '../../src/main/engine/Session.js';
import { assembleFile } from '../../src/main/host/assembleFile.js';
import { ensureDisks } from '../../src/main/host/disks.js';

/** The hostile client's partition: the first id the demo's parttab (cos 1, swos 2, cos2 3) leaves free. */
const FLOOD_ID = 4;

export const FLOOD_KINDS = ['console', 'events', 'input'] as const;
export type FloodKind = (typeof FLOOD_KINDS)[number];

export interface FloodResult {
  flood: FloodKind;
  seconds: number;
  /** Machine time the demo ran meanwhile. */
  machineSeconds: number;
  /** MiB: at the start (machine booted, before the flood), at the end, and the peak. */
  heapMiB: { start: number; end: number; peak: number };
  rssMiB: { start: number; end: number; peak: number };
  /** console: bytes of the flooder's output dropped by the engine, and bytes it showed. */
  droppedBytes: number;
  shownBytes: number;
  /** events: the hypervisor's event counts (all ever, kept now) and ctl's inbox. */
  events?: { seq: number; kept: number; inbox: number; offers: number; logLines: number };
  /** input: typing calls accepted and refused (the refusal says why). */
  typed?: { accepted: number; refused: number; message: string };
  /** cos asked `uptime`: asked, answered, the slowest answer. */
  otherGuest: { asked: number; answered: number; maxReplyMs: number };
  /** How long a status call waited (ms). */
  statusMs: { p50: number; max: number };
}

const MiB = (n: number) => Math.round((n / (1 << 20)) * 10) / 10;

function guestImage(name: string) {
  const r = assembleFile(fileURLToPath(new URL(`../hypervisor/guests/${name}.s`, import.meta.url)));
  if (!r.ok) throw new Error(r.diagnostics.map(formatDiagnostic).join('\n'));
  return r;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runFlood(kind: FloodKind, seconds: number): Promise<FloodResult> {
  const dir = await mkdtemp(path.join(tmpdir(), 'hyperdesk-flood-'));
  const disk = path.join(dir, 'demo.img');
  await copyFile(await ensureDisks(), disk);
  // Each console's last 4 KiB (never the whole stream: this harness must stay flat too).
  const tails = new Map<number, string>();
  const shown = new Map<number, number>();
  let dropped = 0;
  let logLines = 0;
  const onEvent = (e: EngineEvent) => {
    if (e.event === 'log') logLines += e.logs.length;
    if (e.event !== 'console') return;
    for (const b of e.batches) {
      tails.set(b.guest, ((tails.get(b.guest) ?? '') + b.data).slice(-4096));
      shown.set(b.guest, (shown.get(b.guest) ?? 0) + b.data.length);
      for (const m of b.data.matchAll(/\[output dropped: (\d+) bytes\]/g)) dropped += Number(m[1]);
    }
  };
  const core = new EngineCore(onEvent);
  try {
    const st = (await core.call('boot', [{ ...DEMO_CONFIG, disks: [disk] }])) as { state: string; error?: string };
    if (st.state !== 'running') throw new Error(`the demo did not boot: ${st.error ?? st.state}`);
    const until = async (what: () => boolean, ms: number, label: string) => {
      const end = performance.now() + ms;
      while (!what()) {
        if (performance.now() > end) throw new Error(`timed out waiting for ${label}`);
        await sleep(20);
      }
    };
    // The demo booted: cos and cos2 at their prompts, swos talking.
    await until(
      () =>
        (tails.get(1) ?? '').includes('cos> ') &&
        (tails.get(3) ?? '').includes('cos> ') &&
        (tails.get(2) ?? '').length > 0,
      120_000,
      'cos and cos2',
    );
    const session = core.running!;
    const hv = session.hv!;

    let typed: FloodResult['typed'];
    if (kind === 'console' || kind === 'events') {
      // The hostile client, launched the way ctl would, with memory from the top of ctl's.
      const img = guestImage(kind === 'console' ? 'flooder' : 'eventflood');
      const ctl = hv.partitions.get(0)!;
      const top = ctl.memory.reduce((m, r) => (r.gpa + r.size > m.gpa + m.size ? r : m));
      const size = 2 << 20;
      const base = top.gpa + top.size - size;
      hv.create(FLOOD_ID, 'flood');
      const p = hv.partitions.get(FLOOD_ID)!;
      hv.addVcpu(p, 0);
      hv.writeGuest(ctl, base + img.base, img.bytes);
      const err = hv.moveMemory(ctl, p, base, size) ?? hv.start(FLOOD_ID, img.entry, 0);
      if (err) throw new Error(`cannot launch the flooder: ${err.message}`);
    } else {
      const r = (await core.call('ctl', ['stop 2'])) as { ok: boolean; error?: { message: string } };
      if (!r.ok) throw new Error(`ctl could not stop swos: ${r.error?.message}`);
      typed = { accepted: 0, refused: 0, message: '' };
    }

    const mem = () => process.memoryUsage();
    const m0 = mem();
    const peak = { heap: m0.heapUsed, rss: m0.rss };
    const startCycles = session.cycles;
    const statusWaits: number[] = [];
    const other = { asked: 0, answered: 0, maxReplyMs: 0 };
    const chunk = 'x'.repeat(64 * 1024);
    const end = performance.now() + seconds * 1000;
    let nextAsk = 0;
    let asking: { at: number; mark: number } | undefined;
    while (performance.now() < end) {
      // A status call waits for the loop, as the worker's calls wait for the tick in progress.
      const asked = performance.now();
      await new Promise((r) => setTimeout(r, 0));
      core.status();
      statusWaits.push(performance.now() - asked);
      const now = performance.now();
      if (asking && (shown.get(1) ?? 0) > asking.mark && (tails.get(1) ?? '').endsWith('cos> ')) {
        other.answered++;
        other.maxReplyMs = Math.max(other.maxReplyMs, now - asking.at);
        asking = undefined;
      }
      if (!asking && now >= nextAsk) {
        await core.call('consoleInput', [1, 'uptime\r']);
        asking = { at: now, mark: (shown.get(1) ?? 0) + 8 };
        other.asked++;
        nextAsk = now + 2000;
      }
      if (typed) {
        try {
          await core.call('consoleInput', [2, chunk]);
          typed.accepted++;
        } catch (e) {
          typed.refused++;
          typed.message = (e as Error).message;
        }
      }
      const m = mem();
      peak.heap = Math.max(peak.heap, m.heapUsed);
      peak.rss = Math.max(peak.rss, m.rss);
      await sleep(100);
    }
    if (asking) other.maxReplyMs = Math.max(other.maxReplyMs, performance.now() - asking.at);
    const m1 = mem();
    statusWaits.sort((a, b) => a - b);
    const ctl = hv.partitions.get(0)!;
    return {
      flood: kind,
      seconds,
      machineSeconds: Math.round(((session.cycles - startCycles) / session.timebase) * 1000) / 1000,
      heapMiB: { start: MiB(m0.heapUsed), end: MiB(m1.heapUsed), peak: MiB(Math.max(peak.heap, m1.heapUsed)) },
      rssMiB: { start: MiB(m0.rss), end: MiB(m1.rss), peak: MiB(Math.max(peak.rss, m1.rss)) },
      droppedBytes: Math.max(dropped, session.consoles.dropped(FLOOD_ID)),
      shownBytes: shown.get(FLOOD_ID) ?? 0,
      ...(kind === 'events'
        ? {
            events: {
              seq: hv.eventSeq,
              kept: hv.events.length,
              inbox: ctl.inbox.length,
              offers: hv.shares.filter((s) => s.from === 3).length,
              logLines,
            },
          }
        : {}),
      ...(typed ? { typed } : {}),
      otherGuest: other,
      statusMs: {
        p50: Math.round(statusWaits[statusWaits.length >> 1]! * 10) / 10,
        max: Math.round(statusWaits[statusWaits.length - 1]! * 10) / 10,
      },
    };
  } finally {
    core.close();
    await rm(dir, { recursive: true, force: true });
  }
}
