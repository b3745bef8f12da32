/**
 * Our assembly language for the editor, derived from the one ISA table in src/shared/isa (house
 * style 1): the mnemonics, control registers and general registers that the tokenizer highlights,
 * the hover documentation and the completion items all come from OPCODES, CSRS and the register
 * tables, never from a copied list. Pure data and functions (no Monaco import), so that it is
 * unit-tested; editor/monacoAsm.ts hands it to Monaco.
 *
 * Directives and pseudo-instructions are documented by the assembler (src/main/asm), which the
 * renderer may not import; the vocabulary takes them as an optional input, and words of the form
 * `.name` are highlighted as directives whatever the list says.
 */
import {
  CSRS,
  FORMAT_SYNTAX,
  MODE_NAMES,
  OPCODES,
  REGISTER_ABI_NAMES,
  REGISTER_DOCS,
  type CsrInfo,
  type OpcodeInfo,
} from '../../shared/isa/index.js';
import type { Diagnostic } from '../../shared/api.js';

export const ASM_LANGUAGE_ID = 'hd32asm';

/** A word with a syntax line and a one-line doc, for directives and pseudo-instructions. */
export interface DocumentedWord {
  name: string;
  syntax: string;
  doc: string;
}

export interface AsmVocabulary {
  opcodes: readonly OpcodeInfo[];
  csrs: readonly CsrInfo[];
  /** Register spellings: ABI name, `rN`, and `fp`, with the register number. */
  registers: readonly { name: string; number: number; doc: string }[];
  directives: readonly DocumentedWord[];
  pseudos: readonly DocumentedWord[];
}

/** The vocabulary from the ISA table; directives and pseudos when a caller has them. */
export function vocabulary(extra: Partial<Pick<AsmVocabulary, 'directives' | 'pseudos'>> = {}): AsmVocabulary {
  const registers: { name: string; number: number; doc: string }[] = [];
  REGISTER_ABI_NAMES.forEach((abi, i) => {
    registers.push({ name: abi, number: i, doc: REGISTER_DOCS[i] ?? '' });
    registers.push({ name: `r${i}`, number: i, doc: REGISTER_DOCS[i] ?? '' });
  });
  registers.push({ name: 'fp', number: 8, doc: REGISTER_DOCS[8] ?? '' });
  return {
    opcodes: OPCODES,
    csrs: CSRS,
    registers,
    directives: extra.directives ?? [],
    pseudos: extra.pseudos ?? [],
  };
}

/** Token classes the tokenizer emits; the theme colours each (editor/monacoAsm.ts). */
export const TOKENS = {
  comment: 'comment',
  label: 'type.label',
  directive: 'keyword.directive',
  mnemonic: 'keyword',
  privileged: 'keyword.privileged',
  pseudo: 'keyword.pseudo',
  register: 'variable.register',
  csr: 'type.csr',
  number: 'number',
  string: 'string',
  escape: 'string.escape',
  operator: 'operator',
  identifier: 'identifier',
} as const;

/**
 * A Monarch tokenizer definition (plain data). Words are matched case-insensitively; privileged
 * instructions get their own class so that a reader sees at a glance what traps in user mode.
 */
export function monarchDefinition(v: AsmVocabulary): Record<string, unknown> {
  const unprivileged = v.opcodes.filter((o) => o.pg === 'innocuous').map((o) => o.mnemonic);
  const privileged = v.opcodes.filter((o) => o.pg !== 'innocuous').map((o) => o.mnemonic);
  return {
    ignoreCase: true,
    defaultToken: '',
    mnemonics: unprivileged,
    privileged,
    pseudos: v.pseudos.map((p) => p.name).filter((n) => !v.opcodes.some((o) => o.mnemonic === n)),
    registers: v.registers.map((r) => r.name),
    csrs: v.csrs.map((c) => c.name),
    tokenizer: {
      root: [
        [/[#;].*$/, TOKENS.comment],
        [/[A-Za-z_.$][\w.$]*(?=\s*:)/, TOKENS.label],
        [/\.[A-Za-z_]\w*/, TOKENS.directive],
        [/"/, TOKENS.string, '@string'],
        [/'(?:\\.|[^\\'])'/, TOKENS.string],
        [/0[xX][0-9a-fA-F_]+|0[bB][01_]+|\d[\d_]*/, TOKENS.number],
        [
          /[A-Za-z_$][\w.$]*/,
          {
            cases: {
              '@privileged': TOKENS.privileged,
              '@mnemonics': TOKENS.mnemonic,
              '@pseudos': TOKENS.pseudo,
              '@registers': TOKENS.register,
              '@csrs': TOKENS.csr,
              '@default': TOKENS.identifier,
            },
          },
        ],
        [/[-+*/%&|^~<>=!(),:[\]]/, TOKENS.operator],
        [/\s+/, ''],
      ],
      string: [
        [/[^\\"]+/, TOKENS.string],
        [/\\./, TOKENS.escape],
        [/"/, TOKENS.string, '@pop'],
      ],
    },
  };
}

/** Who may run an instruction, in words, from its Popek-Goldberg class. */
export function privilegeOf(o: OpcodeInfo): string {
  switch (o.pg) {
    case 'innocuous':
      return 'any mode (innocuous)';
    case 'privileged':
      return `${MODE_NAMES[o.minMode ?? 1]} mode and above; traps below (privileged)`;
    case 'csr':
      return 'as the control register allows (each CSR has its own read and write mode)';
    case 'trap':
      return 'any mode; always traps to a higher mode (the monitor sees every use)';
  }
}

/** Markdown lines of a hover for a word, or undefined when the word is not ours. */
export function hoverFor(v: AsmVocabulary, rawWord: string): string[] | undefined {
  const word = rawWord.toLowerCase();
  const ops = v.opcodes.filter((o) => o.mnemonic === word);
  if (ops.length) {
    const o = ops[0]!;
    const syntax = FORMAT_SYNTAX[o.format];
    const lines = [
      `**${o.mnemonic}** \`${`${o.mnemonic} ${syntax}`.trim()}\``,
      o.doc,
      `Format ${o.format} · ${o.group} · opcode 0x${o.opcode.toString(16).padStart(2, '0')}${o.funct !== undefined ? ` funct ${o.funct}` : ''}`,
      `Runs in: ${privilegeOf(o)}`,
    ];
    const pseudo = v.pseudos.filter((p) => p.name === word);
    for (const p of pseudo) lines.push(`Also a pseudo-instruction: \`${p.name} ${p.syntax}\`: ${p.doc}`);
    return lines;
  }
  const pseudo = v.pseudos.filter((p) => p.name === word);
  if (pseudo.length) {
    return pseudo.flatMap((p) => [`**${p.name}** \`${`${p.name} ${p.syntax}`.trim()}\` (pseudo-instruction)`, p.doc]);
  }
  const reg = v.registers.find((r) => r.name === word);
  if (reg) {
    const spellings = v.registers.filter((r) => r.number === reg.number).map((r) => `\`${r.name}\``);
    const extra = reg.number === 0 ? ' (reads as zero, ignores writes)' : '';
    return [`**r${reg.number}** (${spellings.join(', ')})`, `${reg.doc}${extra}`];
  }
  const csr = v.csrs.find((c) => c.name === word);
  if (csr) {
    const write = csr.write === null ? 'read-only' : `write: ${MODE_NAMES[csr.write]}`;
    return [
      `**${csr.name}** control register 0x${csr.number.toString(16)}`,
      csr.doc,
      `read: ${MODE_NAMES[csr.read]} · ${write}`,
    ];
  }
  const dir = v.directives.find((d) => d.name === word);
  if (dir) return [`**${dir.name}** \`${`${dir.name} ${dir.syntax}`.trim()}\` (directive)`, dir.doc];
  return undefined;
}

export type CompletionKind = 'mnemonic' | 'pseudo' | 'register' | 'csr' | 'directive';

export interface CompletionEntry {
  label: string;
  kind: CompletionKind;
  detail: string;
  doc: string;
}

/**
 * What to offer at a point of a line: directives after a `.`, mnemonics (and pseudos) where the
 * instruction goes (first word, or after a label), registers and control registers elsewhere.
 */
export function completionsAt(v: AsmVocabulary, lineBefore: string): CompletionEntry[] {
  const code = lineBefore.replace(/^\s*[A-Za-z_.$][\w.$]*:\s*/, '');
  if (/[#;]/.test(code)) return [];
  const directiveWord = /(?:^|\s)\.[A-Za-z_]*$/.test(code);
  if (directiveWord) {
    return v.directives.map((d) => ({ label: d.name, kind: 'directive', detail: d.syntax, doc: d.doc }));
  }
  const atInstruction = /^\s*[A-Za-z_]*$/.test(code);
  if (atInstruction) {
    const out: CompletionEntry[] = [];
    const seen = new Set<string>();
    for (const o of v.opcodes) {
      if (seen.has(o.mnemonic)) continue;
      seen.add(o.mnemonic);
      out.push({
        label: o.mnemonic,
        kind: 'mnemonic',
        detail: FORMAT_SYNTAX[o.format],
        doc: `${o.doc}\n\nRuns in: ${privilegeOf(o)}`,
      });
    }
    for (const p of v.pseudos) {
      if (seen.has(p.name)) continue;
      seen.add(p.name);
      out.push({ label: p.name, kind: 'pseudo', detail: p.syntax, doc: p.doc });
    }
    return out;
  }
  const csrOperand = /\bcsr[rw]\w*\s+[^,]*,\s*[A-Za-z_]*$/i.test(code);
  const regs: CompletionEntry[] = v.registers
    .filter((r) => !/^r\d+$/.test(r.name))
    .map((r) => ({ label: r.name, kind: 'register', detail: `r${r.number}`, doc: r.doc }));
  const csrs: CompletionEntry[] = v.csrs.map((c) => ({
    label: c.name,
    kind: 'csr',
    detail: `CSR 0x${c.number.toString(16)}`,
    doc: c.doc,
  }));
  return csrOperand ? [...csrs, ...regs] : [...regs, ...csrs];
}

/** A marker as the editor needs it (1-based lines and columns, end exclusive). */
export interface MarkerData {
  startLineNumber: number;
  startColumn: number;
  endLineNumber: number;
  endColumn: number;
  message: string;
  severity: 'error' | 'warning';
}

/**
 * The assembler's diagnostics as markers on `file`. A diagnostic without an end column spans the
 * word at its column. One in another file (an included one) is shown on the `.include` line that
 * brings that file in, or on line 1, with its own place in the message.
 */
export function markersFor(file: string, source: string, diagnostics: readonly Diagnostic[]): MarkerData[] {
  const lines = source.split('\n');
  return diagnostics.map((d) => {
    if (d.file === file || d.file.endsWith(`/${file}`)) {
      const lineNo = Math.min(Math.max(1, d.line), Math.max(1, lines.length));
      const text = lines[lineNo - 1] ?? '';
      const start = Math.max(1, d.col);
      const end = d.endCol && d.endCol > start ? d.endCol : wordEnd(text, start);
      return {
        startLineNumber: lineNo,
        startColumn: start,
        endLineNumber: lineNo,
        endColumn: end,
        message: d.message,
        severity: d.severity,
      };
    }
    const base = d.file.split('/').pop() ?? d.file;
    const idx = lines.findIndex((l) => new RegExp(`^\\s*\\.include\\s+"[^"]*${escapeRe(base)}"`).test(l));
    const lineNo = idx >= 0 ? idx + 1 : 1;
    const text = lines[lineNo - 1] ?? '';
    return {
      startLineNumber: lineNo,
      startColumn: 1,
      endLineNumber: lineNo,
      endColumn: Math.max(2, text.length + 1),
      message: `${d.file}:${d.line}:${d.col}: ${d.message}`,
      severity: d.severity,
    };
  });
}

function wordEnd(text: string, col: number): number {
  let i = col - 1;
  while (i < text.length && /[\w.$]/.test(text[i]!)) i++;
  return Math.max(i + 1, col + 1);
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
