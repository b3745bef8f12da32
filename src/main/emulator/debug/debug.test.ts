/**
 * The engine debugger on a real hypervisor (docs/debugger.md): partitions run small guest programs
 * built from the opcode table; the debugger pauses, steps, breaks and reads them while ctl and the
 * other partition go on.
 */
import { describe, expect, it } from 'vitest';
import type { DebugEvent } from '../../../shared/debugApi.js';
import { CSR } from '../../../shared/isa/csrs.js';
import { GUEST_ENTRY, ins, li, PARTITION_BYTES, partitionedMachine, words } from '../testing/harness.js';
import { parseCondition } from './condition.js';
import { Debugger } from './Debugger.js';

// ctl idles (IDLE), so only the partitions under test run; each guest starts at AGENT.
const AGENT = GUEST_ENTRY;
const PART = PARTITION_BYTES;

/** t0 counts; each round stores it at 0x100: 3 instructions a round after 1 to start. */
const COUNTER = words(
  ins('addi', { rd: 't0', rs1: 0, imm: 0 }),
  ins('addi', { rd: 't0', rs1: 't0', imm: 1 }), // 0x10004: loop
  ins('sw', { rs1: 0, rs2: 't0', imm: 0x100 }),
  ins('jal', { rd: 0, imm: -8 }),
);

/** A call in a loop: main at 0x10004 calls func (0x10010), which returns to 0x10008. */
const CALLS = words(
  ins('addi', { rd: 'sp', rs1: 0, imm: 0x4000 }),
  ins('jal', { rd: 'ra', imm: 12 }), // 0x10004
  ins('addi', { rd: 't1', rs1: 't1', imm: 1 }), // 0x10008
  ins('jal', { rd: 0, imm: -8 }), // 0x1000c
  ins('addi', { rd: 't2', rs1: 't2', imm: 1 }), // 0x10010 func
  ins('addi', { rd: 't3', rs1: 't3', imm: 1 }), // 0x10014
  ins('jalr', { rd: 0, rs1: 'ra', imm: 0 }), // 0x10018
);

function world(engine: 'interp' | 'jit', images: Uint8Array[]) {
  const { machine, hv, parts } = partitionedMachine(engine, images);
  const events: DebugEvent[] = [];
  const dbg = new Debugger(
    machine,
    hv,
    () => 'none',
    (e) => events.push(e),
  );
  const run = (cycles: number) => {
    machine.run(cycles);
    dbg.settle();
  };
  /** Run until guest `g` is paused (in chunks, as the engine session does). */
  const runToStop = (g: number, max = 5_000_000) => {
    for (let spent = 0; spent < max && !dbg.state(g).paused; spent += 10_000) run(10_000);
    return dbg.state(g);
  };
  return { machine, hv, dbg, events, parts, run, runToStop };
}

describe('breakpoints', () => {
  for (const engine of ['interp', 'jit'] as const) {
    it(`${engine}: a conditional breakpoint in a hot loop stops at the exact retired count`, () => {
      const w = world(engine, [COUNTER]);
      w.run(300_000); // hot: the translator has compiled the loop by now
      const before = w.dbg.registers(1, 0).regs[5]!.value;
      const target = before + 5000;
      const [bp] = w.dbg.setBreakpoints(1, [{ address: 0x10004, condition: `t0 == ${target}` }]);
      expect(bp!.verified).toBe(true);
      const st = w.runToStop(1);
      expect(st.paused).toBe(true);
      expect(st.stop).toMatchObject({ reason: 'breakpoint', pc: 0x10004, vcpu: 0, breakpointId: bp!.id });
      // 1 instruction before the loop, 3 a round: t0 == target before the round's first.
      expect(st.stop!.retired).toBe(1 + 3 * target);
      expect(w.dbg.registers(1, 0).regs[5]!.value).toBe(target);
      expect(st.breakpoints[0]!.hits).toBe(1);
      expect(w.events.at(-1)).toMatchObject({ type: 'debug', guest: 1, paused: true });
    });
  }

  it('continue goes past the breakpoint it sits on and hits it again a round later', () => {
    const w = world('interp', [COUNTER]);
    w.dbg.setBreakpoints(1, [{ address: 0x10004 }]);
    const a = w.runToStop(1);
    expect(a.stop!.retired).toBe(1);
    w.dbg.resume(1);
    const b = w.runToStop(1);
    expect(b.stop!.retired).toBe(4);
    expect(b.breakpoints[0]!.hits).toBe(2);
  });

  it('after a snapshot is restored the guest runs and its breakpoints are armed again', () => {
    const w = world('interp', [COUNTER]);
    w.run(20_000);
    // Stop where the loop reaches its breakpoint (0x10004) before the store the watchpoint sees
    // (0x10008): where 20,000 cycles end depends on what the hypervisor's work took of them
    // (docs/hypercalls.md#what-the-hypervisor-costs).
    while (w.machine.cpus[0]!.pc === 0x10008) w.run(1);
    const snap = { machine: structuredClone(w.machine.saveState()), hv: structuredClone(w.hv.saveState()) };
    const [bp] = w.dbg.setBreakpoints(1, [{ address: 0x10004 }]);
    w.dbg.setWatchpoints(1, [{ address: 0x100, length: 4, access: 'write', space: 'physical' }]);
    expect(w.runToStop(1).stop!.reason).toBe('breakpoint');
    w.machine.restoreState(snap.machine);
    w.hv.restoreState(snap.hv);
    w.dbg.afterRestore();
    const st = w.dbg.state(1);
    expect(st.paused).toBe(false);
    expect(st.breakpoints).toMatchObject([{ id: bp!.id, verified: true, hits: 1 }]);
    expect(w.runToStop(1).stop).toMatchObject({ reason: 'breakpoint', pc: 0x10004 });
    w.dbg.setBreakpoints(1, []);
    w.dbg.resume(1);
    expect(w.runToStop(1).stop).toMatchObject({ reason: 'watchpoint', pc: 0x10008 });
  });

  it('a paused guest does not change what another guest computes, and does not run', () => {
    const plain = world('interp', [COUNTER, COUNTER]);
    const paused = world('interp', [COUNTER, COUNTER]);
    paused.run(50_000);
    paused.dbg.pause(1);
    const frozen = paused.dbg.registers(1, 0);
    for (let i = 0; i < 20; i++) paused.run(100_000);
    // Its registers and pc stay as they were (its cycle counter goes on: time passes).
    const now = paused.dbg.registers(1, 0);
    expect(now.regs).toEqual(frozen.regs);
    expect(now.pc).toBe(frozen.pc);
    expect(paused.parts[0]!.vcpus[0]!.instret).toBe(frozen.control.find((c) => c.name === 'instret')!.value);
    // Guest 2 ran on alone: its counter went further than with a running neighbour...
    plain.run(50_000 + 2_000_000);
    const t2 = (x: ReturnType<typeof world>) => x.dbg.registers(2, 0).regs[5]!.value;
    expect(t2(paused)).toBeGreaterThan(t2(plain));
    // ...and what it computed is the same function of its own progress: word 0x100 is t0 (or t0 - 1
    // between the add and the store), and t0 is a third of the instructions it retired.
    const mem = paused.dbg.readMemory(2, 'physical', 0x100, 4).hex;
    expect(t2(paused) - parseInt(mem.match(/../g)!.reverse().join(''), 16)).toBeLessThanOrEqual(1);
    const r2 = paused.parts[1]!.vcpus[0]!;
    const retired = r2.runningOn >= 0 ? paused.machine.cpus[0]!.instret : r2.instret;
    expect(Math.floor((retired - 1) / 3) + 1).toBeGreaterThanOrEqual(t2(paused));
    expect(Math.floor((retired - 1) / 3)).toBeLessThanOrEqual(t2(paused));
    paused.dbg.resume(1);
    paused.run(500_000);
    expect(paused.dbg.registers(1, 0).regs[5]!.value).toBeGreaterThan(frozen.regs[5]!.value);
  });
});

describe('stepping', () => {
  it('steps one instruction, over a call, and out of a function', () => {
    const w = world('interp', [CALLS]);
    w.dbg.setBreakpoints(1, [{ address: 0x10004 }]);
    expect(w.runToStop(1).stop!.pc).toBe(0x10004);
    w.dbg.setBreakpoints(1, []);
    // Over the jal: func ran (t2 + 1), stopped at the instruction after the call.
    w.dbg.step(1, 0, 'over');
    let st = w.runToStop(1);
    expect(st.stop).toMatchObject({ reason: 'step', pc: 0x10008 });
    expect(w.dbg.registers(1, 0).regs[7]!.value).toBe(1);
    // One instruction: t1 + 1.
    w.dbg.step(1, 0, 'instruction');
    st = w.runToStop(1);
    expect(st.stop).toMatchObject({ reason: 'step', pc: 0x1000c });
    expect(w.dbg.registers(1, 0).regs[6]!.value).toBe(1);
    // Into the call and then out of it.
    w.dbg.step(1, 0, 'instruction');
    expect(w.runToStop(1).stop!.pc).toBe(0x10004);
    w.dbg.step(1, 0, 'instruction');
    expect(w.runToStop(1).stop!.pc).toBe(0x10010);
    w.dbg.step(1, 0, 'out');
    st = w.runToStop(1);
    expect(st.stop).toMatchObject({ reason: 'step', pc: 0x10008 });
    expect(w.dbg.registers(1, 0).regs[28]!.value).toBe(2);
  });

  it('runs to an address once, from running or paused', () => {
    const w = world('interp', [CALLS]);
    let st = w.dbg.runTo(1, { address: 0x10014 });
    expect(st.paused).toBe(false);
    st = w.runToStop(1);
    expect(st.stop).toMatchObject({ reason: 'breakpoint', pc: 0x10014 });
    expect(st.stop!.breakpointId).toBeUndefined();
    w.dbg.runTo(1, { address: 0x10008 });
    expect(w.runToStop(1).stop).toMatchObject({ reason: 'breakpoint', pc: 0x10008 });
    // Both were one-shot: nothing stops the guest now.
    w.dbg.resume(1);
    w.run(200_000);
    expect(w.dbg.state(1).paused).toBe(false);
    expect(() => w.dbg.runTo(1, { file: 'x.s', line: 3 })).toThrow(/guest 1 \(p1\): no program is deployed/);
  });

  it('step refuses a running guest and a vCPU it does not have', () => {
    const w = world('interp', [CALLS]);
    expect(() => w.dbg.step(1, 0, 'instruction')).toThrow(/guest 1 \(p1\) is running: pause it/);
    w.dbg.pause(1);
    expect(() => w.dbg.step(1, 3, 'instruction')).toThrow(/vCPUs 0\.\.0; there is no vCPU 3/);
    expect(() => w.dbg.state(7)).toThrow(/no guest 7/);
  });
});

describe('watchpoints and trap breaks', () => {
  it('stops before a store into a watched range', () => {
    const w = world('interp', [COUNTER]);
    w.dbg.setWatchpoints(1, [{ address: 0x100, length: 4, access: 'write', space: 'virtual' }]);
    const st = w.runToStop(1);
    expect(st.stop).toMatchObject({ reason: 'watchpoint', pc: 0x10008, detail: 'write of 4 bytes at 0x00000100' });
    expect(st.watchpoints[0]!.hits).toBe(1);
    // Reads are not writes: a read watchpoint on the same word never fires in this loop.
    w.dbg.setWatchpoints(1, [{ address: 0x100, length: 4, access: 'read', space: 'physical' }]);
    w.dbg.resume(1);
    w.run(200_000);
    expect(w.dbg.state(1).paused).toBe(false);
  });

  it.each(['interp', 'jit'] as const)('%s: breaks on a trap by cause name, where the trap went', (engine) => {
    const prog = words(
      li('t0', AGENT + 0x20),
      ins('csrrw', { rs1: 't0', imm: CSR.stvec }),
      0, // 0x1000c: not an instruction
      ins('jal', { rd: 0, imm: 0 }),
      ins('jal', { rd: 0, imm: 0 }),
      ins('jal', { rd: 0, imm: 0 }),
      ins('jal', { rd: 0, imm: 0 }),
      ins('jal', { rd: 0, imm: 0 }), // 0x10020: the handler spins
    );
    const w = world(engine, [prog]);
    expect(() => w.dbg.setTrapBreaks(1, ['NO_SUCH'])).toThrow(/no trap cause "NO_SUCH" \(causes: ILLEGAL_INSTRUCTION/);
    w.dbg.setTrapBreaks(1, ['illegal_instruction']);
    const st = w.runToStop(1);
    expect(st.stop).toMatchObject({
      reason: 'trap',
      pc: AGENT + 0x20,
      detail: 'trap ILLEGAL_INSTRUCTION at pc 0x0001000c',
    });
    expect(st.trapBreaks).toEqual(['ILLEGAL_INSTRUCTION']);
  });
});

describe('views', () => {
  it('reads registers with ABI names, control registers and the virtualization state', () => {
    const w = world('interp', [COUNTER]);
    w.run(10_000);
    w.dbg.pause(1);
    const r = w.dbg.registers(1, 0);
    expect(r.regs[10]).toMatchObject({ name: 'r10', abi: 'a0' });
    expect(r.mode).toBe('supervisor');
    expect(r.control.map((c) => c.name)).toContain('sstatus');
    expect(r.control.map((c) => c.name)).not.toContain('hstatus');
    expect(r.virt).toMatchObject({ technique: 'paravirtual' });
    expect(r.virt.stage2Root).toBe(w.parts[0]!.s2root);
    w.dbg.setRegister(1, 0, 't0', 41);
    expect(w.dbg.registers(1, 0).regs[5]!.value).toBe(41);
    expect(() => w.dbg.setRegister(1, 0, 'zero', 1)).toThrow(/always zero/);
  });

  it('memory stays inside the partition: reading outside it is refused', () => {
    const w = world('interp', [COUNTER]);
    w.dbg.pause(1);
    const m = w.dbg.readMemory(1, 'physical', AGENT, 8);
    expect(m.hex).toBe(Buffer.from(COUNTER.subarray(0, 8)).toString('hex'));
    const edge = w.dbg.readMemory(1, 'physical', PART - 4, 8);
    expect(edge).toMatchObject({
      unreadableFrom: 4,
      reason: expect.stringMatching(/0x00040000 is outside guest 1 \(p1\)'s memory/),
    });
    expect(edge.hex).toHaveLength(8);
    // ctl's memory, where the partition's own came from, is not reachable by any address of it.
    expect(w.dbg.readMemory(1, 'physical', w.hv.usableBytes - PART, 4).hex).toBe('');
    expect(() => w.dbg.writeMemory(1, 'physical', PART - 2, '00000000')).toThrow(/nothing written/);
    w.dbg.writeMemory(1, 'virtual', 0x200, 'deadbeef');
    expect(w.dbg.readMemory(1, 'physical', 0x200, 4).hex).toBe('deadbeef');
  });

  it('disassembles around pc', () => {
    const w = world('interp', [COUNTER]);
    w.dbg.pause(1);
    const d = w.dbg.disassemble(1, 0, AGENT, 4);
    expect(d.map((l) => l.text)).toEqual([
      expect.stringMatching(/^addi/),
      expect.stringMatching(/^addi/),
      expect.stringMatching(/^sw/),
      expect.stringMatching(/^j|^jal/),
    ]);
  });
});

describe('conditions', () => {
  it('parses register comparisons and says what is wrong', () => {
    expect(parseCondition('r5 == 3')).toMatchObject({ reg: 5, op: '==', value: 3 });
    expect(parseCondition('a0 != 0')).toMatchObject({ reg: 10, op: '!=' });
    expect(parseCondition('sp < 0x7000')).toMatchObject({ reg: 2, op: '<', value: 0x7000 });
    expect(parseCondition('t0 == -1')).toMatchObject({ value: 0xffffffff });
    expect(parseCondition('a0 = 3')).toMatch(/expected REGISTER OP NUMBER/);
    expect(parseCondition('q9 == 3')).toMatch(/no register "q9"/);
    expect(parseCondition('a0 == 0x100000000')).toMatch(/does not fit in 32 bits/);
  });

  it('a bad condition leaves the breakpoint unverified with the reason', () => {
    const w = world('interp', [COUNTER]);
    const [b] = w.dbg.setBreakpoints(1, [{ address: 0x10004, condition: 'a0 =! 3' }]);
    expect(b).toMatchObject({ verified: false, message: expect.stringMatching(/expected REGISTER OP NUMBER/) });
  });
});
