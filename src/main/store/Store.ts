/**
 * The app's SQLite store (better-sqlite3; docs/architecture.md#the-store): saved machines, ctl's
 * partition tables, the event log and comparison runs. One file in the data folder, WAL mode, the
 * schema brought up to date by numbered migrations (migrations.ts).
 *
 * What a person has saved is never lost by opening: a file that is not a SQLite database, fails
 * SQLite's quick_check, or was made by a newer hyperdesk is refused with a StoreError that names the
 * file, and it is neither written nor deleted (the app then runs without a store and says why).
 * After a successful open, a failing write (disk full, locked by another process) throws a
 * StoreError naming the file and what was being saved; rows that do not read back are reported
 * through `onProblem` and left out of answers.
 */
import Database from 'better-sqlite3';
import {
  closeSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readSync,
  rmSync,
  statSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import {
  SNAPSHOT_NAME_PATTERN,
  type ComparisonRun,
  type LogEvent,
  type MachineConfig,
  type SavedMachine,
  type SnapshotInfo,
} from '../../shared/api.js';
import { migrate, SCHEMA_VERSION } from './migrations.js';
import { checkMachineConfig, checkRunFigures, parseMachineConfig, parseRunFigures } from './rows.js';

/** Why the store could not be opened or written, naming the file. */
export class StoreError extends Error {
  constructor(
    message: string,
    readonly path: string,
  ) {
    super(message);
    this.name = 'StoreError';
  }
}

export interface StoreOptions {
  /** better-sqlite3's compiled module to load (the Electron build beside the Node one: TOOLCHAIN.md). */
  nativeBinding?: string;
  /** Told of each row that did not read back (default: kept in `problems`, the last 100). */
  onProblem?: (message: string) => void;
  /** The clock for `updated_at` and `saved_at` (tests). */
  now?: () => Date;
  /** Keep about this many of the newest events (default MAX_EVENTS). */
  maxEvents?: number;
}

export interface SavedPartitionTable {
  id: number;
  machineId: number;
  text: string;
  savedAt: string;
}

/** The events table keeps about this many of the newest (older ones are deleted as new ones come). */
export const MAX_EVENTS = 100_000;
/** Old events are deleted at every this many new ones (so an insert stays one statement mostly). */
const PRUNE_EVERY = 100;
const SQLITE_MAGIC = 'SQLite format 3\0';
const MAX_TEXT = 64 * 1024;
const MAX_DETAIL = 4096;

type Row = Record<string, unknown>;

export class Store {
  /** Rows that did not read back, newest last (when no onProblem was given). */
  readonly problems: string[] = [];
  private readonly stmt: ReturnType<Store['prepare']>;
  private readonly now: () => Date;

  private constructor(
    private readonly db: Database.Database,
    /** The database file (absolute). */
    readonly path: string,
    private readonly opts: StoreOptions,
  ) {
    this.now = opts.now ?? (() => new Date());
    this.stmt = this.prepare();
  }

  /**
   * Open (creating the folder and the file if missing) and migrate the store at `file`, or say why
   * not. Nothing is written to a file that is refused.
   */
  static open(file: string, opts: StoreOptions = {}): Store | StoreError {
    const path = resolve(file);
    const fail = (why: string) => new StoreError(`${path}: ${why}`, path);
    const refuse = (why: string) => fail(`${why}; not opened, not changed`);
    try {
      mkdirSync(dirname(path), { recursive: true });
    } catch (e) {
      return fail(`cannot create its folder: ${(e as Error).message}`);
    }
    const header = readHeader(path);
    if (header instanceof Error) return fail(header.message);
    // An empty file is an empty database to SQLite; anything else must start with its magic.
    if (header !== undefined && header.length > 0 && header !== SQLITE_MAGIC) {
      return refuse(`is not a SQLite database (it does not start with "SQLite format 3")`);
    }
    // A database with a write-ahead log beside it: closing a connection to it checkpoints the log into
    // the file and deletes the -wal and -shm, so it is judged on a copy first (issue 13).
    const sideCar = [`${path}-wal`, `${path}-shm`].some((f) => existsSync(f));
    if (sideCar && header !== undefined && header.length > 0) {
      const refused = judgeCopy(path, opts.nativeBinding);
      if (refused) return refuse(refused);
    }
    let db: Database.Database;
    try {
      db = new Database(path, { nativeBinding: opts.nativeBinding, timeout: 5000 });
    } catch (e) {
      return fail(`cannot open: ${(e as Error).message}`);
    }
    const closed = (err: StoreError): StoreError => {
      try {
        db.close();
      } catch {
        // already reported: the error we return
      }
      return err;
    };
    // Only reads until the file has passed both checks.
    const refused = judge(db);
    if (refused) return closed(refuse(refused));
    try {
      const mode = db.pragma('journal_mode = WAL', { simple: true });
      if (mode !== 'wal') return closed(fail(`cannot use WAL mode (SQLite says journal_mode ${String(mode)})`));
      db.pragma('foreign_keys = ON');
      const version = db.pragma('user_version', { simple: true }) as number;
      const err = migrate(db, version);
      if (err) return closed(fail(err));
      return new Store(db, path, opts);
    } catch (e) {
      return closed(fail(`cannot prepare the store: ${(e as Error).message}`));
    }
  }

  private prepare() {
    const db = this.db;
    return {
      addEvent: db.prepare(
        'INSERT INTO events (at, guest, guest_name, kind, detail) VALUES (?, ?, ?, ?, ?) RETURNING id',
      ),
      pruneEvents: db.prepare('DELETE FROM events WHERE id <= ?'),
      events: db.prepare('SELECT * FROM (SELECT * FROM events ORDER BY id DESC LIMIT ?) ORDER BY id'),
      saveMachine: db.prepare(
        `INSERT INTO machines (name, config, updated_at) VALUES (?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET config = excluded.config, updated_at = excluded.updated_at
         RETURNING id`,
      ),
      machines: db.prepare('SELECT * FROM machines ORDER BY name'),
      deleteMachine: db.prepare('DELETE FROM machines WHERE name = ?'),
      machineExists: db.prepare('SELECT 1 FROM machines WHERE id = ?'),
      addPartitionTable: db.prepare(
        'INSERT INTO partition_tables (machine_id, text, saved_at) VALUES (?, ?, ?) RETURNING id',
      ),
      partitionTables: db.prepare('SELECT * FROM partition_tables WHERE machine_id = ? ORDER BY id'),
      addComparison: db.prepare(
        'INSERT INTO comparisons (at, workload, dualboot, hypervisor) VALUES (?, ?, ?, ?) RETURNING id',
      ),
      comparisons: db.prepare('SELECT * FROM comparisons ORDER BY id'),
      addSnapshot: db.prepare(
        `INSERT INTO snapshots (name, machine_id, created_at, seconds, mode, file, bytes, parent_id, disks)
         VALUES (?, (SELECT id FROM machines WHERE name = ?), ?, ?, ?, ?, ?, (SELECT id FROM snapshots WHERE name = ?), ?)
         RETURNING id`,
      ),
      snapshots: db.prepare(
        `SELECT s.*, m.name AS machine_name, p.name AS parent_name FROM snapshots s
         LEFT JOIN machines m ON m.id = s.machine_id LEFT JOIN snapshots p ON p.id = s.parent_id ORDER BY s.id`,
      ),
      removeSnapshot: db.prepare('DELETE FROM snapshots WHERE name = ?'),
    };
  }

  /** The schema version of the open database. */
  get schemaVersion(): number {
    return this.db.pragma('user_version', { simple: true }) as number;
  }

  /** SQLite's journal mode of the open database ('wal'). */
  get journalMode(): string {
    return String(this.db.pragma('journal_mode', { simple: true }));
  }

  // ------------------------------------------------------------------ events

  logEvent(e: Omit<LogEvent, 'id'>): LogEvent {
    this.check(typeof e.at === 'string' && e.at.length > 0 && e.at.length <= 64, 'event: at must be an ISO time');
    this.check(e.guest === null || Number.isInteger(e.guest), 'event: guest must be a partition id or null');
    this.check(typeof e.guestName === 'string' && e.guestName.length <= 64, 'event: guestName must be a name');
    this.check(typeof e.kind === 'string' && e.kind.length > 0 && e.kind.length <= 64, 'event: kind must be a word');
    this.check(typeof e.detail === 'string', 'event: detail must be text');
    const detail = e.detail.length > MAX_DETAIL ? e.detail.slice(0, MAX_DETAIL - 1) + '…' : e.detail;
    return this.write('an event', () => {
      const { id } = this.stmt.addEvent.get(e.at, e.guest, e.guestName, e.kind, detail) as { id: number };
      // Keep the log bounded: ids only grow, so the newest maxEvents are those above id - maxEvents.
      if (id % PRUNE_EVERY === 0) this.stmt.pruneEvents.run(id - (this.opts.maxEvents ?? MAX_EVENTS));
      return { id, at: e.at, guest: e.guest, guestName: e.guestName, kind: e.kind, detail };
    });
  }

  /** The newest `limit` events (1..10000), newest last. */
  events(limit: number): LogEvent[] {
    this.check(Number.isInteger(limit) && limit >= 1 && limit <= 10_000, `events: limit must be 1..10000`);
    return (this.read('events', () => this.stmt.events.all(limit)) as Row[]).flatMap((r) => {
      const ok =
        typeof r.at === 'string' &&
        (r.guest === null || Number.isInteger(r.guest)) &&
        typeof r.guest_name === 'string' &&
        typeof r.kind === 'string' &&
        typeof r.detail === 'string';
      if (!ok) return this.bad('events', r.id, 'has a column of the wrong type');
      return [
        {
          id: Number(r.id),
          at: r.at as string,
          guest: r.guest as number | null,
          guestName: r.guest_name as string,
          kind: r.kind as string,
          detail: r.detail as string,
        },
      ];
    });
  }

  // ------------------------------------------------------------------ machines and partition tables

  /** Save a machine under `name`, replacing the one of that name. */
  saveMachine(name: string, config: MachineConfig): SavedMachine {
    this.check(typeof name === 'string' && /^\S(.{0,98}\S)?$/.test(name), `machine name must be 1..100 characters`);
    const problem = checkMachineConfig(config);
    this.check(problem === undefined, `machine '${name}': ${problem}`);
    const updatedAt = this.now().toISOString();
    return this.write(`machine '${name}'`, () => {
      const { id } = this.stmt.saveMachine.get(name, JSON.stringify(config), updatedAt) as { id: number };
      return { id, name, config: structuredClone(config), updatedAt };
    });
  }

  /** Delete the machine `name` and its partition tables; false when there was none of that name. */
  deleteMachine(name: string): boolean {
    return this.write(`deleting machine '${name}'`, () => this.stmt.deleteMachine.run(name).changes > 0);
  }

  /** Every saved machine, by name. */
  machines(): SavedMachine[] {
    return (this.read('machines', () => this.stmt.machines.all()) as Row[]).flatMap((r) => {
      const config = parseMachineConfig(r.config);
      if (!config.ok) return this.bad('machines', r.id, config.why, r.name);
      return [{ id: Number(r.id), name: String(r.name), config: config.value, updatedAt: String(r.updated_at) }];
    });
  }

  /** Keep a version of ctl's parttab for a saved machine (every save is kept, newest last). */
  savePartitionTable(machineId: number, text: string): SavedPartitionTable {
    this.check(typeof text === 'string' && text.length <= MAX_TEXT, `partition table must be text of at most 64 KiB`);
    const exists = this.read('machines', () => this.stmt.machineExists.get(machineId));
    this.check(exists !== undefined, `partition table: no saved machine ${machineId}`);
    const savedAt = this.now().toISOString();
    return this.write(`the partition table of machine ${machineId}`, () => {
      const { id } = this.stmt.addPartitionTable.get(machineId, text, savedAt) as { id: number };
      return { id, machineId, text, savedAt };
    });
  }

  partitionTables(machineId: number): SavedPartitionTable[] {
    return (this.read('partition_tables', () => this.stmt.partitionTables.all(machineId)) as Row[]).flatMap((r) => {
      if (typeof r.text !== 'string') return this.bad('partition_tables', r.id, 'text is not text');
      return [{ id: Number(r.id), machineId: Number(r.machine_id), text: r.text, savedAt: String(r.saved_at) }];
    });
  }

  // ------------------------------------------------------------------ comparisons

  addComparison(r: Omit<ComparisonRun, 'id'>): ComparisonRun {
    this.check(typeof r.at === 'string' && r.at.length > 0, 'comparison: at must be an ISO time');
    this.check(typeof r.workload === 'string' && r.workload.length <= 64, 'comparison: workload must be a name');
    for (const [mode, f] of [
      ['dualboot', r.dualboot],
      ['hypervisor', r.hypervisor],
    ] as const) {
      const problem = checkRunFigures(f);
      this.check(problem === undefined, `comparison: ${mode} ${problem}`);
    }
    return this.write(`the comparison of '${r.workload}'`, () => {
      const { id } = this.stmt.addComparison.get(
        r.at,
        r.workload,
        JSON.stringify(r.dualboot),
        JSON.stringify(r.hypervisor),
      ) as { id: number };
      return { id, at: r.at, workload: r.workload, dualboot: { ...r.dualboot }, hypervisor: { ...r.hypervisor } };
    });
  }

  /** Every comparison run, oldest first. */
  comparisons(): ComparisonRun[] {
    return (this.read('comparisons', () => this.stmt.comparisons.all()) as Row[]).flatMap((r) => {
      const d = parseRunFigures(r.dualboot);
      if (!d.ok) return this.bad('comparisons', r.id, `dualboot ${d.why}`);
      const h = parseRunFigures(r.hypervisor);
      if (!h.ok) return this.bad('comparisons', r.id, `hypervisor ${h.why}`);
      return [
        { id: Number(r.id), at: String(r.at), workload: String(r.workload), dualboot: d.value, hypervisor: h.value },
      ];
    });
  }

  // ------------------------------------------------------------------ snapshots

  /** Record a snapshot (its file is already written). Names are unique. */
  addSnapshot(x: Omit<SnapshotInfo, 'id'>): SnapshotInfo {
    this.check(SNAPSHOT_NAME_PATTERN.test(x.name), `snapshot name '${x.name}' is not a valid name`);
    this.check(
      x.mode === 'dualboot' || x.mode === 'hypervisor',
      `snapshot '${x.name}': mode must be dualboot or hypervisor`,
    );
    this.check(Number.isFinite(x.seconds) && x.seconds >= 0, `snapshot '${x.name}': seconds must be a time`);
    this.check(Number.isSafeInteger(x.bytes) && x.bytes > 0, `snapshot '${x.name}': bytes must be a size`);
    this.check(typeof x.file === 'string' && x.file.length > 0, `snapshot '${x.name}': file must be a path`);
    this.check(
      Array.isArray(x.disks) && x.disks.every((d) => typeof d === 'string'),
      `snapshot '${x.name}': disks must be paths`,
    );
    return this.write(`snapshot '${x.name}'`, () => {
      const { id } = this.stmt.addSnapshot.get(
        x.name,
        x.machine,
        x.createdAt,
        x.seconds,
        x.mode,
        x.file,
        x.bytes,
        x.parent,
        JSON.stringify(x.disks),
      ) as { id: number };
      return this.snapshots().find((s) => s.id === id) ?? { ...x, id };
    });
  }

  /** Every snapshot, oldest first. */
  snapshots(): SnapshotInfo[] {
    return (this.read('snapshots', () => this.stmt.snapshots.all()) as Row[]).flatMap((r) => {
      let disks: unknown;
      try {
        disks = JSON.parse(String(r.disks));
      } catch {
        disks = undefined;
      }
      if (!Array.isArray(disks) || !disks.every((d) => typeof d === 'string'))
        return this.bad('snapshots', r.id, 'disks is not a list of paths', r.name);
      if (r.mode !== 'dualboot' && r.mode !== 'hypervisor')
        return this.bad('snapshots', r.id, 'has an unknown mode', r.name);
      if (typeof r.file !== 'string' || typeof r.seconds !== 'number')
        return this.bad('snapshots', r.id, 'has a column of the wrong type', r.name);
      return [
        {
          id: Number(r.id),
          name: String(r.name),
          machine: r.machine_name === null ? null : String(r.machine_name),
          createdAt: String(r.created_at),
          seconds: r.seconds,
          mode: r.mode,
          file: r.file,
          bytes: Number(r.bytes),
          parent: r.parent_name === null ? null : String(r.parent_name),
          disks: disks as string[],
        },
      ];
    });
  }

  /** Forget a snapshot (the caller deletes its file); false when there was none of that name. */
  removeSnapshot(name: string): boolean {
    return this.write(`the removal of snapshot '${name}'`, () => this.stmt.removeSnapshot.run(name).changes > 0);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  // ------------------------------------------------------------------ helpers

  // ------------------------------------------------------------------ recordings (docs/recording.md)

  /** Keep a recording: its summary (plain JSON) and its log (bytes). Names are unique. */
  addRecording(x: {
    name: string;
    createdAt: string;
    mode: string;
    seconds: number;
    startFile: string;
    summary: unknown;
    log: Uint8Array;
  }): void {
    this.check(SNAPSHOT_NAME_PATTERN.test(x.name), `recording name '${x.name}' is not a valid name`);
    this.write(`recording '${x.name}'`, () =>
      this.db
        .prepare(
          'INSERT INTO recordings (name, created_at, mode, seconds, start_file, summary, log) VALUES (?, ?, ?, ?, ?, ?, ?)',
        )
        .run(x.name, x.createdAt, x.mode, x.seconds, x.startFile, JSON.stringify(x.summary), Buffer.from(x.log)),
    );
  }

  /** Every recording's summary, oldest first (rows that do not parse are reported and left out). */
  recordingSummaries(): unknown[] {
    const rows = this.read('recordings', () =>
      this.db.prepare('SELECT id, name, summary FROM recordings ORDER BY id').all(),
    ) as { id: number; name: string; summary: string }[];
    return rows.flatMap((r) => {
      try {
        return [JSON.parse(r.summary) as unknown];
      } catch {
        return this.bad('recordings', r.id, 'has a summary that is not JSON', r.name);
      }
    });
  }

  /** A recording's log bytes, or undefined when there is none of that name. */
  recordingLog(name: string): Uint8Array | undefined {
    const row = this.read('recordings', () =>
      this.db.prepare('SELECT log FROM recordings WHERE name = ?').get(name),
    ) as { log: Buffer } | undefined;
    return row ? new Uint8Array(row.log) : undefined;
  }

  removeRecording(name: string): boolean {
    return this.write(
      `the removal of recording '${name}'`,
      () => this.db.prepare('DELETE FROM recordings WHERE name = ?').run(name).changes > 0,
    );
  }

  private check(ok: boolean, message: string): asserts ok {
    if (!ok) throw new StoreError(`${this.path}: ${message}`, this.path);
  }

  private write<T>(what: string, fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      throw new StoreError(`${this.path}: cannot save ${what}: ${(e as Error).message}`, this.path);
    }
  }

  private read<T>(table: string, fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      throw new StoreError(`${this.path}: cannot read ${table}: ${(e as Error).message}`, this.path);
    }
  }

  /** Report a row that did not read back; it is left out of the answer. */
  private bad(table: string, id: unknown, why: string, name?: unknown): [] {
    const message = `${this.path}: ${table} row ${String(id)}${name !== undefined ? ` ('${String(name)}')` : ''} ${why}; left out`;
    if (this.opts.onProblem) this.opts.onProblem(message);
    else {
      this.problems.push(message);
      if (this.problems.length > 100) this.problems.shift();
    }
    return [];
  }
}

/** The first 16 bytes of the file (latin1), undefined when there is no file, or why it cannot be read. */
function readHeader(path: string): string | undefined | Error {
  let fd: number;
  try {
    if (!statSync(path).isFile()) return new Error('is not a file');
    fd = openSync(path, 'r');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    return new Error(`cannot read: ${(e as Error).message}`);
  }
  try {
    const buf = Buffer.alloc(16);
    const n = readSync(fd, buf, 0, 16, 0);
    return buf.subarray(0, n).toString('latin1');
  } catch (e) {
    return new Error(`cannot read: ${(e as Error).message}`);
  } finally {
    closeSync(fd);
  }
}

/**
 * Why a database must not be opened (a newer schema, corruption), or undefined. Only reads; the
 * caller closes `db`.
 */
function judge(db: Database.Database): string | undefined {
  try {
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version > SCHEMA_VERSION)
      return `made by a newer hyperdesk (schema ${version}, this app knows ${SCHEMA_VERSION})`;
    const check = (db.pragma('quick_check') as Row[]).map((r) => String(Object.values(r)[0]));
    if (check.length !== 1 || check[0] !== 'ok') {
      const more = check.length > 3 ? ` and ${check.length - 3} more` : '';
      return `is corrupt (SQLite's quick_check: ${check.slice(0, 3).join('; ')}${more})`;
    }
  } catch (e) {
    return `is corrupt or not a database (${(e as Error).message})`;
  }
  return undefined;
}

/**
 * `judge` on a copy of the database and its -wal (without the -shm, which SQLite rebuilds from the
 * log) in a temporary folder, so that what a newer hyperdesk left in its log is read (the schema
 * version may be there) and nothing beside the real file is touched: the copy's connection is the
 * one that checkpoints and deletes (docs/architecture.md#the-store).
 */
function judgeCopy(path: string, nativeBinding: string | undefined): string | undefined {
  const tmp = mkdtempSync(join(tmpdir(), 'hyperdesk-store-check-'));
  try {
    const copy = join(tmp, 'check.db');
    copyFileSync(path, copy);
    if (existsSync(`${path}-wal`)) copyFileSync(`${path}-wal`, `${copy}-wal`);
    let db: Database.Database;
    try {
      db = new Database(copy, { nativeBinding, timeout: 5000 });
    } catch (e) {
      return `is corrupt or not a database (${(e as Error).message})`;
    }
    try {
      return judge(db);
    } finally {
      db.close();
    }
  } catch (e) {
    // The copy could not be made (no room in the temp folder): judge nothing, change nothing.
    return `cannot be checked without changing it (copying it to ${tmp}: ${(e as Error).message})`;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
