// The command-line tool built to plain JavaScript, so that `hyperdesk ...` compiles no TypeScript at
// start (docs/architecture.md#the-command-line-tool-issue-17). bin/hyperdesk.js calls `currentBuild()` at every
// start: it answers the entry of a build whose inputs are unchanged (one stat per input file), else
// builds one with esbuild (tsx's own compiler, so no new package) and answers that, else undefined
// (the caller falls back to tsx). `node scripts/cli-build.mjs` (npm run build:cli) builds one now.
//
// Each build goes into a folder of its own under out/cli/ and the manifest that names it is replaced
// in one rename, so two commands started together (the CLI tests do that) never see half a build,
// and a long-running `serve` keeps its folder (its workers start from it) when another build lands.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OUT = path.join(ROOT, 'out', 'cli');
const MANIFEST = path.join(OUT, 'manifest.json');
/** Bumped when the build's shape changes, so older manifests count as stale. */
const FORMAT = 2;
/** Build folders older than this are removed when a new build lands (a day: no command runs that long from one). */
const KEEP_MS = 24 * 3600_000;

/**
 * The CLI and the engine's worker entries (Engine.ts's workerUrl starts worker.js, compareWorker.js,
 * cpuThread.js and asmWorker.js when they sit next to the code that asks, as in the Electron build).
 */
const ENTRIES = {
  cli: 'src/main/cli/index.ts',
  worker: 'src/main/engine/worker.ts',
  compareWorker: 'src/main/engine/compareWorker.ts',
  cpuThread: 'src/main/engine/cpuThread.ts',
  asmWorker: 'src/main/engine/asmWorker.ts',
};

/** "mtime:size" of a file, or '' when it is gone. */
function stamp(file) {
  try {
    const s = statSync(file);
    return `${s.mtimeMs}:${s.size}`;
  } catch {
    return '';
  }
}

function readManifest() {
  try {
    const m = JSON.parse(readFileSync(MANIFEST, 'utf8'));
    return m && m.format === FORMAT ? m : undefined;
  } catch {
    return undefined;
  }
}

/** The URL of the current build's CLI entry if every input is as it was built, else undefined. */
export function freshBuild() {
  const m = readManifest();
  if (!m) return undefined;
  for (const [file, s] of Object.entries(m.inputs)) if (stamp(path.join(ROOT, file)) !== s) return undefined;
  const entry = path.join(OUT, m.dir, 'cli.js');
  return existsSync(entry) ? pathToFileURL(entry) : undefined;
}

/** Builds the CLI into a new folder and makes it current; throws if esbuild is missing or fails. */
export async function build() {
  const { build: esbuild } = await import('esbuild');
  const dir = `b${Date.now().toString(36)}-${process.pid}`;
  const outdir = path.join(OUT, dir);
  const result = await esbuild({
    absWorkingDir: ROOT,
    entryPoints: Object.fromEntries(Object.entries(ENTRIES).map(([k, v]) => [k, path.join(ROOT, v)])),
    outdir,
    bundle: true,
    splitting: true, // each command's module is a chunk loaded on use: --help loads no emulator
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external', // commander, ws, better-sqlite3...: resolved from node_modules at run time
    sourcemap: 'linked', // stack traces of emulator bugs name the TypeScript file and line
    metafile: true,
    logLevel: 'silent',
  });
  const inputs = {};
  for (const file of Object.keys(result.metafile.inputs)) inputs[file] = stamp(path.join(ROOT, file));
  const tmp = `${MANIFEST}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify({ format: FORMAT, dir, inputs }));
  renameSync(tmp, MANIFEST);
  removeOldBuilds(dir);
  return pathToFileURL(path.join(outdir, 'cli.js'));
}

function removeOldBuilds(current) {
  const now = Date.now();
  for (const name of readdirSync(OUT)) {
    const p = path.join(OUT, name);
    if (name === current || name === 'manifest.json') continue;
    try {
      if (now - statSync(p).mtimeMs > KEEP_MS) rmSync(p, { recursive: true, force: true });
    } catch {
      // another command removed it first
    }
  }
}

/** A current build's entry: the existing one, or a new one; undefined if none can be made here. */
export async function currentBuild() {
  const fresh = freshBuild();
  if (fresh) return fresh;
  try {
    mkdirSync(OUT, { recursive: true });
    return await build();
  } catch {
    return undefined; // read-only install, esbuild absent or a compile error: tsx reports it properly
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  mkdirSync(OUT, { recursive: true });
  const url = await build();
  process.stdout.write(`built ${path.relative(ROOT, fileURLToPath(url))}\n`);
}
