/**
 * The Machines view (docs/app.md#layout): the machines saved in the store, the demo first, with their
 * pCPUs, memory, disks, mode, engine and pCPU threads; boot, edit, clone and delete each, and a form
 * to create or change one (saveMachine). The host saves the configuration of every boot too (as
 * `demo` or `dual boot OS`), so what ran is here to boot again.
 */
import type { MachineConfig, SavedMachine } from '../../shared/api.js';
import type { AppContext, View } from '../app/context.js';
import { h, headRow, message } from '../ui/dom.js';
import { busy, toast } from '../ui/feedback.js';

/** The demo first, then by name. */
export function machineOrder(list: SavedMachine[]): SavedMachine[] {
  return [...list].sort(
    (a, b) => Number(b.name === 'demo') - Number(a.name === 'demo') || a.name.localeCompare(b.name),
  );
}

/** One line of what a machine is: `hypervisor · 2 pCPU · 64 MiB · interp`. */
export function describeMachine(c: MachineConfig): string {
  const mode = c.mode === 'dualboot' ? `dual boot${c.boot ? ` ${c.boot}` : ''}` : 'hypervisor';
  // The board's nics only when not the default one (M18: a machine with several, docs/guide.md).
  const nics = c.nics !== undefined && c.nics !== 1 ? ` · ${c.nics} nic${c.nics === 1 ? '' : 's'}` : '';
  return `${mode} · ${c.cpus} pCPU${c.threads ? ' on threads' : ''} · ${c.memMiB} MiB${nics} · ${c.engine ?? 'interp'}`;
}

export class MachinesView implements View {
  readonly id = 'machines';
  readonly title = 'Machines';
  readonly el: HTMLElement;
  private readonly list = h('tbody');
  private readonly note = h('p.note');
  private readonly form: HTMLFormElement;
  private readonly fields: {
    name: HTMLInputElement;
    mode: HTMLSelectElement;
    boot: HTMLSelectElement;
    cpus: HTMLInputElement;
    mem: HTMLInputElement;
    nics: HTMLInputElement;
    engine: HTMLSelectElement;
    threads: HTMLInputElement;
    disks: HTMLInputElement;
  };

  /** `showDisk`: opens the Disks view on an image (a disk name in the list is a link to it). */
  constructor(
    private readonly ctx: AppContext,
    private readonly showDisk?: (name: string) => void,
  ) {
    this.fields = {
      name: h('input', { name: 'name', required: true, maxlength: 100, 'aria-label': 'Machine name' }),
      mode: h(
        'select',
        { name: 'mode', 'aria-label': 'Mode' },
        h('option', { value: 'hypervisor' }, 'Hypervisor'),
        h('option', { value: 'dualboot' }, 'Dual boot'),
      ),
      boot: h(
        'select',
        { name: 'boot', 'aria-label': 'OS to dual boot' },
        ...['cos', 'swos', 'ctl'].map((o) => h('option', { value: o }, o)),
      ),
      cpus: h('input', { name: 'cpus', type: 'number', min: 1, max: 8, value: 2, 'aria-label': 'pCPUs' }),
      mem: h('input', { name: 'mem', type: 'number', min: 4, max: 1024, value: 64, 'aria-label': 'Memory (MiB)' }),
      nics: h('input', { name: 'nics', type: 'number', min: 0, max: 4, value: 1, 'aria-label': 'Network cards' }),
      engine: h(
        'select',
        { name: 'engine', 'aria-label': 'Engine' },
        h('option', { value: 'interp' }, 'interpreter'),
        h('option', { value: 'jit' }, 'translator (jit)'),
      ),
      threads: h('input', { name: 'threads', type: 'checkbox', 'aria-label': 'pCPU threads' }),
      disks: h('input', {
        name: 'disks',
        placeholder: 'empty: the working copy of the demo disk (Disks view: attach images)',
        'aria-label': 'Disk image paths, comma-separated',
      }),
    };
    const f = this.fields;
    const field = (label: string, input: HTMLElement) => h('label.field', {}, h('span', {}, label), input);
    this.form = h(
      'form.machine-form',
      { 'aria-label': 'Machine settings' },
      field('Name', f.name),
      field('Mode', f.mode),
      field('OS (dual boot)', f.boot),
      field('pCPUs', f.cpus),
      field('Memory (MiB)', f.mem),
      field('Network cards', f.nics),
      field('Engine', f.engine),
      h('label.field.check', {}, f.threads, h('span', {}, 'pCPU threads (hypervisor)')),
      field('Disks', f.disks),
      h('div.form-actions', {}, h('button.primary', { type: 'submit', 'data-action': 'save-machine' }, 'Save machine')),
    );
    // As in the top bar: the OS belongs to dual boot, pCPU threads to hypervisor mode.
    const showFor = () => {
      (f.boot.parentElement as HTMLElement).hidden = f.mode.value !== 'dualboot';
      (f.threads.parentElement as HTMLElement).hidden = f.mode.value !== 'hypervisor';
    };
    f.mode.addEventListener('change', showFor);
    showFor();
    this.form.addEventListener('submit', (e) => {
      e.preventDefault();
      void this.save();
    });
    this.el = h(
      'section.view.machines',
      { 'data-view': this.id },
      h(
        'article.card',
        {},
        h('div.card-head', {}, h('h2', {}, 'Saved machines')),
        this.note,
        h('table.data.machines', {}, headRow(['Name', 'Machine', 'Disks', 'Saved', '']), this.list),
      ),
      h('article.card', {}, h('h2', {}, 'New or changed machine'), this.form),
    );
    ctx.onReconnect(() => void this.load());
  }

  shown(): void {
    void this.load();
  }

  private async load(): Promise<void> {
    let machines: SavedMachine[];
    try {
      machines = machineOrder(await this.ctx.api.machines());
    } catch (e) {
      this.note.textContent = `The saved machines are not available: ${message(e)}`;
      return;
    }
    this.note.textContent = machines.length
      ? ''
      : this.ctx.info?.store.error
        ? `Nothing is saved: ${this.ctx.info.store.error}`
        : 'No machine saved yet: every boot saves its machine here, and the form below makes one.';
    this.list.replaceChildren(...machines.map((m) => this.row(m)));
  }

  private row(m: SavedMachine): HTMLElement {
    const button = (action: string, label: string, run: (b: HTMLElement) => void) =>
      h(
        'button.small',
        { type: 'button', 'data-action': action, onclick: (e: Event) => run(e.currentTarget as HTMLElement) },
        label,
      );
    return h(
      'tr',
      { 'data-machine': m.name },
      h('td', {}, m.name),
      h('td', {}, describeMachine(m.config)),
      h(
        'td.disks',
        { title: m.config.disks.join('\n') },
        ...(m.config.disks.length ? m.config.disks.map(baseName) : ['hyperdesk.img'])
          .map((d, i, all) => [
            this.showDisk
              ? h(
                  'button.link',
                  {
                    type: 'button',
                    'data-action': 'show-disk',
                    title: `${d} in the Disks view`,
                    onclick: () => this.showDisk!(d),
                  },
                  d,
                )
              : d,
            i < all.length - 1 ? ', ' : m.config.disks.length ? '' : ' (demo, working copy)',
          ])
          .flat(),
      ),
      h('td', {}, m.updatedAt.slice(0, 16).replace('T', ' ')),
      h(
        'td.actions',
        {},
        button('boot-machine', 'Boot', (b) => void this.boot(m, b)),
        button('edit-machine', 'Edit', () => this.fill(m.name, m.config)),
        button('clone-machine', 'Clone', () => this.fill(`${m.name} copy`, m.config)),
        button('delete-machine', 'Delete', (b) => void this.remove(m, b)),
      ),
    );
  }

  private fill(name: string, c: MachineConfig): void {
    const f = this.fields;
    f.name.value = name;
    f.mode.value = c.mode;
    f.boot.value = c.boot ?? 'cos';
    f.cpus.value = String(c.cpus);
    f.mem.value = String(c.memMiB);
    f.nics.value = String(c.nics ?? 1);
    f.engine.value = c.engine ?? 'interp';
    f.threads.checked = c.threads === true;
    f.disks.value = c.disks.join(', ');
    f.mode.dispatchEvent(new Event('change'));
    f.name.focus();
  }

  private config(): Partial<MachineConfig> {
    const f = this.fields;
    const mode = f.mode.value as MachineConfig['mode'];
    const disks = f.disks.value
      .split(',')
      .map((d) => d.trim())
      .filter(Boolean);
    return {
      mode,
      cpus: Number(f.cpus.value),
      memMiB: Number(f.mem.value),
      nics: Number(f.nics.value),
      engine: f.engine.value as 'interp' | 'jit',
      disks,
      ...(mode === 'dualboot' ? { boot: f.boot.value } : { threads: f.threads.checked }),
    };
  }

  private async save(): Promise<void> {
    const name = this.fields.name.value.trim();
    const saved = await busy(
      this.form.querySelector('button[type=submit]') as HTMLElement,
      () => this.ctx.api.saveMachine(name, this.config()),
      `Save ${name}: `,
    );
    if (!saved) return;
    toast(`Saved machine '${saved.name}'`, 'ok');
    await this.load();
  }

  private async boot(m: SavedMachine, button: HTMLElement): Promise<void> {
    const running = this.ctx.status.state === 'running' || this.ctx.status.state === 'booting';
    if (running && !window.confirm(`Boot '${m.name}'? The running machine is powered off first.`)) return;
    const s = await busy(button, () => this.ctx.api.boot({ ...m.config, name: m.name }), `Boot ${m.name}: `);
    if (!s) return;
    this.ctx.setStatus(s);
    toast(s.error ? `${m.name}: ${s.error}` : `Booted '${m.name}'`, s.error ? 'error' : 'ok');
  }

  private async remove(m: SavedMachine, button: HTMLElement): Promise<void> {
    if (!window.confirm(`Delete the saved machine '${m.name}'? Its disks are not deleted.`)) return;
    const done = await busy(button, () => this.ctx.api.deleteMachine(m.name).then(() => true), `Delete ${m.name}: `);
    if (!done) return;
    toast(`Deleted machine '${m.name}'`, 'ok');
    await this.load();
  }
}

function baseName(p: string): string {
  return p.split(/[\\/]/).pop() ?? p;
}
