#!/usr/bin/env node
// Builds better-sqlite3 for Electron's ABI, beside the Node build, at install (package.json
// postinstall; src/main/store/nativeBinding.ts says where each build lives and which one loads).
//
// The build runs in a temporary copy of the package, so better-sqlite3's own build/Release (the
// Node build that the CLI, the web mode and the tests load) is never touched: @electron/rebuild
// replaces it, and deletes it when the rebuild fails. The result goes to
// build-electron/electron-v<version>-<platform>-<arch>/better_sqlite3.node in the package.
//
// It needs Electron's headers: downloaded by node-gyp from electronjs.org, or a folder of them
// given as $HYPERDESK_ELECTRON_HEADERS. Where neither can be had it says so in one line and exits
// 0: the install goes on, and the desktop app runs without its store and says why.
// `--force` builds again even when the build is there.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, sep } from 'node:path';

const require = createRequire(import.meta.url);
const say = (line) => console.log(`hyperdesk: ${line}`);

function packageDir(name) {
  try {
    return dirname(require.resolve(`${name}/package.json`));
  } catch {
    return undefined;
  }
}

/** npm's own node-gyp (npm tells scripts where it is; else next to this Node's npm). */
function nodeGyp() {
  const candidates = [
    process.env.npm_config_node_gyp,
    join(
      dirname(process.execPath),
      '..',
      'lib',
      'node_modules',
      'npm',
      'node_modules',
      'node-gyp',
      'bin',
      'node-gyp.js',
    ),
    packageDir('node-gyp') && join(packageDir('node-gyp'), 'bin', 'node-gyp.js'),
  ];
  return candidates.find((c) => c && existsSync(c));
}

const hashOf = (file) => (existsSync(file) ? createHash('sha256').update(readFileSync(file)).digest('hex') : 'missing');

/** Why node-gyp failed, in a few words (it ends with a stack and "gyp ERR! not ok"). */
function why(output) {
  const url = /gyp http GET (\S+)/.exec(output)?.[1];
  if (url && /network connectivity|ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ETIMEDOUT|ECONNRESET|40[34]/.test(output)) {
    return `cannot download Electron's headers from ${url}`;
  }
  const lines = output
    .split('\n')
    .filter((l) => !/^gyp (info|http|WARN)|^gyp ERR! (stack|System|command|cwd|node -v|node-gyp -v|not ok)/.test(l))
    .map((l) => l.replace(/^gyp ERR! ?/, '').trim())
    .filter(Boolean);
  return lines.at(-1) ?? 'no output';
}

function main() {
  const sqlite = packageDir('better-sqlite3');
  const electron = packageDir('electron');
  if (!sqlite) return say('better-sqlite3 is not installed; nothing to build for Electron.');
  if (!electron) return say('electron is not installed (a production install?); no Electron build of SQLite made.');
  const version = JSON.parse(readFileSync(join(electron, 'package.json'), 'utf8')).version;
  const folder = join(sqlite, 'build-electron', `electron-v${version}-${process.platform}-${process.arch}`);
  const target = join(folder, 'better_sqlite3.node');
  if (existsSync(target) && !process.argv.includes('--force')) {
    return say(`the Electron ${version} build of better-sqlite3 is there (${target}).`);
  }
  const gyp = nodeGyp();
  if (!gyp) return say('no node-gyp found; the desktop app will run without its store (the Node build is untouched).');

  const nodeBuild = join(sqlite, 'build', 'Release', 'better_sqlite3.node');
  const before = hashOf(nodeBuild);
  const work = mkdtempSync(join(tmpdir(), 'hyperdesk-sqlite-electron-'));
  try {
    // The package's sources only: not its builds.
    cpSync(sqlite, work, {
      recursive: true,
      filter: (src) => !/^(build|build-electron)$/.test(src.slice(sqlite.length + 1).split(sep)[0] ?? ''),
    });
    const headers = process.env.HYPERDESK_ELECTRON_HEADERS;
    const args = [
      gyp,
      'rebuild',
      '--release',
      `--target=${version}`,
      `--arch=${process.arch}`,
      '--runtime=electron',
      ...(headers ? [`--nodedir=${headers}`] : ['--dist-url=https://electronjs.org/headers']),
    ];
    say(`building better-sqlite3 for Electron ${version} (beside the Node build)...`);
    // npm passes its own build settings to install scripts (npm_config_nodedir: this Node's headers,
    // on machines set up to build without downloads). node-gyp would take those over --target and
    // build for Node's ABI under an Electron label; so the child gets none of them.
    const env = Object.fromEntries(
      Object.entries(process.env).filter(
        ([k]) => !/^npm_config_(nodedir|target|runtime|disturl|dist_url|arch|build_from_source)$/i.test(k),
      ),
    );
    const r = spawnSync(process.execPath, args, { cwd: work, encoding: 'utf8', timeout: 900_000, env });
    const built = join(work, 'build', 'Release', 'better_sqlite3.node');
    if (r.status !== 0 || !existsSync(built)) {
      return say(
        `no Electron build of better-sqlite3: cannot build it here (${why(`${r.stdout ?? ''}\n${r.stderr ?? ''}${r.error ? `\n${r.error.message}` : ''}`)}). ` +
          `The desktop app will run without its store and say so; the CLI, the web mode and the tests use the Node build, untouched. ` +
          `Where Electron's headers can be had: node scripts/build-sqlite-electron.mjs`,
      );
    }
    mkdirSync(folder, { recursive: true });
    cpSync(built, target);
    say(`built ${target}`);
  } finally {
    rmSync(work, { recursive: true, force: true });
    if (hashOf(nodeBuild) !== before) say(`warning: the Node build changed (${nodeBuild}); this should not happen`);
  }
}

main();
