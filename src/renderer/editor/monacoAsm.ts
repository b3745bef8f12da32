/**
 * Hands our assembly language (editor/asmLanguage.ts) to Monaco: the tokenizer, the dark theme that
 * colours its tokens, hovers, completion; and sets up Monaco's one worker (the editor worker: our
 * language needs no language-service worker). Monaco is imported as the bare editor API plus its
 * editor features, without the bundled languages, to keep the bundle small.
 */
import * as monaco from 'monaco-editor/editor/editor.api';
import 'monaco-editor/features/register.all';
import EditorWorker from 'monaco-editor/editor/editor.worker?worker';
import {
  ASM_LANGUAGE_ID,
  completionsAt,
  hoverFor,
  monarchDefinition,
  TOKENS,
  type AsmVocabulary,
  type CompletionKind,
  type MarkerData,
} from './asmLanguage.js';

export { monaco };

export const THEME = 'hyperdesk-dark';

let registered = false;

export function registerAsm(v: AsmVocabulary): void {
  if (registered) return;
  registered = true;
  (self as unknown as { MonacoEnvironment: monaco.Environment }).MonacoEnvironment = {
    getWorker: () => new EditorWorker(),
  };
  monaco.languages.register({ id: ASM_LANGUAGE_ID, extensions: ['.s', '.inc', '.asm'], aliases: ['HD32 assembly'] });
  monaco.languages.setMonarchTokensProvider(
    ASM_LANGUAGE_ID,
    monarchDefinition(v) as unknown as monaco.languages.IMonarchLanguage,
  );
  monaco.languages.setLanguageConfiguration(ASM_LANGUAGE_ID, {
    comments: { lineComment: '#' },
    brackets: [['(', ')']],
    autoClosingPairs: [
      { open: '(', close: ')' },
      { open: '"', close: '"' },
    ],
    wordPattern: /(-?\d*\.\d\w*)|(\.?[A-Za-z_$][\w$.]*)/,
  });
  monaco.editor.defineTheme(THEME, {
    base: 'vs-dark',
    inherit: true,
    rules: [
      { token: TOKENS.comment, foreground: '6e7c8c', fontStyle: 'italic' },
      { token: TOKENS.label, foreground: 'e3b341' },
      { token: TOKENS.directive, foreground: 'd2a8ff' },
      { token: TOKENS.mnemonic, foreground: '79c0ff', fontStyle: 'bold' },
      { token: TOKENS.privileged, foreground: 'ff9e64', fontStyle: 'bold' },
      { token: TOKENS.pseudo, foreground: '56d4dd' },
      { token: TOKENS.register, foreground: 'a5d6ff' },
      { token: TOKENS.csr, foreground: 'ffa198' },
      { token: TOKENS.number, foreground: '7ee787' },
      { token: TOKENS.string, foreground: 'a5d6a7' },
      { token: TOKENS.escape, foreground: 'f2cc60' },
      { token: TOKENS.operator, foreground: '8b98a8' },
      { token: TOKENS.identifier, foreground: 'd7dee8' },
    ],
    colors: {
      'editor.background': '#0b0f14',
      'editor.foreground': '#d7dee8',
      'editorLineNumber.foreground': '#3d4753',
      'editorLineNumber.activeForeground': '#8b98a8',
      'editor.lineHighlightBackground': '#131a23',
      'editorGutter.background': '#0b0f14',
      'editorWidget.background': '#141a23',
      'editorWidget.border': '#232c38',
    },
  });

  monaco.languages.registerHoverProvider(ASM_LANGUAGE_ID, {
    provideHover(model, position) {
      const w = model.getWordAtPosition(position);
      if (!w) return null;
      const lines = hoverFor(v, w.word);
      if (!lines) return null;
      return {
        range: new monaco.Range(position.lineNumber, w.startColumn, position.lineNumber, w.endColumn),
        contents: lines.map((value) => ({ value })),
      };
    },
  });

  const KIND: Record<CompletionKind, monaco.languages.CompletionItemKind> = {
    mnemonic: monaco.languages.CompletionItemKind.Keyword,
    pseudo: monaco.languages.CompletionItemKind.Function,
    register: monaco.languages.CompletionItemKind.Variable,
    csr: monaco.languages.CompletionItemKind.Property,
    directive: monaco.languages.CompletionItemKind.Module,
  };
  monaco.languages.registerCompletionItemProvider(ASM_LANGUAGE_ID, {
    triggerCharacters: ['.'],
    provideCompletionItems(model, position) {
      const before = model.getLineContent(position.lineNumber).slice(0, position.column - 1);
      const w = model.getWordUntilPosition(position);
      const range = new monaco.Range(position.lineNumber, w.startColumn, position.lineNumber, w.endColumn);
      return {
        suggestions: completionsAt(v, before).map((c) => ({
          label: c.label,
          kind: KIND[c.kind],
          detail: c.detail,
          documentation: { value: c.doc },
          insertText: c.label,
          range,
        })),
      };
    },
  });
}

export function toMonacoMarkers(markers: MarkerData[]): monaco.editor.IMarkerData[] {
  return markers.map((m) => ({
    ...m,
    severity: m.severity === 'error' ? monaco.MarkerSeverity.Error : monaco.MarkerSeverity.Warning,
    source: 'hd32 assembler',
  }));
}
