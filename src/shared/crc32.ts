/**
 * CRC-32 as in zlib, PNG and Ethernet (polynomial 0xEDB88320, reflected, initial and final value
 * 0xFFFFFFFF): the checksum of the partition table, the cfs directory and the OS image
 * (docs/disks.md, docs/boot.md). One implementation for the disk tools and the firmware.
 * `crc32(b, crc32(a))` equals `crc32(a ++ b)`, so large images can be checked in pieces.
 */
const TABLE: Uint32Array = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** The CRC-32 of `bytes` (an unsigned 32-bit number); `previous` is the CRC of the bytes before them. */
export function crc32(bytes: Uint8Array, previous = 0): number {
  let c = (previous ^ 0xffffffff) >>> 0;
  for (let i = 0; i < bytes.length; i++) c = TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
