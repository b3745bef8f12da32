/**
 * The Disks view's file list (docs/app.md#disks): the files of one partition of an image, with Open
 * (in the editor, saved back with Ctrl+S), Delete and New file. For an image the running machine has
 * open the host reads them through the guest that boots from the partition (`via`), and the card
 * says so: they are then that guest's files, as the Editor shows them.
 */
import type { GuestFile, ImageFiles } from '../../shared/api.js';
import type { AppContext } from '../app/context.js';
import { bytes, h, headRow, message } from '../ui/dom.js';
import { busy, toast } from '../ui/feedback.js';

/** A file to open in the editor: of an image's partition, or (via) of the running guest. */
export interface ImageFileTarget {
  image: string;
  partition: number;
  file: GuestFile;
  via?: { guest: number; name: string };
}

export class FilesCard {
  readonly el: HTMLElement;
  private readonly title = h('h2', {}, 'Files');
  private readonly note = h('p.files-info', { role: 'status' });
  private readonly body = h('tbody');
  private readonly table = h('table.data.image-files', {}, headRow(['Name', '#Size', 'Kind', '']), this.body);
  private readonly newName = h('input', {
    name: 'new-file',
    placeholder: 'notes.txt or prog.s',
    autocomplete: 'off',
    spellcheck: 'false',
    'aria-label': 'New file name',
  });
  private readonly form: HTMLFormElement;
  private shown: { image: string; partition: number } | undefined;

  constructor(
    private readonly ctx: AppContext,
    private readonly open: (t: ImageFileTarget) => void,
  ) {
    this.form = h(
      'form.inline-form',
      { 'aria-label': 'New file' },
      this.newName,
      h('button.small', { type: 'submit', 'data-action': 'new-image-file' }, 'New file'),
    );
    this.form.addEventListener('submit', (e) => {
      e.preventDefault();
      void this.create();
    });
    this.el = h(
      'article.card.files-card',
      { hidden: true },
      h('div.card-head', {}, this.title, h('span.spacer'), this.form),
      this.note,
      this.table,
    );
  }

  hide(): void {
    this.shown = undefined;
    this.el.hidden = true;
  }

  /** Lists the files of `image`:`partition`. */
  async show(image: string, partition: number): Promise<void> {
    this.shown = { image, partition };
    this.el.hidden = false;
    this.title.textContent = `Files of ${image}:${partition}`;
    this.el.dataset.image = image;
    this.el.dataset.partition = String(partition);
    this.body.replaceChildren(h('tr', {}, h('td.muted', { colspan: 4 }, 'Loading…')));
    let r: ImageFiles;
    try {
      r = await this.ctx.api.imageFiles(image, partition);
    } catch (e) {
      this.body.replaceChildren();
      this.table.hidden = true;
      this.form.hidden = true;
      this.note.textContent = message(e);
      this.note.classList.add('error');
      return;
    }
    if (this.shown?.image !== image || this.shown.partition !== partition) return;
    this.table.hidden = false;
    this.form.hidden = false;
    this.note.classList.remove('error');
    const free = r.freeBlocks !== undefined ? ` · ${bytes(r.freeBlocks * 512)} free` : '';
    this.note.textContent = r.via
      ? `${r.kind} · the running machine has this image open: these are ${r.via.name}'s files, read and saved through ${r.via.name} (as in the Editor).`
      : `${r.kind} · ${r.files.length} file${r.files.length === 1 ? '' : 's'}${free}${r.warnings.length ? ` · ${r.warnings.length} problem(s): ${r.warnings.join('; ')}` : ''}`;
    this.body.replaceChildren(...r.files.map((f) => this.row(r, f)));
    if (r.files.length === 0) this.body.replaceChildren(h('tr', {}, h('td.muted', { colspan: 4 }, 'No files yet.')));
  }

  private row(r: ImageFiles, f: GuestFile): HTMLElement {
    const target: ImageFileTarget = { image: r.image, partition: r.partition, file: f, ...(r.via ? { via: r.via } : {}) };
    return h(
      'tr',
      { 'data-file': f.name },
      h('td.mono', {}, f.name),
      h('td.num', {}, bytes(f.size)),
      h('td', {}, f.kind === 'binary' ? 'program image' : f.kind),
      h(
        'td.actions',
        {},
        h(
          'button.small',
          {
            type: 'button',
            'data-action': 'open-file',
            disabled: f.kind === 'binary',
            title: f.kind === 'binary' ? 'A program image: open its source instead' : `Open ${f.name} in the editor`,
            onclick: () => this.open(target),
          },
          'Open',
        ),
        h(
          'button.small.ghost',
          {
            type: 'button',
            'data-action': 'delete-file',
            disabled: r.via !== undefined,
            title: r.via ? 'The running machine has the image open' : `Delete ${f.name}`,
            onclick: (e: Event) => void this.remove(r, f, e.currentTarget as HTMLElement),
          },
          'Delete',
        ),
      ),
    );
  }

  private async create(): Promise<void> {
    const s = this.shown;
    const name = this.newName.value.trim();
    if (!s || !name) return;
    const r = await busy(
      this.form.querySelector('button') as HTMLElement,
      () => this.ctx.api.imageWriteFile(s.image, s.partition, name, ''),
      `New file ${name}: `,
    );
    if (!r) return;
    this.newName.value = '';
    toast(`${name} created in ${r.written}`, 'ok');
    await this.show(s.image, s.partition);
  }

  private async remove(r: ImageFiles, f: GuestFile, button: HTMLElement): Promise<void> {
    if (!window.confirm(`Delete ${f.name} from ${r.image}:${r.partition}?`)) return;
    const done = await busy(
      button,
      () => this.ctx.api.imageDeleteFile(r.image, r.partition, f.name).then(() => true),
      `Delete ${f.name}: `,
    );
    if (!done) return;
    toast(`Deleted ${f.name} from ${r.image}:${r.partition}`, 'ok');
    await this.show(r.image, r.partition);
  }

  /** Lists again what is shown (after a save from the editor). */
  async refresh(): Promise<void> {
    if (this.shown) await this.show(this.shown.image, this.shown.partition);
  }
}
