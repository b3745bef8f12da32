/**
 * The way back from a replay (docs/recording.md#the-scrubber). A replay takes the running machine's
 * place, so before opening one the page saves the running machine as a snapshot and remembers it
 * here with the configuration it ran with; "Leave replay" boots that configuration and restores
 * the snapshot: the machine as it was when the replay was opened. Kept in the page's storage (a
 * reload during the replay keeps the way back); plain functions over a small key-value interface,
 * so that they are unit-tested.
 */
import type { MachineConfig } from '../../shared/api.js';

export interface ReturnPoint {
  /** The snapshot of the machine that ran before the replay. */
  snapshot: string;
  /** The configuration it ran with (disks included: the snapshot fits only that machine). */
  config: MachineConfig;
  /** The recording whose replay it was taken for. */
  recording: string;
}

export interface KeyStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

const KEY = 'hyperdesk.replayReturn';

/** A snapshot name for the machine before a replay: `pre-replay-20261207-214722`. */
export function returnSnapshotName(now: Date): string {
  const d = now.toISOString().replace(/[^0-9]/g, '');
  return `pre-replay-${d.slice(0, 8)}-${d.slice(8, 14)}`;
}

export function saveReturn(store: KeyStore | undefined, p: ReturnPoint): void {
  store?.setItem(KEY, JSON.stringify(p));
}

/** The way back from the replay of `recording`, if one was kept (and is well-formed). */
export function readReturn(store: KeyStore | undefined, recording: string): ReturnPoint | undefined {
  try {
    const p = JSON.parse(store?.getItem(KEY) ?? 'null') as Partial<ReturnPoint> | null;
    if (!p || typeof p.snapshot !== 'string' || typeof p.config !== 'object' || p.config === null) return undefined;
    return p.recording === recording ? (p as ReturnPoint) : undefined;
  } catch {
    return undefined;
  }
}

export function clearReturn(store: KeyStore | undefined): void {
  store?.removeItem(KEY);
}

/** The page's session storage (a tab's own: another tab's replay is not this one's), if any. */
export function pageSession(): KeyStore | undefined {
  try {
    return window.sessionStorage;
  } catch {
    return undefined;
  }
}
