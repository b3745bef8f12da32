import { describe, expect, it } from 'vitest';
import { parseSaved, resume, type SavedConsole } from './savedConsole.js';

const saved = (over: Partial<SavedConsole> = {}): SavedConsole => ({
  v: 1,
  name: 'cos',
  end: 10,
  tail: 'cos> help\r\n'.slice(-6),
  screen: '\x1b[2J<screen>',
  cols: 80,
  rows: 24,
  ...over,
});

describe('resuming a console after a reload', () => {
  // The guest's console, bytes 0..21; the terminal was saved at 10, after "help\r\n".
  const text = 'xxxx' + 'help\r\n' + 'answered!\r\n';

  it('draws the saved screen, then only the history past the saved end', () => {
    const h = { data: text, end: 21 };
    const s = saved({ tail: text.slice(4, 10) });
    expect(resume(s, 'cos', h)).toEqual({ screen: s.screen, rest: 'answered!\r\n' });
  });

  it('works when the history holds only the last part of the console', () => {
    // The history keeps bytes 1000..1021; the terminal was saved at 1010.
    const h = { data: text.slice(0, 21), end: 1021 };
    const s = saved({ end: 1010, tail: 'earlier bytes ' + text.slice(0, 10) });
    expect(resume(s, 'cos', h)?.rest).toBe('answered!\r\n');
  });

  it('uses the history whole when the saved screen is not this console’s past', () => {
    const h = { data: text, end: 21 };
    // Other bytes before the saved end: another machine that happens to be as long.
    expect(resume(saved({ tail: 'xxhelp' }), 'cos', h)).toBeUndefined();
    // Saved past where the console is now: the machine was booted again since.
    expect(resume(saved({ end: 30, tail: 'a' }), 'cos', h)).toBeUndefined();
    // Another guest under the same id.
    expect(resume(saved({ tail: text.slice(4, 10) }), 'swos', h)).toBeUndefined();
    // The history no longer reaches back to the saved end: the bytes between are gone.
    expect(resume(saved({ end: 5, tail: 'xxxxh' }), 'cos', { data: text.slice(10), end: 21 })).toBeUndefined();
    // Nothing to check the place by (the saved end is the history's first byte, not byte 0).
    expect(resume(saved({ end: 10, tail: 'help\r\n' }), 'cos', { data: text.slice(10), end: 21 })).toBeUndefined();
    expect(resume(undefined, 'cos', h)).toBeUndefined();
  });

  it('reads back only what it saved', () => {
    const s = saved();
    expect(parseSaved(JSON.stringify(s))).toEqual(s);
    expect(parseSaved(null)).toBeUndefined();
    expect(parseSaved('{')).toBeUndefined();
    expect(parseSaved(JSON.stringify({ ...s, v: 2 }))).toBeUndefined();
    expect(parseSaved(JSON.stringify({ ...s, end: '10' }))).toBeUndefined();
  });
});
