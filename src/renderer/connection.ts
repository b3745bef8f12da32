/**
 * The web page's link to the app, as a state the window shows (docs/app.md#connection): `open`;
 * `lost` (the server does not answer: it stopped, or the network dropped) with the time of the next
 * try; `refused` (the server answers but not to this page's token: it was started again with a
 * new address). While lost the page probes the server with back-off (0.25 s doubling to 5 s) and
 * reconnects by itself; calls made meanwhile fail at once with one clear error instead of each
 * waiting for the network.
 */

export type ConnectionState =
  | { state: 'open' }
  | { state: 'lost'; since: number; retryAt: number; why: string }
  | { state: 'refused'; why: string };

/** The error of a call made while the app cannot be reached. */
export class DisconnectedError extends Error {
  constructor(why: string) {
    super(`the app is not reachable (${why}); the page reconnects by itself`);
    this.name = 'DisconnectedError';
  }
}

export function isDisconnected(e: unknown): boolean {
  return e instanceof DisconnectedError;
}

export const FIRST_RETRY_MS = 250;
export const MAX_RETRY_MS = 5000;

/**
 * The state machine, without the network: `probe` says whether the server answers this page
 * ('ok'), answers but refuses its token ('refused'), or does not answer ('down').
 */
export class Connection {
  private current: ConnectionState = { state: 'open' };
  private readonly listeners = new Set<(s: ConnectionState) => void>();
  private delay = FIRST_RETRY_MS;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private probing = false;

  constructor(
    private readonly probe: () => Promise<'ok' | 'refused' | 'down'>,
    /** Opens the event stream again once the server answers. */
    private readonly reopen: () => void,
    private readonly now: () => number = () => Date.now(),
  ) {}

  get state(): ConnectionState {
    return this.current;
  }

  onChange(listener: (s: ConnectionState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The event stream is open (again). */
  opened(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.delay = FIRST_RETRY_MS;
    if (this.current.state !== 'open') this.set({ state: 'open' });
  }

  /** The event stream closed or a call could not reach the server: probe until it answers. */
  lost(why: string): void {
    if (this.current.state === 'refused') return;
    if (this.current.state === 'lost' && this.timer !== undefined) return;
    const since = this.current.state === 'lost' ? this.current.since : this.now();
    this.schedule(since, why);
  }

  /** Probe now instead of at the scheduled time ("Retry now"). */
  retryNow(): void {
    if (this.current.state === 'open') return;
    clearTimeout(this.timer);
    this.timer = undefined;
    void this.tryOnce();
  }

  /** The error for a call made while not open, or undefined when calls may go out. */
  blocked(): DisconnectedError | undefined {
    if (this.current.state === 'open') return undefined;
    return new DisconnectedError(this.current.why);
  }

  private schedule(since: number, why: string): void {
    const wait = this.delay;
    this.delay = Math.min(this.delay * 2, MAX_RETRY_MS);
    this.set({ state: 'lost', since, retryAt: this.now() + wait, why });
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.tryOnce();
    }, wait);
  }

  private async tryOnce(): Promise<void> {
    if (this.probing) return;
    this.probing = true;
    let answer: 'ok' | 'refused' | 'down';
    try {
      answer = await this.probe();
    } catch {
      answer = 'down';
    } finally {
      this.probing = false;
    }
    if (answer === 'ok') {
      this.reopen();
    } else if (answer === 'refused') {
      this.set({
        state: 'refused',
        why: 'the app was started again with a new address: open the address `hyperdesk serve` printed',
      });
    } else {
      const since = this.current.state === 'lost' ? this.current.since : this.now();
      this.schedule(since, 'the server does not answer');
    }
  }

  private set(s: ConnectionState): void {
    this.current = s;
    for (const l of this.listeners) l(s);
  }
}
