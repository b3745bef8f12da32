/**
 * The Controlling-OS panel: what the hypervisor reports (pCPUs, memory map, device tree, coloured by
 * owner; read-only) and the actions of the control API, each sent to ctl as the command a person
 * would type (docs/guests.md#the-management-channel). The transcript shows every command exactly as
 * sent and ctl's answer; an invalid request shows ctl's error, never an exception.
 */
import { ftRole, ftRows, takeoverLine } from './ft.js';
import './control.css';
import type { CtlReply, Ownership } from '../../shared/api.js';
import type { AppContext, View } from '../app/context.js';
import { bytes, h, headRow, hex, message } from '../ui/dom.js';
import { busy } from '../ui/feedback.js';
import { commandFor, FAULTS, nextFreeId, techniqueActions, TECHNIQUES, type PanelAction } from './commands.js';
import {
  cpuLine,
  explainError,
  movableDevices,
  returnableDevices,
  rowAction,
  techniqueLine,
  techniqueTitle,
  type RowAction,
} from './explain.js';
import { deviceTree, flatten, FREE_COLOUR, memorySegments, ownerColour } from './ownership.js';

const REFRESH_MS = 1000;

export class ControlView implements View {
  readonly id = 'control';
  readonly title = 'Control';
  readonly el: HTMLElement;
  private own: Ownership | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;
  private refreshing = false;
  private readonly cpus = h('div.cpus');
  private readonly membar = h('div.membar', { role: 'img', 'aria-label': 'Memory map' });
  private readonly memlegend = h('ul.legend');
  private readonly devices = h('ul.devtree', { 'aria-label': 'Device tree' });
  private readonly parts = h('tbody');
  private readonly transcript = h('ol.transcript', { 'aria-live': 'polite', 'aria-label': 'Commands sent to ctl' });
  private readonly note = h('p.note');
  private readonly ftBox = h('div.ft', { 'aria-live': 'polite' });
  private readonly forms: HTMLElement;

  constructor(private readonly ctx: AppContext) {
    this.forms = this.buildForms();
    this.el = h(
      'section.view.control',
      { 'data-view': this.id },
      // The partitions across the whole view: with the technique and six actions a row is wide.
      h(
        'article.card.parts-card',
        {},
        h('h2', {}, 'Partitions'),
        h('table.parts', {}, this.partsHead(), this.parts),
        this.note,
      ),
      h(
        'div.control-grid',
        {},
        h(
          'div.col',
          {},
          h('article.card', {}, h('h2', {}, 'Processors'), this.cpus),
          h('article.card', {}, h('h2', {}, 'Memory'), this.membar, this.memlegend),
          h('article.card', {}, h('h2', {}, 'Devices'), this.devices),
          // M23: the pairs, the backup's lag, the last takeover (docs/guide.md#lab-m23-a-backup-takes-over).
          h('article.card.ft-card', {}, h('h2', {}, 'Fault tolerance'), this.ftBox),
        ),
        h(
          'div.col',
          {},
          h(
            'article.card.transcript-card',
            {},
            h('h2', {}, 'ctl console channel'),
            this.buildFreeForm(),
            this.transcript,
          ),
          h('article.card', {}, h('h2', {}, 'Control actions'), this.forms),
        ),
      ),
    );
    // A partition that appears, goes or changes state is shown at once; the rest every second.
    let key = '';
    ctx.onStatus((s) => {
      // A replay moves in jumps (the scrubber): each moment's map is read at once.
      const k =
        s.state +
        (s.config?.mode ?? '') +
        s.guests.map((g) => `${g.id}:${g.state}`).join(',') +
        (s.replay ? `@${s.seconds}` : '');
      if (k === key) return;
      key = k;
      if (!this.el.hidden) void this.refresh();
      else this.applyAvailability();
    });
  }

  private partsHead(): HTMLElement {
    return headRow(['#ID', 'Name', 'State', '#Memory', '#vCPUs', 'Technique', '']);
  }

  /**
   * Why the panel cannot act now (no machine, dual boot: no hypervisor and no ctl), or undefined.
   * Then the forms are disabled with that reason and nothing is asked of the host (no refused calls).
   */
  private unavailable(): string | undefined {
    const s = this.ctx.status;
    if (s.state === 'off' || s.state === 'failed')
      return 'The machine is off: boot it in hypervisor mode to control partitions.';
    if (s.state === 'booting') return 'The machine is booting…';
    if (s.config?.mode === 'dualboot')
      return `Dual boot: ${s.config.boot ?? 'one OS'} owns the machine, there is no hypervisor to control. Boot in hypervisor mode for this panel.`;
    return undefined;
  }

  private applyAvailability(): boolean {
    const why = this.unavailable();
    this.el.dataset.unavailable = why ? 'true' : 'false';
    for (const f of Array.from(this.el.querySelectorAll<HTMLFormElement>('form.action')))
      for (const c of Array.from(f.elements) as HTMLInputElement[]) c.disabled = why !== undefined;
    this.note.textContent = why ?? '';
    if (why) {
      this.own = undefined;
      this.parts.replaceChildren();
      this.cpus.replaceChildren();
      this.membar.replaceChildren();
      this.memlegend.replaceChildren();
      this.devices.replaceChildren();
      this.ftBox.replaceChildren();
    }
    return why === undefined;
  }

  /** Reads the ownership map; at most one request at a time. */
  private async refresh(): Promise<void> {
    if (!this.applyAvailability()) return;
    if (this.refreshing) return;
    this.refreshing = true;
    try {
      this.own = await this.ctx.api.ownership();
      this.note.textContent = '';
      this.render();
    } catch (e) {
      this.note.textContent = `The hypervisor's map is not available: ${message(e)}`;
    } finally {
      this.refreshing = false;
    }
  }

  private render(): void {
    const o = this.own;
    if (!o) return;
    const guests = this.ctx.status.guests;
    this.parts.replaceChildren(
      ...o.partitions.map((p) => {
        const g = guests.find((x) => x.id === p.id);
        const act = (label: string, kind: RowAction, title: string) => {
          // Disabled, with the reason, where ctl would only answer EBUSY (control/explain.ts).
          const legal = rowAction(kind, p);
          return h(
            'button.small',
            {
              type: 'button',
              title: legal.ok ? title : legal.why,
              'data-action': kind,
              disabled: !legal.ok,
              onclick: (e: Event) => {
                if (
                  kind === 'destroy' &&
                  !window.confirm(
                    `Destroy partition ${p.id} (${p.name})? Its memory is freed and what runs in it is lost; its disk stays.`,
                  )
                )
                  return;
                void this.act({ kind, id: p.id }, e.currentTarget as HTMLElement);
              },
            },
            label,
          );
        };
        return h(
          'tr',
          { 'data-partition': p.id },
          h('td.num', {}, p.id),
          h(
            'td',
            {},
            h('span.chip', { 'data-owner': p.id }),
            p.name,
            // M24: the guest a hypervisor crash keeps (docs/guide.md, the fault-injection lab).
            p.id === o.preferred
              ? h('span.badge.preferred', { title: 'survives a hypervisor crash' }, 'preferred')
              : '',
            // M23: its part in a fault-tolerant pair.
            ftRole(o.ft, p.id)
              ? h('span.badge.ft', { title: 'fault tolerance: docs/fault-tolerance.md' }, ftRole(o.ft, p.id))
              : '',
          ),
          // M17: how long a running client has been idle, which ctl's `swap auto` swaps out by.
          h(
            'td',
            {
              title:
                p.idleSeconds === undefined
                  ? ''
                  : `idle ${p.idleSeconds.toFixed(1)} s: when memory is short, ctl (swap auto) swaps out the longest-idle client`,
            },
            h('span.state', { 'data-state': p.state }, p.state),
          ),
          h('td.num', {}, g ? bytes(g.memBytes) : '–'),
          h('td.num', {}, g ? g.vcpus : '–'),
          // M7: the technique and what it costs, counted by the hypervisor (docs/guide.md, lab M7).
          h(
            'td.technique',
            { title: techniqueTitle(p.counters), 'data-technique': p.counters?.technique ?? '' },
            techniqueLine(p.counters) || '–',
          ),
          h(
            'td.actions',
            {},
            p.id === 0
              ? h('span.muted', {}, 'Controlling OS')
              : h(
                  'span.btns',
                  {},
                  act('Start', 'start', `start ${p.id}`),
                  act('Stop', 'stop', `stop ${p.id}`),
                  act('Restart', 'restart', `restart ${p.id}`),
                  act('Destroy', 'destroy', `destroy ${p.id}`),
                  // M17: the whole guest to the swap store and back (docs/guide.md, lab M17).
                  act('Swap out', 'swap-out', `swap ${p.id} out: its memory goes back to ctl`),
                  act('Swap in', 'swap-in', `swap ${p.id} in: it goes on where it was`),
                ),
          ),
        );
      }),
    );
    for (const chip of Array.from(this.parts.querySelectorAll<HTMLElement>('.chip')))
      chip.style.background = ownerColour(Number(chip.dataset.owner));

    const rows = ftRows(o.ft, (id) => this.name(id));
    const takeover = takeoverLine(o.ft);
    this.ftBox.replaceChildren(
      rows.length
        ? h(
            'table.ft-pairs',
            {},
            ...rows.map((r) => h('tr', {}, h('td', {}, r.pair), h('td.ft-lag', {}, r.lag), h('td.muted', {}, r.held))),
          )
        : h('p.muted', {}, 'No client has a backup: the form Fault tolerance (ft ID on) gives one.'),
      takeover ? h('p.ft-takeover', {}, takeover) : '',
    );

    this.cpus.replaceChildren(
      ...o.cpus.map((c) => {
        const el = h(
          'div.cpu',
          { 'data-cpu': c.index },
          h('div.cpu-name', {}, `pCPU ${c.index}`),
          h('div.cpu-run', {}, cpuLine(c, o.partitions)),
          h(
            'div.cpu-pinned',
            {},
            c.pinned.length ? `vCPUs of ${c.pinned.map((p) => this.name(p)).join(', ')}` : 'no vCPUs',
          ),
        );
        el.style.borderColor = c.running === null ? '' : ownerColour(c.running);
        return el;
      }),
    );

    const segs = memorySegments(o.memory, o.totalBytes);
    this.membar.replaceChildren(
      ...segs.map((s) => {
        const owner = s.owner === 'free' ? 'free' : this.name(s.owner);
        const el = h('div.seg', {
          title: `${hex(s.base)}–${hex(s.base + s.size)} · ${bytes(s.size)} · ${owner} · ${s.what}`,
          'data-owner': s.owner === 'free' ? 'free' : String(s.owner),
        });
        el.style.left = `${s.left}%`;
        el.style.width = `${s.width}%`;
        el.style.background = s.owner === 'free' ? FREE_COLOUR : ownerColour(s.owner);
        return el;
      }),
    );
    const owners = new Map<string, { colour: string; size: number }>();
    for (const m of o.memory) {
      const key = this.name(m.owner);
      const cur = owners.get(key) ?? { colour: ownerColour(m.owner), size: 0 };
      cur.size += m.size;
      owners.set(key, cur);
    }
    this.memlegend.replaceChildren(
      ...[...owners].map(([name, v]) => {
        const sw = h('span.swatch');
        sw.style.background = v.colour;
        return h('li', {}, sw, `${name} ${bytes(v.size)}`);
      }),
      h('li.muted', {}, `of ${bytes(o.totalBytes)}`),
    );

    this.devices.replaceChildren(
      ...flatten(deviceTree(o.devices)).map((n) => {
        const d = n.device;
        const sw = h('span.swatch');
        sw.style.background = ownerColour(d.owner);
        const li = h(
          'li',
          { 'data-device': d.name, 'data-owner': d.owner ?? 'hv' },
          sw,
          h('span.dev-name', {}, d.name),
          h('span.dev-kind', {}, d.kind),
          h('span.dev-addr', {}, d.size ? `${hex(d.base)} +${bytes(d.size)}` : ''),
          h('span.dev-owner', {}, this.name(d.owner, d.kind)),
        );
        li.style.paddingLeft = `${8 + n.depth * 18}px`;
        return li;
      }),
    );
    this.fillSelects();
  }

  private name(owner: number | null, kind?: string): string {
    // A controller nobody holds whole (M5): its devices have owners of their own.
    if (owner === null) return kind === 'controller' ? 'nobody (give it whole)' : 'hypervisor';
    return this.own?.partitions.find((p) => p.id === owner)?.name ?? this.ctx.guestName(owner);
  }

  // -------------------------------------------------------------------------------------------
  // Actions

  private readonly partitionSelects: HTMLSelectElement[] = [];
  private readonly deviceSelect = h('select', { name: 'device', 'aria-label': 'Device' });
  /** The "Take back" form's devices: value `ID DEVICE` (its owner and its name). */
  private readonly returnSelect = h('select', { name: 'owned', 'aria-label': 'Device to take back' });
  private readonly createId = h('input', {
    name: 'id',
    type: 'number',
    min: 1,
    max: 63,
    'aria-label': 'New partition id',
  });

  private partitionSelect(name = 'id', includeCtl = false): HTMLSelectElement {
    const s = h('select', { name, 'aria-label': 'Partition', 'data-include-ctl': includeCtl ? '1' : '' });
    this.partitionSelects.push(s);
    return s;
  }

  private fillSelects(): void {
    const parts = this.own?.partitions ?? [];
    for (const s of this.partitionSelects) {
      const keep = s.value;
      const list = s.dataset.includeCtl ? parts : parts.filter((p) => p.id !== 0);
      s.replaceChildren(...list.map((p) => h('option', { value: p.id }, `${p.id} ${p.name}`)));
      if (list.some((p) => String(p.id) === keep)) s.value = keep;
    }
    const keepDev = this.deviceSelect.value;
    this.deviceSelect.replaceChildren(
      ...movableDevices(this.own?.devices ?? []).map((d) =>
        h('option', { value: d.name }, `${d.name} (${d.kind}, ${this.name(d.owner, d.kind)})`),
      ),
    );
    if (keepDev) this.deviceSelect.value = keepDev;
    const keepRet = this.returnSelect.value;
    this.returnSelect.replaceChildren(
      ...returnableDevices(this.own?.devices ?? []).map((d) =>
        h('option', { value: `${d.owner} ${d.name}` }, `${d.name} (${d.kind}, ${this.name(d.owner)}'s)`),
      ),
    );
    if (keepRet) this.returnSelect.value = keepRet;
    if (!this.createId.value || parts.some((p) => String(p.id) === this.createId.value)) {
      this.createId.value = String(nextFreeId(parts.map((p) => p.id)));
    }
  }

  private buildForms(): HTMLElement {
    const field = (label: string, input: HTMLElement) => h('label.field', {}, h('span', {}, label), input);
    const form = (
      title: string,
      fields: HTMLElement[],
      button: string,
      make: (f: FormData) => PanelAction[],
      id: string,
    ) => {
      const submit = h('button.primary.small', { type: 'submit' }, button);
      const el = h('form.action', { 'data-form': id }, h('h3', {}, title), h('div.fields', {}, ...fields, submit));
      el.addEventListener('submit', (e) => {
        e.preventDefault();
        void this.actAll(make(new FormData(el)), submit);
      });
      return el;
    };
    const text = (name: string, placeholder: string, value = '') =>
      h('input', { name, placeholder, value, autocomplete: 'off', spellcheck: 'false' });
    const num = (f: FormData, k: string) => Number(f.get(k));
    const str = (f: FormData, k: string) => String(f.get(k) ?? '').trim();
    // The fault menu says what contains the fault picked (docs/hypercalls.md#fault-injection).
    const faultNote = h('p.muted.fault-note', { 'aria-live': 'polite' });
    const faultSelect = h(
      'select',
      { name: 'fault', 'aria-label': 'Fault' },
      ...FAULTS.map((x) => h('option', { value: x.fault }, x.label)),
    ) as HTMLSelectElement;
    const explainFault = () => {
      const x = FAULTS.find((f) => f.fault === faultSelect.value) ?? FAULTS[0];
      faultNote.textContent = `Contained by ${x.contained}.`;
    };
    faultSelect.addEventListener('change', explainFault);
    explainFault();

    return h(
      'div.forms',
      {},
      form(
        'Create a partition',
        [
          field('ID', this.createId),
          field('Name', text('name', 'mycos', 'mycos')),
          field('OS', text('os', 'cos', 'cos')),
          field('Memory', text('size', '4M', '4M')),
        ],
        'Create & start',
        (f) => [
          { kind: 'create', id: num(f, 'id'), name: str(f, 'name') },
          { kind: 'start', id: num(f, 'id'), os: str(f, 'os'), size: str(f, 'size') },
        ],
        'create',
      ),
      form(
        'Resize memory',
        [field('Partition', this.partitionSelect()), field('Add', text('size', '+1M', '+1M'))],
        'Resize',
        (f) => [{ kind: 'resize', id: num(f, 'id'), size: str(f, 'size') }],
        'resize',
      ),
      form(
        'Add a vCPU',
        [
          field('Partition', this.partitionSelect()),
          field('on pCPU', h('input', { name: 'cpu', type: 'number', min: 0, max: 7, value: 0 })),
        ],
        'Add vCPU',
        (f) => [{ kind: 'assign-cpu', id: num(f, 'id'), cpu: num(f, 'cpu') }],
        'assign',
      ),
      form(
        'Move a device',
        [field('Device', this.deviceSelect), field('To', this.partitionSelect('id', true))],
        'Move',
        (f) => [{ kind: 'move', device: str(f, 'device'), id: num(f, 'id') }],
        'move',
      ),
      // M21, M18 (docs/guide.md, lab M21): a running guest is asked and may refuse.
      form(
        'Take a device back',
        [field('Device', this.returnSelect)],
        'Take back',
        (f) => {
          const [id, device] = str(f, 'owned').split(' ');
          return [{ kind: 'remove-dev', id: Number(id), device: device ?? '' }];
        },
        'remove-dev',
      ),
      form(
        'Remove a vCPU',
        [field('Partition', this.partitionSelect())],
        'Remove vCPU',
        (f) => [{ kind: 'remove-cpu', id: num(f, 'id') }],
        'remove-cpu',
      ),
      form(
        'Scheduler',
        [
          field('Partition', this.partitionSelect('id', true)),
          field('Weight', h('input', { name: 'weight', type: 'number', min: 1, max: 100, value: 10 })),
          field('Slice µs', h('input', { name: 'slice', type: 'number', min: 0, placeholder: 'default' })),
        ],
        'Set',
        (f) => [
          {
            kind: 'sched',
            id: num(f, 'id'),
            weight: num(f, 'weight'),
            sliceUs: str(f, 'slice') ? num(f, 'slice') : undefined,
          },
        ],
        'sched',
      ),
      // M7 (docs/guide.md, lab M7): a running client is stopped, switched and restarted.
      form(
        'Technique',
        [
          field('Partition', this.partitionSelect()),
          field(
            'Technique',
            h(
              'select',
              { name: 'technique', 'aria-label': 'Technique' },
              ...TECHNIQUES.map((t) => h('option', { value: t }, t)),
            ),
          ),
        ],
        'Switch',
        (f) => {
          const id = num(f, 'id');
          const state = this.own?.partitions.find((p) => p.id === id)?.state;
          return techniqueActions(id, str(f, 'technique'), state);
        },
        'technique',
      ),
      // The fault-injection lab and M24 (docs/guide.md#the-fault-injection-lab-m22-m24): one menu of
      // every fault; ctl's answer (in the transcript) says what was injected and what contains it.
      form(
        'Inject a fault',
        [field('Fault', faultSelect), field('Into', this.partitionSelect()), faultNote],
        'Inject',
        (f) => [{ kind: 'fault', fault: str(f, 'fault'), id: num(f, 'id') }],
        'fault',
      ),
      // M23: a backup that takes over (docs/guide.md#lab-m23-a-backup-takes-over).
      form(
        'Fault tolerance',
        [
          field('Partition', this.partitionSelect()),
          field(
            'Backup',
            h('select', { name: 'ft' }, h('option', { value: 'on' }, 'on'), h('option', { value: 'off' }, 'off')),
          ),
        ],
        'Apply',
        (f) => [{ kind: 'ft', id: num(f, 'id'), on: str(f, 'ft') === 'on' }],
        'ft',
      ),
      form(
        'Preferred guest',
        [field('Partition', this.partitionSelect())],
        'Prefer',
        (f) => [{ kind: 'prefer', id: num(f, 'id') }],
        'prefer',
      ),
      form(
        'Send a message',
        [field('To', this.partitionSelect()), field('Text', text('text', 'hello'))],
        'Send',
        (f) => [{ kind: 'msg', id: num(f, 'id'), text: str(f, 'text') }],
        'msg',
      ),
    );
  }

  /** The free-form command box: any line ctl understands. */
  private buildFreeForm(): HTMLElement {
    const free = h('input.command-input', {
      name: 'command',
      placeholder: 'any ctl command: parts, res, oses, net, help…',
      autocomplete: 'off',
      spellcheck: 'false',
      'aria-label': 'ctl command',
    });
    const freeForm = h(
      'form.action.free',
      { 'data-form': 'free' },
      free,
      h('button.primary.small', { type: 'submit' }, 'Send'),
    );
    freeForm.addEventListener('submit', (e) => {
      e.preventDefault();
      const command = free.value.trim();
      if (!command) return;
      void this.send(command, freeForm.querySelector('button') ?? undefined).then(() => free.select());
    });

    return freeForm;
  }

  private async act(a: PanelAction, control?: HTMLElement): Promise<void> {
    await this.actAll([a], control);
  }

  /** Runs actions in order; stops at the first that ctl refuses (later ones depend on it). */
  private async actAll(actions: PanelAction[], control?: HTMLElement): Promise<void> {
    for (const a of actions) {
      const c = commandFor(a);
      if ('error' in c) {
        this.record(`(${a.kind})`, { ok: false, lines: [], error: { name: 'EINVAL', message: c.error } }, true);
        return;
      }
      const reply = await this.send(c.command, control);
      if (!reply?.ok) return;
    }
  }

  private async send(command: string, control?: HTMLElement): Promise<CtlReply | undefined> {
    const entry = this.record(command, undefined);
    const reply = await busy(control, () => this.ctx.api.ctl(command), `ctl ${command}: `);
    this.fill(
      entry,
      reply ?? { ok: false, lines: [], error: { name: 'EIO', message: 'no answer (see the message above)' } },
    );
    void this.refresh();
    return reply;
  }

  private record(command: string, reply: CtlReply | undefined, local = false): HTMLElement {
    const li = h(
      'li.pending',
      { 'data-command': command },
      h('code.cmd', {}, `ctl> ${command}`),
      h('div.reply', {}, local ? '' : '…'),
    );
    this.transcript.prepend(li);
    while (this.transcript.children.length > 100) this.transcript.lastElementChild?.remove();
    if (reply) this.fill(li, reply);
    return li;
  }

  private fill(li: HTMLElement, reply: CtlReply): void {
    li.classList.remove('pending');
    li.classList.add(reply.ok ? 'ok' : 'err');
    li.dataset.ok = String(reply.ok);
    const out = li.querySelector('.reply')!;
    const why = reply.error
      ? explainError(li.dataset.command ?? '', reply.error, this.own?.partitions ?? [])
      : undefined;
    out.replaceChildren(
      ...reply.lines.map((l) => h('div', {}, l)),
      reply.ok
        ? h('div.status-ok', {}, 'ok')
        : h('div.status-err', {}, `${reply.error?.name ?? 'error'}: ${reply.error?.message ?? ''}`),
      ...(why ? [h('div.explain', {}, why)] : []),
    );
  }

  shown(): void {
    void this.refresh();
    this.timer = setInterval(() => void this.refresh(), REFRESH_MS);
  }

  hidden(): void {
    clearInterval(this.timer);
  }
}
