import { createHash } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDisks } from '../host/disks.js';
import type { DiskChain } from '../disk/DiskChain.js';
import { Hypervisor } from '../emulator/hypervisor/Hypervisor.js';
import { pruneOverlays } from '../disk/overlayPrune.js';
import { TIMEBASE } from '../emulator/machine/board.js';
import { TIMEBASE_HZ } from '../host/snapshotCatalog.js';
import { Session } from './Session.js';

let dir: string;
let image: string;
const sessions: Session[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hd-snapshots-'));
  image = join(dir, 'disk.img');
  copyFileSync(await ensureDisks(), image);
}, 120_000);
afterAll(() => {
  for (const s of sessions) s.close();
  rmSync(dir, { recursive: true, force: true });
});

async function boot(over: Record<string, unknown> = {}): Promise<Session> {
  const s = await Session.boot({ mode: 'dualboot', cpus: 2, memMiB: 16, disks: [image], boot: 'cos', ...over });
  if (typeof s === 'string') throw new Error(s);
  sessions.push(s);
  return s;
}

function run(s: Session, cycles: number): void {
  // Uneven slices on purpose: the state must not depend on how time is handed out.
  for (let left = cycles, k = 0; left > 0; k++) {
    const n = Math.min(left, 250_000 + ((k * 7919) % 100_000));
    expect(s.run(n)).toBe(true);
    left -= n;
  }
}

const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');
const store = (name: string) => join(dir, `store-${name}`);

describe('whole-machine snapshots (dual boot)', () => {
  it.each(['interp', 'jit'] as const)(
    'run N, snapshot, run M gives the same state hash as restore and run M (%s)',
    async (engine) => {
      const s = await boot({ engine });
      run(s, 6_000_000);
      const atSave = s.machine.stateHash();
      const saved = s.saveSnapshot('n', store(engine));
      if (typeof saved === 'string') throw new Error(saved);
      expect(saved.seconds).toBeCloseTo(s.cycles / 250e6);
      expect(s.machine.stateHash()).toBe(atSave); // saving changes nothing
      run(s, 3_000_000);
      const h = s.machine.stateHash();
      expect(h).not.toBe(atSave); // the machine did something in M
      const r = s.restoreSnapshot(saved.file, store(engine));
      expect(r).toEqual({ seconds: saved.seconds });
      expect(s.machine.stateHash()).toBe(atSave);
      run(s, 3_000_000);
      expect(s.machine.stateHash()).toBe(h);
    },
    120_000,
  );

  it('restores the disks copy-on-write and never writes the image after the freeze', async () => {
    const s = await boot();
    run(s, 1_000_000);
    const before = s.disks[0]!.read(1000, 1) as Uint8Array;
    const saved = s.saveSnapshot('disks', store('disks'));
    if (typeof saved === 'string') throw new Error(saved);
    expect(saved.disks).toEqual([image]);
    const imageSha = sha(image);
    expect(s.disks[0]!.write(1000, new Uint8Array(512).fill(0xab))).toBe(true);
    expect(s.disks[0]!.read(1000, 1)).toEqual(new Uint8Array(512).fill(0xab));
    expect(sha(image)).toBe(imageSha);
    const second = s.saveSnapshot('disks2', store('disks'));
    if (typeof second === 'string') throw new Error(second);
    const r = s.restoreSnapshot(saved.file, store('disks'));
    expect(typeof r).not.toBe('string');
    expect(s.disks[0]!.read(1000, 1)).toEqual(before);
    // The other snapshot still has its block: restore it.
    expect(typeof s.restoreSnapshot(second.file, store('disks'))).not.toBe('string');
    expect(s.disks[0]!.read(1000, 1)).toEqual(new Uint8Array(512).fill(0xab));
    expect(sha(image)).toBe(imageSha);
    // Only the working overlay of now and the frozen one of 'disks2' are left.
    expect(readdirSync(join(store('disks'), 'overlays')).length).toBe(2);
    expect(pruneOverlays(store('disks'), [])).toEqual([]); // the working overlay needs the frozen one
  }, 120_000);

  it('refuses a damaged snapshot, a missing disk file and another machine, changing nothing', async () => {
    const s = await boot();
    run(s, 1_000_000);
    const saved = s.saveSnapshot('x', store('bad'));
    if (typeof saved === 'string') throw new Error(saved);
    run(s, 500_000);
    const hash = s.machine.stateHash();
    const top = (s.disks[0] as DiskChain).path;
    const good = readFileSync(saved.file);

    writeFileSync(saved.file, good.subarray(0, good.length - 100));
    expect(s.restoreSnapshot(saved.file, store('bad'))).toMatch(/truncated: .*not restored, nothing changed/);
    writeFileSync(saved.file, good);

    const other = await boot({ memMiB: 32 });
    expect(other.restoreSnapshot(saved.file, store('bad'))).toMatch(
      /it has 16 MiB of RAM; this machine has 32; not restored, nothing changed/,
    );

    const frozen = saved.disks[0]!;
    const frozenBytes = readFileSync(frozen);
    rmSync(frozen);
    expect(s.restoreSnapshot(saved.file, store('bad'))).toMatch(/disk 0: .*cannot open: ENOENT; not restored/);
    writeFileSync(frozen, frozenBytes);

    expect(s.machine.stateHash()).toBe(hash);
    expect((s.disks[0] as DiskChain).path).toBe(top);
    expect(s.saveSnapshot('x', store('bad'))).toMatch(/exists already/);
    expect(s.saveSnapshot('../x', store('bad'))).toMatch(/a snapshot name is/);
  }, 120_000);
});

it("the host's copy of the timebase is the board's", () => {
  expect(TIMEBASE_HZ).toBe(TIMEBASE);
});

describe('whole-machine snapshots (hypervisor mode)', () => {
  it.each(['interp', 'jit'] as const)(
    'run N, snapshot, run M gives the same state hash as restore and run M (%s), or says it is not yet available',
    async (engine) => {
      const s = await boot({ mode: 'hypervisor', memMiB: 64, engine });
      const can = typeof (Hypervisor.prototype as unknown as { saveState?: unknown }).saveState === 'function';
      run(s, 4_000_000); // ctl is booting and starting its clients
      const saved = s.saveSnapshot(`hv-${engine}`, store('hv'));
      if (!can) {
        expect(saved).toMatch(/hypervisor-mode snapshots are not yet available/);
        return;
      }
      if (typeof saved === 'string') throw new Error(saved);
      // The whole machine: pCPUs, RAM, devices, and the hypervisor's own state.
      const hash = () => `${s.machine.stateHash()} ${s.hv!.stateHash()}`;
      const atSave = hash();
      run(s, 3_000_000);
      const h = hash();
      expect(h).not.toBe(atSave);
      expect(typeof s.restoreSnapshot(saved.file, store('hv'))).not.toBe('string');
      expect(hash()).toBe(atSave);
      run(s, 3_000_000);
      expect(hash()).toBe(h);
    },
    120_000,
  );
});
