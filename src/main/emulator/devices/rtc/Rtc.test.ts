/** The wall clock: epoch plus counted cycles (docs/devices.md#rtc). */
import { describe, expect, it } from 'vitest';
import { TIMEBASE } from '../../machine/board.js';
import { DEVICE_ID, ID_OFFSET, VERSION_OFFSET } from '../identity.js';
import { Rtc, RTC_MILLIS, RTC_SECONDS, RTC_TIMEBASE } from './Rtc.js';

describe('rtc', () => {
  it('SECONDS = epoch + floor(cycles / 250e6), MILLIS within the second', () => {
    let cycles = 0;
    const r = new Rtc('rtc', 1_700_000_000, () => cycles);
    expect(RTC_TIMEBASE).toBe(TIMEBASE);
    expect(r.read(RTC_SECONDS, 4)).toBe(1_700_000_000);
    expect(r.read(RTC_MILLIS, 4)).toBe(0);
    cycles = 3 * TIMEBASE + 249_999;
    expect(r.read(RTC_SECONDS, 4)).toBe(1_700_000_003);
    expect(r.read(RTC_MILLIS, 4)).toBe(0);
    cycles = 3 * TIMEBASE + 250_000 * 999;
    expect(r.read(RTC_MILLIS, 4)).toBe(999);
  });

  it('wraps SECONDS to 32 bits', () => {
    const r = new Rtc('rtc', 0xffff_ffff, () => TIMEBASE);
    expect(r.read(RTC_SECONDS, 4)).toBe(0);
  });

  it('identity, version; writes and holes are bad accesses', () => {
    const r = new Rtc('rtc', 0, () => 0);
    expect(r.read(ID_OFFSET, 4)).toBe(DEVICE_ID.rtc);
    expect(r.read(VERSION_OFFSET, 4)).toBe(1);
    expect(r.write(RTC_SECONDS, 4, 5)).toBe(false);
    expect(r.read(0x08, 4)).toBeUndefined();
    expect(r.read(RTC_SECONDS, 2)).toBeUndefined();
    expect(r.metrics.badAccesses).toBe(3);
  });

  it('rejects a bad epoch', () => {
    expect(() => new Rtc('rtc', -1, () => 0)).toThrow(RangeError);
    expect(() => new Rtc('rtc', 1.5, () => 0)).toThrow(RangeError);
  });

  it('saves and restores its state', () => {
    const a = new Rtc('rtc', 42, () => 0);
    a.read(0x100, 4);
    const b = new Rtc('rtc', 0, () => TIMEBASE);
    b.restoreState(structuredClone(a.saveState()));
    expect(b.saveState()).toEqual(a.saveState());
    expect(b.read(RTC_SECONDS, 4)).toBe(43);
  });
});
