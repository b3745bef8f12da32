/**
 * A machine's console 0 on this terminal, shared by `hyperdesk run` and `hyperdesk boot`: keystrokes
 * go to the guest (raw mode on a TTY; Ctrl-] detaches), output is flushed once per step, and with
 * pacing the machine's time never runs ahead of the wall clock (so a guest's `sleep 1` takes a second).
 */
import { OutputBuffer } from '../../shared/outputBuffer.js';

/**
 * Why a step stopped, as the machine reports it (the emulator's StopReport): this file needs only its
 * kind, so it does not import the machine (docs/architecture.md#layers-and-who-may-import-whom).
 */
export interface Stop {
  kind: string;
}

const QUIT_KEY = 0x1d; // Ctrl-]

export interface TerminalLoop<S extends Stop = Stop> {
  /** Advance the machine by up to `cycles`; a stop report ends the loop (except 'idle'). */
  step(cycles: number): S | null;
  /** Bytes typed at the terminal. */
  input(bytes: Uint8Array): void;
  /** Bytes the guest has not read yet. */
  pendingInput(): number;
  /** How many bytes the console can take now (its receive FIFO's free space). */
  inputRoom?(): number;
  /** Cycles of machine time so far (for pacing). */
  machineTime(): number;
  /** Keep machine time at wall-clock speed (`timebase` cycles per second). */
  paced: boolean;
  /** Machine cycles per second of wall-clock time (the machine's TIMEBASE). */
  timebase: number;
  /** Cycles per step. */
  chunk?: number;
  /** Checked before each step: a report ends the loop. */
  limit?(): S | null;
}

/** Console bytes kept between two flushes (one step); the rest is dropped and counted. */
export const CLI_PENDING_BYTES = 64 * 1024;
/** Bytes stdout may hold unwritten (a slow pipe or terminal) before output is dropped instead. */
export const CLI_STDOUT_BACKLOG = 1 << 20;

/** Whether stdout can take more now (a reader that does not keep up makes Node buffer without end). */
export function stdoutKeepsUp(): boolean {
  return process.stdout.writableLength < CLI_STDOUT_BACKLOG;
}

/**
 * Collects console bytes and writes them to stdout in one piece per step. Bounded
 * (docs/security.md#floods): past CLI_PENDING_BYTES a step, or while stdout lags, bytes are dropped
 * and one "[output dropped: N bytes]" line says so.
 */
export function stdoutSink(): { write(b: number): void; flush(): void } {
  const out = new OutputBuffer(CLI_PENDING_BYTES);
  return {
    write: (b) => out.push(b),
    flush: () => {
      if (!out.pending) return;
      if (!stdoutKeepsUp()) {
        out.discard();
        return;
      }
      process.stdout.write(Buffer.from(out.takeBytes()));
    },
  };
}

export interface LoopResult<S extends Stop = Stop> {
  result: S | null;
  /** The user detached with Ctrl-]. */
  quit: boolean;
}

export async function terminalLoop<S extends Stop>(t: TerminalLoop<S>, flush: () => void): Promise<LoopResult<S>> {
  let quit = false;
  let stdinEnded = false;
  const stdin = process.stdin;
  // Typed or piped bytes wait here and go to the guest as its receive FIFO drains, so a long
  // paste is never cut off at the FIFO's size.
  const queue: number[] = [];
  const feed = () => {
    if (queue.length === 0) return;
    const room = t.inputRoom ? t.inputRoom() : queue.length;
    if (room > 0) t.input(Uint8Array.from(queue.splice(0, room)));
  };
  const onData = (d: Buffer) => {
    if (stdin.isTTY && d.includes(QUIT_KEY)) quit = true;
    for (const b of d) if (b !== QUIT_KEY) queue.push(b);
    feed();
  };
  if (stdin.isTTY) {
    stdin.setRawMode(true);
    process.stderr.write('[hyperdesk: console attached; Ctrl-] quits]\n');
  }
  stdin.on('data', onData);
  stdin.on('end', () => (stdinEnded = true));
  stdin.on('error', () => (stdinEnded = true));
  const chunk = t.chunk ?? 2_000_000;
  const wallStart = performance.now();
  const startTime = t.machineTime();
  let result: S | null = null;
  try {
    while (!quit) {
      result = t.limit?.() ?? null;
      if (result) break;
      let cycles = chunk;
      if (t.paced) {
        const allowed = startTime + ((performance.now() - wallStart) / 1000) * t.timebase + t.timebase / 100;
        cycles = Math.min(chunk, Math.floor(allowed - t.machineTime()));
        if (cycles <= 0) {
          flush();
          await new Promise((r) => setTimeout(r, 2));
          continue;
        }
      }
      feed();
      result = t.step(cycles);
      flush();
      if (result?.kind === 'idle') {
        if (stdinEnded && t.pendingInput() === 0 && queue.length === 0) break;
        await new Promise((r) => setTimeout(r, 5));
        result = null;
        continue;
      }
      if (result) break;
      await new Promise((r) => setImmediate(r));
    }
  } finally {
    flush();
    stdin.off('data', onData);
    if (stdin.isTTY) stdin.setRawMode(false);
    stdin.pause();
  }
  if (quit) process.stderr.write('\n[hyperdesk: quit]\n');
  return { result, quit };
}
