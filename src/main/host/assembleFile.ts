/**
 * The assembler with files: reads a source from disk and resolves `.include` relative to the file
 * that includes it. The assembler itself stays pure (src/main/asm); this is the one place that gives
 * it a file system, shared by the CLI, the host API and the benchmarks.
 */
import { readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { assemble, type AsmResult } from '../asm/index.js';

export function assembleFile(path: string, defines?: Record<string, number>): AsmResult & { readError?: string } {
  const abs = resolve(path);
  let source: string;
  try {
    source = readFileSync(abs, 'utf8');
  } catch (e) {
    const msg = `${path}: error: cannot read file: ${(e as NodeJS.ErrnoException).code ?? String(e)}`;
    return { ...assemble(''), ok: false, readError: msg };
  }
  // Diagnostics name files as the user wrote them (relative to the current directory).
  const shown = (p: string) => {
    const rel = relative(process.cwd(), p);
    return rel && !rel.startsWith('..') ? rel : p;
  };
  const absOf = new Map<string, string>([[shown(abs), abs]]);
  return assemble(source, {
    filename: shown(abs),
    defines,
    readFile: (inc, from) => {
      const base = absOf.get(from) ?? resolve(from);
      const target = resolve(dirname(base), inc);
      try {
        const text = readFileSync(target, 'utf8');
        absOf.set(shown(target), target);
        return text;
      } catch {
        return undefined;
      }
    },
  });
}
