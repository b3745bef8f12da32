import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readSessionFile, removeSessionFile, sessionFilePath, writeSessionFile } from './sessionFile.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hd-session-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const mine = { url: 'http://127.0.0.1:1234', token: 't0k3n', pid: process.pid, startedAt: '2026-12-07T15:00:00.000Z' };

describe('session.json', () => {
  it('publishes the running session to its user only, and removes only its own', () => {
    expect(readSessionFile(dir)).toMatch(/no running hyperdesk session publishes itself in/);
    writeSessionFile(dir, mine);
    expect(statSync(sessionFilePath(dir)).mode & 0o777).toBe(0o600);
    expect(readSessionFile(dir)).toEqual(mine);
    removeSessionFile(dir, process.pid + 1); // another process's: left alone
    expect(readSessionFile(dir)).toEqual(mine);
    removeSessionFile(dir);
    expect(readSessionFile(dir)).toMatch(/no running hyperdesk session/);
  });

  it('ignores a file left by a process that is gone, and a damaged one', () => {
    writeSessionFile(dir, { ...mine, pid: 2 ** 22 + 12345 }); // above Linux's pid_max
    expect(readSessionFile(dir)).toMatch(/\(pid 4206649\) is no longer running/);
    writeFileSync(sessionFilePath(dir), '{"url":');
    expect(readSessionFile(dir)).toMatch(/session\.json is not JSON/);
    writeFileSync(sessionFilePath(dir), '{"url":"x"}');
    expect(readSessionFile(dir)).toMatch(/lacks url, token or pid/);
  });
});
