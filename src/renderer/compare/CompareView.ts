/**
 * The Compare view: runs one workload in dual-boot mode and in hypervisor mode on fresh machines
 * (`compare`, with progress events), shows the two sets of figures side by side, and lists the runs
 * saved earlier.
 */
import './compare.css';
import type { ComparisonRun, HostInfo, RunFigures } from '../../shared/api.js';
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
  for (const r of runs) if (!out.has(r.workload)) out.set(r.workload, '');
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

  constructor(private readonly ctx: AppContext) {
    this.workload = h('input', { list: 'workloads', value: 'primes', 'aria-label': 'Workload', spellcheck: 'false' });
    this.runButton = h('button.primary', { type: 'submit', title: 'Run in both modes (Ctrl+Enter)' }, 'Run comparison');
    const form = h(
      'form.compare-form',
      {},
      h('label.field', {}, h('span', {}, 'Workload'), this.workload),
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
        h('h2', {}, 'Saved runs'),
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

  private async run(): Promise<void> {
    const w = this.workload.value.trim();
    if (!/^[a-z0-9-]+$/.test(w)) {
      toast('A workload name is lower-case letters, digits and dashes', 'error');
      return;
    }
    this.progress.set(0, `Starting ${w}…`);
    const started = Date.now();
    const r = await busy(this.runButton, () => this.ctx.api.compare(w), `Compare ${w}: `);
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

  shown(): void {
    void this.loadHistory();
  }
}
