/**
 * The page's one way to reach the app. In Electron the preload exposes `window.hyperdesk` (IPC);
 * in the web mode the same calls go to `POST /api/<method>` with the run's token, which the page
 * got in its own address (`?token=...`), and events arrive over a WebSocket at `/api/events`,
 * reconnected with back-off when it drops (the page then re-reads what it shows: see `onReconnect`).
 * A server that stops is noticed (the stream closes, or a call cannot reach it) and shown through
 * `onConnection` (connection.ts).
 */
import {
  checkArgs,
  HOST_METHODS,
  type HostApi,
  type HostClient,
  type HostEvent,
  type HostMethod,
  type HostMode,
} from '../shared/api.js';
import { decodeConsoleFrame } from '../shared/consoleFrame.js';
import { Connection, type ConnectionState } from './connection.js';

declare global {
  interface Window {
    /** Set by the preload in Electron; absent in a browser. */
    hyperdesk?: HostClient;
  }
}

export interface Client {
  api: HostClient;
  transport: HostMode;
  /** Called after the event stream came back from a drop (events in between are lost). */
  onReconnect(listener: () => void): () => void;
  /** The link to the app: open, lost (reconnecting by itself) or refused. Electron: always open. */
  onConnection(listener: (s: ConnectionState) => void): () => void;
  /** Try to reconnect now instead of at the next scheduled try. */
  retryNow(): void;
}

export function connect(): Client {
  if (window.hyperdesk) {
    return {
      api: window.hyperdesk,
      transport: 'electron',
      onReconnect: () => () => {},
      onConnection: () => () => {},
      retryNow: () => {},
    };
  }
  const token = new URLSearchParams(window.location.search).get('token') ?? '';
  const post = (method: HostMethod, args: unknown[]) =>
    fetch(`/api/${method}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Hyperdesk-Token': token },
      body: JSON.stringify(args),
    });
  // Does the server answer this page? A refused token means it was started again with another one.
  const probe = async (): Promise<'ok' | 'refused' | 'down'> => {
    const res = await post('status', []);
    return res.status === 401 ? 'refused' : res.ok ? 'ok' : 'down';
  };
  const connection = new Connection(probe, () => open());

  const call = async (method: HostMethod, args: unknown[]): Promise<unknown> => {
    const problem = checkArgs(method, args);
    if (problem) throw new TypeError(problem);
    const blocked = connection.blocked();
    if (blocked) throw blocked;
    let res: Response;
    try {
      res = await post(method, args);
    } catch {
      // fetch rejects only when there is no answer at all: the server is gone.
      connection.lost('the server does not answer');
      throw connection.blocked() ?? new Error('the app is not reachable');
    }
    const body: unknown = await res.json().catch(() => null);
    if (!res.ok) {
      const message =
        typeof body === 'object' && body !== null && 'error' in body ? String(body.error) : res.statusText;
      const hint = res.status === 401 ? ' (open the address that `hyperdesk serve` printed: it carries the token)' : '';
      throw new Error(`${message}${hint}`);
    }
    return body;
  };
  const api = Object.fromEntries(
    HOST_METHODS.map((m) => [m, (...args: unknown[]) => call(m, args)]),
  ) as unknown as HostApi;

  const listeners = new Set<(e: HostEvent) => void>();
  const reconnectListeners = new Set<() => void>();
  let socket: WebSocket | undefined;
  let everOpen = false;
  function open(): void {
    const scheme = window.location.protocol === 'https:' ? 'wss' : 'ws';
    const ws = new WebSocket(`${scheme}://${window.location.host}/api/events?token=${encodeURIComponent(token)}`);
    socket = ws;
    // Console output comes as binary frames (shared/consoleFrame.ts), everything else as JSON text.
    ws.binaryType = 'arraybuffer';
    ws.onopen = () => {
      connection.opened();
      if (everOpen) for (const l of reconnectListeners) l();
      everOpen = true;
    };
    ws.onmessage = (m: MessageEvent) => {
      let e: HostEvent;
      try {
        e = m.data instanceof ArrayBuffer ? decodeConsoleFrame(m.data) : (JSON.parse(String(m.data)) as HostEvent);
      } catch {
        return;
      }
      for (const l of listeners) l(e);
    };
    ws.onclose = () => {
      if (socket !== ws) return;
      socket = undefined;
      connection.lost('the event stream closed');
    };
  }
  open();

  const client: HostClient = {
    ...api,
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  return {
    api: client,
    transport: 'web',
    onReconnect(listener) {
      reconnectListeners.add(listener);
      return () => reconnectListeners.delete(listener);
    },
    onConnection: (listener) => connection.onChange(listener),
    retryNow: () => connection.retryNow(),
  };
}
