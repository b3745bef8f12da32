/**
 * Every trap cause (docs/isa.md#traps), delegation, eret, and interrupts at exact instruction counts
 * (docs/isa.md#interrupts, docs/isa.md#timers).
 */
import { describe, expect, it } from 'vitest';
import { CAUSE, CAUSES, CSR, CSRS, HSTATUS_TE, HSTATUS_TW, IRQ, STATUS_IE } from '../../../shared/isa/csrs.js';
import { ins, li, machine, skipTrap, step, words } from '../testing/harness.js';

const PC = 0x1000;

function at(mode: number, ...ws: (number | number[])[]) {
  const t = machine();
  t.m.load(PC, words(...ws));
  // Trap handlers that just spin, so a test can look at the state after the trap.
  t.m.load(0x8000, words(ins('jal', { rd: 0, imm: 0 })));
  t.m.load(0x9000, words(ins('jal', { rd: 0, imm: 0 })));
  t.cpu.htvec = 0x8000;
  t.cpu.stvec = 0x9000;
  t.cpu.mode = mode;
  t.cpu.updateContext();
  t.cpu.pc = PC;
  return t;
}

describe('exceptions', () => {
  it('ILLEGAL_INSTRUCTION for opcode 0 (zeroed memory), an unassigned opcode, and stray bits', () => {
    for (const w of [0, 0x3f, ins('eret') | (1 << 20), 0x00000001 | (99 << 21)]) {
      const { cpu } = at(2, w);
      step(cpu);
      expect(cpu.hcause).toBe(CAUSE.ILLEGAL_INSTRUCTION);
      expect(cpu.hbadaddr >>> 0).toBe(w >>> 0);
      expect(cpu.hepc).toBe(PC);
      expect(cpu.pc).toBe(0x8000);
    }
  });
  it('PRIVILEGED_INSTRUCTION for eret in user mode, with the word', () => {
    const { cpu } = at(0, ins('eret'));
    step(cpu);
    expect(cpu.hcause).toBe(CAUSE.PRIVILEGED_INSTRUCTION);
    expect(cpu.hbadaddr).toBe(ins('eret'));
  });
  it('SYSCALL, HYPERCALL and BREAKPOINT carry their code', () => {
    for (const [m, cause, mode] of [
      ['syscall', CAUSE.SYSCALL, 0],
      ['hypercall', CAUSE.HYPERCALL, 1], // a kernel's call: from user mode it is privileged (below)
      ['brk', CAUSE.BREAKPOINT, 0],
    ] as const) {
      const { cpu } = at(mode, ins(m, { imm: 0xbeef }));
      step(cpu);
      expect(cpu.hcause).toBe(cause);
      expect(cpu.hbadaddr).toBe(0xbeef);
      expect(cpu.hepc).toBe(PC);
    }
    const { cpu } = at(0, ins('hypercall', { imm: 0xbeef }));
    step(cpu);
    expect(cpu.hcause).toBe(CAUSE.PRIVILEGED_INSTRUCTION);
    expect(cpu.hepc).toBe(PC);
  });
  it('ACCESS_FAULT for a physical address with nothing behind it', () => {
    const { cpu } = at(2, li('a1', 0xe0000000), ins('lw', { rd: 'a0', rs1: 'a1' }));
    step(cpu, 3);
    expect(cpu.hcause).toBe(CAUSE.ACCESS_FAULT);
    expect(cpu.hbadaddr >>> 0).toBe(0xe0000000);
    expect(cpu.hepc).toBe(PC + 8);
  });
  it('ACCESS_FAULT when executing outside RAM', () => {
    const { cpu } = at(2, li('a1', 0xe0000000), ins('jalr', { rs1: 'a1' }));
    step(cpu, 4);
    expect(cpu.hcause).toBe(CAUSE.ACCESS_FAULT);
    expect(cpu.hepc >>> 0).toBe(0xe0000000);
  });
  it('MISALIGNED_FETCH on eret to an unaligned pc', () => {
    const { cpu } = at(2, ins('eret'));
    cpu.hepc = 0x2002;
    cpu.hstatus = 2 << 2;
    step(cpu);
    expect(cpu.hcause).toBe(CAUSE.MISALIGNED_FETCH);
    expect(cpu.hbadaddr).toBe(0x2002);
  });
  it('the cause table documents every cause the CPU raises', () => {
    const codes = new Set(CAUSES.map((c) => c.code));
    for (const v of Object.values(CAUSE)) expect(codes.has(v)).toBe(true);
  });
});

describe('delegation and eret', () => {
  it('a delegated syscall from user mode goes to the supervisor and eret returns', () => {
    const t = at(0, ins('syscall', { imm: 3 }), ins('addi', { rd: 'a0', imm: 9 }));
    t.cpu.hdeleg = 1 << CAUSE.SYSCALL;
    t.cpu.sstatus = STATUS_IE;
    t.m.load(0x9000, words(skipTrap('sepc', 't0')));
    step(t.cpu, 1);
    expect(t.cpu.mode).toBe(1);
    expect(t.cpu.scause).toBe(CAUSE.SYSCALL);
    expect(t.cpu.sepc).toBe(PC);
    expect(t.cpu.sstatus & STATUS_IE).toBe(0); // disabled on entry, saved in PIE
    step(t.cpu, 5);
    expect(t.cpu.mode).toBe(0);
    expect(t.cpu.regs[10]).toBe(9);
    expect(t.cpu.sstatus & STATUS_IE).toBe(STATUS_IE);
  });
  it('hypercalls and guest faults are never delegated', () => {
    const t = at(1, ins('hypercall', { imm: 1 }));
    t.cpu.hdeleg = -1;
    step(t.cpu);
    expect(t.cpu.mode).toBe(2);
    expect(t.cpu.hcause).toBe(CAUSE.HYPERCALL);
    expect(t.cpu.hstatus >> 2).toBe(1);
  });
  it('a trap in hypervisor mode stays there even if delegated', () => {
    const t = at(2, ins('syscall', { imm: 1 }));
    t.cpu.hdeleg = -1;
    step(t.cpu);
    expect(t.cpu.hcause).toBe(CAUSE.SYSCALL);
    expect(t.cpu.pc).toBe(0x8000);
  });
  it('wfi in supervisor mode traps to the hypervisor when hstatus.TW is set', () => {
    const t = at(1, ins('wfi'));
    t.cpu.hstatus = HSTATUS_TW;
    t.cpu.hdeleg = -1;
    step(t.cpu);
    expect(t.cpu.mode).toBe(2);
    expect(t.cpu.hcause).toBe(CAUSE.PRIVILEGED_INSTRUCTION);
  });
});

describe('hstatus.TE (trap and emulate)', () => {
  /** Each S-level CSR read, eret and tlbflush in supervisor mode, with TE set and everything delegated. */
  const sensitive: [string, number][] = [
    ...CSRS.filter((c) => c.read === 1).map((c): [string, number] => [`csrr ${c.name}`, csrRead(c.number)]),
    ['eret', ins('eret')],
    ['tlbflush', ins('tlbflush')],
  ];
  function csrRead(n: number): number {
    return ins('csrrs', { rd: 'a0', rs1: 0, imm: n });
  }

  it.each(sensitive)('%s traps to the hypervisor with its word in hbadaddr', (_name, word) => {
    const t = at(1, word);
    t.cpu.hstatus = HSTATUS_TE;
    t.cpu.hdeleg = -1;
    step(t.cpu);
    expect(t.cpu.mode).toBe(2);
    expect(t.cpu.hcause).toBe(CAUSE.PRIVILEGED_INSTRUCTION);
    expect(t.cpu.hbadaddr).toBe(word | 0);
    expect(t.cpu.hstatus & HSTATUS_TE).toBe(HSTATUS_TE); // the trap keeps TE set
  });

  it('leaves ordinary instructions alone, and changes nothing without TE', () => {
    const t = at(1, ins('addi', { rd: 'a1', rs1: 0, imm: 7 }), ins('addi', { rd: 'a2', rs1: 'a1', imm: 1 }));
    t.cpu.hstatus = HSTATUS_TE;
    step(t.cpu, 2);
    expect(t.cpu.mode).toBe(1);
    expect(t.cpu.regs[12]).toBe(8);
    const u = at(1, csrRead(CSR.sstatus), ins('tlbflush'));
    step(u.cpu, 2);
    expect(u.cpu.mode).toBe(1);
    expect(u.cpu.pc).toBe(0x1008);
  });
});

describe('interrupts', () => {
  /** A supervisor loop counting in a0, with the timer delegated and enabled. */
  function timerGuest(timecmp: number) {
    const t = at(1, ins('addi', { rd: 'a0', rs1: 'a0', imm: 1 }), ins('jal', { rd: 0, imm: -4 }));
    t.cpu.hideleg = 1 << IRQ.timer;
    t.cpu.sie = 1 << IRQ.timer;
    t.cpu.sstatus = STATUS_IE;
    t.cpu.writeCsr(CSR.timecmp, timecmp);
    return t;
  }
  it('the timer fires when cycle reaches timecmp, at the exact instruction', () => {
    const t = timerGuest(1001);
    step(t.cpu, 5000);
    expect(t.cpu.scause).toBe(CAUSE.INTERRUPT_TIMER);
    // 1001 cycles = 1001 instructions: a0 counted 501 times, the next instruction is the jal.
    expect(t.cpu.regs[10]).toBe(501);
    expect(t.cpu.sepc).toBe(PC + 4);
    expect(t.cpu.instret).toBe(5000); // an interrupt is not an instruction: 1001 + 3999 in the handler
  });
  it('a masked line stays pending; a lower mode cannot mask the hypervisor timer', () => {
    const t = timerGuest(100);
    t.cpu.sstatus = 0; // supervisor masks its own interrupts
    t.cpu.hie = 1 << IRQ.htimer;
    t.cpu.writeCsr(CSR.htimecmp, 300);
    step(t.cpu, 1000);
    expect(t.cpu.mode).toBe(2);
    expect(t.cpu.hcause).toBe(CAUSE.INTERRUPT_HTIMER);
    expect(t.cpu.hepc === PC || t.cpu.hepc === PC + 4).toBe(true);
    expect(t.cpu.ip & (1 << IRQ.timer)).not.toBe(0); // still pending
    expect(t.cpu.hcycle).toBe(1000);
  });
  it('wfi sleeps until the timer and the cycles pass', () => {
    const t = at(1, ins('wfi'), ins('addi', { rd: 'a0', imm: 1 }), ins('jal', { rd: 0, imm: 0 }));
    t.cpu.hideleg = 1 << IRQ.timer;
    t.cpu.sie = 1 << IRQ.timer;
    t.cpu.writeCsr(CSR.timecmp, 50_000);
    step(t.cpu, 10);
    expect(t.cpu.waiting).toBe(true);
    step(t.cpu, 100_000);
    expect(t.cpu.waiting).toBe(false);
    expect(t.cpu.regs[10]).toBe(1); // IE off: woke without taking it, ran on
    expect(t.cpu.hcycle).toBe(100_010);
  });
  it('hvip injects a virtual interrupt into the supervisor, taken when it enables interrupts', () => {
    const t = at(1, ins('addi', { rd: 'a0', rs1: 'a0', imm: 1 }), ins('jal', { rd: 0, imm: -4 }));
    t.cpu.hideleg = (1 << IRQ.timer) | (1 << IRQ.external);
    t.cpu.sie = 1 << IRQ.external;
    t.cpu.writeCsr(CSR.hvip, 1 << IRQ.external);
    expect(t.cpu.readCsr(CSR.sip)).toBe(1 << IRQ.external); // the guest sees it pending
    step(t.cpu, 10);
    expect(t.cpu.mode).toBe(1); // IE off: not taken yet
    t.cpu.sstatus = STATUS_IE;
    step(t.cpu, 1);
    expect(t.cpu.scause).toBe(CAUSE.INTERRUPT_EXTERNAL);
    expect(t.cpu.pc).toBe(0x9000);
  });
  it('virtual lines go to the supervisor while the physical line stays with the hypervisor', () => {
    const t = at(1, ins('jal', { rd: 0, imm: 0 }));
    t.cpu.hideleg = 0; // physical external interrupts belong to the hypervisor
    t.cpu.sie = 1 << IRQ.external;
    t.cpu.hie = 1 << IRQ.external;
    t.cpu.sstatus = STATUS_IE;
    t.cpu.writeCsr(CSR.hvip, 1 << IRQ.external);
    step(t.cpu, 2);
    expect(t.cpu.scause).toBe(CAUSE.INTERRUPT_EXTERNAL);
    expect(t.cpu.mode).toBe(1);
    t.cpu.writeCsr(CSR.hvip, 0);
    t.cpu.setInterrupt(IRQ.external, true);
    step(t.cpu, 2);
    expect(t.cpu.hcause).toBe(CAUSE.INTERRUPT_EXTERNAL);
    expect(t.cpu.mode).toBe(2);
  });
  it('an IPI through the system controller interrupts the other pCPU', () => {
    const t = machine({ cpus: 2 });
    const [a, b] = t.m.cpus;
    t.m.load(
      0x1000,
      words(
        li('t0', 0xf0001000),
        ins('addi', { rd: 't1', imm: 1 }),
        ins('sw', { rs2: 't1', rs1: 't0', imm: 4 }),
        ins('jal', { rd: 0, imm: 0 }),
      ),
    );
    t.m.load(0x2000, words(ins('jal', { rd: 0, imm: 0 })));
    a.pc = 0x1000;
    b.pc = 0x2000;
    b.hie = 1 << IRQ.ipi;
    b.hstatus = STATUS_IE;
    b.htvec = 0x3000;
    t.m.load(0x3000, words(ins('csrrs', { rd: 'a0', imm: CSR.hcause }), ins('jal', { rd: 0, imm: 0 })));
    t.m.run(t.m.quantum * 2);
    expect(b.regs[10]).toBe(CAUSE.INTERRUPT_IPI);
    expect(b.readCsr(CSR.cpuid)).toBe(1);
  });
});

describe('the time a hypervisor sees at a trap', () => {
  // hstatus.TE makes a supervisor CSR access trap (trap-and-emulate); the hypervisor's handler reads
  // cpu.now(), which must be the exact cycle of the trapping instruction in both engines, also deep
  // into a slice (docs/isa.md#timers).
  for (const engine of ['interp', 'jit'] as const) {
    it(`is exact for a trapped CSR access and a trapped eret (${engine})`, () => {
      const t = machine({ engine });
      const body = [
        ins('addi', { rd: 'a1', rs1: 'a1', imm: 1 }),
        ins('addi', { rd: 'a2', rs1: 'a1', imm: 3 }),
        ins('csrrs', { rd: 'a0', imm: CSR.sscratch }), // traps: TE
        ins('addi', { rd: 't0', rs1: 't0', imm: -1 }),
        ins('bne', { rs1: 't0', rs2: 0, imm: -16 }),
        ins('eret'), // traps: TE
      ];
      t.m.load(PC, words(li('t0', 300), ...body));
      const cpu = t.cpu;
      cpu.mode = 1;
      cpu.hstatus |= HSTATUS_TE;
      cpu.updateContext();
      cpu.pc = PC;
      const seen: number[] = [];
      cpu.hypervisorTrap = (c) => {
        seen.push(c.now());
        c.hepc = (c.hepc + 4) | 0;
        c.eret();
      };
      step(cpu, 300 * 5 + 2 + 1);
      // The csrrs of round r (0-based) is step 2 + 5r + 2; the eret is step 2 + 1500.
      expect(seen).toHaveLength(301);
      expect(seen.slice(0, 3)).toEqual([4, 9, 14]);
      expect(seen.every((s, r) => s === (r < 300 ? 4 + 5 * r : 1502))).toBe(true);
    });
  }
});
