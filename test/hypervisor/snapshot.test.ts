/**
 * Whole-machine save and restore in hypervisor mode (issue 12.5; docs/hypercalls.md#saving-and-
 * restoring): run N, snapshot (Machine.saveState + Hypervisor.saveState), run M -> state hash H;
 * restore the snapshot on a fresh machine and hypervisor, run M -> the same H and the same console
 * output, in both engines and every virtualization technique. A snapshot that does not fit the
 * machine is refused and changes nothing.
 */
import { describe, expect, it } from 'vitest';
import type { HypervisorState } from '../../src/main/emulator/hypervisor/state.js';
import type { MachineState } from '../../src/main/emulator/machine/Machine.js';
import { defaultImage } from '../guests/boot.js';
import { HvWorld, testGuest } from './harness.js';

type Technique = 'paravirtual' | 'hardware' | 'trap-emulate';
const N = 25_000_000;
const M = 12_000_000;

function build(image: Uint8Array, engine: 'interp' | 'jit'): HvWorld {
  return new HvWorld({ cpus: 2, memBytes: 32 << 20, diskImage: image, engine });
}

/** ctl, two cos (one of them with `technique`) doing work, a counter guest and a ping-pong pair. */
function scene(w: HvWorld, technique: Technique): void {
  const cos = w.diskOs('cos');
  w.launch(1, 'cos1', cos, { memBytes: 8 << 20, grantDiskPartition: cos.partition, technique, cpu: 0 });
  w.launch(2, 'cos2', cos, { memBytes: 8 << 20, grantDiskPartition: cos.partition, cpu: 1 });
  w.launch(3, 'counter', testGuest('counter'), { cpu: 1 });
  w.launch(5, 'pong', testGuest('ponger'), { cpu: 0 });
  w.launch(4, 'ping', testGuest('pinger'), { cpu: 1 });
  w.expect('cos1', 'cos> ');
  w.expect('cos2', 'cos> ');
  w.type(1, 'run primes\r');
  w.type(2, 'run burner\r');
}

interface Snap {
  machine: MachineState;
  hv: HypervisorState;
  disk: Uint8Array;
  out: Map<string, string>;
}

function snapshot(w: HvWorld): Snap {
  return {
    machine: structuredClone(w.machine.saveState()),
    hv: structuredClone(w.hv.saveState()),
    disk: w.disk.data.slice(),
    out: new Map(w.out),
  };
}

function hash(w: HvWorld): string {
  return `${w.machine.stateHash()} ${w.hv.stateHash()}`;
}

/** Console output since the snapshot. */
function since(w: HvWorld, s: Snap): Record<string, string> {
  const o: Record<string, string> = {};
  for (const [k, v] of w.out) o[k] = v.slice(s.out.get(k)?.length ?? 0);
  return o;
}

describe('whole-machine snapshots in hypervisor mode', () => {
  for (const engine of ['interp', 'jit'] as const)
    for (const technique of ['paravirtual', 'hardware', 'trap-emulate'] as const)
      it(`run, snapshot, run: a restored machine gives the same state and output (${engine}, ${technique})`, async () => {
        const w = build(await defaultImage(), engine);
        scene(w, technique);
        w.run(N);
        const snap = snapshot(w);
        expect(w.hv.stateHash()).toBe(w.hv.stateHash()); // saving changes nothing
        w.run(M);
        const h = hash(w);
        const out = since(w, snap);
        expect(out.cos1 + out.cos2 + out.counter).not.toBe(''); // it did something after the snapshot

        // On a fresh machine and hypervisor (booted with something else first: all of it is replaced).
        const w2 = build(snap.disk, engine);
        w2.machine.restoreState(snap.machine);
        w2.hv.restoreState(snap.hv);
        for (const [k, v] of snap.out) w2.out.set(k, v);
        expect(w2.hv.stateHash()).toBe(new HvWorldHash(snap).hv);
        w2.run(M);
        expect(hash(w2)).toBe(h);
        expect(since(w2, snap)).toEqual(out);

        // And back in time on the first one.
        w.machine.restoreState(snap.machine);
        w.hv.restoreState(snap.hv);
        w.run(M);
        expect(hash(w)).toBe(h);
      }, 240_000);

  it('a snapshot of another machine is refused and changes nothing', async () => {
    const image = await defaultImage();
    const w = build(image, 'interp');
    scene(w, 'paravirtual');
    w.run(20_000_000);
    const s = structuredClone(w.hv.saveState());
    const one = new HvWorld({ cpus: 1, memBytes: 32 << 20, diskImage: image });
    const before = `${one.hv.stateHash()} ${one.machine.stateHash()}`;
    expect(() => one.hv.restoreState(s)).toThrow(/snapshot of 2 pCPUs; this machine has 1/);
    const small = new HvWorld({ cpus: 2, memBytes: 16 << 20, diskImage: image });
    expect(() => small.hv.restoreState(s)).toThrow(/reserve lies elsewhere/);
    expect(() => one.hv.restoreState({ ...s, version: 99 })).toThrow(/version 99/);
    expect(`${one.hv.stateHash()} ${one.machine.stateHash()}`).toBe(before);
  });
});

/** The hypervisor hash a snapshot was taken with (recomputed from its data alone). */
class HvWorldHash {
  readonly hv: string;
  constructor(s: Snap) {
    // A restored hypervisor saves exactly what it was restored from.
    this.hv = hashOf(s.hv);
  }
}

import { hypervisorStateHash as hashOf } from '../../src/main/emulator/hypervisor/state.js';
