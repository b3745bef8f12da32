/**
 * The control-operation campaign (docs/security.md#control): random sequences of part_create /
 * assign_cpu / assign_mem / assign_dev / grant_disk / start / stop / restart / destroy / swap_out /
 * swap_in / technique / sched_set / remove_mem / remove_cpu / remove_dev (controllers too: subtrees,
 * M5; a running target hot-plugs, M21), each a real hypercall from ctl's agent, on a
 * hypervisor whose reserve the campaign squeezes (it holds most reserve pages itself, so stage-2 and
 * shadow builds run out). After every operation: the invariants of invariants.ts (one owner per
 * host page, tables map only what their partition may use, the free list disjoint from live tables,
 * DMA domains match ownership), and an operation that failed changed nothing (the digest of the
 * hypervisor's state is the same before and after).
 */
import { HC } from '../../src/main/emulator/hypervisor/hypercalls.js';
import { ERRNO } from '../../src/shared/hypercalls.js';
import type { Partition } from '../../src/main/emulator/hypervisor/Partition.js';
import type { CampaignSpec, Outcome, StepEscape } from './campaign.js';
import { hostException } from './campaign.js';
import { checkInvariants, digest, firstDifference, hex, hvState } from './invariants.js';
import type { Rng } from './rng.js';
import { AGENT, FuzzWorld, IDLE, MBOX } from './world.js';

export type ControlOp =
  | { op: 'create'; id: number }
  | { op: 'cpu'; id: number; pcpu: number }
  | { op: 'mem'; id: number; at: number; pages: number }
  | { op: 'dev'; id: number; dev: string }
  | { op: 'grant'; id: number; n: number }
  | { op: 'start'; id: number; flags: number }
  | { op: 'stop' | 'destroy' | 'restart' | 'swap-out'; id: number }
  | { op: 'swap-in'; id: number; at: number }
  | { op: 'technique'; id: number; t: number }
  | { op: 'sched'; id: number; weight: number; us: number }
  | { op: 'remove-mem'; id: number; pages: number }
  | { op: 'remove-cpu'; id: number }
  | { op: 'remove-dev'; id: number; dev: string }
  | { op: 'squeeze' | 'relax'; pages: number }
  | { op: 'run'; cycles: number };

export const EPISODE_OPS = 40;
/** ctl never gives away its agent (and its scratch for names) below this. */
const CTL_KEEP = 0x20000;
const NAME = MBOX + 0x200;
const DEVICES = ['uart1', 'nic0', 'rtc', 'uart0', 'disk0', 'sysctl', 'netctl', 'blkctl', 'sysbus', 'intc', 'nosuch'];

function generate(rng: Rng): ControlOp[] {
  const id = (): number => rng.int(rng.chance(0.05) ? -1 : 1, 5);
  const table: [number, () => ControlOp][] = [
    [12, () => ({ op: 'create', id: id() })],
    [9, () => ({ op: 'cpu', id: id(), pcpu: rng.int(-1, 2) })],
    [
      18,
      () => ({
        op: 'mem',
        id: id(),
        at: rng.int(0, 5000),
        pages: rng.chance(0.1) ? rng.int(0, 9000) : rng.int(1, 300),
      }),
    ],
    [7, () => ({ op: 'dev', id: id(), dev: rng.pick(DEVICES) })],
    [2, () => ({ op: 'grant', id: id(), n: rng.int(0, 4) })],
    [12, () => ({ op: 'start', id: id(), flags: rng.int(0, 1) })],
    [5, () => ({ op: 'stop', id: id() })],
    [6, () => ({ op: 'destroy', id: id() })],
    [4, () => ({ op: 'restart', id: id() })],
    [5, () => ({ op: 'swap-out', id: id() })],
    [5, () => ({ op: 'swap-in', id: id(), at: rng.int(0, 5000) })],
    [4, () => ({ op: 'technique', id: id(), t: rng.int(0, 3) })],
    [2, () => ({ op: 'sched', id: id(), weight: rng.int(0, 101), us: rng.int(0, 2000) })],
    [2, () => ({ op: 'remove-mem', id: id(), pages: rng.int(1, 64) })],
    [3, () => ({ op: 'remove-cpu', id: id() })],
    [3, () => ({ op: 'remove-dev', id: id(), dev: rng.pick(DEVICES) })],
    [4, () => ({ op: 'squeeze', pages: rng.int(1, 12) })],
    [4, () => ({ op: 'relax', pages: rng.int(1, 12) })],
    [4, () => ({ op: 'run', cycles: rng.int(1, 40) * 10_000 })],
  ];
  const total = table.reduce((s, [w]) => s + w, 0);
  const ops: ControlOp[] = [];
  for (let i = 0; i < EPISODE_OPS; i++) {
    let k = rng.int(0, total - 1);
    for (const [w, make] of table) {
      if (k < w) {
        ops.push(make());
        break;
      }
      k -= w;
    }
  }
  return ops;
}

export function show(o: ControlOp): string {
  const { op, ...rest } = o;
  return `${op}(${Object.entries(rest)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ')})`;
}

/** The state a failed operation must leave as it was: not what runs meanwhile (vCPU contexts, logs). */
function stableState(w: FuzzWorld): unknown {
  const s = hvState(w.hv);
  return {
    ...s,
    partitions: s.partitions.map((p) => ({
      ...p,
      inbox: 0,
      vcpus: p.vcpus.map((v) => ({ index: v.index, home: v.home, stopped: v.state === 'stopped' })),
    })),
  };
}

/** ctl's memory from `at` (in pages, wrapped into what it has above CTL_KEEP) for `size` bytes. */
function ctlRange(ctl: Partition, at: number, size: number): number {
  const room = Math.max(1, (ctl.memEnd - CTL_KEEP - size) / 4096);
  return CTL_KEEP + (at % room) * 4096;
}

function play(ops: readonly ControlOp[]): Outcome {
  // Calls that succeeded, and those that failed by error code (ENOMEM: the reserve was full, or the
  // range not ctl's): a campaign whose calls all fail would find nothing.
  const counters: Record<string, number> = { succeeded: 0 };
  const out: Outcome = { steps: 0, escapes: [], exceptions: [], counters };
  const w = new FuzzWorld({ ctl: 'agent', cpus: 2, memBytes: 24 << 20 });
  const hv = w.hv;
  const ctl = w.ctl;
  w.machine.run(50_000);
  // The campaign holds all but a few reserve pages: builds run out early and often.
  const ballast = new Set<number>();
  const squeeze = (n: number): void => {
    for (let i = 0; i < n; i++) {
      const pg = hv.reserve.alloc();
      if (pg === undefined) break;
      ballast.add(pg);
    }
  };
  squeeze(Math.max(0, hv.reserve.available - 6));
  const swapSize = new Map<number, number>();
  const str = (s: string): number => (hv.writeGuest(ctl, NAME, new TextEncoder().encode(s + '\0')), NAME);
  for (let i = 0; i < ops.length; i++) {
    const o = ops[i];
    const found: StepEscape[] = [];
    const esc = (invariant: string, detail: string): void => void found.push({ invariant, detail, step: i });
    try {
      const before = stableState(w);
      let call: [number, number[]] | undefined;
      switch (o.op) {
        case 'create':
          call = [HC.part_create, [o.id, str(`p${o.id}`)]];
          break;
        case 'cpu':
          call = [HC.part_assign_cpu, [o.id, o.pcpu]];
          break;
        case 'mem':
          call = [HC.part_assign_mem, [o.id, ctlRange(ctl, o.at, o.pages * 4096), o.pages * 4096]];
          break;
        case 'dev':
          call = [HC.part_assign_dev, [o.id, str(o.dev)]];
          break;
        case 'grant':
          call = [HC.part_grant_disk, [o.id, str('disk0'), o.n]];
          break;
        case 'start': {
          // ctl loads the image (a guest that sleeps) before it starts the partition, as a loader.
          const p = hv.partitions.get(o.id);
          if (p && p.state !== 'running') hv.writeGuest(p, AGENT, IDLE);
          call = [HC.part_start, [o.id, AGENT, o.flags]];
          break;
        }
        case 'stop':
          call = [HC.part_stop, [o.id]];
          break;
        case 'destroy':
          call = [HC.part_destroy, [o.id]];
          break;
        case 'restart':
          call = [HC.part_restart, [o.id]];
          break;
        case 'swap-out': {
          const size = hv.partitions.get(o.id)?.memBytes ?? 0;
          call = [HC.part_swap_out, [o.id]];
          swapSize.set(o.id, size);
          break;
        }
        case 'swap-in':
          call = [HC.part_swap_in, [o.id, ctlRange(ctl, o.at, swapSize.get(o.id) ?? 4096)]];
          break;
        case 'technique':
          call = [HC.part_technique, [o.id, o.t]];
          break;
        case 'sched':
          call = [HC.sched_set, [o.id, o.weight, o.us]];
          break;
        case 'remove-mem':
          call = [HC.part_remove_mem, [o.id, o.pages * 4096]];
          break;
        case 'remove-cpu':
          call = [HC.part_remove_cpu, [o.id]];
          break;
        case 'remove-dev':
          call = [HC.part_remove_dev, [o.id, str(o.dev)]];
          break;
        case 'squeeze':
          squeeze(o.pages);
          break;
        case 'relax': {
          const back = [...ballast].slice(0, o.pages);
          for (const pg of back) ballast.delete(pg);
          hv.reserve.release(back);
          break;
        }
        case 'run':
          w.machine.run(o.cycles);
          break;
      }
      if (call) {
        const r = w.call(ctl, call[0], call[1]);
        if (r.status !== 'done') {
          esc('ctl', `ctl's agent did not come back from ${hex(call[0])}: ${r.status} (ctl ${ctl.state})`);
        } else if (r.a0 >= 0) {
          counters.succeeded++;
        } else {
          const name = `failed${ERRNO.find((e) => e.value === r.a0)?.name ?? r.a0}`;
          counters[name] = (counters[name] ?? 0) + 1;
          const after = stableState(w);
          if (digest(after) !== digest(before))
            esc('failed-op-changed-state', `${show(o)} failed (${r.a0}) but changed ${firstDifference(before, after)}`);
        }
      }
      out.steps++;
      // Partitions just started reach their wfi (or fault) now, not in the middle of the next operation.
      w.machine.run(30_000);
      for (const x of checkInvariants(hv, { ballast })) esc(x.invariant, x.detail);
    } catch (e) {
      out.exceptions.push(hostException(show(o), e, i));
      return out;
    }
    if (found.length) {
      out.escapes.push(...found);
      return out;
    }
  }
  return out;
}

export const controlCampaign: CampaignSpec<ControlOp> = {
  name: 'control',
  generate,
  play,
  show,
  classify: (o) => o.op,
};
