/**
 * A deployed program's debugging information (docs/debugger.md#source-level): the assembler's line
 * map (address of each emitted statement -> file:line) and its symbols, kept per guest when the host
 * deploys the program, so breakpoints can name a source line and disassembly can show labels.
 */
export interface ProgramInfo {
  /** The source file name as deployed (`hello.s`). */
  file: string;
  entry: number;
  /** Sorted by address (the assembler's lineMap). */
  lines: { address: number; file: string; line: number }[];
  /** Labels (not constants): name -> address. */
  labels: { name: string; address: number }[];
}

const base = (f: string) => f.replace(/^.*[\\/]/, '').toLowerCase();

/** The address of a line's first instruction, or why there is none ("no code on line N; ..."). */
export function resolveLine(p: ProgramInfo, file: string, line: number): number | string {
  const want = base(file);
  const mine = p.lines.filter((l) => base(l.file) === want);
  if (mine.length === 0) {
    const files = [...new Set(p.lines.map((l) => l.file))].join(', ');
    return `${file} is not part of the deployed program (its files: ${files || 'none'})`;
  }
  const at = mine.filter((l) => l.line === line);
  if (at.length > 0) return Math.min(...at.map((l) => l.address)) >>> 0;
  let nearest = mine[0]!.line;
  for (const l of mine) if (Math.abs(l.line - line) < Math.abs(nearest - line)) nearest = l.line;
  return `no code on line ${line}; nearest is line ${nearest}`;
}

/** The source line an address came from, if the line map knows it. */
export function lineAt(p: ProgramInfo, address: number): { file: string; line: number } | undefined {
  const a = address >>> 0;
  // Binary search for the last entry at or below the address, then take it only on an exact hit
  // (a statement's first address): the words of one statement all map to it.
  let lo = 0;
  let hi = p.lines.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (p.lines[mid]!.address <= a) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  if (found < 0) return undefined;
  const l = p.lines[found]!;
  const next = p.lines[found + 1];
  // An instruction is 4 bytes; a statement spans up to the next one (pseudo-instructions expand).
  if (l.address === a || (next !== undefined && a < next.address && a - l.address < 64))
    return { file: l.file, line: l.line };
  return undefined;
}

export function labelAt(p: ProgramInfo, address: number): string | undefined {
  return p.labels.find((l) => l.address >>> 0 === address >>> 0)?.name;
}
