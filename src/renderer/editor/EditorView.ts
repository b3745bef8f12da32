/**
 * The Editor view: a guest's files on the left, Monaco in the middle. Sources are assembled by the
 * host while typing (debounced) and the diagnostics shown as markers; "Assemble & reboot"
 * (Ctrl+Shift+B) deploys the program into that guest's disk image and reboots only that guest. When
 * assembly fails nothing is written and the markers say why. "Save" (Ctrl+S) writes a source or
 * text file into the guest's file system without a reboot; the page asks before it is left with
 * unsaved edits. Files of a disk image that no guest runs from open here from the Disks view
 * (openImageFile) and Save writes them back into the image (docs/app.md#disks).
 */
import './editor.css';
import type { DeployResult, GuestFile } from '../../shared/api.js';
import { asmWordsOf, type AppContext, type View } from '../app/context.js';
import { bytes, h, message } from '../ui/dom.js';
import { busy, toast } from '../ui/feedback.js';
import { ASM_LANGUAGE_ID, vocabulary } from './asmLanguage.js';
import { DebugGutter } from './debugGutter.js';
import { Diagnostics } from './diagnostics.js';
import type { ImageFileTarget } from '../disks/FilesCard.js';
import { DiskPanel } from './DiskPanel.js';
import { imageFileKey, openImageModel, renderImageFiles, type OpenFile } from './imageFiles.js';
import { NewFileForm, newFileText } from './newFile.js';
import type * as monaco from 'monaco-editor/editor/editor.api';

/** Monaco and our language, loaded the first time the editor is needed (most of the bundle). */
type MonacoModule = typeof import('./monacoAsm.js');
let monacoLoading: Promise<MonacoModule> | undefined;
const loadMonaco = (): Promise<MonacoModule> => (monacoLoading ??= import('./monacoAsm.js'));

export class EditorView implements View {
  readonly id = 'editor';
  readonly title = 'Editor';
  readonly el: HTMLElement;
  private editor: monaco.editor.IStandaloneCodeEditor | undefined;
  private readonly host: HTMLElement;
  private readonly placeholder: HTMLElement;
  private readonly guestSelect: HTMLSelectElement;
  private readonly fileList: HTMLElement;
  /** The open files of disk images (the Disks view's Open), to switch back to them. */
  private readonly imageList = h('ul.files.image-files', { 'aria-label': 'Open files of disk images', hidden: true });
  private readonly deployButton: HTMLButtonElement;
  private readonly saveButton: HTMLButtonElement;
  private readonly statusLine: HTMLElement;
  /** Checks while typing: markers, the status line, the problems list (diagnostics.ts). */
  private readonly diagnostics: Diagnostics;
  private readonly open = new Map<string, OpenFile>();
  private current: OpenFile | undefined;
  private guest: number | undefined;
  private readonly disk: DiskPanel;
  /** Breakpoints in the glyph margin, the stopped line, "Debug from start" (debugGutter.ts). */
  private gutter: DebugGutter | undefined;
  private readonly newFile: NewFileForm;
  /** The files open before the reload were opened again (once per page). */
  private restored = false;

  constructor(private readonly ctx: AppContext) {
    this.disk = new DiskPanel(ctx, () => this.closeAll());
    this.guestSelect = h('select', { 'aria-label': 'Guest whose files to edit', title: 'Guest' });
    this.guestSelect.addEventListener('change', () => void this.pickGuest(Number(this.guestSelect.value)));
    this.fileList = h('ul.files', { role: 'listbox', 'aria-label': 'Files' });
    this.deployButton = h(
      'button.primary',
      {
        type: 'button',
        title: 'Assemble, write into the guest disk and reboot that guest (Ctrl+Shift+B)',
        onclick: () => void this.deploy(),
      },
      'Assemble & reboot',
    );
    this.deployButton.disabled = true;
    this.saveButton = h(
      'button',
      {
        type: 'button',
        title: 'Save the file into the guest disk, without a reboot (Ctrl+S)',
        'data-action': 'save',
        onclick: () => void this.save(),
      },
      'Save',
    );
    this.saveButton.disabled = true;
    this.statusLine = h('span.editor-status', { 'aria-live': 'polite' }, 'Open a file');
    this.diagnostics = new Diagnostics(ctx, {
      current: () => this.current,
      editor: () => this.editor,
      monaco: () => this.m,
      statusLine: this.statusLine,
      view: () => this.el,
    });
    this.host = h('div.monaco-host', {});
    this.placeholder = h(
      'div.editor-placeholder',
      {},
      h('p', {}, 'Pick a file of the guest on the left.'),
      h(
        'p.muted',
        {},
        'Sources (.s, .inc) are checked as you type; Ctrl+Shift+B assembles, writes the program into the guest disk and reboots only that guest.',
      ),
    );
    this.newFile = new NewFileForm((name) => this.createFile(name));
    this.el = h(
      'section.view.editor',
      { 'data-view': this.id },
      h(
        'aside.file-pane',
        {},
        h('label.field', {}, h('span', {}, 'Guest'), this.guestSelect),
        h('div.files-head', {}, h('h3', {}, 'Files'), h('span.spacer'), this.newFile.button),
        this.newFile.el,
        this.fileList,
        this.imageList,
        this.disk.el,
      ),
      h(
        'div.editor-main',
        {},
        h(
          'div.toolbar',
          {},
          this.statusLine,
          h('span.spacer', {}),
          h('kbd', {}, 'Ctrl+S'),
          this.saveButton,
          h('kbd', {}, 'Ctrl+Shift+B'),
          this.deployButton,
        ),
        h('div.editor-stack', {}, this.host, this.placeholder),
        this.diagnostics.problems,
      ),
    );
    ctx.onStatus((s) => this.guests(s.guests.map((g) => ({ id: g.id, name: g.name, part: g.bootPartition }))));
    document.addEventListener('keydown', (e) => {
      if (this.el.hidden) return;
      if ((e.ctrlKey || e.metaKey) && e.shiftKey && e.key.toLowerCase() === 'b') {
        e.preventDefault();
        void this.deploy();
      } else if ((e.ctrlKey || e.metaKey) && !e.shiftKey && !e.altKey && e.key.toLowerCase() === 's') {
        // Never the browser's "save page as": Ctrl+S saves the file, or does nothing.
        e.preventDefault();
        void this.save();
      }
    });
    // Leaving (reload, close, another address) with unsaved edits asks first. The browser shows its
    // own question; in Electron the shell asks (will-prevent-unload, src/main/index.ts).
    window.addEventListener('beforeunload', (e) => {
      if (this.unsaved().length === 0) return;
      e.preventDefault();
      e.returnValue = '';
    });
  }

  private guests(list: { id: number; name: string; part: number }[]): void {
    const withFiles = list.filter((g) => g.part > 0);
    const key = withFiles.map((g) => `${g.id}:${g.name}`).join(',');
    if (this.guestSelect.dataset.key === key) return;
    this.guestSelect.dataset.key = key;
    this.guestSelect.replaceChildren(...withFiles.map((g) => h('option', { value: g.id }, g.name)));
    // Default to the first client (the programs live there), else whatever there is.
    const keep = withFiles.find((g) => g.id === this.guest);
    // After a reload: the guest of the file that was shown.
    const shown = this.ctx.prefs.place.currentFile?.split('/')[0];
    const before = this.restored ? undefined : withFiles.find((g) => g.name === shown);
    const pick = keep ?? before ?? withFiles.find((g) => g.id !== 0) ?? withFiles[0];
    if (pick) {
      this.guestSelect.value = String(pick.id);
      if (pick.id !== this.guest) void this.pickGuest(pick.id);
    } else {
      this.guest = undefined;
      this.fileList.replaceChildren(h('li.muted', {}, 'No guest with a file system is running.'));
    }
  }

  private async pickGuest(id: number): Promise<void> {
    this.guest = id;
    this.fileList.replaceChildren(h('li.muted', {}, 'Loading…'));
    try {
      const order = { source: 0, text: 1, binary: 2 };
      // What can be edited first; program images last (they are rebuilt from their source).
      const files = (await this.ctx.api.listFiles(id)).sort(
        (a, b) => order[a.kind] - order[b.kind] || a.name.localeCompare(b.name),
      );
      if (this.guest !== id) return;
      this.fileList.replaceChildren(
        ...files.map((f) =>
          h(
            'li',
            {},
            h(
              'button.file',
              {
                type: 'button',
                'data-file': f.name,
                'data-kind': f.kind,
                disabled: f.kind === 'binary',
                title: f.kind === 'binary' ? 'A program image: edit its source instead' : `Open ${f.name}`,
                onclick: (e: Event) => void this.openFile(id, f, e.currentTarget as HTMLElement),
              },
              h('span.fname', {}, f.name),
              h('span.fsize', {}, bytes(f.size)),
            ),
          ),
        ),
      );
      if (files.length === 0) this.fileList.replaceChildren(h('li.muted', {}, 'No files.'));
      this.markOpen();
      await this.restore(id, files);
    } catch (e) {
      this.fileList.replaceChildren(h('li.error', {}, `Could not list files: ${message(e)}`));
    }
  }

  /** Opens again the files that were open before the reload (app/settings.ts: Place). */
  private async restore(guest: number, files: GuestFile[]): Promise<void> {
    if (this.restored) return;
    this.restored = true;
    const name = this.ctx.guestName(guest);
    const place = this.ctx.prefs.place;
    const mine = place.openFiles
      .filter((k) => k.startsWith(`${name}/`))
      .map((k) => files.find((f) => f.kind !== 'binary' && `${name}/${f.name}` === k))
      .filter((f): f is GuestFile => f !== undefined);
    if (mine.length === 0) return;
    const current = mine.find((f) => `${name}/${f.name}` === place.currentFile) ?? mine[mine.length - 1]!;
    for (const f of mine) if (f !== current) await this.openFile(guest, f, undefined, false);
    await this.openFile(guest, current, undefined, !this.el.hidden);
  }

  /** Keeps the open files and the one shown for the next reload. */
  private rememberOpen(): void {
    const key = (f: OpenFile) => `${this.ctx.guestName(f.guest)}/${f.name}`;
    this.ctx.prefs.remember({
      openFiles: [...this.open.values()].filter((f) => !f.image).map(key),
      currentFile: this.current && !this.current.image ? key(this.current) : undefined,
    });
  }

  /** New file (NewFileForm): written into the guest's disk, then opened. False: not created. */
  private async createFile(name: string): Promise<boolean> {
    const guest = this.guest;
    if (guest === undefined) return false;
    if (this.fileList.querySelector(`button.file[data-file="${CSS.escape(name)}"]`)) {
      toast(`${name} exists already: pick it in the list`, 'error');
      return false;
    }
    const text = newFileText(name);
    const r = await busy(this.newFile.submit, () => this.ctx.api.writeFile(guest, name, text), `New file ${name}: `);
    if (!r) return false;
    await this.pickGuest(guest);
    const kind: GuestFile['kind'] = /\.(s|inc)$/i.test(name) ? 'source' : 'text';
    await this.openFile(guest, { name, size: text.length, kind });
    toast(`${name} created in ${r.written}`, 'ok');
    return true;
  }

  private m: MonacoModule | undefined;

  private async ensureEditor(): Promise<{ editor: monaco.editor.IStandaloneCodeEditor; m: MonacoModule }> {
    const m = (this.m ??= await loadMonaco());
    if (this.editor) return { editor: this.editor, m };
    m.registerAsm(vocabulary(asmWordsOf(this.ctx.info)));
    const { monaco } = m;
    this.editor = monaco.editor.create(this.host, {
      theme: m.THEME,
      automaticLayout: true,
      fontFamily: "'JetBrains Mono', 'Cascadia Code', 'DejaVu Sans Mono', Menlo, Consolas, monospace",
      fontSize: 13,
      minimap: { enabled: false },
      scrollBeyondLastLine: false,
      renderWhitespace: 'selection',
      tabSize: 4,
      fixedOverflowWidgets: true,
      model: null,
    });
    this.editor.addAction({
      id: 'hyperdesk.save',
      label: 'Save the file into the guest disk',
      keybindings: [monaco.KeyMod.CtrlCmd | monaco.KeyCode.KeyS],
      run: () => void this.save(),
    });
    this.editor.addAction({
      id: 'hyperdesk.deploy',
      label: 'Assemble & reboot the guest',
      keybindings: [monaco.KeyMod.CtrlCmd | monaco.KeyMod.Shift | monaco.KeyCode.KeyB],
      run: () => void this.deploy(),
    });
    this.gutter = new DebugGutter(this.ctx, monaco, this.editor, () => void this.deploy(true));
    this.deployButton.before(this.gutter.button);
    this.el.dataset.editorReady = 'true';
    return { editor: this.editor, m };
  }

  private async openFile(guest: number, f: GuestFile, button?: HTMLElement, focus = true): Promise<void> {
    const { editor, m } = await this.ensureEditor();
    const { monaco } = m;
    const key = `${guest}/${f.name}`;
    let file = this.open.get(key);
    if (!file) {
      const text = await busy(button, () => this.ctx.api.readFile(guest, f.name), `Opening ${f.name}: `);
      if (text === undefined) return;
      const uri = monaco.Uri.from({ scheme: 'guest', authority: String(guest), path: `/${f.name}` });
      const model =
        monaco.editor.getModel(uri) ??
        monaco.editor.createModel(text, f.kind === 'source' ? ASM_LANGUAGE_ID : 'plaintext', uri);
      file = { guest, name: f.name, kind: f.kind, model, saved: text };
      this.open.set(key, file);
      const opened = file;
      model.onDidChangeContent(() => {
        this.markOpen();
        if (opened === this.current) this.diagnostics.schedule();
      });
    }
    this.showFile(editor, file, focus);
  }

  /**
   * Opens a file of a disk image (the Disks view). A partition the running machine boots a guest
   * from is that guest's (`via`): it opens as the guest's file, so Assemble & reboot works on it.
   * Otherwise Save writes it back into the image (imageWriteFile); there is no guest to reboot.
   */
  async openImageFile(t: ImageFileTarget): Promise<void> {
    if (t.via) {
      this.guestSelect.value = String(t.via.guest);
      if (this.guest !== t.via.guest) await this.pickGuest(t.via.guest);
      await this.openFile(t.via.guest, t.file);
      return;
    }
    const { editor, m } = await this.ensureEditor();
    const key = imageFileKey(t);
    let file = this.open.get(key);
    if (!file) {
      const text = await busy(
        undefined,
        () => this.ctx.api.imageReadFile(t.image, t.partition, t.file.name),
        `Opening ${t.image}:${t.partition} ${t.file.name}: `,
      );
      if (text === undefined) return;
      file = openImageModel(m.monaco, t, text);
      this.open.set(key, file);
      const opened = file;
      file.model.onDidChangeContent(() => {
        this.markOpen();
        if (opened === this.current) this.diagnostics.schedule();
      });
    }
    this.showFile(editor, file, true);
  }

  private showFile(editor: monaco.editor.IStandaloneCodeEditor, file: OpenFile, focus: boolean): void {
    this.current = file;
    this.placeholder.hidden = true;
    editor.setModel(file.model);
    this.gutter?.setFile(file.image ? undefined : file);
    if (focus) editor.focus();
    this.deployButton.disabled = file.kind !== 'source' || file.image !== undefined;
    this.saveButton.disabled = file.model.getValue() === file.saved;
    this.el.dataset.file = file.name;
    this.el.dataset.image = file.image ? `${file.image.name}:${file.image.part}` : '';
    this.markOpen();
    this.rememberOpen();
    this.diagnostics.schedule(0);
  }

  private markOpen(): void {
    for (const b of Array.from(this.fileList.querySelectorAll<HTMLElement>('button.file'))) {
      const f = this.open.get(`${this.guest}/${b.dataset.file}`);
      b.classList.toggle('current', f !== undefined && f === this.current);
      b.classList.toggle('dirty', f !== undefined && f.model.getValue() !== f.saved);
    }
    renderImageFiles(
      this.imageList,
      this.open.values(),
      this.current,
      (f) => void this.ensureEditor().then(({ editor }) => this.showFile(editor, f, true)),
    );
    const c = this.current;
    this.saveButton.disabled = !c || c.model.isDisposed() || c.model.getValue() === c.saved;
    this.el.dataset.unsaved = String(this.unsaved().length);
  }

  /** Open files whose text differs from what the disk has. */
  private unsaved(): OpenFile[] {
    return [...this.open.values()].filter((f) => !f.model.isDisposed() && f.model.getValue() !== f.saved);
  }

  /** Save: the current file's text into the guest's file system, no reboot. */
  async save(): Promise<void> {
    const f = this.current;
    if (!f) return;
    const text = f.model.getValue();
    if (text === f.saved) {
      this.statusLine.textContent = `${f.name} · no changes to save`;
      return;
    }
    const guestName = this.ctx.guestName(f.guest);
    const img = f.image;
    const r = await busy(
      this.saveButton,
      () =>
        img
          ? this.ctx.api.imageWriteFile(img.name, img.part, f.name, text)
          : this.ctx.api.writeFile(f.guest, f.name, text),
      `Save ${f.name}: `,
    );
    if (!r) return;
    f.saved = text;
    this.markOpen();
    this.statusLine.textContent = `${f.name} · saved to ${r.written}${img ? '' : ` · ${guestName} not rebooted`}`;
    toast(`${f.name} saved to ${r.written}`, 'ok');
  }

  /**
   * Assemble & reboot: writes only when the program assembles; otherwise markers, nothing written.
   * `debug`: the guest stops before the program's first instruction, shown in the Debug view.
   */
  async deploy(debug = false): Promise<void> {
    const f = this.current;
    if (!f || f.kind !== 'source') {
      toast('Open a source file (.s) of a guest first', 'info');
      return;
    }
    if (f.image) {
      toast(
        `${f.name} is on ${f.image.name}, which no guest runs from: Save (Ctrl+S) writes it back; Assemble & reboot works on a running guest's files`,
        'info',
      );
      return;
    }
    const source = f.model.getValue();
    const guestName = this.ctx.guestName(f.guest);
    this.statusLine.textContent = `Assembling ${f.name} for ${guestName}…`;
    const r: DeployResult | undefined = await busy(
      this.deployButton,
      () =>
        debug && this.gutter
          ? this.gutter.deploy(f.guest, f.name, source)
          : this.ctx.api.deploy(f.guest, f.name, source),
      `Assemble & reboot ${guestName}: `,
    );
    if (!r) {
      this.statusLine.textContent = `${f.name} · not deployed`;
      return;
    }
    this.diagnostics.showDeployed(f, source, r.diagnostics);
    if (!r.ok) {
      const n = r.diagnostics.filter((d) => d.severity === 'error').length;
      this.statusLine.textContent = `${f.name} · ${n} error(s): nothing written`;
      toast(`${f.name} has ${n} error(s): nothing was written, ${guestName} keeps running`, 'error');
      return;
    }
    if (r.error) {
      this.statusLine.textContent = `${f.name} · ${r.error}`;
      toast(`${guestName}: ${r.error}`, 'error');
      return;
    }
    f.saved = source;
    this.markOpen();
    // The host resolves line breakpoints against the program just deployed: show how they stand.
    void this.gutter?.deployed(f.guest);
    if (debug) this.gutter?.showDebugView(f.guest);
    this.statusLine.textContent = `${f.name} · written to ${r.written ?? 'the disk'}${r.rebooted ? ` · ${guestName} rebooted` : ''}`;
    toast(
      `${f.name} (${bytes(r.bytes ?? 0)}) written to ${r.written ?? 'the disk'}; ${guestName} ${r.rebooted ? 'rebooted' : 'not rebooted'}`,
      'ok',
    );
  }

  /** After a disk reset: what was open came from the old disk. */
  private closeAll(): void {
    for (const f of this.open.values()) f.model.dispose();
    this.open.clear();
    this.current = undefined;
    this.editor?.setModel(null);
    this.gutter?.setFile(undefined);
    this.placeholder.hidden = false;
    this.deployButton.disabled = true;
    this.saveButton.disabled = true;
    this.statusLine.textContent = 'Open a file';
    this.rememberOpen();
    if (this.guest !== undefined) void this.pickGuest(this.guest);
  }

  shown(): void {
    void this.ensureEditor().then(({ editor }) => editor.layout());
    void this.disk.refresh();
  }
}
