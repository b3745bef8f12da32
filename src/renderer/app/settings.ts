/**
 * What the window remembers across reloads and restarts (docs/app.md#settings), in the page's
 * localStorage (in Electron, the app's own profile): the user's settings (console font size and
 * theme, consoles as tabs or grid, the engine the top bar boots with) and where the user was (the
 * console tab, the editor's open files and the file shown). Everything read back is checked: a value
 * from an older version or edited by hand falls back to its default, never breaks the page.
 */
import type { EngineKind } from '../../shared/api.js';
import { CONSOLE_RENDERERS, type ConsoleRenderer } from '../consoles/renderer.js';

export type ConsoleTheme = 'dark' | 'light' | 'amber';

export interface Settings {
  /** Console font size in CSS pixels, 10..24. */
  fontSize: number;
  consoleTheme: ConsoleTheme;
  /** Consoles as one tab at a time or a tiled grid (Ctrl+Shift+G). */
  layout: 'tabs' | 'grid';
  /** The engine the top bar's Boot uses (a saved machine has its own). */
  engine: EngineKind;
  /** Which renderer draws the consoles (consoles/renderer.ts): auto, WebGL or DOM. */
  consoleRenderer: ConsoleRenderer;
}

/** Where the user was: restored after a reload. Files are named by guest name, ids change per boot. */
export interface Place {
  /** The console tab shown (guest name). */
  consoleTab?: string;
  /** Open editor files, `guest/file`, in the order opened. */
  openFiles: string[];
  /** The file shown in the editor, `guest/file`. */
  currentFile?: string;
}

export const DEFAULT_SETTINGS: Settings = {
  fontSize: 13,
  consoleTheme: 'dark',
  layout: 'tabs',
  engine: 'interp',
  consoleRenderer: 'auto',
};

const SETTINGS_KEY = 'hyperdesk.settings';
const PLACE_KEY = 'hyperdesk.place';
const THEMES: readonly ConsoleTheme[] = ['dark', 'light', 'amber'];
const FILE_KEY = /^[A-Za-z0-9_.+-]{1,32}\/[A-Za-z0-9_.-]{1,64}$/;

/** The part of Storage used here (a test passes a Map-backed one). */
export type KeyValue = Pick<Storage, 'getItem' | 'setItem'>;

function readJson(store: KeyValue, key: string): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(store.getItem(key) ?? '{}');
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** The settings as stored, each field checked (a bad one is its default). */
export function parseSettings(raw: Record<string, unknown>): Settings {
  const s = { ...DEFAULT_SETTINGS };
  const size = raw['fontSize'];
  if (typeof size === 'number' && Number.isInteger(size) && size >= 10 && size <= 24) s.fontSize = size;
  if (THEMES.includes(raw['consoleTheme'] as ConsoleTheme)) s.consoleTheme = raw['consoleTheme'] as ConsoleTheme;
  if (raw['layout'] === 'tabs' || raw['layout'] === 'grid') s.layout = raw['layout'];
  if (raw['engine'] === 'interp' || raw['engine'] === 'jit') s.engine = raw['engine'];
  if (CONSOLE_RENDERERS.includes(raw['consoleRenderer'] as ConsoleRenderer)) {
    s.consoleRenderer = raw['consoleRenderer'] as ConsoleRenderer;
  }
  return s;
}

export function parsePlace(raw: Record<string, unknown>): Place {
  const str = (v: unknown) => (typeof v === 'string' && v.length <= 100 ? v : undefined);
  const files = Array.isArray(raw['openFiles']) ? raw['openFiles'] : [];
  const openFiles = [...new Set(files.filter((f): f is string => typeof f === 'string' && FILE_KEY.test(f)))].slice(
    0,
    20,
  );
  const current = str(raw['currentFile']);
  return {
    consoleTab: str(raw['consoleTab']),
    openFiles,
    currentFile: current && openFiles.includes(current) ? current : undefined,
  };
}

type Listener = (s: Settings) => void;

/** The window's one copy of the settings and the place, written through on every change. */
export class Preferences {
  private current: Settings;
  private where: Place;
  private readonly listeners = new Set<Listener>();

  constructor(private readonly store: KeyValue | undefined) {
    this.current = store ? parseSettings(readJson(store, SETTINGS_KEY)) : { ...DEFAULT_SETTINGS };
    this.where = store ? parsePlace(readJson(store, PLACE_KEY)) : { openFiles: [] };
  }

  get settings(): Readonly<Settings> {
    return this.current;
  }

  get place(): Readonly<Place> {
    return this.where;
  }

  /** Changes settings (checked as when read back) and tells every listener. */
  set(change: Partial<Settings>): void {
    this.current = parseSettings({ ...this.current, ...change });
    this.write(SETTINGS_KEY, this.current);
    for (const l of this.listeners) l(this.current);
  }

  onChange(l: Listener): void {
    this.listeners.add(l);
  }

  remember(change: Partial<Place>): void {
    this.where = parsePlace({ ...this.where, ...change });
    this.write(PLACE_KEY, this.where);
  }

  private write(key: string, value: unknown): void {
    try {
      this.store?.setItem(key, JSON.stringify(value));
    } catch {
      // Storage full or refused (a private window): the settings hold for this page only.
    }
  }
}

/** The page's storage, or undefined where the browser refuses it. */
export function pageStorage(): KeyValue | undefined {
  try {
    return window.localStorage;
  } catch {
    return undefined;
  }
}
