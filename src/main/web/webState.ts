/**
 * What `hyperdesk serve` keeps between runs in the data folder (`web.json`, readable by its owner
 * only): the token and the port it last used, so that a page left open finds a restarted server at
 * the same address and reconnects by itself (docs/app.md#connection). The token still guards the
 * API as before; it is just not new at each start.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface WebState {
  token: string;
  port: number;
}

export const WEB_STATE_FILE = 'web.json';

/** The saved state, or a new token and no port (0) when there is none or it does not read back. */
export function loadWebState(dataDir: string): WebState {
  try {
    const s = JSON.parse(readFileSync(join(dataDir, WEB_STATE_FILE), 'utf8')) as Partial<WebState>;
    if (
      typeof s.token === 'string' &&
      /^[A-Za-z0-9_-]{32,128}$/.test(s.token) &&
      Number.isInteger(s.port) &&
      (s.port as number) >= 0 &&
      (s.port as number) < 65536
    ) {
      return { token: s.token, port: s.port as number };
    }
  } catch {
    // Missing or unreadable: start afresh.
  }
  return { token: randomBytes(24).toString('base64url'), port: 0 };
}

export function saveWebState(dataDir: string, state: WebState): void {
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, WEB_STATE_FILE);
  writeFileSync(file, JSON.stringify(state) + '\n', { mode: 0o600 });
  chmodSync(file, 0o600);
}
