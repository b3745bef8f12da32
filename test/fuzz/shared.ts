/**
 * The shared-page campaign (docs/security.md#shared): random offer / accept / release (mem_release)
 * / destroy / swap-out / swap-in / re-create sequences between ctl and 2-4 clients, every one a real
 * hypercall from the partition's agent (the client calls from the clients, the control calls from
 * ctl). The campaign keeps its own record of which offers were made and accepted, and when an
 * offerer stopped owning the page. Invariant at every step (invariants.ts): a page is mapped in a
 * partition's stage-2 table only where its owner allows it: its own memory, or a page shared by a
 * partition that has owned it ever since the offer that this partition accepted.
 */
import { HC } from '../../src/main/emulator/hypervisor/hypercalls.js';
import type { Partition } from '../../src/main/emulator/hypervisor/Partition.js';
import type { CampaignSpec, Outcome, StepEscape } from './campaign.js';
import { hostException } from './campaign.js';
import { checkInvariants, hex, type Grant } from './invariants.js';
import type { Rng } from './rng.js';
import { agent, AGENT, FuzzWorld, MBOX } from './world.js';

export type SharedOp =
  | { op: 'offer'; from: number; to: number; page: number }
  | { op: 'accept'; by: number; k: number; slot: number }
  | { op: 'release'; who: number; pages: number }
  | { op: 'destroy'; who: number }
  | { op: 'swap-out'; who: number }
  | { op: 'swap-in'; who: number }
  | { op: 'recreate'; who: number };

const CLIENT_MEM = 256 << 10;
/** A client keeps at least this much (its agent, and 64 KiB to start again). */
const KEEP = 128 << 10;
export const EPISODE_OPS = 30;
/** Where ctl keeps a partition's name for part_create (its own memory, above its mailbox). */
const NAME = MBOX + 0x200;

function generate(rng: Rng): SharedOp[] {
  const n = rng.int(2, 4);
  const client = (): number => rng.int(1, n);
  const any = (): number => rng.int(0, n);
  const ops: SharedOp[] = [{ op: 'offer', from: client(), to: client(), page: rng.int(0, 63) }];
  for (let i = 1; i < EPISODE_OPS; i++) {
    const k = rng.int(0, 99);
    // Half the offers are of the top pages, the ones mem_release gives back first.
    if (k < 28)
      ops.push({ op: 'offer', from: any(), to: any(), page: rng.chance(0.5) ? rng.int(56, 63) : rng.int(0, 63) });
    else if (k < 52) ops.push({ op: 'accept', by: any(), k: rng.int(0, 7), slot: rng.int(0, 15) });
    else if (k < 62) ops.push({ op: 'release', who: any(), pages: rng.int(1, 12) });
    else if (k < 72) ops.push({ op: 'destroy', who: client() });
    else if (k < 80) ops.push({ op: 'swap-out', who: client() });
    else if (k < 88) ops.push({ op: 'swap-in', who: client() });
    else ops.push({ op: 'recreate', who: client() });
  }
  return ops;
}

export function show(o: SharedOp): string {
  switch (o.op) {
    case 'offer':
      return `${o.from}: share_offer(page ${o.page}, to ${o.to})`;
    case 'accept':
      return `${o.by}: share_accept(its pending offer #${o.k}, at 0x${(0x40000000 + o.slot * 4096).toString(16)})`;
    case 'release':
      return `${o.who}: mem_release(${o.pages} pages)`;
    case 'destroy':
      return `ctl: part_destroy(${o.who})`;
    case 'swap-out':
      return `ctl: part_swap_out(${o.who})`;
    case 'swap-in':
      return `ctl: part_swap_in(${o.who}, at the end of ctl's memory)`;
    case 'recreate':
      return `ctl: part_create(${o.who}) + assign_cpu + assign_mem(the end of ctl's memory) + part_start`;
  }
}

interface Offer {
  id: number;
  from: number;
  to: number;
  hpa: number;
  /** The offerer has owned the page ever since. */
  valid: boolean;
}

/** The clients of an episode: the highest id its operations name (2 to 4). */
function clientsOf(ops: readonly SharedOp[]): number {
  let n = 2;
  for (const o of ops) {
    if ('who' in o) n = Math.max(n, o.who);
    if (o.op === 'offer') n = Math.max(n, o.from, o.to);
    if (o.op === 'accept') n = Math.max(n, o.by);
  }
  return Math.min(n, 4);
}

/** ctl's agent did not come back from a control call: an escape of its own, not a host exception. */
class CtlLost extends Error {}

function owner(w: FuzzWorld, hpa: number): Partition | undefined {
  return w.live().find((p) => p.memory.some((r) => hpa >= r.hpa && hpa < r.hpa + r.size));
}

function play(ops: readonly SharedOp[]): Outcome {
  // What succeeded (a campaign whose calls all fail would find nothing): summed into the summary.
  const counters = {
    offered: 0,
    accepted: 0,
    revoked: 0,
    released: 0,
    destroyed: 0,
    swappedOut: 0,
    swappedIn: 0,
    recreated: 0,
  };
  const out: Outcome = { steps: 0, escapes: [], exceptions: [], counters };
  const w = new FuzzWorld({ ctl: 'agent', memBytes: 8 << 20 });
  const n = clientsOf(ops);
  for (let id = 1; id <= n; id++) w.launch(id, agent(), CLIENT_MEM);
  const offers: Offer[] = [];
  const grants: Grant[] = [];
  const swapped = new Map<number, number>();
  const ctl = w.ctl;
  const part = (id: number): Partition | undefined => {
    const p = w.hv.partitions.get(id);
    return p && p.state !== 'destroyed' ? p : undefined;
  };
  /** A control call from ctl's agent; its result (a0). */
  const control = (nr: number, args: number[]): number => {
    const r = w.call(ctl, nr, args);
    if (r.status !== 'done')
      throw new CtlLost(`ctl's agent did not come back from ${hex(nr)}: ${r.status} (ctl ${ctl.state})`);
    return r.a0;
  };
  const client = (p: Partition | undefined, nr: number, args: number[]): number | undefined => {
    if (!p || p.state !== 'running') return undefined;
    const r = w.call(p, nr, args);
    return r.status === 'done' ? r.a0 : undefined;
  };
  for (let i = 0; i < ops.length; i++) {
    const o = ops[i];
    const found: StepEscape[] = [];
    try {
      switch (o.op) {
        case 'offer': {
          const p = part(o.from);
          if (!p) break;
          const gpa = (o.page % Math.max(1, p.memBytes / 4096)) * 4096;
          const hpa = p.hostAddress(gpa);
          const id = client(p, HC.share_offer, [gpa, o.to]);
          if (id !== undefined && id > 0 && hpa !== undefined) {
            offers.push({ id, from: o.from, to: o.to, hpa, valid: true });
            counters.offered++;
          }
          break;
        }
        case 'accept': {
          const pending = offers.filter((x) => x.to === o.by);
          const offer = pending.length ? pending[o.k % pending.length] : undefined;
          const r = client(part(o.by), HC.share_accept, [offer ? offer.id : 1000 + o.k, 0x40000000 + o.slot * 4096]);
          if (r === 0 && offer) {
            counters.accepted++;
            offers.splice(offers.indexOf(offer), 1);
            // Only an offer whose page its offerer still owns is a grant: anything else is mapped
            // where its owner did not allow it, and the check below says so.
            if (offer.valid) grants.push({ from: offer.from, to: o.by, hpa: offer.hpa });
          }
          break;
        }
        case 'release': {
          const p = part(o.who);
          const pages = p ? Math.min(o.pages, Math.max(0, (p.memBytes - KEEP) / 4096)) : 0;
          if (client(p, HC.mem_release, [(pages || o.pages) * 4096]) === 0) counters.released++;
          break;
        }
        case 'destroy':
          if (control(HC.part_destroy, [o.who]) === 0) counters.destroyed++;
          break;
        case 'swap-out': {
          const size = part(o.who)?.memBytes ?? 0;
          if (control(HC.part_swap_out, [o.who]) === 0) {
            swapped.set(o.who, size);
            counters.swappedOut++;
          }
          break;
        }
        case 'swap-in': {
          const size = swapped.get(o.who);
          if (size === undefined || part(o.who)?.state !== 'swapped') break;
          if (control(HC.part_swap_in, [o.who, ctl.memEnd - size]) === 0) {
            swapped.delete(o.who);
            counters.swappedIn++;
          }
          break;
        }
        case 'recreate': {
          if (part(o.who)) break;
          // The memory most recently given back to ctl goes to the new partition, as the issue's
          // attack had it; ctl loads the agent into it first (as a loader does).
          const gpa = ctl.memEnd - CLIENT_MEM;
          w.hv.writeGuest(ctl, NAME, new TextEncoder().encode(`p${o.who}\0`));
          w.hv.writeGuest(ctl, gpa, new Uint8Array(CLIENT_MEM));
          w.hv.writeGuest(ctl, gpa + AGENT, agent());
          if (control(HC.part_create, [o.who, NAME]) !== 0) break;
          if (control(HC.part_assign_cpu, [o.who, 0]) < 0) break;
          if (control(HC.part_assign_mem, [o.who, gpa, CLIENT_MEM]) !== 0) break;
          if (control(HC.part_start, [o.who, AGENT, 0]) === 0) counters.recreated++;
          break;
        }
      }
      out.steps++;
      // The record follows ownership: an offer or grant whose page left its offerer is void for good.
      for (const x of offers) if (owner(w, x.hpa)?.id !== x.from) x.valid = false;
      for (let g = grants.length - 1; g >= 0; g--)
        if (owner(w, grants[g].hpa)?.id !== grants[g].from || !part(grants[g].to)) {
          grants.splice(g, 1);
          counters.revoked++;
        }
      for (const x of checkInvariants(w.hv, { grants })) found.push({ ...x, step: i });
    } catch (e) {
      if (e instanceof CtlLost) out.escapes.push({ invariant: 'ctl', detail: e.message, step: i });
      else out.exceptions.push(hostException(show(o), e, i));
      return out;
    }
    if (found.length) {
      out.escapes.push(...found);
      return out;
    }
  }
  return out;
}

export const sharedCampaign: CampaignSpec<SharedOp> = {
  name: 'shared',
  generate,
  play,
  show,
  classify: (o) => o.op,
};
