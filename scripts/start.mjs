#!/usr/bin/env node
// `npm start`: builds the app, then starts Electron if it can run here; otherwise says why in one
// line and starts the web mode (`hyperdesk serve`), which prints the address to open in a browser.
// `npm start -- --web` picks the web mode even where Electron can run (other arguments go to serve).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

function binOf(pkg, file) {
  return path.join(path.dirname(require.resolve(`${pkg}/package.json`)), file);
}

/** Runs a child with our stdio; resolves to its exit code, passing Ctrl-C / SIGTERM on to it. */
function run(command, args) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: root, stdio: 'inherit' });
    const forward = (signal) => child.kill(signal);
    process.on('SIGINT', forward);
    process.on('SIGTERM', forward);
    child.on('error', (e) => {
      console.error(`hyperdesk: cannot run ${command}: ${e.message}`);
      resolve(1);
    });
    child.on('exit', (code, signal) => {
      process.off('SIGINT', forward);
      process.off('SIGTERM', forward);
      resolve(code ?? (signal ? 0 : 1));
    });
  });
}

/**
 * The Electron binary's path, or why Electron cannot run here. Does not `require('electron')`:
 * that tries to download the binary and throws when it cannot. The download is tried once, here,
 * with a time limit, and only where a window could be shown at all.
 */
function electronBinary() {
  const hasDisplay =
    process.platform === 'darwin' ||
    process.platform === 'win32' ||
    !!process.env.DISPLAY ||
    !!process.env.WAYLAND_DISPLAY;
  if (!hasDisplay) return { reason: 'no display ($DISPLAY and $WAYLAND_DISPLAY are unset)' };
  let electronDir;
  try {
    electronDir = path.dirname(require.resolve('electron/package.json'));
  } catch {
    return { reason: 'the electron package is not installed (run npm install)' };
  }
  const located = () => {
    const pathFile = path.join(electronDir, 'path.txt');
    if (!existsSync(pathFile)) return null;
    const exe = path.join(electronDir, 'dist', readFileSync(pathFile, 'utf8').trim());
    return existsSync(exe) ? exe : null;
  };
  let exe = located();
  if (!exe) {
    console.log('hyperdesk: downloading the Electron binary (first start only)...');
    const r = spawnSync(process.execPath, [path.join(electronDir, 'install.js')], { stdio: 'pipe', timeout: 300_000 });
    exe = r.status === 0 ? located() : null;
    if (!exe)
      return {
        reason: "its binary is missing and could not be downloaded (no network access to Electron's releases?)",
      };
  }
  return { exe };
}

async function main() {
  console.log('hyperdesk: building (electron-vite build)...');
  const buildCode = await run(process.execPath, [binOf('electron-vite', 'bin/electron-vite.js'), 'build']);
  if (buildCode !== 0) return buildCode;

  const args = process.argv.slice(2);
  const serve = () =>
    run(process.execPath, [path.join(root, 'bin', 'hyperdesk.js'), 'serve', ...args.filter((a) => a !== '--web')]);
  if (args.includes('--web')) {
    console.log('hyperdesk: the web mode, as asked (--web).');
    return serve();
  }
  const electron = electronBinary();
  if (electron.exe) return run(electron.exe, ['.']);

  console.log(`hyperdesk: Electron cannot start here: ${electron.reason}; starting the web mode instead.`);
  return serve();
}

process.exitCode = await main();
