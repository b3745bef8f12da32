/**
 * Tiny DOM helpers: the UI is plain TypeScript over the DOM, so these keep the views short without a
 * framework. Nothing here knows about the host API.
 */

type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | number | boolean | undefined | ((e: Event) => void)>;

/**
 * Creates an element: `h('button.primary', { onclick, title }, 'Boot')`. A tag may carry `.class`
 * and `#id` suffixes. Attributes starting with `on` are listeners; `false`/`undefined` are left out.
 */
export function h<K extends keyof HTMLElementTagNameMap>(
  spec: K | `${K}${'.' | '#'}${string}`,
  attrs: Attrs = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const [tagAndId, ...classes] = spec.split('.');
  const [tag, id] = tagAndId!.split('#');
  const el = document.createElement(tag as K);
  if (id) el.id = id;
  if (classes.length) el.className = classes.join(' ');
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    if (typeof v === 'function') el.addEventListener(k.slice(2).toLowerCase(), v);
    else if (k === 'class') el.className = [el.className, String(v)].filter(Boolean).join(' ');
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
  append(el, children);
  return el;
}

export function append(el: Element, children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    el.append(typeof c === 'string' || typeof c === 'number' ? String(c) : c);
  }
}

/** Replaces all children of `el`. */
export function replace(el: Element, ...children: Child[]): void {
  el.replaceChildren();
  append(el, children);
}

/** An error's message, without the `Error: ` prefix, for showing to the user. */
export function message(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}

/** `1536` -> `1.5 KiB`; sizes in the UI are binary units, as ctl prints them. */
export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v >= 100 || Number.isInteger(v) ? v.toFixed(0) : v.toFixed(1)} ${units[i]}`;
}

export const hex = (n: number, width = 8): string => `0x${(n >>> 0).toString(16).padStart(width, '0')}`;

/** A number with a fixed count of decimals and thin grouping, for tables. */
export function num(n: number, decimals = 0): string {
  return n.toLocaleString('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
}

/** A table header row; a title written `#Name` is a numeric column, right-aligned like its cells. */
export function headRow(titles: string[]): HTMLTableSectionElement {
  return h(
    'thead',
    {},
    h('tr', {}, ...titles.map((t) => (t.startsWith('#') ? h('th.num', {}, t.slice(1)) : h('th', {}, t)))),
  );
}
