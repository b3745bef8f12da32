/**
 * The engine's console buffers stay bounded however fast a guest writes (docs/security.md#floods):
 * what does not fit before the next drain is dropped, counted, and shown as one marker line in that
 * guest's console only; the history keeps the newest HISTORY_BYTES; `end` stays a byte count the
 * page can splice on.
 */
import { describe, expect, it } from 'vitest';
import { ConsoleBuffers, HISTORY_BYTES, PENDING_BYTES, VIEWER_BYTES_PER_SECOND } from './consoles.js';

describe('ConsoleBuffers under a flood', () => {
  it('keeps PENDING_BYTES a drain, drops the rest with a marker in the flooder’s console only', () => {
    const c = new ConsoleBuffers();
    const flood = c.sink(1);
    const quiet = c.sink(2);
    for (let i = 0; i < 10 * PENDING_BYTES; i++) flood.write(0x41);
    for (const b of Buffer.from('ok\r\n')) quiet.write(b);
    const batches = c.drain();
    const f = batches.find((b) => b.guest === 1)!;
    const q = batches.find((b) => b.guest === 2)!;
    const marker = `\r\n[output dropped: ${9 * PENDING_BYTES} bytes]\r\n`;
    expect(f.data.length).toBe(PENDING_BYTES + marker.length);
    expect(f.data.endsWith(marker)).toBe(true);
    expect(f.data.slice(0, PENDING_BYTES)).toBe('A'.repeat(PENDING_BYTES));
    expect(f.end).toBe(f.data.length);
    expect(q.data).toBe('ok\r\n');
    expect(c.dropped(1)).toBe(9 * PENDING_BYTES);
    expect(c.dropped(2)).toBe(0);
    // The next drain starts afresh: no marker without a new drop.
    flood.write(0x42);
    const again = c.drain().find((b) => b.guest === 1)!;
    expect(again.data).toBe('B');
    expect(again.end).toBe(f.end + 1);
  });

  it('keeps the newest HISTORY_BYTES and an end that matches the batches', () => {
    const c = new ConsoleBuffers();
    const s = c.sink(0);
    let end = 0;
    for (let round = 0; round < 20; round++) {
      for (let i = 0; i < PENDING_BYTES; i++) s.write(0x30 + (round % 10));
      for (const b of c.drain()) end = b.end;
    }
    const h = c.history(0);
    expect(h.end).toBe(end);
    expect(h.end).toBe(20 * PENDING_BYTES);
    expect(h.data.length).toBe(HISTORY_BYTES);
    expect(h.data.endsWith('9'.repeat(PENDING_BYTES))).toBe(true);
  });

  it('still hands ctl’s management channel every complete line while dropping', () => {
    const c = new ConsoleBuffers();
    const lines: string[] = [];
    c.onLine = (g, l) => lines.push(`${g}:${l}`);
    const s = c.sink(0);
    for (let i = 0; i < 2 * PENDING_BYTES; i++) s.write(0x2e);
    for (const b of Buffer.from('\r\n@h1 ok\r\n')) s.write(b);
    expect(lines.at(-1)).toBe('0:@h1 ok');
  });

  it('hands the viewers at most VIEWER_BYTES_PER_SECOND of one guest a second, then a marker', () => {
    const c = new ConsoleBuffers();
    const flood = c.sink(3);
    const quiet = c.sink(1);
    let shown = 0;
    let marker = '';
    // 40 ticks in one wall second, each with a full PENDING_BYTES from the flooder.
    for (let tick = 0; tick < 40; tick++) {
      for (let i = 0; i < PENDING_BYTES; i++) flood.write(0x46);
      quiet.write(0x2e);
      const batches = c.drain(1000 + tick * 25);
      for (const b of batches) if (b.guest === 3) shown += b.data.length;
      // The quiet guest is never held back by the flooder's share.
      expect(batches.find((b) => b.guest === 1)?.data).toBe('.');
    }
    expect(shown).toBeLessThanOrEqual(VIEWER_BYTES_PER_SECOND + PENDING_BYTES);
    // The next second opens with what was dropped in this one.
    flood.write(0x47);
    for (const b of c.drain(2000)) if (b.guest === 3) marker = b.data;
    const m = /\[output dropped: (\d+) bytes\]/.exec(marker);
    expect(Number(m?.[1])).toBe(40 * PENDING_BYTES - shown);
    expect(marker.startsWith('G')).toBe(true);
  });
});

const write = (c: ConsoleBuffers, guest: number, text: string) => {
  const sink = c.sink(guest);
  for (const ch of text) sink.write(ch.charCodeAt(0));
};

describe('console buffers', () => {
  it('keeps the open line (a prompt) with no line listener', () => {
    // Since ctl's channel left the console, nothing sets onLine; prompt waits still need the line.
    const c = new ConsoleBuffers();
    const s = c.sink(3);
    for (const b of Buffer.from('hello\r\ncos> ')) s.write(b);
    expect(c.partialLine(3)).toBe('cos> ');
    for (const b of Buffer.from('ls\r\n')) s.write(b);
    expect(c.partialLine(3)).toBe('');
  });

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

describe('ConsoleBuffers: what a snapshot records and a restore writes (docs/snapshots.md#consoles)', () => {
  it('tail: the last bytes handed out, from a line start', () => {
    const c = new ConsoleBuffers();
    expect(c.tail(0)).toBe('');
    write(c, 0, 'one\r\ntwo\r\ncos> ');
    c.drain();
    expect(c.tail(0)).toBe('one\r\ntwo\r\ncos> ');
    // Cut to a line start within the bound.
    expect(c.tail(0, 9)).toBe('cos> ');
    expect(c.tail(0, 12)).toBe('two\r\ncos> ');
    // Asking took nothing from the page.
    write(c, 0, 'x');
    expect(c.drain()).toEqual([{ guest: 0, data: 'x', end: 16 }]);
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

describe('ConsoleBuffers in a replay (docs/recording.md#the-scrubber)', () => {
  const write = (s: { write(b: number): void }, text: string) => {
    for (const b of Buffer.from(text, 'latin1')) s.write(b);
  };

  it('a checkpoint keeps the bytes not handed out yet, and a restore brings them back as shown', () => {
    const c = new ConsoleBuffers();
    const s = c.sink(1);
    write(s, 'boot\r\n');
    c.drain();
    write(s, 'cos> '); // written since the last drain: a checkpoint in the middle of a tick
    const mark = c.saveState();
    write(s, 'help\r\nlater output\r\n');
    c.drain();
    c.restoreState(mark);
    const [b] = c.rewound();
    expect(b).toEqual({ guest: 1, data: 'boot\r\ncos> ', end: 11, reset: true });
    expect(c.history(1)).toEqual({ data: 'boot\r\ncos> ', end: 11 });
  });

  it('rewound() puts what waits into the history and sends every console whole', () => {
    const c = new ConsoleBuffers();
    const a = c.sink(0);
    const b = c.sink(2);
    write(a, 'ctl> ');
    c.drain();
    write(a, 'x');
    write(b, 'swos$ ');
    const batches = c.rewound();
    expect(batches).toEqual([
      { guest: 0, data: 'ctl> x', end: 6, reset: true },
      { guest: 2, data: 'swos$ ', end: 6, reset: true },
    ]);
    expect(c.drain()).toEqual([]); // nothing is sent twice
  });

  it('seed() starts a console with text that is history, not output', () => {
    const c = new ConsoleBuffers();
    const seen: number[] = [];
    c.onByte = (_g, x) => seen.push(x);
    c.seed(1, 'earlier\r\ncos> ');
    expect(seen).toEqual([]);
    expect(c.drain()).toEqual([]);
    expect(c.history(1)).toEqual({ data: 'earlier\r\ncos> ', end: 14 });
    expect(c.partialLine(1)).toBe('cos> ');
    write(c.sink(1), 'h');
    expect(c.drain()).toEqual([{ guest: 1, data: 'h', end: 15 }]);
  });
});
