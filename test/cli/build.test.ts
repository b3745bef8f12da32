/**
 * The command-line tool built to plain JavaScript (scripts/cli-build.mjs, docs/architecture.md#the-command-line-tool-issue-17):
 * the first command builds it, later ones reuse it, a changed source makes the next command rebuild,
 * and HYPERDESK_TSX runs the sources through tsx. Runs in a copy of the project under the temporary
 * folder, so the repository's own out/ is never touched.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));

function copyProject(): string {
  const dir = mkdtempSync(join(tmpdir(), 'hyperdesk-build-'));
  for (const p of ['package.json', 'bin', 'scripts', 'src', 'docs', 'examples'])
    cpSync(join(root, p), join(dir, p), { recursive: true });
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return dir;
}

function hd(dir: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, [join(dir, 'bin/hyperdesk.js'), ...args], {
    cwd: dir,
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, ...env },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const manifest = (dir: string) =>
  JSON.parse(readFileSync(join(dir, 'out/cli/manifest.json'), 'utf8')) as {
    dir: string;
    inputs: Record<string, string>;
  };

describe('the built CLI', () => {
  it('is built by the first command, reused by the next, rebuilt when a source changes', () => {
    const dir = copyProject();
    const first = hd(dir, ['run', 'examples/hello.s']);
    expect(first.out).toBe('hello from HD32\n');
    expect(first.code).toBe(0);
    const built = manifest(dir);
    expect(existsSync(join(dir, 'out/cli', built.dir, 'cli.js'))).toBe(true);
    // The engine's workers are built beside it, so workerUrl starts them without tsx.
    for (const w of ['worker.js', 'compareWorker.js', 'cpuThread.js', 'asmWorker.js']) {
      expect(existsSync(join(dir, 'out/cli', built.dir, w))).toBe(true);
    }
    expect(Object.keys(built.inputs)).toContain('src/main/emulator/cpu/interpreter.ts');

    expect(hd(dir, ['--help']).code).toBe(0);
    expect(manifest(dir).dir).toBe(built.dir);

    const index = join(dir, 'src/main/cli/index.ts');
    writeFileSync(index, readFileSync(index, 'utf8').replace("'create, partition", "'CHANGED: create, partition"));
    const help = hd(dir, ['--help']);
    expect(help.out).toContain('CHANGED: create, partition');
    expect(manifest(dir).dir).not.toBe(built.dir);
  });

  it('runs from the TypeScript sources through tsx with HYPERDESK_TSX set, and builds nothing', () => {
    const dir = copyProject();
    const r = hd(dir, ['run', 'examples/hello.s'], { HYPERDESK_TSX: '1' });
    expect(r.out).toBe('hello from HD32\n');
    expect(existsSync(join(dir, 'out/cli'))).toBe(false);
  });

  it('finds docs/isa.md from the project root when built (docs --check)', () => {
    const dir = copyProject();
    expect(hd(dir, ['docs', '--check'])).toMatchObject({ code: 0 });
    writeFileSync(join(dir, 'docs/isa.md'), 'stale\n');
    expect(hd(dir, ['docs', '--check']).err).toContain('docs/isa.md is out of date');
  });
});
