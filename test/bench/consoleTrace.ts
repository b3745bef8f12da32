/**
 * Where the time goes during a console-throughput feed (docs/performance.md#console-throughput):
 * with HD_BENCH_CONSOLE_PROFILE=DIR the bench records, per feed, Chromium's performance trace of the
 * page (devtools.timeline: tasks, layout, paint, script) and a V8 CPU profile through a CDP session,
 * writes both into DIR (open them in Chromium's DevTools), and prints to stderr the renderer main
 * thread's self time per trace event, the JavaScript functions with the most self time, and the CPU
 * time of every thread of the bench's processes (this Node process: host, web server, engine
 * worker; Chromium's) during the feed, from /proc. The profile costs time itself: its runs' MB/s
 * are not the bench's figures.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { CDPSession, Page } from 'playwright-core';

interface TraceEvent {
  name: string;
  ph: string;
  ts: number;
  dur?: number;
  pid: number;
  tid: number;
  args?: { name?: string; data?: { functionName?: string; url?: string } };
}

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number }[];
  samples?: number[];
  timeDeltas?: number[];
}

export interface PageProfile {
  stop(label: string): Promise<void>;
}

export async function startProfile(page: Page, dir: string, marker: string): Promise<PageProfile> {
  const cdp: CDPSession = await page.context().newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
  await cdp.send('Tracing.start', {
    traceConfig: { includedCategories: ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8.execute'] },
    transferMode: 'ReturnAsStream',
  });
  await cdp.send('Profiler.start');
  const cpu0 = threadTimes(marker);
  return {
    async stop(label) {
      const cpu1 = threadTimes(marker);
      const { profile } = (await cdp.send('Profiler.stop')) as { profile: CpuProfile };
      const done = new Promise<string>((r) => cdp.once('Tracing.tracingComplete', (e) => r(e.stream ?? '')));
      await cdp.send('Tracing.end');
      const stream = await done;
      let text = '';
      for (;;) {
        const chunk = (await cdp.send('IO.read', { handle: stream })) as { data: string; eof: boolean };
        text += chunk.data;
        if (chunk.eof) break;
      }
      await cdp.send('IO.close', { handle: stream });
      await cdp.detach();
      const parsed = JSON.parse(text) as { traceEvents: TraceEvent[] } | TraceEvent[];
      const events = Array.isArray(parsed) ? parsed : parsed.traceEvents;
      await writeFile(path.join(dir, `${label}.cpuprofile`), JSON.stringify(profile));
      await writeFile(path.join(dir, `${label}.trace.json`), text);
      const say = (s: string) => process.stderr.write(`${s}\n`);
      say(`\n== ${label}: CPU ms per thread during the feed (/proc)`);
      const used = [...cpu1]
        .map(([k, v]) => [k, v - (cpu0.get(k) ?? 0)] as const)
        .filter(([, v]) => v > 0)
        .sort((a, b) => b[1] - a[1]);
      for (const [k, ms] of used.slice(0, 14)) say(`${ms.toFixed(0).padStart(8)}  ${k}`);
      say(`== ${label}: renderer main thread, self ms per trace event`);
      for (const [name, ms] of mainThreadSelf(events).slice(0, 16)) say(`${ms.toFixed(0).padStart(8)}  ${name}`);
      say(`== ${label}: JavaScript self ms per function`);
      for (const [name, ms] of jsSelf(profile).slice(0, 20)) say(`${ms.toFixed(0).padStart(8)}  ${name}`);
    },
  };
}

/**
 * utime + stime (ms) of every thread of this process and of the processes whose command line holds
 * `marker` (the bench's Chromium profile folder), keyed "process-name pid/thread-name".
 */
export function threadTimes(marker: string): Map<string, number> {
  const out = new Map<string, number>();
  const tick = 10; // USER_HZ is 100 on Linux
  if (!existsSync('/proc/self/task')) return out;
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      if (Number(pid) !== process.pid && !readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(marker)) continue;
      const type = /--type=([a-z-]+)/.exec(readFileSync(`/proc/${pid}/cmdline`, 'utf8'))?.[1] ?? 'main';
      const proc = Number(pid) === process.pid ? 'node' : `chromium-${type}`;
      for (const tid of readdirSync(`/proc/${pid}/task`)) {
        const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
        const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
        const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        const ms = (Number(f[11]) + Number(f[12])) * tick;
        const key = `${proc} ${pid}/${name}`;
        out.set(key, (out.get(key) ?? 0) + ms);
      }
    } catch {
      // The process or thread ended meanwhile.
    }
  }
  return out;
}

/** Self time (its duration less its children's) of each complete event on CrRendererMain, by name. */
function mainThreadSelf(events: TraceEvent[]): [string, number][] {
  const main = events.find((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain');
  if (!main) return [];
  const xs = events
    .filter((e) => e.pid === main.pid && e.tid === main.tid && e.ph === 'X' && e.dur !== undefined)
    .sort((a, b) => a.ts - b.ts || b.dur! - a.dur!);
  const self = new Map<string, number>();
  const stack: { end: number; key: string }[] = [];
  for (const e of xs) {
    while (stack.length && stack[stack.length - 1]!.end <= e.ts) stack.pop();
    const key = e.name === 'FunctionCall' ? `FunctionCall ${e.args?.data?.functionName ?? ''}` : e.name;
    const parent = stack[stack.length - 1];
    if (parent) self.set(parent.key, (self.get(parent.key) ?? 0) - e.dur! / 1000);
    self.set(key, (self.get(key) ?? 0) + e.dur! / 1000);
    stack.push({ end: e.ts + e.dur!, key });
  }
  return [...self].sort((a, b) => b[1] - a[1]);
}

/** Self time per function (name, file:line) from the CPU profile's samples. */
function jsSelf(profile: CpuProfile): [string, number][] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  for (let i = 0; i < samples.length; i++) {
    const n = byId.get(samples[i]!);
    if (!n) continue;
    const f = n.callFrame;
    const key = `${f.functionName || '(anonymous)'} ${path.basename(f.url)}:${f.lineNumber + 1}`;
    self.set(key, (self.get(key) ?? 0) + (deltas[i + 1] ?? 0) / 1000);
  }
  return [...self].sort((a, b) => b[1] - a[1]);
}
