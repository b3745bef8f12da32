/**
 * Errors of the disk tools. A malformed image or a bad request is a `DiskError` whose message says
 * where (docs/disks.md#tools): "partition 2: cfs: directory block 3 (disk block 4102): entry 5: ...".
 * Internals throw it with `fail`; every public function catches it with `attempt` and returns it as
 * a value, so callers never see an exception for bad input (anything else thrown is a bug).
 */
export class DiskError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DiskError';
  }
}

export function fail(message: string): never {
  throw new DiskError(message);
}

/** Run `fn`, turning a thrown DiskError into a returned one. */
export function attempt<T>(fn: () => T): T | DiskError {
  try {
    return fn();
  } catch (e) {
    if (e instanceof DiskError) return e;
    throw e;
  }
}

/** `value` unless it is an Error, which becomes a thrown DiskError prefixed with `where`. */
export function must<T>(value: T | Error, where?: string): T {
  if (value instanceof Error) fail(where ? `${where}: ${value.message}` : value.message);
  return value;
}

export function hex(n: number, digits = 8): string {
  return '0x' + (n >>> 0).toString(16).padStart(digits, '0');
}
