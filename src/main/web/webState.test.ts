/** serve's token and port, kept in the data folder so a restarted server has the same address. */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadWebState, saveWebState, WEB_STATE_FILE } from './webState.js';

const dir = mkdtempSync(path.join(tmpdir(), 'hyperdesk-webstate-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('web state', () => {
  it('makes a new token and no port the first time, and reads back what was saved, owner-only', () => {
    const first = loadWebState(dir);
    expect(first.port).toBe(0);
    expect(first.token).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(loadWebState(dir).token).not.toBe(first.token);
    saveWebState(dir, { token: first.token, port: 41234 });
    expect(loadWebState(dir)).toEqual({ token: first.token, port: 41234 });
    expect(statSync(path.join(dir, WEB_STATE_FILE)).mode & 0o777).toBe(0o600);
  });

  it('starts afresh from a file that does not read back', () => {
    for (const bad of ['{', '{"token":"short","port":1}', '{"token":"' + 'a'.repeat(40) + '","port":70000}']) {
      writeFileSync(path.join(dir, WEB_STATE_FILE), bad);
      const s = loadWebState(dir);
      expect(s.port).toBe(0);
      expect(s.token).not.toBe('short');
    }
    expect(readFileSync(path.join(dir, WEB_STATE_FILE), 'utf8')).toContain('70000');
  });
});
