/**
 * Assembling for the app: a guest's program with its `.include`s read from the guest's own file
 * system (deploy, docs/guide.md), the editor's diagnostics while typing, and the shared form of a
 * diagnostic. A module apart from Session.ts because the host calls it on its main thread, which
 * loads no emulator code (docs/architecture.md#layers-and-who-may-import-whom).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AssembleResult, Diagnostic } from '../../shared/api.js';
import { assemble, type AsmResult } from '../asm/index.js';
import { DiskError, type FileSystem } from '../disk/index.js';

/** Assembles a source whose `.include`s come from the same guest file system. */
export function assembleWithFiles(file: string, source: string, fs: FileSystem): AsmResult {
  return assemble(source, {
    filename: file,
    readFile: (inc) => {
      const b = fs.read(inc);
      return b instanceof DiskError ? undefined : new TextDecoder().decode(b);
    },
  });
}

export function toDiagnostics(r: AsmResult): Diagnostic[] {
  return r.diagnostics.map((d) => ({
    file: d.file,
    line: d.line,
    col: d.col,
    ...(d.endCol !== undefined ? { endCol: d.endCol } : {}),
    severity: d.severity === 'warning' ? 'warning' : 'error',
    message: d.message,
  }));
}

/**
 * Diagnostics only (the editor while typing): `.include`s resolve against the demo's program folder
 * (resources/programs: lib.inc), as on cos's disk.
 */
export function assembleOnly(file: string, source: string): AssembleResult {
  const r = assemble(source, { filename: file, readFile: (inc) => programInclude(inc) });
  return { ok: r.ok, diagnostics: toDiagnostics(r), ...(r.ok ? { bytes: r.bytes.length } : {}) };
}

/** The demo's program sources, for assembling a file that includes lib.inc outside a guest. */
export function programInclude(name: string): string | undefined {
  if (!/^[A-Za-z0-9_.-]+$/.test(name)) return undefined;
  const dir = programsDir();
  if (!dir) return undefined;
  try {
    return readFileSync(join(dir, name), 'utf8');
  } catch {
    return undefined;
  }
}

/** resources/programs, found upward from this module (source tree or built app alike). */
function programsDir(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, 'resources', 'programs');
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  return undefined;
}
