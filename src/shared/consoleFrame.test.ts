import { describe, expect, it } from 'vitest';
import { decodeConsoleFrame, encodeConsoleFrame, type ConsoleFrameEvent } from './consoleFrame.js';

const every = Array.from({ length: 256 }, (_, i) => String.fromCharCode(i)).join('');

describe('console frames', () => {
  it('carry every byte value, the guest, the end and the reset flag exactly', () => {
    const cases: ConsoleFrameEvent[] = [
      { type: 'console', guest: 0, data: '', end: 0 },
      { type: 'console', guest: 3, data: 'cos> \x1b[32mok\x1b[0m\r\n', end: 17 },
      // 0x80-0x9F (C1 controls) included: the hand-decoded path.
      { type: 'console', guest: 254, data: every.repeat(40), end: 2 ** 40 + 3 },
      // 0xA0-0xFF without C1 bytes: the TextDecoder path.
      { type: 'console', guest: 1, data: 'caf\xe9 \xff\xa0', end: 9, reset: true },
    ];
    for (const e of cases) {
      const frame = encodeConsoleFrame(e)!;
      expect(frame.length).toBe(12 + e.data.length);
      expect(decodeConsoleFrame(frame)).toEqual(e);
      // As the page gets it: an ArrayBuffer.
      expect(decodeConsoleFrame(frame.slice().buffer)).toEqual(e);
    }
  });

  it('leaves text with characters past 255 to JSON', () => {
    expect(encodeConsoleFrame({ type: 'console', guest: 0, data: 'snow \u2603', end: 6 })).toBeUndefined();
  });

  it('refuses a short frame or an unknown kind, saying which', () => {
    expect(() => decodeConsoleFrame(new Uint8Array(5))).toThrow(/5 bytes, shorter than its header/);
    const bad = encodeConsoleFrame({ type: 'console', guest: 0, data: 'x', end: 1 })!;
    bad[0] = 7;
    expect(() => decodeConsoleFrame(bad)).toThrow(/unknown kind 7/);
  });
});
