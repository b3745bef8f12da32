/**
 * Where swapped-out guests go (M17, docs/hypercalls.md): the core stays pure, so the store is an
 * interface; the host gives the hypervisor a file-backed one (src/main/disk/swapFiles.ts), tests and
 * the default use memory. Errors are values.
 */
export interface SwapStore {
  save(partition: number, bytes: Uint8Array): true | Error;
  load(partition: number): Uint8Array | Error;
  drop(partition: number): void;
}

export class MemorySwapStore implements SwapStore {
  private readonly saved = new Map<number, Uint8Array>();
  save(partition: number, bytes: Uint8Array): true | Error {
    this.saved.set(partition, bytes.slice());
    return true;
  }
  load(partition: number): Uint8Array | Error {
    return this.saved.get(partition) ?? new Error(`nothing swapped out for partition ${partition}`);
  }
  drop(partition: number): void {
    this.saved.delete(partition);
  }
}
