/** The event log's times and its export (LogView), pure so that they are unit-tested. */
import type { LogEvent } from '../../shared/api.js';

/** A log time with its date (`2026-12-07 18:02:11`, local time): a log spans days. */
export function logTime(iso: string): string {
  const d = new Date(iso);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** The log as text, one event a line, tab-separated: time (ISO, UTC), guest, event, detail. */
export function logText(events: readonly LogEvent[]): string {
  return events.map((e) => [e.at, e.guestName, e.kind, e.detail.replace(/[\t\r\n]+/g, ' ')].join('\t') + '\n').join('');
}
