/**
 * The Compare view: runs one workload, or the user's own command for cos and for swos, in dual-boot
 * mode and in hypervisor mode on fresh machines, with the engine and the technique chosen
 * (`compareWith`, with progress events); shows the two sets of figures side by side, and the saved
 * runs as a table and a chart (uPlot: machine seconds both ways, the hypervisor's work).
 */
import './compare.css';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { CompareChoice, ComparisonRun, HostInfo, RunFigures } from '../../shared/api.js';
import { CHART_RUNS, compareColumns, runLabel } from './chart.js';
import type { AppContext, View } from '../app/context.js';
import { h, headRow, message, num } from '../ui/dom.js';
import { busy, ProgressBar, toast } from '../ui/feedback.js';

/**
 * The workloads to suggest: those the host lists in its info (`workloads`: names, or name and title
 * objects), and those of saved runs. `compare` rejects an unknown name with a message that lists them.
 */
function workloadsOf(info: HostInfo | undefined, runs: readonly ComparisonRun[]): { name: string; title: string }[] {
  const listed = (info as (HostInfo & { workloads?: unknown }) | undefined)?.workloads;
  const out = new Map<string, string>();
  if (Array.isArray(listed)) {
    for (const w of listed) {
      if (typeof w === 'string') out.set(w, '');
      else if (typeof w === 'object' && w !== null && typeof (w as { name?: unknown }).name === 'string') {
        const t = (w as { title?: unknown }).title;
        out.set((w as { name: string }).name, typeof t === 'string' ? t : '');
      }
    }
  }
  for (const [name, title] of Object.entries(info?.workloadTitles ?? {})) if (out.has(name)) out.set(name, title);
  // A saved run's workload is suggested when it is a name (not a run of the user's own commands).
  for (const r of runs) if (!out.has(r.workload) && /^[a-z0-9-]+$/.test(r.workload)) out.set(r.workload, '');
  return [...out].map(([name, title]) => ({ name, title }));
}

interface Row {
  label: string;
  get: (f: RunFigures) => number;
  fmt: (n: number) => string;
  /** Which way is better, for the highlight. */
  better: 'lower' | 'higher' | 'none';
}

const ROWS: Row[] = [
  // Machine time: the emulated machine's clock (docs/app.md#clocks), the same on any host computer.
  { label: 'Time to finish (machine time)', get: (f) => f.seconds, fmt: (n) => `${num(n, 3)} s`, better: 'lower' },
  {
    label: 'Throughput (per machine second)',
    get: (f) => f.jobsPerSecond,
    fmt: (n) => `${num(n, 2)} jobs/s`,
    better: 'higher',
  },
  { label: 'Instructions', get: (f) => f.instructions, fmt: (n) => num(n), better: 'none' },
  { label: 'Reboots', get: (f) => f.reboots, fmt: (n) => num(n), better: 'lower' },
  { label: 'Utilisation', get: (f) => f.utilisation, fmt: (n) => `${num(n * 100, 1)} %`, better: 'higher' },
  // The pCPU time the hypervisor's own work took (docs/hypercalls.md#what-the-hypervisor-costs).
  {
    label: 'Hypervisor work (of pCPU time)',
    get: (f) => f.hypervisorShare ?? 0,
    fmt: (n) => `${num(n * 100, 2)} %`,
    better: 'lower',
  },
];

export class CompareView implements View {
  readonly id = 'compare';
  readonly title = 'Compare';
  readonly el: HTMLElement;
  private readonly workload: HTMLInputElement;
  private readonly runButton: HTMLButtonElement;
  private readonly progress = new ProgressBar();
  private readonly result = h('div.compare-result');
  private readonly history = h('tbody');
  private readonly suggestions = h('datalist#workloads');
  private readonly workloadNote = h('p.workload-note', { 'aria-live': 'polite' });
  /** The user's own commands (both, or neither: then the workload runs). */
  private readonly cosCommand = h('input', {
    placeholder: 'e.g. run hello',
    'aria-label': 'cos command',
    spellcheck: 'false',
    maxlength: 64,
  });
  private readonly swosCommand = h('input', {
    placeholder: 'e.g. primes 5000',
    'aria-label': 'swos command',
    spellcheck: 'false',
    maxlength: 64,
  });
  private readonly engine = h(
    'select',
    { 'aria-label': 'Engine' },
    h('option', { value: 'interp' }, 'interpreter'),
    h('option', { value: 'jit' }, 'translator (jit)'),
  );
  private readonly technique = h(
    'select',
    { 'aria-label': 'Technique' },
    h('option', { value: 'paravirtual' }, 'paravirtual'),
    h('option', { value: 'hardware' }, 'hardware'),
    h('option', { value: 'trap-emulate' }, 'trap-emulate'),
  );
  private readonly chartHost = h('div.compare-chart', { 'aria-label': 'Saved runs chart' });
  private chart: uPlot | undefined;
  private runs: ComparisonRun[] = [];

  constructor(private readonly ctx: AppContext) {
    this.workload = h('input', { list: 'workloads', value: 'primes', 'aria-label': 'Workload', spellcheck: 'false' });
    this.runButton = h('button.primary', { type: 'submit', title: 'Run in both modes (Ctrl+Enter)' }, 'Run comparison');
    const form = h(
      'form.compare-form',
      {},
      h('label.field', {}, h('span', {}, 'Workload'), this.workload),
      h(
        'label.field',
        { title: 'Your own commands instead of the workload: one for each OS' },
        h('span', {}, 'or cos runs'),
        this.cosCommand,
      ),
      h('label.field', {}, h('span', {}, 'and swos runs'), this.swosCommand),
      h(
        'label.field',
        { title: 'The figures are machine time: the same for both engines' },
        h('span', {}, 'Engine'),
        this.engine,
      ),
      h(
        'label.field',
        { title: 'How the hypervisor run virtualizes cos and swos (M7)' },
        h('span', {}, 'Technique'),
        this.technique,
      ),
      this.suggestions,
      this.runButton,
      this.progress.el,
    );
    this.workload.addEventListener('input', () => {
      this.workload.dataset.touched = 'true';
      this.explainWorkload();
    });
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      void this.run();
    });
    this.el = h(
      'section.view.compare',
      { 'data-view': this.id },
      h(
        'article.card',
        {},
        h('h2', {}, 'Dual boot vs hypervisor'),
        h(
          'p.lede',
          {},
          'The same workload on the same disks: one OS at a time with the whole machine, then side by side under the hypervisor.',
        ),
        form,
        this.workloadNote,
        this.result,
      ),
      h(
        'article.card',
        {},
        h('h2', {}, 'Saved runs', h('small', {}, ' machine seconds to finish (bars) and the hypervisor’s work (line)')),
        this.chartHost,
        h(
          'table.data',
          {},
          headRow([
            'When',
            'Workload',
            '#Dual boot (machine s)',
            '#Hypervisor (machine s)',
            '#Speed-up',
            '#Util. DB / HV',
          ]),
          this.history,
        ),
      ),
    );
    ctx.on('progress', (e) => {
      if (e.task.startsWith('compare')) this.progress.set(e.done, e.label);
    });
  }

  /** What to run, from the form; a string says what is wrong with it. */
  private choice(): CompareChoice | string {
    const how: CompareChoice = {
      engine: this.engine.value as 'interp' | 'jit',
      technique: this.technique.value as 'paravirtual' | 'hardware' | 'trap-emulate',
    };
    const cos = this.cosCommand.value.trim();
    const swos = this.swosCommand.value.trim();
    if (cos || swos) {
      if (!cos || !swos) return 'Give a command for cos and one for swos (or neither, to run the workload)';
      if (!/^[\x20-\x7e]{1,64}$/.test(cos) || !/^[\x20-\x7e]{1,64}$/.test(swos))
        return 'A command is 1 to 64 printable characters';
      return { cos, swos, ...how };
    }
    const w = this.workload.value.trim();
    if (!/^[a-z0-9-]+$/.test(w)) return 'A workload name is lower-case letters, digits and dashes';
    return { workload: w, ...how };
  }

  private async run(): Promise<void> {
    const choice = this.choice();
    if (typeof choice === 'string') {
      toast(choice, 'error');
      return;
    }
    const w = choice.workload ?? `cos '${choice.cos}', swos '${choice.swos}'`;
    this.progress.set(0, `Starting ${w}…`);
    const started = Date.now();
    const r = await busy(this.runButton, () => this.ctx.api.compareWith(choice), `Compare ${w}: `);
    this.progress.set(1, r ? 'Done' : 'Failed');
    if (!r) return;
    this.show(r, (Date.now() - started) / 1000);
    void this.loadHistory();
  }

  /** What the workload runs, under the field (the host's titles). */
  private explainWorkload(): void {
    const w = this.workload.value.trim();
    const title = workloadsOf(this.ctx.info, []).find((x) => x.name === w)?.title;
    this.workloadNote.textContent = title ? `${w}: ${title}.` : '';
  }

  /** `wallSeconds`: how long this run took on this computer (known for a run made now). */
  private show(r: ComparisonRun, wallSeconds?: number): void {
    const cell = (row: Row, mine: RunFigures, other: RunFigures) => {
      const a = row.get(mine);
      const b = row.get(other);
      const wins = row.better === 'lower' ? a < b : row.better === 'higher' ? a > b : false;
      return h('td.num', { class: wins ? 'better' : undefined }, row.fmt(a));
    };
    this.result.replaceChildren(
      h('h3', {}, `${r.workload} · ${new Date(r.at).toLocaleString()}`),
      h(
        'p.clock-note',
        {},
        'Times are machine time: the emulated machine’s own clock (its cycles ÷ its timebase), the same on any computer. ',
        wallSeconds !== undefined
          ? `This run took ${num(wallSeconds, 1)} s of wall time here: the emulator runs the machine slower than real time, and both runs are made one after the other.`
          : 'The wall time a run takes depends on the computer the emulator runs on.',
      ),
      h(
        'table.data.compare-table',
        { 'data-run': r.id },
        headRow(['', '#Dual boot', '#Hypervisor']),
        h(
          'tbody',
          {},
          ...ROWS.map((row) =>
            h(
              'tr',
              {},
              h('th', {}, row.label),
              cell(row, r.dualboot, r.hypervisor),
              cell(row, r.hypervisor, r.dualboot),
            ),
          ),
        ),
      ),
    );
  }

  private async loadHistory(): Promise<void> {
    try {
      const runs = await this.ctx.api.comparisons();
      this.runs = runs;
      this.drawChart();
      this.suggestions.replaceChildren(
        ...workloadsOf(this.ctx.info, runs).map((w) => h('option', { value: w.name }, w.title)),
      );
      const first = workloadsOf(this.ctx.info, []);
      if (first.length && !this.workload.dataset.touched) this.workload.value = first[0]!.name;
      this.explainWorkload();
      this.history.replaceChildren(
        ...runs
          .slice()
          .reverse()
          .map((r) =>
            h(
              'tr',
              {
                tabindex: 0,
                title: 'Show this run',
                onclick: () => this.show(r),
                onkeydown: (e: Event) => (e as KeyboardEvent).key === 'Enter' && this.show(r),
              },
              h('td', {}, new Date(r.at).toLocaleString()),
              h('td', {}, r.workload),
              h('td.num', {}, `${num(r.dualboot.seconds, 3)} s`),
              h('td.num', {}, `${num(r.hypervisor.seconds, 3)} s`),
              h('td.num', {}, r.hypervisor.seconds > 0 ? `${num(r.dualboot.seconds / r.hypervisor.seconds, 2)}×` : '–'),
              h(
                'td.num',
                {},
                `${num(r.dualboot.utilisation * 100, 0)} % / ${num(r.hypervisor.utilisation * 100, 0)} %`,
              ),
            ),
          ),
      );
      if (runs.length === 0) this.history.append(h('tr', {}, h('td.muted', { colspan: 6 }, 'No saved runs yet.')));
    } catch (e) {
      this.history.replaceChildren(
        h('tr', {}, h('td.error', { colspan: 6 }, `Saved runs are not available: ${message(e)}`)),
      );
    }
  }

  /** The saved runs as bars (machine seconds, both ways) and the hypervisor's work as a line. */
  private drawChart(): void {
    this.chart?.destroy();
    this.chart = undefined;
    if (this.runs.length === 0 || !this.el.isConnected) return;
    const runs = this.runs;
    // Grouped bars: dual boot left of each run's x, the hypervisor right of it.
    const left = uPlot.paths.bars?.({ size: [0.35, 40], align: -1 });
    const right = uPlot.paths.bars?.({ size: [0.35, 40], align: 1 });
    const axis = { stroke: '#8b98a8', grid: { stroke: '#1f2731' }, ticks: { stroke: '#1f2731' } };
    this.chart = new uPlot(
      {
        width: Math.max(320, this.chartHost.clientWidth),
        height: 200,
        legend: { show: true, live: false },
        cursor: { drag: { x: false, y: false } },
        scales: {
          x: { time: false, range: () => [0.5, Math.min(runs.length, CHART_RUNS) + 0.5] },
          s: { range: (_u, _min, max) => [0, Math.max(max, 0.001)] },
          pct: {},
        },
        axes: [
          { ...axis, values: (_u, xs) => xs.map((x) => (Number.isInteger(x) ? runLabel(runs, x) : '')) },
          { ...axis, scale: 's', size: 60, values: (_u, ys) => ys.map((y) => `${num(y, 3)} s`) },
          {
            ...axis,
            scale: 'pct',
            side: 1,
            size: 60,
            grid: { show: false },
            values: (_u, ys) => ys.map((y) => `${num(y, 2)} %`),
          },
        ],
        series: [
          {},
          {
            label: 'Dual boot (s)',
            scale: 's',
            fill: '#4d8fd6aa',
            stroke: '#4d8fd6',
            paths: left,
            points: { show: false },
          },
          {
            label: 'Hypervisor (s)',
            scale: 's',
            fill: '#d6a24daa',
            stroke: '#d6a24d',
            paths: right,
            points: { show: false },
          },
          { label: 'Hypervisor work (%)', scale: 'pct', stroke: '#e05d5d', width: 2, spanGaps: false },
        ],
      },
      compareColumns(runs) as uPlot.AlignedData,
      this.chartHost,
    );
  }

  shown(): void {
    void this.loadHistory();
  }
}
