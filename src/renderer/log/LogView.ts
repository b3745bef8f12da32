/**
 * The Log view: the app's event log (created, started, stopped, faulted, device moved ...), the last
 * 200 from the store and then live `log` events, newest first, with a filter.
 */
import './log.css';
import type { LogEvent } from '../../shared/api.js';
import type { AppContext, View } from '../app/context.js';
import { h, headRow, message } from '../ui/dom.js';
import { download } from '../ui/download.js';
import { toast } from '../ui/feedback.js';
import { logText, logTime } from './logText.js';

const KEEP = 1000;

export class LogView implements View {
  readonly id = 'log';
  readonly title = 'Log';
  readonly el: HTMLElement;
  private events: LogEvent[] = [];
  private loaded = false;
  private readonly list = h('tbody');
  private readonly filter = h('input', {
    type: 'search',
    placeholder: 'Filter (guest, kind, text)',
    'aria-label': 'Filter the log',
  });
  private readonly note = h('p.note');

  constructor(private readonly ctx: AppContext) {
    this.filter.addEventListener('input', () => this.render());
    this.el = h(
      'section.view.log',
      { 'data-view': this.id },
      h(
        'article.card',
        {},
        h(
          'div.card-head',
          {},
          h('h2', {}, 'Event log'),
          h('span.spacer'),
          this.filter,
          h(
            'button.small',
            {
              type: 'button',
              'data-action': 'export-log',
              title: 'Save the events shown (the filter applies) as a text file',
              onclick: () => this.exportLog(),
            },
            'Export',
          ),
        ),
        this.note,
        h('table.data.log', {}, headRow(['Time', 'Guest', 'Event', 'Detail']), this.list),
      ),
    );
    ctx.on('log', (e) => {
      if (this.events.some((x) => x.id === e.event.id)) return;
      this.events.push(e.event);
      if (this.events.length > KEEP) this.events.shift();
      if (!this.el.hidden) this.render();
    });
    ctx.onReconnect(() => void this.load());
  }

  private async load(): Promise<void> {
    try {
      const past = await this.ctx.api.events(200);
      const ids = new Set(past.map((e) => e.id));
      this.events = [...past, ...this.events.filter((e) => !ids.has(e.id))].sort((a, b) => a.id - b.id);
      this.loaded = true;
      this.note.textContent = '';
      this.render();
    } catch (e) {
      this.note.textContent = `The event log is not available: ${message(e)}`;
    }
  }

  private matching(): LogEvent[] {
    const q = this.filter.value.trim().toLowerCase();
    return this.events.filter((e) => !q || `${e.guestName} ${e.kind} ${e.detail}`.toLowerCase().includes(q));
  }

  private exportLog(): void {
    const events = this.matching();
    const stamp = new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-');
    download(`hyperdesk-log-${stamp}.tsv`, new TextEncoder().encode(logText(events)), 'text/tab-separated-values');
    toast(`Saved ${events.length} event(s)`, 'ok');
  }

  private render(): void {
    const shown = this.matching().slice(-300).reverse();
    this.list.replaceChildren(
      ...shown.map((e) =>
        h(
          'tr',
          { 'data-kind': e.kind },
          h('td.time', { title: e.at }, logTime(e.at)),
          h('td', {}, e.guestName),
          h('td', {}, h('span.kind', { 'data-kind': e.kind }, e.kind)),
          h('td', {}, e.detail),
        ),
      ),
    );
    if (shown.length === 0)
      this.list.append(h('tr', {}, h('td.muted', { colspan: 4 }, this.loaded ? 'No events.' : 'Loading…')));
  }

  shown(): void {
    void this.load();
  }
}
