import { describe, expect, it } from 'vitest';
import { assemble } from '../asm/index.js';
import { Machine } from '../emulator/machine/Machine.js';
import { formatStats } from './cliStats.js';

/** A loop of 2000 rounds with a syscall in each (the handler at 0x100 counts and skips it), then exit. */
const PROGRAM = `
  j _start
.org 0x100
handler:
  csrr t2, hepc
  addi t2, t2, 4
  csrw hepc, t2
  eret
_start:
  la t0, handler
  csrw htvec, t0
  li t1, 2000
1:
  syscall 0
  addi t1, t1, -1
  bnez t1, 1b
  li t0, 0xF0001000
  sw zero, 0(t0)
`;

function run(engine: 'interp' | 'jit'): Machine {
  const r = assemble(PROGRAM);
  expect(r.ok, JSON.stringify(r.diagnostics)).toBe(true);
  const m = new Machine({ cpus: 1, memBytes: 1 << 20, engine, console: { write: () => {} } });
  m.load(r.base, r.bytes);
  m.cpus[0].pc = r.entry;
  m.run(1_000_000);
  return m;
}

describe('formatStats (--stats)', () => {
  it('counts instructions and traps by cause the same in both engines, and the translator’s own counters', () => {
    const interp = formatStats(run('interp').cpus, 0.5);
    const jit = formatStats(run('jit').cpus, 0.5);
    const first = (s: string) => s.split('\n').slice(0, 2);
    const count = Number(/^stats: (\d+) instructions in 0\.500 s/.exec(interp)?.[1]);
    // 6 retired per round (addi, bnez and the handler's 4; the syscall traps, so it does not retire)
    // and 7 around the loop.
    expect(count).toBe(2000 * 6 + 7);
    expect(interp).toMatch(/^traps: SYSCALL 2000$/m);
    expect(interp).not.toMatch(/^translator:/m);
    expect(first(jit)[0]).toBe(first(interp)[0].replace('engine interp', 'engine jit'));
    expect(first(jit)[1]).toBe(first(interp)[1]);
    expect(jit).toMatch(/^translator: regions [1-9]\d*, .*regionRuns [1-9]\d*/m);
  });
});
