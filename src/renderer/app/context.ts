/**
 * What every view shares: the host client, the machine status as last reported, and the event
 * fan-out. Views subscribe to what they show; the shell owns the one status copy so that the top bar
 * and every view agree.
 */
import type { HostClient, HostEvent, MachineStatus } from '../../shared/api.js';

export type EventOf<T extends HostEvent['type']> = Extract<HostEvent, { type: T }>;

export class AppContext {
  status: MachineStatus = { state: 'off', guests: [], seconds: 0 };
  private readonly statusListeners = new Set<(s: MachineStatus, previous: MachineStatus) => void>();
  private readonly listeners = new Map<HostEvent['type'], Set<(e: HostEvent) => void>>();
  private readonly reconnectListeners = new Set<() => void>();

  constructor(readonly api: HostClient) {
    api.onEvent((e) => {
      if (e.type === 'status') this.setStatus(e.status);
      for (const l of this.listeners.get(e.type) ?? []) l(e);
    });
  }

  /** Records a status (from an event or a call's answer) and tells the listeners. */
  setStatus(s: MachineStatus): void {
    const previous = this.status;
    this.status = s;
    for (const l of this.statusListeners) l(s, previous);
  }

  onStatus(listener: (s: MachineStatus, previous: MachineStatus) => void): void {
    this.statusListeners.add(listener);
  }

  on<T extends HostEvent['type']>(type: T, listener: (e: EventOf<T>) => void): void {
    let set = this.listeners.get(type);
    if (!set) this.listeners.set(type, (set = new Set()));
    set.add(listener as (e: HostEvent) => void);
  }

  /** Called by the shell when the event stream came back after a drop: views re-read what they show. */
  reconnected(): void {
    for (const l of this.reconnectListeners) l();
  }

  onReconnect(listener: () => void): void {
    this.reconnectListeners.add(listener);
  }

  /** The guest's name for display (`cos`), or `#id` when the status does not know it. */
  guestName(id: number | null): string {
    if (id === null) return 'hypervisor';
    return this.status.guests.find((g) => g.id === id)?.name ?? `#${id}`;
  }
}

/** One view of the window: the shell shows one at a time and tells it when. */
export interface View {
  readonly id: string;
  readonly title: string;
  readonly el: HTMLElement;
  /** The view became visible (refresh what is polled, fit terminals). */
  shown?(): void;
  /** The view was hidden (stop polling). */
  hidden?(): void;
}
