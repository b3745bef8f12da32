/**
 * The two hypercall interfaces (docs/hypercalls.md): the client API for every partition and the
 * control API for the Controlling OS only (M14). Arguments are in a0..a5; the result goes to a0.
 * Every argument from a guest is checked: a bad one is an error code, never an exception.
 */
import type { Cpu } from '../cpu/Cpu.js';
import type { Hypervisor } from './Hypervisor.js';
import type { Partition } from './Partition.js';
import type { Vcpu } from './Vcpu.js';
import { HC, hypercallInfo } from '../../../shared/hypercalls.js';
import { E, fail, HvError } from './errors.js';
import {
  accept,
  call,
  logMessage,
  MAX_MESSAGE,
  notice,
  offer,
  post,
  receive,
  refusal,
  refuse,
  reply,
  swapIn,
  swapOut,
} from './messages.js';
import { MGMT_MAX_MESSAGE, MGMT_MAX_REPLY } from './mgmt.js';
import { PV_MAX_FRAME, PV_MIN_FRAME } from './net/pvnet.js';
import { FAULT_KINDS } from './faults.js';
import { ftOff, ftOn, ftQuery } from './ftControl.js';
import { virtualMac } from './net/vnic.js';
import { UART_TX_CYCLES_PER_BYTE, UART_TX_QUEUE } from '../devices/uart/Uart.js';
import { groupOf } from './subtrees.js';

/**
 * Devices a partition gets a virtual stand-in for at its start (vdevices.ts): the physical one cannot
 * be hot-plugged at the same address while it runs (docs/hypercalls.md#hot-add-and-remove).
 */
const STAND_INS = new Set(['uart0', 'sysctl', 'rtc', 'disk0', 'nic0']);

export const HV_VERSION = 1;

export { E } from './errors.js';

/** The guest's result of an operation: 0, or the error's code (never its text). */
const result = (r: HvError | undefined): number => r?.code ?? 0;
/** Partition ids 1..254: 255 is the hypervisor's own sender id, and a MAC's last byte (net/vnic.ts). */
export const MAX_PARTITION_ID = 254;

export { HC } from '../../../shared/hypercalls.js';

/** part_technique's a1 (docs/hypercalls.md#virtualization-techniques). */
const TECHNIQUES = ['paravirtual', 'hardware', 'trap-emulate'] as const;

/** bridge_stats's answer: 40 bytes (docs/hypercalls.md#control-api-partition-0-only). */
export const BRIDGE_STATS_SIZE = 40;

/**
 * What the paravirtual console costs (docs/hypercalls.md#the-console-costs-machine-time): its queue
 * sends one byte per CONSOLE_CYCLES_PER_BYTE cycles (7.8 MB/s at 250 MHz) and holds
 * CONSOLE_QUEUE_BYTES; a console_write that overfills it blocks its vCPU until it has drained back
 * to that. So a guest that floods its console pays in its own machine time, deterministically, and
 * can hand the host at most 1/CONSOLE_CYCLES_PER_BYTE bytes per cycle.
 */
export const CONSOLE_CYCLES_PER_BYTE = UART_TX_CYCLES_PER_BYTE;
export const CONSOLE_QUEUE_BYTES = UART_TX_QUEUE;

const STATE_CODE = { created: 0, running: 1, stopped: 2, faulted: 3, destroyed: 4, swapped: 5 } as const;

/** A NUL-terminated string from guest memory (at most `max` bytes), or undefined. */
function guestString(hv: Hypervisor, p: Partition, gpa: number, max = 64): string | undefined {
  let s = '';
  for (let i = 0; i < max; i++) {
    const b = hv.readGuest(p, gpa + i, 1);
    if (!b) return undefined;
    if (b[0] === 0) return s;
    s += String.fromCharCode(b[0]);
  }
  return undefined;
}

/**
 * The caller's registers, for `a(i)` (argument register a<i>). A module-level function rather than a
 * closure made per call: under tsx (keepNames) every closure creation also defines its `name`, which
 * cost ~300 ns per hypercall (docs/performance.md).
 */
let argRegs: Int32Array = new Int32Array(32);
function a(i: number): number {
  return argRegs[10 + i];
}

/**
 * Handle hypercall `n` from vCPU `v` of partition `p` (cpu is in hypervisor mode with the guest's
 * registers). Returns the value for a0, or undefined when the call does not return to the caller.
 */
export function handleHypercall(hv: Hypervisor, p: Partition, v: Vcpu, cpu: Cpu, n: number): number | undefined {
  argRegs = cpu.regs;
  // Who may call it and in which states of its target, from the one table (src/shared/hypercalls.ts).
  const info = hypercallInfo(n);
  if (!info) return E.NOSYS;
  if (info.api === 'control') {
    if (p.id !== 0) return E.PERM;
    // (Partition 0 itself is the handlers' to refuse: it is never a target of these.)
    if (info.states && a(0) !== 0) {
      const t = hv.partitions.get(a(0));
      if (!t || t.state === 'destroyed') return E.NOENT;
      if (!info.states.includes(t.state)) return E.BUSY;
    }
  }
  switch (n) {
    case HC.hv_version:
      return HV_VERSION;
    case HC.partition_id:
      return p.id;
    case HC.console_write: {
      const len = a(1);
      if (len < 0 || len > 4096) return E.INVAL;
      const bytes = hv.readGuest(p, a(0), len);
      if (!bytes) return E.FAULT;
      const sink = hv.consoleSink(p); // held while it is an FT primary (docs/fault-tolerance.md)
      for (const b of bytes) sink.write(b);
      const until = hv.chargeConsole(p, len, cpu.now());
      if (until === 0) return len;
      // The queue is over full: the caller waits (blocked, its pCPU free for others) until it is not.
      cpu.regs[10] = len;
      v.busyUntil = until;
      hv.block(cpu, v);
      return undefined;
    }
    case HC.console_read: {
      const max = a(1);
      if (max < 0 || max > 4096) return E.INVAL;
      const uart = hv.vconsoles.get(p.id);
      const out: number[] = [];
      while (uart && out.length < max) {
        const b = uart.read(4, 4) ?? -1;
        if (b < 0) break;
        out.push(b);
      }
      if (!hv.writeGuest(p, a(0), new Uint8Array(out))) return E.FAULT;
      return out.length;
    }
    case HC.yield:
      return 0;
    case HC.shutdown:
      hv.shutdown(p, a(0));
      return undefined;
    case HC.request: {
      let text = `request ${p.id} ${a(0) === 1 ? 'mem' : 'cpu'} ${a(1) >>> 0}`;
      if (a(0) === 3) {
        // A device by its id (M18: a guest asks, ctl decides): one word, so ctl can read it back.
        const dev = guestString(hv, p, a(1), 32);
        if (dev === undefined) return E.FAULT;
        if (!/^[A-Za-z0-9_.-]{1,31}$/.test(dev)) return E.INVAL;
        text = `request ${p.id} dev ${dev}`;
      }
      hv.log(p.id, a(0) === 1 ? 'memory' : a(0) === 3 ? 'device' : 'cpu', `${text} (ctl decides)`);
      const ctl = hv.partitions.get(0);
      if (ctl && p.id !== 0) notice(hv, ctl, text);
      return 0;
    }
    case HC.mem_release: {
      // The guest agrees to give back the top `size` bytes of its memory (M21).
      const size = a(0) >>> 0;
      const ctl = hv.partitions.get(0);
      if (!ctl || p.id === 0 || size === 0 || size % 4096 !== 0 || size >= p.memBytes) return E.INVAL;
      const err = hv.moveMemory(p, ctl, p.memEnd - size, size);
      if (err) return err.code;
      notice(hv, ctl, `released ${p.id} ${size}`);
      return 0;
    }
    case HC.net_send: {
      // The paravirtual network (M18, net/pvnet.ts): one frame from the caller's memory onto its
      // bridge port, counted there like a frame its nic sent.
      const pv = p.pvnet;
      if (!pv) return E.NOENT;
      const len = a(1);
      if (len < PV_MIN_FRAME || len > PV_MAX_FRAME) return E.INVAL;
      const frame = hv.readGuest(p, a(0), len);
      if (!frame) return E.FAULT;
      pv.up = true;
      pv.stats.sent++;
      hv.bridge.send(p.id, frame);
      return 0;
    }
    case HC.net_recv: {
      // The next frame waiting at the caller's port, into its buffer: its length, 0 when none.
      const pv = p.pvnet;
      if (!pv) return E.NOENT;
      pv.up = true;
      const len = pv.nextLength;
      if (len === 0) return 0;
      if (a(1) < len) return E.INVAL; // it stays queued: the guest may ask again with room for it
      if (!p.owns(a(0), len)) return E.FAULT;
      hv.writeGuest(p, a(0), pv.take() as Uint8Array);
      return len;
    }
    case HC.msg_send:
    case HC.msg_call: {
      // Each message, and each refusal with its reason, is logged for the sequence view (M19).
      const op = n === HC.msg_call ? 'call' : 'send';
      const id = a(0);
      const len = a(2);
      const none = new Uint8Array(0);
      if (len < 0 || len > MAX_MESSAGE)
        return refuse(hv, p.id, op, id, none, fail(E.INVAL, `${len} bytes: a message holds 0..${MAX_MESSAGE}`));
      const data = hv.readGuest(p, a(1), len);
      if (!data) return refuse(hv, p.id, op, id, none, fail(E.FAULT, 'the buffer is outside its memory'));
      const to = hv.partitions.get(id);
      const no = refusal(p.id, to, id, op === 'call');
      if (no || !to) return refuse(hv, p.id, op, id, data, no ?? fail(E.NOENT, `no partition ${id}`));
      logMessage(hv, p.id, op, id, data);
      return op === 'send' ? post(hv, p.id, to, data, false) : call(hv, p, v, cpu, to, data, a(3), a(4));
    }
    case HC.msg_recv:
      return receive(hv, p, cpu, a(0), a(1));
    case HC.msg_reply: {
      const id = a(0);
      const len = a(2);
      const none = new Uint8Array(0);
      if (len < 0 || len > MAX_MESSAGE)
        return refuse(hv, p.id, 'reply', id, none, fail(E.INVAL, `${len} bytes: a reply holds 0..${MAX_MESSAGE}`));
      const data = hv.readGuest(p, a(1), len);
      if (!data) return refuse(hv, p.id, 'reply', id, none, fail(E.FAULT, 'the buffer is outside its memory'));
      const to = hv.partitions.get(id);
      if (!to || !to.vcpus.some((x) => x.waitingReplyFrom === p.id))
        return refuse(hv, p.id, 'reply', id, data, fail(E.NOENT, `partition ${id} waits for no reply from ${p.id}`));
      logMessage(hv, p.id, 'reply', id, data);
      return reply(hv, p, to, data);
    }
    case HC.share_offer:
      return offer(hv, p, a(0) >>> 0, a(1));
    case HC.share_accept:
      return accept(hv, p, a(0), a(1) >>> 0);
    // ---------------------------------------------------------------- control API (partition 0)
    case HC.part_create: {
      const id = a(0);
      if (id < 1 || id > MAX_PARTITION_ID) return E.INVAL;
      if (hv.partitions.has(id)) return E.BUSY;
      const name = guestString(hv, p, a(1), 32);
      if (name === undefined || name === '') return E.FAULT;
      hv.create(id, name);
      return 0;
    }
    case HC.part_assign_cpu: {
      const t = hv.partitions.get(a(0));
      if (!t || t.id === 0) return E.NOENT;
      const pcpu = a(1) === -1 ? 0 : a(1);
      if (pcpu < 0 || pcpu >= hv.machine.cpus.length) return E.INVAL;
      const vc = hv.addVcpu(t, pcpu);
      hv.log(t.id, 'cpu', `vCPU ${vc.index} on pCPU ${pcpu}`);
      // Hot-add (M21): a running guest hears of it and may start it (boot info ap_entry + IPI).
      if (t.state === 'running') notice(hv, t, `cpu-added ${vc.index}`);
      return vc.index;
    }
    case HC.part_assign_mem: {
      const t = hv.partitions.get(a(0));
      if (!t || t.id === 0) return E.NOENT;
      const at = t.memEnd;
      const err = hv.moveMemory(p, t, a(1) >>> 0, a(2) >>> 0);
      if (err) return err.code;
      if (t.state === 'running') notice(hv, t, `mem-added ${a(2) >>> 0} at ${at}`);
      return 0;
    }
    case HC.part_remove_mem: {
      // Removing memory needs the guest's consent: ask; it answers with mem_release (or not).
      const t = hv.partitions.get(a(0));
      if (!t || t.id === 0) return E.NOENT;
      if (t.state !== 'running') return E.BUSY;
      notice(hv, t, `mem-remove ${a(1) >>> 0}`);
      return 0;
    }
    case HC.bridge_stats: {
      // Port number a(0) of the bridge (in the order of port ids) and its counters (M20).
      const i = a(0);
      if (i < 0) return E.INVAL;
      const ids = hv.bridge.portIds;
      if (i >= ids.length) return E.NOENT;
      const port = hv.bridge.port(ids[i]);
      if (!port) return E.NOENT;
      const owner = hv.partitions.get(port.id);
      const b = new Uint8Array(BRIDGE_STATS_SIZE);
      const dv = new DataView(b.buffer);
      dv.setUint32(0, port.id, true);
      dv.setInt32(4, owner ? owner.id : -1, true);
      b.set(virtualMac(port.id), 8);
      const c = port.counters;
      dv.setUint32(16, c.rxFrames % 4294967296, true);
      dv.setUint32(20, c.rxBytes % 4294967296, true);
      dv.setUint32(24, c.txFrames % 4294967296, true);
      dv.setUint32(28, c.txBytes % 4294967296, true);
      dv.setUint32(32, c.drops % 4294967296, true);
      dv.setUint32(36, (port.up() ? 1 : 0) | (owner?.pvnet?.up ? 2 : 0), true);
      return hv.writeGuest(p, a(1), b) ? 0 : E.FAULT;
    }
    case HC.part_swap_out: {
      const t = hv.partitions.get(a(0));
      if (!t || t.id === 0) return E.NOENT;
      return result(swapOut(hv, t));
    }
    case HC.part_swap_in: {
      const t = hv.partitions.get(a(0));
      if (!t || t.id === 0) return E.NOENT;
      return result(swapIn(hv, t, a(1) >>> 0));
    }
    case HC.part_assign_dev: {
      const t = hv.partitions.get(a(0));
      if (!t) return E.NOENT;
      const dev = guestString(hv, p, a(1), 32);
      if (dev === undefined) return E.FAULT;
      const group = groupOf(hv.subtrees, dev);
      // Hot-plug (M21): a running partition may get a device, unless it already runs a virtual one
      // at that address (built at its start): that one is swapped only across a restart.
      // (ctl has no virtual devices: it owns the real ones, and takes any back.)
      if (t.id !== 0 && t.state === 'running' && group.some((d) => STAND_INS.has(d) && !t.devices.has(d)))
        return E.BUSY;
      const owner = [...hv.partitions.values()].find((x) => x.devices.has(dev));
      const r = hv.control({ op: 'assign-device', by: p.id, to: t.id, device: dev });
      if (r instanceof HvError) return r.code;
      hv.log(t.id, 'device', `${dev} from partition ${owner?.id ?? 'nobody'}`);
      if (t.state === 'running' && t.id !== p.id) for (const d of group) notice(hv, t, `dev-added ${d}`);
      return 0;
    }
    case HC.part_remove_dev: {
      // Taking a device back (M18 dynamic reassignment, M21): now from a partition that does not
      // run; a running one is asked, and agrees with dev_release or refuses (its message to ctl).
      const t = hv.partitions.get(a(0));
      if (!t || t.id === 0) return E.NOENT;
      const dev = guestString(hv, p, a(1), 32);
      if (dev === undefined) return E.FAULT;
      if (!t.devices.has(dev)) return E.NOENT;
      if (t.state === 'running') {
        notice(hv, t, `dev-remove ${groupOf(hv.subtrees, dev).join(' ')}`);
        return 0;
      }
      const r = hv.control({ op: 'assign-device', by: p.id, to: p.id, device: dev });
      if (r instanceof HvError) return r.code;
      hv.log(t.id, 'device', `${dev} back to partition ${p.id}`);
      return 0;
    }
    case HC.dev_release: {
      const ctl = hv.partitions.get(0);
      const dev = guestString(hv, p, a(0), 32);
      if (dev === undefined) return E.FAULT;
      if (!ctl || p.id === 0 || !p.devices.has(dev)) return E.NOENT;
      const r = hv.control({ op: 'assign-device', by: p.id, to: 0, device: dev });
      if (r instanceof HvError) return r.code;
      hv.log(p.id, 'device', `${dev} released to partition 0`);
      notice(hv, ctl, `dev-released ${p.id} ${dev}`);
      return 0;
    }
    case HC.part_remove_cpu: {
      const t = hv.partitions.get(a(0));
      if (!t || t.id === 0) return E.NOENT;
      if (t.vcpus.length < 2) return E.INVAL; // never the last one
      if (t.state === 'running') {
        notice(hv, t, `cpu-remove ${t.vcpus.length - 1}`);
        return 0;
      }
      return result(hv.removeVcpu(t));
    }
    case HC.cpu_release: {
      // The guest agrees to give back its highest vCPU (M21), from another of its vCPUs.
      const ctl = hv.partitions.get(0);
      if (!ctl || p.id === 0 || a(0) !== p.vcpus.length - 1 || a(0) < 1) return E.INVAL;
      if (a(0) === v.index) return E.BUSY;
      const err = hv.removeVcpu(p);
      if (err) return err.code;
      notice(hv, ctl, `cpu-released ${p.id} ${a(0)}`);
      return 0;
    }
    case HC.part_grant_disk: {
      const t = hv.partitions.get(a(0));
      if (!t) return E.NOENT;
      const disk = guestString(hv, p, a(1), 16);
      if (disk === undefined) return E.FAULT;
      if (!hv.physicalDisk(disk)) return E.NOENT; // disk0, disk1, ... of the board
      const set = t.diskGrants.get(disk) ?? new Set<number>();
      set.add(a(2));
      t.diskGrants.set(disk, set);
      return 0;
    }
    case HC.part_start:
      return result(hv.start(a(0), a(1) >>> 0, a(2)));
    case HC.part_stop:
      if (a(0) === 0) return E.INVAL;
      return result(hv.stop(a(0), 'stopped by the Controlling OS'));
    case HC.part_restart:
      if (a(0) === 0) return E.INVAL;
      return result(hv.restart(a(0)));
    case HC.part_destroy:
      if (a(0) === 0) return E.INVAL;
      return result(hv.destroy(a(0)));
    case HC.part_query: {
      const t = hv.partitions.get(a(0));
      if (!t) return E.NOENT;
      const b = new Uint8Array(64);
      const dv = new DataView(b.buffer);
      dv.setUint32(0, STATE_CODE[t.state], true);
      dv.setUint32(4, t.vcpus.length, true);
      dv.setUint32(8, t.memBytes, true);
      dv.setUint32(12, t.devices.size, true);
      dv.setUint32(16, t.stats.hypercalls, true);
      dv.setUint32(20, t.stats.mmioExits, true);
      dv.setUint32(24, t.stats.interrupts, true);
      dv.setUint32(28, t.stats.switches, true);
      dv.setUint32(32, t.vcpus.reduce((s, x) => s + x.instret, 0) % 4294967296, true);
      dv.setUint32(36, t.exitCode, true);
      dv.setUint32(40, t.weight, true);
      for (let i = 0; i < Math.min(15, t.name.length); i++) b[44 + i] = t.name.charCodeAt(i) & 0x7f;
      // Trap-and-emulate's emulated instructions, saturating (M7: ctl's `parts` shows them).
      dv.setUint32(60, Math.min(t.stats.emulated, 0xffffffff), true);
      return hv.writeGuest(p, a(1), b) ? 0 : E.FAULT;
    }
    case HC.part_idle: {
      // What ctl's swap policy picks by (idle.ts, M17): the policy is ctl's, only the measure is here.
      const t = hv.partitions.get(a(0));
      if (!t || t.state === 'destroyed') return E.NOENT;
      return hv.idleMicros(t);
    }
    case HC.sched_set: {
      const t = hv.partitions.get(a(0));
      if (!t) return E.NOENT;
      const w = a(1);
      const us = a(2);
      if (w < 1 || w > 100 || us < 0 || us > 1_000_000) return E.INVAL;
      t.weight = w;
      if (us > 0) t.slice = us * 250;
      return 0;
    }
    case HC.part_technique: {
      // How a client is virtualized from its next start; not while it runs (mechanism; ctl decides).
      const t = hv.partitions.get(a(0));
      if (!t || t.state === 'destroyed') return E.NOENT;
      if (t.id === 0) return E.INVAL;
      const k = TECHNIQUES[a(1)];
      if (k === undefined) return E.INVAL;
      if (t.state === 'running' || t.state === 'swapped') return E.BUSY;
      t.technique = k;
      return 0;
    }
    case HC.part_prefer: {
      // The preferred guest (M24): which client survives a hypervisor crash. ctl cannot be it: the
      // recovery reboots ctl. -1 clears it.
      if (a(0) === -1) {
        hv.preferred = -1;
        return 0;
      }
      const t = hv.partitions.get(a(0));
      if (!t || t.state === 'destroyed') return E.NOENT;
      if (t.id === 0) return E.INVAL;
      hv.preferred = t.id;
      hv.log(t.id, 'preferred', 'it survives a hypervisor crash (M24)');
      return 0;
    }
    case HC.fault_inject: {
      const kind = FAULT_KINDS[a(0)];
      if (kind === undefined) return E.INVAL;
      return result(hv.injectFault(kind, a(1), cpu.now()));
    }
    case HC.ft_on: {
      // Fault tolerance (M23, ftControl.ts): ctl gives the backup's memory and id (its policy).
      const r = ftOn(hv, a(0), a(3), a(1) >>> 0, a(2) >>> 0);
      return typeof r === 'number' ? r : r.code;
    }
    case HC.ft_off:
      return result(ftOff(hv, a(0)));
    case HC.ft_query: {
      const b = ftQuery(hv, a(0));
      if (!b) return E.NOENT;
      return hv.writeGuest(p, a(1), b) ? 0 : E.FAULT;
    }
    case HC.mgmt_recv: {
      // The app's management request for ctl (mgmt.ts, docs/hypercalls.md#the-management-mailbox).
      const len = hv.mgmt.waitingLength;
      if (!hv.mgmt.pending) return E.AGAIN;
      if (a(1) < len) return E.INVAL; // it stays waiting: ctl may ask again with room for it
      if (!p.owns(a(0), len)) return E.FAULT;
      const r = hv.mgmt.receive() as { id: number; bytes: Uint8Array };
      hv.writeGuest(p, a(0), r.bytes);
      cpu.regs[11] = r.id;
      return len;
    }
    case HC.mgmt_reply: {
      const textLen = a(3);
      const msgLen = a(5);
      if (textLen < 0 || textLen > MGMT_MAX_REPLY || msgLen < 0 || msgLen > MGMT_MAX_MESSAGE) return E.INVAL;
      const text = hv.readGuest(p, a(2), textLen);
      const message = hv.readGuest(p, a(4), msgLen);
      if (!text || !message) return E.FAULT;
      return hv.mgmt.answer(a(0), a(1), text, message) ? 0 : E.NOENT;
    }
    default:
      void v;
      return E.NOSYS;
  }
}
