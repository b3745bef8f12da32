/**
 * How the `hyperdesk` CLI finds a running session (docs/snapshots.md#from-the-command-line): the
 * process that serves the host API (`hyperdesk serve`) writes `session.json` into the data folder,
 * readable by its user only: the API's address, its per-run token and the process id. It removes
 * the file when it stops; a file left by a process that died is recognised by its pid and ignored.
 */
import { chmodSync, readFileSync, renameSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

export const SESSION_FILE = 'session.json';

export interface SessionFile {
  /** `http://127.0.0.1:PORT`: the API is at `${url}/api/<method>`. */
  url: string;
  token: string;
  pid: number;
  /** ISO time the session started. */
  startedAt: string;
}

export function sessionFilePath(dataDir: string): string {
  return join(dataDir, SESSION_FILE);
}

/** Publish this process's session (atomically, mode 0600). */
export function writeSessionFile(dataDir: string, s: SessionFile): void {
  mkdirSync(dataDir, { recursive: true });
  const path = sessionFilePath(dataDir);
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(s, null, 2) + '\n', { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
}

/** Remove the session file if it is still this process's. */
export function removeSessionFile(dataDir: string, pid = process.pid): void {
  const s = readSessionFile(dataDir);
  if (typeof s !== 'string' && s.pid === pid) rmSync(sessionFilePath(dataDir), { force: true });
}

/** The running session published in `dataDir`, or why there is none. */
export function readSessionFile(dataDir: string): SessionFile | string {
  const path = sessionFilePath(dataDir);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return `no running hyperdesk session publishes itself in ${dataDir} (start one with hyperdesk serve)`;
  }
  let s: Partial<SessionFile>;
  try {
    s = JSON.parse(text) as Partial<SessionFile>;
  } catch {
    return `${path} is not JSON`;
  }
  if (typeof s.url !== 'string' || typeof s.token !== 'string' || !Number.isInteger(s.pid))
    return `${path} lacks url, token or pid`;
  if (!alive(s.pid!)) return `the session in ${path} (pid ${s.pid}) is no longer running`;
  return s as SessionFile;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
