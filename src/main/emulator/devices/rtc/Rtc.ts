/**
 * The wall clock (docs/devices.md#rtc). Registers (offsets):
 *   +0x00 SECONDS  read: epoch seconds given at power-on + floor(cycles / TIMEBASE) (low 32 bits)
 *   +0x04 MILLIS   read: milliseconds within that second
 *   +0xFF0 identity 'RTC ', +0xFF4 version
 * Time is the machine's counted cycles, never a host clock, so reads are deterministic. The cycle
 * count comes from a function the machine supplies: the exact cycle count of the pCPU doing the read
 * (Cpu.now(), which includes the steps of the slice in progress), so the value does not depend on how
 * the host slices time.
 */
import type { MmioDevice, Width } from '../../bus/Bus.js';
import { DEVICE_ID, identityRegister } from '../identity.js';

export const RTC_SECONDS = 0x00;
export const RTC_MILLIS = 0x04;
/** Nominal clock: cycles per emulated second (boot info `timebase`). */
export const RTC_TIMEBASE = 250_000_000;

export interface RtcState {
  epochSeconds: number;
  metrics: { badAccesses: number };
}

export class Rtc implements MmioDevice {
  readonly size = 0x1000;
  readonly metrics = { badAccesses: 0 };

  constructor(
    readonly id: string,
    /** Wall-clock seconds since 1970-01-01 UTC at cycle 0. */
    private epochSeconds: number,
    /** Machine time in cycles. */
    private readonly cycles: () => number,
  ) {
    if (!Number.isInteger(epochSeconds) || epochSeconds < 0) {
      throw new RangeError(`the rtc epoch must be a whole number of seconds >= 0, got ${epochSeconds}`);
    }
  }

  read(offset: number, width: Width): number | undefined {
    let v: number | undefined;
    if (width === 4) {
      const c = this.cycles();
      if (offset === RTC_SECONDS) v = ((this.epochSeconds + Math.floor(c / RTC_TIMEBASE)) % 4294967296) | 0;
      else if (offset === RTC_MILLIS) v = Math.floor((c % RTC_TIMEBASE) / (RTC_TIMEBASE / 1000));
      else v = identityRegister(offset, DEVICE_ID.rtc);
    }
    if (v === undefined) this.metrics.badAccesses++;
    return v;
  }

  write(_offset: number, _width: Width, _value: number): boolean {
    this.metrics.badAccesses++;
    return false;
  }

  saveState(): RtcState {
    return { epochSeconds: this.epochSeconds, metrics: { ...this.metrics } };
  }

  restoreState(s: unknown): void {
    const st = s as RtcState;
    this.epochSeconds = st.epochSeconds;
    Object.assign(this.metrics, st.metrics);
  }
}
