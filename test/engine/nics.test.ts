/**
 * A machine with several network cards (M18, "one device per partition" with real devices): the
 * host boots the board with the nics asked for, under netctl, all ctl's at power-on; ctl gives one
 * to each of two partitions through the same host API the Control panel uses; a bad count is
 * refused with the reason before anything boots.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkConfig, type HostService } from '../../src/shared/api.js';
import { startHost, type TestHost } from './hostHarness.js';

describe('a board with several nics', () => {
  let t: TestHost;
  let host: HostService;

  beforeAll(async () => {
    t = await startHost('hyperdesk-nics-');
    host = t.host;
  });
  afterAll(() => t.close());

  it('refuses a count the board cannot have', async () => {
    expect(checkConfig({ nics: 5 })).toBe('nics must be an integer 0..4');
    expect(checkConfig({ nics: 1.5 })).toBe('nics must be an integer 0..4');
    const st = await host.boot({ disks: [t.disk], nics: 9 });
    expect(st.state).not.toBe('running');
    expect(st.error).toBe('nics must be an integer 0..4');
  });

  it('boots three nics under netctl, and ctl hands one to each stopped partition', async () => {
    const st = await host.boot({ disks: [t.disk], nics: 3 });
    expect(st.state).toBe('running');
    expect(st.config?.nics).toBe(3);
    await t.until(0, /ctl> $/);
    const under = async () =>
      (await host.ownership()).devices.filter((d) => d.parent === 'netctl').map((d) => [d.id, d.owner]);
    expect(await under()).toEqual([
      ['nic0', 0],
      ['nic1', 0],
      ['nic2', 0],
    ]);
    expect((await host.ctl('stop 1')).ok).toBe(true);
    expect((await host.ctl('stop 2')).ok).toBe(true);
    expect((await host.ctl('move nic1 1')).lines).toEqual(['ctl: nic1 moved to 1 (cos) (from its next start)']);
    expect((await host.ctl('move nic2 2')).lines).toEqual(['ctl: nic2 moved to 2 (swos) (from its next start)']);
    expect(await under()).toEqual([
      ['nic0', 0],
      ['nic1', 1],
      ['nic2', 2],
    ]);
  }, 120_000);
});
