/**
 * Where the app keeps its data when no shell says otherwise: the CLI, the web mode and tests use
 * this; the Electron shell passes $HYPERDESK_DATA when set, else its own userData folder.
 */
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';

/** The store's file name inside the data folder. */
export const STORE_FILE = 'hyperdesk.db';

/** `$HYPERDESK_DATA` if set, else `$XDG_DATA_HOME/hyperdesk` (if absolute), else `~/.local/share/hyperdesk`. */
export function dataDir(env: NodeJS.ProcessEnv = process.env, home: string = homedir()): string {
  if (env.HYPERDESK_DATA) return env.HYPERDESK_DATA;
  // The XDG spec: a relative XDG_DATA_HOME is invalid and is ignored.
  if (env.XDG_DATA_HOME && isAbsolute(env.XDG_DATA_HOME)) return join(env.XDG_DATA_HOME, 'hyperdesk');
  return join(home, '.local', 'share', 'hyperdesk');
}

/** The store's path in a data folder (default: dataDir()). */
export function storePath(dir: string = dataDir()): string {
  return join(dir, STORE_FILE);
}
