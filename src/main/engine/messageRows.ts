/**
 * The message sequence of the app's Network view (M19, docs/app.md#network): the hypervisor's
 * 'message' events (docs/hypercalls.md#the-message-log) as rows of who sent what to whom, when, sync
 * or async, and for a call the machine time until its reply. Read-only, and bounded: the log keeps
 * the newest MAX_EVENTS events and this answers the newest MAX_MESSAGE_ROWS messages of them.
 */
import { MAX_MESSAGE_ROWS, type MessageRow, type MessagesView } from '../../shared/api.js';
import type { Hypervisor } from '../emulator/hypervisor/Hypervisor.js';
import type { PartitionEvent } from '../emulator/hypervisor/Partition.js';
import { TIMEBASE } from '../emulator/machine/board.js';

/** Rows from message events in log order: each reply closes the latest open call it answers. */
export function rowsOf(events: readonly PartitionEvent[], nameOf: (id: number) => string): MessageRow[] {
  const rows: MessageRow[] = [];
  // Open calls by caller and callee: a vCPU waits in one call at a time, so "the latest" is the one.
  const open = new Map<string, MessageRow>();
  for (const e of events) {
    const m = e.msg;
    if (e.kind !== 'message' || !m) continue;
    const row: MessageRow = {
      seconds: e.time / TIMEBASE,
      from: e.partition,
      fromName: nameOf(e.partition),
      to: m.to,
      toName: nameOf(m.to),
      op: m.op,
      bytes: m.bytes,
      text: m.text,
      ...(m.error ? { error: m.error } : {}),
      ...(e.repeat ? { repeat: e.repeat } : {}),
    };
    rows.push(row);
    if (m.error) continue;
    if (m.op === 'call') open.set(`${e.partition}>${m.to}`, row);
    if (m.op === 'reply') {
      const key = `${m.to}>${e.partition}`;
      const call = open.get(key);
      if (call) {
        call.replySeconds = row.seconds - call.seconds;
        open.delete(key);
      }
    }
  }
  return rows;
}

export function messageRows(hv: Hypervisor): MessagesView {
  const nameOf = (id: number) => (id === 255 ? 'hypervisor' : (hv.partitions.get(id)?.name ?? `partition ${id}`));
  const all = rowsOf(hv.events, nameOf);
  const rows = all.slice(-MAX_MESSAGE_ROWS);
  return {
    rows,
    older: all.length - rows.length,
    eventsDropped: hv.eventsDropped,
    partitions: [...hv.partitions.values()]
      .filter((p) => p.state !== 'destroyed')
      .map((p) => ({ id: p.id, name: p.name })),
  };
}
