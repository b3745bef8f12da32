/**
 * Guests' IPv4 addresses as seen on the bridge (the Network view's address table): read from the
 * capture (pcap, docs/hypercalls.md#network), where each ARP packet and IPv4 packet names its
 * sender's MAC and address. Nothing is guessed: a guest that sent nothing yet has no address here,
 * and the view says what cos would use (10.0.0.(partition id + 1), docs/guests.md#network).
 */

/** MAC (`02:00:00:00:00:01`) -> the last IPv4 address it sent from (`10.0.0.2`). */
export function addressesFromPcap(pcap: Uint8Array): Map<string, string> {
  const out = new Map<string, string>();
  if (pcap.length < 24) return out;
  const v = new DataView(pcap.buffer, pcap.byteOffset, pcap.byteLength);
  const little = v.getUint32(0, true) === 0xa1b2c3d4;
  if (!little && v.getUint32(0, false) !== 0xa1b2c3d4) return out;
  const macAt = (at: number) => Array.from(pcap.subarray(at, at + 6), (b) => b.toString(16).padStart(2, '0')).join(':');
  const ipAt = (at: number) => Array.from(pcap.subarray(at, at + 4)).join('.');
  for (let at = 24; at + 16 <= pcap.length;) {
    const len = v.getUint32(at + 8, little);
    const f = at + 16;
    at = f + len;
    if (at > pcap.length || len < 14) break;
    const type = v.getUint16(f + 12, false);
    const src = macAt(f + 6);
    if (type === 0x0806 && len >= 42) {
      // ARP: sender hardware address at 8, sender protocol address at 14 (RFC 826).
      const ip = ipAt(f + 14 + 14);
      if (ip !== '0.0.0.0') out.set(macAt(f + 14 + 8), ip);
    } else if (type === 0x0800 && len >= 34) {
      out.set(src, ipAt(f + 14 + 12));
    }
  }
  return out;
}

/** The address cos gives itself in partition `id` (docs/guests.md#network), for the view's hint. */
export function cosAddress(id: number): string {
  return `10.0.0.${id + 1}`;
}
