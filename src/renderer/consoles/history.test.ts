import { describe, expect, it } from 'vitest';
import { ConsoleSplice } from './history.js';

describe('ConsoleSplice', () => {
  it('holds events until the history is in, then writes only what lies past it', () => {
    const s = new ConsoleSplice();
    expect(s.event('abc', 3)).toBe('');
    expect(s.event('def', 6)).toBe('');
    expect(s.event('ghi', 9)).toBe('');
    expect(s.ready).toBe(false);
    // The history answer was made after the second event: it holds bytes 0..6.
    expect(s.history('abcdef', 6)).toBe('abcdefghi');
    expect(s.end).toBe(9);
  });

  it('writes the part of an event that overlaps the history only once', () => {
    const s = new ConsoleSplice();
    expect(s.history('hello wor', 9)).toBe('hello wor');
    expect(s.event('world\r\n', 13)).toBe('ld\r\n');
    expect(s.event('world\r\n', 13)).toBe('');
    expect(s.event('cos> ', 18)).toBe('cos> ');
  });

  it('drops events the history already covers, in any order', () => {
    const s = new ConsoleSplice();
    s.event('xy', 2);
    expect(s.history('xyz', 3)).toBe('xyz');
    expect(s.event('z', 3)).toBe('');
    expect(s.end).toBe(3);
  });

  it('marks a gap when events were missed', () => {
    const s = new ConsoleSplice();
    s.history('ab', 2);
    const out = s.event('XY', 10);
    expect(out).toContain('6 bytes of output missed');
    expect(out.endsWith('XY')).toBe(true);
    expect(s.end).toBe(10);
  });

  it('starts over after a reset', () => {
    const s = new ConsoleSplice();
    s.history('old', 3);
    s.reset();
    expect(s.ready).toBe(false);
    expect(s.event('new', 3)).toBe('');
    expect(s.history('', 0)).toBe('new');
  });
});
