/**
 * The debugger in the editor (docs/app.md#debug): a click in the glyph margin left of a source line
 * sets a breakpoint on that line of the guest's program, or removes it (as VS Code does); the line
 * where the guest stopped is highlighted while its file is open; and "Debug from start" deploys the
 * program as Assemble & reboot does, stopping the guest before its first instruction. The
 * breakpoints are the Debug view's (DebugModel): set here, listed there, and the other way round.
 */
import './debugGutter.css';
import type * as monaco from 'monaco-editor/editor/editor.api';
import type { DeployResult } from '../../shared/api.js';
import type { AppContext } from '../app/context.js';
import { DebugModel } from '../debug/DebugModel.js';
import { h } from '../ui/dom.js';

type Monaco = typeof monaco;

/** The open file, as the editor holds it. */
export interface GutterFile {
  guest: number;
  name: string;
  kind: string;
}

export class DebugGutter {
  private readonly model: DebugModel;
  private file: GutterFile | undefined;
  private readonly decorations: monaco.editor.IEditorDecorationsCollection;
  private readonly hover: monaco.editor.IEditorDecorationsCollection;
  /** "Debug from start": shown when the host's debugger can stop a deployed program at its entry. */
  readonly button: HTMLButtonElement;

  constructor(
    ctx: AppContext,
    private readonly m: Monaco,
    private readonly editor: monaco.editor.IStandaloneCodeEditor,
    onDebugDeploy: () => void,
  ) {
    this.model = DebugModel.of(ctx);
    editor.updateOptions({ glyphMargin: true });
    this.decorations = editor.createDecorationsCollection();
    this.hover = editor.createDecorationsCollection();
    this.button = h(
      'button',
      {
        type: 'button',
        'data-action': 'debug-deploy',
        title: 'Assemble, write and reboot the guest, stopped before the program’s first instruction (Debug view)',
        hidden: !this.model.api?.debugDeploy,
      },
      'Debug from start',
    );
    this.button.addEventListener('click', onDebugDeploy);
    editor.onMouseDown((e) => {
      if (e.target.type !== m.editor.MouseTargetType.GUTTER_GLYPH_MARGIN) return;
      const line = e.target.position?.lineNumber;
      const f = this.file;
      if (!line || !f || f.kind !== 'source') return;
      void this.model.toggleLine(f.guest, f.name, line).catch(() => {
        // The host refused (no such guest now): the list shows what was asked; nothing to undo.
      });
    });
    // A faint dot where a click would put a breakpoint, as VS Code shows.
    editor.onMouseMove((e) => {
      const line =
        e.target.type === m.editor.MouseTargetType.GUTTER_GLYPH_MARGIN ? e.target.position?.lineNumber : undefined;
      this.hover.set(
        line && this.file?.kind === 'source'
          ? [{ range: new m.Range(line, 1, line, 1), options: { glyphMarginClassName: 'bp-glyph-hint' } }]
          : [],
      );
    });
    editor.onMouseLeave(() => this.hover.clear());
    this.model.onChange((g) => {
      if (g === this.file?.guest) this.render();
    });
  }

  /** The editor shows another file (or none). */
  setFile(f: GutterFile | undefined): void {
    this.file = f;
    this.button.disabled = !f || f.kind !== 'source';
    this.render();
  }

  /** Deploys with a stop at the program's entry, and sends the guest's breakpoints again. */
  async deploy(guest: number, name: string, source: string): Promise<DeployResult> {
    const api = this.model.api;
    if (!api?.debugDeploy) throw new Error('this host’s debugger cannot deploy a program stopped at its entry');
    return api.debugDeploy(guest, name, source, true);
  }

  /** A program was deployed into the guest: its line breakpoints are placed now (or say why not). */
  async deployed(guest: number): Promise<void> {
    try {
      await this.model.refresh(guest);
    } catch {
      // The guest is rebooting and not there yet: the next stop reads the state again.
    }
  }

  /** After "Debug from start": the Debug view, on that guest (the shell's navigation, as a click). */
  showDebugView(guest: number): void {
    this.model.focus(guest);
    document.querySelector<HTMLElement>('nav .nav-item[data-view="debug"]')?.click();
  }

  private render(): void {
    const f = this.file;
    if (!f || f.kind !== 'source') {
      this.decorations.clear();
      return;
    }
    const m = this.m;
    const placed = this.model.breakpoints(f.guest);
    const out: monaco.editor.IModelDeltaDecoration[] = [];
    for (const b of this.model.requested(f.guest)) {
      if (b.file !== f.name || b.line === undefined) continue;
      const p = placed.find((x) => x.file === b.file && x.line === b.line);
      const bad = p !== undefined && !p.verified;
      out.push({
        range: new m.Range(b.line, 1, b.line, 1),
        options: {
          glyphMarginClassName: bad ? 'bp-glyph unverified' : 'bp-glyph',
          glyphMarginHoverMessage: {
            value: bad
              ? `Breakpoint not placed: ${p.message ?? 'no code on this line'}`
              : `Breakpoint${b.condition ? ` when ${b.condition}` : ''}${p ? ` · ${p.hits} hit${p.hits === 1 ? '' : 's'}` : ''}`,
          },
        },
      });
    }
    const loc = this.model.location(f.guest);
    if (loc?.file === f.name && loc.line !== undefined) {
      out.push({
        range: new m.Range(loc.line, 1, loc.line, 1),
        options: {
          isWholeLine: true,
          className: 'debug-current-line',
          glyphMarginClassName: 'debug-current-glyph',
          glyphMarginHoverMessage: { value: `Stopped here (${loc.stop.reason})` },
        },
      });
      this.editor.revealLineInCenterIfOutsideViewport(loc.line);
    }
    this.decorations.set(out);
  }
}
