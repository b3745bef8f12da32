import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CSRS, OPCODES } from '../../shared/isa/index.js';
import { WORKLOADS } from '../engine/compare.js';
import { checkArgs } from '../../shared/api.js';
import { ROOT } from './disks.js';
import { createHost } from './host.js';

describe('host API', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'hyperdesk-host-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('describes the app, counts the ISA from the opcode table and says where its store is', async () => {
    const host = createHost('web', { dataDir: path.join(dir, 'a') });
    const info = await host.info();
    expect(info).toEqual({
      name: 'hyperdesk',
      version: expect.stringMatching(/^\d+\.\d+\.\d+/),
      isa: { opcodes: OPCODES.length, csrs: CSRS.length },
      mode: 'web',
      store: { path: path.join(dir, 'a', 'hyperdesk.db') },
      workloads: WORKLOADS.map((w) => w.name),
      workloadTitles: Object.fromEntries(WORKLOADS.map((w) => [w.name, w.title])),
      asm: { directives: expect.any(Array), pseudos: expect.any(Array) },
    });
    expect(info.asm.directives.find((d) => d.name === '.word')?.doc).toMatch(/\w/);
    expect(info.asm.pseudos.find((p) => p.name === 'li')?.syntax).toMatch(/rd/);
    await host.close();
  });

  it('boots disks only from the data folder and the project disks/ folder, leaving others unopened', async () => {
    const host = createHost('web', { dataDir: path.join(dir, 'disks-only') });
    const outside = path.join(dir, 'notes.bin');
    const bytes = new Uint8Array(4096).fill(7); // a multiple of 512: the disk device would take it
    await writeFile(outside, bytes);
    const status = await host.boot({ mode: 'dualboot', disks: [outside] });
    expect(status.state).toBe('failed');
    expect(status.error).toBe(
      `disk ${outside}: not in a folder the app opens disks from (${path.join(dir, 'disks-only')}, ${path.join(ROOT, 'disks')}); copy it there, or boot it from the command line: hyperdesk boot --disk PATH`,
    );
    expect(Buffer.compare(await readFile(outside), bytes)).toBe(0);
    await host.close();
  });

  it('hands out copies, so a caller cannot change what the next one sees', async () => {
    const host = createHost('electron', { dataDir: path.join(dir, 'b') });
    const first = await host.info();
    first.isa.opcodes = -1;
    expect((await host.info()).isa.opcodes).toBe(OPCODES.length);
    await host.close();
  });

  it('runs without its store when the file is not a database, says why, and leaves the file alone', async () => {
    const d = path.join(dir, 'c');
    await rm(d, { recursive: true, force: true });
    await import('node:fs/promises').then((fs) => fs.mkdir(d, { recursive: true }));
    await writeFile(path.join(d, 'hyperdesk.db'), 'not a database at all, but somebody’s notes');
    const host = createHost('web', { dataDir: d });
    const info = await host.info();
    expect(info.store.error).toMatch(/hyperdesk\.db/);
    expect(await host.events(10)).toEqual([]);
    expect(await host.comparisons()).toEqual([]);
    await host.close();
    const { readFile } = await import('node:fs/promises');
    expect(await readFile(path.join(d, 'hyperdesk.db'), 'utf8')).toBe('not a database at all, but somebody’s notes');
  });

  it('runs without its store when there is no build of SQLite for the runtime, says why, opens nothing', async () => {
    const d = path.join(dir, 'f');
    const why = 'the store is off: there is no build of better-sqlite3 for Electron 45.4.1 (somewhere)';
    const host = createHost('electron', { dataDir: d, sqlite: { error: why } });
    expect((await host.info()).store).toEqual({ path: path.join(d, 'hyperdesk.db'), error: why });
    expect(await host.machines()).toEqual([]);
    await host.close();
    const { existsSync } = await import('node:fs');
    expect(existsSync(path.join(d, 'hyperdesk.db'))).toBe(false);
  });

  it('saves machines with the demo’s settings for what is left out, replaces and deletes them', async () => {
    const host = createHost('web', { dataDir: path.join(dir, 'g') });
    const m = await host.saveMachine('small', { cpus: 1, memMiB: 16, engine: 'jit' });
    expect(m).toMatchObject({
      name: 'small',
      config: { mode: 'hypervisor', cpus: 1, memMiB: 16, disks: [], engine: 'jit' },
    });
    await host.saveMachine('small', { mode: 'dualboot', boot: 'swos', cpus: 1, memMiB: 16 });
    expect((await host.machines()).map((x) => [x.name, x.config.mode, x.config.boot])).toEqual([
      ['small', 'dualboot', 'swos'],
    ]);
    await expect(host.saveMachine('bad', { mode: 'dualboot', threads: true })).rejects.toThrow(
      "machine 'bad': threads needs hypervisor mode",
    );
    await host.deleteMachine('small');
    expect(await host.machines()).toEqual([]);
    await expect(host.deleteMachine('small')).rejects.toThrow("no saved machine named 'small'");
    await host.close();
  });

  it('assembles for the editor with file:line:col diagnostics, resolving lib.inc like cos’s disk', async () => {
    const host = createHost('web', { dataDir: path.join(dir, 'd') });
    const good = await host.assemble('hello.s', '.include "lib.inc"\n_start:\n    li a0, 0\n');
    expect(good.diagnostics).toEqual([]);
    expect(good.ok).toBe(true);
    const bad = await host.assemble('x.s', '_start:\n    addi a0, a0\n    frob t0\n');
    expect(bad.ok).toBe(false);
    expect(bad.diagnostics.map((d) => [d.file, d.line, d.col, d.severity])).toEqual([
      ['x.s', 2, expect.any(Number), 'error'],
      ['x.s', 3, 5, 'error'],
    ]);
    expect(bad.diagnostics[1]!.message).toMatch(/frob/);
    await host.close();
  });

  it('answers status while an expensive assemble runs on the assembler’s thread (issue 13)', async () => {
    const host = createHost('web', { dataDir: path.join(dir, 'h'), asmTimeLimitMs: 120_000 });
    // Both workers started first, so what follows measures the order of answers, not start-up.
    expect((await host.status()).state).toBe('off');
    expect((await host.assemble('warm.s', 'nop')).ok).toBe(true);
    const order: string[] = [];
    // About a million lines: within the assembler's limits, seconds of work (it froze the server for 89 s).
    const job = host.assemble('slow.s', '.rept 999000\nnop\n.endr').then((r) => {
      order.push('assembled');
      return r;
    });
    expect((await host.status()).state).toBe('off');
    order.push('status');
    expect((await host.info()).name).toBe('hyperdesk');
    order.push('info');
    expect(order).toEqual(['status', 'info']);
    // Closing the host stops the assembler: the job answers with an error instead of running on.
    await host.close();
    const r = await job;
    expect(order).toEqual(['status', 'info', 'assembled']);
    expect(r.ok).toBe(false);
    expect(r.diagnostics[0]!.message).toMatch(/the assembler was closed/);
  }, 120_000);

  it('refuses machine calls clearly while no machine runs', async () => {
    const host = createHost('web', { dataDir: path.join(dir, 'e') });
    expect((await host.status()).state).toBe('off');
    await expect(host.consoleInput(1, 'x')).rejects.toThrow(/no machine is running/);
    await expect(host.compare('nosuch')).rejects.toThrow(/no workload named 'nosuch'/);
    // The user's own commands come in pairs, one for each OS, and never with a workload.
    await expect(host.compareWith({ cos: 'hello' })).rejects.toThrow(/give cos and swos both/);
    await expect(host.compareWith({ workload: 'primes', cos: 'a', swos: 'b' })).rejects.toThrow(
      /give cos and swos both/,
    );
    await expect(host.compareWith({})).rejects.toThrow(/no workload named ''/);
    expect(checkArgs('compareWith', [{ workload: 'primes', engine: 'fast' }])).toMatch(/engine/);
    expect(checkArgs('compareWith', [{ cos: 'run\r', swos: 'x' }])).toMatch(/cos/);
    expect(checkArgs('compareWith', [{ cos: 'run hello', swos: 'primes 100', technique: 'trap-emulate' }])).toBe(
      undefined,
    );
    await host.close();
  });

  it("runs the user's own commands with the engine and technique chosen, and names the run after them", async () => {
    const host = createHost('web', { dataDir: path.join(dir, 'g') });
    const run = await host.compareWith({ cos: 'hello', swos: 'primes 100', engine: 'jit', technique: 'hardware' });
    expect(run.workload).toBe("custom: cos 'hello', swos 'primes 100' (jit, hardware)");
    expect(run.dualboot.hypervisorShare).toBe(0);
    expect(run.hypervisor.hypervisorShare).toBeGreaterThan(0);
    expect((await host.comparisons()).at(-1)).toEqual(run);
    await host.close();
  }, 300_000);

  it('runs one comparison at a time and refuses the others clearly (issue 13)', async () => {
    const host = createHost('web', { dataDir: path.join(dir, 'f') });
    const first = host.compare('primes');
    await expect(host.compare('burner')).rejects.toThrow(/a comparison \(primes\) is running: one at a time/);
    const run = await first;
    expect(run.workload).toBe('primes');
    // Once it has finished, the next one runs (refused only while one runs).
    expect((await host.compare('primes')).workload).toBe('primes');
    await host.close();
  }, 300_000);
});
