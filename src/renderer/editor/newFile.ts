import { h } from '../ui/dom.js';
import { toast } from '../ui/feedback.js';

/**
 * What a new file of the editor starts with: a `.s` file is a cos program that assembles and runs
 * as it is (the shape of resources/programs/hello.s), so that Ctrl+Shift+B works at once and the
 * user changes a working program; any other file starts empty.
 */
export function newFileText(name: string): string {
  if (!/\.s$/i.test(name)) return '';
  const base = name.replace(/\.s$/i, '');
  return [
    `# ${base}: a new cos program (Ctrl+Shift+B assembles it and reboots cos; then type \`run ${base}\`).`,
    '.org 0x00400000',
    '.include "lib.inc"',
    '',
    '_start:',
    '    la    a0, text',
    '    call  print',
    '    li    a0, 0',
    '    call  exit',
    '',
    `text: .asciz "${base} runs\\n"`,
    '',
  ].join('\n');
}

/** The "New file" button and its inline form (no window.prompt: Electron has none). */
export class NewFileForm {
  readonly el: HTMLFormElement;
  readonly button: HTMLButtonElement;
  readonly submit: HTMLButtonElement;
  private readonly name: HTMLInputElement;

  constructor(create: (name: string) => Promise<boolean>) {
    this.name = h('input', {
      name: 'file',
      placeholder: 'name.s or notes.txt',
      autocomplete: 'off',
      spellcheck: 'false',
      'aria-label': 'New file name',
    });
    // Not .primary: the view's one primary action is Assemble & reboot.
    this.submit = h('button.small', { type: 'submit' }, 'Create');
    this.el = h(
      'form.new-file',
      { hidden: true },
      this.name,
      this.submit,
      h('button.ghost.small', { type: 'button', onclick: () => this.close() }, 'Cancel'),
    );
    this.el.addEventListener('submit', (e) => {
      e.preventDefault();
      const name = this.name.value.trim();
      if (!/^[A-Za-z0-9_.-]{1,64}$/.test(name)) {
        toast('A file name is one word: letters, digits, _ . - (hello2.s, notes.txt)', 'error');
        return;
      }
      void create(name).then((ok) => {
        if (ok) this.close();
      });
    });
    this.name.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') this.close();
    });
    this.button = h(
      'button.ghost.small',
      {
        type: 'button',
        'data-action': 'new-file',
        title: "A new file in the guest's file system (.s: a program to Assemble & reboot)",
        onclick: () => {
          this.el.hidden = false;
          this.name.focus();
          this.name.select();
        },
      },
      'New file',
    );
  }

  private close(): void {
    this.el.hidden = true;
    this.name.value = '';
  }
}
