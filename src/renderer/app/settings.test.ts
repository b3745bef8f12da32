import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, parsePlace, parseSettings, Preferences, type KeyValue } from './settings.js';

function memory(): KeyValue & { map: Map<string, string> } {
  const map = new Map<string, string>();
  return { map, getItem: (k) => map.get(k) ?? null, setItem: (k, v) => void map.set(k, v) };
}

describe('settings that persist', () => {
  it('reads back what was set, in a new window over the same storage', () => {
    const store = memory();
    const a = new Preferences(store);
    expect(a.settings).toEqual(DEFAULT_SETTINGS);
    const seen: number[] = [];
    a.onChange((s) => seen.push(s.fontSize));
    a.set({ fontSize: 16, consoleTheme: 'amber', layout: 'grid', engine: 'jit', consoleRenderer: 'dom' });
    a.remember({ consoleTab: 'swos', openFiles: ['cos/hello.s', 'cos/motd.txt'], currentFile: 'cos/motd.txt' });
    expect(seen).toEqual([16]);
    const b = new Preferences(store);
    expect(b.settings).toEqual({
      fontSize: 16,
      consoleTheme: 'amber',
      layout: 'grid',
      engine: 'jit',
      consoleRenderer: 'dom',
    });
    expect(b.place).toEqual({
      consoleTab: 'swos',
      openFiles: ['cos/hello.s', 'cos/motd.txt'],
      currentFile: 'cos/motd.txt',
    });
  });

  it('falls back to the default for each value that is not valid', () => {
    expect(
      parseSettings({ fontSize: 99, consoleTheme: 'pink', layout: 'x', engine: 'fast', consoleRenderer: 'canvas' }),
    ).toEqual(DEFAULT_SETTINGS);
    expect(parseSettings({ fontSize: 12.5 }).fontSize).toBe(13);
    const store = memory();
    store.setItem('hyperdesk.settings', '{not json');
    store.setItem('hyperdesk.place', '[1,2]');
    const p = new Preferences(store);
    expect(p.settings).toEqual(DEFAULT_SETTINGS);
    expect(p.place).toEqual({ consoleTab: undefined, openFiles: [], currentFile: undefined });
    // A current file that is not open, odd names and duplicates are dropped.
    expect(parsePlace({ openFiles: ['cos/a.s', 'cos/a.s', 'a/b/c', 'no folder', 7], currentFile: 'cos/b.s' })).toEqual({
      consoleTab: undefined,
      openFiles: ['cos/a.s'],
      currentFile: undefined,
    });
    // A setting out of range is refused on set, too.
    p.set({ fontSize: 3 });
    expect(p.settings.fontSize).toBe(13);
  });

  it('works without storage (the settings hold for the page)', () => {
    const p = new Preferences(undefined);
    p.set({ layout: 'grid' });
    expect(p.settings.layout).toBe('grid');
  });
});
