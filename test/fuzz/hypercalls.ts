/**
 * The hypercall campaign (docs/security.md#hypercalls): random hypercall numbers (every client and
 * control call, and numbers nobody assigned) with random arguments, issued by a client partition's
 * agent in supervisor and in user mode. Invariants: a user-mode hypercall is never served by the
 * hypervisor (it traps to the guest's own kernel, docs/hypercalls.md); every other partition's
 * memory and the hypervisor's state outside the caller are unchanged (by hash); the isolation
 * invariants of invariants.ts hold; the host never throws.
 */
import { HC } from '../../src/main/emulator/hypervisor/hypercalls.js';
import { reply } from '../../src/main/emulator/hypervisor/messages.js';
import type { Partition } from '../../src/main/emulator/hypervisor/Partition.js';
import type { CampaignSpec, Outcome, StepEscape } from './campaign.js';
import { hostException } from './campaign.js';
import { checkInvariants, digest, firstDifference, hashMemory, hex, hostRanges, foreignState } from './invariants.js';
import type { Rng } from './rng.js';
import { agent, FuzzWorld, IDLE, SLOT, type Mode } from './world.js';

export interface HcOp {
  nr: number;
  args: number[];
  mode: Mode;
  /** Kernel mode: the agent issues it this many times in a row (a flood of a queue-filling call). */
  repeat?: number;
}

const CALLER = 1;
const OTHER = 2;
const CLIENT_MEM = 256 << 10;
/** Calls per episode (a fresh machine each). */
export const EPISODE_CALLS = 250;
/** Outside `fine` mode: invariants every this many calls, memory hashes every MEM_EVERY. */
const CHECK_EVERY = 8;
const MEM_EVERY = 64;

const NUMBERS = Object.values(HC) as number[];
/** A flood: calls that leave something behind in the hypervisor (an offer, a notice, a log line). */
export const FLOOD = 25_000;
const FLOODERS = [HC.share_offer, HC.request, HC.msg_send];

function arg(rng: Rng): number {
  const k = rng.int(0, 9);
  if (k <= 2) return rng.int(-2, 70); // ids, kinds, small sizes
  if (k <= 4) return rng.chance(0.5) ? rng.int(0, CLIENT_MEM / 4096 - 1) * 4096 : rng.int(0, CLIENT_MEM - 1); // its memory
  if (k === 5) return rng.int(1, 80) * 4096; // page-multiple sizes
  if (k === 6) return 0x40000000 + rng.int(0, 15) * 4096; // a share target outside its memory
  if (k === 7) return rng.int(0, 3 << 20) & ~3; // host addresses of other partitions (guest-physical here)
  return rng.u32() | 0;
}

function generate(rng: Rng): HcOp[] {
  const ops: HcOp[] = [];
  for (let i = 0; i < EPISODE_CALLS; i++) {
    if (rng.chance(1 / 1000)) {
      // Valid arguments, so every call is accepted: a page of its own memory, the other client.
      const page = rng.int(0, CLIENT_MEM / 4096 - 1) * 4096;
      const nr = rng.pick(FLOODERS);
      const args = nr === HC.share_offer ? [page, OTHER] : nr === HC.request ? [1, 4096] : [OTHER, page, 8];
      ops.push({ nr, args: [...args, 0, 0, 0, 0].slice(0, 6), mode: 'kernel', repeat: FLOOD });
      continue;
    }
    const nr = rng.chance(0.8) ? rng.pick(NUMBERS) : rng.chance(0.5) ? rng.int(0, 0x130) : rng.int(0, 0xffff);
    ops.push({
      nr,
      args: [arg(rng), arg(rng), arg(rng), arg(rng), arg(rng), arg(rng)],
      mode: rng.chance(0.5) ? 'user' : 'kernel',
    });
  }
  return ops;
}

export function show(op: HcOp): string {
  return `${op.mode} hypercall ${hex(op.nr)}(${op.args.map(hex).join(', ')})${op.repeat ? ` x${op.repeat}` : ''}`;
}

function play(ops: readonly HcOp[], fine: boolean): Outcome {
  const out: Outcome = { steps: 0, escapes: [], exceptions: [], counters: { floodCalls: 0 } };
  let w: FuzzWorld;
  let c: Partition;
  try {
    w = new FuzzWorld({ ctl: 'idle', memBytes: 3 << 20 });
    w.launch(OTHER, IDLE, CLIENT_MEM);
    w.machine.run(20_000); // ctl and the other client reach their wfi: the state to keep from here
    c = w.launch(CALLER, agent(true), CLIENT_MEM);
  } catch (e) {
    out.exceptions.push({ invariant: 'exception', detail: `setting up: ${String(e)}`, step: -1 });
    return out;
  }
  const span = hostRanges(c.memory)[0];
  const others = hostRanges([...w.ctl.memory, ...(w.hv.partitions.get(OTHER) as Partition).memory]);
  const memBefore = hashMemory(w.machine.mem, others);
  const stateBefore = foreignState(w.hv, CALLER, span);
  const digestBefore = digest(stateBefore);
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i];
    const found: StepEscape[] = [];
    const esc = (invariant: string, detail: string): void => void found.push({ invariant, detail, step: i });
    try {
      let r = w.call(c, op.nr, op.args, op.mode, 200_000 + (op.repeat ?? 1) * 2000, op.repeat ?? 1);
      if (r.status === 'blocked') {
        // msg_call waits for its reply: the destination answers (as a guest would, by msg_reply).
        const v = c.vcpus.find((x) => x.waitingReplyFrom >= 0);
        const dest = v && w.hv.partitions.get(v.waitingReplyFrom);
        if (dest) reply(w.hv, dest, c, new Uint8Array([1, 2, 3, 4]));
        r = w.wait(c);
      }
      // A flood counts as one input (its calls are counted apart): inputs are random calls.
      out.steps++;
      if (op.repeat && out.counters) out.counters.floodCalls += op.repeat;
      if (
        op.mode === 'user' &&
        (r.status === 'stopped' || r.status === 'blocked' || (r.status === 'done' && r.sepc !== SLOT))
      )
        esc(
          'user-hypercall',
          `hypercall ${hex(op.nr)} from user mode was served by the hypervisor (${r.status}, result ${r.a0}), not trapped to the guest's kernel`,
        );
      const last = i === ops.length - 1;
      if (fine || last || i % CHECK_EVERY === CHECK_EVERY - 1) {
        for (const x of checkInvariants(w.hv)) esc(x.invariant, x.detail);
        const now = foreignState(w.hv, CALLER, span);
        if (digest(now) !== digestBefore)
          esc(
            'foreign-state',
            `the hypervisor's state outside partition ${CALLER} changed: ${firstDifference(stateBefore, now)}`,
          );
      }
      if ((fine || last || i % MEM_EVERY === MEM_EVERY - 1) && hashMemory(w.machine.mem, others) !== memBefore)
        esc('foreign-memory', `memory of ctl or partition ${OTHER} changed`);
      // The caller shut itself down, or broke its agent: ctl restarts it (a fresh copy of its image).
      if (c.state !== 'running' || r.status === 'timeout' || r.status === 'no-agent') {
        if (w.machine.stopped || w.hv.restart(CALLER) !== undefined) {
          out.escapes.push(...found);
          return out; // it cannot be restarted (it gave its memory away): the episode ends here
        }
      }
    } catch (e) {
      out.exceptions.push(hostException(show(op), e, i));
      return out;
    }
    out.escapes.push(...found);
    // A broken state invariant makes the rest of the episode meaningless; a served user call does not.
    if (found.some((x) => x.invariant !== 'user-hypercall')) return out;
  }
  return out;
}

export const hypercallCampaign: CampaignSpec<HcOp> = { name: 'hypercalls', generate, play, show };
