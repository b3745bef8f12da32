/**
 * The Debug view's call stack (docs/debugger.md#call-stack): the frames the host's debugStack walks
 * (frame 0 where the vCPU stands, then each caller at its call instruction), each with its function
 * and offset, its source line and pc. Clicking a frame shows the code around it. When the walk
 * could not reach the program's entry, the reason is shown under the frames.
 */
import type { DebugFrame, DebugStack } from '../../shared/debugApi.js';
import { h, message } from '../ui/dom.js';
import { hex32 } from './format.js';

/** How a frame is named: a label at pc, else its function and offset, else its pc. */
export function frameName(f: DebugFrame): string {
  if (f.label) return f.label;
  if (f.function) return f.offset ? `${f.function}+0x${f.offset.toString(16)}` : f.function;
  return hex32(f.pc);
}

export class StackPanel {
  readonly el: HTMLElement;
  private readonly list = h('ol.stack', { 'aria-label': 'Call stack' });
  private readonly why = h('p.hint.stack-why', {});
  private selected = 0;
  private frames: DebugFrame[] = [];

  constructor(private readonly show: (pc: number) => void) {
    this.el = h('article.card.debug-stack', {}, h('h2', {}, 'Call stack'), this.list, this.why);
  }

  clear(text: string): void {
    this.frames = [];
    this.list.replaceChildren();
    this.why.textContent = text;
  }

  async load(read: () => Promise<DebugStack>): Promise<void> {
    try {
      const s = await read();
      this.frames = s.frames;
      this.selected = 0;
      this.render();
      this.why.textContent = s.stopped ? `Walk stopped: ${s.stopped}.` : '';
    } catch (e) {
      this.clear(`No call stack: ${message(e)}`);
    }
  }

  private render(): void {
    this.list.replaceChildren(
      ...this.frames.map((f) =>
        h(
          'li',
          {},
          h(
            'button.frame',
            {
              type: 'button',
              'data-frame': f.index,
              class: f.index === this.selected ? 'selected' : undefined,
              title: `Show the code at ${hex32(f.pc)} (sp ${hex32(f.sp)})`,
              onclick: () => {
                this.selected = f.index;
                this.render();
                this.show(f.pc);
              },
            },
            h('span.frame-no', {}, `#${f.index}`),
            h('span.frame-name', {}, frameName(f)),
            h('span.frame-src', {}, f.file ? `${f.file}:${f.line}` : ''),
            h('span.frame-pc', {}, hex32(f.pc)),
          ),
        ),
      ),
    );
  }
}
