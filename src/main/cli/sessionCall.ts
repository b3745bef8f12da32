/**
 * Calling the running session's host API from a CLI command (`hyperdesk snapshot`, `hyperdesk
 * record`): the session (`hyperdesk serve`) is found through session.json in the data folder
 * (docs/web.md), and each call is a POST to its /api/METHOD with the session's token, as the web
 * page makes it. One place, so every command reaches the session and reports its errors the same way.
 */
import type { HostApi } from '../../shared/api.js';
import { TOKEN_HEADER } from '../web/server.js';
import { readSessionFile } from '../web/sessionFile.js';

/** One host API call on the session, with the method's own arguments and result. */
export type SessionCall = <M extends keyof HostApi>(
  method: M,
  ...args: Parameters<HostApi[M]>
) => Promise<Awaited<ReturnType<HostApi[M]>>>;

/** A call to the running session's host API over HTTP, or the session's absence as a message. */
export function sessionCaller(data: string): SessionCall | string {
  const s = readSessionFile(data);
  if (typeof s === 'string') return s;
  return async (method, ...args) => {
    let res: Response;
    try {
      res = await fetch(`${s.url}/api/${method}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [TOKEN_HEADER]: s.token },
        body: JSON.stringify(args),
      });
    } catch (e) {
      throw new Error(`the session at ${s.url} (pid ${s.pid}) does not answer: ${(e as Error).message}`);
    }
    const body = (await res.json().catch(() => ({ error: res.statusText }))) as unknown;
    if (!res.ok) throw new Error((body as { error?: string }).error ?? `HTTP ${res.status}`);
    return body as never;
  };
}
