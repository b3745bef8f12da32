/**
 * The debugger through the host API (docs/debugger.md), on the demo machine as the app runs it: a
 * program deployed into cos with "debug from start" stops at its first instruction, a source-line
 * breakpoint with a condition is hit, registers, stepping, memory and disassembly with labels, and
 * it runs to its end; swos runs on meanwhile.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HostEvent, HostService } from '../../src/shared/api.js';
import type { DebugState } from '../../src/shared/debugApi.js';
import { startHost, type TestHost } from '../engine/hostHarness.js';
import { COUNT_S } from './programs.js';

describe('the debugger through the host', () => {
  let t: TestHost;
  let host: HostService;
  const events: HostEvent[] = [];

  /** Poll until guest 1 is paused (the stop also comes as a `debug` event). */
  async function paused(ms = 60_000): Promise<DebugState> {
    const t0 = Date.now();
    for (;;) {
      const st = await host.debugState(1);
      if (st.paused) return st;
      if (Date.now() - t0 > ms) throw new Error(`guest 1 never stopped: ${JSON.stringify(st)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  beforeAll(async () => {
    t = await startHost('hyperdesk-debug-', (e) => events.push(e));
    host = t.host;
    expect((await host.boot({ disks: [t.disk] })).state).toBe('running');
    await t.until(1, /cos> $/);
    await t.until(2, /swos\$ $/);
  }, 180_000);

  afterAll(async () => {
    await t?.close();
  });

  it('refuses bad arguments and unknown guests with a clear message', async () => {
    await expect(host.debugState(9)).rejects.toThrow(/no guest 9 to debug/);
    await expect(host.debugStep(1, 0, 'instruction')).rejects.toThrow(/guest 1 \(cos\) is running: pause it/);
    const r = await host.debugSetBreakpoints(1, [{ file: 'count.s', line: 3 }]);
    expect(r[0]).toMatchObject({
      verified: false,
      message: expect.stringMatching(/no program is deployed in guest 1/),
    });
  });

  it('stops a program deployed with "debug from start" at its first instruction', async () => {
    const r = await host.debugDeploy(1, 'count.s', COUNT_S, true);
    expect(r).toMatchObject({ ok: true, rebooted: true });
    await t.until(1, /booted from disk0 partition 1\r\ncos> [^]*booted from disk0 partition 1\r\ncos> $/);
    await host.consoleInput(1, 'run count\r');
    const st = await paused();
    expect(st.stop).toMatchObject({ guest: 1, reason: 'entry', pc: 0x400000 });
    expect(events.some((e) => e.type === 'debug' && e.stop?.reason === 'entry')).toBe(true);
    const regs = await host.debugRegisters(1, st.stop!.vcpu);
    expect(regs).toMatchObject({ pc: 0x400000, mode: 'user' });
    expect(regs.control.map((c) => c.name)).not.toContain('sstatus');
    expect(regs.virt.technique).toBe('paravirtual');
  }, 120_000);

  it('hits a source breakpoint with a condition, steps, reads memory and disassembles', async () => {
    const bps = await host.debugSetBreakpoints(1, [
      { file: 'count.s', line: 8, condition: 's0 == 3' },
      { file: 'count.s', line: 7 },
    ]);
    expect(bps[0]).toMatchObject({ verified: true, resolved: expect.any(Number) });
    expect(bps[1]).toMatchObject({
      verified: false,
      message: expect.stringMatching(/^no code on line 7; nearest is line [68]$/),
    });
    await host.debugContinue(1);
    const st = await paused();
    expect(st.stop).toMatchObject({ reason: 'breakpoint', pc: bps[0]!.resolved, breakpointId: bps[0]!.id });
    const vcpu = st.stop!.vcpu;
    expect((await host.debugRegisters(1, vcpu)).regs[8]).toMatchObject({ abi: 's0', value: 3 });
    const dis = await host.debugDisassemble(1, vcpu, st.stop!.pc, 2);
    expect(dis[0]).toMatchObject({ label: 'loop', file: 'count.s', line: 8, text: expect.stringMatching(/^addi/) });
    expect(dis[1]).toMatchObject({ file: 'count.s', line: 9, text: expect.stringMatching(/^bne/) });
    const stepped = await host.debugStep(1, vcpu, 'instruction');
    expect(stepped.stop).toMatchObject({ reason: 'step', pc: st.stop!.pc + 4 });
    expect((await host.debugRegisters(1, vcpu)).regs[8]!.value).toBe(4);
    const code = await host.debugReadMemory(1, 'virtual', 0x400000, 256);
    expect(Buffer.from(code.hex, 'hex').toString('latin1')).toContain('counted\n');
    const word = Buffer.from(code.hex, 'hex').readUInt32LE(st.stop!.pc - 0x400000);
    expect(word).toBe(dis[0]!.word);
    // Guest-physical addresses outside cos's own memory are not the debugger's to read.
    const outside = await host.debugReadMemory(1, 'physical', 0xfff00000, 16);
    expect(outside).toMatchObject({
      hex: '',
      unreadableFrom: 0,
      reason: expect.stringMatching(/outside guest 1 \(cos\)'s memory/),
    });
  }, 120_000);

  it('runs to the end when the breakpoints are gone; swos ran on meanwhile', async () => {
    await host.debugSetBreakpoints(1, []);
    await host.debugContinue(1);
    await t.until(1, /counted\r\ncos> $/);
    expect((await host.debugState(1)).paused).toBe(false);
    await host.consoleInput(2, 'help\r');
    await t.until(2, /help[^]*swos\$ $/);
  }, 120_000);
});
