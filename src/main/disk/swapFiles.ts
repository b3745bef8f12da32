/**
 * Swap files for the hypervisor (M17): one file per swapped-out partition in a folder, written whole
 * and fsync'ed before the guest's memory is given away, so a swapped guest survives what the host
 * survives. Implements the emulator's SwapStore.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { SwapStore } from '../emulator/hypervisor/swap.js';

export class SwapFiles implements SwapStore {
  constructor(readonly dir: string) {}

  private path(partition: number): string {
    return join(this.dir, `partition-${partition}.swap`);
  }

  save(partition: number, bytes: Uint8Array): true | Error {
    try {
      mkdirSync(this.dir, { recursive: true });
      const fd = openSync(this.path(partition), 'w');
      try {
        let done = 0;
        while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      return true;
    } catch (e) {
      return new Error(`swap file ${this.path(partition)}: ${(e as Error).message}`);
    }
  }

  load(partition: number): Uint8Array | Error {
    try {
      return new Uint8Array(readFileSync(this.path(partition)));
    } catch (e) {
      return new Error(`swap file ${this.path(partition)}: ${(e as Error).message}`);
    }
  }

  drop(partition: number): void {
    rmSync(this.path(partition), { force: true });
  }
}
