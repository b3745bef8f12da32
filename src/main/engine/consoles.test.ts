import { describe, expect, it } from 'vitest';
import { ConsoleBuffers } from './consoles.js';

const write = (c: ConsoleBuffers, guest: number, text: string) => {
  const sink = c.sink(guest);
  for (const ch of text) sink.write(ch.charCodeAt(0));
};

describe('console buffers', () => {
  it('a guest started again begins on a new line, never glued to its old prompt', () => {
    const c = new ConsoleBuffers();
    const lines: string[] = [];
    c.onLine = (_g, l) => lines.push(l);
    write(c, 1, 'cos 0.1\r\ncos> ');
    c.breakLine(1);
    write(c, 1, 'cos 0.1\r\n');
    expect(c.drain()).toEqual([{ guest: 1, data: 'cos 0.1\r\ncos> \r\ncos 0.1\r\n', end: 25 }]);
    expect(lines).toEqual(['cos 0.1', 'cos 0.1']);
    // At the start of a line (or of the console) there is nothing to break.
    c.breakLine(1);
    c.breakLine(2);
    expect(c.drain()).toEqual([]);
    expect(c.history(1).data).toBe('cos 0.1\r\ncos> \r\ncos 0.1\r\n');
  });
});
