/**
 * General registers of HD32: r0..r31, r0 reads as zero and ignores writes. The ABI names follow a
 * calling convention the guest OSes and the assembler share (docs/isa.md#registers).
 */
export const REGISTER_ABI_NAMES: readonly string[] = [
  'zero',
  'ra',
  'sp',
  'gp',
  'tp',
  't0',
  't1',
  't2',
  's0',
  's1',
  'a0',
  'a1',
  'a2',
  'a3',
  'a4',
  'a5',
  'a6',
  'a7',
  's2',
  's3',
  's4',
  's5',
  's6',
  's7',
  's8',
  's9',
  's10',
  's11',
  't3',
  't4',
  't5',
  't6',
];

export const REGISTER_DOCS: readonly string[] = [
  'always zero',
  'return address',
  'stack pointer',
  'global pointer',
  'thread pointer',
  'temporary',
  'temporary',
  'temporary',
  'saved / frame pointer',
  'saved',
  'argument / return value',
  'argument / return value',
  'argument',
  'argument',
  'argument',
  'argument',
  'argument',
  'argument / syscall number',
  'saved',
  'saved',
  'saved',
  'saved',
  'saved',
  'saved',
  'saved',
  'saved',
  'saved',
  'saved',
  'temporary',
  'temporary',
  'temporary',
  'temporary',
];

const BY_NAME = new Map<string, number>();
REGISTER_ABI_NAMES.forEach((n, i) => {
  BY_NAME.set(n, i);
  BY_NAME.set(`r${i}`, i);
});
BY_NAME.set('fp', 8);

/** Register number for a name (`r5`, `t0`, `fp`), or undefined. Case-insensitive. */
export function registerNumber(name: string): number | undefined {
  return BY_NAME.get(name.toLowerCase());
}

export function registerName(n: number): string {
  return REGISTER_ABI_NAMES[n] ?? `r${n}`;
}
