/**
 * Assembling for the app, the parts the assembler's worker (asmWorker.ts) and its askers share: a
 * guest's file system as the source of `.include`s (deploy, docs/guide.md), the demo's program folder
 * (the editor's diagnostics while typing: lib.inc), and the shared form of a diagnostic. A module
 * apart from Session.ts because the host reaches it too, and the host's thread loads no emulator code
 * (docs/architecture.md#layers-and-who-may-import-whom).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Diagnostic } from '../../shared/api.js';
import type { AsmResult } from '../asm/index.js';
import { DiskError, type FileSystem } from '../disk/index.js';

/** A guest file system as the assembler's readFile: `.include`s come from the same guest (deploy). */
export function guestIncludes(fs: FileSystem): (name: string) => string | undefined {
  return (inc) => {
    const b = fs.read(inc);
    return b instanceof DiskError ? undefined : new TextDecoder().decode(b);
  };
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
