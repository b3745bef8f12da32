/**
 * The child of the crash campaign (crash.ts, docs/security.md#crash-safety): writes and removes
 * files on both file systems of a disk image with the host's own disk tools, as fast as it can,
 * until it is killed. Before each operation it prints `begin OP PART NAME LEN TAG`; after the
 * operation is complete (and, with SYNC 1, flushed: fsync), `ack` with the same fields: an
 * acknowledged write. Without the fsync the kill lands between the writes of an operation far more
 * often (an fsync takes longer than the writes); a kill -9 of the process keeps what it wrote either
 * way (the page cache outlives it; power loss is not what this measures). The contents are a
 * function of LEN and TAG (fileBytes), so the parent can check them.
 * With DIE_AT > 0 the child kill -9s itself just before its DIE_AT-th block write instead of
 * waiting for the parent's kill: a crash at an exact write boundary, which a kill at a random moment
 * hits only now and then (most of an operation's time is spent before its first write).
 * Usage: node --import tsx crashChild.ts IMAGE SEED SYNC DIE_AT
 */
import { writeSync } from 'node:fs';
import { DiskChain, DiskError, DiskImage } from '../../src/main/host/tools.js';
import type { BlockBackend } from '../../src/main/emulator/devices/disk/BlockBackend.js';
import { Rng } from './rng.js';
import { CRASH_FILES, fileBytes } from './crashFiles.js';

const [image, seedArg, syncArg, dieArg] = process.argv.slice(2);
const dieAt = Number(dieArg ?? 0);
const rng = new Rng(Number(seedArg) >>> 0);
const say = (line: string) => writeSync(1, line + '\n'); // synchronous: a line written is a line sent

const backend = DiskChain.open(image, { readOnly: false });
if (backend instanceof Error) throw backend;
let writes = 0;
const dying: BlockBackend = {
  blocks: backend.blocks,
  readOnly: backend.readOnly,
  read: (lba, count) => backend.read(lba, count),
  write: (lba, data) => {
    if (++writes === dieAt) process.kill(process.pid, 'SIGKILL');
    return backend.write(lba, data);
  },
  flush: () => backend.flush(),
};
const disk = DiskImage.open(dying);
if (disk instanceof DiskError) throw disk;
// Each file system opened once, as a long-running host holds it (its FAT and directory stay current).
const open = new Map(
  CRASH_FILES.map(({ part }) => {
    const fs = disk.fileSystem(part);
    if (fs instanceof DiskError) throw fs;
    return [part, fs];
  }),
);
say('ready');
for (let tag = 1; ; tag++) {
  const { part, names } = rng.pick(CRASH_FILES);
  const name = rng.pick(names);
  const fs = open.get(part)!;
  const remove = rng.chance(0.25);
  const len = remove ? 0 : rng.pick([0, 1, 100, 511, 512, 513, 1500, 4096, rng.int(1, 12_000)]);
  const fields = `${remove ? 'rm' : 'put'} ${part} ${name} ${len} ${tag}`;
  if (remove && !fs.list().some((f) => f.name === name)) continue;
  say(`begin ${fields}`);
  const r = remove ? fs.remove(name) : fs.write(name, fileBytes(len, tag));
  if (r instanceof DiskError) throw r;
  const flushed = syncArg === '1' ? backend.flush() : true;
  if (flushed instanceof Error) throw flushed;
  say(`ack ${fields}`);
}
