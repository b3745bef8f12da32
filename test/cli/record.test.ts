/**
 * `hyperdesk boot --record NAME` and `hyperdesk record list|replay` without a `serve` running
 * (docs/recording.md#from-the-command-line), through the CLI's main() in a child process (the
 * TypeScript sources through tsx: HYPERDESK_TSX) with a data folder of its own and real stdin.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDisks } from '../../src/main/host/disks.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const bin = join(root, 'bin/hyperdesk.js');
const data = mkdtempSync(join(tmpdir(), 'hyperdesk-record-cli-'));
let disk = '';

function hd(args: string[], input = '') {
  const r = spawnSync(process.execPath, [bin, ...args], {
    cwd: root,
    input,
    encoding: 'utf8',
    timeout: 240_000,
    env: { ...process.env, HYPERDESK_DATA: data, HYPERDESK_TSX: '1' },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

beforeAll(async () => {
  disk = join(data, 'demo.img');
  copyFileSync(await ensureDisks(), disk);
});
afterAll(() => rmSync(data, { recursive: true, force: true }));

describe('hyperdesk boot --record', () => {
  it('records a dual-boot session, lists it and replays it with no session running', () => {
    const r = hd(['boot', '--disk', disk, '--select', 'swos', '--unpaced', '--record', 'swos1'], 'ver\rhalt\r');
    expect(r.out).toContain('swos$ ver\r\nswos 1.0');
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/\[hyperdesk: recording swos1 from 0\.000 s of machine time/);
    const kept = /recorded swos1: ([\d.]+) s, (\d+) inputs, (\d+) checkpoints/.exec(r.err);
    // 'ver\rhalt\r' as it entered the FIFO (one piece or more, as the FIFO had room).
    expect(Number(kept?.[2])).toBeGreaterThanOrEqual(1);
    expect(Number(kept?.[3])).toBeGreaterThanOrEqual(1);
    // The log went in the data folder's store, its start checkpoint and frozen disk beside it.
    expect(readdirSync(join(data, 'recordings'))).toContain('swos1.hdsnap');
    const list = hd(['record', 'list']);
    expect(list.code).toBe(0);
    expect(list.out).toMatch(new RegExp(`^swos1\\s+dualboot\\s+[\\d.]+ s from 0\\.000 s\\s+${kept?.[2]} inputs`, 'm'));
    const replay = hd(['record', 'replay', 'swos1']);
    expect(replay.err).toBe('');
    expect(replay.out).toMatch(
      /^replayed swos1: (\d+) checkpoints matched \(0\.000\.\.[\d.]+ s\), console bytes \{"0":\d+\}/,
    );
    expect(replay.code).toBe(0);
    // A name is used once.
    const again = hd(['boot', '--disk', disk, '--select', 'swos', '--unpaced', '--record', 'swos1'], 'halt\r');
    expect(again.code).toBe(1);
    expect(again.err).toContain("--record swos1: a recording named 'swos1' exists already");
  }, 600_000);

  it('records the hypervisor machine (every console digested by guest) and replays it', () => {
    const r = hd(
      ['boot', '--mode', 'hypervisor', '--disk', disk, '--ctl', 'cos', '--unpaced', '--record', 'hv1'],
      'mem\rhalt\r',
    );
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/recorded hv1: [\d.]+ s, [1-9]\d* inputs, [1-9]\d* checkpoints/);
    const replay = hd(['record', 'replay', 'hv1']);
    expect(replay.out).toMatch(/^replayed hv1: \d+ checkpoints matched .*console bytes \{"0":[1-9]\d*/);
    expect(replay.code).toBe(0);
  }, 600_000);

  it('refuses a replay of a recording that is not there, saying so', () => {
    const r = hd(['record', 'replay', 'nothere']);
    expect(r.code).toBe(1);
    expect(r.err).toContain("no recording named 'nothere'");
  }, 120_000);
});
