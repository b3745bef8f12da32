/**
 * Inter-OS communication (M19, docs/hypercalls.md#client-api-any-partition): asynchronous messages,
 * synchronous calls that block the caller until the reply, and pages shared between two partitions
 * on request of both (zero copy). Also the hypervisor's own notifications (sender 255) and whole-
 * guest swapping (M17).
 */
import type { Cpu } from '../cpu/Cpu.js';
import type { Hypervisor } from './Hypervisor.js';
import type { Partition } from './Partition.js';
import type { Vcpu } from './Vcpu.js';
import { E, type Errno, fail, HvError } from './errors.js';
import { MAX_OFFERS } from './plan.js';

export const MAX_MESSAGE = 256;
export const MAX_INBOX = 64;
export const HYPERVISOR_SENDER = 255;

export const enum MsgError {
  NOENT = -3,
  AGAIN = -7,
  INVAL = -2,
}

/** Bytes of a message's text the log keeps (docs/hypercalls.md#the-message-log). */
export const MSG_PREVIEW = 40;

/** The first MSG_PREVIEW bytes as printable ASCII, the rest of the bytes as '.'. */
export function preview(data: Uint8Array): string {
  let s = '';
  for (const b of data.subarray(0, MSG_PREVIEW)) s += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.';
  return s;
}

/**
 * Log one message (M19, docs/hypercalls.md#the-message-log): a 'message' event of the sender with
 * what went to whom, for the app's sequence view. Bounded like every event (a repeat is counted).
 */
export function logMessage(
  hv: Hypervisor,
  from: number,
  op: 'send' | 'call' | 'reply',
  to: number,
  data: Uint8Array,
  refused?: HvError,
): void {
  const text = preview(data);
  const detail = refused
    ? `${op} to ${to} refused: ${refused.toString()}`
    : `${op} to ${to}, ${data.length} bytes: "${text}"`;
  hv.log(from, 'message', detail, {
    op,
    to,
    bytes: data.length,
    text,
    ...(refused ? { error: refused.toString() } : {}),
  });
}

/** Why post() would refuse a message to `to` from `from`, or undefined when it would take it. */
export function refusal(from: number, to: Partition | undefined, id: number, call: boolean): HvError | undefined {
  if (!to || to.state === 'destroyed') return fail(E.NOENT, `no partition ${id}`);
  if (call && to.id === from) return fail(E.INVAL, `partition ${from} cannot call itself`);
  if (to.state !== 'running' && to.state !== 'swapped')
    return fail(E.NOENT, `partition ${id} is ${to.state}: only a running partition takes messages`);
  if (to.inbox.length >= MAX_INBOX) return fail(E.AGAIN, `partition ${id}'s inbox is full (${MAX_INBOX} messages)`);
  return undefined;
}

/** Log a refused message and give its code. */
export function refuse(
  hv: Hypervisor,
  from: number,
  op: 'send' | 'call' | 'reply',
  to: number,
  data: Uint8Array,
  e: HvError,
): Errno {
  logMessage(hv, from, op, to, data, e);
  return e.code;
}

/**
 * `callee` stopped (or faulted, restarted, was destroyed): every vCPU waiting in msg_call for its
 * reply gets ENOENT instead of waiting for ever (docs/hypercalls.md#notifications-and-messages).
 */
export function abandonCalls(hv: Hypervisor, callee: Partition): void {
  for (const q of hv.partitions.values()) {
    for (const v of q.vcpus) {
      if (v.waitingReplyFrom !== callee.id) continue;
      v.waitingReplyFrom = -1;
      v.regs[10] = E.NOENT;
      if (v.state === 'blocked') v.state = 'runnable';
      hv.kick(v);
    }
  }
}

/** Put a message in `to`'s inbox and raise its notification line. */
export function post(hv: Hypervisor, from: number, to: Partition, data: Uint8Array, wantsReply: boolean): number {
  if (to.state !== 'running' && to.state !== 'swapped') return MsgError.NOENT;
  if (to.inbox.length >= MAX_INBOX) return MsgError.AGAIN;
  to.inbox.push({ from, data, wantsReply });
  // The input log of an FT primary's open epoch (docs/fault-tolerance.md#the-input-log).
  if (!wantsReply) hv.ft.get(to.id)?.inputMessages.push({ from, data: data.slice() });
  // A message from a partition is activity of both, or input for a swapped guest (idle.ts, M17).
  if (from !== HYPERVISOR_SENDER) {
    const sender = hv.partitions.get(from);
    if (sender) hv.inputFor(sender, 'message');
    hv.inputFor(to, 'message');
  }
  hv.notify(to);
  for (const v of to.vcpus) hv.kick(v);
  return 0;
}

/** A notice from the hypervisor itself (text), e.g. "cpu-added 1" or "shutdown 2 0". */
export function notice(hv: Hypervisor, to: Partition, text: string): void {
  // post() would refuse it: do not build it (a flood of requests costs its maker, not the host).
  if (to.inbox.length >= MAX_INBOX) return;
  post(hv, HYPERVISOR_SENDER, to, new TextEncoder().encode(text), false);
}

/** msg_recv: the first message into the caller's buffer; a1 = sender, a2 = wants a reply. */
export function receive(hv: Hypervisor, p: Partition, cpu: Cpu, buf: number, max: number): number {
  const m = p.inbox[0];
  if (!m) return MsgError.AGAIN;
  const data = m.data.subarray(0, Math.max(0, max));
  if (!hv.writeGuest(p, buf, data)) return -6;
  p.inbox.shift();
  hv.notify(p);
  cpu.regs[11] = m.from;
  cpu.regs[12] = m.wantsReply ? 1 : 0;
  return data.length;
}

/** msg_call: post, then block the caller until `to` replies. */
export function call(
  hv: Hypervisor,
  p: Partition,
  v: Vcpu,
  cpu: Cpu,
  to: Partition,
  data: Uint8Array,
  replyBuf: number,
  replyMax: number,
): number | undefined {
  if (to === p) return MsgError.INVAL;
  const r = post(hv, p.id, to, data, true);
  if (r < 0) return r;
  v.waitingReplyFrom = to.id;
  v.replyBuf = replyBuf;
  v.replyMax = replyMax;
  hv.block(cpu, v);
  return undefined;
}

/** msg_reply: wake the vCPU of `to` that waits for a reply from `p`. */
export function reply(hv: Hypervisor, p: Partition, to: Partition, data: Uint8Array): number {
  const v = to.vcpus.find((x) => x.waitingReplyFrom === p.id);
  if (!v) return MsgError.NOENT;
  const n = Math.min(data.length, v.replyMax);
  const ok = hv.writeGuest(to, v.replyBuf, data.subarray(0, n));
  v.regs[10] = ok ? n : -6;
  v.waitingReplyFrom = -1;
  v.state = 'runnable';
  hv.kick(v);
  return 0;
}

/**
 * share_offer: the page at `gpa` of `p` (a whole page of its own memory) for partition `to`; the
 * share id, or an error (plan.ts: at most MAX_OFFERS pending per partition).
 */
export function offer(hv: Hypervisor, p: Partition, gpa: number, to: number): number {
  // The refusal plan() makes at MAX_OFFERS pending, before a layout is built for it (a flood of
  // offers cost a whole plan each; issue 13). plan() still checks: this only answers sooner.
  let pending = 0;
  for (const s of hv.shares) if (s.from === p.id && s.at < 0) pending++;
  if (pending >= MAX_OFFERS) {
    hv.log(p.id, 'shared', `offer to ${to} refused: ENOSPC: ${MAX_OFFERS} offers pending already`);
    return E.NOSPC;
  }
  const r = hv.control({ op: 'share-offer', from: p.id, to, gpa });
  if (r instanceof HvError) {
    // The guest gets the code; the log says why (a page not its own: ENOMEM; docs/hypercalls.md).
    hv.log(p.id, 'shared', `offer of 0x${(gpa >>> 0).toString(16)} to ${to} refused: ${r.toString()}`);
    return r.code;
  }
  const id = r.shareId as number;
  notice(hv, hv.partitions.get(to) as Partition, `share-offer ${id} from ${p.id}`);
  return id;
}

/**
 * share_accept: map an offered page at `gpa` of the acceptor (outside its memory, below the device
 * windows), if its offerer still holds it: all or nothing (the new table first).
 */
export function accept(hv: Hypervisor, p: Partition, id: number, gpa: number): number {
  const s = hv.shares.find((x) => x.id === id);
  const r = hv.control({ op: 'share-accept', by: p.id, id, gpa });
  if (r instanceof HvError) {
    hv.log(p.id, 'shared', `accept of share ${id} refused: ${r.toString()}`);
    return r.code;
  }
  hv.log(p.id, 'shared', `page from partition ${s?.from} at 0x${(gpa >>> 0).toString(16)}`);
  return 0;
}

/**
 * Swap a whole guest out (M17): its memory goes to the swap store (here: kept as bytes; the host
 * may persist it), its host memory returns to the Controlling OS cleared, its vCPUs keep their
 * state, and every page shared from or into it is revoked. All or nothing: if the store fails or the
 * reserve has no room for ctl's new table, nothing changed.
 */
export function swapOut(hv: Hypervisor, p: Partition): HvError | undefined {
  if (p.id === 0) return fail(E.INVAL, 'the Controlling OS cannot be swapped out');
  const pair = hv.ftPairOf(p.id);
  if (pair)
    return fail(
      E.BUSY,
      `partition ${p.id} is ${pair.primary === p.id ? 'an FT primary' : 'an FT backup'}: turn fault tolerance off first (ft ${pair.primary} off)`,
    );
  if (p.state !== 'running' && p.state !== 'stopped')
    return fail(E.BUSY, `partition ${p.id} is ${p.state}: only a running or stopped one can be swapped out`);
  const bytes = hv.readGuest(p, 0, p.memBytes) as Uint8Array;
  const wasRunning = p.state === 'running';
  // The copy must be safe in the store before the memory is given away.
  const saved = hv.swapStore.save(p.id, bytes);
  if (saved instanceof Error) return fail(E.NOMEM, `the swap store refused partition ${p.id}: ${saved.message}`);
  const size = p.memBytes;
  const r = hv.control({ op: 'return-memory', from: p.id, to: 0 }, () => {
    for (const v of p.vcpus)
      v.stateBeforeSwap = v.state === 'stopped' ? 'stopped' : v.waitingReplyFrom >= 0 ? 'blocked' : 'runnable';
    if (wasRunning) hv.halt(p, 'swapped', 'swapped out');
  });
  if (r instanceof HvError) {
    hv.swapStore.drop(p.id);
    return r;
  }
  p.swapped = true;
  p.state = 'swapped';
  p.swappedWhileRunning = wasRunning;
  p.swapInputNoticed = false;
  hv.log(p.id, 'swapped-out', `${size >> 10} KiB`);
  return undefined;
}

/** Swap back in, into [gpa, gpa+size) of the Controlling OS's memory. */
export function swapIn(hv: Hypervisor, p: Partition, gpa: number): HvError | undefined {
  if (p.state !== 'swapped' || !p.swapped) return fail(E.BUSY, `partition ${p.id} is not swapped out`);
  const ctl = hv.partitions.get(0) as Partition;
  const saved = hv.swapStore.load(p.id);
  if (saved instanceof Error)
    return fail(E.NOMEM, `the swap store has nothing for partition ${p.id}: ${saved.message}`);
  const err = hv.moveMemory(ctl, p, gpa, saved.length);
  if (err) return err;
  hv.writeGuest(p, 0, saved);
  hv.swapStore.drop(p.id);
  p.swapped = false;
  const wasRunning = p.swappedWhileRunning;
  p.state = wasRunning ? 'running' : 'stopped';
  p.swapInputNoticed = false;
  p.lastActive = Math.max(p.lastActive, hv.machineNow()); // back: idle counts from now (idle.ts)
  if (wasRunning) {
    for (const v of p.vcpus) {
      v.state = v.stateBeforeSwap;
      hv.kick(v);
    }
  }
  hv.log(p.id, 'swapped-in', `${saved.length >> 10} KiB`);
  return undefined;
}
