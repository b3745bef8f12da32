/**
 * One guest's console: an xterm.js terminal with fit, search and serialize (its state kept across a
 * reload: savedConsole.ts), fed from the guest's history and its `console` events (spliced so that
 * nothing shows twice), and typing sent to the guest in order (one request at a time; keys typed
 * meanwhile go together in the next one).
 */
import { FitAddon } from '@xterm/addon-fit';
import { SearchAddon } from '@xterm/addon-search';
import { SerializeAddon } from '@xterm/addon-serialize';
import { WebglAddon } from '@xterm/addon-webgl';
import { Terminal } from '@xterm/xterm';
import type { HostClient } from '../../shared/api.js';
import { isDisconnected } from '../connection.js';
import { h, message } from '../ui/dom.js';
import { toast } from '../ui/feedback.js';
import type { ConsoleTheme, Settings } from '../app/settings.js';
import { download } from '../ui/download.js';
import { ConsoleSplice } from './history.js';
import { chooseRenderer, probeWebgl, type ConsoleRenderer } from './renderer.js';
import { skipIdleSelectionRedraw } from './selectionRedraw.js';
import { MAX_SAVED_CHARS, resume, SAVED_SCROLLBACK, SAVED_TAIL, type SavedConsole } from './savedConsole.js';

const DARK = {
  background: '#0b0f14',
  foreground: '#d7dee8',
  cursor: '#5eb1ff',
  cursorAccent: '#0b0f14',
  selectionBackground: '#2f4a6b',
  black: '#1b222c',
  red: '#ff7b72',
  green: '#3fb950',
  yellow: '#d29922',
  blue: '#58a6ff',
  magenta: '#bc8cff',
  cyan: '#39c5cf',
  white: '#d7dee8',
  brightBlack: '#6e7681',
  brightRed: '#ffa198',
  brightGreen: '#56d364',
  brightYellow: '#e3b341',
  brightBlue: '#79c0ff',
  brightMagenta: '#d2a8ff',
  brightCyan: '#56d4dd',
  brightWhite: '#f0f6fc',
};

/** The console themes of Settings (app/settings.ts). */
export const THEMES: Record<ConsoleTheme, typeof DARK> = {
  dark: DARK,
  light: {
    ...DARK,
    background: '#fbfcfd',
    foreground: '#1f2328',
    cursor: '#0969da',
    cursorAccent: '#fbfcfd',
    selectionBackground: '#b6d7ff',
    black: '#24292f',
    white: '#6e7781',
    yellow: '#9a6700',
    green: '#1a7f37',
    brightWhite: '#8c959f',
  },
  amber: {
    ...DARK,
    background: '#120c02',
    foreground: '#ffb000',
    cursor: '#ffcc33',
    cursorAccent: '#120c02',
    selectionBackground: '#5a3d00',
    white: '#ffb000',
    brightWhite: '#ffd060',
  },
};

export class GuestTerminal {
  readonly el: HTMLElement;
  readonly term: Terminal;
  private readonly fit = new FitAddon();
  private readonly search = new SearchAddon();
  /** The screen and scrollback as escape sequences, kept across a reload (savedConsole.ts). */
  private readonly serializer = new SerializeAddon();
  /**
   * The last bytes xterm has parsed (savedConsole.ts checks a reload's place in the host's history
   * by them), and the console's end they reach: what the serialized screen shows.
   */
  private tail = '';
  private readonly splice = new ConsoleSplice();
  /** Bumped by replaceAll, so that a history answer asked before it is not applied after it. */
  private gen = 0;
  private readonly searchBox: HTMLInputElement;
  private readonly searchBar: HTMLElement;
  private readonly titleEl: HTMLElement;
  /** Which engine runs this guest's code; changing it asks the host (setEngine). */
  private readonly engineSel: HTMLSelectElement;
  private opened = false;
  private pendingInput = '';
  private sending = false;
  private loading: Promise<void> | undefined;
  /** The WebGL addon while it draws (renderer.ts); undefined: xterm's DOM renderer draws. */
  private webgl: WebglAddon | undefined;
  private rendererSetting: ConsoleRenderer;
  /** This console's WebGL context was lost: DOM from then on (renderer.ts). */
  private contextLost = false;
  /** The console's end up to which xterm has parsed the output; data-drawn once a frame shows it. */
  private parsedEnd = 0;
  /** Bumped when the terminal is reset, so that a write parsed after it does not move parsedEnd. */
  private resets = 0;

  constructor(
    private readonly api: HostClient,
    readonly guest: number,
    name: string,
    settings: Pick<Settings, 'fontSize' | 'consoleTheme' | 'consoleRenderer'>,
  ) {
    this.rendererSetting = settings.consoleRenderer;
    this.term = new Terminal({
      theme: THEMES[settings.consoleTheme],
      fontFamily: "'JetBrains Mono', 'Cascadia Code', 'DejaVu Sans Mono', Menlo, Consolas, monospace",
      fontSize: settings.fontSize,
      lineHeight: 1.15,
      scrollback: 5000,
      cursorBlink: true,
      convertEol: false,
      allowProposedApi: true,
    });
    this.term.loadAddon(this.fit);
    this.term.loadAddon(this.search);
    this.term.loadAddon(this.serializer);
    this.term.onData((d) => this.send(d));
    this.term.attachCustomKeyEventHandler((e) => this.key(e));
    // data-drawn: the output's end that a drawn frame shows, whichever renderer draws (the
    // console-throughput bench waits for it: docs/performance.md#console-throughput).
    this.term.onRender(() => {
      if (this.el.dataset.drawn !== String(this.parsedEnd)) this.el.dataset.drawn = String(this.parsedEnd);
    });

    this.searchBox = h('input.search-input', {
      type: 'search',
      placeholder: 'Find in console (Enter: next, Shift+Enter: previous, Esc: close)',
      'aria-label': `Find in ${name}'s console`,
    });
    this.searchBox.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') {
        e.preventDefault();
        this.find(e.shiftKey ? 'previous' : 'next');
      } else if (e.key === 'Escape') {
        e.preventDefault();
        this.closeSearch();
      }
    });
    this.searchBox.addEventListener('input', () => this.find('next', true));
    this.searchBar = h('div.term-search', { hidden: true }, this.searchBox);
    this.titleEl = h('span.term-name', {}, name);
    this.engineSel = h(
      'select.term-engine',
      { 'aria-label': `How ${name}'s code runs`, title: 'interpreter or block translator (same results)' },
      h('option', { value: 'interp' }, 'interpreter'),
      h('option', { value: 'jit' }, 'translator (jit)'),
    ) as HTMLSelectElement;
    this.engineSel.addEventListener('change', () => {
      const want = this.engineSel.value as 'interp' | 'jit';
      this.api.setEngine(this.guest, want).catch((e: unknown) => toast(`setEngine: ${message(e)}`, 'error'));
    });
    this.el = h(
      'section.term',
      { 'data-guest': guest, 'data-name': name, 'aria-label': `${name} console` },
      h(
        'header.term-head',
        {},
        this.titleEl,
        h('span.term-state', {}),
        h('span.term-technique', { title: 'how the hypervisor virtualizes it (ctl: technique ID ...)' }),
        h('span.term-renderer', {}),
        this.engineSel,
        h(
          'button.ghost.small.term-clear',
          {
            type: 'button',
            'data-action': 'clear',
            title: 'Clear the screen and scrollback (Ctrl+Shift+K); the guest keeps running',
            onclick: () => this.clear(),
          },
          'Clear',
        ),
        h(
          'button.ghost.small.term-export',
          {
            type: 'button',
            'data-action': 'export',
            title: "Save the console's text as a file",
            onclick: () => this.exportText(),
          },
          'Export',
        ),
      ),
      this.searchBar,
      h('div.term-body', {}),
    );
    this.el.dataset.theme = settings.consoleTheme;
  }

  rename(name: string, state: string, engine?: 'interp' | 'jit', technique?: string): void {
    const t = this.el.querySelector('.term-technique');
    if (t) t.textContent = technique ?? '';
    if (engine && this.engineSel.value !== engine) this.engineSel.value = engine;
    this.el.dataset.engine = engine ?? '';
    this.titleEl.textContent = name;
    this.el.dataset.name = name;
    this.el.dataset.state = state;
    const s = this.el.querySelector('.term-state');
    if (s) s.textContent = state;
  }

  /** Font size, theme and renderer from Settings, applied at once. */
  applySettings(settings: Pick<Settings, 'fontSize' | 'consoleTheme' | 'consoleRenderer'>): void {
    this.rendererSetting = settings.consoleRenderer;
    this.applyRenderer();
    this.term.options.fontSize = settings.fontSize;
    this.term.options.theme = THEMES[settings.consoleTheme];
    this.el.dataset.theme = settings.consoleTheme;
    // A new font size refits the terminal: show the latest lines after it, as after a layout change.
    this.reveal();
  }

  /**
   * Clears what this page shows (screen and scrollback); the guest and its history on the host are
   * untouched. A reload keeps it cleared (savedConsole.ts); another page shows the whole history.
   */
  clear(): void {
    this.term.clear();
    this.term.focus();
  }

  /** The console's text (scrollback and screen, trailing blanks trimmed), one line per row. */
  text(): string {
    const b = this.term.buffer.active;
    const lines: string[] = [];
    for (let i = 0; i < b.length; i++) {
      const line = b.getLine(i);
      if (!line) continue;
      // A wrapped row continues the line before it.
      if (line.isWrapped && lines.length) lines[lines.length - 1] += line.translateToString(true);
      else lines.push(line.translateToString(true));
    }
    while (lines.length && lines[lines.length - 1] === '') lines.pop();
    return `${lines.join('\n')}\n`;
  }

  exportText(): void {
    const name = this.el.dataset.name ?? `guest${this.guest}`;
    const stamp = new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-');
    download(`${name}-console-${stamp}.txt`, new TextEncoder().encode(this.text()), 'text/plain');
    toast(`Saved ${name}'s console`, 'ok');
  }

  /**
   * Shows the latest output: after a layout change (tabs, grid) the terminal was hidden, and its
   * viewport's scroll position was lost (a hidden element scrolls to 0), which left the top of the
   * history on screen (issue 15). Fit to the new size, then go to the bottom.
   */
  reveal(): void {
    if (!this.opened || this.el.offsetParent === null) return;
    this.fitNow();
    // The fit's resize makes xterm sync its viewport on its next frame, from the scroll position it
    // had before (ten rows up after going from 24 rows to 14): go to the bottom after that frame,
    // and once more a little later in case that frame had nothing to draw.
    const bottom = () => {
      if (this.el.offsetParent !== null) this.term.scrollToBottom();
    };
    const once = this.term.onRender(() => {
      once.dispose();
      requestAnimationFrame(bottom);
    });
    setTimeout(() => {
      once.dispose();
      bottom();
    }, 150);
  }

  /** Opens the terminal in the DOM (it must be attached and visible to measure itself). */
  open(): void {
    if (this.opened) return;
    this.opened = true;
    this.term.open(this.el.querySelector('.term-body') as HTMLElement);
    // xterm 6 draws every row a second time per frame while output scrolls (selectionRedraw.ts);
    // its render service exists from open() on.
    this.el.dataset.selectionRedraw = skipIdleSelectionRedraw(this.term) ? 'skip-idle' : 'xterm';
    this.applyRenderer();
    new ResizeObserver(() => this.fitNow()).observe(this.el);
    this.fitNow();
  }

  /**
   * Loads or drops the WebGL addon as chooseRenderer says (renderer.ts), and shows the choice: the
   * header's `webgl`/`dom` tag with why in its tooltip, and data-renderer on the section. A lost
   * context or an addon that fails to start falls back to xterm's DOM renderer.
   */
  private applyRenderer(): void {
    if (!this.opened) return;
    let choice = chooseRenderer(this.rendererSetting, probeWebgl(), this.contextLost);
    if (choice.renderer === 'webgl' && !this.webgl) {
      const addon = new WebglAddon();
      try {
        this.term.loadAddon(addon);
        this.webgl = addon;
        addon.onContextLoss(() => {
          this.contextLost = true;
          this.applyRenderer();
        });
      } catch (e) {
        addon.dispose();
        choice = { renderer: 'dom', why: `DOM renderer: WebGL did not start (${message(e)})` };
      }
    }
    if (choice.renderer === 'dom' && this.webgl) {
      const addon = this.webgl;
      this.webgl = undefined;
      addon.dispose();
    }
    this.el.dataset.renderer = choice.renderer;
    const tag = this.el.querySelector<HTMLElement>('.term-renderer');
    if (tag) {
      tag.textContent = choice.renderer;
      tag.title = `${choice.why}; Settings: console renderer`;
    }
  }

  fitNow(): void {
    if (!this.opened || this.el.offsetParent === null) return;
    try {
      this.fit.fit();
    } catch {
      // Not measurable while hidden; the next resize fits it.
    }
  }

  focus(): void {
    this.term.focus();
  }

  /**
   * Reads the history (once per machine boot, or again after the event stream dropped). With what
   * the page saved before a reload (`saved`), it draws that and only the history's bytes past it,
   * when the history shows it is this console's past (savedConsole.ts); else the history whole.
   */
  load(saved?: SavedConsole): Promise<void> {
    if (!this.loading) {
      const gen = this.gen;
      this.loading = this.api.consoleHistory(this.guest).then(
        (h) => {
          // A replay moved meanwhile (replaceAll): its content is newer than this answer.
          if (gen !== this.gen) return;
          const r = resume(saved, this.el.dataset.name ?? '', h);
          if (!r) return this.write(this.splice.history(h.data, h.end));
          this.term.resize(saved!.cols, saved!.rows); // the size it was saved at: fit() refits after
          const resets = this.resets;
          this.term.write(r.screen, () => {
            if (resets !== this.resets) return;
            this.tail = saved!.tail;
            this.parsedEnd = Math.max(this.parsedEnd, saved!.end);
          });
          this.write(this.splice.history(r.rest, h.end));
        },
        (e: unknown) => {
          this.loading = undefined;
          this.term.write(`\x1b[31m[could not read the console history: ${message(e)}]\x1b[0m\r\n`);
          this.splice.history('', 0);
        },
      );
    }
    return this.loading;
  }

  /**
   * The terminal as it shows now, for the page's next load (savedConsole.ts), or undefined before
   * the history is in or when even the shortest scrollback does not fit.
   */
  saveState(): SavedConsole | undefined {
    if (!this.splice.ready) return undefined;
    for (const scrollback of SAVED_SCROLLBACK) {
      const screen = this.serializer.serialize({ scrollback });
      if (screen.length > MAX_SAVED_CHARS) continue;
      const { cols, rows } = this.term;
      // What xterm has parsed, which is what the screen shows: output written but not parsed yet
      // comes from the host's history after the reload.
      return { v: 1, name: this.el.dataset.name ?? '', end: this.parsedEnd, tail: this.tail, screen, cols, rows };
    }
    return undefined;
  }

  /** Starts over: the machine was booted again, or events were lost. */
  reload(): Promise<void> {
    this.splice.reset();
    this.resetTerm();
    this.loading = undefined;
    return this.load();
  }

  /**
   * Shows `data` instead of everything shown: a replay moved, and this is the console as it was at
   * that moment (docs/recording.md#the-scrubber). Scrollback included; the view stays at the bottom.
   */
  replaceAll(data: string, end: number): void {
    this.gen++;
    this.splice.reset();
    this.resetTerm();
    this.loading = Promise.resolve();
    this.write(this.splice.history(data, end));
  }

  output(data: string, end: number): void {
    this.write(this.splice.event(data, end));
  }

  /** The terminal starts over: nothing queued or parsed before counts. */
  private resetTerm(): void {
    this.resets++;
    this.tail = '';
    this.parsedEnd = 0;
    this.term.reset();
  }

  /**
   * Writes output to xterm (one write per event: xterm parses its queue in slices of its own). The
   * tail and parsedEnd follow what xterm has parsed, which is what saveState's screen shows.
   */
  private write(text: string): void {
    // data-end even when nothing is new (a reload that drew its saved screen): where the output is.
    this.el.dataset.end = String(this.splice.end);
    if (!text) return;
    const end = this.splice.end;
    const resets = this.resets;
    this.term.write(text, () => {
      if (resets !== this.resets) return;
      this.parsedEnd = Math.max(this.parsedEnd, end);
      this.tail = text.length >= SAVED_TAIL ? text.slice(-SAVED_TAIL) : (this.tail + text).slice(-SAVED_TAIL);
    });
  }

  private send(data: string): void {
    this.pendingInput += data;
    if (this.sending) return;
    void this.flush();
  }

  private async flush(): Promise<void> {
    this.sending = true;
    while (this.pendingInput) {
      const chunk = this.pendingInput.slice(0, 65536);
      this.pendingInput = this.pendingInput.slice(chunk.length);
      try {
        await this.api.consoleInput(this.guest, chunk);
      } catch (e) {
        // Disconnected: the bar under the top bar says so; a toast per key would only pile up.
        if (!isDisconnected(e)) toast(`Typing into ${this.el.dataset.name}: ${message(e)}`, 'error');
        this.pendingInput = '';
      }
    }
    this.sending = false;
  }

  /** Ctrl+F search, Ctrl+Shift+C / Ctrl+Shift+V copy and paste; everything else goes to the guest. */
  private key(e: KeyboardEvent): boolean {
    if (e.type !== 'keydown') return true;
    const mod = e.ctrlKey || e.metaKey;
    // The window's shortcuts (docs/app.md#keyboard) are not typed into the guest.
    if (e.altKey && !mod && (/^Digit[0-9]$/.test(e.code) || e.code === 'Minus')) return false;
    if (mod && e.shiftKey && 'pogbs'.includes(e.key.toLowerCase())) return false;
    if (e.key === 'F1' || (mod && !e.shiftKey && e.key === ',')) return false;
    if (mod && e.shiftKey && e.key.toLowerCase() === 'k') {
      e.preventDefault();
      this.clear();
      return false;
    }
    if (mod && !e.shiftKey && e.key.toLowerCase() === 'f') {
      e.preventDefault();
      this.openSearch();
      return false;
    }
    if (mod && e.shiftKey && e.key.toLowerCase() === 'c') {
      e.preventDefault();
      const sel = this.term.getSelection();
      if (sel) void navigator.clipboard?.writeText(sel).catch(() => toast('Copy was refused by the browser', 'error'));
      return false;
    }
    if (mod && e.shiftKey && e.key.toLowerCase() === 'v') {
      e.preventDefault();
      void navigator.clipboard
        ?.readText()
        .then((t) => this.term.paste(t))
        .catch(() => toast('Paste was refused by the browser: use the context menu or Shift+Insert', 'error'));
      return false;
    }
    return true;
  }

  openSearch(): void {
    this.searchBar.hidden = false;
    const sel = this.term.getSelection();
    if (sel && !sel.includes('\n')) this.searchBox.value = sel;
    this.searchBox.focus();
    this.searchBox.select();
    this.fitNow();
  }

  private closeSearch(): void {
    this.searchBar.hidden = true;
    this.search.clearDecorations();
    this.fitNow();
    this.term.focus();
  }

  private find(direction: 'next' | 'previous', incremental = false): void {
    const q = this.searchBox.value;
    if (!q) return;
    const opts = {
      incremental,
      decorations: {
        matchBackground: '#3b3216',
        matchOverviewRuler: '#d29922',
        activeMatchBackground: '#7a5c12',
        activeMatchColorOverviewRuler: '#e3b341',
      },
    };
    const found = direction === 'next' ? this.search.findNext(q, opts) : this.search.findPrevious(q, opts);
    this.searchBox.classList.toggle('not-found', !found);
  }

  dispose(): void {
    this.webgl?.dispose();
    this.term.dispose();
    this.el.remove();
  }
}
