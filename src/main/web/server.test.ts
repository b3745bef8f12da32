/**
 * The web face's transport: argument checks from API_ARGS, the token and Host rules, host errors
 * turned into clear HTTP errors, and events over the WebSocket. The host here is a recording
 * double (the real host has its own tests); what is tested is what the server does with calls.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { HostEvent, HostService } from '../../shared/api.js';
import { decodeConsoleFrame } from '../../shared/consoleFrame.js';
import { startWebServer, type WebServer } from './server.js';

function recordingHost(): { host: HostService; calls: unknown[][]; emit(e: HostEvent): void } {
  const calls: unknown[][] = [];
  const listeners = new Set<(e: HostEvent) => void>();
  const record =
    (name: string, result: unknown = null) =>
    async (...args: unknown[]) => {
      calls.push([name, ...args]);
      if (name === 'readFile' && args[1] === 'missing') throw new Error('cos: no file missing on disk partition 1');
      return result;
    };
  const host = new Proxy(
    {
      subscribe(l: (e: HostEvent) => void) {
        listeners.add(l);
        return () => listeners.delete(l);
      },
      close: async () => {},
    } as Record<string, unknown>,
    { get: (target, key: string) => target[key] ?? record(key, key === 'status' ? { state: 'off' } : null) },
  ) as unknown as HostService;
  return { host, calls, emit: (e) => listeners.forEach((l) => l(e)) };
}

function post(url: string, body: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('web server', () => {
  let server: WebServer;
  let dir: string;
  const double = recordingHost();
  const call = (method: string, args: unknown, token = server.token) =>
    post(new URL(`/api/${method}`, server.url).href, JSON.stringify(args), { 'X-Hyperdesk-Token': token });

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'hyperdesk-web-'));
    await writeFile(path.join(dir, 'index.html'), '<!doctype html><title>t</title>');
    server = await startWebServer({ port: 0, staticDir: dir, api: double.host });
  });
  afterAll(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('carries a checked call to the host and its value back', async () => {
    const r = await call('consoleInput', [2, 'run hello\r']);
    expect(r.status).toBe(200);
    expect(double.calls.at(-1)).toEqual(['consoleInput', 2, 'run hello\r']);
    const s = await call('status', []);
    expect(JSON.parse(s.body)).toEqual({ state: 'off' });
  });

  it('refuses bad arguments with 400 and says which, without calling the host', async () => {
    const before = double.calls.length;
    const cases: [string, unknown, RegExp][] = [
      ['consoleInput', [2], /takes 2 argument/],
      ['consoleInput', ['2', 'x'], /guest must be an integer/],
      ['consoleInput', [-1, 'x'], /guest must be 0\.\.65535/],
      ['readFile', [1, '../etc/passwd'], /name has characters/],
      ['boot', [{ mode: 'turbo' }], /mode must be dualboot or hypervisor/],
      ['boot', [{ cpus: 1, evil: true }], /unknown key 'evil'/],
      ['ctl', ['parts\r@9 destroy 1'], /command has characters/],
      ['events', [1e9], /limit must be 1\.\.10000/],
    ];
    for (const [method, args, message] of cases) {
      const r = await call(method, args);
      expect(r.status, `${method} ${JSON.stringify(args)}`).toBe(400);
      expect(JSON.parse(r.body).error).toMatch(message);
    }
    expect((await call('nosuch', [])).status).toBe(404);
    expect((await call('status', { not: 'an array' })).status).toBe(400);
    expect(double.calls.length).toBe(before);
  });

  it("turns a host's refusal into a 422 with its message", async () => {
    const r = await call('readFile', [1, 'missing']);
    expect(r.status).toBe(422);
    expect(JSON.parse(r.body).error).toBe('cos: no file missing on disk partition 1');
  });

  it('answers an oversized body with 413, never a connection reset (issue 13)', async () => {
    // Sent in pieces, as a real client does: the server must read the body to its end first.
    const before = double.calls.length;
    for (const mib of [2, 5, 8]) {
      const body = 'x'.repeat(mib << 20);
      const r = await post(new URL('/api/status', server.url).href, body, { 'X-Hyperdesk-Token': server.token });
      expect(r.status, `${mib} MiB`).toBe(413);
      expect(JSON.parse(r.body).error).toMatch(/request body too large/);
    }
    expect(double.calls.length).toBe(before);
  });

  it('answers a scheme-relative path (//) with 400, over HTTP and as an upgrade (issue 13)', async () => {
    const { port } = new URL(server.url);
    const r = await new Promise<number>((resolve, reject) =>
      request({ host: '127.0.0.1', port, path: '//' }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      })
        .on('error', reject)
        .end(),
    );
    expect(r).toBe(400);
    const ws = new WebSocket(`ws://127.0.0.1:${port}//?token=${server.token}`);
    const refusal = await new Promise<string>((resolve) => {
      ws.on('unexpected-response', (_req, res) => resolve(String(res.statusCode)));
      ws.on('error', (e) => resolve(e.message));
    });
    expect(refusal).toMatch(/400/);
  });

  it('needs the token', async () => {
    expect((await call('status', [], 'wrong')).status).toBe(401);
  });

  it('sends host events over the WebSocket to holders of the token only', async () => {
    const base = server.url.replace(/^http/, 'ws').replace(/\/\?token=.*$/, '');
    const refused = new WebSocket(`${base}/api/events?token=wrong`);
    const refusal = await new Promise<string>((resolve) => {
      refused.on('unexpected-response', (_req, res) => resolve(String(res.statusCode)));
      refused.on('error', (e) => resolve(e.message));
    });
    expect(refusal).toMatch(/401/);

    const ws = new WebSocket(`${base}/api/events?token=${server.token}`);
    await new Promise<void>((resolve, reject) => {
      ws.on('open', () => resolve());
      ws.on('error', reject);
    });
    const got: HostEvent[] = [];
    const binary: boolean[] = [];
    ws.on('message', (m: Buffer, isBinary: boolean) => {
      binary.push(isBinary);
      got.push(isBinary ? decodeConsoleFrame(new Uint8Array(m)) : (JSON.parse(String(m)) as HostEvent));
    });
    // Console output goes as binary frames (shared/consoleFrame.ts), other events as JSON text.
    const events: HostEvent[] = [
      { type: 'console', guest: 1, data: 'cos> \x1b[32mok\x1b[0m \xe9\x9b\xff\r\n', end: 5 },
      { type: 'console', guest: 0, data: 'whole', end: 1_000_000_007, reset: true },
      { type: 'console', guest: 2, data: 'wide \u2603', end: 7 },
      { type: 'progress', task: 'boot', done: 0.5, label: 'half' },
    ];
    for (const e of events) double.emit(e);
    await expect.poll(() => got.length).toBe(events.length);
    expect(got).toEqual(events);
    expect(binary).toEqual([true, true, false, false]);
    ws.close();
  });
});
