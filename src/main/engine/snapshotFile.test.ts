import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { crc32 } from '../../shared/crc32.js';
import { decodePlain, encodePlain } from './plainData.js';
import {
  decodeSnapshotBytes,
  readSnapshotFile,
  SNAPSHOT_HEADER,
  SnapshotFileError,
  writeSnapshotFile,
} from './snapshotFile.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hd-snapfile-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function sample() {
  const ram = new Uint8Array(128 << 10); // sparse (>= 64 KiB)
  ram.set([1, 2, 3], 5000);
  ram[ram.length - 1] = 9;
  const backing = new Int32Array(8).fill(-7);
  return {
    cpus: [{ regs: [1, -2, 3], pc: 0x1000, timer: null, waiting: false }],
    memory: { size: ram.length, bytes: ram },
    odd: new Uint8Array(new Uint8Array(12).fill(5).buffer, 3, 5),
    view: backing.subarray(2, 5),
    numbers: [NaN, Infinity, -Infinity, -0, 2 ** 53 - 1, 0.5],
    missing: undefined,
    list: [undefined, 1],
    big: 12345678901234567890n,
    map: new Map<unknown, unknown>([
      [1, 'a'],
      ['k', new Uint16Array([1, 2])],
    ]),
    set: new Set([3, 'x']),
    dollar: { $: 'not a tag', a: 1 },
    floats: new Float64Array([1.5, -0, NaN]),
  };
}

describe('plain data', () => {
  it('round-trips every kind of value exactly', () => {
    const s = sample();
    const back = decodePlain(encodePlain(s)) as ReturnType<typeof sample>;
    // RAM compared as one buffer (an element-wise toEqual of 128 KiB is slow), the rest deeply.
    expect(Buffer.from(back.memory.bytes).equals(Buffer.from(s.memory.bytes))).toBe(true);
    expect({ ...back, memory: back.memory.size }).toEqual({ ...s, memory: s.memory.size });
    expect(Object.is(back.numbers[3], -0)).toBe(true);
    expect('missing' in back).toBe(true);
    expect(back.view).toBeInstanceOf(Int32Array);
    expect([...back.view]).toEqual([-7, -7, -7]);
  });

  it('stores a mostly empty RAM sparse', () => {
    const bytes = encodePlain({ ram: new Uint8Array(16 << 20).fill(1, 0, 8192) });
    expect(bytes.length).toBeLessThan(20_000);
  });

  it('names the path of what is not plain data', () => {
    class Tlb {}
    expect(() => encodePlain({ cpus: [{ tlb: new Tlb() }] })).toThrow(/state\.cpus\[0\]\.tlb is a Tlb, not plain data/);
    expect(() => encodePlain({ f: () => 1 })).toThrow(/state\.f is a function/);
    const loop: Record<string, unknown> = {};
    loop.self = loop;
    expect(() => encodePlain(loop)).toThrow(/state\.self refers back/);
  });
});

describe('snapshot file', () => {
  const write = (state: unknown = sample()) => {
    const path = join(dir, 'a.hdsnap');
    writeSnapshotFile(path, state);
    return { path, bytes: readFileSync(path) };
  };
  /** The message a damaged file's bytes get (checked in memory: thousands of cases). */
  const refuseBytes = (bytes: Uint8Array) => {
    try {
      decodeSnapshotBytes('bad.hdsnap', bytes);
    } catch (e) {
      expect(e).toBeInstanceOf(SnapshotFileError);
      return (e as Error).message;
    }
    throw new Error('accepted a bad file');
  };
  const refuse = (bytes: Uint8Array) => {
    const path = join(dir, 'bad.hdsnap');
    writeFileSync(path, bytes);
    try {
      readSnapshotFile(path);
    } catch (e) {
      expect(e).toBeInstanceOf(SnapshotFileError);
      expect(Buffer.from(readFileSync(path)).equals(Buffer.from(bytes))).toBe(true); // reading changed nothing
      return (e as Error).message;
    }
    throw new Error('accepted a bad file');
  };

  it('round-trips through a compressed file', () => {
    const { path, bytes } = write();
    expect(bytes.length).toBeLessThan(10_000);
    const back = readSnapshotFile(path).state as ReturnType<typeof sample>;
    const s = sample();
    expect(Buffer.from(back.memory.bytes).equals(Buffer.from(s.memory.bytes))).toBe(true);
    expect({ ...back, memory: 0 }).toEqual({ ...s, memory: 0 });
  });

  it('refuses the file cut at every point, saying it is truncated', () => {
    const { bytes } = write({ a: 1, b: new Uint8Array(300).fill(7) });
    for (let cut = 0; cut < bytes.length; cut++) {
      const m = refuseBytes(bytes.subarray(0, cut));
      expect(m, `cut at ${cut}`).toMatch(/truncated|magic number/);
      expect(m).toMatch(/nothing changed/);
    }
    // One cut of each class, with its message.
    expect(refuse(bytes.subarray(0, 2))).toMatch(/truncated: 2 bytes, not even the magic number/);
    expect(refuse(bytes.subarray(0, 40))).toMatch(/truncated: 40 bytes, shorter than the 80-byte header/);
    expect(refuse(bytes.subarray(0, SNAPSHOT_HEADER))).toMatch(
      /the header promises \d+ bytes of payload, the file has 0/,
    );
    expect(refuse(bytes.subarray(0, bytes.length - 1))).toMatch(/the file has \d+$|the file has \d+;/);
  });

  it('refuses every single-bit flip', () => {
    const { bytes } = write({ a: [1, 2, 3], b: new Uint8Array(64).fill(1) });
    for (let i = 0; i < bytes.length; i++) {
      for (let bit = 0; bit < 8; bit++) {
        const b = Uint8Array.from(bytes);
        b[i]! ^= 1 << bit;
        expect(refuseBytes(b), `byte ${i} bit ${bit}`).toMatch(/damaged|magic number/);
      }
    }
    const payloadFlip = Uint8Array.from(bytes);
    payloadFlip[SNAPSHOT_HEADER + 3]! ^= 0x10;
    expect(refuse(payloadFlip)).toMatch(/the payload is damaged \(its SHA-256 does not match the header\)/);
  });

  it('refuses another format version and trailing bytes', () => {
    const { bytes } = write();
    const b = Uint8Array.from(bytes);
    const v = new DataView(b.buffer);
    v.setUint32(4, 2, true);
    v.setUint32(76, crc32(b.subarray(0, 76)), true);
    expect(refuse(b)).toMatch(/format version 2; this hyperdesk reads version 1 \(made by a newer hyperdesk\)/);
    expect(refuse(Uint8Array.from([...bytes, 0, 0]))).toMatch(/2 bytes of garbage after the payload/);
  });

  it('refuses a well-formed file whose payload is not plain data', () => {
    const raw = new Uint8Array([5, 0, 0, 0, ...new TextEncoder().encode('{"x":'), 0, 0, 0, 0]);
    const payload = deflateSync(raw);
    const header = new Uint8Array(SNAPSHOT_HEADER);
    const v = new DataView(header.buffer);
    v.setUint32(0, 0x4e534448, true);
    v.setUint32(4, 1, true);
    v.setUint32(8, SNAPSHOT_HEADER, true);
    v.setUint32(16, payload.length, true);
    v.setUint32(24, raw.length, true);
    header.set(createHash('sha256').update(payload).digest(), 32);
    v.setUint32(76, crc32(header.subarray(0, 76)), true);
    expect(refuse(Uint8Array.from([...header, ...payload]))).toMatch(
      /the payload is malformed: the structure is not JSON/,
    );
  });

  it('refuses what is not a snapshot at all', () => {
    expect(refuse(new TextEncoder().encode('SQLite format 3\0 and more bytes'))).toMatch(/not a hyperdesk snapshot/);
  });
});
