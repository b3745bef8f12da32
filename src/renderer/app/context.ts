/**
 * What every view shares: the host client, the machine status as last reported, and the event
 * fan-out. Views subscribe to what they show; the shell owns the one status copy so that the top bar
 * and every view agree.
 */
import type { HostClient, HostEvent, HostInfo, MachineStatus } from '../../shared/api.js';
import type { DocumentedWord } from '../editor/asmLanguage.js';
import { pageStorage, Preferences } from './settings.js';

/**
 * The assembler's directives and pseudo-instructions (name, syntax, one-line doc), when the host
 * reports them with its info: the editor completes and documents them. The assembler owns those
 * tables (src/main/asm), which the renderer may not import.
 */
export interface AsmWords {
  directives: DocumentedWord[];
  pseudos: DocumentedWord[];
}

const isWords = (x: unknown): x is DocumentedWord[] =>
  Array.isArray(x) &&
  x.every((w) => typeof w === 'object' && w !== null && typeof (w as DocumentedWord).name === 'string');

/** The host's `asm` words from its info, if it sends them (checked: it is data from outside). */
export function asmWordsOf(info: HostInfo | undefined): AsmWords | undefined {
  const asm = (info as (HostInfo & { asm?: { directives?: unknown; pseudos?: unknown } }) | undefined)?.asm;
  if (!asm || !isWords(asm.directives) || !isWords(asm.pseudos)) return undefined;
  return { directives: asm.directives, pseudos: asm.pseudos };
}

export type EventOf<T extends HostEvent['type']> = Extract<HostEvent, { type: T }>;

export class AppContext {
  status: MachineStatus = { state: 'off', guests: [], seconds: 0 };
  /** What the host said about itself (set once at start). */
  info: HostInfo | undefined;
  /** The user's settings and where the user was, kept across reloads (app/settings.ts). */
  readonly prefs = new Preferences(pageStorage());
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
