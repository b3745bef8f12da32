/**
 * The window: a top bar (machine state, mode, engine, machine time, boot and power off, the progress
 * of long tasks), a left navigation of the views, and the views themselves, one shown at a time.
 * Keyboard: Alt+1..9, Alt+0 and Alt+- pick a view, Ctrl+Shift+P boots, Ctrl+Shift+O powers off, F1 or ?
 * shows the shortcuts, Ctrl+, the settings; every control is reachable with Tab.
 */
import type { MachineConfig, MachineMode, MachineStatus } from '../../shared/api.js';
import type { ConnectionState } from '../connection.js';
import { h, message, num } from '../ui/dom.js';
import { busy, ProgressBar, toast } from '../ui/feedback.js';
import type { AppContext, View } from './context.js';
import { helpDialog, settingsDialog } from './dialogs.js';
import { bootChoice, engineSummary, machineLabel, modeLabel, viewKey } from './topbar.js';
import { ReplayBar } from '../replay/ReplayBar.js';

export class Shell {
  readonly el: HTMLElement;
  private readonly views: View[];
  private current: View | undefined;
  private readonly nav: HTMLElement;
  private readonly stateBadge = h('span.badge.state', { 'data-state': 'off', title: 'Machine state' }, 'off');
  private readonly machineBadge = h(
    'button.badge.machine-name',
    { type: 'button', title: 'The saved machine that runs (Machines view, Alt+8)', hidden: true },
    '',
  );
  private readonly modeBadge = h('span.badge', { title: 'Mode' }, '–');
  private readonly engineBadge = h(
    'span.badge.engine',
    { title: "Execution engine, per guest (a console's title bar changes a guest's)" },
    '–',
  );
  private readonly clock = h(
    'span.clock',
    { title: "Machine time: the emulated machine's own clock, slower than the wall clock (docs/app.md#clocks)" },
    '',
  );
  private readonly modeSelect: HTMLSelectElement;
  /** The boot the selects last followed (followBoot), so a status tick does not undo a person's pick. */
  private bootKey = '';
  private readonly osSelect: HTMLSelectElement;
  private readonly threadsSelect: HTMLSelectElement;
  private readonly bootButton: HTMLButtonElement;
  private readonly offButton: HTMLButtonElement;
  private readonly progress = new ProgressBar();
  private readonly errorLine = h('div.machine-error', { hidden: true, role: 'alert' });
  /** The web page lost the app (docs/app.md#connection): what happened and when the next try is. */
  private readonly connectionLine = h('div.app-notice.disconnected', { hidden: true, role: 'alert' });
  private connectionTimer: ReturnType<typeof setInterval> | undefined;
  /** Says plainly that nothing is saved, and why (HostInfo.store.error; docs/app.md#layout). */
  private readonly storeLine = h('div.app-notice.store-off', { hidden: true, role: 'status' });
  private readonly foot = h('span.foot-text', {}, 'connecting…');
  private readonly help = helpDialog();
  private readonly settings: HTMLDialogElement;

  constructor(
    private readonly ctx: AppContext,
    views: View[],
  ) {
    this.views = views;
    this.settings = settingsDialog(ctx.prefs);
    this.modeSelect = h(
      'select',
      { 'aria-label': 'Mode to boot', title: 'Mode to boot' },
      h('option', { value: 'hypervisor' }, 'Hypervisor'),
      h('option', { value: 'dualboot' }, 'Dual boot'),
    );
    this.osSelect = h(
      'select',
      { 'aria-label': 'OS to dual boot', title: 'OS the loader boots (dual boot)', hidden: true },
      ...['cos', 'swos', 'ctl'].map((o) => h('option', { value: o }, o)),
    );
    this.threadsSelect = h(
      'select',
      {
        'aria-label': 'Where the pCPUs run',
        title:
          'One thread: every pCPU on the engine thread, deterministic (same input, same run). ' +
          'Threads: each pCPU on a thread of its own, faster with several busy pCPUs, not deterministic.',
      },
      h('option', { value: 'one' }, 'One thread'),
      h('option', { value: 'threads' }, 'pCPU threads'),
    );
    this.modeSelect.addEventListener('change', () => {
      this.osSelect.hidden = this.modeSelect.value !== 'dualboot';
      this.threadsSelect.hidden = this.modeSelect.value !== 'hypervisor';
    });
    this.bootButton = h(
      'button.primary',
      { type: 'button', title: 'Boot the machine (Ctrl+Shift+P)', onclick: () => void this.boot() },
      'Boot',
    );
    this.offButton = h(
      'button.ghost',
      { type: 'button', title: 'Power off (Ctrl+Shift+O)', onclick: () => void this.powerOff() },
      'Power off',
    );

    this.nav = h(
      'nav.side',
      { 'aria-label': 'Views' },
      ...views.map((v, i) =>
        h(
          'button.nav-item',
          {
            type: 'button',
            'data-view': v.id,
            title: `${v.title} (Alt+${viewKey(i)})`,
            onclick: () => this.show(v.id),
          },
          h('span.nav-icon', { 'data-icon': v.id }),
          h('span.nav-label', {}, v.title),
          h('kbd', {}, `Alt ${viewKey(i)}`),
        ),
      ),
    );
    const main = h('main.views', {}, ...views.map((v) => v.el));
    for (const v of views) v.el.hidden = true;

    this.el = h(
      'div.app',
      {},
      h(
        'header.bar',
        {},
        h('div.brand', {}, h('span.logo', { 'aria-hidden': 'true' }), h('span.name', {}, 'hyperdesk')),
        h(
          'div.machine',
          { 'aria-live': 'polite' },
          this.machineBadge,
          this.stateBadge,
          this.modeBadge,
          this.engineBadge,
          this.clock,
        ),
        this.progress.el,
        h('span.spacer'),
        h('div.boot', {}, this.modeSelect, this.osSelect, this.threadsSelect, this.bootButton, this.offButton),
        h(
          'button.ghost.icon',
          {
            type: 'button',
            'data-action': 'settings',
            title: 'Settings (Ctrl+,)',
            'aria-label': 'Settings',
            onclick: () => this.open(this.settings),
          },
          '⚙',
        ),
        h(
          'button.ghost.icon',
          {
            type: 'button',
            'data-action': 'help',
            title: 'Keyboard shortcuts (F1 or ?)',
            'aria-label': 'Keyboard shortcuts',
            onclick: () => this.open(this.help),
          },
          '?',
        ),
      ),
      this.connectionLine,
      this.errorLine,
      this.storeLine,
      // The scrubber, while the machine is a replay (docs/recording.md#the-scrubber).
      new ReplayBar(ctx).el,
      h('div.app-body', {}, this.nav, main),
      h('footer.foot', {}, this.foot),
      this.help,
      this.settings,
    );

    this.machineBadge.addEventListener('click', () => this.show('machines'));
    ctx.onStatus((s) => this.status(s));
    ctx.on('progress', (e) => {
      if (!e.task.startsWith('compare')) this.progress.set(e.done, e.label);
    });
    document.addEventListener('keydown', (e) => this.key(e));
  }

  private open(d: HTMLDialogElement): void {
    for (const other of [this.help, this.settings]) if (other !== d && other.open) other.close();
    if (!d.open) d.showModal();
  }

  private key(e: KeyboardEvent): void {
    // F1 anywhere; ? only where it would not be typed (a field, the editor, a console take it).
    const typing = e.target instanceof HTMLElement && e.target.closest('input, textarea, select, [contenteditable]');
    if (e.key === 'F1' || (e.key === '?' && !typing && !e.ctrlKey && !e.metaKey && !e.altKey)) {
      e.preventDefault();
      this.open(this.help);
      return;
    }
    if ((e.ctrlKey || e.metaKey) && !e.shiftKey && e.key === ',') {
      e.preventDefault();
      this.open(this.settings);
      return;
    }
    if (e.altKey && !e.ctrlKey && !e.metaKey && (/^Digit[0-9]$/.test(e.code) || e.code === 'Minus')) {
      // Alt+0 is the tenth view, Alt+- (the key after 0) the eleventh.
      const v = this.views[e.code === 'Minus' ? 10 : (Number(e.code.slice(5)) || 10) - 1];
      if (v) {
        e.preventDefault();
        this.show(v.id);
      }
      return;
    }
    if ((e.ctrlKey || e.metaKey) && e.shiftKey && e.key.toLowerCase() === 'p') {
      e.preventDefault();
      void this.boot();
    } else if ((e.ctrlKey || e.metaKey) && e.shiftKey && e.key.toLowerCase() === 'o') {
      e.preventDefault();
      void this.powerOff();
    }
  }

  show(id: string): void {
    const v = this.views.find((x) => x.id === id);
    if (!v || v === this.current) return;
    if (this.current) {
      this.current.el.hidden = true;
      this.current.hidden?.();
    }
    this.current = v;
    v.el.hidden = false;
    document.body.dataset.view = id;
    for (const b of Array.from(this.nav.querySelectorAll<HTMLElement>('.nav-item'))) {
      const on = b.dataset.view === id;
      b.classList.toggle('current', on);
      if (on) b.setAttribute('aria-current', 'page');
      else b.removeAttribute('aria-current');
    }
    v.shown?.();
  }

  /** Shows the link to the app; `retry` tries again at once. */
  connection(c: ConnectionState, retry: () => void): void {
    clearInterval(this.connectionTimer);
    this.connectionTimer = undefined;
    document.body.dataset.connection = c.state;
    if (c.state === 'open') {
      this.connectionLine.hidden = true;
      return;
    }
    // What the top bar showed is no longer known: say so rather than show a frozen "running".
    this.stateBadge.textContent = 'disconnected';
    this.stateBadge.dataset.state = 'disconnected';
    this.connectionLine.hidden = false;
    if (c.state === 'refused') {
      this.connectionLine.replaceChildren(h('strong', {}, 'Disconnected from the app. '), `${c.why}.`);
      return;
    }
    const next = h('span.next-try', {});
    const tick = () => {
      const s = Math.max(0, Math.ceil((c.retryAt - Date.now()) / 1000));
      next.textContent = s > 0 ? `Next try in ${s} s.` : 'Trying…';
    };
    tick();
    this.connectionTimer = setInterval(tick, 500);
    this.connectionLine.replaceChildren(
      h('strong', {}, 'Disconnected from the app: '),
      `${c.why} (was it stopped?). The page reconnects by itself when it is back. `,
      next,
      ' ',
      h('button.small', { type: 'button', 'data-action': 'retry', onclick: () => retry() }, 'Retry now'),
    );
  }

  private status(s: MachineStatus): void {
    // A replay runs no time of its own: the badge says what it is (docs/recording.md#the-scrubber).
    const shown = s.replay && s.state === 'running' ? 'replay' : s.state;
    this.stateBadge.textContent = shown;
    this.stateBadge.dataset.state = shown;
    document.body.dataset.machine = s.state;
    this.modeBadge.textContent = modeLabel(s);
    this.followBoot(s);
    const name = machineLabel(s);
    this.machineBadge.hidden = !name;
    this.machineBadge.textContent = name;
    this.engineBadge.title = `Execution engine, per guest (a console's title bar changes a guest's): ${engineSummary(s.guests, s.config?.engine)}`;
    this.engineBadge.textContent = s.config
      ? `${engineSummary(s.guests, s.config.engine)} · ${s.config.cpus} pCPU${s.config.threads ? ' on threads' : ''} · ${s.config.memMiB} MiB`
      : '–';
    this.clock.textContent = s.state === 'off' ? '' : `machine t = ${num(s.seconds, 3)} s`;
    this.offButton.disabled = s.state === 'off';
    const label = s.state === 'off' || s.state === 'failed' ? 'Boot' : 'Reboot';
    if (this.bootButton.dataset.armed === 'true') this.bootButton.dataset.label = label;
    else this.bootButton.textContent = label;
    this.errorLine.hidden = !s.error;
    this.errorLine.textContent = s.error ? `Machine: ${s.error}` : '';
  }

  /** The boot selects show the running machine's mode, OS and threads (topbar.ts bootChoice). */
  private followBoot(s: MachineStatus): void {
    const c = bootChoice(s);
    if (!c) {
      // Off or failed: the next boot, even of the same config, is news to follow.
      this.bootKey = '';
      return;
    }
    if (c.key === this.bootKey) return;
    this.bootKey = c.key;
    this.modeSelect.value = c.mode;
    if (c.os && Array.from(this.osSelect.options).some((o) => o.value === c.os)) this.osSelect.value = c.os;
    this.threadsSelect.value = c.threads ? 'threads' : 'one';
    this.osSelect.hidden = c.mode !== 'dualboot';
    this.threadsSelect.hidden = c.mode !== 'hypervisor';
  }

  /**
   * Rebooting or powering off a running machine ends every guest: the first press arms the button
   * (it says so), a second press within a few seconds does it. An off machine boots at once.
   */
  private confirmed(button: HTMLButtonElement, question: string): boolean {
    if (this.ctx.status.state !== 'running' && this.ctx.status.state !== 'booting') return true;
    if (button.dataset.armed === 'true') {
      this.disarm(button);
      return true;
    }
    button.dataset.armed = 'true';
    button.dataset.label = button.textContent ?? '';
    button.textContent = question;
    button.classList.add('armed');
    setTimeout(() => this.disarm(button), 4000);
    return false;
  }

  private disarm(button: HTMLButtonElement): void {
    if (button.dataset.armed !== 'true') return;
    delete button.dataset.armed;
    button.textContent = button.dataset.label ?? button.textContent;
    button.classList.remove('armed');
  }

  private async boot(): Promise<void> {
    if (!this.confirmed(this.bootButton, 'Reboot? Press again')) return;
    const mode = this.modeSelect.value as MachineMode;
    // The engine from Settings (a saved machine, booted from Machines, has its own).
    const config: Partial<MachineConfig> = { mode, engine: this.ctx.prefs.settings.engine };
    if (mode === 'dualboot') config.boot = this.osSelect.value;
    else config.threads = this.threadsSelect.value === 'threads';
    this.progress.set(
      0,
      `Booting (${mode === 'dualboot' ? `dual boot: ${config.boot}` : `hypervisor${config.threads ? ', pCPU threads' : ''}`})…`,
    );
    const s = await busy(this.bootButton, () => this.ctx.api.boot(config), 'Boot: ');
    this.progress.set(1, s ? 'Booted' : 'Boot failed');
    if (s) this.ctx.setStatus(s);
  }

  private async powerOff(): Promise<void> {
    if (!this.confirmed(this.offButton, 'Power off? Press again')) return;
    const s = await busy(this.offButton, () => this.ctx.api.powerOff(), 'Power off: ');
    if (s) {
      this.ctx.setStatus(s);
      toast('The machine is off', 'info');
    }
  }

  /** Reads the status once (at start and after the event stream came back). */
  async refresh(): Promise<void> {
    try {
      this.ctx.setStatus(await this.ctx.api.status());
    } catch (e) {
      this.errorLine.hidden = false;
      this.errorLine.textContent = `Could not read the machine's status: ${message(e)}`;
    }
  }

  setFoot(text: string): void {
    this.foot.textContent = text;
  }

  /** The store's problem (undefined: the store is in use). */
  setStoreProblem(error: string | undefined): void {
    this.storeLine.hidden = !error;
    if (!error) return;
    const why = error.replace(/^the store is off: /, '').replace(/([^.])$/, '$1.');
    const kept = /kept only while the app runs/.test(why)
      ? ''
      : ' The event log and comparison runs are kept only while the app runs.';
    this.storeLine.replaceChildren(h('strong', {}, 'Nothing is saved: the store is off. '), `${why}${kept}`);
  }
}
