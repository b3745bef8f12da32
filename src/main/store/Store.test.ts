import Database from 'better-sqlite3';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MachineConfig, RunFigures } from '../../shared/api.js';
import { dataDir, storePath } from './dataDir.js';
import { migrate, MIGRATIONS, SCHEMA_VERSION, type Migration } from './migrations.js';
import { Store, StoreError } from './Store.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hyperdesk-store-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function open(file = join(dir, 'hyperdesk.db'), opts = {}): Store {
  const s = Store.open(file, opts);
  if (s instanceof StoreError) throw s;
  return s;
}

const config: MachineConfig = { mode: 'hypervisor', cpus: 2, memMiB: 32, disks: ['disks/hyperdesk.img'] };
const figures = (seconds: number): RunFigures => ({
  seconds,
  jobsPerSecond: 2 / seconds,
  instructions: 123_456_789,
  reboots: 1,
  utilisation: 0.42,
});

describe('Store: round trips', () => {
  it('logs events and returns the newest, newest last', () => {
    const s = open();
    const a = s.logEvent({
      at: '2026-11-25T03:00:00.000Z',
      guest: 1,
      guestName: 'cos',
      kind: 'started',
      detail: '8 MiB',
    });
    s.logEvent({ at: '2026-11-25T03:00:01.000Z', guest: null, guestName: 'machine', kind: 'booted', detail: '' });
    const c = s.logEvent({
      at: '2026-11-25T03:00:02.000Z',
      guest: 2,
      guestName: 'swos',
      kind: 'faulted',
      detail: 'pc 0x0',
    });
    expect(a.id).toBeLessThan(c.id);
    expect(s.events(10).map((e) => e.kind)).toEqual(['started', 'booted', 'faulted']);
    expect(s.events(2)).toEqual([
      { id: c.id - 1, at: '2026-11-25T03:00:01.000Z', guest: null, guestName: 'machine', kind: 'booted', detail: '' },
      c,
    ]);
    expect(() => s.events(0)).toThrow(StoreError);
    s.close();
  });

  it('keeps only the newest maxEvents events', () => {
    const s = open(undefined, { maxEvents: 50 });
    for (let i = 1; i <= 250; i++) s.logEvent({ at: `t${i}`, guest: 0, guestName: 'ctl', kind: 'k', detail: `${i}` });
    // Pruned at ids 100, 200: the last prune kept ids above 200 - 50.
    const all = s.events(10_000);
    expect(all.length).toBe(100);
    expect(all[0].detail).toBe('151');
    expect(all[99].detail).toBe('250');
    s.close();
  });

  it('saves machines (an upsert by name) and their partition tables', () => {
    let t = 0;
    const s = open(undefined, { now: () => new Date(Date.UTC(2026, 10, 25, 3, 0, t++)) });
    const m1 = s.saveMachine('lab', config);
    const m2 = s.saveMachine('bare', { ...config, mode: 'dualboot', boot: 'swos', cpus: 1 });
    const again = s.saveMachine('lab', { ...config, memMiB: 64 });
    expect(again.id).toBe(m1.id);
    expect(again.updatedAt).toBe('2026-11-25T03:00:02.000Z');
    expect(s.machines()).toEqual([m2, again]);
    expect(s.machines()[1].config.memMiB).toBe(64);

    const p1 = s.savePartitionTable(m1.id, '1 cos cos 8M 0\n');
    const p2 = s.savePartitionTable(m1.id, '1 cos cos 8M 0\n2 swos swos 4M 1\n');
    s.savePartitionTable(m2.id, '# none\n');
    expect(s.partitionTables(m1.id)).toEqual([p1, p2]);
    expect(s.partitionTables(m2.id).map((p) => p.text)).toEqual(['# none\n']);
    expect(s.partitionTables(999)).toEqual([]);
    expect(() => s.savePartitionTable(999, 'x')).toThrow(/no saved machine 999/);

    // Deleting a machine takes its partition tables with it; a name that is not there says so.
    expect(s.deleteMachine('lab')).toBe(true);
    expect(s.machines()).toEqual([m2]);
    expect(s.partitionTables(m1.id)).toEqual([]);
    expect(s.partitionTables(m2.id).length).toBe(1);
    expect(s.deleteMachine('lab')).toBe(false);
    expect(() => s.saveMachine('', config)).toThrow(StoreError);
    expect(() => s.saveMachine('x', { ...config, cpus: 99 })).toThrow(/cpus must be an integer 1..8/);
    expect(() => s.saveMachine('x', { mode: 'dualboot' } as MachineConfig)).toThrow(/config has no 'cpus'/);
    s.close();
  });

  it('adds comparisons and lists them oldest first', () => {
    const s = open();
    const r1 = s.addComparison({
      at: '2026-11-25T03:10:00.000Z',
      workload: 'primes',
      dualboot: figures(2.5),
      hypervisor: figures(1.25),
    });
    const r2 = s.addComparison({
      at: '2026-11-25T03:11:00.000Z',
      workload: 'burner',
      dualboot: figures(3),
      hypervisor: figures(2),
    });
    expect(s.comparisons()).toEqual([r1, r2]);
    expect(r1.hypervisor.jobsPerSecond).toBe(1.6);
    expect(() =>
      s.addComparison({ at: 'x', workload: 'w', dualboot: figures(1), hypervisor: { ...figures(1), utilisation: 2 } }),
    ).toThrow(/hypervisor figure 'utilisation' must be at most 1/);
    // The hypervisor's share of pCPU time: kept when there (runs stored before it have none), checked.
    const r3 = s.addComparison({
      at: '2026-12-07T21:00:00.000Z',
      workload: 'primes',
      dualboot: { ...figures(1), hypervisorShare: 0 },
      hypervisor: { ...figures(1), hypervisorShare: 0.0126 },
    });
    expect(s.comparisons().at(-1)).toEqual(r3);
    expect(r3.hypervisor.hypervisorShare).toBe(0.0126);
    expect(() =>
      s.addComparison({
        at: 'x',
        workload: 'w',
        dualboot: figures(1),
        hypervisor: { ...figures(1), hypervisorShare: 3 },
      }),
    ).toThrow(/hypervisor figure 'hypervisorShare' must be a number 0..1/);
    s.close();
  });

  it('reports a row that does not read back and leaves it out, instead of throwing', () => {
    const file = join(dir, 'hyperdesk.db');
    const s = open(file);
    s.saveMachine('good', config);
    s.addComparison({ at: 'a', workload: 'primes', dualboot: figures(1), hypervisor: figures(1) });
    const raw = new Database(file);
    raw.prepare("INSERT INTO machines (name, config, updated_at) VALUES ('broken', '{not json', 'x')").run();
    raw.prepare("INSERT INTO machines (name, config, updated_at) VALUES ('odd', '{\"mode\":\"warp\"}', 'x')").run();
    raw.prepare("INSERT INTO comparisons (at, workload, dualboot, hypervisor) VALUES ('b', 'w', '{}', '{}')").run();
    raw.close();
    expect(s.machines().map((m) => m.name)).toEqual(['good']);
    expect(s.comparisons().map((c) => c.workload)).toEqual(['primes']);
    expect(s.problems).toHaveLength(3);
    expect(s.problems[0]).toMatch(/machines row \d+ \('broken'\) is not JSON/);
    expect(s.problems[1]).toMatch(/machines row \d+ \('odd'\) config mode must be dualboot or hypervisor; left out/);
    expect(s.problems[2]).toMatch(/comparisons row 2 dualboot figure 'seconds' must be a number >= 0/);
    expect(s.problems.every((p) => p.startsWith(file))).toBe(true);
    s.close();
  });
});

describe('Store: the file', () => {
  it('creates the folder and the file, in WAL mode, at the newest schema', () => {
    const file = join(dir, 'a', 'b', 'hyperdesk.db');
    const s = open(file);
    expect(s.path).toBe(file);
    expect(s.journalMode).toBe('wal');
    expect(s.schemaVersion).toBe(SCHEMA_VERSION);
    s.logEvent({ at: 't', guest: null, guestName: 'machine', kind: 'booted', detail: '' });
    expect(existsSync(file + '-wal')).toBe(true);
    s.close();
  });

  it('migrates an empty file', () => {
    const file = join(dir, 'empty.db');
    writeFileSync(file, '');
    const s = open(file);
    expect(s.schemaVersion).toBe(SCHEMA_VERSION);
    expect(s.machines()).toEqual([]);
    s.close();
    const raw = new Database(file, { readonly: true });
    const tables = raw.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").pluck().all();
    raw.close();
    expect(tables).toEqual(['comparisons', 'events', 'machines', 'partition_tables', 'recordings', 'snapshots']);
  });

  it('keeps its data across a reopen', () => {
    const file = join(dir, 'hyperdesk.db');
    const s = open(file);
    const m = s.saveMachine('lab', config);
    s.savePartitionTable(m.id, 'parttab');
    s.logEvent({ at: 't', guest: 1, guestName: 'cos', kind: 'started', detail: '' });
    s.addComparison({ at: 'a', workload: 'primes', dualboot: figures(2), hypervisor: figures(1) });
    s.close();
    const again = open(file);
    expect(again.machines()).toEqual([m]);
    expect(again.partitionTables(m.id)[0].text).toBe('parttab');
    expect(again.events(5).map((e) => e.guestName)).toEqual(['cos']);
    expect(again.comparisons()[0].dualboot).toEqual(figures(2));
    again.close();
  });

  it('refuses a database made by a newer hyperdesk and leaves it byte-identical', () => {
    const file = join(dir, 'newer.db');
    const raw = new Database(file);
    raw.pragma('journal_mode = WAL');
    raw.exec('CREATE TABLE future (x); INSERT INTO future VALUES (1)');
    raw.pragma(`user_version = ${SCHEMA_VERSION + 4}`);
    raw.close();
    const before = readFileSync(file);
    const files = readdirSync(dir);
    const r = Store.open(file);
    expect(r).toBeInstanceOf(StoreError);
    const err = r as StoreError;
    expect(err.path).toBe(file);
    expect(err.message).toBe(
      `${file}: made by a newer hyperdesk (schema ${SCHEMA_VERSION + 4}, this app knows ${SCHEMA_VERSION}); not opened, not changed`,
    );
    expect(readFileSync(file).equals(before)).toBe(true);
    expect(readdirSync(dir)).toEqual(files);
  });

  it('refuses a newer database whose changes are still in its -wal without touching db, -wal or -shm', () => {
    // A newer hyperdesk that was killed (or is still running): its last changes, the schema bump
    // among them, are only in the write-ahead log. Copied while its connection is open, as a crash leaves them.
    const live = join(dir, 'live');
    const raw = new Database(join(live + '.db'));
    raw.pragma('journal_mode = WAL');
    raw.pragma('wal_autocheckpoint = 0');
    raw.exec('CREATE TABLE future (x); INSERT INTO future VALUES (1)');
    raw.pragma(`user_version = ${SCHEMA_VERSION + 4}`);
    const file = join(dir, 'newer.db');
    const sides = ['', '-wal', '-shm'];
    for (const ext of sides) writeFileSync(file + ext, readFileSync(live + '.db' + ext));
    raw.close();
    const before = sides.map((ext) => readFileSync(file + ext));
    expect(before[1].length).toBeGreaterThan(0);
    const r = Store.open(file);
    expect((r as StoreError).message).toBe(
      `${file}: made by a newer hyperdesk (schema ${SCHEMA_VERSION + 4}, this app knows ${SCHEMA_VERSION}); not opened, not changed`,
    );
    sides.forEach((ext, i) => expect(readFileSync(file + ext).equals(before[i]), `newer.db${ext} changed`).toBe(true));
    expect(
      readdirSync(dir)
        .filter((f) => f.startsWith('newer.db'))
        .sort(),
    ).toEqual(['newer.db', 'newer.db-shm', 'newer.db-wal']);
  });

  it('refuses a file that is not a database and leaves it byte-identical', () => {
    const file = join(dir, 'hyperdesk.db');
    const garbage = Buffer.from('these are my notes, not a database\n'.repeat(200));
    writeFileSync(file, garbage);
    const r = Store.open(file);
    expect(r).toBeInstanceOf(StoreError);
    expect((r as StoreError).message).toBe(
      `${file}: is not a SQLite database (it does not start with "SQLite format 3"); not opened, not changed`,
    );
    expect(readFileSync(file).equals(garbage)).toBe(true);
    expect(readdirSync(dir)).toEqual(['hyperdesk.db']);
  });

  it('refuses a corrupt database and leaves it byte-identical', () => {
    const file = join(dir, 'hyperdesk.db');
    const s = open(file);
    for (let i = 0; i < 200; i++)
      s.logEvent({ at: 't', guest: 1, guestName: 'cos', kind: 'k', detail: 'x'.repeat(400) });
    s.close();
    const bytes = readFileSync(file);
    expect(bytes.length).toBeGreaterThan(8 * 4096);
    bytes.fill(0xa5, 5 * 4096, 5 * 4096 + 300); // a page of the events table overwritten
    writeFileSync(file, bytes);
    const r = Store.open(file);
    expect(r).toBeInstanceOf(StoreError);
    expect((r as StoreError).message).toMatch(
      new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: is corrupt`),
    );
    expect((r as StoreError).message).toMatch(/not opened, not changed$/);
    expect(readFileSync(file).equals(bytes)).toBe(true);
    expect(readdirSync(dir)).toEqual(['hyperdesk.db']);
  });

  it('says why when the path is a folder or the native module cannot load', () => {
    expect((Store.open(dir) as StoreError).message).toBe(`${dir}: is not a file`);
    const r = Store.open(join(dir, 'x.db'), { nativeBinding: join(dir, 'missing.node') });
    expect(r).toBeInstanceOf(StoreError);
    expect((r as StoreError).message).toMatch(/cannot open: .*missing\.node/);
  });
});

describe('Store: snapshots', () => {
  const snap = (name: string, parent: string | null) => ({
    name,
    machine: 'demo',
    createdAt: '2026-12-07T15:00:00.000Z',
    seconds: 1.25,
    mode: 'dualboot' as const,
    file: `/data/snapshots/${name}.hdsnap`,
    bytes: 127_902,
    parent,
    disks: ['/data/disks/demo.img'],
  });

  it('keeps name, machine, time, mode, file, size, parent and disks; names are unique', () => {
    const s = open();
    s.saveMachine('demo', config);
    const a = s.addSnapshot(snap('a', null));
    const b = s.addSnapshot(snap('b', 'a'));
    expect(a).toEqual({ ...snap('a', null), id: a.id });
    expect(b.parent).toBe('a');
    expect(() => s.addSnapshot(snap('a', null))).toThrow(/cannot save snapshot 'a': UNIQUE constraint/);
    expect(() => s.addSnapshot(snap('../x', null))).toThrow(/not a valid name/);
    // A snapshot of a machine the store does not know keeps machine null.
    expect(s.addSnapshot({ ...snap('c', null), machine: 'other' }).machine).toBeNull();
    // Removing a parent leaves its children, without a parent.
    expect(s.removeSnapshot('a')).toBe(true);
    expect(s.removeSnapshot('a')).toBe(false);
    expect(s.snapshots().map((x) => [x.name, x.parent])).toEqual([
      ['b', null],
      ['c', null],
    ]);
    s.close();
  });

  it('leaves out a row whose disks do not read back, and says so', () => {
    const s = open();
    s.addSnapshot(snap('a', null));
    s.close();
    const raw = new Database(join(dir, 'hyperdesk.db'));
    raw.prepare("UPDATE snapshots SET disks = 'not json'").run();
    raw.close();
    const again = open();
    expect(again.snapshots()).toEqual([]);
    expect(again.problems[0]).toMatch(/snapshots row 1 \('a'\) disks is not a list of paths; left out/);
    again.close();
  });
});

describe('migrations', () => {
  const steps: Migration[] = [
    { version: 1, name: 'one', sql: 'CREATE TABLE a (x)' },
    { version: 2, name: 'two', sql: 'CREATE TABLE b (x)' },
    { version: 3, name: 'three', sql: 'ALTER TABLE a ADD COLUMN y' },
  ];
  const tables = (db: Database.Database) =>
    db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").pluck().all();

  it('applies the missing ones in order and sets user_version', () => {
    const db = new Database(':memory:');
    expect(migrate(db, 0, steps.slice(0, 1))).toBeUndefined();
    expect(db.pragma('user_version', { simple: true })).toBe(1);
    expect(migrate(db, 1, steps)).toBeUndefined();
    expect(db.pragma('user_version', { simple: true })).toBe(3);
    expect(tables(db)).toEqual(['a', 'b']);
    expect(migrate(db, 3, steps)).toBeUndefined();
    db.close();
  });

  it('applies all or none: a failing one leaves the schema where it was', () => {
    const db = new Database(':memory:');
    const broken = [...steps, { version: 4, name: 'four', sql: 'ALTER TABLE nowhere ADD COLUMN z' }];
    expect(migrate(db, 0, broken)).toBe(
      'migration 4 (four) failed: no such table: nowhere; the schema stays at version 0',
    );
    expect(db.pragma('user_version', { simple: true })).toBe(0);
    expect(tables(db)).toEqual([]);
    db.close();
  });

  it('refuses a list with a gap, and the shipped list has none', () => {
    const db = new Database(':memory:');
    expect(migrate(db, 0, [steps[0], steps[2]])).toBe('migration 2 is numbered 3');
    db.close();
    expect(MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
  });
});

describe('dataDir', () => {
  it('prefers HYPERDESK_DATA, then an absolute XDG_DATA_HOME, then ~/.local/share', () => {
    expect(dataDir({ HYPERDESK_DATA: '/d', XDG_DATA_HOME: '/x' }, '/home/u')).toBe('/d');
    expect(dataDir({ XDG_DATA_HOME: '/x' }, '/home/u')).toBe('/x/hyperdesk');
    expect(dataDir({ XDG_DATA_HOME: 'relative' }, '/home/u')).toBe('/home/u/.local/share/hyperdesk');
    expect(dataDir({}, '/home/u')).toBe('/home/u/.local/share/hyperdesk');
    expect(storePath('/d')).toBe('/d/hyperdesk.db');
  });
});
