/**
 * Feedback for the user: toasts (success, error) and busy states. Anything that may take over half
 * a second shows a spinner on the control that started it (after 300 ms, so fast calls do not
 * flicker), and long host tasks show a progress bar fed by `progress` events.
 */
import './feedback.css';
import { h, message } from './dom.js';

let toastHost: HTMLElement | undefined;

/** Shows a short message in the corner; errors stay longer and are announced to screen readers. */
export function toast(text: string, kind: 'ok' | 'error' | 'info' = 'info'): void {
  if (!toastHost) {
    toastHost = h('div.toasts', { role: 'status', 'aria-live': 'polite' });
    document.body.append(toastHost);
  }
  // The same message again (a failing call retried by hand, a burst of the same error) counts up on
  // the toast already shown instead of stacking copies over the window.
  const last = toastHost.lastElementChild as HTMLElement | null;
  if (last && !last.classList.contains('leaving') && last.dataset.kind === kind && last.dataset.text === text) {
    const n = Number(last.dataset.count ?? '1') + 1;
    last.dataset.count = String(n);
    last.textContent = `${text} (×${n})`;
    return;
  }
  const el = h(`div.toast.${kind}`, { 'data-kind': kind, 'data-text': text }, text);
  toastHost.append(el);
  const ms = kind === 'error' ? 9000 : 4500;
  setTimeout(() => {
    el.classList.add('leaving');
    setTimeout(() => el.remove(), 250);
  }, ms);
  el.addEventListener('click', () => el.remove());
}

/**
 * Runs `work` with `control` marked busy (disabled, a spinner after 300 ms). Returns its result, or
 * undefined after showing the error in a toast (and in `errorEl` when given), so that a failed call
 * never becomes an unhandled rejection.
 */
export async function busy<T>(
  control: HTMLElement | undefined,
  work: () => Promise<T>,
  errorPrefix = '',
): Promise<T | undefined> {
  const timer = control ? setTimeout(() => control.classList.add('spinning'), 300) : undefined;
  if (control) {
    control.setAttribute('aria-busy', 'true');
    if (control instanceof HTMLButtonElement) control.disabled = true;
  }
  try {
    return await work();
  } catch (e) {
    toast(`${errorPrefix}${message(e)}`, 'error');
    return undefined;
  } finally {
    clearTimeout(timer);
    if (control) {
      control.classList.remove('spinning');
      control.removeAttribute('aria-busy');
      if (control instanceof HTMLButtonElement) control.disabled = false;
    }
  }
}

/** A progress bar for one host task (`compare`, `boot`): shown while 0 <= done < 1. */
export class ProgressBar {
  readonly el = h('div.progress', { hidden: true, role: 'progressbar', 'aria-valuemin': 0, 'aria-valuemax': 100 });
  private readonly fill = h('div.fill');
  private readonly label = h('span.label');
  private hideTimer: ReturnType<typeof setTimeout> | undefined;

  constructor() {
    this.el.append(this.fill, this.label);
  }

  set(done: number, label: string): void {
    clearTimeout(this.hideTimer);
    const pct = Math.max(0, Math.min(1, done)) * 100;
    this.el.hidden = false;
    this.fill.style.width = `${pct}%`;
    this.label.textContent = label;
    this.el.setAttribute('aria-valuenow', String(Math.round(pct)));
    if (done >= 1) this.hideTimer = setTimeout(() => (this.el.hidden = true), 1200);
  }
}
