/**
 * Interrupt wiring between devices and the interrupt controller (docs/devices.md#intc-interrupt-controller).
 * A device holds an `IrqLine` and drives it to the level its registers say (level-triggered: the line
 * stays high as long as the condition holds); the controller turns lines into each pCPU's external
 * interrupt through an `InterruptTarget` (a Cpu).
 */
export interface IrqLine {
  set(level: boolean): void;
}

/** A line connected to nothing (a device built without an interrupt, or in a unit test). */
export const NO_IRQ: IrqLine = { set: () => {} };

/** What the interrupt controller drives: a pCPU's interrupt lines (Cpu implements it). */
export interface InterruptTarget {
  setInterrupt(line: number, level: boolean): void;
}

/** A line that remembers its level (tests, and devices that want to check what they drive). */
export class RecordingIrqLine implements IrqLine {
  level = false;
  changes = 0;
  set(level: boolean): void {
    if (level !== this.level) this.changes++;
    this.level = level;
  }
}
