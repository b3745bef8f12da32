/**
 * Self-checking guest programs (test/isa/*.s): each runs on a bare machine and reports PASS or
 * "FAIL <check>" on its console. They test the ISA from the inside, the way guest OSes will use it.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../../src/main/asm/index.js';
import { Machine } from '../../src/main/emulator/machine/Machine.js';
import { assembleFile } from '../../src/main/host/assembleFile.js';

const dir = fileURLToPath(new URL('.', import.meta.url));
const programs = readdirSync(dir).filter((f) => f.endsWith('.s'));

describe('self-checking ISA programs', () => {
  it('there are programs to run', () => expect(programs.length).toBeGreaterThanOrEqual(4));
  for (const file of programs) {
    it(file, () => {
      const r = assembleFile(dir + file);
      expect(r.diagnostics.map(formatDiagnostic)).toEqual([]);
      let out = '';
      const m = new Machine({
        cpus: 1,
        memBytes: 1 << 20,
        console: { write: (b) => (out += String.fromCharCode(b)) },
        stopOnUnsetVector: true,
      });
      m.load(r.base, r.bytes);
      m.cpus[0].pc = r.entry;
      const stop = m.run(10_000_000);
      expect(out).toBe('PASS\n');
      expect(stop).toEqual({ kind: 'exit', exitCode: 0 });
    });
  }
});
