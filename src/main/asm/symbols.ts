/**
 * Sections and symbols. A label is a (section, offset) pair until the sections are laid out after
 * pass 1, because a section's start depends on how large the sections before it grew; constants
 * (`.equ`, `=`) hold values. Layout rule: sections in order of first appearance, each at the end of
 * the previous one rounded up to 16 bytes (or to its largest `.align`), unless it fixed its own start
 * with `.org` before emitting anything.
 */
import type { Expr } from './expr.js';

export interface SrcPos {
  file: string;
  line: number;
  col: number;
}

export interface Section {
  name: string;
  /** Absolute start, once known: from the beginning for a section fixed by `.org` (and for the
   *  first section, which starts at 0 unless an `.org` moves it), after layout for the others. */
  start: number | undefined;
  /** True when `start` is known during pass 1. */
  fixed: boolean;
  /** Location counter: offset from `start`. */
  lc: number;
  /** Largest offset reached. */
  size: number;
  /** Offsets of the first and past-the-last byte actually emitted (the image covers these). */
  minEmit: number;
  maxEmit: number;
  /** Largest alignment asked for, so layout can start the section on it. */
  align: number;
  /** Something (a label or bytes) has been placed: `.org` can no longer move the start. */
  started: boolean;
  /** Where the section first appeared, for overlap errors. */
  pos: SrcPos;
}

export function newSection(name: string, pos: SrcPos, first: boolean): Section {
  return {
    name,
    start: first ? 0 : undefined,
    fixed: first,
    lc: 0,
    size: 0,
    minEmit: Infinity,
    maxEmit: -Infinity,
    align: 16,
    started: false,
    pos,
  };
}

export type SymbolKind = 'label' | 'equ' | 'set';

export interface SymbolInfo {
  name: string;
  kind: SymbolKind;
  /** Labels: where. */
  section?: Section;
  offset?: number;
  /** Constants: the value as far as known (pass 1: at this point of the source; after pass 1: the
   *  final definition). */
  value?: number;
  /** The constant's value depends on the layout (it was computed from labels or `.`). */
  address: boolean;
  /** Constants whose expression could not be evaluated when defined (forward references): resolved
   *  after layout. */
  pending?: { expr: Expr; section: Section; offset: number };
  pos: SrcPos;
  /** Exported with .global. */
  global: boolean;
  /** Numeric local labels: kept out of the symbol map, the symbol file and suggestions. */
  hidden: boolean;
}

/** Absolute value of a label, or undefined while its section has no start. */
export function labelValue(s: SymbolInfo): number | undefined {
  if (s.kind !== 'label' || !s.section || s.section.start === undefined) return undefined;
  return (s.section.start + (s.offset ?? 0)) | 0;
}

/** Internal name of the k-th definition of numeric label n (no user name can contain \u0001). */
export const localLabelName = (n: string, k: number): string => `${n}\u0001${k}`;

export interface LayoutError {
  pos: SrcPos;
  message: string;
}

const hex = (n: number) => `0x${(n >>> 0).toString(16).padStart(8, '0')}`;
export const alignUp = (v: number, a: number): number => Math.ceil(v / a) * a;

/** Give every section a start and check that emitted ranges neither overlap nor leave 32 bits. */
export function layoutSections(sections: Section[]): LayoutError[] {
  const errors: LayoutError[] = [];
  let cursor = 0;
  for (const s of sections) {
    if (s.start === undefined) s.start = alignUp(cursor, s.align);
    if (s.start + s.size > 0x1_0000_0000) {
      errors.push({
        pos: s.pos,
        message: `section '${s.name}' ends beyond the 32-bit address space (${hex(s.start)} + ${s.size} bytes)`,
      });
    }
    cursor = s.start + s.size;
  }
  const emitted = sections
    .filter((s) => s.maxEmit > s.minEmit)
    .sort((a, b) => a.start! + a.minEmit - (b.start! + b.minEmit));
  for (let i = 1; i < emitted.length; i++) {
    const a = emitted[i - 1];
    const b = emitted[i];
    const aEnd = a.start! + a.maxEmit;
    const bStart = b.start! + b.minEmit;
    if (bStart < aEnd) {
      const range = (s: Section) => `${hex(s.start! + s.minEmit)}..${hex(s.start! + s.maxEmit - 1)}`;
      errors.push({
        pos: b.pos,
        message: `section '${b.name}' (${range(b)}) overlaps section '${a.name}' (${range(a)})`,
      });
    }
  }
  return errors;
}
