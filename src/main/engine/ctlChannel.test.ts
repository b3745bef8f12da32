/**
 * ctl's management channel through the engine as the app drives it (docs/guests.md#the-management-
 * channel): requests go through the hypervisor's mailbox, not ctl's console, so they work while a
 * person is typing at ctl's prompt and while ctl prints other output, and the console shows none of
 * them; bad requests are refused with the reason; a snapshot restored with a request in the mailbox
 * leaves the channel working.
 */
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CtlReply, MachineStatus } from '../../shared/api.js';
import { ensureDisks } from '../host/disks.js';
import { ManualCore } from './testing/manualCore.js';
import { MGMT_MAX_REQUEST } from '../emulator/hypervisor/mgmt.js';

let dir: string;
const mc = new ManualCore(() => 20);
const { core, out } = mc;
const until = (what: string, pred: () => boolean) => mc.until(what, pred);
const settle = <T>(p: Promise<T>) => mc.settle(p);
const ctl = (command: string) => settle(core.call('ctl', [command]) as Promise<CtlReply>);
const ctlConsole = () => out.get(0) ?? '';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hd-ctlchan-'));
  const disk = join(dir, 'demo.img');
  copyFileSync(await ensureDisks(), disk);
  const st = (await core.call('boot', [{ disks: [disk] }])) as MachineStatus;
  expect(st.state).toBe('running');
  await until('ctl at its prompt', () => ctlConsole().endsWith('ctl> '));
}, 300_000);
afterAll(() => {
  core?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("ctl's management channel", () => {
  it('answers while a line is half typed at ctl’s prompt and ctl prints other output', async () => {
    // A person has typed "pa" at ctl's prompt: the console no longer ends with "ctl> ".
    await core.call('consoleInput', [0, 'pa']);
    await until('the echo', () => ctlConsole().endsWith('ctl> pa'));
    const parts = await ctl('parts');
    expect(parts.ok).toBe(true);
    expect(parts.lines.map((l) => /^part id=\d+ name=(\S+)/.exec(l)?.[1])).toEqual(['ctl', 'cos', 'swos', 'cos2']);
    // Output interleaves: a command typed on another line of ctl's console prints while requests run.
    const typed = ctlConsole().length;
    await core.call('consoleInput', [0, 'rts\rhelp\r']);
    const [res, mem] = await Promise.all([ctl('res'), ctl('mem')]);
    expect(res.ok).toBe(true);
    expect(res.lines[0]).toMatch(/^mem ctl=\d+ keep=4194304 free=\d+ given=20971520 partitions=3$/);
    // The demo's 7 devices and the 2 controllers over disk0 and nic0 (M5: docs/hypercalls.md#device-subtrees).
    const devs = res.lines.filter((l) => l.startsWith('dev name='));
    expect(devs).toHaveLength(9);
    expect(devs.filter((l) => / kind=controller /.test(l))).toHaveLength(2);
    expect(mem).toMatchObject({ ok: true, lines: [expect.stringMatching(/^memory: \d+ KiB total/)] });
    // The person's line ran as typed (the human table, not the channel's key=value words).
    await until('help done', () => /shell commands/.test(ctlConsole().slice(typed)) && ctlConsole().endsWith('ctl> '));
    const shown = ctlConsole();
    expect(shown).toMatch(/ctl> parts\r?\n[^@]*swos/);
    // None of the channel's exchange is on ctl's console.
    expect(shown).not.toMatch(/@h\d|part id=|mem ctl=|dev name=/);
  }, 300_000);

  it('reports ctl’s errors by name and message, and cos’s commands work too', async () => {
    const before = ctlConsole();
    expect(await ctl('stop 9')).toEqual({
      ok: false,
      lines: [],
      error: { name: 'ENOENT', message: 'no partition 9 (parts lists them)' },
    });
    expect(await ctl('start')).toMatchObject({
      ok: false,
      error: { name: 'EINVAL', message: 'usage: start ID [OS [SIZE]]' },
    });
    expect(await ctl('nosuch')).toMatchObject({
      ok: false,
      error: { name: 'ENOENT', message: "unknown command 'nosuch' (try help)" },
    });
    const cat = await ctl('cat parttab');
    expect(cat.ok).toBe(true);
    expect(cat.lines[0]).toMatch(/^# parttab/);
    expect(ctlConsole()).toBe(before);
  }, 300_000);

  it('refuses an oversized or hostile request with the reason, and goes on working', async () => {
    const long = await ctl(`msg 1 ${'x'.repeat(MGMT_MAX_REQUEST)}`);
    expect(long).toEqual({
      ok: false,
      lines: [],
      error: {
        name: 'EINVAL',
        message: `ctl: a command of ${MGMT_MAX_REQUEST + 6} characters (ctl's management mailbox takes at most ${MGMT_MAX_REQUEST})`,
      },
    });
    const ctrl = await ctl('parts\r\n@1 halt');
    expect(ctrl.error?.message).toMatch(/character 6 of the command is not printable ASCII \(code 13\)/);
    expect(await ctl('')).toMatchObject({ ok: false, error: { name: 'EINVAL', message: 'ctl: an empty command' } });
    // Spaces only reach ctl, which says so.
    expect(await ctl('   ')).toMatchObject({ ok: false, error: { name: 'EINVAL', message: 'empty command' } });
    // A tag is no longer special: "@1" is just an unknown command word.
    expect(await ctl('@1 parts')).toMatchObject({ ok: false, error: { name: 'ENOENT' } });
    expect((await ctl('parts')).ok).toBe(true);
    const st = core.status();
    expect(st.state).toBe('running');
  }, 300_000);

  it('works across a snapshot restored with a request waiting in the mailbox', async () => {
    const snaps = join(dir, 'snaps');
    // A request submitted, the snapshot taken before ctl ran again: it holds the waiting request.
    const pending = core.call('ctl', ['parts']) as Promise<CtlReply>;
    const saved = (await core.call('snapshotSave', ['mid', snaps])) as { file: string };
    expect((await settle(pending)).ok).toBe(true);
    await core.call('snapshotRestore', [saved.file, snaps]);
    // ctl answers the restored request (nobody waits for it: dropped); a new one gets its own id.
    const after = await ctl('parts');
    expect(after.ok).toBe(true);
    expect(after.lines).toHaveLength(4);
  }, 300_000);
});
