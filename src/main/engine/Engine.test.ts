/**
 * workerUrl(): where a worker's script is found from the module that holds the engine's code, in the
 * source tree and in a build laid out as electron.vite.config.ts lays it out (or not).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { workerUrl } from './Engine.js';

const dir = mkdtempSync(path.join(tmpdir(), 'hyperdesk-workerurl-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('workerUrl', () => {
  it('starts every worker at worker-boot.mjs from the TypeScript sources', () => {
    for (const entry of ['engine', 'compare', 'cpu'] as const) {
      const url = workerUrl(entry);
      expect(path.basename(fileURLToPath(url))).toBe('worker-boot.mjs');
    }
  });

  it('finds the built workers next to the chunk that holds the engine', () => {
    for (const f of ['worker.js', 'compareWorker.js', 'cpuThread.js', 'asmWorker.js'])
      writeFileSync(path.join(dir, f), '');
    const chunk = pathToFileURL(path.join(dir, 'Session-abc123.js')).href;
    expect(fileURLToPath(workerUrl('engine', chunk))).toBe(path.join(dir, 'worker.js'));
    expect(fileURLToPath(workerUrl('compare', chunk))).toBe(path.join(dir, 'compareWorker.js'));
    expect(fileURLToPath(workerUrl('cpu', chunk))).toBe(path.join(dir, 'cpuThread.js'));
    expect(fileURLToPath(workerUrl('asm', chunk))).toBe(path.join(dir, 'asmWorker.js'));
  });

  it('names the missing script when a chunk sits in another folder than the workers', () => {
    mkdirSync(path.join(dir, 'chunks'), { recursive: true });
    const chunk = pathToFileURL(path.join(dir, 'chunks', 'Session-abc123.js')).href;
    expect(() => workerUrl('engine', chunk)).toThrow(
      `the engine worker's script ${path.join(dir, 'chunks', 'worker.js')} is missing`,
    );
  });
});
