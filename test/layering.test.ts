/**
 * The layering of ARCHITECTURE.md ("who may import whom"), checked on every .ts file under src/ by
 * resolving each import, export-from, dynamic import(), require() and import type. eslint.config.js
 * expresses the same rules as specifier patterns; this test is the exact one.
 *
 *   src/main/emulator  only itself and src/shared; no electron, node:*, builtins or packages; and,
 *                      outside tests, no process, Date.now, performance.now, Math.random or timers
 *                      (the emulator is deterministic: clocks come in through interfaces)
 *   src/shared         only itself
 *   src/renderer       never src/main; no electron, no Node builtins
 *   src/preload        never src/main
 *   src/main/asm       no node:*, builtins, electron or emulator
 *   src/main/store     only itself, src/shared, node:* and better-sqlite3 (the host uses it; the
 *                      emulator and the engine never do)
 *   everywhere         electron only in src/main/index.ts and src/preload/index.ts
 *   the faces          src/main/cli, src/main/web and src/main/index.ts (the Electron shell) reach
 *                      the rest of src/main only through the host (src/main/host); they may import
 *                      src/shared and each other. FACE_EXCEPTIONS lists today's exceptions, each
 *                      with its reason; it only shrinks (an exception no longer used fails the test)
 *   scripts/           entries only: they reach src through the host and src/shared; nothing in
 *                      src, test or scripts imports a script
 *   the host           loads no emulator code on its thread: no file under src/main/host imports
 *                      the emulator except with `import type`, and nothing it loads (followed
 *                      through every value import, static or dynamic) is an emulator file
 * Test files (*.test.ts) may also import node:*, vitest and fast-check (property tests).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ELECTRON_FILES = new Set(['src/main/index.ts', 'src/preload/index.ts']);
const BUILTINS = new Set(builtinModules);
/** Layers below the host, which never reach the store (the host saves what they produce). */
const STORE_NOT_FOR = ['src/main/emulator', 'src/main/engine', 'src/main/asm', 'src/main/disk'];
/** The faces (ARCHITECTURE.md: electron shell, web, cli -> host). */
const FACES = ['src/main/cli', 'src/main/web', 'src/main/index.ts'];
/**
 * Today's exceptions to "the faces reach the machine only through the host" (docs/architecture.md
 * #layers-and-who-may-import-whom): [face file, the folder or file it may import, why]. `hyperdesk
 * run` and `hyperdesk boot` run a machine on the CLI's own thread, paced to the terminal, instead of
 * on the engine worker behind the host; moving them there (console events and input through the host
 * API) removes these. Do not add to this list.
 */
export const FACE_EXCEPTIONS: readonly (readonly [string, string, string])[] = [
  ['src/main/cli/run.ts', 'src/main/emulator', '`hyperdesk run` runs a bare machine on the CLI thread'],
  ['src/main/cli/boot.ts', 'src/main/engine/powerOn.ts', '`hyperdesk boot` powers a machine on in the CLI'],
];
/** Reads of the host's clocks, randomness and environment that the emulator must not make. */
const BANNED_GLOBALS = new Set(['process', 'setTimeout', 'setInterval', 'setImmediate']);
const BANNED_MEMBERS = new Set(['Date.now', 'performance.now', 'Math.random']);

interface Found {
  specifier: string;
  line: number;
  /** `import type`, `export type`, or every named binding marked `type`: nothing is loaded at run time. */
  typeOnly?: boolean;
}

/** Every module specifier in a file: static, export-from, dynamic, require(), import type, import x = require(). */
export function specifiersOf(fileName: string, text: string): Found[] {
  const sf = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true);
  const out: Found[] = [];
  const add = (node: ts.Node | undefined, typeOnly = false): void => {
    if (node && ts.isStringLiteralLike(node)) {
      out.push({ specifier: node.text, line: sf.getLineAndCharacterOfPosition(node.getStart()).line + 1, typeOnly });
    }
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) {
      const c = node.importClause;
      const named = c?.namedBindings && ts.isNamedImports(c.namedBindings) ? c.namedBindings.elements : undefined;
      const allTypes = !!c && !c.name && !!named && named.length > 0 && named.every((e) => e.isTypeOnly);
      add(node.moduleSpecifier, !!c && (c.isTypeOnly || allTypes));
    } else if (ts.isExportDeclaration(node)) {
      const named = node.exportClause && ts.isNamedExports(node.exportClause) ? node.exportClause.elements : undefined;
      add(node.moduleSpecifier, node.isTypeOnly || (!!named && named.length > 0 && named.every((e) => e.isTypeOnly)));
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      add(node.moduleReference.expression);
    } else if (ts.isCallExpression(node)) {
      const callee = node.expression;
      if (callee.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(callee) && callee.text === 'require')) {
        add(node.arguments[0]);
      }
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) add(node.argument.literal, true);
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

/** Uses of the host's clocks, timers, randomness or `process` (not declarations or members that share a name). */
export function nondeterminismOf(fileName: string, text: string): Found[] {
  const sf = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true);
  const out: Found[] = [];
  const at = (node: ts.Node): number => sf.getLineAndCharacterOfPosition(node.getStart()).line + 1;
  const visit = (node: ts.Node): void => {
    if (ts.isPropertyAccessExpression(node) && ts.isIdentifier(node.expression)) {
      const member = `${node.expression.text}.${node.name.text}`;
      if (BANNED_MEMBERS.has(member)) out.push({ specifier: member, line: at(node) });
      if (
        ['globalThis', 'window', 'global', 'self'].includes(node.expression.text) &&
        BANNED_GLOBALS.has(node.name.text)
      ) {
        out.push({ specifier: member, line: at(node) });
      }
    } else if (ts.isIdentifier(node) && BANNED_GLOBALS.has(node.text) && isReference(node)) {
      out.push({ specifier: node.text, line: at(node) });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

/** False where the identifier names a member or a declaration (`cpu.process()`, `{ process: 1 }`, `process() {}`). */
function isReference(id: ts.Identifier): boolean {
  const parent = id.parent as ts.Node & { name?: ts.Node; propertyName?: ts.Node };
  if (ts.isShorthandPropertyAssignment(parent)) return true;
  if (ts.isQualifiedName(parent)) return parent.left === id;
  return parent.name !== id && parent.propertyName !== id;
}

function under(file: string, dir: string): boolean {
  return file === dir || file.startsWith(dir + '/');
}

/** The source file a module path names (`./x.js` is `./x.ts` under tsx and tsc's NodeNext). */
function sourceOf(target: string): string {
  return target.replace(/\.([mc]?)js$/, '.$1ts');
}

function isBuiltin(spec: string): boolean {
  return spec.startsWith('node:') || BUILTINS.has(spec) || BUILTINS.has(spec.split('/')[0] ?? '');
}

/** The layering violations in one file; `file` is relative to the repository root, with forward slashes. */
export function checkFile(file: string, text: string): string[] {
  const problems: string[] = [];
  const isTest = /\.test\.[mc]?ts$/.test(file);
  const testBareOk = (spec: string): boolean =>
    isTest && (isBuiltin(spec) || spec === 'vitest' || spec === 'fast-check');
  for (const { specifier: spec, line, typeOnly } of specifiersOf(file, text)) {
    const where = `${file}:${line}: imports '${spec}'`;
    const relative = spec.startsWith('./') || spec.startsWith('../') || spec === '.' || spec === '..';
    const target = relative ? sourceOf(path.posix.normalize(path.posix.join(path.posix.dirname(file), spec))) : null;
    const bare = !relative;
    if (target && under(target, 'scripts') && !under(file, 'scripts')) {
      problems.push(`${where}: nothing imports scripts/ (they are entries; shared code lives under src)`);
    }
    if (under(file, 'scripts') && target && under(target, 'src')) {
      if (!under(target, 'src/main/host') && !under(target, 'src/shared'))
        problems.push(`${where}: scripts reach src only through the host and src/shared`);
    }
    if (FACES.some((f) => under(file, f)) && target && under(target, 'src')) {
      const allowed =
        under(target, 'src/shared') ||
        under(target, 'src/main/host') ||
        FACES.some((f) => under(target, f)) ||
        FACE_EXCEPTIONS.some(([f, t]) => f === file && under(target, t));
      if (!allowed) problems.push(`${where}: the faces reach the machine only through the host (src/main/host)`);
    }
    if (under(file, 'src/main/host') && !isTest && target && under(target, 'src/main/emulator') && !typeOnly) {
      problems.push(`${where}: the host loads no emulator code on its thread (use import type)`);
    }
    if (bare && (spec === 'electron' || spec.startsWith('electron/')) && !ELECTRON_FILES.has(file)) {
      problems.push(`${where}: electron is imported only by ${[...ELECTRON_FILES].join(' and ')}`);
      continue;
    }
    if (target && under(target, 'src/main/store') && STORE_NOT_FOR.some((d) => under(file, d))) {
      problems.push(`${where}: only the host (and the faces) use the store`);
    }
    if (under(file, 'src/main/emulator')) {
      if (bare && !testBareOk(spec))
        problems.push(`${where}: the emulator imports nothing outside itself and src/shared`);
      if (target && !under(target, 'src/main/emulator') && !under(target, 'src/shared')) {
        problems.push(`${where}: the emulator imports nothing outside itself and src/shared`);
      }
    } else if (under(file, 'src/shared')) {
      if (bare && !testBareOk(spec)) problems.push(`${where}: src/shared imports only src/shared`);
      if (target && !under(target, 'src/shared')) problems.push(`${where}: src/shared imports only src/shared`);
    } else if (under(file, 'src/renderer') || under(file, 'src/preload')) {
      if (target && under(target, 'src/main'))
        problems.push(`${where}: the renderer and the preload never import src/main`);
      if (under(file, 'src/renderer') && bare && isBuiltin(spec))
        problems.push(`${where}: the renderer runs in a page, not in Node`);
    } else if (under(file, 'src/main/store')) {
      if (bare && !isBuiltin(spec) && spec !== 'better-sqlite3' && !testBareOk(spec))
        problems.push(`${where}: the store imports only node:*, better-sqlite3 and src/shared`);
      if (target && !under(target, 'src/main/store') && !under(target, 'src/shared'))
        problems.push(`${where}: the store imports only node:*, better-sqlite3 and src/shared`);
    } else if (under(file, 'src/main/asm')) {
      if (bare && isBuiltin(spec) && !isTest)
        problems.push(`${where}: the assembler is pure: no Node built-in modules`);
      if (target && under(target, 'src/main/emulator'))
        problems.push(`${where}: the assembler does not import the emulator`);
    }
  }
  if (under(file, 'src/main/emulator') && !isTest) {
    for (const { specifier: use, line } of nondeterminismOf(file, text)) {
      problems.push(
        `${file}:${line}: uses ${use}: the emulator is deterministic (clocks and timers come in through interfaces)`,
      );
    }
  }
  return problems;
}

function sourceFiles(dir: string, pattern = /\.[mc]?ts$/): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full, pattern);
    return pattern.test(entry.name) ? [full] : [];
  });
}

/**
 * The emulator files that loading `entries` loads, each with the chain of value imports (static or
 * dynamic) that reaches it. `read` gives a file's text, or undefined when there is no such file.
 */
export function emulatorReached(entries: string[], read: (file: string) => string | undefined): string[] {
  const via = new Map<string, string[]>(entries.map((e) => [e, [e]]));
  const queue = [...entries];
  const reached: string[] = [];
  while (queue.length > 0) {
    const file = queue.shift()!;
    const text = read(file);
    if (text === undefined) continue;
    for (const { specifier, typeOnly } of specifiersOf(file, text)) {
      if (typeOnly || !(specifier.startsWith('./') || specifier.startsWith('../'))) continue;
      const target = sourceOf(path.posix.normalize(path.posix.join(path.posix.dirname(file), specifier)));
      if (via.has(target)) continue;
      const chain = [...via.get(file)!, target];
      via.set(target, chain);
      if (under(target, 'src/main/emulator')) reached.push(chain.join(' -> '));
      else queue.push(target);
    }
  }
  return reached;
}

const rel = (f: string) => path.relative(ROOT, f).split(path.sep).join('/');
const readSource = (f: string): string | undefined => {
  try {
    return readFileSync(path.join(ROOT, f), 'utf8');
  } catch {
    return undefined;
  }
};

describe('layering (ARCHITECTURE.md: who may import whom)', () => {
  const files = sourceFiles(path.join(ROOT, 'src')).map((f) => path.relative(ROOT, f).split(path.sep).join('/'));

  it('finds the sources', () => {
    expect(files).toContain('src/main/index.ts');
    expect(files).toContain('src/preload/index.ts');
    expect(files.some((f) => f.startsWith('src/shared/'))).toBe(true);
  });

  it('holds for every file under src/', () => {
    const problems = files.flatMap((f) => checkFile(f, readFileSync(path.join(ROOT, f), 'utf8')));
    expect(problems).toEqual([]);
  });

  it('holds for scripts/ and test/ (nobody imports a script; scripts reach src through the host)', () => {
    const others = [
      ...sourceFiles(path.join(ROOT, 'scripts'), /\.([mc]?ts|[mc]?js)$/),
      ...sourceFiles(path.join(ROOT, 'test')),
    ].map(rel);
    expect(others).toContain('scripts/build-disks.ts');
    expect(others.flatMap((f) => checkFile(f, readSource(f)!))).toEqual([]);
  });

  it('the host loads no emulator code on its thread, through any chain of imports', () => {
    const host = files.filter((f) => under(f, 'src/main/host') && !/\.test\.ts$/.test(f));
    expect(host).toContain('src/main/host/host.ts');
    expect(emulatorReached(host, readSource)).toEqual([]);
  });

  it('every face exception is still needed (the list only shrinks)', () => {
    const used = (file: string, target: string) =>
      specifiersOf(file, readSource(file) ?? '').some(
        ({ specifier }) =>
          specifier.startsWith('.') &&
          under(sourceOf(path.posix.normalize(path.posix.join(path.posix.dirname(file), specifier))), target),
      );
    expect(FACE_EXCEPTIONS.filter(([f, t]) => !used(f, t)).map(([f, t]) => `${f} -> ${t}`)).toEqual([]);
  });

  describe('the checker itself', () => {
    it('flags a bad emulator file: builtins, electron, packages, escapes, clocks', () => {
      const bad = [
        "import { readFileSync } from 'node:fs';",
        "import path from 'path';",
        "export { x } from '../../asm/index.js';",
        "import type { HostApi } from '../../host/host.js';",
        "const ui = await import('../../../renderer/client.js');",
        "const e = require('electron');",
        "import lodash from 'lodash';",
        'const t = Date.now() + performance.now() + Math.random();',
        'setTimeout(() => {}, 0); const env = process.env; const g = globalThis.setInterval;',
      ].join('\n');
      const problems = checkFile('src/main/emulator/cpu/Bad.ts', bad);
      for (const needle of [
        "'node:fs'",
        "'path'",
        'asm/index.js',
        'host/host.js',
        'renderer/client.js',
        "'electron'",
        "'lodash'",
      ]) {
        expect(
          problems.some((p) => p.includes(needle)),
          needle,
        ).toBe(true);
      }
      for (const use of [
        'Date.now',
        'performance.now',
        'Math.random',
        'uses setTimeout',
        'uses process',
        'globalThis.setInterval',
      ]) {
        expect(
          problems.some((p) => p.includes(use)),
          use,
        ).toBe(true);
      }
      expect(problems.every((p) => /^src\/main\/emulator\/cpu\/Bad\.ts:\d+: /.test(p))).toBe(true);
    });

    it('passes a good emulator file: shared imports, members and comments that only share a name', () => {
      const good = [
        "import { OPCODES } from '../../../shared/isa/index.js';",
        "import { Bus } from '../bus/Bus.js';",
        '// never call setTimeout or Date.now() here',
        "const note = 'Math.random is banned';",
        'class Unit { process(): void {} setTimeout = 1; }',
        'const o = { process: 1 }; o.process; new Unit().process();',
      ].join('\n');
      expect(checkFile('src/main/emulator/cpu/Good.ts', good)).toEqual([]);
    });

    it('lets emulator tests use node:*, vitest and fast-check, but not leave the emulator', () => {
      const text =
        "import { it } from 'vitest';\nimport fc from 'fast-check';\nimport fs from 'node:fs';\nimport { a } from '../../asm/a.js';\nDate.now();";
      const problems = checkFile('src/main/emulator/cpu/Cpu.test.ts', text);
      expect(problems).toHaveLength(1);
      expect(problems[0]).toContain('asm/a.js');
    });

    it('flags the other layers', () => {
      expect(checkFile('src/shared/isa/x.ts', "import { createHost } from '../../main/host/host.js';")).toHaveLength(1);
      expect(checkFile('src/shared/x.ts', "import fs from 'fs';")).toHaveLength(1);
      expect(checkFile('src/renderer/x.ts', "import { createHost } from '../main/host/host.js';")).toHaveLength(1);
      expect(checkFile('src/renderer/x.ts', "import { readFile } from 'node:fs/promises';")).toHaveLength(1);
      expect(checkFile('src/preload/x.ts', "export * from '../main/web/server.js';")).toHaveLength(1);
      expect(checkFile('src/main/asm/x.ts', "import { Cpu } from '../emulator/cpu/Cpu.js';")).toHaveLength(1);
      expect(checkFile('src/main/asm/x.ts', "import fs from 'node:fs';")).toHaveLength(1);
      expect(checkFile('src/main/web/x.ts', "import { app } from 'electron';")).toHaveLength(1);
      expect(checkFile('src/main/index.ts', "import { app } from 'electron';")).toEqual([]);
      expect(checkFile('src/main/asm/x.ts', "import { OPCODES } from '../../shared/isa/index.js';")).toEqual([]);
      expect(
        checkFile('src/main/store/x.ts', "import { Machine } from '../emulator/machine/Machine.js';"),
      ).toHaveLength(1);
      expect(checkFile('src/main/store/x.ts', "import ws from 'ws';")).toHaveLength(1);
      expect(
        checkFile(
          'src/main/store/x.ts',
          "import Database from 'better-sqlite3';\nimport fs from 'node:fs';\nimport type { LogEvent } from '../../shared/api.js';",
        ),
      ).toEqual([]);
      expect(checkFile('src/main/emulator/x.ts', "import { Store } from '../store/Store.js';")).toContainEqual(
        expect.stringContaining('only the host (and the faces) use the store'),
      );
      expect(checkFile('src/main/engine/x.ts', "import { Store } from '../store/Store.js';")).toHaveLength(1);
    });

    it('flags a face below the host, an import of a script, a script below the host, emulator code in the host', () => {
      expect(checkFile('src/main/cli/x.ts', "import { Machine } from '../emulator/machine/Machine.js';")).toEqual([
        expect.stringContaining('the faces reach the machine only through the host'),
      ]);
      expect(checkFile('src/main/web/x.ts', "import { Session } from '../engine/Session.js';")).toHaveLength(1);
      expect(checkFile('src/main/index.ts', "import { openDisks } from './disk/openDisks.js';")).toHaveLength(1);
      expect(
        checkFile(
          'src/main/cli/x.ts',
          "import { createHost } from '../host/host.js';\nimport type { HostApi } from '../../shared/api.js';\nimport { startWebServer } from '../web/server.js';",
        ),
      ).toEqual([]);
      // An exception is for its own file only.
      expect(checkFile('src/main/cli/run.ts', "import { Machine } from '../emulator/machine/Machine.js';")).toEqual([]);
      expect(
        checkFile('src/main/cli/asm.ts', "import { Machine } from '../emulator/machine/Machine.js';"),
      ).toHaveLength(1);
      expect(checkFile('src/main/disk/x.ts', "const m = await import('../../../scripts/build-disks.js');")).toEqual([
        expect.stringContaining('nothing imports scripts/'),
      ]);
      expect(checkFile('test/guests/x.ts', "import { ROOT } from '../../scripts/build-disks.js';")).toHaveLength(1);
      expect(checkFile('scripts/x.ts', "import { Machine } from '../src/main/emulator/machine/Machine.js';")).toEqual([
        expect.stringContaining('scripts reach src only through the host'),
      ]);
      expect(checkFile('scripts/x.mjs', "import { ensureDisks } from '../src/main/host/disks.js';")).toEqual([]);
      expect(checkFile('src/main/host/x.ts', "import { Machine } from '../emulator/machine/Machine.js';")).toEqual([
        expect.stringContaining('the host loads no emulator code'),
      ]);
      expect(checkFile('src/main/host/x.ts', "import type { Machine } from '../emulator/machine/Machine.js';")).toEqual(
        [],
      );
      expect(
        checkFile(
          'src/main/host/x.ts',
          "import { type Machine, type StopReport } from '../emulator/machine/Machine.js';",
        ),
      ).toEqual([]);
    });

    it('follows value imports from the host to the emulator, not type imports', () => {
      const tree: Record<string, string> = {
        'src/main/host/h.ts': "import { a } from '../engine/a.js';\nimport type { T } from '../engine/t.js';",
        'src/main/engine/a.ts': "export const a = await import('./b.js');",
        'src/main/engine/b.ts': "import { Cpu } from '../emulator/cpu/Cpu.js';",
        'src/main/engine/t.ts': "import { Machine } from '../emulator/machine/Machine.js';",
      };
      expect(emulatorReached(['src/main/host/h.ts'], (f) => tree[f])).toEqual([
        'src/main/host/h.ts -> src/main/engine/a.ts -> src/main/engine/b.ts -> src/main/emulator/cpu/Cpu.ts',
      ]);
    });
  });
});
