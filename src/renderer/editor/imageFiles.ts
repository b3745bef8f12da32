/**
 * The editor's files that come from disk images (the Disks view's Open, docs/app.md#disks): what an
 * open file is, the key and the Monaco model of an image's file, and the "From disk images" list
 * under the guest's files. Save writes such a file back with imageWriteFile (EditorView.save).
 */
import type { GuestFile } from '../../shared/api.js';
import type { ImageFileTarget } from '../disks/FilesCard.js';
import { h } from '../ui/dom.js';
import { ASM_LANGUAGE_ID } from './asmLanguage.js';
import type * as monaco from 'monaco-editor/editor/editor.api';

/** A file open in the editor: a running guest's, or (image set, guest -1) one of a disk image's partition. */
export interface OpenFile {
  guest: number;
  name: string;
  kind: GuestFile['kind'];
  model: monaco.editor.ITextModel;
  saved: string;
  image?: { name: string; part: number };
}

/** The open-files key of an image's file (a guest's is `GUEST/NAME`). */
export function imageFileKey(t: ImageFileTarget): string {
  return `image:${t.image}:${t.partition}/${t.file.name}`;
}

/** A new OpenFile for an image's file read as `text`, with its model (`image:` URIs, apart from guests'). */
export function openImageModel(m: typeof monaco, t: ImageFileTarget, text: string): OpenFile {
  const uri = m.Uri.from({ scheme: 'image', path: `/${t.image}/${t.partition}/${t.file.name}` });
  const model =
    m.editor.getModel(uri) ?? m.editor.createModel(text, t.file.kind === 'source' ? ASM_LANGUAGE_ID : 'plaintext', uri);
  return {
    guest: -1,
    name: t.file.name,
    kind: t.file.kind,
    model,
    saved: text,
    image: { name: t.image, part: t.partition },
  };
}

/** Fills `list` with the open files of images (hidden when there are none); a click shows one. */
export function renderImageFiles(
  list: HTMLElement,
  open: Iterable<OpenFile>,
  current: OpenFile | undefined,
  show: (f: OpenFile) => void,
): void {
  const files = [...open].filter((f) => f.image && !f.model.isDisposed());
  list.hidden = files.length === 0;
  list.replaceChildren(
    h('li.image-files-head', {}, 'From disk images'),
    ...files.map((f) =>
      h(
        'li',
        {},
        h(
          'button.file',
          {
            type: 'button',
            class: [f === current && 'current', f.model.getValue() !== f.saved && 'dirty'].filter(Boolean).join(' '),
            'data-image-file': `${f.image!.name}:${f.image!.part}/${f.name}`,
            title: `${f.name} on ${f.image!.name} partition ${f.image!.part} (Disks view); Save writes it back there`,
            onclick: () => show(f),
          },
          h('span.fname', {}, f.name),
          h('span.fsize', {}, `${f.image!.name}:${f.image!.part}`),
        ),
      ),
    ),
  );
}
