/**
 * Where recordings are kept (docs/recording.md#where-things-are): the log in the store's
 * `recordings` table, or, when the store is off, a file `NAME.hdrec` in the data folder's
 * `recordings/` (which also holds every recording's start checkpoint, a snapshot file, and the
 * disks' overlays it froze).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RecordingSummary } from '../../shared/api.js';
import { decodeRecording, encodeRecording, summarize, type Recording } from '../engine/recordLog.js';
import type { Store } from '../store/index.js';

const EXT = '.hdrec';

export class RecordingShelf {
  constructor(
    readonly dir: string,
    private readonly store: Store | undefined,
  ) {}

  has(name: string): boolean {
    return this.store ? this.store.recordingLog(name) !== undefined : existsSync(join(this.dir, name + EXT));
  }

  /** Keeps a recording the engine handed over; its summary. */
  keep(rec: Recording): RecordingSummary {
    const bytes = encodeRecording(rec);
    const summary = summarize(rec, bytes.length);
    if (this.store) {
      this.store.addRecording({
        name: rec.name,
        createdAt: rec.createdAt,
        mode: rec.mode,
        seconds: summary.seconds,
        startFile: rec.start.file,
        summary,
        log: bytes,
      });
    } else {
      mkdirSync(this.dir, { recursive: true });
      const file = join(this.dir, rec.name + EXT);
      writeFileSync(file + '.tmp', bytes);
      renameSync(file + '.tmp', file);
    }
    return summary;
  }

  list(): RecordingSummary[] {
    if (this.store) return this.store.recordingSummaries() as RecordingSummary[];
    if (!existsSync(this.dir)) return [];
    return readdirSync(this.dir)
      .filter((f) => f.endsWith(EXT))
      .flatMap((f) => {
        const bytes = readFileSync(join(this.dir, f));
        const r = decodeRecording(bytes, f);
        return typeof r === 'string' ? [] : [summarize(r, bytes.length)];
      });
  }

  /** The whole recording `name`, or an Error saying why not. */
  load(name: string): Recording {
    const bytes = this.store
      ? this.store.recordingLog(name)
      : existsSync(join(this.dir, name + EXT))
        ? readFileSync(join(this.dir, name + EXT))
        : undefined;
    if (!bytes) throw new Error(`no recording named '${name}' (recordings() lists them)`);
    const r = decodeRecording(bytes, `recording '${name}'`);
    if (typeof r === 'string') throw new Error(r);
    return r;
  }
}
