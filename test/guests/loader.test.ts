/**
 * The dual-boot loader (docs/boot.md#the-boot-loader-m9) on the default disk: the menu lists both
 * OSes, a key picks each, the timeout boots the default, and a reset brings the menu back.
 */
import { describe, expect, it } from 'vitest';
import { bootGuest } from './boot.js';

describe('boot loader', () => {
  it('lists cos and swos from the disk', async () => {
    const g = await bootGuest();
    const menu = g.expect(/Boot 1 in \d s/);
    expect(menu).toContain('hyperdesk boot loader');
    expect(menu).toMatch(/1\) cos 0\.1\s+disk0 partition 1/);
    expect(menu).toMatch(/2\) swos 1\.0\s+disk0 partition 2 \(shrink-wrapped\)/);
  });

  it('key 1 boots cos, key 2 boots swos', async () => {
    const a = await bootGuest();
    a.type('1');
    a.expect('Booting cos 0.1 from disk0 partition 1');
    a.expect('cos> ');
    const b = await bootGuest();
    b.type('2');
    b.expect('Booting swos 1.0 from disk0 partition 2');
    b.expect('swos$ ');
  });

  it('boots the default when the countdown ends, counting down in machine time', async () => {
    const g = await bootGuest({ timeoutSeconds: 2 });
    const out = g.expect('Booting cos 0.1');
    expect(out).toContain('Boot 1 in 2 s');
    expect(out).toContain('Boot 1 in 1 s');
  });

  it('another key stops the countdown; Enter then boots the default', async () => {
    const g = await bootGuest({ timeoutSeconds: 1 });
    g.expect('Boot 1 in 1 s');
    g.type('x');
    g.expect('Countdown stopped');
    g.firmware.run(2_000_000_000); // far past the timeout: nothing boots
    expect(g.firmware.state).toBe('menu');
    g.type('\r');
    g.expect('cos> ');
  });

  it('--select skips the menu; reboot brings it back with the last OS as default', async () => {
    const g = await bootGuest({ select: 'swos' });
    g.expect('swos$ ');
    g.type('reboot\r');
    const menu = g.expect(/Boot 2 in \d s/);
    expect(menu).toContain('1) cos 0.1');
    g.type('1');
    g.expect('cos> ');
  });

  it('the same keys give byte-identical console output', async () => {
    const run = async () => {
      const g = await bootGuest({ timeoutSeconds: 1 });
      g.expect('Boot 1 in 1 s');
      g.type('2');
      g.expect('swos$ ');
      g.type('dir\r');
      g.expect('swos$ ');
      g.type('mem\r');
      g.expect('swos$ ');
      return g.output;
    };
    expect(await run()).toBe(await run());
  });
});
