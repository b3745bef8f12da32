/**
 * The board as a whole: determinism (docs/architecture.md#determinism), state save and restore,
 * SMP with shared memory and atomics, and the bare-machine devices.
 */
import { describe, expect, it } from 'vitest';
import { CSR, IRQ, STATUS_IE } from '../../../shared/isa/csrs.js';
import { ins, li, machine, words } from '../testing/harness.js';

/**
 * Each pCPU: count in a0, add 1 to a shared word with amoadd, take timer interrupts whose handler
 * counts in a2 and re-arms the timer from a per-CPU period. Busy SMP code with interrupts: a good
 * probe for any nondeterminism.
 */
function busyMachine() {
  const t = machine({ cpus: 2, mem: 1 << 20 });
  const main = [
    li('t0', 0x8000), // shared counter
    ins('addi', { rd: 't2', imm: 1 }),
    ins('amoadd', { rd: 't1', rs1: 't0', rs2: 't2' }), // loop:
    ins('addi', { rd: 'a0', rs1: 'a0', imm: 1 }),
    ins('jal', { rd: 0, imm: -8 }),
  ].flat();
  const handler = [
    ins('addi', { rd: 'a2', rs1: 'a2', imm: 1 }),
    ins('csrrs', { rd: 'a3', imm: CSR.cycle }),
    ins('add', { rd: 'a3', rs1: 'a3', rs2: 'a4' }),
    ins('csrrw', { rs1: 'a3', imm: CSR.timecmp }),
    ins('eret'),
  ];
  t.m.load(0x1000, words(main));
  t.m.load(0x2000, words(handler));
  t.m.cpus.forEach((cpu, i) => {
    cpu.pc = 0x1000;
    cpu.htvec = 0x2000;
    cpu.hie = 1 << IRQ.timer;
    cpu.hstatus = STATUS_IE;
    cpu.regs[14] = 777 + 311 * i; // a4: timer period
    cpu.writeCsr(CSR.timecmp, 500 + i);
  });
  return t;
}

describe('determinism', () => {
  it('the same run gives the same state, however the caller slices time', () => {
    const a = busyMachine();
    a.m.run(200_000);
    const b = busyMachine();
    let left = 200_000;
    for (let chunk = 1; left > 0; chunk = (chunk * 7 + 13) % 9_001) {
      const c = Math.min(left, chunk + 1);
      b.m.run(c);
      left -= c;
    }
    expect(a.m.cpus[0].regs[12]).toBeGreaterThan(50); // interrupts happened
    expect(a.m.mem.read32(0x8000)).toBeGreaterThan(10_000);
    expect(b.m.stateHash()).toBe(a.m.stateHash());
    const c = busyMachine();
    c.m.run(199_999);
    expect(c.m.stateHash()).not.toBe(a.m.stateHash());
  });

  it('save, restore into a fresh machine, and continue: identical to running straight through', () => {
    const a = busyMachine();
    a.m.run(100_000);
    const snap = structuredClone(a.m.saveState());
    a.m.run(100_000);
    const b = busyMachine();
    b.m.restoreState(snap);
    b.m.run(100_000);
    expect(b.m.stateHash()).toBe(a.m.stateHash());
    expect(b.m.cpus.map((c) => c.instret)).toEqual(a.m.cpus.map((c) => c.instret));
  });

  it('the shared counter equals the sum of both pCPUs’ loops (atomics are atomic)', () => {
    const a = busyMachine();
    a.m.run(300_000);
    const [c0, c1] = a.m.cpus;
    // Each loop iteration adds 1 to the shared word and 1 to its a0; a0 may lead by one.
    const shared = a.m.mem.read32(0x8000);
    expect(Math.abs(shared - (c0.regs[10] + c1.regs[10]))).toBeLessThanOrEqual(2);
  });
});

describe('bare machine devices', () => {
  it('UART output, input, and EXIT', () => {
    const t = machine();
    // Echo one byte read from RX (spinning while -1), then exit with it.
    t.m.load(
      0,
      words(
        li('t0', 0xf0000000),
        ins('lw', { rd: 'a0', rs1: 't0', imm: 4 }), // 8: poll
        ins('blt', { rs1: 'a0', rs2: 0, imm: -4 }),
        ins('sw', { rs2: 'a0', rs1: 't0', imm: 0 }),
        li('t1', 0xf0001000),
        ins('sw', { rs2: 'a0', rs1: 't1', imm: 0 }),
      ),
    );
    expect(t.m.run(10_000)).toBeNull();
    t.m.uart.input([0x41]);
    const r = t.m.run(10_000);
    expect(r).toEqual({ kind: 'exit', exitCode: 0x41 });
    expect(t.out()).toBe('A');
  });

  it('an unhandled trap stops a bare machine with cause, pc and disassembly', () => {
    const t = machine({ stopOnUnsetVector: true });
    t.m.load(0, words(ins('addi', { rd: 'a0', imm: 1 }), ins('lw', { rd: 'a0', rs1: 'a0', imm: 0 })));
    const r = t.m.run(100);
    expect(r?.kind).toBe('unhandled-trap');
    expect(r?.trap?.causeName).toBe('MISALIGNED_LOAD');
    expect(r?.trap?.pc).toBe(4);
    expect(r?.trap?.disassembly).toBe('lw a0, 0(a0)');
  });

  it('rejects bad machine descriptions with a clear message', () => {
    expect(() => machine({ cpus: 0 })).toThrow(/1\.\.256 pCPUs/);
    expect(() => machine({ mem: 1000 })).toThrow(/multiple of 4096/);
  });
});
