/**
 * Console throughput (issue 15, docs/performance.md#console-throughput): how many MB/s of guest
 * output the page's terminal draws, and the animation frames it drops meanwhile. The app runs as in
 * the web e2e tests (the real host with the demo machine, the real web server, the built renderer in
 * headless Chromium); the output is a synthetic feed through the real console path from the host's
 * event stream on: `console` events for ctl's console (guest 0), 64 KiB each (the engine's most per
 * guest per tick), over the WebSocket to the page, its splice and `term.write`. A guest cannot make
 * this much: the host hands viewers at most 1 MiB a wall second of a guest's output
 * (docs/security.md#floods), so the feed stands in for the engine.
 *
 *   console-throughput  feed 'paced': 10 MB at 10 MB/s (keptUp: the page never held it back);
 *                       feed 'max': 20 MB as fast as the page takes it. Both keep at most 4 MiB sent
 *                       and not yet written by the page. mbPerSecond: bytes / the wall time
 *                       from the first event sent to the last line drawn; droppedFrames: frames
 *                       missed by the page's requestAnimationFrame in that time (an interval of
 *                       k frame periods counts k - 1); longestFrameMs.
 *                       Both feeds run once per renderer, `dom` then `webgl` (Settings' console
 *                       renderer, consoles/renderer.ts), in the same Chromium; `gpu` names the
 *                       WebGL2 behind the webgl lines (headless with --disable-gpu: SwiftShader).
 *                       "Drawn": a frame rendered after xterm parsed the last byte (data-drawn).
 *                       feed 'none': 2 s without output first (the frames missed anyway: on a
 *                       loaded machine the floor is not 0).
 *                       cpuMsPerMb: CPU ms per MB of the page's main thread, of all Chromium, and
 *                       of this process (host, web server, feed), from /proc (Linux).
 *
 * Run alone: `npm run bench -- --filter console`. HD_BENCH_CONSOLE_PROFILE=DIR: a trace and a CPU
 * profile per feed, summarised on stderr (consoleTrace.ts); HD_BENCH_CONSOLE_STATIC=DIR: another
 * built renderer (an A/B in the same minutes).
 */
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import type { HostEvent } from '../../src/shared/api.js';
import { ensureDisks } from '../../src/main/host/disks.js';
import { createHost } from '../../src/main/host/host.js';
import { ensureRendererBuilt } from '../../src/main/web/build.js';
import { startWebServer } from '../../src/main/web/server.js';
import { CHROMIUM, CHROMIUM_ARGS } from '../e2e/appPage.js';
import { startProfile, threadTimes } from './consoleTrace.js';

const CHUNK = 64 * 1024;
const IN_FLIGHT = 4 * 1024 * 1024;
const MB = 1e6;
/** HD_BENCH_CONSOLE_SCALE=0.1: a tenth of the feed (a quick look). */
const SCALE = Number(process.env['HD_BENCH_CONSOLE_SCALE'] ?? 1);
/** HD_BENCH_CONSOLE_RENDERERS=webgl,dom: which renderers, in that order (default dom then webgl). */
/**
 * HD_BENCH_CONSOLE_STATIC=DIR: serve that built renderer instead of this checkout's (to measure an
 * older build against this one in the same minutes: `electron-vite build --outDir X` there, DIR =
 * X/renderer).
 */
const STATIC = process.env['HD_BENCH_CONSOLE_STATIC'];
/** HD_BENCH_CONSOLE_PROFILE=DIR: a trace and a CPU profile of the page per feed (consoleTrace.ts). */
const PROFILE = process.env['HD_BENCH_CONSOLE_PROFILE'];
const RENDERERS = (process.env['HD_BENCH_CONSOLE_RENDERERS'] ?? 'dom,webgl')
  .split(',')
  .filter((r): r is 'dom' | 'webgl' => r === 'dom' || r === 'webgl');

/** Lines like a busy guest's: text, numbers, an SGR colour now and then, CR LF. */
function feedText(bytes: number): string {
  const lines: string[] = [];
  let n = 0;
  for (let i = 0; n < bytes; i++) {
    const line =
      i % 8 === 0
        ? `[${String(i).padStart(7, '0')}] \x1b[32mok\x1b[0m build step ${i % 97} of the guest's job, ${(i * 2654435761) >>> 0} cycles\r\n`
        : `[${String(i).padStart(7, '0')}] the quick brown fox jumps over the lazy dog ${i * 7}\r\n`;
    lines.push(line);
    n += line.length;
  }
  return lines.join('').slice(0, bytes);
}

interface Feed {
  name: 'paced' | 'max';
  bytes: number;
  /** Bytes per second to send at (paced), or undefined (as fast as the page writes). */
  rate?: number;
}

export async function consoleBenches(filter: string | undefined): Promise<Record<string, unknown>[]> {
  const wanted = !filter || filter.split(',').some((f) => 'console-throughput'.includes(f));
  if (!wanted) return [];
  if (!existsSync(CHROMIUM)) {
    process.stderr.write(`console-throughput: no Chromium at ${CHROMIUM}: not measured\n`);
    return [];
  }
  const profile = await mkdtemp(path.join(tmpdir(), 'hd-bench-console-'));
  const host = createHost('web', { dataDir: path.join(profile, 'data') });
  const listeners = new Set<(e: HostEvent) => void>();
  // The page's event stream, with the synthetic console events added where the engine's come in.
  const api = new Proxy(host, {
    get(target, key, receiver) {
      if (key !== 'subscribe') return Reflect.get(target, key, receiver) as unknown;
      return (l: (e: HostEvent) => void) => {
        listeners.add(l);
        const off = target.subscribe(l);
        return () => (listeners.delete(l), off());
      };
    },
  });
  const out: Record<string, unknown>[] = [];
  let context;
  let server;
  try {
    const staticDir = STATIC ?? (await ensureRendererBuilt());
    await mkdir(path.join(profile, 'data'), { recursive: true });
    const disk = path.join(profile, 'data', 'hyperdesk.img');
    await copyFile(await ensureDisks(), disk);
    const booted = await host.boot({ mode: 'hypervisor', disks: [disk] });
    if (booted.error) throw new Error(`the demo machine did not boot: ${booted.error}`);
    server = await startWebServer({ port: 0, host: '127.0.0.1', staticDir, api });
    context = await chromium.launchPersistentContext(path.join(profile, 'chromium'), {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 1280, height: 720 },
    });
    const page = await context.newPage();
    await page.goto(server.url);
    const term = page.locator('section.term[data-guest="0"]');
    // What WebGL2 this Chromium has (headless with --disable-gpu: SwiftShader, on the CPU).
    const gpu = await page.evaluate(`(() => {
      const gl = document.createElement('canvas').getContext('webgl2');
      if (!gl) return 'none';
      const i = gl.getExtension('WEBGL_debug_renderer_info');
      return String(gl.getParameter(i ? i.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
    })()`);
    for (const renderer of RENDERERS) {
      // The setting as the Settings panel keeps it (app/settings.ts), then a fresh page that reads it.
      await page.evaluate((r) => {
        const s = JSON.parse(localStorage.getItem('hyperdesk.settings') ?? '{}') as Record<string, unknown>;
        localStorage.setItem('hyperdesk.settings', JSON.stringify({ ...s, consoleRenderer: r }));
      }, renderer);
      await page.goto(server.url);
      await page
        .waitForFunction(
          (r) => {
            const el = document.querySelector<HTMLElement>('section.term[data-guest="0"]');
            return el?.dataset.renderer === r && el.dataset.end !== undefined;
          },
          renderer,
          { timeout: 60_000 },
        )
        .catch(async () => {
          const got = await term.getAttribute('data-renderer');
          throw new Error(`the console did not take the ${renderer} renderer (it has ${got}; WebGL2: ${String(gpu)})`);
        });
      // ctl idles at its prompt: its console's end moves only with the feed from here on.
      await page.waitForTimeout(1000);
      // The floor: frames this page misses in 2 s with no feed at all (on a loaded machine, not 0).
      const idle = await page.evaluate(`new Promise((done) => {
        const ts = [];
        const loop = (t) => {
          ts.push(t);
          if (t - ts[0] < 2000) requestAnimationFrame(loop);
          else done(ts);
        };
        requestAnimationFrame(loop);
      })`);
      const idleGaps = (idle as number[]).slice(1).map((t, i) => t - (idle as number[])[i]!);
      out.push({
        bench: 'console-throughput',
        feed: 'none',
        renderer,
        droppedFrames: idleGaps.reduce((n, g) => n + Math.max(0, Math.round(g / (1000 / 60)) - 1), 0),
        frames: (idle as number[]).length,
        longestFrameMs: Math.round(Math.max(0, ...idleGaps)),
        ms: 2000,
        load: Math.round(loadavg()[0]! * 10) / 10,
      });
      for (const feed of [
        { name: 'paced', bytes: SCALE * 10 * MB, rate: 10 * MB },
        { name: 'max', bytes: SCALE * 20 * MB },
      ] satisfies Feed[]) {
        const end0 = Number(await term.getAttribute('data-end'));
        const text = feedText(feed.bytes - 40);
        const marker = `BENCH-END-${feed.name}-${Date.now()}`;
        const data = `${text}\r\n${marker}\r\n`;
        const last = end0 + data.length;
        // A string, not a function: tsx names inner functions with a helper the page does not have.
        await page.evaluate(`(() => {
        window.benchFrames = [];
        window.benchStop = false;
        const loop = (t) => {
          window.benchFrames.push(t);
          if (!window.benchStop) requestAnimationFrame(loop);
        };
        requestAnimationFrame(loop);
      })()`);
        const trace = PROFILE ? await startProfile(page, PROFILE, profile) : undefined;
        const cpu0 = threadTimes(profile);
        const pageT0 = await page.evaluate(() => performance.now());
        const t0 = performance.now();
        let sent = 0;
        let throttled = false;
        let written = 0;
        // Drawn: a frame rendered after xterm parsed the last byte (data-drawn, GuestTerminal.ts), the
        // same signal for both renderers (WebGL draws on a canvas, no text to look for).
        const drawn = page.waitForFunction(
          (end) => Number(document.querySelector<HTMLElement>('section.term[data-guest="0"]')?.dataset.drawn) >= end,
          last,
          { polling: 'raf', timeout: 600_000 },
        );
        while (sent < data.length) {
          const chunk = data.slice(sent, sent + CHUNK);
          sent += chunk.length;
          const e: HostEvent = { type: 'console', guest: 0, data: chunk, end: end0 + sent };
          for (const l of listeners) l(e);
          if (feed.rate) {
            const due = (sent / feed.rate) * 1000;
            const wait = due - (performance.now() - t0);
            if (wait > 0) await new Promise((r) => setTimeout(r, wait));
          }
          // At most 4 MiB sent and not yet written by the page (its data-end): past 8 MiB the server
          // would drop the page's socket as too slow (docs/security.md#floods).
          // The page is asked only when the last answer is that far behind (asking costs a round trip).
          while (sent - written > IN_FLIGHT) {
            written = Number(await term.getAttribute('data-end')) - end0;
            if (sent - written <= IN_FLIGHT) break;
            throttled = true;
            await new Promise((r) => setTimeout(r, 5));
          }
        }
        await drawn.catch(async (e: Error) => {
          const seen = await page.evaluate(
            `[document.querySelector('section.term[data-guest="0"]')?.dataset.end, document.querySelector('section.term[data-guest="0"]')?.dataset.drawn, document.querySelector('section.term[data-guest="0"]')?.offsetParent !== null]`,
          );
          throw new Error(`${e.message}; sent ${sent} bytes from end ${end0}; the page shows ${JSON.stringify(seen)}`);
        });
        const ms = performance.now() - t0;
        const cpu = cpuUsed(cpu0, threadTimes(profile));
        await trace?.stop(`${renderer}-${feed.name}`);
        const frames = await page.evaluate((from) => {
          const w = window as unknown as { benchFrames: number[]; benchStop: boolean };
          w.benchStop = true;
          return w.benchFrames.filter((t) => t >= from);
        }, pageT0);
        const gaps = frames.slice(1).map((t, i) => t - frames[i]!);
        const period = 1000 / 60;
        const dropped = gaps.reduce((n, g) => n + Math.max(0, Math.round(g / period) - 1), 0);
        out.push({
          bench: 'console-throughput',
          feed: feed.name,
          renderer,
          ...(renderer === 'webgl' ? { gpu } : {}),
          mbPerSecond: Math.round((data.length / MB / (ms / 1000)) * 10) / 10,
          droppedFrames: dropped,
          // paced: whether the page kept up with 10 MB/s (false: the feed had to wait for it).
          ...(feed.rate ? { keptUp: !throttled } : {}),
          frames: frames.length,
          longestFrameMs: Math.round(Math.max(0, ...gaps)),
          bytes: data.length,
          ms: Math.round(ms),
          // CPU ms per MB drawn (Linux /proc; all processes' threads, whoever ran them): the page's
          // main thread, all of Chromium, and this process (the host, the web server, the feed).
          // Less hostage to the machine's load than the wall figures.
          ...(cpu
            ? {
                cpuMsPerMb: {
                  pageMain: Math.round(cpu.pageMain / (data.length / MB)),
                  chromium: Math.round(cpu.chromium / (data.length / MB)),
                  node: Math.round(cpu.node / (data.length / MB)),
                },
              }
            : {}),
          // The machine's 1-minute load average at the end: on a shared machine it explains much.
          load: Math.round(loadavg()[0]! * 10) / 10,
        });
      }
    }
  } finally {
    await context?.close();
    await server?.close();
    await host.close();
    await rm(profile, { recursive: true, force: true });
  }
  return out;
}

/** CPU ms between two threadTimes() readings: the renderer's main thread, all Chromium, this process. */
function cpuUsed(
  a: Map<string, number>,
  b: Map<string, number>,
): { pageMain: number; chromium: number; node: number } | undefined {
  if (b.size === 0) return undefined;
  const used = { pageMain: 0, chromium: 0, node: 0 };
  for (const [k, v] of b) {
    const d = v - (a.get(k) ?? 0);
    if (k.startsWith('node ')) used.node += d;
    else used.chromium += d;
    // The busiest renderer's main thread is the page's (the others are spare or idle).
    if (k.startsWith('chromium-renderer ') && k.endsWith('/chromium')) used.pageMain = Math.max(used.pageMain, d);
  }
  return used;
}
