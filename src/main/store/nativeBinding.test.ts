/** sqliteBinding(): Node's own build, the Electron build from its own folder, or why there is none. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { electronBuildFolder, sqliteBinding, sqlitePackageDir } from './nativeBinding.js';

const pkg = mkdtempSync(path.join(tmpdir(), 'hyperdesk-sqlite-'));
afterAll(() => rmSync(pkg, { recursive: true, force: true }));

describe('sqliteBinding', () => {
  it("uses better-sqlite3's own build under Node", () => {
    expect(sqliteBinding({}, pkg)).toEqual({});
  });

  it('says plainly why the store is off under Electron when its build is missing', () => {
    const r = sqliteBinding({ ...process.versions, electron: '45.4.1' }, pkg);
    expect(r.nativeBinding).toBeUndefined();
    const file = path.join(
      pkg,
      'build-electron',
      `electron-v45.4.1-${process.platform}-${process.arch}`,
      'better_sqlite3.node',
    );
    expect(r.error).toBe(
      `the store is off: there is no build of better-sqlite3 for Electron 45.4.1 (${file}). ` +
        `It is made at install where Electron's headers can be downloaded (node scripts/build-sqlite-electron.mjs). ` +
        `Until then the event log and comparison runs are kept only while the app runs.`,
    );
  });

  it('loads the Electron build from its own folder, per Electron version', () => {
    const folder = electronBuildFolder(pkg, '45.4.1');
    mkdirSync(folder, { recursive: true });
    writeFileSync(path.join(folder, 'better_sqlite3.node'), '');
    expect(sqliteBinding({ ...process.versions, electron: '45.4.1' }, pkg)).toEqual({
      nativeBinding: path.join(folder, 'better_sqlite3.node'),
    });
    expect(sqliteBinding({ ...process.versions, electron: '46.0.0' }, pkg).error).toMatch(/Electron 46\.0\.0/);
  });

  it('finds the installed package, whose Node build is in build/Release', () => {
    expect(path.basename(sqlitePackageDir())).toBe('better-sqlite3');
  });
});
