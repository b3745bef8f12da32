import { describe, expect, it } from 'vitest';
import { droppedMarker, OutputBuffer } from './outputBuffer.js';

describe('OutputBuffer', () => {
  it('keeps up to its capacity, counts the rest and reports it once with a marker', () => {
    const b = new OutputBuffer(4);
    expect(b.pushBytes(Uint8Array.from([1, 2, 3]))).toBe(3);
    expect(b.push(4)).toBe(true);
    expect(b.push(5)).toBe(false);
    expect(b.pushBytes(Uint8Array.from([6, 7]))).toBe(0);
    expect(b.takeString()).toBe('\x01\x02\x03\x04' + droppedMarker(3));
    expect(b.droppedTotal).toBe(3);
    expect(b.pending).toBe(false);
    b.drop(10);
    expect(b.pending).toBe(true);
    expect(new TextDecoder().decode(b.takeBytes())).toBe('\r\n[output dropped: 10 bytes]\r\n');
    expect(b.droppedTotal).toBe(13);
    b.pushBytes(Uint8Array.from([1, 2]));
    b.discard();
    expect(b.takeString()).toBe(droppedMarker(2));
    expect(b.droppedTotal).toBe(15);
  });

  it('refuses a capacity that is not a positive integer', () => {
    expect(() => new OutputBuffer(0)).toThrow(/capacity/);
  });
});
