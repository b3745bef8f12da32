/**
 * The hypervisor's virtual network (issue 4, M20; docs/hypercalls.md#network): a learning switch
 * with one port per client partition's virtual nic.
 *
 * - A frame a nic transmits enters the bridge at that nic's port (the port's `rx` counters). The
 *   bridge learns "source MAC -> port" (unicast sources only), then sends the frame out (`tx`):
 *   to the learned port of its destination MAC, or to every other port (flooding) when the
 *   destination is broadcast, multicast or not learned yet. A frame for a MAC learned on the port
 *   it came from is filtered (not sent back).
 * - Delivery is synchronous and in order: `Nic.receive` puts the frame into the destination's RX
 *   ring (by DMA through that partition's domain) before the sender's transmit returns. A frame the
 *   destination cannot take (card disabled, no free descriptor, partition not running) is counted
 *   in that port's `drops`. Deterministic: no host clock, no host randomness.
 * - Every frame that enters the bridge is captured (on by default) into a bounded ring of
 *   {time in cycles, port, frame}; `pcap()` writes it as a pcap file (pcap.ts).
 */
import { toPcap } from './pcap.js';

/** What the bridge needs of a port's device (Nic implements it). */
export interface BridgeEndpoint {
  /** Deliver a frame; false when the device could not take it. */
  receive(frame: Uint8Array): boolean;
}

export interface PortCounters {
  /** Frames and bytes the bridge received from this port (the guest transmitted them). */
  rxFrames: number;
  rxBytes: number;
  /** Frames and bytes the bridge sent out of this port (delivered to the guest). */
  txFrames: number;
  txBytes: number;
  /** Frames lost at this port: undeliverable out of it, or malformed coming in. */
  drops: number;
}

export interface CaptureRecord {
  /** Machine time (cycles) when the frame entered the bridge. */
  time: number;
  /** The port it came in on. */
  port: number;
  frame: Uint8Array;
}

export interface BridgePort {
  readonly id: number;
  endpoint: BridgeEndpoint;
  /** Whether frames may be delivered to it now (its partition runs). */
  up: () => boolean;
  readonly counters: PortCounters;
}

export const CAPTURE_LIMIT = 10_000;

/** The bridge as plain data (saveState). */
export interface BridgeState {
  ports: { id: number; counters: PortCounters }[];
  macTable: [string, number][];
  ring: CaptureRecord[];
  ringStart: number;
  lastTime: number;
  captureEnabled: boolean;
  captureOverwritten: number;
  stats: { frames: number; flooded: number; filtered: number };
}
const ETH_HEADER = 14;

export interface BridgeOptions {
  /** Machine time in cycles (for the capture's time stamps). */
  now: () => number;
  /** Frames kept in the capture ring (default 10,000; the oldest go first). */
  captureLimit?: number;
  /** Wall-clock seconds at machine time 0, for the pcap file's time stamps (default 0). */
  epochSeconds?: number;
}

export class Bridge {
  private readonly portMap = new Map<number, BridgePort>();
  /** Learned MAC (as a 12-digit hex string) -> port id. */
  readonly macTable = new Map<string, number>();
  /** The capture ring: oldest first, at most `captureLimit` records. */
  private ring: CaptureRecord[] = [];
  private ringStart = 0;
  private lastTime = 0;
  captureEnabled = true;
  readonly captureLimit: number;
  /** Frames that entered while the ring was full (the oldest ones were overwritten). */
  captureOverwritten = 0;
  readonly stats = { frames: 0, flooded: 0, filtered: 0 };

  constructor(private readonly opts: BridgeOptions) {
    this.captureLimit = Math.max(1, opts.captureLimit ?? CAPTURE_LIMIT);
  }

  /**
   * Connect a device as port `id` (a partition's id), replacing what was there (a restarted
   * partition gets a new nic on the same port; counters and learned MACs are kept). Returns the
   * port; its `send` is what the device's backend calls.
   */
  attach(id: number, endpoint: BridgeEndpoint, up: () => boolean = () => true): BridgePort {
    const old = this.portMap.get(id);
    const port: BridgePort = {
      id,
      endpoint,
      up,
      counters: old?.counters ?? { rxFrames: 0, rxBytes: 0, txFrames: 0, txBytes: 0, drops: 0 },
    };
    this.portMap.set(id, port);
    return port;
  }

  /** Disconnect port `id` and forget the MACs learned on it. */
  detach(id: number): void {
    this.portMap.delete(id);
    for (const [mac, p] of this.macTable) if (p === id) this.macTable.delete(mac);
  }

  port(id: number): BridgePort | undefined {
    return this.portMap.get(id);
  }

  /** Port ids, ascending. */
  get portIds(): number[] {
    return [...this.portMap.keys()].sort((a, b) => a - b);
  }

  counters(id: number): PortCounters | undefined {
    const c = this.portMap.get(id)?.counters;
    return c && { ...c };
  }

  /** A NetBackend for the device on port `id`: what it transmits enters the bridge there. */
  backendFor(id: number): { transmit(frame: Uint8Array): void } {
    return { transmit: (frame) => this.send(id, frame) };
  }

  /**
   * Fault tolerance (M23, docs/fault-tolerance.md#output-commit): a frame a port sends that `hold`
   * takes (true) enters the bridge later, through `forward`, once the port's backup has its epoch;
   * `tap` sees every frame delivered to a port (the input log). Not bridge state: the hypervisor
   * sets them once.
   */
  hold: ((from: number, frame: Uint8Array) => boolean) | undefined;
  tap: ((to: number, frame: Uint8Array) => void) | undefined;

  /** A frame enters the bridge on port `from` (unless fault tolerance holds it). */
  send(from: number, frame: Uint8Array): void {
    if (this.hold?.(from, frame)) return;
    this.forward(from, frame);
  }

  /** A frame enters the bridge on port `from`, now. */
  forward(from: number, frame: Uint8Array): void {
    const src = this.portMap.get(from);
    if (!src) return;
    const f = Uint8Array.from(frame); // the bridge's own copy: the sender may reuse its buffer
    src.counters.rxFrames++;
    src.counters.rxBytes += f.length;
    this.stats.frames++;
    this.record(from, f);
    if (f.length < ETH_HEADER) {
      src.counters.drops++;
      return;
    }
    const dst = macKey(f, 0);
    const srcMac = macKey(f, 6);
    if ((f[6] & 1) === 0) this.macTable.set(srcMac, from);
    const group = (f[0] & 1) !== 0; // broadcast or multicast
    const learned = group ? undefined : this.macTable.get(dst);
    if (learned === from) {
      this.stats.filtered++;
      return;
    }
    const target = learned !== undefined ? this.portMap.get(learned) : undefined;
    if (target) {
      this.deliver(target, f);
      return;
    }
    this.stats.flooded++;
    for (const id of this.portIds) if (id !== from) this.deliver(this.portMap.get(id) as BridgePort, f);
  }

  private deliver(port: BridgePort, frame: Uint8Array): void {
    if (port.up() && port.endpoint.receive(frame)) {
      this.tap?.(port.id, frame);
      port.counters.txFrames++;
      port.counters.txBytes += frame.length;
    } else {
      port.counters.drops++;
    }
  }

  private record(port: number, frame: Uint8Array): void {
    if (!this.captureEnabled) return;
    // pCPU 0's clock: a frame sent from another pCPU may read a slightly older time; keep the
    // capture in order anyway.
    this.lastTime = Math.max(this.lastTime, this.opts.now());
    const rec = { time: this.lastTime, port, frame };
    if (this.ring.length < this.captureLimit) {
      this.ring.push(rec);
      return;
    }
    this.ring[this.ringStart] = rec;
    this.ringStart = (this.ringStart + 1) % this.captureLimit;
    this.captureOverwritten++;
  }

  /** The captured frames, oldest first. */
  get capture(): CaptureRecord[] {
    return [...this.ring.slice(this.ringStart), ...this.ring.slice(0, this.ringStart)];
  }

  clearCapture(): void {
    this.ring = [];
    this.ringStart = 0;
    this.captureOverwritten = 0;
  }

  /** Ports (in the order they were attached, which is the flooding order), learned MACs, capture, counters. */
  saveState(): BridgeState {
    return {
      ports: [...this.portMap.values()].map((p) => ({ id: p.id, counters: { ...p.counters } })),
      macTable: [...this.macTable],
      ring: this.ring.map((r) => ({ time: r.time, port: r.port, frame: r.frame.slice() })),
      ringStart: this.ringStart,
      lastTime: this.lastTime,
      captureEnabled: this.captureEnabled,
      captureOverwritten: this.captureOverwritten,
      stats: { ...this.stats },
    };
  }

  /**
   * Restore a saved bridge. The ports come back with their counters and no device (down); the
   * devices of the partitions attach again as they are rebuilt, keeping each port's place.
   */
  restoreState(s: BridgeState): void {
    this.portMap.clear();
    for (const p of s.ports)
      this.portMap.set(p.id, {
        id: p.id,
        endpoint: { receive: () => false },
        up: () => false,
        counters: { ...p.counters },
      });
    this.macTable.clear();
    for (const [mac, port] of s.macTable) this.macTable.set(mac, port);
    this.ring = s.ring.map((r) => ({ time: r.time, port: r.port, frame: Uint8Array.from(r.frame) }));
    this.ringStart = s.ringStart;
    this.lastTime = s.lastTime;
    this.captureEnabled = s.captureEnabled;
    this.captureOverwritten = s.captureOverwritten;
    Object.assign(this.stats, s.stats);
  }

  /** The capture as a pcap file (LINKTYPE_ETHERNET), ready to be written to disk. */
  pcap(): Uint8Array {
    return toPcap(this.capture, { epochSeconds: this.opts.epochSeconds ?? 0 });
  }
}

function macKey(b: Uint8Array, at: number): string {
  let s = '';
  for (let i = 0; i < 6; i++) s += b[at + i].toString(16).padStart(2, '0');
  return s;
}

/** "02:00:00:00:00:03" for display. */
export function formatMac(mac: Uint8Array): string {
  return [...mac].map((b) => b.toString(16).padStart(2, '0')).join(':');
}
