/** The recording file format (docs/recording.md#the-log): round trip, and clear refusals. */
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decodeRecording, encodeRecording, type Recording } from './recordLog.js';

const rec: Recording = {
  format: 'hyperdesk-recording',
  version: 2,
  name: 'r',
  createdAt: '2026-12-07T00:00:00.000Z',
  mode: 'hypervisor',
  cpus: 2,
  memMiB: 64,
  start: { file: 'r.hdsnap', cycles: 1000, disks: ['d.img'], diskHashes: ['ab'] },
  rtcEpochSeconds: 1,
  checkpointSeconds: 1,
  timebase: 250e6,
  log: [
    { t: 1000, k: 'in', g: 2, b: [104, 13] },
    { t: 2000, k: 'end', why: 'stopped' },
  ],
};
const gz = (o: unknown) => gzipSync(Buffer.from(JSON.stringify(o)));

describe('recording files', () => {
  it('round-trips a recording', () => {
    expect(decodeRecording(encodeRecording(rec), 'r.hdrec')).toEqual(rec);
  });
  it('refuses a format-1 recording, whose checkpoint hashes this build computes differently', () => {
    expect(decodeRecording(gz({ ...rec, version: 1 }), 'old.hdrec')).toMatch(
      /^old\.hdrec: recorded by an earlier hyperdesk \(format 1\).*record it again/,
    );
  });
  it('refuses a newer format, garbage and a damaged log, naming the file', () => {
    expect(decodeRecording(gz({ ...rec, version: 3 }), 'n.hdrec')).toBe(
      'n.hdrec: recording format version 3; this hyperdesk reads version 2',
    );
    expect(decodeRecording(new Uint8Array([1, 2, 3]), 'x.hdrec')).toMatch(/^x\.hdrec: not a recording \(/);
    expect(decodeRecording(gz({ ...rec, log: 5 }), 'd.hdrec')).toBe('d.hdrec: the recording is damaged');
  });
});
