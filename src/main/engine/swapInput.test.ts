/**
 * Keys typed at a swapped-out guest through the engine, as the app's console sends them (M17,
 * docs/guests.md#swapping-automatically): they wait within the bound of issue 13 (64 KiB a guest,
 * docs/security.md#floods: more is refused with the reason), the hypervisor tells ctl, ctl's
 * `swap auto` brings the guest back, and it answers what was typed.
 */
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CtlReply, MachineStatus } from '../../shared/api.js';
import { ensureDisks } from '../host/disks.js';
import { MAX_TYPED } from './Session.js';
import { ManualCore } from './testing/manualCore.js';

let dir: string;
const mc = new ManualCore(() => 20);
const { core } = mc;
const ctl = (command: string) => mc.settle(core.call('ctl', [command]) as Promise<CtlReply>);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hd-swapinput-'));
  const disk = join(dir, 'demo.img');
  copyFileSync(await ensureDisks(), disk);
  const st = (await core.call('boot', [{ disks: [disk] }])) as MachineStatus;
  expect(st.state).toBe('running');
  await mc.until('cos2 at its prompt', () => mc.text(3).endsWith('cos> '));
}, 300_000);
afterAll(() => {
  core?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('input for a swapped-out guest', () => {
  it('waits within the bound, brings the guest back, and is answered', async () => {
    const out = await ctl('swap 3 out');
    expect(out).toMatchObject({
      ok: true,
      lines: ['ctl: swapped out 3 (cos2): 8 MiB back to ctl, the guest kept in the swap store'],
    });
    // More than the bound at once: refused whole, with the reason (nothing of it typed).
    await expect(core.call('consoleInput', [3, 'x'.repeat(MAX_TYPED + 1)])).rejects.toThrow(
      /cos2 is not reading its console: 0 typed bytes wait already \(at most 65536\)/,
    );
    const before = mc.text(3).length;
    await core.call('consoleInput', [3, 'run hello\r']);
    await mc.until('cos2 answers', () => mc.text(3).slice(before).includes('Hello from user mode!'));
    expect(mc.text(3).slice(before)).toMatch(/^run hello\r?\nHello from user mode!/);
    expect(mc.text(0)).toContain('ctl: 3 (cos2) has console input: swapping it back in');
    expect(mc.text(0)).toContain('ctl: swapped in 3 (cos2): 8 MiB from ctl, it goes on where it was');
  });
});
