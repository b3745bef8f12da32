/**
 * The Debug view's breakpoints panel (docs/app.md#debug): breakpoints by address, label or source
 * line with an optional condition (`r5 == 3`), as the host placed them (verified or why not, the
 * address, hits), each removable and its condition editable; watchpoints on a guest address range
 * (read, write or both; virtual or physical) with their hits; and "break on trap" by cause.
 */
import type { BreakpointRequest, DebugState, WatchpointRequest } from '../../shared/debugApi.js';
import { CAUSES } from '../../shared/isa/index.js';
import { h } from '../ui/dom.js';
import { busy, toast } from '../ui/feedback.js';
import type { DebugModel } from './DebugModel.js';
import { describeLocation, hex32, parseLocation, parseValue } from './format.js';

/** The synchronous causes (docs/isa.md#traps): interrupts are not traps to break on. */
const TRAP_CAUSES = CAUSES.filter((c) => !c.interrupt);

export class BreakpointsPanel {
  readonly el: HTMLElement;
  private readonly bpList = h('ul.bp-list', { 'aria-label': 'Breakpoints' });
  private readonly wpList = h('ul.bp-list', { 'aria-label': 'Watchpoints' });
  private readonly traps = h('div.trap-causes', { role: 'group', 'aria-label': 'Break on trap' });
  private readonly location = h('input', {
    'aria-label': 'Breakpoint location',
    placeholder: '0x1040, main or hello.s:12',
    spellcheck: 'false',
  });
  private readonly condition = h('input', {
    'aria-label': 'Breakpoint condition',
    placeholder: 'condition: a0 == 3',
    spellcheck: 'false',
  });
  private readonly wpAddress = h('input', {
    'aria-label': 'Watchpoint address',
    placeholder: 'address',
    spellcheck: 'false',
  });
  private readonly wpLength = h('input', {
    'aria-label': 'Watchpoint length (bytes)',
    type: 'number',
    min: 1,
    max: 4096,
    value: 4,
  });
  private readonly wpAccess = h(
    'select',
    { 'aria-label': 'Watchpoint access' },
    h('option', { value: 'write' }, 'write'),
    h('option', { value: 'read' }, 'read'),
    h('option', { value: 'readwrite' }, 'read/write'),
  );
  private readonly wpSpace = h(
    'select',
    { 'aria-label': 'Watchpoint address space' },
    h('option', { value: 'virtual' }, 'virtual'),
    h('option', { value: 'physical' }, 'physical'),
  );

  constructor(
    private readonly model: DebugModel,
    private readonly guest: () => number | undefined,
    private readonly labels: () => ReadonlyMap<string, number>,
  ) {
    const addBp = h('button.small', { type: 'button', 'data-action': 'add-breakpoint' }, 'Add');
    addBp.addEventListener('click', () => void this.addBreakpoint(addBp));
    for (const i of [this.location, this.condition])
      i.addEventListener('keydown', (e) => {
        if (e.key === 'Enter') void this.addBreakpoint(addBp);
      });
    const addWp = h('button.small', { type: 'button', 'data-action': 'add-watchpoint' }, 'Add');
    addWp.addEventListener('click', () => void this.addWatchpoint(addWp));
    this.el = h(
      'article.card.debug-breakpoints',
      {},
      h('h2', {}, 'Breakpoints'),
      h('div.bp-form', {}, this.location, this.condition, addBp),
      this.bpList,
      h('h2.sub', {}, 'Watchpoints'),
      h('div.bp-form.wp', {}, this.wpAddress, this.wpLength, this.wpAccess, this.wpSpace, addWp),
      this.wpList,
      h('h2.sub', {}, 'Break on trap'),
      this.traps,
    );
  }

  render(state: DebugState | undefined): void {
    const g = this.guest();
    const placed = g === undefined ? [] : this.model.breakpoints(g);
    const asked = g === undefined ? [] : this.model.requested(g);
    // What the host placed; before it answers, what was asked.
    const shown = placed.length || !asked.length ? placed : asked.map((r, i) => ({ ...r, id: -1 - i, hits: 0 }));
    this.bpList.replaceChildren(
      ...shown.map((b, i) => {
        const verified = 'verified' in b ? b.verified : true;
        const cond = h('input.bp-cond', {
          value: b.condition ?? '',
          placeholder: 'no condition',
          'aria-label': `Condition of ${describeLocation(b)}`,
          spellcheck: 'false',
        });
        cond.addEventListener('change', () => void this.setCondition(i, cond.value));
        return h(
          'li.bp',
          { 'data-location': describeLocation(b), class: verified ? '' : 'unverified' },
          h('span.bp-dot', { 'aria-hidden': 'true' }),
          h(
            'span.bp-where',
            { title: 'message' in b && b.message ? b.message : '' },
            describeLocation(b),
            'message' in b && b.message ? h('small.bp-why', {}, b.message) : null,
          ),
          cond,
          h('span.bp-hits', { title: 'Hits' }, `${b.hits} hit${b.hits === 1 ? '' : 's'}`),
          h(
            'button.small.ghost',
            { type: 'button', 'data-action': 'remove-breakpoint', title: 'Remove', onclick: () => void this.remove(i) },
            '×',
          ),
        );
      }),
    );
    if (!shown.length)
      this.bpList.append(
        h('li.muted.bp-empty', {}, 'None. Add one here, or click the gutter of a line in the editor.'),
      );

    const wps = state?.watchpoints ?? [];
    this.wpList.replaceChildren(
      ...wps.map((w, i) =>
        h(
          'li.bp',
          {},
          h('span.bp-dot.wp', { 'aria-hidden': 'true' }),
          h('span.bp-where', {}, `${hex32(w.address)} +${w.length} · ${w.access} · ${w.space}`),
          h('span.bp-hits', {}, `${w.hits} hit${w.hits === 1 ? '' : 's'}`),
          h(
            'button.small.ghost',
            {
              type: 'button',
              'data-action': 'remove-watchpoint',
              title: 'Remove',
              onclick: () => void this.setWatchpoints(wps.filter((_, j) => j !== i)),
            },
            '×',
          ),
        ),
      ),
    );
    if (!wps.length) this.wpList.append(h('li.muted.bp-empty', {}, 'None.'));

    const on = new Set(state?.trapBreaks ?? []);
    this.traps.replaceChildren(
      ...TRAP_CAUSES.map((c) => {
        const box = h('input', { type: 'checkbox', 'data-cause': c.name, checked: on.has(c.name) });
        box.addEventListener('change', () => void this.setTraps());
        return h('label.trap', { title: c.doc }, box, h('span', {}, c.name.toLowerCase().replace(/_/g, ' ')));
      }),
    );
  }

  private async addBreakpoint(button: HTMLElement): Promise<void> {
    const g = this.guest();
    if (g === undefined) return;
    const req = parseLocation(this.location.value, this.condition.value, this.labels());
    if (typeof req === 'string') {
      toast(`Breakpoint: ${req}`, 'error');
      return;
    }
    const placed = await busy(
      button,
      () => this.model.setBreakpoints(g, [...this.model.requested(g), req]),
      'Breakpoint: ',
    );
    if (!placed) return;
    this.location.value = '';
    this.condition.value = '';
    const last = placed[placed.length - 1];
    if (last && !last.verified) toast(`Breakpoint ${describeLocation(last)}: ${last.message ?? 'not placed'}`, 'error');
  }

  private async remove(i: number): Promise<void> {
    const g = this.guest();
    if (g === undefined) return;
    const list = this.model.requested(g).filter((_, j) => j !== i);
    await busy(undefined, () => this.model.setBreakpoints(g, list), 'Breakpoint: ');
  }

  private async setCondition(i: number, condition: string): Promise<void> {
    const g = this.guest();
    if (g === undefined) return;
    const list: BreakpointRequest[] = this.model.requested(g).map((b, j) => {
      if (j !== i) return b;
      const { condition: _old, ...rest } = b;
      return condition.trim() ? { ...rest, condition: condition.trim() } : rest;
    });
    const placed = await busy(undefined, () => this.model.setBreakpoints(g, list), 'Condition: ');
    const b = placed?.[i];
    if (b && !b.verified) toast(`Breakpoint ${describeLocation(b)}: ${b.message ?? 'not placed'}`, 'error');
  }

  private async addWatchpoint(button: HTMLElement): Promise<void> {
    const g = this.guest();
    if (g === undefined) return;
    const address = parseValue(this.wpAddress.value, this.labels());
    if (typeof address === 'string') {
      toast(`Watchpoint: ${address}`, 'error');
      return;
    }
    const length = Number(this.wpLength.value);
    if (!Number.isInteger(length) || length < 1 || length > 4096) {
      toast('Watchpoint: the length is 1..4096 bytes', 'error');
      return;
    }
    const w: WatchpointRequest = {
      address,
      length,
      access: this.wpAccess.value as WatchpointRequest['access'],
      space: this.wpSpace.value as WatchpointRequest['space'],
    };
    const now = (this.model.state(g)?.watchpoints ?? []).map(({ address: a, length: l, access, space }) => ({
      address: a,
      length: l,
      access,
      space,
    }));
    if (await busy(button, () => this.setWatchpoints([...now, w]), 'Watchpoint: ')) this.wpAddress.value = '';
  }

  private async setWatchpoints(list: WatchpointRequest[]): Promise<boolean> {
    const g = this.guest();
    const api = this.model.api;
    if (g === undefined || !api) return false;
    const clean = list.map(({ address, length, access, space }) => ({ address, length, access, space }));
    const r = await busy(undefined, () => api.debugSetWatchpoints(g, clean), 'Watchpoints: ');
    if (r) await this.model.refresh(g);
    return r !== undefined;
  }

  private async setTraps(): Promise<void> {
    const g = this.guest();
    const api = this.model.api;
    if (g === undefined || !api) return;
    const causes = Array.from(this.traps.querySelectorAll<HTMLInputElement>('input:checked'), (b) => b.dataset.cause!);
    const s = await busy(undefined, () => api.debugSetTrapBreaks(g, causes), 'Break on trap: ');
    if (s) await this.model.apply(s);
  }
}
