/** What the crash campaign's child writes (crashChild.ts) and the parent checks (crash.ts). */

/** Partition 1 of the demo disk is cos's cfs, partition 2 swos's sfs (docs/disks.md#the-default-disk). */
export const CRASH_FILES: readonly { part: number; names: readonly string[] }[] = [
  { part: 1, names: Array.from({ length: 12 }, (_, i) => `crash${i}`) },
  { part: 2, names: Array.from({ length: 12 }, (_, i) => `CRASH${i}.DAT`) },
];

/** The contents of a file of `len` bytes written at operation `tag`. */
export function fileBytes(len: number, tag: number): Uint8Array {
  const out = new Uint8Array(len);
  let x = (tag * 2654435761) >>> 0 || 1;
  for (let i = 0; i < len; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}
