/**
 * Assembling off the calling thread (docs/app.md#assembling, issue 13): the answer comes from the
 * assembler's worker, `.include`s come from the asker's synchronous readFile, a job past its time
 * limit is stopped with a clear error and the next job gets a fresh worker, and the asking thread
 * stays free while a long job runs.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { assembleOffThread, closeAssembler } from './asmThread.js';

/** About a million lines: legal (within docs/isa.md#limits) but seconds of work. */
const SLOW = '.rept 999000\nnop\n.endr';

afterAll(async () => {
  await closeAssembler();
});

describe('assembling on the assembler worker', () => {
  it('answers with the image and diagnostics in reading order', async () => {
    const r = await assembleOffThread({ file: 'a.s', source: '.word 0x11223344\n.byte 5' });
    expect(r.ok).toBe(true);
    expect([...r.bytes]).toEqual([0x44, 0x33, 0x22, 0x11, 5]);
    const bad = await assembleOffThread({ file: 'b.s', source: 'j nowhere\nfrob' });
    expect(bad.ok).toBe(false);
    expect(bad.diagnostics.map((d) => `${d.file}:${d.line}:${d.col}`)).toEqual(['b.s:1:3', 'b.s:2:1']);
  }, 60_000);

  it('reads includes through the asker’s readFile, on the asker’s thread', async () => {
    const asked: string[] = [];
    const readFile = (name: string) => {
      asked.push(name);
      return name === 'five.inc' ? '.word 5' : undefined;
    };
    const r = await assembleOffThread({ file: 'p.s', source: '.include "five.inc"\n.word 6', readFile });
    expect(r.diagnostics).toEqual([]);
    expect([...r.bytes]).toEqual([5, 0, 0, 0, 6, 0, 0, 0]);
    const missing = await assembleOffThread({ file: 'p.s', source: '.include "gone.inc"', readFile });
    expect(missing.diagnostics[0]).toMatchObject({ file: 'p.s', line: 1, col: 10 });
    expect(missing.diagnostics[0]!.message).toMatch(/cannot read include file 'gone.inc'/);
    expect(asked).toEqual(['five.inc', 'gone.inc']);
  }, 60_000);

  it('stops a job at its time limit with a clear error; the next job runs on a fresh worker', async () => {
    const slow = await assembleOffThread({ file: 'slow.s', source: SLOW, timeLimitMs: 300 });
    expect(slow).toMatchObject({ ok: false, timedOut: true });
    expect(slow.diagnostics).toEqual([
      {
        file: 'slow.s',
        line: 1,
        col: 1,
        severity: 'error',
        message: 'assembling slow.s took longer than 300 ms and was stopped (time limit 300 ms)',
      },
    ]);
    const next = await assembleOffThread({ file: 'n.s', source: 'nop' });
    expect(next).toMatchObject({ ok: true, diagnostics: [] });
    expect(next.bytes.length).toBe(4);
  }, 60_000);

  it('leaves the asking thread free while a long job runs', async () => {
    await assembleOffThread({ file: 'warm.s', source: 'nop' });
    const order: string[] = [];
    const job = assembleOffThread({ file: 'slow.s', source: SLOW, timeLimitMs: 30_000 }).then(() =>
      order.push('assembled'),
    );
    // On this thread, a timer fires (and a turn of the event loop runs) while the job is still going.
    await new Promise((r) => setTimeout(r, 20));
    order.push('timer');
    expect(order).toEqual(['timer']);
    await closeAssembler();
    await job;
    expect(order).toEqual(['timer', 'assembled']);
  }, 60_000);
});
