/**
 * The Debug view's pure parts (docs/app.md#debug): reading what the user types (numbers, addresses,
 * byte strings, breakpoint locations), laying memory out as hex and ASCII rows, finding the
 * registers a step changed, and the VS Code keys. No DOM, so that they are unit-tested.
 */
import type { BreakpointRequest, DebugMemory, DebugRegisters } from '../../shared/debugApi.js';

/** `0x0000a0f0`: an address or a register value, always 8 digits. */
export const hex32 = (n: number): string => `0x${(n >>> 0).toString(16).padStart(8, '0')}`;

/**
 * A 32-bit value as typed: `0x1f`, `1fh`, `0b101`, `42`, `-1` (as its two's complement), or a
 * label of the program (`main`, `loop+8`) when labels are given. The answer is the unsigned value,
 * or a message saying what is wrong with the text.
 */
export function parseValue(text: string, labels?: ReadonlyMap<string, number>): number | string {
  const t = text.trim().replace(/_/g, '');
  if (!t) return 'type a value: 0x1000, 4096, -1 or a label';
  const m = /^([A-Za-z_.$][\w.$]*)\s*([+-]\s*(?:0x[0-9a-f]+|\d+))?$/i.exec(t);
  if (m && labels && !/^0x/i.test(t) && !/^[0-9a-f]+h$/i.test(t)) {
    const base = labels.get(m[1]!);
    if (base === undefined) return `no label '${m[1]}' in the program`;
    const o = m[2]?.replace(/\s/g, '') ?? '+0';
    const off = (o.startsWith('-') ? -1 : 1) * Number(o.slice(1));
    return (base + off) >>> 0;
  }
  let v: number;
  if (/^-?0x[0-9a-f]+$/i.test(t)) v = t.startsWith('-') ? -parseInt(t.slice(3), 16) : parseInt(t.slice(2), 16);
  else if (/^[0-9a-f]+h$/i.test(t)) v = parseInt(t.slice(0, -1), 16);
  else if (/^0b[01]+$/i.test(t)) v = parseInt(t.slice(2), 2);
  else if (/^-?\d+$/.test(t)) v = Number(t);
  else return `'${text.trim()}' is not a number (0x1000, 4096, -1${labels ? ' or a label' : ''})`;
  if (!Number.isFinite(v) || v > 0xffffffff || v < -0x80000000) return `'${text.trim()}' does not fit in 32 bits`;
  return v >>> 0;
}

/** Bytes as typed for a memory write: `de ad be ef`, `deadbeef`, `0xde,0xad`. Even hex pairs out. */
export function parseBytes(text: string): string | { error: string } {
  const t = text
    .trim()
    .replace(/0x/gi, '')
    .replace(/[\s,]+/g, '');
  if (!t) return { error: 'type bytes in hex: de ad be ef' };
  if (!/^[0-9a-f]+$/i.test(t)) return { error: `'${text.trim()}' is not hex bytes (de ad be ef)` };
  if (t.length % 2) return { error: 'an odd number of hex digits: give whole bytes (two digits each)' };
  return t.toLowerCase();
}

export interface MemoryRow {
  address: number;
  /** One per column: the byte, or null where it could not be read (or lies past the end). */
  bytes: (number | null)[];
  /** The printable bytes as themselves, the rest as `.`; unreadable as a space. */
  ascii: string;
}

/** A memory read laid out `width` bytes to a row, the first row starting at the read's address. */
export function memoryRows(mem: DebugMemory, length: number, width = 16): MemoryRow[] {
  const readable = Math.min(mem.hex.length / 2, mem.unreadableFrom ?? Infinity);
  const rows: MemoryRow[] = [];
  for (let off = 0; off < length; off += width) {
    const bytes: (number | null)[] = [];
    let ascii = '';
    for (let i = off; i < off + width; i++) {
      const b = i < readable && i < length ? parseInt(mem.hex.slice(i * 2, i * 2 + 2), 16) : null;
      bytes.push(b);
      ascii += b === null ? ' ' : b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.';
    }
    rows.push({ address: (mem.address + off) >>> 0, bytes, ascii });
  }
  return rows;
}

/** The names of the registers (general by name, `pc`, control by name, `mode`) a step changed. */
export function changedRegisters(before: DebugRegisters | undefined, after: DebugRegisters): Set<string> {
  const out = new Set<string>();
  if (!before || before.guest !== after.guest || before.vcpu !== after.vcpu) return out;
  if (before.pc !== after.pc) out.add('pc');
  if (before.mode !== after.mode) out.add('mode');
  const old = new Map<string, number>();
  for (const r of before.regs) old.set(r.name, r.value);
  for (const r of before.control) old.set(r.name, r.value);
  for (const r of [...after.regs, ...after.control]) {
    const was = old.get(r.name);
    if (was !== undefined && was !== r.value) out.add(r.name);
  }
  return out;
}

/**
 * A breakpoint's location as typed: an address (`0x1000`, `main` with labels) or a source line
 * (`hello.s:12`). The condition is given apart (`r5 == 3`).
 */
export function parseLocation(
  text: string,
  condition = '',
  labels?: ReadonlyMap<string, number>,
): BreakpointRequest | string {
  const t = text.trim();
  const line = /^([A-Za-z0-9_.-]+\.(?:s|inc|asm)):(\d+)$/i.exec(t);
  const cond = condition.trim();
  const withCond = (b: BreakpointRequest): BreakpointRequest => (cond ? { ...b, condition: cond } : b);
  if (line) {
    const n = Number(line[2]);
    if (n < 1) return 'lines count from 1';
    return withCond({ file: line[1]!, line: n });
  }
  if (/:/.test(t)) return `'${t}' is not file:line (hello.s:12)`;
  const v = parseValue(t, labels);
  if (typeof v === 'string') return v;
  if (v % 4) return `${hex32(v)} is not 4-aligned: instructions start at multiples of 4`;
  return withCond({ address: v });
}

/** Where a breakpoint is, in words: `hello.s:12 (0x00001040)` or `0x00001040`. */
export function describeLocation(b: BreakpointRequest & { resolved?: number }): string {
  if (b.file !== undefined && b.line !== undefined)
    return `${b.file}:${b.line}${b.resolved !== undefined ? ` (${hex32(b.resolved)})` : ''}`;
  return hex32(b.address ?? b.resolved ?? 0);
}

/** Two requests name the same place (the same line, or the same address). */
export function samePlace(a: BreakpointRequest, b: BreakpointRequest): boolean {
  if (a.file !== undefined || b.file !== undefined) return a.file === b.file && a.line === b.line;
  return a.address === b.address;
}

/** The list with a breakpoint at that place removed if there was one, else added (a gutter click). */
export function toggle(list: readonly BreakpointRequest[], at: BreakpointRequest): BreakpointRequest[] {
  const i = list.findIndex((b) => samePlace(b, at));
  return i >= 0 ? [...list.slice(0, i), ...list.slice(i + 1)] : [...list, at];
}

export type DebugAction = 'continue' | 'pause' | 'step' | 'over' | 'out';

/**
 * VS Code's debugging keys: F5 continue (pause while running, as its button does), F6 pause, F10
 * step over, F11 step into (one instruction), Shift+F11 step out.
 */
export function keyAction(
  e: { key: string; shiftKey: boolean; ctrlKey: boolean; altKey: boolean; metaKey: boolean },
  paused: boolean,
): DebugAction | undefined {
  if (e.ctrlKey || e.altKey || e.metaKey) return undefined;
  switch (e.key) {
    case 'F5':
      return e.shiftKey ? undefined : paused ? 'continue' : 'pause';
    case 'F6':
      return e.shiftKey ? undefined : 'pause';
    case 'F10':
      return e.shiftKey ? undefined : 'over';
    case 'F11':
      return e.shiftKey ? 'out' : 'step';
    default:
      return undefined;
  }
}

/**
 * Which of the run buttons work. Live: continue when paused, pause when running, the steps when
 * paused. In a verified replay the steps move the replay (forwardStep with the step's kind:
 * docs/recording.md#step-over-and-out) and continue and pause are off: the replay only moves by
 * its own commands.
 */
export function runButtons(paused: boolean, replaying: boolean): Record<DebugAction, boolean> {
  const step = paused || replaying;
  return { continue: paused && !replaying, pause: !paused && !replaying, step, over: step, out: step };
}

/** Where the Debug view's own recording stands (docs/debugger.md#reverse). */
export type RecordMode = 'off' | 'recording' | 'replay';

/**
 * Why the reverse buttons are off (their tooltip), or undefined when they work: a recording made
 * from this view must be running (or already replayed) and the guest stopped, since a reverse move
 * starts from a stop's retired count.
 */
export function reverseBlocked(mode: RecordMode, paused: boolean, replaying = false): string | undefined {
  // A verified replay (this view's, or one opened from the Snapshots view) stands still: it moves from there.
  if (replaying) return undefined;
  if (mode === 'off') return 'Reverse needs a recording: press Record, then run and stop the guest';
  if (!paused) return 'Pause the guest first: a reverse move starts from where it stopped';
  return undefined;
}

/** The Record button's label and tooltip. */
export function recordButton(mode: RecordMode): { label: string; title: string; disabled: boolean } {
  if (mode === 'recording')
    return { label: 'Stop recording', title: 'End the recording (kept with the recordings)', disabled: false };
  if (mode === 'replay')
    return { label: 'Replay', title: 'The machine is a replay: boot or power off to leave it', disabled: true };
  return {
    label: 'Record',
    title: 'Record the machine from now, so Reverse step and Reverse continue work',
    disabled: false,
  };
}
