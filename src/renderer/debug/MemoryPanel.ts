/**
 * The Debug view's memory panel (docs/app.md#debug): a guest's memory as hex and ASCII rows, by
 * guest-virtual address (as its page table maps it now) or guest-physical; an address box (a number
 * or a label); a byte clicked becomes a field, and the bytes typed there are written from it.
 */
import type { DebugMemory } from '../../shared/debugApi.js';
import { h, message } from '../ui/dom.js';
import { busy, toast } from '../ui/feedback.js';
import type { DebugCalls } from './DebugModel.js';
import { hex32, memoryRows, parseBytes, parseValue } from './format.js';

/** Bytes shown at once. */
const LENGTH = 256;

export class MemoryPanel {
  readonly el: HTMLElement;
  private readonly addressInput = h('input.mem-address', {
    'aria-label': 'Memory address',
    placeholder: '0x1000 or a label',
    spellcheck: 'false',
    value: '',
  });
  private readonly spaceSelect = h(
    'select',
    { 'aria-label': 'Address space', title: 'Guest-virtual (through its page table) or guest-physical' },
    h('option', { value: 'virtual' }, 'virtual'),
    h('option', { value: 'physical' }, 'physical'),
  );
  private readonly body = h('div.mem-rows', { role: 'grid', 'aria-label': 'Memory' });
  private readonly note = h('p.hint.mem-note', {});
  private address: number | undefined;
  private last: DebugMemory | undefined;

  constructor(
    private readonly api: () => DebugCalls | undefined,
    private readonly guest: () => number | undefined,
    private readonly labels: () => ReadonlyMap<string, number>,
  ) {
    const go = h('button.small', { type: 'button', 'data-action': 'memory-go' }, 'Go');
    go.addEventListener('click', () => void this.go());
    this.addressInput.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') void this.go();
    });
    this.spaceSelect.addEventListener('change', () => void this.load());
    this.el = h(
      'article.card.debug-memory',
      {},
      h('div.card-head', {}, h('h2', {}, 'Memory'), h('span.spacer'), this.addressInput, this.spaceSelect, go),
      this.body,
      this.note,
    );
  }

  /** Shows memory from an address (the first time: the stack pointer or pc, as the view picks). */
  showAt(address: number): void {
    this.address = address & ~0xf;
    this.addressInput.value = hex32(this.address);
    void this.load();
  }

  get hasAddress(): boolean {
    return this.address !== undefined;
  }

  private async go(): Promise<void> {
    const v = parseValue(this.addressInput.value, this.labels());
    if (typeof v === 'string') {
      toast(`Memory: ${v}`, 'error');
      return;
    }
    this.address = v;
    await this.load();
  }

  /** Reads the bytes again (after a stop, a write). */
  async load(): Promise<void> {
    const api = this.api();
    const guest = this.guest();
    if (!api || guest === undefined || this.address === undefined) return;
    const space = this.spaceSelect.value as 'virtual' | 'physical';
    try {
      this.last = await api.debugReadMemory(guest, space, this.address, LENGTH);
    } catch (e) {
      this.body.replaceChildren();
      this.note.textContent = `Cannot read memory: ${message(e)}`;
      return;
    }
    this.render(this.last);
  }

  private render(mem: DebugMemory): void {
    // Sixteen bytes a row where there is room, eight where the panel is narrow.
    const width = this.el.clientWidth >= 620 || this.el.clientWidth === 0 ? 16 : 8;
    const rows = memoryRows(mem, LENGTH, width);
    this.body.style.setProperty('--mem-cols', String(width));
    this.body.replaceChildren(
      ...rows.map((r) =>
        h(
          'div.mem-row',
          { role: 'row' },
          h('span.mem-addr', {}, hex32(r.address)),
          h(
            'span.mem-hex',
            {},
            ...r.bytes.map((b, i) =>
              b === null
                ? h('span.mem-byte.none', {}, '··')
                : h(
                    'button.mem-byte',
                    {
                      type: 'button',
                      'data-address': String(r.address + i),
                      title: `${hex32(r.address + i)}: click to write bytes from here`,
                      onclick: (e: Event) =>
                        this.edit(e.currentTarget as HTMLElement, (r.address + i) >>> 0, mem.space),
                    },
                    b.toString(16).padStart(2, '0'),
                  ),
            ),
          ),
          h('span.mem-ascii', {}, r.ascii),
        ),
      ),
    );
    this.note.textContent =
      mem.unreadableFrom !== undefined
        ? `Not readable from ${hex32(mem.address + mem.unreadableFrom)}: ${mem.reason ?? 'outside the guest'}`
        : `${mem.space === 'virtual' ? 'Guest-virtual' : 'Guest-physical'} addresses. Click a byte to change it.`;
  }

  /** A byte becomes a field; Enter writes what is typed there (one or more bytes), Esc leaves it. */
  private edit(cell: HTMLElement, address: number, space: 'virtual' | 'physical'): void {
    const input = h('input.mem-edit', {
      value: cell.textContent ?? '',
      'aria-label': `Bytes to write at ${hex32(address)}`,
      spellcheck: 'false',
    });
    cell.replaceWith(input);
    input.select();
    const done = () => this.last && this.render(this.last);
    input.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') done();
      if (e.key !== 'Enter') return;
      const bytes = parseBytes(input.value);
      if (typeof bytes !== 'string') {
        toast(`Memory: ${bytes.error}`, 'error');
        return;
      }
      const api = this.api();
      const guest = this.guest();
      if (!api || guest === undefined) return;
      void busy(input, () => api.debugWriteMemory(guest, space, address, bytes), `Write ${hex32(address)}: `).then(
        (m) => m && this.load(),
      );
    });
    input.addEventListener('blur', () => setTimeout(done, 150));
  }

  clear(text: string): void {
    this.body.replaceChildren();
    this.note.textContent = text;
  }
}
