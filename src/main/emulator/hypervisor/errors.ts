/**
 * The hypervisor's errors (docs/hypercalls.md#calling-convention): one enum of codes that guests see
 * in a0, and a message for people. A guest's result comes from the code only, never from the text,
 * so rewording a message cannot change the guest interface.
 */
export const E = {
  PERM: -1,
  INVAL: -2,
  NOENT: -3,
  BUSY: -4,
  NOMEM: -5,
  FAULT: -6,
  AGAIN: -7,
  NOSYS: -8,
  NOSPC: -9,
} as const;

export type Errno = (typeof E)[keyof typeof E];

/** What each code means, for docs/hypercalls.md (generated) and messages. */
export const ERRNO_DOCS: Record<keyof typeof E, string> = {
  PERM: 'not allowed for this caller (a control call from a client)',
  INVAL: 'a bad argument',
  NOENT: 'no such partition, device, share or message',
  BUSY: 'the partition is not in a state that allows it',
  NOMEM: 'not enough memory, the range is not the caller’s, or the hypervisor’s reserve is full',
  FAULT: 'a buffer outside the caller’s memory',
  AGAIN: 'nothing there now (non-blocking receive), or the destination’s inbox is full',
  NOSYS: 'no such hypercall',
  NOSPC: 'a table the caller fills is full (pending share offers, shared pages)',
};

/** A failed operation: the code a guest gets and what happened, for the log and the app. */
export class HvError {
  constructor(
    readonly code: Errno,
    readonly message: string,
  ) {}

  /** `E<NAME>: message`, as the app and the CLI show it. */
  toString(): string {
    const name = Object.entries(E).find(([, v]) => v === this.code)?.[0] ?? String(this.code);
    return `E${name}: ${this.message}`;
  }
}

export function fail(code: Errno, message: string): HvError {
  return new HvError(code, message);
}
