/**
 * The Network view's message sequence (M19, docs/app.md#network): one lifeline per partition and one
 * arrow per message, newest at the bottom: who sent what to whom, at what machine time, asynchronous
 * (send) or synchronous (call, and its reply, with the time the caller waited), and the messages the
 * hypervisor refused, with its reason. Fed by api.messages() (the hypervisor's bounded log).
 */
import type { MessagesView } from '../../shared/api.js';
import type { AppContext } from '../app/context.js';
import { ownerColour } from '../control/ownership.js';
import { h, message } from '../ui/dom.js';
import { arrowOf, describe, lanesOf, machineTime } from './sequence.js';

export class MessagesPanel {
  readonly el: HTMLElement;
  private readonly seq = h('div.msg-seq', { role: 'table', 'aria-label': 'Messages between partitions' });
  private readonly note = h('p.note');
  private readonly summary = h('p.muted.msg-summary');
  /** What the last render drew (the newest row's time and count), to redraw only on change. */
  private drawn = '';

  constructor(private readonly ctx: AppContext) {
    this.el = h(
      'article.card.wide.messages',
      {},
      h('h2', {}, 'Messages'),
      h(
        'p.muted.net-hint',
        {},
        'Messages between partitions, newest last (M19). Try ',
        h('code', {}, 'msg 1 hello'),
        ' in ctl and ',
        h('code', {}, 'mail'),
        ' in cos; ',
        h('code', {}, 'echosrv &'),
        ' in cos2, then ',
        h('code', {}, 'echocli 3 5 hi'),
        ' in cos (a synchronous call and its reply). A solid arrow is a call, a dashed one its reply, a ',
        'thin one an asynchronous send; red is a message the hypervisor refused.',
      ),
      this.summary,
      this.seq,
      this.note,
    );
  }

  async update(): Promise<void> {
    try {
      this.render(await this.ctx.api.messages());
      this.note.textContent = '';
    } catch (e) {
      this.note.textContent = `Messages are not available: ${message(e)}`;
    }
  }

  private render(v: MessagesView): void {
    const last = v.rows.at(-1);
    const key = `${v.rows.length}:${last?.seconds}:${last?.repeat}:${last?.replySeconds}:${v.partitions.length}`;
    if (key === this.drawn) return;
    this.drawn = key;
    const lanes = lanesOf(v);
    this.summary.textContent =
      v.rows.length === 0
        ? 'No message yet.'
        : `${v.rows.length} message(s)` +
          (v.older > 0 ? `; ${v.older} older not shown` : '') +
          (v.eventsDropped > 0 ? `; the log let ${v.eventsDropped} older events go` : '');
    this.seq.style.setProperty('--lanes', String(lanes.length));
    const head = [
      h('div.msg-time.msg-head', { role: 'columnheader', style: 'grid-row: 1' }, 'Machine time'),
      ...lanes.map((l, i) =>
        h(
          'div.msg-lane-head.msg-head',
          { role: 'columnheader', style: `grid-row: 1; grid-column: ${i + 2}`, 'data-lane': l.id },
          h('span.msg-dot', { style: `background: ${ownerColour(l.id)}` }),
          `${l.id} ${l.name}`,
        ),
      ),
      h(
        'div.msg-what.msg-head',
        { role: 'columnheader', style: `grid-row: 1; grid-column: ${lanes.length + 2}` },
        'What',
      ),
    ];
    const rows = v.rows.flatMap((r, n) => {
      const row = n + 2;
      const { first, last: end, rightward } = arrowOf(r, lanes);
      const span = end - first + 1;
      return [
        h('div.msg-time', { style: `grid-row: ${row}` }, machineTime(r.seconds)),
        ...lanes.map((_, i) => h('div.msg-life', { style: `grid-row: ${row}; grid-column: ${i + 2}` })),
        h(
          'div.msg-arrow',
          {
            class: `${r.op}${r.error ? ' refused' : ''}${rightward ? ' right' : ' left'}${span === 1 ? ' self' : ''}`,
            style: `grid-row: ${row}; grid-column: ${first + 2} / span ${span}; --span: ${span}; --from: ${ownerColour(r.from)}`,
            title: `${r.fromName} (${r.from}) to ${r.toName} (${r.to})`,
          },
          h('span.msg-line'),
        ),
        h(
          'div.msg-what',
          {
            role: 'cell',
            style: `grid-row: ${row}; grid-column: ${lanes.length + 2}`,
            'data-op': r.op,
            'data-from': r.from,
            'data-to': r.to,
            ...(r.error ? { 'data-refused': 'true' } : {}),
          },
          h('span.msg-who', {}, `${r.fromName} → ${r.toName}: `),
          describe(r),
        ),
      ];
    });
    this.seq.replaceChildren(...head, ...rows);
  }
}
