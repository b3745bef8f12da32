/** What the tools and the host see of a guest file system (cfs or sfs), whatever its layout. */
import type { DiskError } from './errors.js';
import type { Region } from './Region.js';

export interface FileInfo {
  /** As the user types it: "hello" on cfs, "README.TXT" on sfs. */
  name: string;
  size: number;
  /** cfs flags bit 1. */
  executable?: boolean;
  /** sfs attributes bit 1 and bit 2. */
  readOnly?: boolean;
  system?: boolean;
}

export interface WriteOptions {
  /** cfs: mark the file executable (directory entry flags bit 1). */
  executable?: boolean;
}

export interface FileSystem {
  readonly kind: 'cfs' | 'sfs';
  /** Where the file system lives (messages name it). */
  readonly region: Region;
  /**
   * Problems found at open, each naming the partition and blocks (docs/disks.md#damaged-file-systems):
   * the sound files still read; a damaged one, or any write while a problem other than sfs lost
   * blocks remains, is refused until `hyperdesk disk fsck --repair`.
   */
  readonly warnings: readonly string[];
  list(): FileInfo[];
  read(name: string): Uint8Array | DiskError;
  /**
   * Why `name` cannot be written (the file system's form and the odd names of
   * docs/disks.md#file-names), or undefined: for callers that must check several names before
   * writing any (deploy writes a program and its source).
   */
  checkName(name: string): DiskError | undefined;
  /** Create or replace a file. Nothing is written when the answer is an error found up front (bad name, no room). */
  write(name: string, data: Uint8Array, options?: WriteOptions): true | DiskError;
  remove(name: string): true | DiskError;
  /** Blocks not used by any file. */
  freeBlocks(): number;
}
