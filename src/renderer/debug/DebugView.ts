/**
 * The Debug view (docs/app.md#debug): one guest under the debugger while the others keep running.
 * A guest and vCPU picker; Continue/Pause, Step, Step over, Step out with VS Code's keys (F5, F6,
 * F10, F11, Shift+F11); the registers (changed ones highlighted after a step, a value clicked is
 * edited), the mode, control registers and how the hypervisor runs the guest; the disassembly around
 * pc with labels and source lines, the current line highlighted, a breakpoint toggled by clicking
 * an address; memory (MemoryPanel); breakpoints, watchpoints and break on trap (BreakpointsPanel).
 * Everything goes through the host's debugger calls (src/shared/debugApi.ts) via DebugModel.
 */
import './debug.css';
import type { DebugRegisters, DebugState, DisasmLine, StepKind } from '../../shared/debugApi.js';
import type { ReplayPosition } from '../../shared/api.js';
import type { AppContext, View } from '../app/context.js';
import { h, message } from '../ui/dom.js';
import { busy, toast } from '../ui/feedback.js';
import { BreakpointsPanel } from './BreakpointsPanel.js';
import { DebugModel } from './DebugModel.js';
import {
  changedRegisters,
  hex32,
  keyAction,
  parseValue,
  recordButton,
  reverseBlocked,
  runButtons,
  toggle,
  type DebugAction,
  type RecordMode,
} from './format.js';
import { MemoryPanel } from './MemoryPanel.js';
import { movedNote, REVERSE_BUTTONS, reverseMove, type ReverseKind } from './reverseMove.js';
import { StackPanel } from './StackPanel.js';

/** Instructions shown before pc, and in all. */
const BEFORE = 10;
const LINES = 36;

export class DebugView implements View {
  readonly id = 'debug';
  readonly title = 'Debug';
  readonly el: HTMLElement;
  private readonly model: DebugModel;
  private guest: number | undefined;
  private vcpu = 0;
  private regs: DebugRegisters | undefined;
  private changed = new Set<string>();
  /** Labels of the guest's program from its disassembly (for addresses typed as `main+8`). */
  private readonly labels = new Map<string, number>();
  private readonly guestSelect = h('select', { 'aria-label': 'Guest to debug', title: 'Guest' });
  private readonly vcpuSelect = h('select', { 'aria-label': 'vCPU', title: 'vCPU of the guest' });
  private readonly statePill = h('span.debug-state', { 'data-state': 'none', 'aria-live': 'polite' }, '–');
  private readonly buttons: Record<DebugAction, HTMLButtonElement>;
  private readonly note = h('p.note', { role: 'status' });
  private readonly regTable = h('div.regs', { role: 'table', 'aria-label': 'Registers' });
  private readonly regExtra = h('dl.reg-extra', {});
  private readonly disasm = h('ol.disasm', { 'aria-label': 'Disassembly' });
  private readonly disasmHead = h('small', {});
  private readonly memory: MemoryPanel;
  private readonly breakpoints: BreakpointsPanel;
  private readonly stack = new StackPanel((pc) => void this.showCode(pc));
  private loadSeq = 0;
  /** The recording this view started (docs/debugger.md#reverse); a reverse move replays it. */
  private rec: { mode: RecordMode; name: string } = { mode: 'off', name: '' };
  private readonly recordBtn = h('button.debug-btn', { type: 'button', 'data-action': 'record' }, 'Record');
  /** Reverse step, over, out and continue (docs/debugger.md#reverse), with their tooltips. */
  private readonly backBtns = REVERSE_BUTTONS.map(({ kind, action, label, title }) => {
    const b = h('button.debug-btn', { type: 'button', 'data-action': action }, label);
    return [kind, b, title] as const;
  });

  constructor(private readonly ctx: AppContext) {
    this.model = DebugModel.of(ctx);
    const button = (action: DebugAction, label: string, key: string, title: string) => {
      const b = h(
        'button.debug-btn',
        { type: 'button', 'data-action': action, title: `${title} (${key})` },
        h('span.icon', { 'data-icon': action, 'aria-hidden': 'true' }),
        label,
        h('kbd', {}, key),
      );
      b.addEventListener('click', () => void this.act(action));
      return b;
    };
    this.buttons = {
      continue: button('continue', 'Continue', 'F5', 'Let the guest run'),
      pause: button('pause', 'Pause', 'F6', 'Stop every vCPU of the guest; the other guests keep running'),
      step: button('step', 'Step', 'F11', 'Run one instruction of this vCPU'),
      over: button('over', 'Step over', 'F10', 'Run one instruction, a call as a whole'),
      out: button('out', 'Step out', 'Shift+F11', 'Run until the current function returns'),
    };
    this.guestSelect.addEventListener('change', () => this.pick(Number(this.guestSelect.value)));
    this.vcpuSelect.addEventListener('change', () => {
      this.vcpu = Number(this.vcpuSelect.value);
      this.regs = undefined;
      void this.load();
    });
    this.memory = new MemoryPanel(
      () => this.model.api,
      () => this.guest,
      () => this.labels,
    );
    this.breakpoints = new BreakpointsPanel(
      this.model,
      () => this.guest,
      () => this.labels,
    );
    this.el = h(
      'section.view.debug',
      { 'data-view': this.id },
      h(
        'div.debug-bar',
        {},
        h('label.inline', {}, h('span', {}, 'Guest'), this.guestSelect),
        h('label.inline', {}, h('span', {}, 'vCPU'), this.vcpuSelect),
        this.statePill,
        h('span.spacer'),
        this.buttons.continue,
        this.buttons.pause,
        this.buttons.step,
        this.buttons.over,
        this.buttons.out,
        ...this.backBtns.map(([, b]) => b),
        this.recordBtn,
      ),
      this.note,
      h(
        'div.debug-grid',
        {},
        h('article.card.debug-regs', {}, h('h2', {}, 'Registers'), this.regTable, this.regExtra),
        h('article.card.debug-disasm', {}, h('h2', {}, 'Disassembly ', this.disasmHead), this.disasm),
        this.stack.el,
        this.memory.el,
        this.breakpoints.el,
      ),
    );
    this.recordBtn.addEventListener('click', () => void this.record());
    for (const [k, b] of this.backBtns) b.addEventListener('click', () => void this.reverse(k, b));
    let at = '';
    ctx.onStatus((s) => {
      this.guests(s.guests);
      // A move of the scrubber: the new moment's view, changes highlighted (docs/recording.md).
      const k = s.replay?.verified ? `${s.replay.name}@${s.seconds}` : '';
      if (k !== at) {
        at = k;
        if (k && !this.el.hidden) void this.load();
      }
    });
    this.model.onChange((g) => {
      if (g === this.guest && !this.el.hidden) void this.load();
    });
    ctx.onReconnect(() => void this.refresh());
    this.model.onFocus((g) => this.pick(g));
    document.addEventListener('keydown', (e) => {
      if (this.el.hidden || this.guest === undefined || !this.model.api) return;
      const a = keyAction(e, this.paused());
      if (!a) return;
      // F5 would reload the page and F11 make it full screen: here they are the debugger's.
      e.preventDefault();
      void this.act(a);
    });
  }

  shown(): void {
    if (!this.model.api) {
      this.note.textContent =
        'This app’s host has no debugger yet (its API lacks the debug calls): nothing here can be used.';
      this.setButtons();
      return;
    }
    void this.refresh();
  }

  /** A verified replay stands still between moves: its registers can be read without a pause. */
  private standing(): boolean {
    return this.ctx.status.replay?.verified === true;
  }

  private paused(): boolean {
    return this.guest !== undefined && this.model.state(this.guest)?.paused === true;
  }

  private guests(list: { id: number; name: string; vcpus: number }[]): void {
    const key = list.map((g) => `${g.id}:${g.name}:${g.vcpus}`).join(',');
    if (this.guestSelect.dataset.key === key) return;
    this.guestSelect.dataset.key = key;
    this.guestSelect.replaceChildren(...list.map((g) => h('option', { value: g.id }, `${g.name} (#${g.id})`)));
    // A client first (a program to debug lives there), as the editor picks.
    const keep = list.find((g) => g.id === this.guest) ?? list.find((g) => g.id !== 0) ?? list[0];
    if (!keep) {
      this.guest = undefined;
      this.render(undefined);
      return;
    }
    this.guestSelect.value = String(keep.id);
    this.vcpuSelect.replaceChildren(
      ...Array.from({ length: Math.max(1, keep.vcpus) }, (_, i) => h('option', { value: i }, `vCPU ${i}`)),
    );
    if (keep.id !== this.guest) this.pick(keep.id);
  }

  /** Debug another guest (the editor's "Debug from start" picks its guest too). */
  pick(guest: number): void {
    this.guest = guest;
    this.guestSelect.value = String(guest);
    const g = this.ctx.status.guests.find((x) => x.id === guest);
    this.vcpuSelect.replaceChildren(
      ...Array.from({ length: Math.max(1, g?.vcpus ?? 1) }, (_, i) => h('option', { value: i }, `vCPU ${i}`)),
    );
    this.vcpu = 0;
    this.regs = undefined;
    this.changed.clear();
    this.labels.clear();
    if (!this.el.hidden) void this.refresh();
  }

  private async refresh(): Promise<void> {
    if (this.guest === undefined || !this.model.api) return;
    try {
      await this.model.refresh(this.guest); // its change event loads the rest
      this.note.textContent = '';
    } catch (e) {
      this.note.textContent = message(e);
      this.render(undefined);
    }
  }

  /** Reads what a stopped guest shows (registers, code, memory); a running one shows that it runs. */
  private async load(): Promise<void> {
    const guest = this.guest;
    const api = this.model.api;
    if (guest === undefined || !api) return;
    const state = this.model.state(guest);
    this.render(state);
    if (!state?.paused && !this.standing()) return;
    const seq = ++this.loadSeq;
    try {
      const regs = await api.debugRegisters(guest, this.vcpu);
      if (seq !== this.loadSeq) return;
      // Read again with nothing run in between (the view shown again, a breakpoint added): the
      // last step's highlights stay.
      const diff = changedRegisters(this.regs, regs);
      if (diff.size || this.regs?.pc !== regs.pc) this.changed = diff;
      this.regs = regs;
      this.renderRegisters(regs);
      const start = Math.max(0, regs.pc - BEFORE * 4);
      const lines = await api.debugDisassemble(guest, this.vcpu, start, LINES);
      if (seq !== this.loadSeq) return;
      this.renderDisasm(lines, regs.pc);
      const vcpu = this.vcpu;
      await this.stack.load(() => api.debugStack(guest, vcpu));
      if (!this.memory.hasAddress) this.memory.showAt(regs.regs.find((r) => r.abi === 'sp')?.value ?? regs.pc);
      else await this.memory.load();
    } catch (e) {
      if (seq === this.loadSeq) this.note.textContent = message(e);
    }
  }

  private render(state: DebugState | undefined): void {
    const loc = this.guest === undefined ? undefined : this.model.location(this.guest);
    const pill = this.statePill;
    if (!state) {
      pill.dataset.state = 'none';
      pill.textContent = this.guest === undefined ? 'no guest' : '–';
    } else if (!state.paused && this.standing()) {
      pill.dataset.state = 'paused';
      pill.textContent = `replay · t = ${this.ctx.status.seconds.toFixed(3)} s`;
      pill.title = 'The machine is a replay: the scrubber under the top bar moves it';
    } else if (!state.paused) {
      pill.dataset.state = 'running';
      pill.textContent = 'running';
    } else {
      pill.dataset.state = 'paused';
      const s = state.stop;
      const where = loc?.file ? ` · ${loc.file}:${loc.line}` : '';
      pill.textContent = s
        ? `paused · ${s.reason}${s.detail ? ` (${s.detail})` : ''} · pc ${hex32(s.pc)}${where}`
        : 'paused';
    }
    this.setButtons();
    this.breakpoints.render(state);
    if (!state?.paused && !this.standing()) {
      this.regTable.replaceChildren(
        h('p.hint', {}, state ? 'The guest runs: pause it (F6) to see its registers.' : ''),
      );
      this.regExtra.replaceChildren();
      this.disasm.replaceChildren(h('li.hint', {}, state ? 'Running.' : ''));
      this.disasmHead.textContent = '';
      this.memory.clear(state ? 'Pause the guest to read its memory.' : '');
      this.stack.clear(state ? 'Pause the guest to see its call stack.' : '');
    }
  }

  private setButtons(): void {
    const usable = this.guest !== undefined && this.model.api !== undefined;
    const paused = this.paused();
    const on = runButtons(paused, this.standing());
    for (const k of ['continue', 'pause', 'step', 'over', 'out'] as const) this.buttons[k].disabled = !usable || !on[k];
    const r = recordButton(this.rec.mode);
    this.recordBtn.textContent = r.label;
    this.recordBtn.title = r.title;
    this.recordBtn.disabled = r.disabled || this.model.api === undefined;
    const why = usable ? reverseBlocked(this.rec.mode, paused, this.standing()) : 'Pick a guest to debug';
    for (const [, b, title] of this.backBtns) {
      b.disabled = why !== undefined;
      b.title = why ?? title;
    }
  }

  /** Record starts a recording of the machine, or stops the one this view started. */
  private async record(): Promise<void> {
    const api = this.ctx.api;
    if (this.rec.mode === 'recording') {
      await busy(this.recordBtn, () => api.recordStop(), 'Stop recording: ');
      this.rec = { mode: 'off', name: '' };
    } else if (this.rec.mode === 'off') {
      const name = `debug-${new Date()
        .toISOString()
        .replace(/[^0-9]/g, '')
        .slice(0, 14)}`;
      const r = await busy(this.recordBtn, () => api.recordStart(name), 'Record: ');
      if (r) this.rec = { mode: 'recording', name };
    }
    this.setButtons();
  }

  /** Reverse step, over, out or continue (docs/debugger.md#reverse; reverseMove.ts). */
  private async reverse(kind: ReverseKind, b: HTMLButtonElement): Promise<void> {
    const guest = this.guest;
    const api = this.ctx.api;
    if (guest === undefined || b.disabled) return;
    const stop = this.model.location(guest)?.stop;
    const rec = this.rec;
    const first =
      rec.mode === 'recording'
        ? { name: rec.name, stop, replayed: () => (this.rec = { mode: 'replay', name: rec.name }) }
        : undefined;
    const moved = await busy(
      b,
      () => reverseMove(api, kind, guest, this.vcpu, first),
      `${b.textContent ?? 'Reverse'}: `,
    );
    await this.moved(moved);
  }

  /** After a move of the replay: the guest's state, the note, the view at the new moment. */
  private async moved(moved: ReplayPosition | undefined): Promise<void> {
    const guest = this.guest;
    if (moved && guest !== undefined) {
      const s = await this.model.api?.debugState(guest);
      if (s) await this.model.apply(s);
      this.note.textContent = movedNote(moved);
      await this.load();
    }
    this.setButtons();
  }

  private async act(a: DebugAction): Promise<void> {
    const guest = this.guest;
    const api = this.model.api;
    if (guest === undefined || !api) return;
    const b = this.buttons[a];
    if (b.disabled) return;
    const name = this.ctx.guestName(guest);
    let s: DebugState | undefined;
    if (a === 'continue') {
      this.regs = undefined; // after running on, nothing is "changed by a step"
      s = await busy(b, () => api.debugContinue(guest), `Continue ${name}: `);
    } else if (a === 'pause') s = await busy(b, () => api.debugPause(guest), `Pause ${name}: `);
    else {
      const kind: StepKind = a === 'step' ? 'instruction' : a;
      // In a replay a step moves the replay (docs/recording.md#step-over-and-out), as the reverse buttons do.
      if (this.standing()) return this.moved(await busy(b, () => this.ctx.api.forwardStep(guest, this.vcpu, kind)));
      s = await busy(b, () => api.debugStep(guest, this.vcpu, kind), `Step ${name}: `);
    }
    if (s) await this.model.apply(s);
  }

  private renderRegisters(r: DebugRegisters): void {
    const cell = (name: string, abi: string, value: number, editable: boolean) => {
      const v = h(
        'button.reg-value',
        { type: 'button', title: `${name}: click to change`, disabled: !editable },
        hex32(value),
      );
      v.addEventListener('click', () => this.editRegister(v, name, value));
      return h(
        'div.reg',
        { role: 'row', 'data-reg': name, class: this.changed.has(name) ? 'changed' : '' },
        h('span.reg-name', {}, name),
        h('span.reg-abi', {}, abi),
        v,
      );
    };
    this.regTable.replaceChildren(
      cell('pc', '', r.pc, true),
      ...r.regs.map((x) => cell(x.name, x.abi, x.value, x.name !== 'r0')),
    );
    const row = (k: string, v: string, changed = false) => [
      h('dt', {}, k),
      h('dd', { class: changed ? 'changed' : '' }, v),
    ];
    this.regExtra.replaceChildren(
      ...row('mode', r.mode, this.changed.has('mode')),
      ...r.control.flatMap((c) => row(c.name, hex32(c.value), this.changed.has(c.name))),
      ...row('technique', r.virt.technique),
      ...row('stage-2 root', r.virt.stage2Root === null ? '–' : hex32(r.virt.stage2Root)),
      ...row('VMID', r.virt.vmid === null ? '–' : String(r.virt.vmid)),
    );
  }

  /** A register value becomes a field; Enter sets it (0x.., decimal, -1), Esc leaves it. */
  private editRegister(cell: HTMLElement, name: string, value: number): void {
    const guest = this.guest;
    const api = this.model.api;
    if (guest === undefined || !api) return;
    const input = h('input.reg-edit', {
      value: hex32(value),
      'aria-label': `New value of ${name}`,
      spellcheck: 'false',
    });
    cell.replaceWith(input);
    input.select();
    const back = () => this.regs && this.renderRegisters(this.regs);
    input.addEventListener('blur', () => setTimeout(back, 150));
    input.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') back();
      if (e.key !== 'Enter') return;
      const v = parseValue(input.value, this.labels);
      if (typeof v === 'string') {
        toast(`${name}: ${v}`, 'error');
        return;
      }
      void busy(input, () => api.debugSetRegister(guest, this.vcpu, name, v), `Set ${name}: `).then((r) => {
        if (!r) return;
        this.changed = changedRegisters(this.regs, r);
        this.regs = r;
        this.renderRegisters(r);
        if (name === 'pc') void this.load();
      });
    });
  }

  /** The code around a frame's pc (the call stack's frames), that pc highlighted. */
  private async showCode(pc: number): Promise<void> {
    const guest = this.guest;
    const api = this.model.api;
    if (guest === undefined || !api) return;
    try {
      const lines = await api.debugDisassemble(guest, this.vcpu, Math.max(0, pc - BEFORE * 4), LINES);
      if (guest === this.guest) this.renderDisasm(lines, pc);
    } catch (e) {
      this.note.textContent = message(e);
    }
  }

  private renderDisasm(lines: DisasmLine[], pc: number): void {
    const guest = this.guest!;
    const placed = this.model.breakpoints(guest);
    const at = new Set(placed.filter((b) => b.verified).map((b) => b.resolved ?? b.address));
    for (const l of lines) if (l.label) this.labels.set(l.label, l.address);
    const loc = this.model.location(guest);
    this.disasmHead.textContent = loc?.file ? `${loc.file}:${loc.line}` : hex32(pc);
    const items: HTMLElement[] = [];
    // Zero words before a program's first instruction (its .org) are not code: left out.
    const first = lines.findIndex(
      (l) => l.word !== 0 || l.label !== undefined || l.file !== undefined || l.address === pc,
    );
    for (const l of lines.slice(Math.max(0, first))) {
      if (l.label) items.push(h('li.dis-label', {}, `${l.label}:`));
      const bp = at.has(l.address);
      const dot = h('button.dis-bp', {
        type: 'button',
        title: bp ? 'Remove the breakpoint' : 'Set a breakpoint here',
        'aria-pressed': String(bp),
      });
      dot.addEventListener('click', () => {
        const list = this.model.requested(guest);
        // A line breakpoint placed here is removed as that line; otherwise the address toggles.
        const byLine = placed.find((b) => b.resolved === l.address && b.file !== undefined);
        const next = byLine
          ? list.filter((r) => !(r.file === byLine.file && r.line === byLine.line))
          : toggle(list, { address: l.address });
        void busy(undefined, () => this.model.setBreakpoints(guest, next), 'Breakpoint: ');
      });
      items.push(
        h(
          'li.dis-line',
          { class: l.address === pc ? 'current' : '', 'data-address': hex32(l.address) },
          dot,
          h('span.dis-addr', {}, hex32(l.address)),
          h('span.dis-word', {}, l.word.toString(16).padStart(8, '0')),
          h('span.dis-text', {}, l.text),
          h('span.dis-src', {}, l.file ? `${l.file}:${l.line}` : ''),
        ),
      );
    }
    this.disasm.replaceChildren(...items);
    this.disasm.querySelector('.current')?.scrollIntoView({ block: 'nearest' });
  }
}
