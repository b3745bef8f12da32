/**
 * What ctl's automatic swap policy needs from the mechanism (M17, docs/hypercalls.md#idle-time-and-input-while-swapped):
 * how long each client has been idle, and a notice when input arrives for a guest that is swapped out.
 * The policy itself (which guest goes, when one comes back) is ctl's (resources/ctl/swap.s).
 *
 * Idle is measured in machine time since the partition's last *activity*: a console byte in or out,
 * a message it sent or that another partition sent it, a time slice it used up computing (the
 * hypervisor's timer took the pCPU from it: a guest in wfi never is), its start, restart or swap-in.
 * A guest's own timer ticks are not activity: an idle cos wakes for them and sleeps again at once.
 */
import type { Partition } from './Partition.js';

/** Machine cycles per microsecond (TIMEBASE, 250 MHz). */
export const CYCLES_PER_US = 250;

/** The partition did something at machine time `now` (cycles). */
export function markActive(p: Partition, now: number): void {
  if (now > p.lastActive) p.lastActive = now;
}

/** part_idle's answer: whole microseconds since the last activity, saturating at 2^31-1. */
export function idleMicros(p: Partition, now: number): number {
  const us = Math.floor(Math.max(0, now - p.lastActive) / CYCLES_PER_US);
  return Math.min(us, 0x7fffffff);
}

/**
 * Input arrived for `p` (`what`: console, message, frame). While it is swapped out, the first such
 * input after the swap-out becomes one notice to ctl, `input ID WHAT`; the input itself waits (console
 * bytes in its UART and the host's bounded queue, messages in its inbox) or, for a frame, is dropped
 * as on any link that is down. Returns whether a notice is due (the caller sends it).
 */
export function inputWhileSwapped(p: Partition): boolean {
  if (p.state !== 'swapped' || p.swapInputNoticed) return false;
  p.swapInputNoticed = true;
  return true;
}
