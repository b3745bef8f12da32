/**
 * The paravirtual network path of a client partition (M18; docs/hypercalls.md#network-m20): instead
 * of driving its virtual nic's registers and descriptor rings (a trap per register access), a guest
 * that knows it runs under the hypervisor moves each frame with one hypercall, net_send or net_recv,
 * between its memory and its port on the bridge. The boot info tells the guest (bit 16 of the nic
 * node's second kind-specific word, docs/boot.md).
 *
 * The port is the same as the nic's (port N = partition N, the same MAC, the same counters): the
 * path is chosen by the guest. Until it makes its first net_send or net_recv, frames for the port
 * go to the emulated nic (which drops them while it is off); from then on, until the partition
 * starts again, they wait in a queue of PV_QUEUE frames here, and the nic's interrupt line (source 5
 * of the partition's interrupt controller) is high while the queue is not empty. A frame that finds
 * the queue full is dropped (counted on the port by the bridge).
 */
import type { IrqLine } from '../../devices/irq.js';
import type { BridgeEndpoint } from './Bridge.js';

/** Frames waiting for net_recv at most; more are dropped. */
export const PV_QUEUE = 32;
/** Shortest and longest frame net_send takes (an Ethernet header; the nic's maximum). */
export const PV_MIN_FRAME = 14;
export const PV_MAX_FRAME = 1514;

export class PvNet implements BridgeEndpoint {
  /** The guest chose this path (it made a net_send or net_recv since it started). */
  up = false;
  private readonly queue: Uint8Array[] = [];
  readonly stats = { sent: 0, received: 0, dropped: 0 };

  constructor(private readonly irq: IrqLine) {}

  /** A frame from the bridge; false when the queue is full. */
  receive(frame: Uint8Array): boolean {
    if (this.queue.length >= PV_QUEUE) {
      this.stats.dropped++;
      return false;
    }
    this.queue.push(frame);
    this.irq.set(true);
    return true;
  }

  /** The length of the next waiting frame, or 0. */
  get nextLength(): number {
    return this.queue[0]?.length ?? 0;
  }

  /** Take the next waiting frame (the line drops with the last one). */
  take(): Uint8Array | undefined {
    const f = this.queue.shift();
    if (f) this.stats.received++;
    this.irq.set(this.queue.length > 0);
    return f;
  }

  get waiting(): number {
    return this.queue.length;
  }

  saveState(): { up: boolean; queue: Uint8Array[]; stats: PvNet['stats'] } {
    return { up: this.up, queue: this.queue.map((f) => f.slice()), stats: { ...this.stats } };
  }

  restoreState(s: { up: boolean; queue: Uint8Array[]; stats: PvNet['stats'] }): void {
    this.up = s.up;
    this.queue.length = 0;
    this.queue.push(...s.queue.map((f) => Uint8Array.from(f)));
    Object.assign(this.stats, s.stats);
    this.irq.set(this.queue.length > 0);
  }
}

/** Two devices driving one interrupt line: it is high while either says so. */
export function orLines(out: IrqLine): [IrqLine, IrqLine] {
  const level = [false, false];
  const input = (i: number): IrqLine => ({
    set: (l) => {
      level[i] = l;
      out.set(level[0] || level[1]);
    },
  });
  return [input(0), input(1)];
}
