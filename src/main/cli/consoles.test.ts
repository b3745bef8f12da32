/**
 * The CLI's console mux stays bounded (docs/security.md#floods): a guest that floods loses its own
 * bytes past CLI_PENDING_BYTES a flush, with a marker under its name; a lagging terminal drops a
 * flush's output and charges each guest its own bytes; the other guests' lines are kept.
 */
import { describe, expect, it } from 'vitest';
import { ConsoleMux } from './consoles.js';
import { CLI_PENDING_BYTES } from './terminal.js';

const text = (chunks: Uint8Array[]) => chunks.map((c) => Buffer.from(c).toString('latin1')).join('');

describe('ConsoleMux bounds', () => {
  it('drops a flood past its capacity and says so under the flooder’s name', () => {
    const written: Uint8Array[] = [];
    const mux = new ConsoleMux((b) => written.push(b));
    const quiet = mux.sink('cos');
    for (const b of Buffer.from('hello\r\n')) quiet.write(b);
    const loud = mux.sink('flood');
    for (let i = 0; i < 4 * CLI_PENDING_BYTES; i++) loud.write(0x41);
    expect(mux.droppedFrom('flood')).toBeGreaterThan(3 * CLI_PENDING_BYTES);
    mux.flush();
    const out = text(written);
    expect(out.startsWith('cos   | hello\n')).toBe(true);
    expect(out.length).toBeLessThan(CLI_PENDING_BYTES + 100);
    expect(out).toMatch(/\nflood \| \[output dropped: \d+ bytes\]\n$/);
  });

  it('drops a flush while the terminal lags and reports each guest’s own bytes later', () => {
    const written: Uint8Array[] = [];
    let lag = true;
    const mux = new ConsoleMux(
      (b) => written.push(b),
      () => !lag,
    );
    const a = mux.sink('a');
    const b = mux.sink('b');
    for (const c of Buffer.from('12345')) a.write(c);
    for (const c of Buffer.from('xy')) b.write(c);
    mux.flush();
    expect(written).toHaveLength(0);
    lag = false;
    for (const c of Buffer.from('ok\n')) a.write(c);
    mux.flush();
    const out = text(written);
    expect(out).toContain('a     | [output dropped: 5 bytes]\n');
    expect(out).toContain('b     | [output dropped: 2 bytes]\n');
    expect(out.startsWith('a     | ok\n')).toBe(true);
  });
});
