/**
 * M5, device subtrees (docs/hypercalls.md#device-subtrees): giving a controller gives everything
 * under it, the ownership map and the partition's boot info show the subtree, and a partition never
 * holds a controller without its whole subtree (the partition checker refuses such a layout).
 * A refused move leaves the machine exactly as it was (state hashes before and after).
 */
import { describe, expect, it } from 'vitest';
import { E, HvError } from '../../src/main/emulator/hypervisor/errors.js';
import { BOOT_INFO_ADDR, BOOT_INFO_MAX, parseBootInfo } from '../../src/main/emulator/firmware/bootInfo.js';
import { validatePartitions } from '../../src/main/emulator/hypervisor/validate.js';
import { ownership } from '../../src/main/engine/views.js';
import { testGuest, world, type HvWorld } from './harness.js';

const NICS = ['nic0', 'nic1', 'nic2'];

/** Who owns netctl and each nic in the app's ownership map, and under which parent each sits. */
function netMap(w: HvWorld): [string, number | null, string | undefined][] {
  return ownership(w.hv, w.machine)
    .devices.filter((d) => d.id === 'netctl' || NICS.includes(d.id))
    .map((d) => [d.id, d.owner, d.parent]);
}

/** Everything: the machine and the hypervisor, as hashes. */
const hashes = (w: HvWorld) => [w.machine.stateHash(), w.hv.stateHash()];

describe('M5: a controller goes with its whole subtree', () => {
  it('move netctl gives every nic under it; the ownership map shows the subtree with its owner', async () => {
    const w = await world({ nics: 3 });
    const ctl = w.hv.partitions.get(0)!;
    expect(netMap(w)).toEqual([
      ['netctl', null, 'sysbus'],
      ['nic0', 0, 'netctl'],
      ['nic1', 0, 'netctl'],
      ['nic2', 0, 'netctl'],
    ]);
    const d = w.hv.create(3, 'd');
    w.hv.addVcpu(d, 0);
    const r = w.hv.control({ op: 'assign-device', by: 0, to: 3, device: 'netctl' });
    expect(r).not.toBeInstanceOf(HvError);
    expect([...d.devices].sort()).toEqual(['netctl', ...NICS]);
    expect(NICS.filter((n) => ctl.devices.has(n))).toEqual([]);
    expect(netMap(w)).toEqual([
      ['netctl', 3, 'sysbus'],
      ['nic0', 3, 'netctl'],
      ['nic1', 3, 'netctl'],
      ['nic2', 3, 'netctl'],
    ]);
    expect(w.hv.check()).toBeUndefined();

    // One nic taken out: the controller is no longer whole, so it goes back to nobody.
    expect(w.hv.control({ op: 'assign-device', by: 0, to: 0, device: 'nic1' })).not.toBeInstanceOf(HvError);
    expect([...d.devices].sort()).toEqual(['nic0', 'nic2']);
    expect(netMap(w)[0]).toEqual(['netctl', null, 'sysbus']);
    expect(w.hv.check()).toBeUndefined();

    // Giving it again gathers the parts from both owners.
    expect(w.hv.control({ op: 'assign-device', by: 0, to: 3, device: 'netctl' })).not.toBeInstanceOf(HvError);
    expect([...d.devices].sort()).toEqual(['netctl', ...NICS]);
    // Destroyed: the whole subtree comes back to ctl.
    expect(w.hv.destroy(3)).toBeUndefined();
    expect(['netctl', ...NICS].every((x) => ctl.devices.has(x))).toBe(true);
    expect(w.hv.check()).toBeUndefined();
  });

  it("the partition's boot info lists the controller with its devices under it", async () => {
    const w = await world({ nics: 2 });
    const q = w.launch(5, 'f', { ...testGuest('idle'), cooperative: true }, { memBytes: 1 << 20 });
    w.hv.stop(5);
    expect(w.hv.control({ op: 'assign-device', by: 0, to: 5, device: 'netctl' })).not.toBeInstanceOf(HvError);
    expect(w.hv.start(5, 0x100000, 1)).toBeUndefined();
    const bi = parseBootInfo(w.hv.readGuest(q, BOOT_INFO_ADDR, BOOT_INFO_MAX)!);
    const at = (id: string) => bi.nodes.findIndex((n) => n.id === id);
    const netctl = bi.nodes.filter((n) => n.id === 'netctl');
    expect(netctl).toHaveLength(1); // the physical one only: no virtual nic0 beside it
    expect(bi.nodes[at('nic0')].parent).toBe(at('netctl'));
    expect(bi.nodes[at('nic1')].parent).toBe(at('netctl'));
    expect(bi.nodes[at('nic0')].base).toBe(0xf003_0000);
    expect(bi.nodes[at('nic1')].base).toBe(0xf003_1000);
  });

  it('a controller cannot be taken from a running owner: EBUSY, and the machine is exactly as it was', async () => {
    const w = await world({ nics: 2 });
    const a = w.launch(1, 'a', testGuest('idle'));
    w.hv.stop(1);
    expect(w.hv.control({ op: 'assign-device', by: 0, to: 1, device: 'netctl' })).not.toBeInstanceOf(HvError);
    expect(w.hv.start(1, 0x100000, 0)).toBeUndefined();
    const b = w.hv.create(2, 'b');
    w.hv.addVcpu(b, 0);
    w.run(2_000_000);
    const before = hashes(w);
    for (const device of ['netctl', 'nic1']) {
      const r = w.hv.control({ op: 'assign-device', by: 0, to: 2, device });
      expect(r).toBeInstanceOf(HvError);
      expect((r as HvError).code).toBe(E.BUSY);
      expect(String(r)).toMatch(/belongs to partition 1, which is running: ask it to release it, or stop it first/);
    }
    expect(hashes(w)).toEqual(before);
    expect([...a.devices].sort()).toEqual(['netctl', 'nic0', 'nic1']);
    // The hypervisor's own nodes are nobody's to give.
    for (const device of ['sysbus', 'intc', 'nosuch']) {
      const r = w.hv.control({ op: 'assign-device', by: 0, to: 2, device });
      expect((r as HvError).code).toBe(E.NOENT);
    }
    expect(hashes(w)).toEqual(before);
  });

  it('the partition checker refuses a controller owned without its whole subtree', () => {
    const machine = {
      ramBytes: 1 << 20,
      cpus: 1,
      devices: ['netctl', 'nic0', 'nic1'],
      subtrees: new Map([['netctl', ['nic0', 'nic1']]]),
    };
    const part = (id: number, devices: string[]) => ({ id, memory: [], cpus: [], devices });
    expect(validatePartitions([part(0, ['nic1']), part(1, ['netctl', 'nic0'])], machine)).toEqual([
      'partition 1: it owns controller netctl but not nic1 under it',
    ]);
    expect(validatePartitions([part(1, ['netctl', 'nic0', 'nic1'])], machine)).toEqual([]);
  });
});
