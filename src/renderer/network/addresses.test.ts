import { describe, expect, it } from 'vitest';
import { addressesFromPcap, cosAddress } from './addresses.js';

/** A little-endian pcap with the given Ethernet frames. */
function pcap(frames: number[][]): Uint8Array {
  const parts: number[] = [];
  const u32 = (n: number) => parts.push(n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, (n >>> 24) & 0xff);
  const u16 = (n: number) => parts.push(n & 0xff, (n >> 8) & 0xff);
  u32(0xa1b2c3d4);
  u16(2);
  u16(4);
  u32(0);
  u32(0);
  u32(65535);
  u32(1);
  for (const f of frames) {
    u32(0);
    u32(0);
    u32(f.length);
    u32(f.length);
    parts.push(...f);
  }
  return new Uint8Array(parts);
}

const mac = (n: number) => [2, 0, 0, 0, 0, n];
const arp = (n: number, ip: number[]) => [
  ...[0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
  ...mac(n),
  0x08,
  0x06,
  ...[0, 1, 8, 0, 6, 4, 0, 1],
  ...mac(n),
  ...ip,
  ...[0, 0, 0, 0, 0, 0],
  ...[10, 0, 0, 9],
];
const ipv4 = (n: number, ip: number[]) => [
  ...mac(9),
  ...mac(n),
  0x08,
  0x00,
  ...[0x45, 0, 0, 20, 0, 0, 0, 0, 64, 1, 0, 0],
  ...ip,
  ...[10, 0, 0, 9],
];

describe("guests' addresses from the capture", () => {
  it('learns each MAC’s IPv4 address from ARP and IPv4 senders', () => {
    const got = addressesFromPcap(pcap([arp(1, [10, 0, 0, 2]), ipv4(3, [10, 0, 0, 4]), [1, 2, 3]]));
    expect([...got]).toEqual([
      ['02:00:00:00:00:01', '10.0.0.2'],
      ['02:00:00:00:00:03', '10.0.0.4'],
    ]);
  });

  it('gives nothing for an empty or foreign file', () => {
    expect(addressesFromPcap(pcap([])).size).toBe(0);
    expect(addressesFromPcap(new Uint8Array(30)).size).toBe(0);
  });

  it('says which address cos takes in a partition', () => {
    expect(cosAddress(1)).toBe('10.0.0.2');
    expect(cosAddress(3)).toBe('10.0.0.4');
  });
});
