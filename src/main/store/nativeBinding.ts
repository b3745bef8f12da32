/**
 * Which compiled better-sqlite3 the store loads (docs/architecture.md#the-store, "Two native
 * builds"). A native module is built for one ABI: Node's (the CLI, the web mode, the tests) or
 * Electron's (the desktop app). Both builds are kept, each in a folder of its own inside the
 * better-sqlite3 package, and the one for the running program is chosen by
 * `process.versions.electron`:
 *
 * - Node: better-sqlite3's own `build/Release/better_sqlite3.node`, which `npm install` compiles
 *   (no nativeBinding: the package finds it itself).
 * - Electron: `build-electron/electron-v<version>-<platform>-<arch>/better_sqlite3.node`, made by
 *   scripts/build-sqlite-electron.mjs at install where Electron's headers can be had. It is built in
 *   a copy of the package, so the Node build is never touched (@electron/rebuild would replace it).
 *
 * When the Electron build is missing, the answer says so in words for the app to show, and the app
 * runs without its store.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export interface SqliteBinding {
  /** The compiled module to load; absent: better-sqlite3's own (Node) build. */
  nativeBinding?: string;
  /** Why there is no build for this runtime (the store is then off). */
  error?: string;
}

/** The folder of the Electron build for one Electron version, platform and architecture. */
export function electronBuildFolder(
  packageDir: string,
  electron: string,
  platform: string = process.platform,
  arch: string = process.arch,
): string {
  return join(packageDir, 'build-electron', `electron-v${electron}-${platform}-${arch}`);
}

/** better-sqlite3's package folder (where both builds live). */
export function sqlitePackageDir(): string {
  return dirname(createRequire(import.meta.url).resolve('better-sqlite3/package.json'));
}

/** The build for the runtime described by `versions` (default: this process). */
export function sqliteBinding(
  versions: { electron?: string } = process.versions,
  packageDir: string = sqlitePackageDir(),
): SqliteBinding {
  const electron = versions.electron;
  if (!electron) return {};
  const file = join(electronBuildFolder(packageDir, electron), 'better_sqlite3.node');
  if (existsSync(file)) return { nativeBinding: file };
  return {
    error:
      `the store is off: there is no build of better-sqlite3 for Electron ${electron} (${file}). ` +
      `It is made at install where Electron's headers can be downloaded (node scripts/build-sqlite-electron.mjs). ` +
      `Until then the event log and comparison runs are kept only while the app runs.`,
  };
}
