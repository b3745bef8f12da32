/**
 * `hyperdesk dap`: a Debug Adapter Protocol server (docs/debugger.md#the-debug-adapter), so VS Code
 * or any DAP client debugs a guest program with source breakpoints. A face like the web server: it
 * boots its own machine through the host (a fresh data folder, the demo disk), deploys the program
 * into the guest (cos, guest 1, by default), types `run NAME` at the guest's prompt, and answers the
 * client with the host's DebugApi. Step back and reverse continue (docs/debugger.md#reverse) need a
 * recording: with the launch argument `record: true` it records from boot and then advertises them
 * with a `capabilities` event; without it, supportsStepBack stays false.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import {
  Breakpoint as DapBreakpoint,
  CapabilitiesEvent,
  DebugSession,
  InitializedEvent,
  OutputEvent,
  Scope,
  Source,
  StackFrame,
  StoppedEvent,
  TerminatedEvent,
  Thread,
} from '@vscode/debugadapter';
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { EngineKind, HostEvent, HostService } from '../../shared/api.js';
import type { BreakpointRequest, DebugStop, StepKind } from '../../shared/debugApi.js';
import { CAUSES } from '../../shared/isa/csrs.js';
import { createHost } from '../host/host.js';

export interface LaunchArgs extends DebugProtocol.LaunchRequestArguments {
  /** The program: an assembly source (.s) for the guest's OS (cos). */
  program: string;
  /** The guest to run it in (default 1: cos in the demo machine). */
  guest?: number;
  engine?: EngineKind;
  stopOnEntry?: boolean;
  /** The data folder of the machine (default: a fresh temporary one, removed at the end). */
  dataDir?: string;
  /** Record the machine from boot, so stepBack and reverseContinue work (docs/recording.md). */
  record?: boolean;
}

/** The recording's name in the data folder's store. */
const RECORDING = 'dap';

const REASON: Record<DebugStop['reason'], string> = {
  pause: 'pause',
  step: 'step',
  breakpoint: 'breakpoint',
  watchpoint: 'data breakpoint',
  trap: 'exception',
  entry: 'entry',
  'replay-start': 'entry',
  'replay-end': 'step',
};
const REGS_REF = 1;
const CONTROL_REF = 2;
const PROMPT = /cos> $/;
const BOOT_MS = 180_000;

export class HyperdeskDebugSession extends DebugSession {
  private host: HostService | undefined;
  private ownDir: string | undefined;
  private guest = 1;
  private programPath = '';
  private programName = '';
  private console = '';
  private started = false;
  private readonly configured: Promise<void>;
  private configure!: () => void;
  private sourceBps = new Map<string, DebugProtocol.SourceBreakpoint[]>();
  private instructionBps: DebugProtocol.InstructionBreakpoint[] = [];
  private lastStop: DebugStop | undefined;
  /** 'recording' from launch with record; 'replay' once a reverse command opened the recording. */
  private reverse: 'off' | 'recording' | 'replay' = 'off';

  constructor() {
    super();
    this.setDebuggerLinesStartAt1(true);
    this.setDebuggerColumnsStartAt1(true);
    this.configured = new Promise((r) => (this.configure = r));
  }

  protected override initializeRequest(response: DebugProtocol.InitializeResponse): void {
    response.body = {
      supportsConfigurationDoneRequest: true,
      supportsConditionalBreakpoints: true,
      supportsInstructionBreakpoints: true,
      supportsDataBreakpoints: true,
      supportsReadMemoryRequest: true,
      supportsWriteMemoryRequest: true,
      supportsDisassembleRequest: true,
      supportsSetVariable: true,
      supportsEvaluateForHovers: true,
      supportsStepBack: false,
      supportsTerminateRequest: true,
      exceptionBreakpointFilters: CAUSES.map((c) => ({ filter: c.name, label: `trap ${c.name}`, default: false })),
    };
    this.sendResponse(response);
  }

  // ------------------------------------------------------------------ launch and the end

  protected override async launchRequest(response: DebugProtocol.LaunchResponse, args: LaunchArgs): Promise<void> {
    try {
      this.guest = args.guest ?? 1;
      this.programPath = args.program;
      this.programName = basename(args.program);
      if (!/^[A-Za-z0-9_-]+\.s$/.test(this.programName))
        throw new Error(`program ${args.program}: give a .s file whose name is letters, digits, _ or -`);
      const source = await readFile(args.program, 'utf8').catch((e: Error) => {
        throw new Error(`cannot read the program ${args.program}: ${e.message}`);
      });
      this.ownDir = args.dataDir ? undefined : await mkdtemp(join(tmpdir(), 'hyperdesk-dap-'));
      const host = createHost('web', { dataDir: args.dataDir ?? this.ownDir });
      this.host = host;
      host.subscribe((e) => this.onHost(e));
      this.output(`booting the demo machine (guest ${this.guest} runs ${this.programName})\n`, 'console');
      const st = await host.boot(args.engine ? { engine: args.engine } : {});
      if (st.state !== 'running') throw new Error(`the machine did not boot: ${st.error ?? st.state}`);
      // ctl starts the other guests after it boots: wait for this one's shell.
      await this.waitConsole(PROMPT, BOOT_MS, async () => {
        const guests = (await host.status()).guests;
        return `the machine has no guest ${this.guest} (guests: ${guests.map((g) => `${g.id} ${g.name}`).join(', ')})`;
      });
      if (args.record) {
        await host.recordStart(RECORDING);
        this.reverse = 'recording';
        this.sendEvent(new CapabilitiesEvent({ supportsStepBack: true }));
      }
      this.console = '';
      const r = await host.debugDeploy(this.guest, this.programName, source, args.stopOnEntry === true);
      if (!r.ok) {
        const first = r.diagnostics[0];
        throw new Error(
          first
            ? `${first.file}:${first.line}:${first.col}: ${first.message}`
            : (r.error ?? `${this.programName} did not assemble`),
        );
      }
      if (r.error) throw new Error(r.error);
      await this.waitConsole(PROMPT, BOOT_MS);
      this.sendEvent(new InitializedEvent());
      await this.configured;
      this.console = '';
      this.started = true;
      await host.consoleInput(this.guest, `run ${this.programName.replace(/\.s$/, '')}\r`);
      this.sendResponse(response);
    } catch (e) {
      this.sendErrorResponse(response, 1, (e as Error).message);
    }
  }

  protected override configurationDoneRequest(response: DebugProtocol.ConfigurationDoneResponse): void {
    this.configure();
    this.sendResponse(response);
  }

  protected override async disconnectRequest(response: DebugProtocol.DisconnectResponse): Promise<void> {
    await this.closeMachine();
    this.sendResponse(response);
  }

  protected override async terminateRequest(response: DebugProtocol.TerminateResponse): Promise<void> {
    await this.closeMachine();
    this.sendResponse(response);
    this.sendEvent(new TerminatedEvent());
  }

  private async closeMachine(): Promise<void> {
    const h = this.host;
    this.host = undefined;
    await h?.close();
    if (this.ownDir) await rm(this.ownDir, { recursive: true, force: true });
  }

  private onHost(e: HostEvent): void {
    if (e.type === 'console' && e.guest === this.guest) {
      // A replay moved (docs/recording.md#the-scrubber): the console is sent whole as it was then.
      // A debug console cannot be rewound, so it is not printed again.
      if (e.reset) return;
      this.console += e.data;
      this.output(e.data.replace(/\r\n/g, '\n'), 'stdout');
      // The program ended: the guest's shell prompts again.
      if (this.started && PROMPT.test(this.console)) {
        this.started = false;
        this.sendEvent(new TerminatedEvent());
      }
    } else if (e.type === 'debug' && e.guest === this.guest && e.paused && e.stop && this.reverse !== 'replay') {
      // A replay's own stops (its verification applies the recorded debugger calls) are not the client's.
      this.lastStop = e.stop;
      const ev = new StoppedEvent(REASON[e.stop.reason], e.stop.vcpu + 1, e.stop.detail) as DebugProtocol.StoppedEvent;
      ev.body.allThreadsStopped = true;
      if (e.stop.detail) ev.body.description = e.stop.detail;
      if (e.stop.breakpointId !== undefined) ev.body.hitBreakpointIds = [e.stop.breakpointId];
      this.sendEvent(ev);
    }
  }

  private output(text: string, category: string): void {
    if (text) this.sendEvent(new OutputEvent(text, category));
  }

  private async waitConsole(re: RegExp, ms: number, why?: () => Promise<string>): Promise<void> {
    const t0 = Date.now();
    while (!re.test(this.console)) {
      if (Date.now() - t0 > ms)
        throw new Error(why ? await why() : `guest ${this.guest} did not show ${re} in ${ms / 1000} s`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  private need(): HostService {
    if (!this.host) throw new Error('no machine: launch first');
    return this.host;
  }

  /** Run a request's body; errors go back to the client as the request's error message. */
  private async answer<R extends DebugProtocol.Response>(
    response: R,
    body: () => Promise<R['body'] | void>,
  ): Promise<void> {
    try {
      const b = await body();
      if (b !== undefined) response.body = b;
      this.sendResponse(response);
    } catch (e) {
      this.sendErrorResponse(response, 2, (e as Error).message);
    }
  }

  // ------------------------------------------------------------------ breakpoints

  protected override setBreakPointsRequest(
    response: DebugProtocol.SetBreakpointsResponse,
    args: DebugProtocol.SetBreakpointsArguments,
  ): Promise<void> {
    return this.answer(response, async () => {
      const file = args.source.path ?? args.source.name ?? '';
      this.sourceBps.set(file, args.breakpoints ?? []);
      const placed = await this.placeBreakpoints();
      return { breakpoints: placed.get(`file:${file}`) ?? [] };
    });
  }

  protected override setInstructionBreakpointsRequest(
    response: DebugProtocol.SetInstructionBreakpointsResponse,
    args: DebugProtocol.SetInstructionBreakpointsArguments,
  ): Promise<void> {
    return this.answer(response, async () => {
      this.instructionBps = args.breakpoints;
      const placed = await this.placeBreakpoints();
      return { breakpoints: placed.get('instructions') ?? [] };
    });
  }

  /** The guest's breakpoints are one list (the host replaces it): sources and instructions together. */
  private async placeBreakpoints(): Promise<Map<string, DebugProtocol.Breakpoint[]>> {
    const list: BreakpointRequest[] = [];
    const owners: string[] = [];
    for (const [file, bps] of this.sourceBps)
      for (const b of bps) {
        list.push({ file: basename(file), line: b.line, ...(b.condition ? { condition: b.condition } : {}) });
        owners.push(`file:${file}`);
      }
    for (const b of this.instructionBps) {
      list.push({
        address: (parseInt(b.instructionReference, 16) + (b.offset ?? 0)) >>> 0,
        ...(b.condition ? { condition: b.condition } : {}),
      });
      owners.push('instructions');
    }
    const placed = await this.need().debugSetBreakpoints(this.guest, list);
    const out = new Map<string, DebugProtocol.Breakpoint[]>();
    placed.forEach((p, i) => {
      const owner = owners[i]!;
      const bp = new DapBreakpoint(p.verified, p.line) as DebugProtocol.Breakpoint;
      bp.id = p.id;
      if (p.message) bp.message = p.message;
      if (p.resolved !== undefined) bp.instructionReference = hex(p.resolved);
      if (owner.startsWith('file:')) bp.source = new Source(basename(owner.slice(5)), owner.slice(5));
      out.set(owner, [...(out.get(owner) ?? []), bp]);
    });
    return out;
  }

  protected override setExceptionBreakPointsRequest(
    response: DebugProtocol.SetExceptionBreakpointsResponse,
    args: DebugProtocol.SetExceptionBreakpointsArguments,
  ): Promise<void> {
    return this.answer(response, async () => {
      if (!this.host) return; // before launch: the client sends them again after 'initialized'
      await this.host.debugSetTrapBreaks(this.guest, args.filters);
    });
  }

  protected override dataBreakpointInfoRequest(
    response: DebugProtocol.DataBreakpointInfoResponse,
    args: DebugProtocol.DataBreakpointInfoArguments,
  ): void {
    // A watch on guest memory: NAME is an address (0x...) with an optional length, "0x400100,4".
    const m = /^\s*(0x[0-9a-fA-F]+|\d+)\s*(?:,\s*(\d+))?\s*$/.exec(args.name);
    response.body = m
      ? {
          dataId: `${parseInt(m[1]!)}:${m[2] ? parseInt(m[2]) : 4}`,
          description: `${m[2] ?? 4} bytes at ${m[1]}`,
          accessTypes: ['read', 'write', 'readWrite'],
          canPersist: false,
        }
      : { dataId: null, description: `"${args.name}" is not an address: watch "0x400100" or "0x400100,8"` };
    this.sendResponse(response);
  }

  protected override setDataBreakpointsRequest(
    response: DebugProtocol.SetDataBreakpointsResponse,
    args: DebugProtocol.SetDataBreakpointsArguments,
  ): Promise<void> {
    return this.answer(response, async () => {
      const list = args.breakpoints.map((b) => {
        const [addr, len] = b.dataId.split(':').map(Number);
        const access = b.accessType === 'read' ? 'read' : b.accessType === 'readWrite' ? 'readwrite' : 'write';
        return { address: addr! >>> 0, length: len!, access, space: 'virtual' } as const;
      });
      const placed = await this.need().debugSetWatchpoints(this.guest, list);
      return { breakpoints: placed.map((w) => ({ id: w.id, verified: true })) };
    });
  }

  // ------------------------------------------------------------------ where it is

  protected override threadsRequest(response: DebugProtocol.ThreadsResponse): Promise<void> {
    return this.answer(response, async () => {
      const g = (await this.need().status()).guests.find((x) => x.id === this.guest);
      const n = g?.vcpus ?? 1;
      return { threads: Array.from({ length: n }, (_, i) => new Thread(i + 1, `vCPU ${i}`)) };
    });
  }

  protected override stackTraceRequest(
    response: DebugProtocol.StackTraceResponse,
    args: DebugProtocol.StackTraceArguments,
  ): Promise<void> {
    return this.answer(response, async () => {
      // The call stack (docs/debugger.md#call-stack): frame 0 where the vCPU stands, then each
      // caller at its call instruction, named by a label at pc (`loop`) or its function (`_start+0x18`).
      const vcpu = args.threadId - 1;
      const stack = await this.need().debugStack(this.guest, vcpu);
      const all = stack.frames.map((f) => {
        const name =
          f.label ??
          (f.function ? (f.offset ? `${f.function}+0x${f.offset.toString(16)}` : f.function) : `0x${hex(f.pc)}`);
        const src =
          f.file && basename(f.file) === this.programName ? new Source(this.programName, this.programPath) : undefined;
        // Frame ids: one per vCPU and depth (variables show the vCPU's registers, those of frame 0).
        const frame = new StackFrame(vcpu * 1000 + f.index, name, src, f.line ?? 0, 1) as DebugProtocol.StackFrame;
        frame.instructionPointerReference = hex(f.pc);
        if (f.index > 0) frame.presentationHint = 'normal';
        return frame;
      });
      const from = args.startFrame ?? 0;
      const frames = all.slice(from, args.levels ? from + args.levels : undefined);
      return { stackFrames: frames, totalFrames: all.length };
    });
  }

  protected override scopesRequest(response: DebugProtocol.ScopesResponse): void {
    response.body = {
      scopes: [new Scope('Registers', REGS_REF, false), new Scope('Control registers', CONTROL_REF, false)],
    };
    this.sendResponse(response);
  }

  private vcpu(): number {
    return this.lastStop?.vcpu ?? 0;
  }

  protected override variablesRequest(
    response: DebugProtocol.VariablesResponse,
    args: DebugProtocol.VariablesArguments,
  ): Promise<void> {
    return this.answer(response, async () => {
      const r = await this.need().debugRegisters(this.guest, this.vcpu());
      const v = (name: string, value: number, type = 'register') => ({
        name,
        value: `0x${hex(value)}`,
        type,
        variablesReference: 0,
        memoryReference: hex(value),
      });
      if (args.variablesReference === CONTROL_REF)
        return {
          variables: [
            { name: 'mode', value: r.mode, variablesReference: 0 },
            ...r.control.map((c) => v(c.name, c.value, 'control register')),
            { name: 'technique', value: r.virt.technique, variablesReference: 0 },
            ...(r.virt.stage2Root !== null ? [v('stage-2 root', r.virt.stage2Root, 'host-physical')] : []),
            ...(r.virt.vmid !== null ? [{ name: 'vmid', value: String(r.virt.vmid), variablesReference: 0 }] : []),
          ],
        };
      return { variables: [v('pc', r.pc), ...r.regs.map((x) => v(x.abi, x.value))] };
    });
  }

  protected override setVariableRequest(
    response: DebugProtocol.SetVariableResponse,
    args: DebugProtocol.SetVariableArguments,
  ): Promise<void> {
    return this.answer(response, async () => {
      const value = Number(args.value);
      if (!Number.isInteger(value)) throw new Error(`${args.value} is not an integer (write 42 or 0x2a)`);
      await this.need().debugSetRegister(this.guest, this.vcpu(), args.name, value);
      return { value: `0x${hex(value)}` };
    });
  }

  protected override evaluateRequest(
    response: DebugProtocol.EvaluateResponse,
    args: DebugProtocol.EvaluateArguments,
  ): Promise<void> {
    return this.answer(response, async () => {
      const name = args.expression.trim().toLowerCase();
      const r = await this.need().debugRegisters(this.guest, this.vcpu());
      const reg = name === 'pc' ? { value: r.pc } : r.regs.find((x) => x.abi === name || x.name === name);
      const ctl = r.control.find((c) => c.name === name);
      const value = reg?.value ?? ctl?.value;
      if (value === undefined)
        throw new Error(`"${args.expression}": evaluate takes a register name (a0, sp, r5, pc) or a control register`);
      return { result: `0x${hex(value)} (${value | 0})`, variablesReference: 0, memoryReference: hex(value) };
    });
  }

  // ------------------------------------------------------------------ memory and code

  protected override readMemoryRequest(
    response: DebugProtocol.ReadMemoryResponse,
    args: DebugProtocol.ReadMemoryArguments,
  ): Promise<void> {
    return this.answer(response, async () => {
      const address = (parseInt(args.memoryReference, 16) + (args.offset ?? 0)) >>> 0;
      const count = Math.min(args.count, 65536);
      if (count === 0) return { address: hex(address) };
      const m = await this.need().debugReadMemory(this.guest, 'virtual', address, count);
      const data = Buffer.from(m.hex, 'hex');
      return { address: hex(address), data: data.toString('base64'), unreadableBytes: count - data.length };
    });
  }

  protected override writeMemoryRequest(
    response: DebugProtocol.WriteMemoryResponse,
    args: DebugProtocol.WriteMemoryArguments,
  ): Promise<void> {
    return this.answer(response, async () => {
      const address = (parseInt(args.memoryReference, 16) + (args.offset ?? 0)) >>> 0;
      const bytes = Buffer.from(args.data, 'base64');
      if (bytes.length === 0) return { bytesWritten: 0 };
      await this.need().debugWriteMemory(this.guest, 'virtual', address, bytes.toString('hex'));
      return { bytesWritten: bytes.length };
    });
  }

  protected override disassembleRequest(
    response: DebugProtocol.DisassembleResponse,
    args: DebugProtocol.DisassembleArguments,
  ): Promise<void> {
    return this.answer(response, async () => {
      const start = (parseInt(args.memoryReference, 16) + (args.offset ?? 0) + 4 * (args.instructionOffset ?? 0)) >>> 0;
      const count = Math.max(1, Math.min(args.instructionCount, 1000));
      const lines = await this.need().debugDisassemble(this.guest, this.vcpu(), start, count);
      return {
        instructions: lines.map((l) => ({
          address: `0x${hex(l.address)}`,
          instructionBytes: hex(l.word),
          instruction: l.text,
          ...(l.label ? { symbol: l.label } : {}),
          ...(l.file && basename(l.file) === this.programName
            ? { location: new Source(this.programName, this.programPath), line: l.line }
            : {}),
        })),
      };
    });
  }

  // ------------------------------------------------------------------ running

  protected override continueRequest(response: DebugProtocol.ContinueResponse): Promise<void> {
    return this.answer(response, async () => {
      if (this.reverse === 'replay')
        throw new Error('the machine is a replay of the recording: step, step back or reverse continue move it');
      await this.need().debugContinue(this.guest);
      return { allThreadsContinued: true };
    });
  }

  protected override pauseRequest(response: DebugProtocol.PauseResponse): Promise<void> {
    return this.answer(response, async () => {
      await this.need().debugPause(this.guest);
    });
  }

  private step(response: DebugProtocol.Response, threadId: number, kind: StepKind): Promise<void> {
    return this.answer(response, async () => {
      if (this.reverse === 'replay') {
        // The replay moves only by its own commands: forward one instruction in the vCPU's mode
        // (handlers run through), over a call or out of the function (docs/debugger.md#reverse).
        const at = this.replayStop(threadId);
        this.stoppedAt((await this.need().forwardStep(this.guest, at.vcpu, kind)).stop, 'step');
        return;
      }
      await this.need().debugStep(this.guest, threadId - 1, kind);
    });
  }

  // ------------------------------------------------------------------ reverse (docs/debugger.md#reverse)

  protected override stepBackRequest(
    response: DebugProtocol.StepBackResponse,
    args: DebugProtocol.StepBackArguments,
  ): Promise<void> {
    return this.answer(response, async () => {
      await this.openReplay();
      // Step back is next's mirror (gdb's reverse-next): back over a whole call, in this frame.
      const pos = await this.need().reverseStep(this.guest, this.replayStop(args.threadId).vcpu, 'over');
      this.stoppedAt(pos.stop, pos.stop?.reason === 'replay-start' ? 'entry' : 'step');
    });
  }

  protected override reverseContinueRequest(response: DebugProtocol.ReverseContinueResponse): Promise<void> {
    return this.answer(response, async () => {
      await this.openReplay();
      const bps = (await this.need().debugState(this.guest)).breakpoints;
      const addresses = bps.filter((b) => b.verified && b.resolved !== undefined).map((b) => `0x${hex(b.resolved!)}`);
      // The guest's data breakpoints (watchpoints) count too: the engine takes them from the replay.
      const pos = await this.need().reverseContinue(this.guest, addresses.join(','));
      this.stoppedAt(pos.stop, pos.stop ? REASON[pos.stop.reason] : 'entry');
    });
  }

  /**
   * The first reverse command ends the recording and replays it (docs/recording.md#replay): the
   * replay ends where the guest stands, and seekTo puts it at the exact instruction of the last stop.
   */
  private async openReplay(): Promise<void> {
    if (this.reverse === 'replay') return;
    if (this.reverse === 'off')
      throw new Error('step back needs a recording: launch with "record": true (docs/debugger.md#reverse)');
    const at = this.lastStop;
    if (!at) throw new Error('step back from a stop: the guest is running');
    const host = this.need();
    await host.recordStop();
    this.reverse = 'replay';
    await host.replay(RECORDING);
    const pos = await host.seekTo(this.guest, at.vcpu, at.retired, at.pc);
    if (pos.stop) this.lastStop = pos.stop;
  }

  private replayStop(threadId: number): DebugStop {
    const at = this.lastStop;
    if (!at || at.vcpu !== threadId - 1) throw new Error(`vCPU ${threadId - 1} has no stop in the replay to move from`);
    return at;
  }

  /** A replay's move is an answer, not a host event: the client hears of it here. */
  private stoppedAt(stop: DebugStop | undefined, reason: string): void {
    if (!stop) throw new Error('the replay did not stop at an instruction');
    this.lastStop = stop;
    const ev = new StoppedEvent(reason, stop.vcpu + 1) as DebugProtocol.StoppedEvent;
    ev.body.allThreadsStopped = true;
    ev.body.description =
      stop.reason === 'replay-end'
        ? `the end of the recording: retired ${stop.retired} at ${(stop.seconds ?? 0).toFixed(6)} s (replay)`
        : `retired ${stop.retired} at ${(stop.seconds ?? 0).toFixed(6)} s (replay)`;
    this.sendEvent(ev);
  }

  protected override nextRequest(
    response: DebugProtocol.NextResponse,
    args: DebugProtocol.NextArguments,
  ): Promise<void> {
    return this.step(response, args.threadId, 'over');
  }

  protected override stepInRequest(
    response: DebugProtocol.StepInResponse,
    args: DebugProtocol.StepInArguments,
  ): Promise<void> {
    return this.step(response, args.threadId, 'instruction');
  }

  protected override stepOutRequest(
    response: DebugProtocol.StepOutResponse,
    args: DebugProtocol.StepOutArguments,
  ): Promise<void> {
    return this.step(response, args.threadId, 'out');
  }
}

function hex(n: number): string {
  return (n >>> 0).toString(16).padStart(8, '0');
}
