/**
 * `hyperdesk dap` driven by a real DAP client (@vscode/debugadapter-testsupport's DebugClient) over
 * its port: launch a program in cos on a machine the server boots, hit a source breakpoint with a
 * condition, read registers, step, read memory and disassemble, and continue to the program's end;
 * and with `record: true`, step back and reverse continue over the recording (docs/debugger.md#reverse).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveDap } from '../../src/main/cli/dap.js';
import { COUNT_S, NEST_S } from './programs.js';

describe('hyperdesk dap', () => {
  let server: Server;
  let dc: DebugClient;
  let dir: string;
  let program: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'hyperdesk-dap-test-'));
    program = path.join(dir, 'count.s');
    await writeFile(program, COUNT_S);
    server = await serveDap(0);
    const port = (server.address() as { port: number }).port;
    dc = new DebugClient('node', 'unused', 'hyperdesk');
    dc.defaultTimeout = 120_000;
    await dc.start(port);
  });

  afterAll(async () => {
    await dc?.stop().catch(() => undefined);
    server?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('advertises what it implements, and no step back', async () => {
    const r = await dc.initializeRequest({
      adapterID: 'hyperdesk',
      linesStartAt1: true,
      columnsStartAt1: true,
      pathFormat: 'path',
    });
    const c = r.body!;
    expect(c).toMatchObject({
      supportsConfigurationDoneRequest: true,
      supportsConditionalBreakpoints: true,
      supportsInstructionBreakpoints: true,
      supportsDataBreakpoints: true,
      supportsReadMemoryRequest: true,
      supportsDisassembleRequest: true,
      supportsStepBack: false,
    });
    expect(c.exceptionBreakpointFilters!.map((f) => f.filter)).toContain('SYSCALL');
  });

  it('launches, hits a conditional source breakpoint, steps, reads memory and runs to the end', async () => {
    const stopped = dc.waitForEvent('stopped', 180_000);
    await Promise.all([
      dc.waitForEvent('initialized', 180_000).then(async () => {
        const bps = await dc.setBreakpointsRequest({
          source: { path: program },
          breakpoints: [{ line: 8, condition: 's0 == 2' }, { line: 7 }],
        });
        expect(bps.body.breakpoints[0]).toMatchObject({ verified: true });
        expect(bps.body.breakpoints[1]).toMatchObject({
          verified: false,
          message: expect.stringMatching(/no code on line 7/),
        });
        await dc.setExceptionBreakpointsRequest({ filters: [] });
        await dc.configurationDoneRequest();
      }),
      dc.launch({ program, dataDir: dir } as never),
    ]);
    const ev = await stopped;
    expect(ev.body).toMatchObject({ reason: 'breakpoint', threadId: 1 });
    const threads = await dc.threadsRequest();
    expect(threads.body.threads[0]).toMatchObject({ id: 1, name: 'vCPU 0' });
    const st = await dc.stackTraceRequest({ threadId: 1 });
    const top = st.body.stackFrames[0]!;
    expect(top).toMatchObject({ name: 'loop', line: 8, source: { path: program } });
    const scopes = await dc.scopesRequest({ frameId: top.id });
    const vars = await dc.variablesRequest({ variablesReference: scopes.body.scopes[0]!.variablesReference });
    expect(vars.body.variables.find((v) => v.name === 's0')?.value).toBe('0x00000002');
    const ev2 = await dc.evaluateRequest({ expression: 's1' });
    expect(ev2.body.result).toMatch(/^0x00000005/);
    // Step over the add: s0 becomes 3, on line 9.
    const stepped = dc.waitForEvent('stopped');
    await dc.nextRequest({ threadId: 1 });
    expect((await stepped).body.reason).toBe('step');
    expect((await dc.stackTraceRequest({ threadId: 1 })).body.stackFrames[0]!.line).toBe(9);
    expect((await dc.evaluateRequest({ expression: 's0' })).body.result).toMatch(/^0x00000003/);
    // The program's bytes in guest-virtual memory, and its code disassembled with labels.
    const mem = (await dc.customRequest('readMemory', { memoryReference: '0x00400000', count: 256 })) as {
      body: { data: string };
    };
    const text = Buffer.from(mem.body.data, 'base64').toString('latin1');
    expect(text).toContain('counted\n');
    const dis = await dc.disassembleRequest({ memoryReference: top.instructionPointerReference!, instructionCount: 2 });
    expect(dis.body!.instructions[0]).toMatchObject({
      symbol: 'loop',
      instruction: expect.stringMatching(/^addi/),
      line: 8,
    });
    // An instruction breakpoint on the bne, with a condition.
    await dc.setBreakpointsRequest({ source: { path: program }, breakpoints: [] });
    const ibp = (await dc.customRequest('setInstructionBreakpoints', {
      breakpoints: [{ instructionReference: dis.body!.instructions[1]!.address, condition: 's0 == 4' }],
    })) as { body: { breakpoints: { verified: boolean }[] } };
    expect(ibp.body.breakpoints).toMatchObject([{ verified: true }]);
    const atBne = dc.waitForEvent('stopped');
    await dc.continueRequest({ threadId: 1 });
    expect((await atBne).body.reason).toBe('breakpoint');
    expect((await dc.evaluateRequest({ expression: 's0' })).body.result).toMatch(/^0x00000004/);
    await dc.customRequest('setInstructionBreakpoints', { breakpoints: [] });
    // A data breakpoint (a watchpoint) on the string: print reads it.
    const at = 0x400000 + text.indexOf('counted');
    const info = await dc.dataBreakpointInfoRequest({ name: `0x${at.toString(16)},1` });
    expect(info.body.accessTypes).toContain('read');
    const set = await dc.setDataBreakpointsRequest({
      breakpoints: [{ dataId: info.body.dataId!, accessType: 'read' }],
    });
    expect(set.body.breakpoints[0]).toMatchObject({ verified: true });
    const watched = dc.waitForEvent('stopped');
    await dc.continueRequest({ threadId: 1 });
    expect((await watched).body).toMatchObject({
      reason: 'data breakpoint',
      description: `read of 1 bytes at 0x${at.toString(16).padStart(8, '0')}`,
    });
    // The call stack inside print (lib.inc), called from count.s line 11: the caller's frame
    // stands at its call (docs/debugger.md#call-stack).
    const frames = (await dc.stackTraceRequest({ threadId: 1 })).body.stackFrames;
    expect(frames.map((f) => f.name)).toEqual([
      expect.stringMatching(/^print\+0x/),
      expect.stringMatching(/^_start\+0x/),
    ]);
    expect(frames[0]!.source).toBeUndefined(); // lib.inc is not the launched file
    expect(frames[1]).toMatchObject({ line: 11, source: { path: program } });
    await dc.setDataBreakpointsRequest({ breakpoints: [] });
    // On to the end: the program prints and cos prompts again.
    const output = dc.assertOutput('stdout', 'counted');
    const ended = dc.waitForEvent('terminated');
    await dc.continueRequest({ threadId: 1 });
    await output;
    await ended;
  }, 300_000);

  it("stops on entry when asked, at the program's first line", async () => {
    const port = (server.address() as { port: number }).port;
    const dc2 = new DebugClient('node', 'unused', 'hyperdesk');
    dc2.defaultTimeout = 120_000;
    await dc2.start(port);
    try {
      await dc2.initializeRequest({
        adapterID: 'hyperdesk',
        linesStartAt1: true,
        columnsStartAt1: true,
        pathFormat: 'path',
      });
      const dir2 = await mkdtemp(path.join(tmpdir(), 'hyperdesk-dap-entry-'));
      const stopped = dc2.waitForEvent('stopped', 180_000);
      await Promise.all([
        dc2.waitForEvent('initialized', 180_000).then(() => dc2.configurationDoneRequest()),
        dc2.launch({ program, dataDir: dir2, stopOnEntry: true } as never),
      ]);
      expect((await stopped).body).toMatchObject({ reason: 'entry', threadId: 1 });
      const top = (await dc2.stackTraceRequest({ threadId: 1 })).body.stackFrames[0]!;
      expect(top).toMatchObject({ name: '_start', line: 5, instructionPointerReference: '00400000' });
      await dc2.disconnectRequest({});
      await rm(dir2, { recursive: true, force: true });
    } finally {
      await dc2.stop().catch(() => undefined);
    }
  }, 300_000);

  it('with record: true, advertises step back, replays the debugger calls, steps back and reverse-continues', async () => {
    const port = (server.address() as { port: number }).port;
    const dc3 = new DebugClient('node', 'unused', 'hyperdesk');
    dc3.defaultTimeout = 120_000;
    await dc3.start(port);
    const dir3 = await mkdtemp(path.join(tmpdir(), 'hyperdesk-dap-reverse-'));
    try {
      await dc3.initializeRequest({
        adapterID: 'hyperdesk',
        linesStartAt1: true,
        columnsStartAt1: true,
        pathFormat: 'path',
      });
      const caps = dc3.waitForEvent('capabilities', 180_000);
      const stopped = dc3.waitForEvent('stopped', 180_000);
      await Promise.all([
        dc3.waitForEvent('initialized', 180_000).then(async () => {
          await dc3.setBreakpointsRequest({
            source: { path: program },
            breakpoints: [{ line: 8, condition: 's0 == 2' }],
          });
          await dc3.configurationDoneRequest();
        }),
        dc3.launch({ program, dataDir: dir3, record: true } as never),
      ]);
      expect((await caps).body.capabilities).toMatchObject({ supportsStepBack: true });
      expect((await stopped).body).toMatchObject({ reason: 'breakpoint', threadId: 1 });
      const where = async () => {
        const frame = (await dc3.stackTraceRequest({ threadId: 1 })).body.stackFrames[0]!;
        const vars = (await dc3.variablesRequest({ variablesReference: 1 })).body.variables;
        return {
          line: frame.line,
          pc: frame.instructionPointerReference,
          regs: vars.map((v) => `${v.name}=${v.value}`),
        };
      };
      const hit = await where();
      expect(hit.regs).toContain('s0=0x00000002');
      const step = async (req: () => Promise<unknown>, reason: string) => {
        const ev = dc3.waitForEvent('stopped', 180_000);
        await req();
        expect((await ev).body.reason).toBe(reason);
        return where();
      };
      const first = await step(() => dc3.nextRequest({ threadId: 1 }), 'step');
      expect(first).toMatchObject({ line: 9 });
      expect(first.regs).toContain('s0=0x00000003');
      const second = await step(() => dc3.nextRequest({ threadId: 1 }), 'step');
      expect(second).toMatchObject({ line: 8 });
      expect(second.pc).not.toBe(first.pc);
      // Back one instruction: the bne undone, at the bne again (line 9), s0 and s1 as after the first
      // step. When cos took an interrupt between the bne and the second stop, the step back goes over
      // its handler, as the step forward did (docs/debugger.md#reverse).
      const back = await step(() => dc3.stepBackRequest({ threadId: 1 }), 'step');
      expect(back).toMatchObject({ line: 9, pc: first.pc });
      expect(back.regs).toEqual(first.regs);
      // Reverse continue to the breakpoint's address: the hit where the run stopped (s0 = 2).
      const rc = dc3.waitForEvent('stopped', 180_000);
      await dc3.reverseContinueRequest({ threadId: 1 });
      expect((await rc).body.reason).toBe('breakpoint');
      const again = await where();
      expect(again).toMatchObject({ line: 8, pc: hit.pc });
      expect(again.regs).toEqual(hit.regs);
      // Forward in the replay: the next instruction in the program (the addi done), as the live
      // step went, over cos's interrupt handler if one came between.
      const fwd = await step(() => dc3.nextRequest({ threadId: 1 }), 'step');
      expect(fwd).toMatchObject({ line: 9, pc: first.pc });
      expect(fwd.regs).toEqual(first.regs);
      // The replay only moves by its commands: continue is refused with what to use.
      await expect(dc3.continueRequest({ threadId: 1 })).rejects.toThrow(/replay of the recording/);
      await dc3.disconnectRequest({});
    } finally {
      await dc3.stop().catch(() => undefined);
      await rm(dir3, { recursive: true, force: true });
    }
  }, 600_000);
  it('while replaying, next steps over a call, stepOut returns to the caller, stepBack goes back over whole calls', async () => {
    const port = (server.address() as { port: number }).port;
    const dc4 = new DebugClient('node', 'unused', 'hyperdesk');
    dc4.defaultTimeout = 120_000;
    await dc4.start(port);
    const dir4 = await mkdtemp(path.join(tmpdir(), 'hyperdesk-dap-nest-'));
    const nest = path.join(dir4, 'nest.s');
    await writeFile(nest, NEST_S);
    try {
      await dc4.initializeRequest({
        adapterID: 'hyperdesk',
        linesStartAt1: true,
        columnsStartAt1: true,
        pathFormat: 'path',
      });
      const stopped = dc4.waitForEvent('stopped', 180_000);
      await Promise.all([
        dc4.waitForEvent('initialized', 180_000).then(async () => {
          // `call outer` and `li a0, 0` after print.
          await dc4.setBreakpointsRequest({ source: { path: nest }, breakpoints: [{ line: 5 }, { line: 9 }] });
          await dc4.configurationDoneRequest();
        }),
        dc4.launch({ program: nest, dataDir: dir4, record: true } as never),
      ]);
      expect((await stopped).body).toMatchObject({ reason: 'breakpoint' });
      const where = async () => {
        const frame = (await dc4.stackTraceRequest({ threadId: 1 })).body.stackFrames[0]!;
        const s0 = (await dc4.evaluateRequest({ expression: 's0' })).body.result;
        return { line: frame.line, s0: parseInt(s0, 16) };
      };
      const move = async (req: () => Promise<unknown>, reason = 'step') => {
        const ev = dc4.waitForEvent('stopped', 180_000);
        await req();
        expect((await ev).body.reason).toBe(reason);
        return where();
      };
      expect(await where()).toEqual({ line: 5, s0: 0 });
      // Live on to line 9: the whole program but its exit ran, recorded.
      expect(await move(() => dc4.continueRequest({ threadId: 1 }), 'breakpoint')).toEqual({ line: 9, s0: 111 });
      // The replay: back over print, to its call; back to the breakpoint at the call of outer.
      expect(await move(() => dc4.stepBackRequest({ threadId: 1 }))).toEqual({ line: 8, s0: 111 });
      expect(await move(() => dc4.reverseContinueRequest({ threadId: 1 }), 'breakpoint')).toEqual({ line: 5, s0: 0 });
      // next over outer (and inner in it), and back over them.
      expect(await move(() => dc4.nextRequest({ threadId: 1 }))).toEqual({ line: 6, s0: 110 });
      expect(await move(() => dc4.stepBackRequest({ threadId: 1 }))).toEqual({ line: 5, s0: 0 });
      // Into outer, to its call of inner; over it; back over it.
      for (const line of [12, 13, 14])
        expect(await move(() => dc4.stepInRequest({ threadId: 1 }))).toEqual({ line, s0: 0 });
      expect(await move(() => dc4.nextRequest({ threadId: 1 }))).toEqual({ line: 15, s0: 100 });
      expect(await move(() => dc4.stepBackRequest({ threadId: 1 }))).toEqual({ line: 14, s0: 0 });
      // Into inner; out of it to outer (after its call), out of outer to _start (after its call).
      expect(await move(() => dc4.stepInRequest({ threadId: 1 }))).toEqual({ line: 20, s0: 0 });
      expect(await move(() => dc4.stepOutRequest({ threadId: 1 }))).toEqual({ line: 15, s0: 100 });
      expect(await move(() => dc4.stepOutRequest({ threadId: 1 }))).toEqual({ line: 6, s0: 110 });
      await dc4.disconnectRequest({});
    } finally {
      await dc4.stop().catch(() => undefined);
      await rm(dir4, { recursive: true, force: true });
    }
  }, 600_000);
});
