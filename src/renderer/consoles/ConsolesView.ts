/**
 * The Consoles view: one terminal per guest, as tabs (one at a time, full size) or as a tiled grid.
 * Guests come from the machine status; a new partition gets a terminal, a destroyed one keeps its
 * terminal (marked) until the machine boots again, so that its last words can still be read.
 */
import './consoles.css';
import type { GuestInfo, MachineStatus } from '../../shared/api.js';
import type { AppContext, View } from '../app/context.js';
import { h } from '../ui/dom.js';
import { GuestTerminal } from './GuestTerminal.js';
import { parseSaved, savedKey, type SavedConsole } from './savedConsole.js';

/** Page time (ms since it loaded) during which a saved console may be used (takeSaved). */
const SAVED_FOR_MS = 20_000;

export class ConsolesView implements View {
  readonly id = 'consoles';
  readonly title = 'Consoles';
  readonly el: HTMLElement;
  private readonly terms = new Map<number, GuestTerminal>();
  private readonly tabs: HTMLElement;
  private readonly area: HTMLElement;
  private readonly empty: HTMLElement;
  private readonly gridButton: HTMLButtonElement;
  private active: number | undefined;
  private grid: boolean;
  private visible = false;
  private shownKey = '';
  /** What was visible at the last render (visible, grid, the tab, the guests). */
  private layout = '';

  constructor(private readonly ctx: AppContext) {
    // Tabs or grid, and the tab shown, as they were before the reload (app/settings.ts).
    this.grid = ctx.prefs.settings.layout === 'grid';
    ctx.prefs.onChange((st) => {
      for (const t of this.terms.values()) t.applySettings(st);
      if ((st.layout === 'grid') !== this.grid) {
        this.grid = st.layout === 'grid';
        this.render();
      }
    });
    this.tabs = h('div.tabs', { role: 'tablist', 'aria-label': 'Guest consoles' });
    this.gridButton = h(
      'button.ghost',
      {
        type: 'button',
        title: 'Tabs or tiled grid (Ctrl+Shift+G)',
        'aria-pressed': 'false',
        onclick: () => this.toggleGrid(),
      },
      'Grid',
    );
    this.area = h('div.term-area', {});
    this.empty = h(
      'div.empty',
      {},
      h('p', {}, 'No guest is running. Boot the machine (Ctrl+Shift+P) to see its consoles here.'),
    );
    this.el = h(
      'section.view.consoles',
      { 'data-view': this.id },
      h(
        'div.toolbar',
        {},
        this.tabs,
        h('span.spacer', {}),
        h('span.hint', {}, 'Ctrl+F find · Ctrl+Shift+C/V copy/paste'),
        this.gridButton,
      ),
      this.area,
      this.empty,
    );

    ctx.onStatus((s, prev) => this.status(s, prev));
    ctx.on('console', (e) => {
      const t = this.terms.get(e.guest);
      if (e.reset) t?.replaceAll(e.data, e.end);
      else t?.output(e.data, e.end);
    });
    ctx.onReconnect(() => {
      for (const t of this.terms.values()) void t.reload();
    });
    // A reload keeps what each console showed (savedConsole.ts): saved as the page goes away.
    window.addEventListener('pagehide', () => this.saveAll());
    document.addEventListener('keydown', (e) => {
      if (!this.visible) return;
      if ((e.ctrlKey || e.metaKey) && e.shiftKey && e.key.toLowerCase() === 'g') {
        e.preventDefault();
        this.toggleGrid();
      }
    });
  }

  private status(s: MachineStatus, prev: MachineStatus): void {
    // A new machine: entering booting or off, or machine time going backwards (booted again while
    // this page was not told in between). Its consoles start from byte 0.
    const entered = (x: MachineStatus['state']) => s.state === x && prev.state !== x;
    // A replay moved back is the same machine (its consoles come whole: docs/recording.md#the-scrubber).
    const scrubbed = s.replay !== undefined && s.replay.name === prev.replay?.name;
    const rebooted =
      entered('booting') || entered('off') || (s.state === 'running' && s.seconds < prev.seconds && !scrubbed);
    if (rebooted) {
      // A new machine: its consoles start from nothing, and old guests' terminals go.
      for (const t of this.terms.values()) t.dispose();
      this.terms.clear();
      this.active = undefined;
    }
    for (const g of s.guests) this.ensure(g);
    for (const [id, t] of this.terms) {
      const g = s.guests.find((x) => x.id === id);
      t.rename(g?.name ?? t.el.dataset.name ?? `#${id}`, g ? g.state : 'gone', g?.engine, g?.technique);
      t.el.dataset.technique = g?.technique ?? '';
    }
    if (this.active === undefined || !this.terms.has(this.active)) {
      const remembered = s.guests.find((g) => g.name === this.ctx.prefs.place.consoleTab);
      this.active = (remembered ?? s.guests[0])?.id;
    }
    // Status events come several times a second (machine time); redraw only when what shows changed.
    const key = [...this.terms]
      .map(
        ([id, t]) =>
          `${id}:${t.el.dataset.name}:${t.el.dataset.state}:${t.el.dataset.engine}:${t.el.dataset.technique}`,
      )
      .join(',');
    if (rebooted || key !== this.shownKey) {
      this.shownKey = key;
      this.render();
    }
  }

  private ensure(g: GuestInfo): void {
    if (this.terms.has(g.id)) return;
    const t = new GuestTerminal(this.ctx.api, g.id, g.name, this.ctx.prefs.settings);
    this.terms.set(g.id, t);
    this.area.append(t.el);
    // Read the history now even when hidden: writes before open() are kept by xterm. What this tab
    // saved before a reload is used once (a machine booted later starts from its history).
    void t.load(this.takeSaved(g.id));
    if (this.visible) t.open();
  }

  /** Each console's state into this tab's sessionStorage; one that does not fit is left out. */
  private saveAll(): void {
    for (const [id, t] of this.terms) {
      const st = t.saveState();
      try {
        if (st) sessionStorage.setItem(savedKey(id), JSON.stringify(st));
        else sessionStorage.removeItem(savedKey(id));
      } catch {
        // Storage full or off: that console reloads from the host's history, as before.
      }
    }
  }

  /**
   * What the page saved for this guest before the reload. Read once from storage (and removed
   * there); kept for the page's first seconds, since a status that comes late can make the view
   * build its terminals again; a machine booted after that starts from its history.
   */
  private takeSaved(guest: number): SavedConsole | undefined {
    if (!this.saved) {
      this.saved = new Map();
      try {
        const keys = Array.from({ length: sessionStorage.length }, (_, i) => sessionStorage.key(i) ?? '');
        for (let id = 0; id <= 254; id++) {
          if (!keys.includes(savedKey(id))) continue;
          const st = parseSaved(sessionStorage.getItem(savedKey(id)));
          sessionStorage.removeItem(savedKey(id));
          if (st) this.saved.set(id, st);
        }
      } catch {
        // Storage off: every console from the host's history.
      }
    }
    return performance.now() < SAVED_FOR_MS ? this.saved.get(guest) : undefined;
  }

  private saved: Map<number, SavedConsole> | undefined;

  private render(): void {
    const ids = [...this.terms.keys()].sort((a, b) => a - b);
    this.empty.hidden = ids.length > 0;
    this.area.hidden = ids.length === 0;
    this.area.classList.toggle('grid', this.grid);
    this.area.style.setProperty('--cols', String(Math.min(3, Math.ceil(Math.sqrt(ids.length)))));
    this.tabs.replaceChildren(
      ...ids.map((id) => {
        const t = this.terms.get(id)!;
        const selected = this.grid || id === this.active;
        return h(
          'button.tab',
          {
            type: 'button',
            role: 'tab',
            'aria-selected': String(id === this.active),
            'data-guest': id,
            class: selected ? 'selected' : undefined,
            title: `${t.el.dataset.name}'s console`,
            onclick: () => this.select(id),
          },
          h('span.dot', { 'data-state': t.el.dataset.state ?? '' }),
          t.el.dataset.name ?? `#${id}`,
        );
      }),
    );
    // Tabs: every terminal stays laid out, stacked, and those behind are invisible (not display:
    // none). A terminal hidden with display:none keeps writing into a viewport it cannot measure,
    // and when shown again it showed the top of its history instead of its latest lines (issue 15).
    for (const [id, t] of this.terms) {
      const behind = !this.grid && id !== this.active;
      t.el.classList.toggle('behind', behind);
      t.el.inert = behind;
      t.el.setAttribute('aria-hidden', String(behind));
    }
    this.gridButton.setAttribute('aria-pressed', String(this.grid));
    this.gridButton.classList.toggle('on', this.grid);
    // Reveal (scroll to the latest lines) only when what is visible changed, not on every status:
    // a person who scrolled up to read stays where they are.
    const layout = `${this.visible}:${this.grid}:${this.grid ? '' : this.active}:${ids.join(',')}`;
    const moved = layout !== this.layout;
    this.layout = layout;
    if (this.visible) requestAnimationFrame(() => this.openVisible(moved));
  }

  /**
   * After a layout change: open what is now visible and show each terminal's latest lines (fit to
   * the new size, then scroll to the bottom; GuestTerminal.reveal says why).
   */
  private openVisible(moved: boolean): void {
    for (const t of this.terms.values()) {
      t.open();
      if (!moved) {
        t.fitNow();
        continue;
      }
      t.reveal();
      void t.load().then(() => t.reveal());
    }
  }

  select(id: number): void {
    this.active = id;
    const name = this.terms.get(id)?.el.dataset.name;
    if (name) this.ctx.prefs.remember({ consoleTab: name });
    this.render();
    requestAnimationFrame(() => this.terms.get(id)?.focus());
  }

  private toggleGrid(): void {
    // Through the settings: the choice is kept, and the Settings panel shows it.
    this.ctx.prefs.set({ layout: this.grid ? 'tabs' : 'grid' });
  }

  shown(): void {
    this.visible = true;
    this.render();
  }

  hidden(): void {
    this.visible = false;
    this.layout = '';
  }
}
