/**
 * Popek-Goldberg, checked against the opcode and control-register tables
 * (docs/isa.md#virtualizability): every sensitive instruction traps in every mode below the one that
 * owns it, and every innocuous instruction gives the same result whatever the mode.
 */
import { describe, expect, it } from 'vitest';
import { CAUSE, CSRS } from '../../../shared/isa/csrs.js';
import { encode } from '../../../shared/isa/encoding.js';
import { OPCODES, type OpcodeInfo } from '../../../shared/isa/opcodes.js';
import { ins, machine, step, words } from '../testing/harness.js';

const PC = 0x1000;

/** Run one word in `mode` (translation off) with fixed registers; return the pCPU and machine. */
function runIn(word: number, mode: number) {
  const t = machine();
  t.m.load(PC, words(word));
  t.cpu.htvec = 0x8000;
  t.cpu.stvec = 0x9000;
  t.cpu.mode = mode;
  t.cpu.updateContext();
  t.cpu.pc = PC;
  for (let r = 1; r < 32; r++) t.cpu.regs[r] = 0x4000 + r * 16; // aligned, in RAM
  step(t.cpu, 1);
  return t;
}

/** Operands that make a legal instance of `o` (registers non-zero so reads and writes happen). */
function sample(o: OpcodeInfo, imm = 4): number {
  const needsImm = ['I', 'IU', 'SH', 'L', 'S', 'B', 'J', 'SYS', 'U'].includes(o.format);
  return encode(o, { rd: 10, rs1: 11, rs2: 12, imm: needsImm ? imm : o.format === 'CSR' ? CSRS[0].number : 0 });
}

describe('virtualizability (Popek-Goldberg)', () => {
  it('every instruction is classified, and every privileged one names a mode above user', () => {
    for (const o of OPCODES) {
      expect(['innocuous', 'privileged', 'csr', 'trap']).toContain(o.pg);
      if (o.pg === 'privileged') expect(o.minMode).toBeGreaterThan(0);
    }
  });

  for (const o of OPCODES.filter((x) => x.pg === 'privileged')) {
    it(`${o.mnemonic} traps PRIVILEGED_INSTRUCTION in every mode below ${o.minMode}`, () => {
      const w = sample(o);
      for (let mode = 0; mode < (o.minMode as number); mode++) {
        const { cpu } = runIn(w, mode);
        expect(cpu.hcause, `mode ${mode}`).toBe(CAUSE.PRIVILEGED_INSTRUCTION);
        expect(cpu.hbadaddr >>> 0).toBe(w);
        expect(cpu.hepc).toBe(PC);
        expect(cpu.mode).toBe(2);
      }
      const { cpu } = runIn(w, o.minMode as number);
      expect(cpu.hcause).not.toBe(CAUSE.PRIVILEGED_INSTRUCTION);
    });
  }

  for (const c of CSRS) {
    it(`control register ${c.name}: every access below its mode traps, never silently ignored`, () => {
      for (const m of ['csrrw', 'csrrs', 'csrrc']) {
        const o = OPCODES.find((x) => x.mnemonic === m) as OpcodeInfo;
        const w = encode(o, { rd: 10, rs1: 11, rs2: 0, imm: c.number });
        for (let mode = 0; mode <= 2; mode++) {
          const { cpu } = runIn(w, mode);
          const writeNeeded = c.write === null ? 3 : c.write;
          if (c.write === null) {
            expect(cpu.hcause, `${m} ${c.name} mode ${mode}`).toBe(CAUSE.ILLEGAL_INSTRUCTION);
          } else if (mode < Math.max(c.read, writeNeeded)) {
            expect(cpu.hcause, `${m} ${c.name} mode ${mode}`).toBe(CAUSE.PRIVILEGED_INSTRUCTION);
            expect(cpu.regs[10]).toBe(0x4000 + 10 * 16); // rd untouched
          } else {
            expect(cpu.pc, `${m} ${c.name} mode ${mode}`).toBe(PC + 4);
          }
        }
        // A plain read (rs1 = zero for csrrs) needs only read permission.
        const r = encode(OPCODES.find((x) => x.mnemonic === 'csrrs') as OpcodeInfo, {
          rd: 10,
          rs1: 0,
          rs2: 0,
          imm: c.number,
        });
        for (let mode = 0; mode <= 2; mode++) {
          const { cpu } = runIn(r, mode);
          if (mode < c.read) expect(cpu.hcause).toBe(CAUSE.PRIVILEGED_INSTRUCTION);
          else expect(cpu.pc).toBe(PC + 4);
        }
      }
    });
  }

  it('an unknown control register is ILLEGAL_INSTRUCTION in every mode', () => {
    const w = ins('csrrs', { rd: 'a0', rs1: 0, imm: 0x7ff });
    for (let mode = 0; mode <= 2; mode++) expect(runIn(w, mode).cpu.hcause).toBe(CAUSE.ILLEGAL_INSTRUCTION);
  });

  for (const o of OPCODES.filter((x) => x.pg === 'trap')) {
    it(`${o.mnemonic} traps in every mode`, () => {
      const want = { syscall: CAUSE.SYSCALL, hypercall: CAUSE.HYPERCALL, brk: CAUSE.BREAKPOINT }[o.mnemonic];
      for (let mode = 0; mode <= 2; mode++) {
        const w = sample(o, 77);
        const { cpu } = runIn(w, mode);
        expect(cpu.hepc).toBe(PC);
        if (mode < (o.minMode ?? 0)) {
          // Below its mode (a user program's hypercall): a privileged instruction, with the word.
          expect(cpu.hcause, `mode ${mode}`).toBe(CAUSE.PRIVILEGED_INSTRUCTION);
          expect(cpu.hbadaddr >>> 0).toBe(w);
          continue;
        }
        expect(cpu.hcause, `mode ${mode}`).toBe(want);
        expect(cpu.hbadaddr).toBe(77);
      }
    });
  }

  it('a user-mode hypercall goes to the kernel when PRIVILEGED_INSTRUCTION is delegated (never to the hypervisor)', () => {
    const o = OPCODES.find((x) => x.mnemonic === 'hypercall') as OpcodeInfo;
    expect(o.minMode).toBe(1);
    const t = machine();
    const w = sample(o, 4);
    t.m.load(PC, words(w));
    t.cpu.htvec = 0x8000;
    t.cpu.stvec = 0x9000;
    t.cpu.hdeleg = 1 << CAUSE.PRIVILEGED_INSTRUCTION;
    t.cpu.mode = 0;
    t.cpu.updateContext();
    t.cpu.pc = PC;
    step(t.cpu, 1);
    expect(t.cpu.mode).toBe(1);
    expect(t.cpu.pc).toBe(0x9000);
    expect(t.cpu.scause).toBe(CAUSE.PRIVILEGED_INSTRUCTION);
    expect(t.cpu.sepc).toBe(PC);
    expect(t.cpu.stats.hypercalls).toBe(0);
  });

  for (const o of OPCODES.filter((x) => x.pg === 'innocuous')) {
    it(`${o.mnemonic} is innocuous: same registers, memory and pc in user, supervisor and hypervisor mode`, () => {
      const w = sample(o, o.format === 'SH' ? 3 : 8);
      const results = [0, 1, 2].map((mode) => {
        const t = runIn(w, mode);
        return {
          regs: Array.from(t.cpu.regs.subarray(0, 32)),
          pc: t.cpu.pc,
          mode: t.cpu.mode,
          mem: Array.from(t.m.mem.readBytes(0x4000, 0x400)),
        };
      });
      expect(results[0].mode).toBe(0);
      expect({ ...results[1], mode: 0 }).toEqual(results[0]);
      expect({ ...results[2], mode: 0 }).toEqual(results[0]);
    });
  }
});
