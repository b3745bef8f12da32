/**
 * The hypervisor's errors (docs/hypercalls.md#calling-convention): one enum of codes that guests see
 * in a0, and a message for people. A guest's result comes from the code only, never from the text,
 * so rewording a message cannot change the guest interface.
 */
import { ERRNO } from '../../../shared/hypercalls.js';

/** The codes by short name (E.BUSY = -4), from the one table in src/shared/hypercalls.ts. */
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
} as const satisfies Record<string, (typeof ERRNO)[number]['value']>;

export type Errno = (typeof E)[keyof typeof E];

/** A failed operation: the code a guest gets and what happened, for the log and the app. */
export class HvError {
  constructor(
    readonly code: Errno,
    readonly message: string,
  ) {}

  /** `E<NAME>: message`, as the app and the CLI show it. */
  toString(): string {
    const name = ERRNO.find((e) => e.value === this.code)?.name ?? String(this.code);
    return `${name}: ${this.message}`;
  }
}

export function fail(code: Errno, message: string): HvError {
  return new HvError(code, message);
}
