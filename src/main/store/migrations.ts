/**
 * The store's schema, as a list of numbered migrations (docs/architecture.md#the-store). SQLite's
 * `user_version` says which ones a database has had; opening applies the missing ones, in order, in
 * one transaction, so a database is always at one version of the list and never between two. A
 * migration is never edited once released: a change of schema is a new entry at the end.
 */
import type { Database } from 'better-sqlite3';

export interface Migration {
  /** 1, 2, 3 ...: the user_version the database has once this migration is applied. */
  version: number;
  /** What it does, in words (shown when it fails). */
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'machines, partition tables, events, comparisons',
    sql: `
      CREATE TABLE machines (
        id         INTEGER PRIMARY KEY,
        name       TEXT NOT NULL UNIQUE,
        config     TEXT NOT NULL,          -- MachineConfig as JSON
        updated_at TEXT NOT NULL           -- ISO time
      );
      CREATE TABLE partition_tables (
        id         INTEGER PRIMARY KEY,
        machine_id INTEGER NOT NULL REFERENCES machines(id) ON DELETE CASCADE,
        text       TEXT NOT NULL,          -- ctl's parttab, as a person would edit it
        saved_at   TEXT NOT NULL
      );
      CREATE INDEX partition_tables_by_machine ON partition_tables(machine_id, id);
      CREATE TABLE events (
        id         INTEGER PRIMARY KEY,
        at         TEXT NOT NULL,
        guest      INTEGER,                -- partition id; NULL for the machine itself
        guest_name TEXT NOT NULL,
        kind       TEXT NOT NULL,
        detail     TEXT NOT NULL
      );
      CREATE TABLE comparisons (
        id         INTEGER PRIMARY KEY,
        at         TEXT NOT NULL,
        workload   TEXT NOT NULL,
        dualboot   TEXT NOT NULL,          -- RunFigures as JSON
        hypervisor TEXT NOT NULL           -- RunFigures as JSON
      );
    `,
  },
  {
    version: 2,
    name: 'snapshots',
    sql: `
      CREATE TABLE snapshots (
        id         INTEGER PRIMARY KEY,
        name       TEXT NOT NULL UNIQUE,
        machine_id INTEGER REFERENCES machines(id) ON DELETE SET NULL,
        created_at TEXT NOT NULL,          -- ISO time
        seconds    REAL NOT NULL,          -- machine time at the snapshot
        mode       TEXT NOT NULL,          -- dualboot | hypervisor
        file       TEXT NOT NULL,          -- the snapshot file (absolute)
        bytes      INTEGER NOT NULL,       -- its size
        parent_id  INTEGER REFERENCES snapshots(id) ON DELETE SET NULL,
        disks      TEXT NOT NULL           -- JSON array: each disk's frozen file (absolute)
      );
    `,
  },
  {
    version: 3,
    name: 'recordings (docs/recording.md)',
    sql: `
      CREATE TABLE recordings (
        id         INTEGER PRIMARY KEY,
        name       TEXT NOT NULL UNIQUE,
        created_at TEXT NOT NULL,
        mode       TEXT NOT NULL,
        seconds    REAL NOT NULL,          -- machine time covered
        start_file TEXT NOT NULL,          -- the start checkpoint's snapshot file (absolute)
        summary    TEXT NOT NULL,          -- RecordingSummary as JSON
        log        BLOB NOT NULL           -- the recording, gzipped JSON (engine/recordLog.ts)
      );
    `,
  },
];

/** The newest schema this app knows. */
export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1].version;

/** The list is 1, 2, 3 ... with no gap (checked by the tests, and here for lists a test builds). */
export function checkMigrations(list: readonly Migration[]): string | undefined {
  for (let i = 0; i < list.length; i++) {
    if (list[i].version !== i + 1) return `migration ${i + 1} is numbered ${list[i].version}`;
  }
  return undefined;
}

/**
 * Bring `db` from `from` up to the last version of `list` in one transaction: all of them or, when
 * one fails, none (the database stays at `from`). Returns the error's message, or undefined.
 */
export function migrate(db: Database, from: number, list: readonly Migration[] = MIGRATIONS): string | undefined {
  const bad = checkMigrations(list);
  if (bad) return bad;
  const pending = list.filter((m) => m.version > from);
  if (pending.length === 0) return undefined;
  let current: Migration | undefined;
  try {
    db.transaction(() => {
      for (const m of pending) {
        current = m;
        db.exec(m.sql);
        // user_version is part of the database header, so it commits (or rolls back) with the rest.
        db.pragma(`user_version = ${m.version}`);
      }
    }).immediate();
    return undefined;
  } catch (e) {
    const m = current as Migration;
    return `migration ${m.version} (${m.name}) failed: ${(e as Error).message}; the schema stays at version ${from}`;
  }
}
