/**
 * The web mode: the built renderer and the host API over HTTP on 127.0.0.1, so that a browser can
 * drive the app where Electron cannot start (and so that the e2e tests can).
 *
 * Security: the API needs a per-run random token (the page reads it from `?token=` and sends it as
 * the `X-Hyperdesk-Token` header); every request must carry a local Host header (DNS rebinding), and
 * a cross-site Origin is refused. Static files are public: they are the same bundle for everyone.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { checkArgs, type HostEvent, type HostMethod, type HostService } from '../../shared/api.js';
import { encodeConsoleFrame } from '../../shared/consoleFrame.js';

export interface WebServerOptions {
  /** 0 picks any free port. */
  port: number;
  host?: '127.0.0.1';
  /** The built renderer (out/renderer). */
  staticDir: string;
  /** The host this server carries (the caller owns it: closing the server does not close the host). */
  api: HostService;
  /**
   * The token to require (default: a new random one). `hyperdesk serve` keeps one per data folder so
   * that a page left open reconnects to a restarted server (docs/app.md#connection).
   */
  token?: string;
}

export interface WebServer {
  /** The page's address, token included: `http://127.0.0.1:PORT/?token=...`. */
  url: string;
  token: string;
  close(): Promise<void>;
}

export const TOKEN_HEADER = 'x-hyperdesk-token';
const MAX_BODY_BYTES = 1 << 20;

/** Events are sent to a socket only while it keeps up; past this many buffered bytes it is dropped. */
const MAX_SOCKET_BUFFER = 8 << 20;

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
  '.map': 'application/json; charset=utf-8',
};

const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy':
    // style-src needs 'unsafe-inline': xterm.js and Monaco put their measurements and themes in
    // <style> elements they create at run time. Scripts stay 'self' only; Monaco's editor worker is
    // a bundled file (worker-src 'self'; blob: for the fallback Monaco uses).
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
    "font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; object-src 'none'; base-uri 'none'; " +
    "form-action 'none'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin',
};

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export async function startWebServer(options: WebServerOptions): Promise<WebServer> {
  const bindHost = options.host ?? '127.0.0.1';
  const staticDir = path.resolve(options.staticDir);
  const api = options.api;
  const token = options.token ?? randomBytes(24).toString('base64url');
  if (token.length < 16) throw new RangeError('the web token must be at least 16 characters');
  let port = 0;

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      const status = e instanceof HttpError ? e.status : 500;
      const message = e instanceof Error ? e.message : String(e);
      if (status === 500) console.error('hyperdesk web: internal error:', e);
      if (!res.headersSent) sendJson(res, status, { error: message });
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.setHeader(k, v);
    if (!isLocalHost(req.headers.host, port)) throw new HttpError(403, 'forbidden: not a local Host header');
    const url = requestUrl(req.url, port);
    if (!url) throw new HttpError(400, 'bad request: malformed path');
    if (url.pathname.startsWith('/api/')) return handleApi(req, res, url.pathname.slice('/api/'.length));
    return serveStatic(req, res, staticDir, url.pathname);
  }

  async function handleApi(req: IncomingMessage, res: ServerResponse, method: string): Promise<void> {
    const origin = req.headers.origin;
    if (origin !== undefined && !isLocalOrigin(origin, port)) throw new HttpError(403, 'forbidden: cross-site request');
    if (!hasToken(req.headers[TOKEN_HEADER], token)) throw new HttpError(401, 'unauthorized: missing or wrong token');
    if (req.method !== 'POST') {
      res.setHeader('Allow', 'POST');
      throw new HttpError(405, `method not allowed: use POST /api/${method}`);
    }
    const args = parseArgs(method, await readBody(req, res, method));
    const problem = checkArgs(method, args);
    if (problem) throw new HttpError(problem.startsWith('no such') ? 404 : 400, problem);
    const call = api[method as HostMethod] as (...a: unknown[]) => Promise<unknown>;
    let value: unknown;
    try {
      value = await call.apply(api, args);
    } catch (e) {
      // A call the host refuses (a bad request it could only see itself) is the caller's problem.
      throw new HttpError(422, e instanceof Error ? e.message : String(e));
    }
    sendJson(res, 200, value);
  }

  // Events: a WebSocket at /api/events?token=..., server to page only (calls go over HTTP).
  const wss = new WebSocketServer({ noServer: true, maxPayload: 1024 });
  const sockets = new Set<WebSocket>();
  server.on('upgrade', (req, socket, head) => {
    const url = requestUrl(req.url, port);
    const origin = req.headers.origin;
    const refuse = (status: string) => {
      // Destroyed once written: a refused client that keeps its end open must not hold server.close()
      // forever (found by `npm run fuzz -- web`, docs/security.md#the-web-face).
      socket.once('finish', () => socket.destroy());
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\n\r\n`);
    };
    if (!isLocalHost(req.headers.host, port)) return refuse('403 Forbidden');
    if (origin !== undefined && !isLocalOrigin(origin, port)) return refuse('403 Forbidden');
    if (!url) return refuse('400 Bad Request');
    if (url.pathname !== '/api/events') return refuse('404 Not Found');
    if (!hasToken(url.searchParams.get('token') ?? undefined, token)) return refuse('401 Unauthorized');
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.add(ws);
      ws.on('close', () => sockets.delete(ws));
      ws.on('error', () => sockets.delete(ws));
      // The page never sends anything over this socket; a message is ignored.
    });
  });
  const unsubscribe = api.subscribe((e: HostEvent) => {
    if (sockets.size === 0) return;
    // Console output as a binary frame (its bytes as they are: shared/consoleFrame.ts), the rest as
    // JSON text (docs/performance.md#console-throughput).
    const text = (e.type === 'console' ? encodeConsoleFrame(e) : undefined) ?? JSON.stringify(e);
    for (const ws of sockets) {
      if (ws.readyState !== ws.OPEN) continue;
      if (ws.bufferedAmount > MAX_SOCKET_BUFFER) {
        ws.close(1013, 'too slow: events dropped, reconnect and reload the history');
        continue;
      }
      ws.send(text);
    }
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, bindHost, () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;

  return {
    url: `http://${bindHost}:${port}/?token=${token}`,
    token,
    close: () =>
      new Promise<void>((resolve, reject) => {
        unsubscribe();
        for (const ws of sockets) ws.terminate();
        wss.close();
        server.close((e) => (e ? reject(e) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/**
 * The request's URL, or undefined when it is none: `//` (a scheme-relative URL without a host) makes
 * `new URL` throw, which was a 500, and in the upgrade handler an uncaught exception that ended the
 * process (found by `npm run fuzz -- web`, docs/security.md#the-web-face).
 */
function requestUrl(target: string | undefined, port: number): URL | undefined {
  try {
    return new URL(target ?? '/', `http://127.0.0.1:${port}`);
  } catch {
    return undefined;
  }
}

function isLocalHost(hostHeader: string | undefined, port: number): boolean {
  if (hostHeader === undefined) return false;
  return ['127.0.0.1', 'localhost', '[::1]'].some((h) => hostHeader === `${h}:${port}`);
}

function isLocalOrigin(origin: string, port: number): boolean {
  return ['127.0.0.1', 'localhost', '[::1]'].some((h) => origin === `http://${h}:${port}`);
}

function hasToken(header: string | string[] | undefined, token: string): boolean {
  if (typeof header !== 'string') return false;
  const a = Buffer.from(header);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Bytes of an oversized body read and thrown away so the 413 reaches the client (then: closed). */
const MAX_DRAIN_BYTES = 64 << 20;

/**
 * The body, at most MAX_BODY_BYTES. A larger one is refused with 413, but only after it was read
 * (and thrown away, up to MAX_DRAIN_BYTES): a server that answers and closes while the client still
 * sends makes the client's TCP stack see a reset instead of the answer (issue 13). So a body over
 * the limit, by its Content-Length or as it comes in, is drained first; the answer then closes.
 */
async function readBody(req: IncomingMessage, res: ServerResponse, method: string): Promise<string> {
  const declared = Number(req.headers['content-length'] ?? 0);
  const chunks: Buffer[] = [];
  let size = 0;
  let tooLarge = declared > MAX_BODY_BYTES;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) tooLarge = true;
    if (tooLarge) {
      chunks.length = 0;
      if (size > MAX_BODY_BYTES + MAX_DRAIN_BYTES) break; // a body without end: stop reading, close
      continue;
    }
    chunks.push(chunk);
  }
  if (tooLarge) {
    res.setHeader('Connection', 'close');
    throw new HttpError(413, `${method}(): request body too large (more than ${MAX_BODY_BYTES} bytes)`);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * The body is a JSON array of the call's arguments; an empty body means no arguments. Every refusal
 * names the method (docs/security.md#the-web-face).
 */
function parseArgs(method: string, body: string): unknown[] {
  if (body.trim() === '') return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new HttpError(400, `${method}(): bad request: the body is not JSON`);
  }
  if (!Array.isArray(parsed))
    throw new HttpError(400, `${method}(): bad request: the body must be a JSON array of arguments`);
  return parsed;
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value ?? null);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(body);
}

async function serveStatic(req: IncomingMessage, res: ServerResponse, root: string, pathname: string): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('Allow', 'GET, HEAD');
    throw new HttpError(405, 'method not allowed');
  }
  let relative: string;
  try {
    relative = decodeURIComponent(pathname);
  } catch {
    throw new HttpError(400, 'bad request: malformed path');
  }
  if (relative.endsWith('/')) relative += 'index.html';
  const file = path.resolve(root, '.' + relative);
  if (file !== root && !file.startsWith(root + path.sep)) throw new HttpError(404, 'not found');
  const info = await stat(file).catch(() => null);
  if (!info?.isFile()) throw new HttpError(404, `not found: ${pathname}`);
  res.writeHead(200, {
    'Content-Type': CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream',
    'Content-Length': info.size,
    'Cache-Control': path.extname(file) === '.html' ? 'no-cache' : 'max-age=3600',
  });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  await new Promise<void>((resolve, reject) => {
    createReadStream(file).on('error', reject).pipe(res).on('finish', resolve).on('error', reject);
  });
}
