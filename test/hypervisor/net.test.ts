/**
 * The virtual network (issue 4, M20; docs/hypercalls.md#network): the learning bridge, its pcap
 * capture, the virtual nic each client gets, and cos pinging cos across the bridge.
 */
import { describe, expect, it } from 'vitest';
import { Bridge, type BridgeEndpoint } from '../../src/main/emulator/hypervisor/net/Bridge.js';
import { LINKTYPE_ETHERNET, PCAP_MAGIC, toPcap } from '../../src/main/emulator/hypervisor/net/pcap.js';
import { swapOut } from '../../src/main/emulator/hypervisor/messages.js';
import { twoCos, world, type HvWorld } from './harness.js';

// ---------------------------------------------------------------- helpers

const BCAST = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff];
const mac = (n: number) => [2, 0, 0, 0, 0, n];

function frame(dst: number[], src: number[], payload = 46, type = 0x0800): Uint8Array {
  const f = new Uint8Array(14 + payload);
  f.set(dst, 0);
  f.set(src, 6);
  f[12] = type >> 8;
  f[13] = type & 0xff;
  for (let i = 0; i < payload; i++) f[14 + i] = i & 0xff;
  return f;
}

class Sink implements BridgeEndpoint {
  got: Uint8Array[] = [];
  accept = true;
  receive(f: Uint8Array): boolean {
    if (this.accept) this.got.push(f);
    return this.accept;
  }
}

function bridgeWith(n: number, now = () => 0): { br: Bridge; sinks: Sink[] } {
  const br = new Bridge({ now });
  const sinks: Sink[] = [];
  for (let i = 1; i <= n; i++) {
    const s = new Sink();
    sinks[i] = s;
    br.attach(i, s);
  }
  return { br, sinks };
}

interface PcapRecord {
  sec: number;
  usec: number;
  orig: number;
  frame: Uint8Array;
}

/** A tiny reader of classic little-endian pcap files. */
function readPcap(b: Uint8Array): { version: string; snaplen: number; linktype: number; records: PcapRecord[] } {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (v.getUint32(0, true) !== 0xa1b2c3d4) throw new Error('not a little-endian microsecond pcap');
  const version = `${v.getUint16(4, true)}.${v.getUint16(6, true)}`;
  const snaplen = v.getUint32(16, true);
  const linktype = v.getUint32(20, true);
  const records: PcapRecord[] = [];
  let at = 24;
  while (at < b.length) {
    if (at + 16 > b.length) throw new Error('truncated record header');
    const incl = v.getUint32(at + 8, true);
    if (at + 16 + incl > b.length) throw new Error('truncated record');
    records.push({
      sec: v.getUint32(at, true),
      usec: v.getUint32(at + 4, true),
      orig: v.getUint32(at + 12, true),
      frame: b.slice(at + 16, at + 16 + incl),
    });
    at += 16 + incl;
  }
  return { version, snaplen, linktype, records };
}

// ---------------------------------------------------------------- the bridge

describe('bridge', () => {
  it('floods a broadcast to every other port and learns the sender', () => {
    const { br, sinks } = bridgeWith(3);
    br.send(1, frame(BCAST, mac(1)));
    expect(sinks[1].got).toHaveLength(0);
    expect(sinks[2].got).toHaveLength(1);
    expect(sinks[3].got).toHaveLength(1);
    expect(br.macTable.get('020000000001')).toBe(1);
    expect(br.stats.flooded).toBe(1);
  });

  it('floods unknown unicast, then forwards to the learned port only', () => {
    const { br, sinks } = bridgeWith(3);
    br.send(1, frame(mac(2), mac(1))); // 2 not learned yet: flooded
    expect(sinks[2].got).toHaveLength(1);
    expect(sinks[3].got).toHaveLength(1);
    br.send(2, frame(mac(1), mac(2))); // 1 was learned: only port 1
    expect(sinks[1].got).toHaveLength(1);
    expect(sinks[3].got).toHaveLength(1);
    br.send(1, frame(mac(2), mac(1))); // 2 learned now
    expect(sinks[2].got).toHaveLength(2);
    expect(sinks[3].got).toHaveLength(1);
  });

  it('moves a MAC that shows up on another port, and never sends a frame back where it came from', () => {
    const { br, sinks } = bridgeWith(3);
    br.send(1, frame(BCAST, mac(9)));
    br.send(3, frame(BCAST, mac(9))); // the station moved to port 3
    expect(br.macTable.get('020000000009')).toBe(3);
    br.send(2, frame(mac(9), mac(2)));
    expect(sinks[3].got.at(-1)?.[11]).toBe(2);
    expect(sinks[1].got).toHaveLength(1); // only the first broadcast
    br.send(3, frame(mac(9), mac(5))); // destination learned on the ingress port: filtered
    expect(br.stats.filtered).toBe(1);
    expect(sinks[3].got.filter((f) => f[11] === 5)).toHaveLength(0);
  });

  it('does not learn group source addresses', () => {
    const { br } = bridgeWith(2);
    br.send(1, frame(BCAST, [0x03, 0, 0, 0, 0, 1]));
    expect(br.macTable.size).toBe(0);
  });

  it('counts frames and bytes per port, and drops', () => {
    const { br, sinks } = bridgeWith(3);
    const f = frame(BCAST, mac(1), 50); // 64 bytes
    br.send(1, f);
    sinks[3].accept = false; // no RX descriptor
    br.send(1, f);
    br.send(2, new Uint8Array(10)); // runt: dropped at its ingress port
    expect(br.counters(1)).toEqual({ rxFrames: 2, rxBytes: 128, txFrames: 0, txBytes: 0, drops: 0 });
    expect(br.counters(2)).toEqual({ rxFrames: 1, rxBytes: 10, txFrames: 2, txBytes: 128, drops: 1 });
    expect(br.counters(3)).toEqual({ rxFrames: 0, rxBytes: 0, txFrames: 1, txBytes: 64, drops: 1 });
  });

  it('drops frames for a port that is down, and keeps counters when a port is re-attached', () => {
    const br = new Bridge({ now: () => 0 });
    const a = new Sink();
    const b = new Sink();
    let up = true;
    br.attach(1, a);
    br.attach(2, b, () => up);
    br.send(1, frame(BCAST, mac(1)));
    up = false;
    br.send(1, frame(BCAST, mac(1)));
    expect(b.got).toHaveLength(1);
    expect(br.counters(2)?.drops).toBe(1);
    const b2 = new Sink();
    br.attach(2, b2); // a restarted partition: a new nic on the same port
    br.send(1, frame(mac(2), mac(1)));
    expect(b2.got).toHaveLength(1);
    expect(br.counters(2)).toMatchObject({ txFrames: 2, drops: 1 });
    br.detach(2);
    expect(br.portIds).toEqual([1]);
  });

  it('delivers its own copy: the sender may reuse its buffer at once', () => {
    const { br, sinks } = bridgeWith(2);
    const f = frame(BCAST, mac(1));
    br.send(1, f);
    f.fill(0);
    expect(sinks[2].got[0][0]).toBe(0xff);
    expect(br.capture[0].frame[0]).toBe(0xff);
  });

  it('captures every frame with its time and port, in a bounded ring', () => {
    let t = 1000;
    const br = new Bridge({ now: () => t, captureLimit: 3 });
    br.attach(1, new Sink());
    br.attach(2, new Sink());
    for (let i = 0; i < 5; i++) {
      t += 250;
      br.send(1 + (i % 2), frame(BCAST, mac(1 + (i % 2)), 46 + i));
    }
    const cap = br.capture;
    expect(cap.map((c) => [c.time, c.port, c.frame.length])).toEqual([
      [1750, 1, 62],
      [2000, 2, 63],
      [2250, 1, 64],
    ]);
    expect(br.captureOverwritten).toBe(2);
    br.captureEnabled = false;
    br.send(1, frame(BCAST, mac(1)));
    expect(br.capture).toHaveLength(3);
    br.clearCapture();
    expect(br.capture).toHaveLength(0);
  });
});

// ---------------------------------------------------------------- pcap

describe('pcap', () => {
  it('writes a classic libpcap file that reads back', () => {
    const frames = [
      { time: 0, frame: frame(BCAST, mac(1)) },
      { time: 250_000_000 + 500, frame: frame(mac(1), mac(2), 100) }, // 1 s + 2 us
      { time: 3 * 250_000_000 + 249_999_999, frame: frame(mac(2), mac(1), 0) },
    ];
    const bytes = toPcap(frames, { epochSeconds: 1_800_000_000 });
    expect([...bytes.subarray(0, 4)]).toEqual([0xd4, 0xc3, 0xb2, 0xa1]);
    const p = readPcap(bytes);
    expect(p.version).toBe('2.4');
    expect(p.snaplen).toBe(65535);
    expect(p.linktype).toBe(LINKTYPE_ETHERNET);
    expect(PCAP_MAGIC).toBe(0xa1b2c3d4);
    expect(p.records.map((r) => [r.sec - 1_800_000_000, r.usec, r.orig])).toEqual([
      [0, 0, 60],
      [1, 2, 114],
      [3, 999_999, 14],
    ]);
    p.records.forEach((r, i) => expect(r.frame).toEqual(frames[i].frame));
    expect(bytes.length).toBe(24 + 3 * 16 + 60 + 114 + 14);
  });

  it('an empty capture is just the global header', () => {
    expect(toPcap([]).length).toBe(24);
    expect(readPcap(toPcap([])).records).toEqual([]);
  });

  it('the bridge writes its capture', () => {
    let t = 0;
    const { br } = bridgeWith(2, () => t);
    t = 500;
    br.send(1, frame(BCAST, mac(1)));
    const p = readPcap(br.pcap());
    expect(p.records).toHaveLength(1);
    expect(p.records[0].usec).toBe(2);
  });
});

// ---------------------------------------------------------------- cos on the bridge

/** Type `cmd` at client `id` (console `name`) and run until the next prompt; the text in between. */
const run = (w: HvWorld, id: number, name: string, cmd: string): string => w.command(id, name, cmd);

/** The Internet checksum (RFC 1071) of some bytes: 0 when they hold a correct checksum field. */
function inetChecksum(b: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < b.length; i += 2) sum += (b[i] << 8) | (b[i + 1] ?? 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

interface Decoded {
  port: number;
  kind: string;
  src: string;
  dst: string;
}

/** What a captured frame is: ARP request/reply or ICMP echo/reply (checksums checked), else '?'. */
function decode(port: number, f: Uint8Array): Decoded {
  const mac = (at: number) => [...f.subarray(at, at + 6)].map((x) => x.toString(16).padStart(2, '0')).join(':');
  const ip = (at: number) => [...f.subarray(at, at + 4)].join('.');
  const type = (f[12] << 8) | f[13];
  const base = { port, src: mac(6), dst: mac(0) };
  if (type === 0x0806) {
    const op = (f[20] << 8) | f[21];
    return { ...base, kind: `arp ${op === 1 ? 'request' : 'reply'} ${ip(28)} -> ${ip(38)}` };
  }
  if (type === 0x0800) {
    const ihl = (f[14] & 15) * 4;
    const total = (f[16] << 8) | f[17];
    expect(inetChecksum(f.subarray(14, 14 + ihl)), 'IPv4 header checksum').toBe(0);
    const icmp = f.subarray(14 + ihl, 14 + total);
    expect(inetChecksum(icmp), 'ICMP checksum').toBe(0);
    const seq = (icmp[6] << 8) | icmp[7];
    const what = icmp[0] === 8 ? 'echo' : icmp[0] === 0 ? 'echo reply' : `icmp ${icmp[0]}`;
    return { ...base, kind: `${what} ${ip(26)} -> ${ip(30)} seq ${seq} (${icmp.length} bytes)` };
  }
  return { ...base, kind: '?' };
}

describe('cos on the virtual network', () => {
  it('each client gets nic0 in its boot info, on a port of the bridge, with its own MAC and address', async () => {
    const w = await twoCos();
    expect(w.hv.bridge.portIds).toEqual([1, 2]);
    expect(run(w, 1, 'cos1', 'devs')).toContain('nic0      nic         0xf0030000  0x00001000    5\n');
    expect(run(w, 1, 'cos1', 'net')).toBe(
      'nic0: MAC 02:00:00:00:00:01, IPv4 10.0.0.2/24 (paravirtual)\n  rx 0 frames, 0 bytes (0 ignored)\n  tx 0 frames, 0 bytes\n',
    );
    expect(run(w, 2, 'cos2', 'net')).toMatch(/^nic0: MAC 02:00:00:00:00:02, IPv4 10\.0\.0\.3\/24 \(paravirtual\)\n/);
  });

  it('a frame for a swapped-out guest is dropped and tells ctl once: input ID frame (M17)', async () => {
    const w = await twoCos();
    const ctl = w.hv.partitions.get(0)!;
    ctl.inbox.length = 0;
    expect(swapOut(w.hv, w.hv.partitions.get(1)!)).toBeUndefined();
    expect(run(w, 2, 'cos2', 'ping 10.0.0.2 2')).toMatch(/exited with code 1\n$/); // nobody answers
    expect(ctl.inbox.map((m) => new TextDecoder().decode(m.data))).toEqual(['input 1 frame']);
    expect(w.hv.bridge.counters(1)!.drops).toBeGreaterThan(0);
  });

  it('ping across the bridge: replies, per-port counters, and a capture with ARP and ICMP', async () => {
    const w = await twoCos();
    const out = run(w, 2, 'cos2', 'ping 10.0.0.2 3');
    const lines = out.split('\n');
    expect(lines[0]).toBe('PING 10.0.0.2 56(84) bytes of data.');
    for (let seq = 1; seq <= 3; seq++)
      expect(lines[seq]).toMatch(new RegExp(`^64 bytes from 10\\.0\\.0\\.2: icmp_seq=${seq} time=\\d+\\.\\d{3} ms$`));
    expect(out).toContain('--- 10.0.0.2 ping statistics ---\n3 packets transmitted, 3 received, 0% packet loss, time ');
    expect(out).toMatch(/rtt min\/avg\/max = \d+\.\d{3}\/\d+\.\d{3}\/\d+\.\d{3} ms\n$/);

    // One ARP exchange (cos1 learns cos2 from its request), then three echoes and their replies:
    // 60 + 3 * 98 bytes each way.
    const br = w.hv.bridge;
    expect(br.counters(2)).toEqual({ rxFrames: 4, rxBytes: 354, txFrames: 4, txBytes: 354, drops: 0 });
    expect(br.counters(1)).toEqual({ rxFrames: 4, rxBytes: 354, txFrames: 4, txBytes: 354, drops: 0 });
    expect(br.macTable.get('020000000001')).toBe(1);
    expect(br.macTable.get('020000000002')).toBe(2);

    const pcap = readPcap(br.pcap());
    expect(pcap.linktype).toBe(1);
    const frames = pcap.records.map((r, i) => decode(br.capture[i].port, r.frame));
    expect(frames.map((f) => `${f.port}: ${f.kind}`)).toEqual([
      '2: arp request 10.0.0.3 -> 10.0.0.2',
      '1: arp reply 10.0.0.2 -> 10.0.0.3',
      '2: echo 10.0.0.3 -> 10.0.0.2 seq 1 (64 bytes)',
      '1: echo reply 10.0.0.2 -> 10.0.0.3 seq 1 (64 bytes)',
      '2: echo 10.0.0.3 -> 10.0.0.2 seq 2 (64 bytes)',
      '1: echo reply 10.0.0.2 -> 10.0.0.3 seq 2 (64 bytes)',
      '2: echo 10.0.0.3 -> 10.0.0.2 seq 3 (64 bytes)',
      '1: echo reply 10.0.0.2 -> 10.0.0.3 seq 3 (64 bytes)',
    ]);
    expect(frames[0].dst).toBe('ff:ff:ff:ff:ff:ff');
    expect(frames[1]).toMatchObject({ src: '02:00:00:00:00:01', dst: '02:00:00:00:00:02' });
    // A second apart (the program's interval), in machine time.
    expect(pcap.records[4].sec - pcap.records[2].sec).toBe(1);

    expect(run(w, 1, 'cos1', 'net')).toBe(
      'nic0: MAC 02:00:00:00:00:01, IPv4 10.0.0.2/24 (paravirtual)\n  rx 4 frames, 354 bytes (0 ignored)\n  tx 4 frames, 354 bytes\n',
    );
  });

  it('an address nobody has is unreachable; a stopped partition drops its frames; a restarted one answers again', async () => {
    const w = await twoCos();
    const none = run(w, 1, 'cos1', 'ping 10.0.0.9 2');
    expect(none).toContain('From 10.0.0.2 icmp_seq=1 Destination Host Unreachable\n');
    expect(none).toContain('2 packets transmitted, 0 received, 100% packet loss');
    expect(none).toMatch(/cos: pid \d+ \(ping\) exited with code 1\n$/);
    expect(w.hv.bridge.counters(2)?.txFrames).toBe(2); // the ARP requests were flooded to cos2
    expect(run(w, 1, 'cos1', 'ping 10.0.0.3 1')).toContain('1 received');

    w.hv.stop(2);
    const lost = run(w, 1, 'cos1', 'ping 10.0.0.3 1'); // cos1 knows its MAC: the echo goes out
    expect(lost).toContain('Request timeout for icmp_seq 1\n');
    expect(w.hv.bridge.counters(2)?.drops).toBe(1);

    w.hv.restart(2);
    w.run(50_000_000);
    expect(w.output('cos2').match(/cos> /g)?.length).toBe(2); // it booted again
    expect(run(w, 1, 'cos1', 'ping 10.0.0.3 1')).toContain('1 packets transmitted, 1 received');
    expect(w.hv.bridge.portIds).toEqual([1, 2]);

    // Destroyed: its port and the MAC learned there leave the bridge; nothing answers for it.
    expect(w.hv.bridge.macTable.size).toBe(2);
    expect(w.hv.destroy(2)).toBeUndefined();
    expect(w.hv.bridge.portIds).toEqual([1]);
    expect([...w.hv.bridge.macTable.values()]).toEqual([1]);
    // cos1 still knows the MAC, so the echo goes out, and nobody is on the bridge to answer.
    expect(run(w, 1, 'cos1', 'ping 10.0.0.3 1')).toContain('Request timeout for icmp_seq 1\n');
  });

  it('ping and net check their arguments', async () => {
    const w = await twoCos();
    expect(run(w, 1, 'cos1', 'ping')).toMatch(/^usage: ping IP \[COUNT\]/);
    expect(run(w, 1, 'cos1', 'ping 10.0.0')).toMatch(/^usage: /);
    expect(run(w, 1, 'cos1', 'ping 10.0.0.256')).toMatch(/^usage: /);
    expect(run(w, 1, 'cos1', 'ping 10.0.0.3 x')).toMatch(/^usage: /);
    expect(run(w, 1, 'cos1', 'ping 10.0.0.2')).toContain('ping: cannot ping 10.0.0.2\n'); // itself
    expect(w.hv.bridge.stats.frames).toBe(0);
  });

  it('three clients on two pCPUs: everyone reaches everyone; the bridge learns all three', async () => {
    const w = await world({ cpus: 2 });
    const cos = w.diskOs('cos');
    for (let id = 1; id <= 3; id++)
      w.launch(id, `cos${id}`, cos, { memBytes: 8 << 20, grantDiskPartition: cos.partition, cpu: id % 2 });
    for (let id = 1; id <= 3; id++) w.expect(`cos${id}`, 'cos> ');
    expect(run(w, 3, 'cos3', 'ping 10.0.0.2 2')).toContain('2 packets transmitted, 2 received');
    expect(run(w, 1, 'cos1', 'ping 10.0.0.3 2')).toContain('2 packets transmitted, 2 received');
    expect(run(w, 2, 'cos2', 'ping 10.0.0.4 1')).toContain('1 packets transmitted, 1 received');
    expect([...w.hv.bridge.macTable.values()].sort()).toEqual([1, 2, 3]);
    // cos2 saw cos3's broadcast ARP request for cos1 and ignored it.
    expect(run(w, 2, 'cos2', 'net')).toMatch(/\(1 ignored\)/);
    const times = w.hv.bridge.capture.map((c) => c.time);
    expect(times).toEqual([...times].sort((x, y) => x - y));
  });

  it('is deterministic: the same run gives the same consoles and the same pcap bytes', async () => {
    const once = async () => {
      const w = await twoCos();
      run(w, 1, 'cos1', 'ping 10.0.0.3 2');
      run(w, 2, 'cos2', 'net');
      return { a: w.output('cos1'), b: w.output('cos2'), pcap: w.hv.bridge.pcap() };
    };
    const [x, y] = [await once(), await once()];
    expect(y.a).toBe(x.a);
    expect(y.b).toBe(x.b);
    expect(y.pcap).toEqual(x.pcap);
  });
});
