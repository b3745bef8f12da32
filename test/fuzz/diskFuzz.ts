/**
 * `npm run fuzz -- disk --count N [--seed S]` (docs/security.md#corrupted-disk-images): corrupted
 * images through every host disk tool and fsck --repair. Each input is a small disk (a bootable cfs
 * with an OS image, an sfs, a raw partition, files on both) with random damage: bit flips where the
 * metadata lives or anywhere, fields set to edge values, partition-table entries rewritten with a
 * good crc (so the checks behind the crc run), a cfs directory changed with its crc fixed, or the
 * file truncated. Then: open, list the table, read OS images, open each file system, list, read,
 * write and remove files, fsck, fsck --repair, fsck again. A failure is a throw (anything but a
 * returned DiskError), an error message that names no block, partition, entry or size, or a file
 * system fsck --repair opened but did not leave clean.
 */
import { mkdtempSync, readdirSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from '../../src/shared/crc32.js';
import { MemoryBlockBackend } from '../../src/main/emulator/devices/disk/BlockBackend.js';
import { DiskChain, DiskError, DiskImage, repairDisk } from '../../src/main/host/tools.js';
import type { BlockBackend } from '../../src/main/emulator/devices/disk/BlockBackend.js';
import { Rng } from './rng.js';

export interface DiskFuzzOptions {
  count: number;
  seed: number;
  /** Unused here (the inputs are built small in memory); kept so both disk campaigns take the same options. */
  image?: string;
  log?: (line: string) => void;
  report?: number;
}

export interface DiskFuzzResult {
  fuzz: 'disk';
  inputs: number;
  failures: number;
  exceptions: number;
  unclear: number;
  notRepaired: number;
  /** Inputs some tool refused with a DiskError (as it should, for damage it cannot read past). */
  refusals: number;
  /** Inputs whose damage fsck --repair fixed. */
  repaired: number;
  seed: number;
  ms: number;
}

const BLOCKS = 2048;
/** Messages say where: a block, a partition, an entry, a size or the file. */
const NAMES_A_PLACE = /block \d|partition \d|entry \d|\d+ bytes|no partition|not a regular file|\bimage\b/;

/** The intact disk every input starts from. */
function pristine(): Uint8Array {
  const backend = new MemoryBlockBackend(BLOCKS);
  const must = <T>(v: T | Error): T => {
    if (v instanceof Error) throw v;
    return v;
  };
  const disk = must(DiskImage.format(backend));
  must(disk.addPartition({ type: 'cfs', first: 8, blocks: 700, name: 'cos', bootable: true }));
  must(disk.addPartition({ type: 'sfs', first: 708, blocks: 700, name: 'swos', bootable: false }));
  must(disk.addPartition({ type: 'raw', first: 1408, blocks: 600, name: 'raw', bootable: false }));
  const image = Uint8Array.from({ length: 2000 }, (_, i) => (i * 7) & 0xff);
  must(disk.installOsImage(1, { loadAddress: 0x100000, entry: 0x100010, image, fsOffset: 8, flags: 1, name: 'cos' }));
  const cfs = must(disk.mkfs(1));
  const sfs = must(disk.mkfs(2));
  for (let i = 0; i < 12; i++) {
    const data = Uint8Array.from({ length: 300 * i + 17 }, (_, k) => (k * (i + 3)) & 0xff);
    must(cfs.write(`file${i}`, data, { executable: i % 3 === 0 }));
    must(sfs.write(`FILE${i}.TXT`, data));
  }
  must(cfs.remove('file4'));
  must(sfs.remove('FILE4.TXT'));
  return backend.data.slice();
}

/** Blocks where structures live: the table, each partition's first blocks (header, superblock, FAT, directory). */
const HOT = [0, 8, 9, 16, 17, 18, 19, 708, 709, 710, 711, 712, 713];

function corrupt(rng: Rng, bytes: Uint8Array): { bytes: Uint8Array; truncateTo?: number; what: string } {
  const kind = rng.int(0, 5);
  const u32 = (o: number, v: number) => new DataView(bytes.buffer).setUint32(o, v >>> 0, true);
  const edge = () => rng.pick([0, 1, 2, 0xffff, 0x10000, 0xffffffff, 0x7fffffff, BLOCKS, BLOCKS + 1, rng.u32()]);
  const at = () => (rng.chance(0.7) ? rng.pick(HOT) : rng.int(0, BLOCKS - 1)) * 512 + rng.int(0, 511);
  switch (kind) {
    case 0: {
      const n = rng.int(1, 16);
      for (let i = 0; i < n; i++) bytes[at()] ^= 1 << rng.int(0, 7);
      return { bytes, what: `${n} bit flips` };
    }
    case 1: {
      const n = rng.int(1, 4);
      for (let i = 0; i < n; i++) u32(at() & ~3, edge());
      return { bytes, what: `${n} fields set to edge values` };
    }
    case 2: {
      // A partition-table field rewritten, with the crc made good again.
      const n = rng.int(1, 3);
      for (let i = 0; i < n; i++) u32(rng.pick([4, 8, 12, 16 + 48 * rng.int(0, 7) + 4 * rng.int(0, 3)]), edge());
      u32(400, crc32(bytes.subarray(0, 400)));
      return { bytes, what: 'partition table rewritten with a good crc' };
    }
    case 3: {
      // cfs directory entries changed, the superblock's crc made good (fs at disk block 16, directory from 17).
      const n = rng.int(1, 6);
      for (let i = 0; i < n; i++) {
        const o = 17 * 512 + rng.int(0, 31) * 32 + rng.pick([0, 19, 20, 24, 28]);
        if (rng.chance(0.5)) bytes[o] = rng.int(0, 255);
        else u32(o & ~3, edge());
      }
      const sbDir = new DataView(bytes.buffer).getUint32(16 * 512 + 16, true);
      if (sbDir >= 1 && sbDir <= 8) u32(16 * 512 + 24, crc32(bytes.subarray(17 * 512, (17 + sbDir) * 512)));
      return { bytes, what: 'cfs directory changed with a good crc' };
    }
    case 4: {
      // sfs FAT and directory (superblock at 708, FAT from 709, root directory after it).
      const n = rng.int(1, 12);
      for (let i = 0; i < n; i++) {
        const o = rng.int(709, 713) * 512 + rng.int(0, 255) * 2;
        new DataView(bytes.buffer).setUint16(o, rng.pick([0, 0xffff, rng.int(0, 700), rng.int(0, 0xffff)]), true);
      }
      return { bytes, what: 'sfs FAT and directory u16 fields' };
    }
    default: {
      const to = rng.chance(0.5) ? rng.int(1, BLOCKS - 1) * 512 : rng.int(1, BLOCKS * 512 - 1);
      return { bytes, truncateTo: to, what: `truncated to ${to} bytes` };
    }
  }
}

export function runDiskFuzz(opts: DiskFuzzOptions): DiskFuzzResult {
  const started = Date.now();
  const r: DiskFuzzResult = {
    fuzz: 'disk',
    inputs: 0,
    failures: 0,
    exceptions: 0,
    unclear: 0,
    notRepaired: 0,
    refusals: 0,
    repaired: 0,
    seed: opts.seed,
    ms: 0,
  };
  const base = pristine();
  const tmp = mkdtempSync(join(tmpdir(), 'hyperdesk-diskfuzz-'));
  try {
    for (let i = 0; i < opts.count; i++) {
      const rng = new Rng(opts.seed).fork(i);
      const { bytes, truncateTo, what } = corrupt(rng, base.slice());
      const fail = (kind: 'exceptions' | 'unclear' | 'notRepaired', detail: string) => {
        r[kind]++;
        r.failures++;
        if (r.failures <= (opts.report ?? 20))
          opts.log?.(JSON.stringify({ failure: kind, detail, input: i, damage: what, seed: opts.seed }));
      };
      let refused = false;
      const said = (e: Error) => {
        refused = true;
        if (!NAMES_A_PLACE.test(e.message)) fail('unclear', e.message);
      };
      r.inputs++;
      const file = join(tmp, 'disk.img');
      let backend: BlockBackend;
      let chain: DiskChain | undefined;
      try {
        if (truncateTo !== undefined || rng.chance(0.1)) {
          // Through a real file, as the CLI opens it.
          writeFileSync(file, bytes);
          if (truncateTo !== undefined) truncateSync(file, truncateTo);
          const opened = DiskChain.open(file, { readOnly: false });
          if (opened instanceof Error) {
            said(opened);
            continue;
          }
          chain = opened;
          backend = opened;
        } else backend = new MemoryBlockBackend(BLOCKS, false, bytes);
        exercise(backend, said);
        const rep = repairDisk(backend, file);
        if (rep instanceof DiskError) said(rep);
        else {
          if (rep.blocks > 0) r.repaired++;
          rep.left.forEach((m) => said(new Error(m)));
          const after = DiskImage.open(backend);
          if (!(after instanceof DiskError)) {
            for (const p of after.table.partitions) {
              if (p.type === 'raw') continue;
              const fs = after.fileSystem(p.number);
              if (!(fs instanceof DiskError) && fs.warnings.length)
                fail('notRepaired', `partition ${p.number} after fsck --repair: ${fs.warnings[0]}`);
            }
            const again = repairDisk(backend, file);
            if (!(again instanceof DiskError) && again.blocks > 0)
              fail('notRepaired', `a second fsck --repair changed ${again.blocks} more blocks: ${again.fixes[0]}`);
          }
        }
      } catch (e) {
        fail('exceptions', (e as Error).stack?.split('\n').slice(0, 4).join(' / ') ?? String(e));
      } finally {
        chain?.close();
        for (const f of readdirSync(tmp)) rmSync(join(tmp, f), { force: true }); // the image and its backups
      }
      if (refused) r.refusals++;
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  r.ms = Date.now() - started;
  return r;
}

/** Every tool a user or the host runs on a disk: each error goes to `said`. */
function exercise(backend: BlockBackend, said: (e: Error) => void): void {
  const disk = DiskImage.open(backend);
  if (disk instanceof DiskError) return said(disk);
  for (const p of disk.table.partitions) {
    if (p.bootable) {
      const os = disk.osImage(p.number);
      if (os instanceof DiskError) said(os);
    }
    if (p.type === 'raw') continue;
    const fs = disk.fileSystem(p.number);
    if (fs instanceof DiskError) {
      said(fs);
      continue;
    }
    for (const w of fs.warnings) said(new Error(w));
    fs.freeBlocks();
    for (const f of fs.list()) {
      const data = fs.read(f.name);
      if (data instanceof DiskError) said(data);
    }
    const name = p.type === 'cfs' ? 'fuzzed' : 'FUZZED.TXT';
    const w = fs.write(name, new Uint8Array(1234).fill(9));
    if (w instanceof DiskError) said(w);
    else {
      const back = fs.read(name);
      if (back instanceof DiskError) said(back);
      const rm = fs.remove(name);
      if (rm instanceof DiskError) said(rm);
    }
  }
  disk.fsck().forEach((m) => said(new Error(m)));
}
