/**
 * `npm run fuzz -- web --count N [--seed S]` (docs/security.md#the-web-face): hostile requests
 * (webInputs.ts) against the real web face, started in this process on a real host that booted the
 * demo from a copy of the disk in a temporary data folder, one request at a time.
 *
 * A response passes when it is a 2xx or a 4xx (101 for a WebSocket upgrade), an API 4xx carries a
 * JSON `error` (naming the method for 400/404/405/413), and it came within TIMEOUT_MS without a
 * reset. After the run `status()` must answer `running` and cos must still answer what is typed
 * into it (consoleInput, then consoleHistory), all through HTTP.
 */
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createHost } from '../../src/main/host/host.js';
import { ensureDisks } from '../../src/main/host/disks.js';
import { DEMO_CONFIG } from '../../src/main/engine/Session.js';
import { startWebServer } from '../../src/main/web/server.js';
import { Rng } from './rng.js';
import { makeInput, wellFormed, type WebInput } from './webInputs.js';

const TIMEOUT_MS = 30_000;

export interface WebFuzzResult {
  fuzz: 'web';
  inputs: number;
  failures: number;
  exceptions: number;
  seed: number;
  ms: number;
  /** Responses by status code. */
  statuses: Record<string, number>;
}

interface Reply {
  status: number;
  body: string;
}

function http(port: number, verb: string, target: string, headers: Record<string, string>, body?: string) {
  return new Promise<Reply>((resolve, reject) => {
    // An explicit length: Node's client sends a DELETE or OPTIONS body unframed otherwise.
    if (body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(body));
    const req = request(
      { host: '127.0.0.1', port, method: verb, path: target, headers, timeout: TIMEOUT_MS },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${TIMEOUT_MS} ms (hang)`)));
    req.on('error', reject);
    req.end(body);
  });
}

/** Raw bytes; the answer is the status of the first line that comes back. */
function raw(port: number, bytes: Buffer, after?: Buffer): Promise<Reply> {
  return new Promise<Reply>((resolve, reject) => {
    const s = connect(port, '127.0.0.1');
    let text = '';
    const timer = setTimeout(() => s.destroy(new Error(`no answer within ${TIMEOUT_MS} ms (hang)`)), TIMEOUT_MS);
    const done = () => {
      clearTimeout(timer);
      const m = /^HTTP\/1\.1 (\d{3})/.exec(text);
      if (m) resolve({ status: Number(m[1]), body: text });
      else reject(new Error(`closed without an answer: ${JSON.stringify(text.slice(0, 80))}`));
    };
    s.on('data', (d) => {
      text += d.toString('latin1');
      if (text.includes('\r\n') && after) {
        s.write(after); // junk frames after a successful upgrade
        after = undefined;
        setTimeout(() => s.end(), 20);
      } else if (text.includes('\r\n\r\n') && !after) s.end();
    });
    s.on('error', (e) => {
      clearTimeout(timer);
      if (/^HTTP\/1\.1 \d{3}/.test(text)) done();
      else reject(e);
    });
    s.on('close', done);
    s.write(bytes);
  });
}

function rawInput(rng: Rng, port: number, token: string, upgrade: boolean): { bytes: Buffer; after?: Buffer } {
  const host = rng.chance(0.9) ? `Host: 127.0.0.1:${port}\r\n` : rng.pick(['', 'Host: evil.example\r\n']);
  if (!upgrade) {
    const line = rng.pick([
      '\u0000\u0001\u0002 GARBAGE\r\n',
      'GET / HTTP/9.9\r\n',
      'GET\r\n',
      `POST /api/status HTTP/1.1\r\nX-Hyperdesk-Token: ${token}\r\nContent-Length: -5\r\n`,
      `POST /api/status HTTP/1.1\r\nX-Hyperdesk-Token: ${token}\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n`,
      `GET /${'a'.repeat(rng.pick([9000, 70_000]))} HTTP/1.1\r\n`,
      `GET / HTTP/1.1\r\nX-Big: ${'b'.repeat(20_000)}\r\n`,
    ]);
    return { bytes: Buffer.from(`${line}${line.includes('HTTP/1.1\r\n') ? host : ''}\r\n`, 'latin1') };
  }
  const t = rng.pick([token, 'wrong', '', token + 'x']);
  const p = rng.pick(['/api/events', '/api/events', '/api/other', '/', '/api/events/../events', '//']);
  const key = rng.pick(['dGhlIHNhbXBsZSBub25jZQ==', '', 'not base64!', 'x'.repeat(300)]);
  const version = rng.pick(['13', '8', 'junk', '']);
  const head =
    `GET ${p}?token=${encodeURIComponent(t)} HTTP/1.1\r\n${host}Connection: Upgrade\r\nUpgrade: ${rng.pick(['websocket', 'h2c', 'junk'])}\r\n` +
    (key ? `Sec-WebSocket-Key: ${key}\r\n` : '') +
    (version ? `Sec-WebSocket-Version: ${version}\r\n` : '') +
    '\r\n';
  // After an accepted upgrade: junk frames (unmasked, reserved opcodes, oversized lengths).
  const after = Buffer.from(Array.from({ length: rng.int(2, 64) }, () => rng.int(0, 255)));
  return { bytes: Buffer.from(head, 'latin1'), after };
}

/** Why the reply to `input` is wrong, or undefined when it is fine. */
function judge(input: WebInput, r: Reply, apiMethod: string | undefined): string | undefined {
  const upgrade = input.kind === 'raw' && input.upgrade;
  const ok =
    (r.status >= 200 && r.status < 300) || (r.status >= 400 && r.status < 500) || (upgrade && r.status === 101);
  if (!ok) return `status ${r.status}: ${r.body.slice(0, 200)}`;
  if (input.kind === 'raw' || r.status < 400 || input.kind === 'static') return undefined;
  let error: unknown;
  try {
    error = (JSON.parse(r.body) as { error?: unknown }).error;
  } catch {
    return `status ${r.status} without a JSON body: ${r.body.slice(0, 200)}`;
  }
  if (typeof error !== 'string' || error === '') return `status ${r.status} without an error message`;
  if (apiMethod !== undefined && [400, 404, 405, 413].includes(r.status) && !error.includes(apiMethod))
    return `status ${r.status}: the error does not name the method ${JSON.stringify(apiMethod)}: ${error}`;
  return undefined;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runWebFuzz(opts: {
  count: number;
  seed: number;
  log?: (line: string) => void;
}): Promise<WebFuzzResult> {
  const t0 = performance.now();
  const dir = await mkdtemp(path.join(tmpdir(), 'hyperdesk-webfuzz-'));
  const staticDir = path.join(dir, 'static');
  await mkdir(path.join(dir, 'data'), { recursive: true });
  await mkdir(staticDir);
  await writeFile(path.join(staticDir, 'index.html'), '<!doctype html><title>t</title>');
  const disk = path.join(dir, 'data', 'hyperdesk.img'); // the host opens disks only from its folders
  await copyFile(await ensureDisks(), disk);
  const host = createHost('web', { dataDir: path.join(dir, 'data') });
  const server = await startWebServer({ port: 0, staticDir, api: host });
  const port = Number(new URL(server.url).port);
  const token = server.token;
  const api = (method: string, args: unknown[]) =>
    http(port, 'POST', `/api/${method}`, { 'X-Hyperdesk-Token': token }, JSON.stringify(args));
  const result: WebFuzzResult = {
    fuzz: 'web',
    inputs: 0,
    failures: 0,
    exceptions: 0,
    seed: opts.seed,
    ms: 0,
    statuses: {},
  };
  const fail = (i: number, what: string, why: string) => {
    result.failures++;
    opts.log?.(JSON.stringify({ fuzz: 'web', input: i, what: what.slice(0, 300), failure: why }));
  };
  const onCrash = (e: unknown) => {
    result.exceptions++;
    opts.log?.(JSON.stringify({ fuzz: 'web', exception: e instanceof Error ? e.stack : String(e) }));
  };
  process.on('uncaughtException', onCrash);
  process.on('unhandledRejection', onCrash);
  try {
    const booted = await host.boot({ ...DEMO_CONFIG, disks: [disk] });
    if (booted.error) throw new Error(`the demo did not boot: ${booted.error}`);
    const cosSays = async (pattern: RegExp, ms: number) => {
      const end = performance.now() + ms;
      for (;;) {
        const r = await api('consoleHistory', [1]);
        if (r.status === 200 && pattern.test((JSON.parse(r.body) as { data: string }).data)) return true;
        if (performance.now() > end) return false;
        await sleep(100);
      }
    };
    if (!(await cosSays(/cos> $/, 120_000))) throw new Error('cos never showed its prompt');

    const rng = new Rng(opts.seed);
    for (let i = 0; i < opts.count; i++) {
      const local = rng.fork(i + 0x40000000);
      let input: WebInput | undefined;
      let what = `input ${i}`;
      let apiMethod: string | undefined;
      let reply: Reply;
      try {
        input = makeInput(rng.fork(i));
        what = JSON.stringify(input).slice(0, 300);
        if (input.kind === 'api') {
          const name = encodeURIComponent(wellFormed(input.method));
          apiMethod = new URL(`/api/${name}`, 'http://x').pathname.slice('/api/'.length);
          const headers: Record<string, string> = { 'Content-Type': 'application/json' };
          if (input.token !== 'none') headers['X-Hyperdesk-Token'] = input.token === 'right' ? token : 'wrong-token';
          if (input.origin) headers.Origin = input.origin;
          reply = await http(
            port,
            input.verb,
            `/api/${name}`,
            headers,
            input.verb === 'GET' || input.verb === 'HEAD' ? undefined : wellFormed(input.body),
          );
          if (input.verb === 'HEAD') reply.body = reply.status >= 400 ? '{"error":"(HEAD: no body)"}' : reply.body;
        } else if (input.kind === 'static') {
          reply = await http(port, input.verb, input.path, {});
        } else if (input.kind === 'big') {
          apiMethod = 'status';
          reply = await http(
            port,
            'POST',
            '/api/status',
            { 'X-Hyperdesk-Token': token },
            'x'.repeat(Math.round(input.mib * (1 << 20))),
          );
        } else {
          const r = rawInput(local, port, token, input.upgrade);
          what = JSON.stringify({ kind: 'raw', bytes: r.bytes.toString('latin1').slice(0, 200) });
          reply = await raw(port, r.bytes, r.after);
        }
        result.statuses[reply.status] = (result.statuses[reply.status] ?? 0) + 1;
        // A HEAD answer has no body to name anything: only its status is judged.
        const why =
          input.kind === 'api' && input.verb === 'HEAD'
            ? judge({ kind: 'static', path: '', verb: 'HEAD' }, reply, undefined)
            : judge(input, reply, apiMethod);
        if (why) fail(i, what, why);
        if (process.env.WEBFUZZ_TRACE)
          opts.log?.(`${i} ${reply.status} ${Math.round(performance.now() - t0)}ms ${what.slice(0, 100)}`);
      } catch (e) {
        if (input) fail(i, what, e instanceof Error ? e.message : String(e));
        else onCrash(e); // the generator's own bug: an exception, not a finding
      }
      result.inputs++;
    }

    const trace = (l: string) => (process.env.WEBFUZZ_TRACE ? opts.log?.(l) : undefined);
    trace('final checks');
    // The machine survived: status answers and cos still answers what is typed into it.
    const st = await api('status', []);
    const state = st.status === 200 ? (JSON.parse(st.body) as { state: string }).state : `HTTP ${st.status}`;
    if (state !== 'running') fail(opts.count, 'status() after the run', `state ${state}: ${st.body.slice(0, 200)}`);
    // Typed junk may have started a program in cos or left half a line: Ctrl-C ends the foreground
    // program, a second one drops the line (docs/guests.md).
    await api('consoleInput', [1, '\u0003']);
    await sleep(500);
    await api('consoleInput', [1, '\u0003']);
    const mark = `webfuzz${opts.seed}`;
    const typed = await api('consoleInput', [1, `echo ${mark}\r`]);
    if (typed.status !== 200) fail(opts.count, 'consoleInput after the run', `HTTP ${typed.status}: ${typed.body}`);
    else if (!(await cosSays(new RegExp(`\\n${mark}\\r?\\n`), 30_000)))
      fail(opts.count, 'cos after the run', `cos did not echo ${mark} within 30 s`);
    trace('final checks done');
  } finally {
    if (process.env.WEBFUZZ_TRACE) opts.log?.('closing');
    process.off('uncaughtException', onCrash);
    process.off('unhandledRejection', onCrash);
    await server.close();
    if (process.env.WEBFUZZ_TRACE) opts.log?.('server closed');
    await host.close();
    await rm(dir, { recursive: true, force: true });
  }
  result.ms = Math.round(performance.now() - t0);
  return result;
}
