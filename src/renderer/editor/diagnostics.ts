/**
 * The Editor's checks while typing (docs/app.md#editor): the host assembles the current source a
 * moment after the last keystroke, and its diagnostics become Monaco markers, the status line and
 * the problems list under the editor (a click goes to the line). Moved out of EditorView.ts, which
 * keeps the files, Save and Assemble & reboot.
 */
import type { Diagnostic } from '../../shared/api.js';
import type { AppContext } from '../app/context.js';
import { bytes, h, message } from '../ui/dom.js';
import { markersFor } from './asmLanguage.js';
import type { OpenFile } from './imageFiles.js';
import type * as monaco from 'monaco-editor/editor/editor.api';

/** Monaco and our language (EditorView loads it lazily; until then there are no markers to set). */
type MonacoModule = typeof import('./monacoAsm.js');

const DIAGNOSE_DELAY_MS = 350;
/** The owner of our markers in Monaco (a model's markers are kept per owner). */
const OWNER = 'hd32asm';

/** What the checks read from and write to in the view that owns them. */
export interface DiagnosticsHost {
  /** The file shown in the editor, if any. */
  current(): OpenFile | undefined;
  editor(): monaco.editor.IStandaloneCodeEditor | undefined;
  monaco(): MonacoModule | undefined;
  statusLine: HTMLElement;
  /** The view's element: `data-diagnostics` says how many the last check found (the e2e tests read it). */
  view(): HTMLElement;
}

export class Diagnostics {
  /** The problems list under the editor, hidden when there are none. */
  readonly problems = h('ul.problems', { 'aria-label': 'Problems', hidden: true });
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** Counts the checks: an answer whose number is not the last is stale (the text moved on). */
  private seq = 0;

  constructor(
    private readonly ctx: AppContext,
    private readonly host: DiagnosticsHost,
  ) {}

  /** Checks the current file after `delay` ms without another call (debounced typing). */
  schedule(delay = DIAGNOSE_DELAY_MS): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.diagnose(), delay);
  }

  /** Asks the host to assemble the current text; stale answers (the text moved on) are dropped. */
  private async diagnose(): Promise<void> {
    const f = this.host.current();
    const status = this.host.statusLine;
    if (!f || f.kind !== 'source') {
      const where = f?.image ? ` on ${f.image.name}:${f.image.part}` : '';
      status.textContent = f ? `${f.name}${where} · plain text` : 'Open a file';
      return;
    }
    const seq = ++this.seq;
    const source = f.model.getValue();
    try {
      const r = await this.ctx.api.assemble(f.name, source);
      if (seq !== this.seq || f.model.isDisposed()) return;
      this.show(f, source, r.diagnostics);
      const errors = r.diagnostics.filter((d) => d.severity === 'error').length;
      status.textContent = r.ok
        ? `${f.name} · assembles: ${bytes(r.bytes ?? 0)}${r.diagnostics.length ? ` · ${r.diagnostics.length} warning(s)` : ''}`
        : `${f.name} · ${errors} error(s)`;
      this.host.view().dataset.diagnostics = String(r.diagnostics.length);
    } catch (e) {
      if (seq !== this.seq) return;
      status.textContent = `${f.name} · cannot check: ${message(e)}`;
    }
  }

  /** A deploy's own diagnostics: shown at once, and any check still on its way is stale. */
  showDeployed(f: OpenFile, source: string, diagnostics: Diagnostic[]): void {
    this.seq++;
    this.show(f, source, diagnostics);
  }

  private show(f: OpenFile, source: string, diagnostics: Diagnostic[]): void {
    const markers = markersFor(f.name, source, diagnostics);
    const m = this.host.monaco();
    if (m) m.monaco.editor.setModelMarkers(f.model, OWNER, m.toMonacoMarkers(markers));
    this.problems.replaceChildren(
      ...markers.map((mk) =>
        h(
          'li',
          { class: mk.severity },
          h(
            'button.problem',
            {
              type: 'button',
              onclick: () => {
                const editor = this.host.editor();
                editor?.setPosition({ lineNumber: mk.startLineNumber, column: mk.startColumn });
                editor?.revealLineInCenter(mk.startLineNumber);
                editor?.focus();
              },
            },
            h('span.where', {}, `${f.name}:${mk.startLineNumber}:${mk.startColumn}`),
            mk.message,
          ),
        ),
      ),
    );
    this.problems.hidden = markers.length === 0;
    // Toasts rise above the problem list instead of covering it (style.css).
    document.body.style.setProperty('--problems-h', `${this.problems.hidden ? 0 : this.problems.offsetHeight + 8}px`);
  }
}
