/**
 * Two small modal panels of the window (docs/app.md#settings, docs/app.md#keyboard): Settings
 * (console font size and theme, tabs or grid, the engine the top bar boots with; kept by
 * Preferences) and the keyboard help (F1 or ?). Both are <dialog> elements: Esc closes them and
 * focus returns where it was.
 */
import { h } from '../ui/dom.js';
import type { ConsoleTheme, Preferences, Settings } from './settings.js';

/** The window's shortcuts, as docs/app.md#keyboard lists them. */
export const SHORTCUTS: readonly [keys: string, what: string][] = [
  ['F1 or ?', 'this help'],
  [
    'Alt+1 … Alt+9, Alt+0, Alt+-',
    'Consoles, Editor, Control, Network, Performance, Compare, Log, Machines, Snapshots, Debug, Disks',
  ],
  ['Ctrl+Shift+P', 'boot, or reboot (press twice while the machine runs)'],
  ['Ctrl+Shift+O', 'power off (press twice)'],
  ['Ctrl+,', 'settings'],
  ['Ctrl+Shift+G', 'consoles: tabs or grid'],
  ['Ctrl+F', 'console: find (Enter next, Shift+Enter previous, Esc closes)'],
  ['Ctrl+Shift+C / Ctrl+Shift+V', 'console: copy the selection / paste'],
  ['Ctrl+Shift+K', 'console: clear the screen (the guest keeps running)'],
  ['Ctrl+S', 'editor: save the file (no reboot)'],
  ['Ctrl+Shift+B', 'editor: Assemble & reboot the guest'],
  ['Ctrl+Shift+S', 'network: save the capture'],
  ['F5 / F6 / F10 / F11 / Shift+F11', 'debug: continue / pause / step over / step / step out'],
];

function dialog(label: string, ...body: HTMLElement[]): HTMLDialogElement {
  const close = h('button.ghost.small', { type: 'button', 'data-action': 'close', 'aria-label': 'Close' }, 'Close');
  const d = h('dialog.panel', { 'aria-label': label }, h('div.panel-head', {}, h('h2', {}, label), close), ...body);
  close.addEventListener('click', () => d.close());
  // A click on the backdrop (outside the panel's box) closes it, as people expect of an overlay.
  d.addEventListener('click', (e) => {
    if (e.target === d) {
      const r = d.getBoundingClientRect();
      const inside = e.clientX >= r.left && e.clientX <= r.right && e.clientY >= r.top && e.clientY <= r.bottom;
      if (!inside) d.close();
    }
  });
  return d;
}

export function helpDialog(): HTMLDialogElement {
  return dialog(
    'Keyboard shortcuts',
    h(
      'table.data.shortcuts',
      {},
      h('tbody', {}, ...SHORTCUTS.map(([k, what]) => h('tr', {}, h('td', {}, h('kbd', {}, k)), h('td', {}, what)))),
    ),
    h(
      'p.muted',
      {},
      'Everything else is a button, field or list reachable with Tab. A console gets every other key: ' +
        'click into it to type to the guest.',
    ),
  );
}

export function settingsDialog(prefs: Preferences): HTMLDialogElement {
  const s = prefs.settings;
  const select = (name: keyof Settings, label: string, options: [string, string][], value: string) => {
    const el = h(
      'select',
      { name, 'aria-label': label },
      ...options.map(([v, text]) => h('option', { value: v }, text)),
    ) as HTMLSelectElement;
    el.value = value;
    return h('label.field', {}, h('span', {}, label), el);
  };
  const size = h('input', { name: 'fontSize', type: 'number', min: 10, max: 24, step: 1, value: s.fontSize });
  const form = h(
    'form.settings',
    {},
    h('label.field', {}, h('span', {}, 'Console font size (px)'), size),
    select(
      'consoleTheme',
      'Console theme',
      [
        ['dark', 'Dark'],
        ['light', 'Light'],
        ['amber', 'Amber (monochrome)'],
      ],
      s.consoleTheme,
    ),
    select(
      'layout',
      'Consoles',
      [
        ['tabs', 'Tabs (one at a time)'],
        ['grid', 'Grid (all at once)'],
      ],
      s.layout,
    ),
    select(
      'engine',
      'Engine for Boot',
      [
        ['interp', 'Interpreter (reference)'],
        ['jit', 'Translator (jit, faster)'],
      ],
      s.engine,
    ),
    select(
      'consoleRenderer',
      'Console renderer',
      [
        ['auto', 'Auto (WebGL on a hardware GPU, else DOM)'],
        ['webgl', 'WebGL'],
        ['dom', 'DOM'],
      ],
      s.consoleRenderer,
    ),
    h(
      'p.muted',
      {},
      'Saved in this browser (in the desktop app, its profile) and applied at once. The engine is the one the ' +
        "top bar's Boot uses; a saved machine (Machines) has its own, and a console's menu switches one guest.",
    ),
  );
  // Every change applies at once: no OK button to forget.
  form.addEventListener('change', () => {
    const f = new FormData(form);
    prefs.set({
      fontSize: Number(f.get('fontSize')),
      consoleTheme: String(f.get('consoleTheme')) as ConsoleTheme,
      layout: String(f.get('layout')) as Settings['layout'],
      engine: String(f.get('engine')) as Settings['engine'],
      consoleRenderer: String(f.get('consoleRenderer')) as Settings['consoleRenderer'],
    });
  });
  const d = dialog('Settings', form);
  // Opened again: show what is set now (Ctrl+Shift+G may have changed the layout meanwhile).
  prefs.onChange((now) => {
    for (const [k, v] of Object.entries(now)) {
      const el = form.elements.namedItem(k) as HTMLInputElement | HTMLSelectElement | null;
      if (el && el.value !== String(v)) el.value = String(v);
    }
  });
  return d;
}
