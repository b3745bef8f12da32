/**
 * `hyperdesk boot --record NAME` (docs/recording.md#from-the-command-line): the CLI's boot powers its
 * machine on in its own process, without a Session, so it records it here with the engine's
 * Recorder: checkpoint 0 when the console attaches (a snapshot in the data folder's `recordings/`,
 * its disks frozen), the keys as they enter a console's receive FIFO, the runs whose cut matters
 * (dual boot outside the OS), a checkpoint every second of machine time, and at exit the log kept
 * where the app keeps it: the store when it opens, else `recordings/NAME.hdrec`. `hyperdesk record
 * replay NAME` then replays it, with or without a `serve` running.
 */
import { join } from 'node:path';
import type { RecordingSummary } from '../../shared/api.js';
import type { ConsoleSink } from '../emulator/devices/uart/Uart.js';
import type { PoweredMachine } from '../engine/powerOn.js';
import { Recorder } from '../engine/recorder.js';
import { dataDir, sqliteBinding, Store, StoreError, storePath } from '../store/index.js';
import { subjectOf, type BootMachineConfig } from './bootSnapshots.js';
import { RecordingShelf } from './recordings.js';

/** Console output as the recorder digests it: every byte of guest `g`'s console. */
export interface ConsoleTaps {
  onByte: ((guest: number, b: number) => void) | undefined;
  /** `sink` with every byte also shown to the recorder as guest `guest`'s. */
  tap(guest: number, sink: ConsoleSink): ConsoleSink;
}

export function consoleTaps(): ConsoleTaps {
  const taps: ConsoleTaps = {
    onByte: undefined,
    tap: (guest, sink) => ({
      write: (b) => {
        taps.onByte?.(guest, b & 0xff);
        sink.write(b);
      },
    }),
  };
  return taps;
}

export interface BootRecording {
  /** Keys that just went into guest `guest`'s receive FIFO. */
  input(guest: number, bytes: Uint8Array): void;
  /** Runs `cycles` of the machine (the terminal loop's step), logging what the replay needs. */
  run(cycles: number): ReturnType<PoweredMachine['run']>;
  /** Ends the recording and keeps it; an exit code when it could not be kept. */
  atExit(why: string): number | undefined;
}

/** Starts recording `powered` as `name`, or says why not (a name taken, pCPU threads, a disk). */
export function bootRecording(
  name: string,
  powered: PoweredMachine,
  config: BootMachineConfig,
  taps: ConsoleTaps,
): BootRecording | string {
  const data = dataDir();
  const sqlite = sqliteBinding();
  const opened = sqlite.error ? undefined : Store.open(storePath(data), { nativeBinding: sqlite.nativeBinding });
  const store = opened instanceof StoreError ? undefined : opened;
  const shelf = new RecordingShelf(join(data, 'recordings'), store);
  const fail = (why: string) => {
    store?.close();
    return `--record ${name}: ${why}`;
  };
  if (shelf.has(name)) return fail(`a recording named '${name}' exists already`);
  const subject = subjectOf(powered, config);
  const r = Recorder.start(
    {
      config: subject.config,
      machine: powered.machine,
      disks: subject.disks,
      fw: powered.fw,
      hv: powered.hv,
      parallel: subject.parallel,
      get cycles() {
        return powered.cycles;
      },
      timebase: subject.timebase,
      sessionState: subject.sessionState,
      restoreSessionState: subject.restoreSessionState,
      consoles: taps,
    },
    name,
    shelf.dir,
  );
  if (typeof r === 'string') return fail(r);
  process.stderr.write(
    `[hyperdesk: recording ${name} from ${(powered.cycles / subject.timebase).toFixed(3)} s of machine time (every pCPU on one thread)]\n`,
  );
  return {
    input: (guest, bytes) => r.input(guest, [...bytes]),
    run(cycles) {
      // As Session.run does (docs/recording.md#what-comes-from-outside): in dual boot outside the
      // OS the cut between runs changes the state, so those runs are logged.
      const fwBefore = powered.fw ? powered.fw.state : undefined;
      const t0 = powered.cycles;
      const result = powered.run(cycles);
      if (fwBefore !== undefined && (fwBefore !== 'running' || powered.fw?.state !== 'running')) r.run(t0, cycles);
      r.afterRun();
      return result;
    },
    atExit(why) {
      let kept: RecordingSummary;
      try {
        kept = shelf.keep(r.stop(why));
      } catch (e) {
        process.stderr.write(`error: --record ${name}: the recording could not be kept: ${(e as Error).message}\n`);
        return 1;
      } finally {
        store?.close();
      }
      process.stderr.write(
        `[hyperdesk: recorded ${kept.name}: ${kept.seconds.toFixed(3)} s, ${kept.inputs} inputs, ${kept.checkpoints} checkpoints, ${kept.bytes} bytes (hyperdesk record replay ${kept.name})]\n`,
      );
      return undefined;
    },
  };
}
