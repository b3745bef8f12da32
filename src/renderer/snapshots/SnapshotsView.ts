/**
 * The Snapshots view (docs/app.md#snapshots), as VMware Workstation's snapshot manager: the tree of
 * whole-machine snapshots by parent, a branch wherever a restore was followed by new snapshots, the
 * running machine's place in it ("you are here"), and each node's name, machine time, wall date,
 * size and a thumbnail of every guest's console as it was. Take (with a suggested name), restore and
 * delete (each asks first) go to the host's snapshot calls (docs/snapshots.md).
 */
import './snapshots.css';
import type { SnapshotInfo } from '../../shared/api.js';
import type { AppContext, View } from '../app/context.js';
import { bytes, h, message, replace } from '../ui/dom.js';
import { busy, toast } from '../ui/feedback.js';
import { RecordingsPanel } from './RecordingsPanel.js';
import {
  machineTime,
  nameProblem,
  pathTo,
  screenLines,
  snapshotTree,
  suggestName,
  wallDate,
  type SnapForest,
  type SnapNode,
} from './tree.js';

/** Lines of each console in a node's thumbnail, and in the selected snapshot's details. */
const THUMB_LINES = 7;
const DETAIL_LINES = 18;

export class SnapshotsView implements View {
  readonly id = 'snapshots';
  readonly title = 'Snapshots';
  readonly el: HTMLElement;
  private list: SnapshotInfo[] = [];
  private forest: SnapForest = snapshotTree([]);
  private selected: string | undefined;
  /** The name field holds what the user typed; until then it follows the suggestion. */
  private nameEdited = false;
  private readonly nameInput = h('input.snap-name', {
    'aria-label': 'Name of the new snapshot',
    maxlength: 64,
    spellcheck: 'false',
    placeholder: 'snapshot name',
  });
  private readonly takeButton = h(
    'button.primary',
    { type: 'button', 'data-action': 'take-snapshot', title: 'Save the whole running machine as a snapshot' },
    'Take snapshot',
  );
  private readonly note = h('p.note', { role: 'status' });
  private readonly tree = h('ul.snap-tree', { role: 'tree', 'aria-label': 'Snapshots' });
  private readonly details = h('div.snap-details', {});
  private readonly count = h('small', {});
  private readonly recordings: RecordingsPanel;

  constructor(private readonly ctx: AppContext) {
    this.recordings = new RecordingsPanel(ctx);
    this.nameInput.addEventListener('input', () => {
      this.nameEdited = this.nameInput.value !== '';
      this.checkName();
    });
    this.nameInput.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') void this.take();
    });
    this.takeButton.addEventListener('click', () => void this.take());
    this.el = h(
      'section.view.snapshots',
      { 'data-view': this.id },
      h(
        'article.card.snap-head',
        {},
        h(
          'div.card-head',
          {},
          h('h2', {}, 'Snapshots', this.count),
          h('span.spacer'),
          h('label.snap-take', {}, h('span.hint', {}, 'Name'), this.nameInput),
          this.takeButton,
        ),
        h(
          'p.lede',
          {},
          'A snapshot is the whole machine at one instant: every guest, its disks and its console. Restoring one ' +
            'puts the running machine back there; snapshots taken after a restore start a branch.',
        ),
        this.note,
      ),
      h(
        'div.snap-body',
        {},
        h('article.card.snap-tree-card', {}, this.tree),
        h('article.card.snap-side', { 'aria-label': 'Selected snapshot' }, this.details),
      ),
      // Recordings sit here too: the way into a replay and its scrubber (docs/recording.md#the-scrubber).
      this.recordings.el,
    );
    ctx.onStatus((s, previous) => {
      // A boot starts a machine that no snapshot is the parent of; the clock of "you are here" moves.
      if (s.state !== previous.state) void this.load();
      else this.updateHere();
      this.takeButton.disabled = s.state !== 'running' || s.replay !== undefined; // a replay is not saved
    });
    // Snapshots taken or removed elsewhere (the CLI's `hyperdesk snapshot`) show up too.
    ctx.on('log', (e) => {
      if (e.event.kind.startsWith('snapshot-') && !this.el.hidden) void this.load();
    });
    ctx.onReconnect(() => void this.load());
    this.takeButton.disabled = ctx.status.state !== 'running';
  }

  shown(): void {
    void this.load();
    void this.recordings.load();
  }

  private async load(): Promise<void> {
    try {
      this.list = await this.ctx.api.snapshotList();
    } catch (e) {
      this.note.textContent = `The snapshots are not available: ${message(e)}`;
      return;
    }
    this.note.textContent = '';
    this.render();
  }

  private render(): void {
    this.forest = snapshotTree(this.list);
    this.count.textContent = this.list.length ? `${this.list.length}` : '';
    if (!this.nameEdited) this.nameInput.value = suggestName(this.list);
    this.checkName();
    if (this.selected && !this.forest.byName.has(this.selected)) this.selected = undefined;
    this.selected ??= this.forest.current?.snap.name ?? this.list[this.list.length - 1]?.name;
    const items = this.forest.roots.map((n) => this.item(n));
    // Running, but not from a snapshot (a fresh boot): the machine is its own root.
    if (!this.forest.current && this.running()) items.push(this.hereItem());
    this.tree.replaceChildren(...items);
    if (!this.list.length) {
      this.tree.append(
        h(
          'li.snap-empty',
          {},
          this.running()
            ? 'No snapshot yet. Take one to be able to come back to this moment.'
            : 'No snapshot yet. Boot the machine, then take one.',
        ),
      );
    }
    this.renderDetails();
  }

  private running(): boolean {
    return this.ctx.status.state === 'running';
  }

  private item(n: SnapNode): HTMLElement {
    const s = n.snap;
    const node = h(
      'div.snap-node',
      {
        role: 'treeitem',
        tabindex: 0,
        'data-snapshot': s.name,
        'aria-selected': String(s.name === this.selected),
        title: `${s.name}: click for its details and actions`,
        onclick: () => this.select(s.name),
        onkeydown: (e: Event) => {
          const k = (e as KeyboardEvent).key;
          if (k === 'Enter' || k === ' ') {
            e.preventDefault();
            this.select(s.name);
          }
        },
      },
      this.thumb(s, THUMB_LINES),
      h(
        'div.snap-meta',
        {},
        h('strong.snap-title', {}, s.name),
        h('span.snap-time', { title: 'Machine time at the snapshot' }, `t = ${machineTime(s.seconds)}`),
        h('span.snap-date', { title: 'When it was taken' }, wallDate(s.createdAt)),
        h('span.snap-size', { title: 'Size of the snapshot file' }, bytes(s.bytes)),
        n.orphan ? h('span.snap-orphan', { title: `Its parent '${s.parent}' was deleted` }, 'parent deleted') : null,
      ),
    );
    if (s.current) node.classList.add('current');
    const children = n.children.map((c) => this.item(c));
    if (s.current && this.running()) children.push(this.hereItem());
    return h(
      'li.snap-item',
      { 'data-snapshot': s.name },
      node,
      children.length ? h('ul.snap-children', { role: 'group' }, ...children) : null,
    );
  }

  /** The running machine's place: under the snapshot it was last saved as or restored from. */
  private hereItem(): HTMLElement {
    return h(
      'li.snap-item.here',
      {},
      h(
        'div.snap-here',
        { 'data-here': 'true', title: 'The running machine: a snapshot taken now goes here' },
        h('span.here-dot', { 'aria-hidden': 'true' }),
        h('strong', {}, 'You are here'),
        h('span.here-time', {}, this.hereText()),
      ),
    );
  }

  private hereText(): string {
    // A replay is not a continuation of any snapshot (docs/recording.md#the-scrubber).
    const replay = this.ctx.status.replay;
    if (replay)
      return `a replay of recording '${replay.name}', t = ${machineTime(this.ctx.status.seconds)} · Leave replay to take or restore snapshots`;
    const from = this.forest.current ? `since '${this.forest.current.snap.name}'` : 'not from a snapshot';
    return `the running machine, t = ${machineTime(this.ctx.status.seconds)} · ${from}`;
  }

  private updateHere(): void {
    const t = this.tree.querySelector('.here-time');
    if (t) t.textContent = this.hereText();
  }

  /** Every guest's console at the snapshot, in miniature (or a line saying it was not recorded). */
  private thumb(s: SnapshotInfo, lines: number): HTMLElement {
    const consoles = s.consoles ?? [];
    if (!consoles.length) return h('div.snap-thumb.none', {}, h('span', {}, 'consoles not recorded'));
    return h(
      'div.snap-thumb',
      { 'aria-label': `Consoles at ${s.name}` },
      ...consoles.map((c) =>
        h(
          'div.snap-console',
          { 'data-guest': c.name },
          h('span.snap-console-name', {}, c.name),
          h('pre', {}, screenLines(c.tail, lines).join('\n')),
        ),
      ),
    );
  }

  private select(name: string): void {
    this.selected = name;
    for (const el of Array.from(this.tree.querySelectorAll<HTMLElement>('.snap-node')))
      el.setAttribute('aria-selected', String(el.dataset.snapshot === name));
    this.renderDetails();
  }

  private renderDetails(): void {
    const n = this.selected ? this.forest.byName.get(this.selected) : undefined;
    if (!n) {
      this.details.replaceChildren(
        h('h2', {}, 'Details'),
        h('p.hint', {}, 'Select a snapshot to see its consoles, restore it or delete it.'),
      );
      return;
    }
    const s = n.snap;
    const row = (k: string, v: string) => [h('dt', {}, k), h('dd', {}, v)];
    const restore = h(
      'button.primary',
      {
        type: 'button',
        'data-action': 'restore-snapshot',
        title: this.ctx.status.replay
          ? 'The machine is a replay: Leave replay (under the top bar) first'
          : 'Put the running machine back to this snapshot',
        disabled: !this.running() || this.ctx.status.replay !== undefined,
      },
      'Restore',
    );
    restore.addEventListener('click', () => void this.restore(s, restore));
    const remove = h('button', { type: 'button', 'data-action': 'delete-snapshot' }, 'Delete');
    remove.addEventListener('click', () => void this.remove(s, remove));
    replace(
      this.details,
      h('h2', {}, 'Snapshot ', h('small', {}, s.name)),
      h(
        'dl.snap-facts',
        {},
        ...row('Machine time', machineTime(s.seconds)),
        ...row('Taken', wallDate(s.createdAt)),
        ...row('Size', bytes(s.bytes)),
        ...row('Machine', `${s.machine ?? 'unknown'} · ${s.mode === 'dualboot' ? 'dual boot' : 'hypervisor'}`),
        ...row('Path', pathTo(this.forest, s.name).join(' › ')),
        ...row('Children', n.children.length ? n.children.map((c) => c.snap.name).join(', ') : 'none'),
      ),
      h(
        'div.snap-actions',
        {},
        restore,
        remove,
        s.current
          ? h('span.badge.here-badge', { title: 'The running machine goes on from this snapshot' }, 'you are here')
          : null,
      ),
      this.running() ? null : h('p.hint', {}, 'Restoring needs a running machine of the same kind: boot first.'),
      h('h3', {}, 'Consoles then'),
      this.thumb(s, DETAIL_LINES),
    );
    this.details.querySelector('.snap-thumb')?.classList.add('large');
  }

  private checkName(): string | undefined {
    const problem = nameProblem(this.nameInput.value.trim(), this.list);
    this.nameInput.classList.toggle('invalid', problem !== undefined && this.nameInput.value !== '');
    this.nameInput.title = problem ?? 'A name for the snapshot (letters, digits, _ . -)';
    return problem;
  }

  private async take(): Promise<void> {
    const name = this.nameInput.value.trim();
    const problem = this.checkName();
    if (problem) {
      toast(`Take snapshot: ${problem}`, 'error');
      this.nameInput.focus();
      return;
    }
    const saved = await busy(this.takeButton, () => this.ctx.api.snapshotSave(name), `Take snapshot ${name}: `);
    this.takeButton.disabled = !this.running();
    if (!saved) return;
    toast(`Took snapshot '${saved.name}' at t = ${machineTime(saved.seconds)}`, 'ok');
    this.nameEdited = false;
    this.selected = saved.name;
    await this.load();
  }

  private async restore(s: SnapshotInfo, button: HTMLButtonElement): Promise<void> {
    const ok = window.confirm(
      `Restore snapshot '${s.name}' (t = ${machineTime(s.seconds)})?\n\n` +
        'It replaces the running machine’s state: every guest, its disks and consoles go back to that moment. ' +
        'What happened since is lost unless a snapshot keeps it (take one first).',
    );
    if (!ok) return;
    const status = await busy(button, () => this.ctx.api.snapshotRestore(s.name), `Restore ${s.name}: `);
    if (!status) return;
    this.ctx.setStatus(status);
    toast(`Restored '${s.name}': the machine goes on from t = ${machineTime(status.seconds)}`, 'ok');
    this.selected = s.name;
    await this.load();
  }

  private async remove(s: SnapshotInfo, button: HTMLButtonElement): Promise<void> {
    const kids = this.forest.byName.get(s.name)?.children.length ?? 0;
    const ok = window.confirm(
      `Delete snapshot '${s.name}'?\n\nIts file is deleted; the machine and the other snapshots are not touched` +
        (kids ? ` (its ${kids} child snapshot${kids > 1 ? 's stay, as roots' : ' stays, as a root'}).` : '.'),
    );
    if (!ok) return;
    const done = await busy(button, () => this.ctx.api.snapshotRemove(s.name).then(() => true), `Delete ${s.name}: `);
    if (!done) return;
    toast(`Deleted snapshot '${s.name}'`, 'ok');
    await this.load();
  }
}
