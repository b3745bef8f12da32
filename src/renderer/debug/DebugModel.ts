/**
 * What the Debug view and the editor's breakpoint gutter share (docs/app.md#debug): per guest, the
 * breakpoints the user asked for and as the host placed them, the debugger's state, and where the
 * guest stopped (its pc, and the source line when the deployed program's listing knows it). One per
 * window (`DebugModel.of(ctx)`), fed by the host's `debug` events; every change tells the listeners.
 *
 * The debugger's calls are part of the host API when the host has a debugger (src/shared/debugApi.ts);
 * a host without them leaves `api` undefined and the views say so instead of failing.
 */
import type { DeployResult, HostClient } from '../../shared/api.js';
import type {
  Breakpoint,
  BreakpointRequest,
  DebugApi,
  DebugEvent,
  DebugState,
  DebugStop,
} from '../../shared/debugApi.js';
import type { AppContext } from '../app/context.js';
import { toggle } from './format.js';

/** DebugApi, and the deploy that can stop at a program's first instruction when the host has it. */
export type DebugCalls = DebugApi & {
  debugDeploy?(guest: number, name: string, source: string, stopOnEntry: boolean): Promise<DeployResult>;
};

/** Where a stopped guest is: its stop, and the source line of its pc when known. */
export interface StopLocation {
  stop: DebugStop;
  file?: string;
  line?: number;
  label?: string;
}

const models = new WeakMap<AppContext, DebugModel>();

export class DebugModel {
  /** The debugger's calls, or undefined when this host has no debugger. */
  readonly api: DebugCalls | undefined;
  private readonly requests = new Map<number, BreakpointRequest[]>();
  private readonly placed = new Map<number, Breakpoint[]>();
  private readonly states = new Map<number, DebugState>();
  private readonly locations = new Map<number, StopLocation>();
  private readonly listeners = new Set<(guest: number) => void>();

  static of(ctx: AppContext): DebugModel {
    let m = models.get(ctx);
    if (!m) models.set(ctx, (m = new DebugModel(ctx.api)));
    return m;
  }

  constructor(client: HostClient) {
    const c = client as unknown as Partial<DebugCalls>;
    this.api =
      typeof c.debugState === 'function' && typeof c.debugSetBreakpoints === 'function' ? (c as DebugCalls) : undefined;
    client.onEvent((e) => {
      if ((e as { type: string }).type === 'debug') void this.event(e as unknown as DebugEvent);
    });
  }

  private readonly focusListeners = new Set<(guest: number) => void>();

  /** Another view asks the Debug view to show a guest (the editor's "Debug from start"). */
  focus(guest: number): void {
    for (const l of this.focusListeners) l(guest);
  }

  onFocus(listener: (guest: number) => void): () => void {
    this.focusListeners.add(listener);
    return () => this.focusListeners.delete(listener);
  }

  onChange(listener: (guest: number) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(guest: number): void {
    for (const l of this.listeners) l(guest);
  }

  /** The breakpoints asked for on a guest (what a gutter shows before the host answers). */
  requested(guest: number): readonly BreakpointRequest[] {
    return this.requests.get(guest) ?? [];
  }

  /** The breakpoints as the host placed them (verified, resolved address, hits). */
  breakpoints(guest: number): readonly Breakpoint[] {
    return this.placed.get(guest) ?? [];
  }

  state(guest: number): DebugState | undefined {
    return this.states.get(guest);
  }

  location(guest: number): StopLocation | undefined {
    return this.locations.get(guest);
  }

  /** Replaces a guest's breakpoints (the host answers with how each was placed). */
  async setBreakpoints(guest: number, list: BreakpointRequest[]): Promise<readonly Breakpoint[]> {
    this.requests.set(guest, list);
    this.changed(guest);
    if (!this.api) return [];
    const placed = await this.api.debugSetBreakpoints(guest, list);
    this.placed.set(guest, placed);
    this.changed(guest);
    return placed;
  }

  /** A gutter click: the line's breakpoint goes if there is one, else one is set. */
  toggleLine(guest: number, file: string, line: number): Promise<readonly Breakpoint[]> {
    return this.setBreakpoints(guest, toggle(this.requested(guest), { file, line }));
  }

  /** Reads a guest's state again (a view was shown, a guest rebooted). */
  async refresh(guest: number): Promise<DebugState | undefined> {
    if (!this.api) return undefined;
    const s = await this.api.debugState(guest);
    await this.apply(s);
    return s;
  }

  /** Records a state the host answered with (a step, a continue), and where the guest now is. */
  async apply(s: DebugState): Promise<void> {
    this.states.set(s.guest, s);
    this.placed.set(s.guest, s.breakpoints);
    if (!this.requests.has(s.guest) && s.breakpoints.length) {
      // Breakpoints set elsewhere (a DAP client, an earlier page): the page asks for the same.
      this.requests.set(
        s.guest,
        s.breakpoints.map(({ address, file, line, condition }) =>
          file !== undefined
            ? { file, line, ...(condition ? { condition } : {}) }
            : { address, ...(condition ? { condition } : {}) },
        ),
      );
    }
    await this.locate(s.guest, s.paused ? s.stop : undefined);
    this.changed(s.guest);
  }

  private async event(e: DebugEvent): Promise<void> {
    const was = this.states.get(e.guest);
    const s: DebugState = {
      guest: e.guest,
      paused: e.paused,
      ...(e.stop ? { stop: e.stop } : {}),
      breakpoints: was?.breakpoints ?? [],
      watchpoints: was?.watchpoints ?? [],
      trapBreaks: was?.trapBreaks ?? [],
    };
    this.states.set(e.guest, s);
    await this.locate(e.guest, e.paused ? e.stop : undefined);
    this.changed(e.guest);
    // Hits counts moved: read the full state (breakpoints, watchpoints) once the stop is shown.
    if (e.paused && this.api) {
      try {
        const full = await this.api.debugState(e.guest);
        this.states.set(e.guest, full);
        this.placed.set(e.guest, full.breakpoints);
        this.changed(e.guest);
      } catch {
        // The guest went away meanwhile: the event's state stays.
      }
    }
  }

  /** The source line of a stop's pc, from the deployed program's listing (one disassembled word). */
  private async locate(guest: number, stop: DebugStop | undefined): Promise<void> {
    if (!stop) {
      this.locations.delete(guest);
      return;
    }
    const loc: StopLocation = { stop };
    if (this.api) {
      try {
        const [d] = await this.api.debugDisassemble(guest, stop.vcpu, stop.pc, 1);
        if (d?.file !== undefined) loc.file = d.file;
        if (d?.line !== undefined) loc.line = d.line;
        if (d?.label !== undefined) loc.label = d.label;
      } catch {
        // No code readable at pc (a fault there): the stop is shown without a line.
      }
    }
    this.locations.set(guest, loc);
  }
}
