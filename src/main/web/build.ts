/**
 * Finds the built renderer, building it first (`electron-vite build`) when it is missing, so that
 * `hyperdesk serve` and the e2e tests work straight after `npm install`.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The repository root: the nearest folder up from this module that holds a package.json (this file
 * is src/main/web/build.ts in the sources, a chunk under out/cli/ or out/main/ when built).
 */
export const PROJECT_ROOT = findProjectRoot(path.dirname(fileURLToPath(import.meta.url)));

function findProjectRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) return path.resolve(from, '../../..');
  }
}
export const RENDERER_DIR = path.join(PROJECT_ROOT, 'out', 'renderer');

/** The newest modification time of the files the renderer is built from (its sources and the contract). */
function newestRendererSource(): number {
  let newest = 0;
  const walk = (dir: string) => {
    if (!existsSync(dir)) return;
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else newest = Math.max(newest, statSync(p).mtimeMs);
    }
  };
  walk(path.join(PROJECT_ROOT, 'src', 'renderer'));
  walk(path.join(PROJECT_ROOT, 'src', 'shared'));
  const config = path.join(PROJECT_ROOT, 'electron.vite.config.ts');
  if (existsSync(config)) newest = Math.max(newest, statSync(config).mtimeMs);
  return newest;
}

/**
 * Returns the renderer directory; runs `electron-vite build` first if its index.html is missing or
 * older than a renderer source (a checkout that changed the UI is never served its old build).
 */
export async function ensureRendererBuilt(log: (line: string) => void = () => {}): Promise<string> {
  const index = path.join(RENDERER_DIR, 'index.html');
  if (existsSync(index) && statSync(index).mtimeMs >= newestRendererSource()) return RENDERER_DIR;
  log('hyperdesk: building the app (electron-vite build)...');
  await runElectronViteBuild();
  if (!existsSync(path.join(RENDERER_DIR, 'index.html'))) {
    throw new Error(`electron-vite build finished but ${path.join(RENDERER_DIR, 'index.html')} is missing`);
  }
  return RENDERER_DIR;
}

/**
 * Runs `electron-vite build` in the project root (into `outDir`, default out/); its output is shown
 * only if it fails.
 */
export function runElectronViteBuild(outDir?: string): Promise<void> {
  const require = createRequire(import.meta.url);
  const bin = path.join(path.dirname(require.resolve('electron-vite/package.json')), 'bin', 'electron-vite.js');
  return new Promise((resolve, reject) => {
    const args = [bin, 'build', ...(outDir ? ['--outDir', outDir] : [])];
    const child = spawn(process.execPath, args, { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve();
      else reject(new Error(`electron-vite build failed (exit ${code}):\n${output}`));
    });
  });
}
