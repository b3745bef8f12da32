/**
 * The Performance view: per guest MIPS, share of the pCPUs, and exits (traps, interrupts and
 * hypercalls) per second as live uPlot charts over the last samples, a table of the latest figures,
 * and a per-guest timeline of recent traps, interrupts and hypercalls.
 */
import './perf.css';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { PerfSample, TimelineEntry } from '../../shared/api.js';
import type { AppContext, View } from '../app/context.js';
import { ownerColour } from '../control/ownership.js';
import { techniqueLine, techniqueTitle } from '../control/explain.js';
import { h, headRow, message, num } from '../ui/dom.js';
import { columns, guestsOf, pushSample, type Figure } from './series.js';

const WINDOW = 120;
const TIMELINE_MS = 1500;

const CHARTS: { figure: Figure; title: string; unit: string }[] = [
  { figure: 'mips', title: 'MIPS', unit: 'million guest instructions per wall-clock second' },
  { figure: 'cpuShare', title: 'CPU share', unit: '% of all pCPU time' },
  { figure: 'exitsPerSec', title: 'Exits / s', unit: 'traps + interrupts + hypercalls' },
];

export class PerfView implements View {
  readonly id = 'perf';
  readonly title = 'Performance';
  readonly el: HTMLElement;
  private samples: PerfSample[] = [];
  private plots: { figure: Figure; plot: uPlot; host: HTMLElement }[] = [];
  private guestKey = '';
  private readonly chartHosts: HTMLElement[];
  private readonly table = h('tbody');
  private readonly timelineGuest = h('select', { 'aria-label': 'Timeline of guest' });
  private readonly timeline = h('ol.timeline');
  private readonly note = h('p.note');
  private timer: ReturnType<typeof setInterval> | undefined;
  private visible = false;
  private resize: ResizeObserver | undefined;

  constructor(private readonly ctx: AppContext) {
    this.chartHosts = CHARTS.map((c) =>
      h('article.card.chart', { 'data-figure': c.figure }, h('h2', {}, c.title, h('small', {}, c.unit)), h('div.plot')),
    );
    this.timelineGuest.addEventListener('change', () => void this.loadTimeline());
    this.el = h(
      'section.view.perf',
      { 'data-view': this.id },
      h('div.charts', {}, ...this.chartHosts),
      this.note,
      h(
        'div.perf-grid',
        {},
        h(
          'article.card',
          {},
          h('h2', {}, 'Now'),
          h(
            'table.data',
            {},
            headRow([
              'Guest',
              '#MIPS',
              '#CPU',
              '#Hypervisor',
              '#Traps/s',
              '#IRQs/s',
              '#Hypercalls/s',
              '#Emulated/s',
              'Technique',
            ]),
            this.table,
          ),
        ),
        h(
          'article.card',
          {},
          h('div.card-head', {}, h('h2', {}, 'Timeline'), h('span.spacer'), this.timelineGuest),
          this.timeline,
        ),
      ),
    );
    ctx.on('perf', (e) => {
      this.samples = pushSample(this.samples, e.sample, WINDOW);
      if (this.visible) this.update();
    });
    ctx.onStatus((s) => {
      const key = s.guests.map((g) => `${g.id}:${g.name}`).join(',');
      if (key === this.timelineGuest.dataset.key) return;
      this.timelineGuest.dataset.key = key;
      const keep = this.timelineGuest.value;
      this.timelineGuest.replaceChildren(...s.guests.map((g) => h('option', { value: g.id }, g.name)));
      if (s.guests.some((g) => String(g.id) === keep)) this.timelineGuest.value = keep;
    });
  }

  private async load(): Promise<void> {
    try {
      const all = await this.ctx.api.perf();
      for (const s of all) this.samples = pushSample(this.samples, s, WINDOW);
      this.note.textContent = '';
      this.update();
    } catch (e) {
      this.note.textContent = `No performance figures: ${message(e)}`;
    }
  }

  private update(): void {
    const guests = guestsOf(this.samples);
    const key = guests.map((g) => `${g.id}:${g.name}`).join(',');
    if (key !== this.guestKey) {
      this.guestKey = key;
      this.build(guests);
    }
    for (const p of this.plots) p.plot.setData(columns(this.samples, guests, p.figure) as uPlot.AlignedData);
    const last = this.samples[this.samples.length - 1];
    this.table.replaceChildren(
      ...(last?.guests ?? []).map((g) => {
        const sw = h('span.swatch');
        sw.style.background = ownerColour(g.id);
        return h(
          'tr',
          { 'data-guest': g.id },
          h('td', {}, sw, g.name),
          h('td.num', {}, num(g.mips, 2)),
          h('td.num', {}, `${num(g.cpuShare * 100, 1)} %`),
          // The pCPU time the hypervisor's work for it took (docs/hypercalls.md#what-the-hypervisor-costs).
          h(
            'td.num',
            { title: 'pCPU time spent in the hypervisor for this guest, of all pCPU time' },
            g.hvShare === undefined ? '–' : `${num(g.hvShare * 100, 2)} %`,
          ),
          h('td.num', {}, num(g.trapsPerSec)),
          h('td.num', {}, num(g.irqsPerSec)),
          h('td.num', {}, num(g.hypercallsPerSec)),
          // M7: trap-and-emulate's work per second, and the technique's totals (docs/guide.md, lab M7).
          h('td.num', {}, g.emulatedPerSec === undefined ? '–' : num(g.emulatedPerSec)),
          h('td', { title: techniqueTitle(g.counters) }, techniqueLine(g.counters) || '–'),
        );
      }),
    );
  }

  private build(guests: { id: number; name: string }[]): void {
    for (const p of this.plots) p.plot.destroy();
    this.plots = CHARTS.map((c, i) => {
      const host = this.chartHosts[i]!.querySelector('.plot') as HTMLElement;
      const plot = new uPlot(
        {
          width: Math.max(200, host.clientWidth),
          height: 180,
          legend: { show: true, live: false },
          cursor: { drag: { x: false, y: false } },
          scales: {
            x: { time: true },
            y: { range: (_u, min, max) => [0, Math.max(max, c.figure === 'cpuShare' ? 100 : 1, min)] },
          },
          axes: [
            { stroke: '#8b98a8', grid: { stroke: '#1f2731' }, ticks: { stroke: '#1f2731' } },
            { stroke: '#8b98a8', grid: { stroke: '#1f2731' }, ticks: { stroke: '#1f2731' }, size: 56 },
          ],
          series: [
            {},
            ...guests.map((g) => ({
              label: g.name,
              stroke: ownerColour(g.id),
              width: 2,
              spanGaps: false,
              points: { show: false },
            })),
          ],
        },
        columns(this.samples, guests, c.figure) as uPlot.AlignedData,
        host,
      );
      return { figure: c.figure, plot, host };
    });
  }

  private fitCharts(): void {
    for (const p of this.plots) p.plot.setSize({ width: Math.max(200, p.host.clientWidth), height: 180 });
  }

  private async loadTimeline(): Promise<void> {
    const id = Number(this.timelineGuest.value);
    if (this.timelineGuest.value === '' || Number.isNaN(id)) return;
    try {
      const entries: TimelineEntry[] = await this.ctx.api.timeline(id);
      const recent = entries.slice(-60).reverse();
      this.timeline.replaceChildren(
        ...recent.map((t) =>
          h(
            'li',
            { 'data-kind': t.kind },
            h('span.t', {}, `${t.seconds.toFixed(6)} s`),
            h('span.kind', {}, t.kind),
            h('span.detail', {}, t.detail),
          ),
        ),
      );
      if (recent.length === 0) this.timeline.replaceChildren(h('li.muted', {}, 'Nothing recorded yet.'));
    } catch (e) {
      this.timeline.replaceChildren(h('li.error', {}, `No timeline: ${message(e)}`));
    }
  }

  shown(): void {
    this.visible = true;
    void this.load();
    void this.loadTimeline();
    this.timer = setInterval(() => void this.loadTimeline(), TIMELINE_MS);
    if (!this.resize) {
      this.resize = new ResizeObserver(() => this.fitCharts());
      this.resize.observe(this.el);
    }
    requestAnimationFrame(() => this.fitCharts());
  }

  hidden(): void {
    this.visible = false;
    clearInterval(this.timer);
  }
}
