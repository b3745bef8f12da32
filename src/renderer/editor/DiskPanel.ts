/**
 * The Editor's disk box: which disk the guests' files come from (the app's working copy in its
 * data folder, docs/disks.md#working-disks), whether the built image is newer, and "Reset to the
 * built image" (host.resetDisk, after a confirmation that says what is lost).
 */
import type { WorkingDisk } from '../../shared/api.js';
import type { AppContext } from '../app/context.js';
import { h, message } from '../ui/dom.js';
import { busy, toast } from '../ui/feedback.js';

export class DiskPanel {
  readonly el: HTMLElement;
  private readonly body: HTMLElement;
  private disks: WorkingDisk[] = [];

  /** `onReset` is told after a reset, so the editor drops what it had open from the old disk. */
  constructor(
    private readonly ctx: AppContext,
    private readonly onReset: () => void,
  ) {
    this.body = h('div.disk-body', {}, h('p.muted', {}, '…'));
    this.el = h('div.disk-box', { 'aria-label': 'Disk' }, h('h3', {}, 'Disk'), this.body);
    // A boot makes the working copy when it is missing; a reset or a new machine changes what is true.
    ctx.onStatus((s, previous) => {
      if (s.state !== previous.state || s.config?.disks.join() !== previous.config?.disks.join()) void this.refresh();
    });
  }

  async refresh(): Promise<void> {
    try {
      this.disks = await this.ctx.api.disks();
    } catch (e) {
      this.body.replaceChildren(h('p.error', {}, `Could not read the disks: ${message(e)}`));
      return;
    }
    const running = this.ctx.status.config?.disks ?? [];
    const used = running.filter((p) => !this.disks.some((d) => d.path === p));
    this.body.replaceChildren(
      ...this.disks.map((d) => this.row(d, running.includes(d.path))),
      ...used.map((p) => h('p.disk-line', { title: p }, h('span.disk-name', {}, baseName(p)), ' · a disk you chose')),
    );
    if (this.disks.length === 0 && used.length === 0) {
      this.body.replaceChildren(h('p.muted', {}, 'The working disk is made at the first boot.'));
    }
  }

  private row(d: WorkingDisk, inUse: boolean): HTMLElement {
    const reset = h(
      'button.ghost.small',
      {
        type: 'button',
        'data-action': 'reset-disk',
        title: `Replace ${d.name} with a fresh copy of the built image (${d.builtImage})`,
        onclick: (e: Event) => void this.reset(d, inUse, e.currentTarget as HTMLElement),
      },
      'Reset to built image',
    );
    return h(
      'div.disk-row',
      { 'data-disk': d.name },
      h(
        'p.disk-line',
        { title: `${d.path}\ncopied ${d.copiedAt ?? '(unknown)'} from ${d.builtImage}` },
        h('span.disk-name', {}, d.name),
        ` · your copy${inUse ? ', in use' : ''}`,
      ),
      d.outdated ? h('p.disk-outdated', {}, 'The built image is newer (rebuilt from resources/).') : null,
      reset,
    );
  }

  private async reset(d: WorkingDisk, inUse: boolean, button: HTMLElement): Promise<void> {
    const restart = inUse ? ' The machine is powered off and booted again.' : '';
    const ok = window.confirm(
      `Reset ${d.name} to the built image?\n\nEverything written to your copy since it was made is lost: ` +
        `programs deployed from the editor, saved files, what guests wrote.${restart}`,
    );
    if (!ok) return;
    const done = await busy(button, () => this.ctx.api.resetDisk(d.name), `Reset ${d.name}: `);
    if (!done) return;
    toast(`${d.name} is a fresh copy of the built image${inUse ? '; the machine booted again' : ''}`, 'ok');
    this.onReset();
    await this.refresh();
  }
}

function baseName(p: string): string {
  return p.split(/[\\/]/).pop() ?? p;
}
