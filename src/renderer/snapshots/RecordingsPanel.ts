/**
 * The recordings, beside the snapshots (docs/recording.md; the way into the scrubber): Record starts
 * recording the running machine (every input from now on, with checkpoints), Stop keeps it; each
 * recording lists its span, inputs, checkpoints and size, and Open replays it. A replay takes the
 * place of the running machine (the host powers off what runs), so Open asks first when a machine
 * runs; once every checkpoint is verified the scrubber under the top bar moves it
 * (replay/ReplayBar.ts), and its "Leave replay" boots the machine again.
 */
import type { RecordingSummary } from '../../shared/api.js';
import { SNAPSHOT_NAME_PATTERN } from '../../shared/api.js';
import type { AppContext } from '../app/context.js';
import { bytes, h, headRow, message } from '../ui/dom.js';
import { busy, toast } from '../ui/feedback.js';
import { machineTime, wallDate } from './tree.js';
import { pageSession, returnSnapshotName, saveReturn } from '../replay/returnPoint.js';

/** The name a new recording is offered: `recording-N`, the first N not taken. */
export function suggestRecordingName(list: readonly { name: string }[]): string {
  const taken = new Set(list.map((r) => r.name));
  for (let n = list.length + 1; ; n++) if (!taken.has(`recording-${n}`)) return `recording-${n}`;
}

export class RecordingsPanel {
  readonly el: HTMLElement;
  private list: RecordingSummary[] = [];
  /** The recording this page started and has not stopped (the host has no call that says). */
  private running: string | undefined;
  private nameEdited = false;
  private readonly nameInput = h('input.snap-name', {
    'aria-label': 'Name of the new recording',
    maxlength: 64,
    spellcheck: 'false',
  });
  private readonly recordButton = h('button.primary', { type: 'button', 'data-action': 'record' }, 'Record');
  private readonly note = h('p.note', { role: 'status' });
  private readonly body = h('tbody', {});
  private readonly count = h('small', {});

  constructor(private readonly ctx: AppContext) {
    this.nameInput.addEventListener('input', () => (this.nameEdited = this.nameInput.value !== ''));
    this.recordButton.addEventListener('click', () => void this.record());
    this.el = h(
      'article.card.rec-card',
      { 'aria-label': 'Recordings' },
      h(
        'div.card-head',
        {},
        h('h2', {}, 'Recordings', this.count),
        h('span.spacer'),
        h('label.snap-take', {}, h('span.hint', {}, 'Name'), this.nameInput),
        this.recordButton,
      ),
      h(
        'p.lede',
        {},
        'A recording logs every input the machine gets (keys, deploys, ctl commands) with checkpoints, so it can ' +
          'be replayed exactly. Open one to replay it: it takes the place of the running machine, and the ' +
          'scrubber under the top bar moves it to any moment, every console, the ownership map and the registers ' +
          'as they were then.',
      ),
      this.note,
      h(
        'table.rec-table',
        {},
        headRow(['Name', 'Recorded', 'Machine time', '#Inputs', '#Checkpoints', '#Size', '']),
        this.body,
      ),
    );
    ctx.onStatus((s, prev) => {
      if (s.state !== prev.state || s.replay?.name !== prev.replay?.name) this.setButtons();
      // A power-off or boot ends a recording: the engine keeps it until Stop takes it.
    });
    ctx.on('log', (e) => {
      if (e.event.kind.startsWith('record-') && !this.el.closest('[hidden]')) void this.load();
    });
    ctx.onReconnect(() => void this.load());
    this.setButtons();
  }

  async load(): Promise<void> {
    try {
      this.list = await this.ctx.api.recordings();
    } catch (e) {
      this.note.textContent = `The recordings are not available: ${message(e)}`;
      return;
    }
    this.note.textContent = '';
    this.render();
  }

  private setButtons(): void {
    const s = this.ctx.status;
    this.recordButton.textContent = this.running ? 'Stop recording' : 'Record';
    this.recordButton.title = this.running
      ? `End recording '${this.running}' and keep it`
      : s.replay
        ? 'The machine is a replay: leave it to record'
        : 'Record the running machine from now (every pCPU on one thread)';
    this.recordButton.disabled = !this.running && (s.state !== 'running' || s.replay !== undefined);
    this.nameInput.disabled = this.running !== undefined;
    for (const b of Array.from(this.body.querySelectorAll<HTMLButtonElement>('button[data-action="open-recording"]')))
      b.disabled = this.running !== undefined;
  }

  private render(): void {
    this.count.textContent = this.list.length ? `${this.list.length}` : '';
    if (!this.nameEdited) this.nameInput.value = suggestRecordingName(this.list);
    const replaying = this.ctx.status.replay?.name;
    this.body.replaceChildren(
      ...this.list.map((r) =>
        h(
          'tr',
          { 'data-recording': r.name, class: r.name === replaying ? 'current' : undefined },
          h('td', {}, h('strong', {}, r.name)),
          h('td', {}, wallDate(r.createdAt)),
          h(
            'td',
            { title: `from ${r.startSeconds.toFixed(3)} s to ${(r.startSeconds + r.seconds).toFixed(3)} s` },
            `${machineTime(r.seconds)} from ${r.startSeconds.toFixed(3)} s`,
          ),
          h('td.num', {}, r.inputs),
          h('td.num', {}, r.checkpoints),
          h('td.num', {}, bytes(r.bytes)),
          h(
            'td.actions',
            {},
            h(
              'button.small',
              {
                type: 'button',
                'data-action': 'open-recording',
                title: 'Replay it (in place of the running machine) and scrub through it',
                onclick: (e: Event) => void this.open(r.name, e.currentTarget as HTMLButtonElement),
              },
              r.name === replaying ? 'Open again' : 'Open',
            ),
          ),
        ),
      ),
    );
    if (!this.list.length)
      this.body.append(
        h('tr', {}, h('td.muted', { colspan: 7 }, 'No recording yet. Press Record while the machine runs.')),
      );
    this.setButtons();
  }

  private async record(): Promise<void> {
    const api = this.ctx.api;
    if (this.running) {
      const r = await busy(this.recordButton, () => api.recordStop(), 'Stop recording: ');
      if (r) {
        toast(`Recorded ${r.name}: ${machineTime(r.seconds)}, ${r.inputs} inputs, ${r.checkpoints} checkpoints`, 'ok');
        this.running = undefined;
        this.nameEdited = false;
      }
    } else {
      const name = this.nameInput.value.trim();
      if (!SNAPSHOT_NAME_PATTERN.test(name)) {
        toast('A recording name is 1..64 letters, digits, _ . - (starting with a letter or digit)', 'error');
        return;
      }
      const r = await busy(this.recordButton, () => api.recordStart(name), 'Record: ');
      if (r) this.running = r.name;
    }
    this.setButtons();
    await this.load();
  }

  private async open(name: string, button: HTMLButtonElement): Promise<void> {
    const s = this.ctx.status;
    const api = this.ctx.api;
    const live = s.state === 'running' && !s.replay && !this.running ? s.config : undefined;
    if (live) {
      const ok = window.confirm(
        `Replay '${name}' in place of the running machine?\n\nThe machine is saved as a snapshot first and powered off; ` +
          'Leave replay brings it back from that snapshot.',
      );
      if (!ok) return;
    }
    const report = await busy(
      button,
      async () => {
        if (live) {
          // The way back (replay/returnPoint.ts): the machine as it is now, as a snapshot.
          const snapshot = returnSnapshotName(new Date());
          await api.snapshotSave(snapshot);
          saveReturn(pageSession(), { snapshot, config: live, recording: name });
        }
        return api.replay(name);
      },
      `Replay ${name}: `,
    );
    if (report)
      toast(`Replayed ${name}: ${report.checkpoints} checkpoints matched; drag the scrubber to move it`, 'ok');
    this.render();
  }
}
