/**
 * The Disks view (docs/app.md#disks, docs/disks.md#disks-in-the-app), as virt-manager's storage
 * pane: the disk images in the data folder with who uses them; New image and Import; the chosen
 * image's partition map and table, Add partition, Make file system, Remove; attach to or detach from
 * a saved machine; delete; reset a working copy to its built image; and the files of a partition
 * (FilesCard), opened in the editor and saved back. Every action is a host call (images,
 * imageCreate ... machineAttach), the same as `hyperdesk disk ...`.
 */
import './disks.css';
import type { ImageInfo, ImagePartition, SavedMachine } from '../../shared/api.js';
import type { AppContext, View } from '../app/context.js';
import { bytes, h, headRow, message, num, replace } from '../ui/dom.js';
import { busy, toast } from '../ui/feedback.js';
import { importName, lockedBecause, parseBlocks, partitionMap, suggestImageName, usage } from './diskModel.js';
import { FilesCard, type ImageFileTarget } from './FilesCard.js';

export class DisksView implements View {
  readonly id = 'disks';
  readonly title = 'Disks';
  readonly el: HTMLElement;
  private images: ImageInfo[] = [];
  private machines: SavedMachine[] = [];
  private selected: string | undefined;
  private readonly note = h('p.note', { role: 'status' });
  private readonly empty = h('p.muted.images-empty', {});
  private readonly list = h('tbody');
  private readonly detail = h('article.card.image-card', { hidden: true });
  private readonly files: FilesCard;
  private readonly createName = h('input', { name: 'image-name', 'aria-label': 'New image name', spellcheck: 'false' });
  private readonly createSize = h('input', { name: 'image-size', value: '16M', 'aria-label': 'Size', size: 6 });
  private readonly importPath = h('input', {
    name: 'import-path',
    placeholder: '/path/on/this/computer/disk.img',
    'aria-label': 'Image file to import (a path on the computer the app runs on)',
    spellcheck: 'false',
  });
  private readonly importAs = h('input', { name: 'import-name', 'aria-label': 'Name in the data folder', size: 14 });

  constructor(
    private readonly ctx: AppContext,
    open: (t: ImageFileTarget) => void,
  ) {
    this.files = new FilesCard(ctx, open);
    const createForm = h(
      'form.inline-form',
      { 'aria-label': 'New image' },
      field('Name', this.createName),
      field('Size', this.createSize),
      h('button.primary', { type: 'submit', 'data-action': 'create-image' }, 'New image'),
    );
    createForm.addEventListener('submit', (e) => {
      e.preventDefault();
      void this.create(createForm.querySelector('button') as HTMLElement);
    });
    const importForm = h(
      'form.inline-form',
      { 'aria-label': 'Import an image' },
      field('Import a file', this.importPath),
      field('As', this.importAs),
      h('button', { type: 'submit', 'data-action': 'import-image' }, 'Import'),
    );
    this.importPath.addEventListener('input', () => (this.importAs.value = importName(this.importPath.value)));
    importForm.addEventListener('submit', (e) => {
      e.preventDefault();
      void this.import(importForm.querySelector('button') as HTMLElement);
    });
    this.el = h(
      'section.view.disks',
      { 'data-view': this.id },
      h(
        'article.card',
        {},
        h('div.card-head', {}, h('h2', {}, 'Disk images'), h('small.muted.disks-folder', {})),
        h(
          'p.lede',
          {},
          "Images in the app's data folder. Attach one to a saved machine (Machines) and it is that machine's next disk; " +
            'the repository’s built image is never changed (the demo runs from its working copy here).',
        ),
        h('div.disk-forms', {}, createForm, importForm),
        this.note,
      ),
      h(
        'div.disks-body',
        {},
        h(
          'article.card.image-list-card',
          {},
          h('table.data.images', {}, headRow(['Image', '#Size', 'Used by']), this.list),
          this.empty,
        ),
        h('div.disks-detail', {}, this.detail, this.files.el),
      ),
    );
    ctx.onReconnect(() => void this.load());
    ctx.onStatus((s, before) => {
      if (this.el.hidden) return;
      if (s.state !== before.state || s.config?.disks.join() !== before.config?.disks.join()) void this.load();
    });
  }

  shown(): void {
    void this.load();
  }

  /** Shows the view with `name` chosen (the Machines view's disk links). */
  select(name: string): void {
    this.selected = name;
    void this.load();
  }

  private async load(): Promise<void> {
    try {
      [this.images, this.machines] = await Promise.all([this.ctx.api.images(), this.ctx.api.machines()]);
    } catch (e) {
      this.note.textContent = `The images are not available: ${message(e)}`;
      return;
    }
    const folder = this.images[0]?.path.replace(/[\\/][^\\/]*$/, '');
    (this.el.querySelector('.disks-folder') as HTMLElement).textContent = folder ?? '';
    if (!this.createName.value || this.images.some((i) => i.name === this.createName.value))
      this.createName.value = suggestImageName(this.images.map((i) => i.name));
    this.note.textContent = '';
    this.empty.textContent = this.images.length
      ? ''
      : 'No images yet: the demo machine’s working copy appears here after its first boot; New image makes an empty one.';
    if (!this.images.some((i) => i.name === this.selected)) this.selected = this.images[0]?.name;
    this.list.replaceChildren(...this.images.map((i) => this.row(i)));
    this.showDetail();
  }

  private row(i: ImageInfo): HTMLElement {
    return h(
      'tr',
      { 'data-image': i.name, class: i.name === this.selected ? 'selected' : undefined },
      h(
        'td',
        {},
        h(
          'button.link',
          { type: 'button', 'data-action': 'select-image', onclick: () => this.select(i.name) },
          i.name,
        ),
        i.runningDisk !== undefined ? h('span.badge.running', { title: 'The running machine has it open' }, 'running') : null,
        i.problem ? h('span.badge.bad', { title: i.problem }, 'damaged') : null,
      ),
      h('td.num', {}, bytes(i.bytes)),
      h('td.used', { title: usage(i) }, usage(i)),
    );
  }

  private showDetail(): void {
    const i = this.images.find((x) => x.name === this.selected);
    this.detail.hidden = !i;
    if (!i) {
      this.files.hide();
      return;
    }
    const locked = lockedBecause(i);
    this.detail.dataset.image = i.name;
    replace(
      this.detail,
      h(
        'div.card-head',
        {},
        h('h2', {}, i.name, h('small', {}, `${bytes(i.bytes)} · ${num(i.blocks)} blocks`)),
        h('span.spacer'),
        i.working
          ? h(
              'button.small.ghost',
              {
                type: 'button',
                'data-action': 'reset-image',
                title: `Replace ${i.name} with a fresh copy of ${i.working.builtImage}`,
                onclick: (e: Event) => void this.reset(i, e.currentTarget as HTMLElement),
              },
              'Reset to built image',
            )
          : null,
        h(
          'button.small.danger',
          {
            type: 'button',
            'data-action': 'delete-image',
            disabled: i.usedBy.length > 0 || !!locked,
            title: i.usedBy.length ? `Used by ${i.usedBy.join(', ')}: detach it first` : (locked ?? `Delete ${i.name}`),
            onclick: (e: Event) => void this.remove(i, e.currentTarget as HTMLElement),
          },
          'Delete image',
        ),
      ),
      i.working?.outdated ? h('p.disk-outdated', {}, 'The built image is newer (rebuilt from resources/).') : null,
      locked ? h('p.locked', {}, locked) : null,
      i.problem ? h('p.note.error', {}, `Partition table: ${i.problem}`) : null,
      this.map(i),
      h(
        'table.data.partitions',
        {},
        headRow(['#', 'Name', 'Type', 'Blocks', '#Size', 'Contents', '']),
        h('tbody', {}, ...i.partitions.map((p) => this.partRow(i, p, !!locked))),
      ),
      i.problem || locked ? null : this.addForm(i),
      this.attachRow(i),
    );
  }

  private map(i: ImageInfo): HTMLElement {
    return h(
      'div.part-map',
      { role: 'img', 'aria-label': `Partition map of ${i.name}` },
      ...partitionMap(i).map((s) =>
        h(
          `div.pm-seg.${s.kind}`,
          {
            style: `flex-basis: ${s.pct}%`,
            title: `${s.label}: blocks ${s.first}..${s.first + s.blocks - 1} (${bytes(s.blocks * 512)})`,
            'data-part': s.number,
          },
          s.kind === 'part' && s.pct > 6 ? s.label : '',
        ),
      ),
    );
  }

  private partRow(i: ImageInfo, p: ImagePartition, locked: boolean): HTMLElement {
    const contents = p.problem
      ? h('span.error', { title: p.problem }, p.problem)
      : p.fs
        ? `${p.os ? `${p.os} · ` : ''}${p.fs.kind}: ${p.fs.files} file${p.fs.files === 1 ? '' : 's'}, ${bytes(p.fs.freeBlocks * 512)} free${p.fs.warnings.length ? ` · ${p.fs.warnings.length} problem(s)` : ''}`
        : p.type === 'raw'
          ? 'raw blocks'
          : 'no file system yet';
    const button = (action: string, label: string, title: string, disabled: boolean, run: (b: HTMLElement) => void) =>
      h(
        'button.small',
        { type: 'button', 'data-action': action, title, disabled, onclick: (e: Event) => run(e.currentTarget as HTMLElement) },
        label,
      );
    return h(
      'tr',
      { 'data-part': p.number },
      h('td.num', {}, p.number),
      h('td', {}, p.name, p.bootable ? h('span.badge', { title: 'Bootable: starts with an OS image' }, 'boot') : null),
      h('td', {}, p.type),
      h('td.mono', {}, `${p.first}..${p.first + p.blocks - 1}`),
      h('td.num', {}, bytes(p.blocks * 512)),
      h('td.contents', {}, contents),
      h(
        'td.actions',
        {},
        button('show-files', 'Files', `The files of partition ${p.number}`, !p.fs, () =>
          void this.files.show(i.name, p.number),
        ),
        button(
          'mkfs',
          'Make file system',
          `An empty ${p.type} file system over partition ${p.number} (erases its files)`,
          locked || p.type === 'raw',
          (b) => void this.mkfs(i, p, b),
        ),
        button('remove-part', 'Remove', `Remove partition ${p.number} from the table`, locked, (b) =>
          void this.removePart(i, p, b),
        ),
      ),
    );
  }

  private addForm(i: ImageInfo): HTMLElement {
    const type = h(
      'select',
      { name: 'part-type', 'aria-label': 'Partition type' },
      h('option', { value: 'cfs' }, 'cfs (cos)'),
      h('option', { value: 'sfs' }, 'sfs (swos)'),
      h('option', { value: 'raw' }, 'raw'),
    );
    const largest = i.free.reduce((a, f) => Math.max(a, f.blocks), 0);
    const size = h('input', {
      name: 'part-size',
      value: largest >= 2048 ? `${Math.floor(largest / 2048)}M` : String(Math.max(0, largest - 7)),
      size: 7,
      'aria-label': 'Partition size (8M, 512K or blocks)',
    });
    const name = h('input', {
      name: 'part-name',
      value: `part${i.partitions.length + 1}`,
      maxlength: 31,
      size: 10,
      'aria-label': 'Partition name',
    });
    const mkfs = h('input', { type: 'checkbox', name: 'part-mkfs', checked: true });
    const add = h('button.small', { type: 'submit', 'data-action': 'add-partition' }, 'Add partition');
    const form = h(
      'form.inline-form.add-part',
      { 'aria-label': 'Add a partition' },
      field('Type', type),
      field('Size', size),
      field('Name', name),
      h('label.field.check', {}, mkfs, h('span', {}, 'make its file system')),
      add,
      h('span.hint', {}, `free: ${bytes(largest * 512)} at most in one run`),
    );
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const blocks = parseBlocks(size.value);
      if (typeof blocks === 'string') {
        toast(blocks, 'error');
        return;
      }
      void this.addPart(i, { type: type.value as ImagePartition['type'], blocks, name: name.value.trim() }, mkfs.checked, add);
    });
    return form;
  }

  private attachRow(i: ImageInfo): HTMLElement {
    const others = this.machines.filter((m) => !i.usedBy.includes(m.name));
    const pick = h(
      'select',
      { name: 'attach-machine', 'aria-label': 'Saved machine to attach to' },
      ...others.map((m) => h('option', { value: m.name }, m.name)),
    );
    return h(
      'div.attach-row',
      {},
      h('span.muted', {}, 'Machines: '),
      ...(i.usedBy.length ? [] : [h('span.muted', {}, 'none · ')]),
      ...i.usedBy.map((m) =>
        h(
          'span.chip-machine',
          { 'data-machine': m },
          m,
          h(
            'button.small.ghost',
            {
              type: 'button',
              'data-action': 'detach',
              title: `Remove ${i.name} from ${m}'s disks (from its next boot)`,
              onclick: (e: Event) => void this.attach(i, m, false, e.currentTarget as HTMLElement),
            },
            'Detach',
          ),
        ),
      ),
      others.length
        ? h(
            'span.attach-to',
            {},
            pick,
            h(
              'button.small',
              {
                type: 'button',
                'data-action': 'attach',
                title: `Add ${i.name} to the machine's disks (from its next boot)`,
                onclick: (e: Event) => void this.attach(i, pick.value, true, e.currentTarget as HTMLElement),
              },
              'Attach',
            ),
          )
        : h('span.muted', {}, this.machines.length ? '' : 'No saved machine: make one in Machines.'),
    );
  }

  // ------------------------------------------------------------------------------ actions

  private async create(button: HTMLElement): Promise<void> {
    const name = this.createName.value.trim();
    const r = await busy(button, () => this.ctx.api.imageCreate(name, this.createSize.value.trim()), `New image ${name}: `);
    if (!r) return;
    toast(`${r.name}: ${bytes(r.bytes)}, empty partition table`, 'ok');
    this.select(r.name);
  }

  private async import(button: HTMLElement): Promise<void> {
    const path = this.importPath.value.trim();
    if (!path) return toast('Type the path of an image file on this computer', 'error');
    const name = this.importAs.value.trim() || importName(path);
    const r = await busy(button, () => this.ctx.api.imageImport(path, name), 'Import: ');
    if (!r) return;
    toast(`Imported ${path} as ${r.name}`, 'ok');
    this.importPath.value = '';
    this.importAs.value = '';
    this.select(r.name);
  }

  private async remove(i: ImageInfo, button: HTMLElement): Promise<void> {
    if (!window.confirm(`Delete ${i.name}? The file and everything on it are gone.`)) return;
    if (await busy(button, () => this.ctx.api.imageDelete(i.name).then(() => true), `Delete ${i.name}: `)) {
      toast(`Deleted ${i.name}`, 'ok');
      this.files.hide();
      await this.load();
    }
  }

  private async reset(i: ImageInfo, button: HTMLElement): Promise<void> {
    const again = i.runningDisk !== undefined ? ' The machine is powered off and booted again.' : '';
    if (!window.confirm(`Reset ${i.name} to the built image? Everything written to it since is lost.${again}`)) return;
    if (await busy(button, () => this.ctx.api.resetDisk(i.name), `Reset ${i.name}: `)) {
      toast(`${i.name} is a fresh copy of the built image`, 'ok');
      await this.load();
      await this.files.refresh();
    }
  }

  private async addPart(
    i: ImageInfo,
    spec: { type: ImagePartition['type']; blocks: number; name: string },
    mkfs: boolean,
    button: HTMLElement,
  ): Promise<void> {
    const r = await busy(button, () => this.ctx.api.imagePartitionAdd(i.name, spec), `Add partition to ${i.name}: `);
    if (!r) return;
    const p = r.partitions.at(-1)!;
    if (mkfs && spec.type !== 'raw')
      if (!(await busy(button, () => this.ctx.api.imageMkfs(i.name, p.number, ''), `Make file system: `))) return;
    toast(`${i.name}: partition ${p.number} '${p.name}' (${p.type}${mkfs && p.type !== 'raw' ? ', file system made' : ''})`, 'ok');
    await this.load();
  }

  private async mkfs(i: ImageInfo, p: ImagePartition, button: HTMLElement): Promise<void> {
    const erase = p.fs ? ` Its ${p.fs.files} file(s) are lost.` : '';
    if (!window.confirm(`Make an empty ${p.type} file system on ${i.name}:${p.number}?${erase}`)) return;
    if (await busy(button, () => this.ctx.api.imageMkfs(i.name, p.number, ''), `Make file system: `)) {
      toast(`${i.name}:${p.number}: new ${p.type} file system`, 'ok');
      await this.load();
      await this.files.show(i.name, p.number);
    }
  }

  private async removePart(i: ImageInfo, p: ImagePartition, button: HTMLElement): Promise<void> {
    const later = p.number < i.partitions.length ? ' The partitions after it move up one number.' : '';
    if (!window.confirm(`Remove partition ${p.number} '${p.name}' from ${i.name}?${later}`)) return;
    if (await busy(button, () => this.ctx.api.imagePartitionRemove(i.name, p.number), `Remove partition: `)) {
      toast(`${i.name}: partition ${p.number} removed`, 'ok');
      this.files.hide();
      await this.load();
    }
  }

  private async attach(i: ImageInfo, machine: string, on: boolean, button: HTMLElement): Promise<void> {
    const m = await busy(
      button,
      () => (on ? this.ctx.api.machineAttach(machine, i.name) : this.ctx.api.machineDetach(machine, i.name)),
      `${on ? 'Attach' : 'Detach'} ${i.name}: `);
    if (!m) return;
    const running = this.ctx.status.config?.name === machine && this.ctx.status.state !== 'off';
    toast(
      `${machine}: ${on ? 'attached' : 'detached'} ${i.name}${running ? ' (from its next boot)' : ''}`,
      'ok',
    );
    await this.load();
  }
}

function field(label: string, input: HTMLElement): HTMLElement {
  return h('label.field', {}, h('span', {}, label), input);
}
