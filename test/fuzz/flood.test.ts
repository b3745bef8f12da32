/**
 * The flood campaigns, briefly (docs/security.md#floods; the long runs are
 * `npm run fuzz -- flood --kind K --seconds N`): a hostile client or typist floods the running demo
 * for a few seconds; what it fills stays bounded, it pays for it, and cos keeps answering.
 * No speed is asserted here (the figures are printed): only what must hold on any host.
 */
import { describe, expect, it } from 'vitest';
import { MAX_EVENTS } from '../../src/main/emulator/hypervisor/Hypervisor.js';
import { MAX_INBOX } from '../../src/main/emulator/hypervisor/messages.js';
import { MAX_OFFERS } from '../../src/main/emulator/hypervisor/plan.js';
import { MAX_TYPED } from '../../src/main/engine/Session.js';
import { runFlood } from './flood.js';

const SECONDS = 3;

describe('flood campaigns (issue 13, briefly)', () => {
  it('console: the flooder loses its own output, with markers; cos answers', async () => {
    const r = await runFlood('console', SECONDS);
    console.log(JSON.stringify(r));
    expect(r.droppedBytes).toBeGreaterThan(0);
    expect(r.shownBytes).toBeGreaterThan(0);
    expect(r.otherGuest.answered).toBeGreaterThan(0);
    // 3 s of a 4 KiB-per-instruction flood used to be gigabytes; the bounds keep it far below that.
    expect(r.heapMiB.peak - r.heapMiB.start).toBeLessThan(256);
  }, 180_000);

  it('events: the event list, ctl’s inbox, the offers and the log stay bounded; cos answers', async () => {
    const r = await runFlood('events', SECONDS);
    console.log(JSON.stringify(r));
    const e = r.events!;
    expect(e.seq).toBeGreaterThan(1000); // it did flood (the list's own bound: test/hypervisor/eventFlood.test.ts)
    expect(e.kept).toBeLessThanOrEqual(2 * MAX_EVENTS);
    expect(e.inbox).toBeLessThanOrEqual(MAX_INBOX);
    expect(e.offers).toBeLessThanOrEqual(MAX_OFFERS);
    // At most 200 log lines per second reach the host (EngineCore), boot lines included.
    expect(e.logLines).toBeLessThanOrEqual(200 * (SECONDS + 60));
    expect(r.otherGuest.answered).toBeGreaterThan(0);
  }, 180_000);

  it('input: keys for a stopped guest are refused past the bound, with a reason; cos answers', async () => {
    const r = await runFlood('input', SECONDS);
    console.log(JSON.stringify(r));
    expect(r.typed!.refused).toBeGreaterThan(0);
    expect(r.typed!.accepted).toBeLessThanOrEqual(MAX_TYPED / 65536);
    expect(r.typed!.message).toMatch(/swos is not reading its console/);
    expect(r.otherGuest.answered).toBeGreaterThan(0);
  }, 180_000);
});
