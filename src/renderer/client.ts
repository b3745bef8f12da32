/**
 * The page's one way to reach the app. In Electron the preload exposes `window.hyperdesk` (IPC);
 * in the web mode the same calls go to `POST /api/<method>` with the run's token, which the page
 * got in its own address (`?token=...`).
 */
import type { HostApi, HostMethod, HostMode } from '../shared/api.js';

declare global {
  interface Window {
    /** Set by the preload in Electron; absent in a browser. */
    hyperdesk?: HostApi;
  }
}

export interface Client {
  api: HostApi;
  transport: HostMode;
}

export function connect(): Client {
  if (window.hyperdesk) return { api: window.hyperdesk, transport: 'electron' };
  const token = new URLSearchParams(window.location.search).get('token') ?? '';
  const call = async <M extends HostMethod>(
    method: M,
    args: Parameters<HostApi[M]>,
  ): Promise<Awaited<ReturnType<HostApi[M]>>> => {
    const res = await fetch(`/api/${method}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Hyperdesk-Token': token },
      body: JSON.stringify(args),
    });
    const body: unknown = await res.json().catch(() => null);
    if (!res.ok) {
      const message =
        typeof body === 'object' && body !== null && 'error' in body ? String(body.error) : res.statusText;
      const hint = res.status === 401 ? ' (open the address that `hyperdesk serve` printed: it carries the token)' : '';
      throw new Error(`${method}: HTTP ${res.status}: ${message}${hint}`);
    }
    return body as Awaited<ReturnType<HostApi[M]>>;
  };
  return { api: { info: () => call('info', []) }, transport: 'web' };
}
