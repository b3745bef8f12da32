/**
 * A capture as a classic libpcap file (what Wireshark and tcpdump open): little-endian, magic
 * 0xa1b2c3d4 (microsecond time stamps), version 2.4, link type 1 (LINKTYPE_ETHERNET). Time stamps
 * come from machine cycles at the nominal 250 MHz clock (docs/devices.md#rtc), plus an optional
 * epoch, so the same run gives the same bytes. Pure: no I/O.
 */
import { TIMEBASE } from '../../machine/board.js';

export const PCAP_MAGIC = 0xa1b2c3d4;
export const LINKTYPE_ETHERNET = 1;
export const PCAP_SNAPLEN = 65535;
const GLOBAL_HEADER = 24;
const RECORD_HEADER = 16;

export interface PcapFrame {
  /** Machine time in cycles. */
  time: number;
  frame: Uint8Array;
}

export function toPcap(
  frames: readonly PcapFrame[],
  opts: { epochSeconds?: number; hz?: number; snaplen?: number } = {},
): Uint8Array {
  const hz = opts.hz ?? TIMEBASE;
  const snaplen = opts.snaplen ?? PCAP_SNAPLEN;
  const epoch = opts.epochSeconds ?? 0;
  let size = GLOBAL_HEADER;
  for (const f of frames) size += RECORD_HEADER + Math.min(f.frame.length, snaplen);
  const out = new Uint8Array(size);
  const v = new DataView(out.buffer);
  v.setUint32(0, PCAP_MAGIC, true);
  v.setUint16(4, 2, true); // version 2.4
  v.setUint16(6, 4, true);
  v.setInt32(8, 0, true); // thiszone: UTC
  v.setUint32(12, 0, true); // sigfigs
  v.setUint32(16, snaplen, true);
  v.setUint32(20, LINKTYPE_ETHERNET, true);
  let at = GLOBAL_HEADER;
  for (const f of frames) {
    const cycles = Math.max(0, Math.floor(f.time));
    const sec = Math.floor(cycles / hz);
    const usec = Math.floor(((cycles - sec * hz) * 1_000_000) / hz);
    const incl = Math.min(f.frame.length, snaplen);
    v.setUint32(at, (epoch + sec) >>> 0, true);
    v.setUint32(at + 4, usec, true);
    v.setUint32(at + 8, incl, true);
    v.setUint32(at + 12, f.frame.length, true);
    out.set(f.frame.subarray(0, incl), at + RECORD_HEADER);
    at += RECORD_HEADER + incl;
  }
  return out;
}
