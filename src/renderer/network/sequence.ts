/**
 * The message sequence's layout, without the DOM (M19, docs/app.md#network): which lifelines to
 * draw and where each arrow goes, and the words for times and messages. The panel (MessagesPanel.ts)
 * draws what these say.
 */
import type { MessageRow, MessagesView } from '../../shared/api.js';

export interface Lane {
  id: number;
  name: string;
}

/** One lifeline per partition that exists, plus any a message names that does not (a refusal's). */
export function lanesOf(v: MessagesView): Lane[] {
  const lanes = new Map<number, string>(v.partitions.map((p) => [p.id, p.name]));
  for (const r of v.rows) {
    if (!lanes.has(r.from)) lanes.set(r.from, r.fromName);
    if (!lanes.has(r.to)) lanes.set(r.to, r.error ? '(none)' : r.toName);
  }
  return [...lanes].sort((a, b) => a[0] - b[0]).map(([id, name]) => ({ id, name }));
}

/** The lanes an arrow spans (0-based, first <= last) and which way it points. */
export function arrowOf(r: MessageRow, lanes: Lane[]): { first: number; last: number; rightward: boolean } {
  const a = lanes.findIndex((l) => l.id === r.from);
  const b = lanes.findIndex((l) => l.id === r.to);
  return { first: Math.min(a, b), last: Math.max(a, b), rightward: b >= a };
}

/** Machine time, as the top bar's clock counts it: milliseconds with microseconds. */
export function machineTime(seconds: number): string {
  return `${(seconds * 1000).toFixed(3)} ms`;
}

/** A short duration of machine time: microseconds under a millisecond, else milliseconds. */
export function duration(seconds: number): string {
  const us = seconds * 1e6;
  return us < 1000 ? `${us.toFixed(1)} µs` : `${(us / 1000).toFixed(2)} ms`;
}

/** What the row says: `call "hello", 5 bytes: reply in 22.4 µs`, or why it was refused. */
export function describe(r: MessageRow): string {
  const kind = r.op === 'send' ? 'send (async)' : r.op === 'call' ? 'call (sync)' : 'reply';
  if (r.error) return `${kind} refused: ${r.error}`;
  const what = `${kind} "${r.text}"${r.bytes > r.text.length ? '…' : ''}, ${r.bytes} byte${r.bytes === 1 ? '' : 's'}`;
  const again = r.repeat ? ` ×${r.repeat}` : '';
  if (r.op !== 'call') return what + again;
  return `${what}${again}: ${r.replySeconds === undefined ? 'no reply yet' : `reply in ${duration(r.replySeconds)}`}`;
}
