/** The console buffers' snapshot record (tail) and the app's own text (note): docs/snapshots.md#consoles. */
import { describe, expect, it } from 'vitest';
import { ConsoleBuffers } from './consoles.js';

const write = (c: ConsoleBuffers, guest: number, text: string) => {
  const sink = c.sink(guest);
  for (const ch of text) sink.write(ch.charCodeAt(0));
};

describe('ConsoleBuffers', () => {
  it('tail: the last bytes from a line start, bytes not yet drained included', () => {
    const c = new ConsoleBuffers();
    expect(c.tail(0)).toBe('');
    write(c, 0, 'one\r\ntwo\r\n');
    c.drain();
    write(c, 0, 'cos> ');
    expect(c.tail(0)).toBe('one\r\ntwo\r\ncos> ');
    // Cut to a line start within the bound.
    expect(c.tail(0, 9)).toBe('cos> ');
    expect(c.tail(0, 12)).toBe('two\r\ncos> ');
    // Asking did not take the pending bytes from the page.
    expect(c.drain()).toEqual([{ guest: 0, data: 'cos> ', end: 15 }]);
  });

  it('note: reaches the page like output, not the line listener', () => {
    const c = new ConsoleBuffers();
    const lines: string[] = [];
    c.onLine = (_g, l) => lines.push(l);
    write(c, 0, 'ctl> ok\n');
    c.note(0, '[restored]\r\n');
    expect(lines).toEqual(['ctl> ok']);
    expect(c.drain()).toEqual([{ guest: 0, data: 'ctl> ok\n[restored]\r\n', end: 20 }]);
    expect(c.history(0).data).toBe('ctl> ok\n[restored]\r\n');
  });
});
