/**
 * Hypercall floods stay bounded (issue 13, docs/security.md#floods): a client looping request
 * (a new amount each time), msg_send and share_offer to ctl leaves the hypervisor's event list at
 * most 2 x MAX_EVENTS long, ctl's inbox at MAX_INBOX and the pending offers at MAX_OFFERS; the
 * rest is counted (eventSeq, eventsDropped), not stored.
 */
import { describe, expect, it } from 'vitest';
import { MAX_EVENTS } from '../../src/main/emulator/hypervisor/Hypervisor.js';
import { MAX_INBOX } from '../../src/main/emulator/hypervisor/messages.js';
import { MAX_OFFERS } from '../../src/main/emulator/hypervisor/plan.js';
import { testGuest, world } from './harness.js';

describe('a hypercall flood', () => {
  it('keeps the events, the inbox and the offers bounded', async () => {
    const w = await world({ cpus: 1 });
    const f = w.launch(1, 'flood', testGuest('eventflood'), { cpu: 0 });
    const ctl = w.hv.partitions.get(0)!;
    // Each round's hypercalls cost their machine cycles (docs/hypercalls.md#what-the-hypervisor-costs):
    // about 370 a round, so 16 M cycles for the rounds below.
    w.run(16_000_000);
    const rounds = new DataView(w.hv.readGuest(f, 0x20000, 4)!.buffer).getUint32(0, true);
    // Enough rounds that unbounded lists would be far past their limits.
    expect(rounds).toBeGreaterThan(4 * MAX_EVENTS);
    expect(w.hv.eventSeq).toBeGreaterThan(3 * rounds);
    expect(w.hv.events.length).toBeLessThanOrEqual(2 * MAX_EVENTS);
    expect(w.hv.eventsDropped + w.hv.events.length).toBeGreaterThan(2 * rounds);
    expect(ctl.inbox.length).toBeLessThanOrEqual(MAX_INBOX);
    expect(w.hv.shares.filter((s) => s.from === 1).length).toBeLessThanOrEqual(MAX_OFFERS);
    expect(f.state).toBe('running');
  });
});
