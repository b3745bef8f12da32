/**
 * The host API (src/shared/api.ts), implemented once over the engine worker, the store and the
 * assembler. The faces (the Electron shell's IPC handlers, the web server's routes) only carry calls
 * to this object and its events to the page; they hold no logic of their own.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import {
  checkConfig,
  type Capture,
  type CompareChoice,
  type ComparisonRun,
  type HostEvent,
  type HostInfo,
  type HostMode,
  type HostService,
  type LogEvent,
  type MachineConfig,
  type SnapshotConsole,
  type SnapshotInfo,
} from '../../shared/api.js';
import { CSRS, OPCODES } from '../../shared/isa/index.js';
import pkg from '../../../package.json' with { type: 'json' };
import { DIRECTIVES, PSEUDOS } from '../asm/index.js';
import { assembleOffThread, closeAssembler } from '../engine/asmThread.js';
import { Engine, workerUrl } from '../engine/Engine.js';
import type { EngineEvent } from '../engine/protocol.js';
import { customWorkload, WORKLOADS } from '../engine/workloads.js';
import { checkDiskPaths } from './diskPaths.js';
import { DEFAULT_IMAGE, ensureDisks } from './disks.js';
import { pruneOverlays } from '../disk/overlayPrune.js';
import { dataDir, sqliteBinding, storePath, Store, StoreError, type SqliteBinding } from '../store/index.js';
import { disksFolder, WorkingDisks, type BuiltImage } from './workingDisks.js';
import { RecordingShelf } from './recordings.js';
import { imageCalls } from './imageCalls.js';
import { ImageLibrary } from './imageLibrary.js';

export interface HostOptions {
  /** The app's data folder (the store lives there); default dataDir(). */
  dataDir?: string;
  /** Run machine time as fast as possible instead of at wall-clock speed (tests). */
  unpaced?: boolean;
  /**
   * Which compiled better-sqlite3 to load (default: chosen by process.versions.electron, with the
   * reason when the Electron build is missing: src/main/store/nativeBinding.ts).
   */
  sqlite?: SqliteBinding;
  /** The built demo image, built when missing (default src/main/host/disks.ts; tests give a copy). */
  builtImage?: BuiltImage;
  /** The time limit of one `assemble` (default ASM_TIME_LIMIT_MS, engine/asmThread.ts; tests shorten it). */
  asmTimeLimitMs?: number;
}

/**
 * What a saved machine has where it says nothing: the demo's settings. (Session's DEMO_CONFIG says
 * the same; it is not imported here because the host thread loads no emulator code: layering test.)
 */
const DEMO_MACHINE: MachineConfig = { mode: 'hypervisor', cpus: 2, memMiB: 64, disks: [], engine: 'interp' };

/** Events kept in memory when the store cannot be used. */
const MEMORY_EVENTS = 1000;

export function createHost(mode: HostMode, options: HostOptions = {}): HostService {
  const listeners = new Set<(e: HostEvent) => void>();
  const emit = (e: HostEvent) => {
    for (const l of listeners) l(e);
  };

  const folder = options.dataDir ?? dataDir();
  const file = storePath(folder);
  /** Snapshot files and their disks' overlays (docs/snapshots.md#where-things-are). */
  const snapshotDir = join(folder, 'snapshots');
  const working = new WorkingDisks(folder, options.builtImage);
  const sqlite = options.sqlite ?? sqliteBinding();
  // No build of the native module for this runtime: the store is off, the file not even opened.
  const opened = sqlite.error
    ? new StoreError(sqlite.error, file)
    : Store.open(file, { nativeBinding: sqlite.nativeBinding });
  const store = opened instanceof StoreError ? undefined : opened;
  const storeError = opened instanceof StoreError ? opened.message : undefined;
  const memoryEvents: LogEvent[] = [];
  const memoryRuns: ComparisonRun[] = [];
  const memorySnapshots: SnapshotInfo[] = [];
  const snapshots = (): SnapshotInfo[] => (store ? store.snapshots() : [...memorySnapshots]);
  /** Each snapshot's consoles sit beside its file (the store has no column for them). */
  const consolesFile = (name: string) => join(snapshotDir, `${name}${CONSOLES_EXT}`);
  const snapshotNamed = (name: string): SnapshotInfo => {
    const s = snapshots().find((x) => x.name === name);
    if (!s) throw new Error(`no snapshot named '${name}' (snapshotList lists them)`);
    return s;
  };
  /** The saved machine that runs, and the snapshot it was last saved as or restored from. */
  let machineName: string | undefined;
  let parentSnapshot: string | null = null;
  let nextId = 1;

  const info: HostInfo = {
    name: pkg.name,
    version: pkg.version,
    isa: { opcodes: OPCODES.length, csrs: CSRS.length },
    mode,
    store: { path: file, ...(storeError ? { error: storeError } : {}) },
    workloads: WORKLOADS.map((w) => w.name),
    workloadTitles: Object.fromEntries(WORKLOADS.map((w) => [w.name, w.title])),
    asm: {
      directives: Object.entries(DIRECTIVES).map(([name, d]) => ({ name, syntax: d.syntax, doc: d.doc })),
      pseudos: PSEUDOS.map(({ name, syntax, doc }) => ({ name, syntax, doc })),
    },
  };

  const log = (e: Omit<LogEvent, 'id' | 'at'>): void => {
    const entry = { ...e, at: new Date().toISOString() };
    let saved: LogEvent;
    try {
      saved = store ? store.logEvent(entry) : { ...entry, id: nextId++ };
    } catch (err) {
      saved = { ...entry, id: nextId++, detail: `${entry.detail} (not saved: ${(err as Error).message})` };
    }
    if (!store) {
      memoryEvents.push(saved);
      if (memoryEvents.length > MEMORY_EVENTS) memoryEvents.shift();
    }
    emit({ type: 'log', event: saved });
  };

  const onEngine = (e: EngineEvent) => {
    switch (e.event) {
      case 'console':
        for (const b of e.batches)
          emit({ type: 'console', guest: b.guest, data: b.data, end: b.end, ...(b.reset ? { reset: true } : {}) });
        return;
      case 'status':
        emit({ type: 'status', status: e.status });
        return;
      case 'perf':
        emit({ type: 'perf', sample: e.sample });
        return;
      case 'log':
        for (const l of e.logs) log(l);
        return;
      case 'debug':
        emit(e.debug);
        return;
    }
  };
  const engine = new Engine(onEngine, { unpaced: options.unpaced });
  /** The workload of the comparison running now, if one is. */
  let comparing: string | undefined;
  let lastConfig: MachineConfig | undefined;
  /** Recordings: logs in the store (files in the data folder without one), docs/recording.md. */
  const recordings = new RecordingShelf(join(folder, 'recordings'), store);

  const service: HostService = {
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      await engine.close();
      await closeAssembler();
      store?.close();
    },
    info: async () => structuredClone(info),
    status: () => engine.call('status'),
    async boot(config) {
      emit({ type: 'progress', task: 'boot', done: 0, label: 'booting the machine' });
      // No disk given: the working copy of the demo image in the data folder, made from the built
      // image when missing (docs/disks.md#working-disks; the engine only opens the files it is given).
      if (!config.disks?.length) {
        try {
          config = { ...config, disks: [await working.demo()] };
        } catch (e) {
          const error = `cannot make the working disk in ${folder}: ${(e as Error).message}`;
          emit({ type: 'progress', task: 'boot', done: 1, label: error });
          return { state: 'failed', guests: [], seconds: 0, error };
        }
      }
      // docs/security.md#disks-the-app-opens: the data folder and the project's disks/ only.
      const badDisk = checkDiskPaths(config.disks ?? [], [folder, dirname(DEFAULT_IMAGE)]);
      if (badDisk) {
        emit({ type: 'progress', task: 'boot', done: 1, label: badDisk });
        return { state: 'failed', guests: [], seconds: 0, error: badDisk };
      }
      const status = await engine.call('boot', config);
      emit({ type: 'progress', task: 'boot', done: 1, label: status.error ?? 'booted' });
      parentSnapshot = null;
      if (status.config) {
        lastConfig = status.config;
        // The saved machine booted from the Machines view keeps its own name (a clone booted is not
        // saved over the demo); a boot from the top bar is the demo or `dual boot OS`.
        machineName =
          status.config.name ??
          (status.config.mode === 'hypervisor' ? 'demo' : `dual boot ${status.config.boot ?? ''}`.trim());
        try {
          const { name: _name, ...saved } = status.config;
          const machine = store?.saveMachine(machineName, saved);
          // The partition table this boot used: ctl's parttab, as it was on ctl's disk.
          if (machine && status.config.mode === 'hypervisor') {
            const parttab = await engine.call('readFile', 0, 'parttab').catch(() => undefined);
            const last = store!.partitionTables(machine.id).at(-1);
            if (parttab !== undefined && last?.text !== parttab) store!.savePartitionTable(machine.id, parttab);
          }
        } catch {
          // The store's own problem is in info().store; booting does not depend on it.
        }
      }
      log({
        guest: null,
        guestName: 'machine',
        kind: status.error ? 'boot-failed' : 'booted',
        detail: status.error ?? `${status.config?.mode} with ${status.guests.map((g) => g.name).join(', ')}`,
      });
      return status;
    },
    async powerOff() {
      const status = await engine.call('powerOff');
      if (lastConfig) log({ guest: null, guestName: 'machine', kind: 'powered-off', detail: lastConfig.mode });
      return status;
    },
    setEngine: (guest, kind) => engine.call('setEngine', guest, kind),
    consoleInput: (guest, data) => engine.call('consoleInput', guest, data),
    consoleHistory: (guest) => engine.call('consoleHistory', guest),
    listFiles: (guest) => engine.call('listFiles', guest),
    readFile: (guest, name) => engine.call('readFile', guest, name),
    async writeFile(guest, name, text) {
      const r = await engine.call('writeFile', guest, name, text);
      log({
        guest,
        guestName: (await service.status()).guests.find((g) => g.id === guest)?.name ?? `guest ${guest}`,
        kind: 'file-saved',
        detail: r.written,
      });
      return r;
    },
    async assemble(file, source) {
      // On the assembler's worker with a time limit: a slow source never stops this thread (and
      // with it the web server) from answering (docs/app.md#assembling).
      const r = await assembleOffThread({ file, source, timeLimitMs: options.asmTimeLimitMs });
      return { ok: r.ok, diagnostics: r.diagnostics, ...(r.ok ? { bytes: r.bytes.length } : {}) };
    },
    async deploy(guest, name, source) {
      emit({ type: 'progress', task: 'deploy', done: 0, label: `assembling ${name}` });
      const r = await engine.call('deploy', guest, name, source);
      emit({ type: 'progress', task: 'deploy', done: 1, label: r.error ?? (r.ok ? 'rebooted' : 'errors') });
      if (r.ok && r.written) {
        const name = (await engine.call('status')).guests.find((g) => g.id === guest)?.name ?? `guest ${guest}`;
        log({ guest, guestName: name, kind: 'deployed', detail: `${r.written}${r.rebooted ? ', rebooted' : ''}` });
      }
      return r;
    },
    // The debugger (docs/debugger.md#host-api): the engine's Debugger answers.
    debugState: (guest) => engine.call('debugState', guest),
    debugPause: (guest) => engine.call('debugPause', guest),
    debugContinue: (guest) => engine.call('debugContinue', guest),
    debugStep: (guest, vcpu, kind) => engine.call('debugStep', guest, vcpu, kind),
    debugRunTo: (guest, target) => engine.call('debugRunTo', guest, target),
    debugRegisters: (guest, vcpu) => engine.call('debugRegisters', guest, vcpu),
    debugSetRegister: (guest, vcpu, reg, value) => engine.call('debugSetRegister', guest, vcpu, reg, value),
    debugReadMemory: (guest, space, address, length) => engine.call('debugReadMemory', guest, space, address, length),
    debugWriteMemory: (guest, space, address, hex) => engine.call('debugWriteMemory', guest, space, address, hex),
    debugDisassemble: (guest, vcpu, address, count) => engine.call('debugDisassemble', guest, vcpu, address, count),
    debugStack: (guest, vcpu) => engine.call('debugStack', guest, vcpu),
    debugSetBreakpoints: (guest, list) => engine.call('debugSetBreakpoints', guest, list),
    debugSetWatchpoints: (guest, list) => engine.call('debugSetWatchpoints', guest, list),
    debugSetTrapBreaks: (guest, causes) => engine.call('debugSetTrapBreaks', guest, causes),
    debugMachine: (paused) => engine.call('debugMachine', paused),
    async debugDeploy(guest, name, source, stopOnEntry) {
      const r = await engine.call('debugDeploy', guest, name, source, stopOnEntry);
      if (r.ok && r.written) {
        const name = (await engine.call('status')).guests.find((g) => g.id === guest)?.name ?? `guest ${guest}`;
        log({
          guest,
          guestName: name,
          kind: 'deployed',
          detail: `${r.written}${stopOnEntry ? ', debug from start' : ''}`,
        });
      }
      return r;
    },
    ctl: (command) => engine.call('ctl', command),
    ownership: () => engine.call('ownership'),
    network: () => engine.call('network'),
    messages: () => engine.call('messages'),
    async capture(): Promise<Capture> {
      const c = await engine.call('capture');
      const stamp = new Date().toISOString().replace(/[:.]/g, '-');
      return { name: `hyperdesk-${stamp}.pcap`, base64: c.base64, frames: c.frames, dropped: c.dropped };
    },
    perf: () => engine.call('perf'),
    timeline: (guest) => engine.call('timeline', guest),
    compare: (workload) => service.compareWith({ workload }),
    async compareWith(choice) {
      // A named workload, or the user's own commands (docs/architecture.md#the-comparison).
      const custom = choice.cos !== undefined || choice.swos !== undefined;
      if (custom && (choice.cos === undefined || choice.swos === undefined || choice.workload !== undefined))
        throw new Error('a comparison runs a workload, or a command for cos and one for swos: give cos and swos both');
      if (custom) {
        const bad = customWorkload(choice.cos!, choice.swos!);
        if (typeof bad === 'string') throw new Error(bad);
      } else if (!WORKLOADS.some((w) => w.name === choice.workload))
        throw new Error(
          `no workload named '${choice.workload ?? ''}' (there are: ${WORKLOADS.map((w) => w.name).join(', ')})`,
        );
      // The run's name says what differs from the defaults (the interpreter, paravirtual).
      const how = [choice.engine, choice.technique]
        .filter((x) => x !== undefined && x !== 'interp' && x !== 'paravirtual')
        .join(', ');
      const workload =
        (custom ? `custom: cos '${choice.cos}', swos '${choice.swos}'` : (choice.workload as string)) +
        (how ? ` (${how})` : '');
      // One comparison at a time (docs/security.md#floods): each runs two machines flat out on a
      // worker of its own; six at once took 1.4 GB. The others are refused, not queued.
      if (comparing)
        throw new Error(`a comparison (${comparing}) is running: one at a time, try again when it has finished`);
      comparing = workload;
      let figures: Pick<ComparisonRun, 'dualboot' | 'hypervisor'>;
      const at = new Date().toISOString();
      try {
        const disks = [await ensureDisks()];
        figures = await runInWorker(choice, disks, (done, label) =>
          emit({ type: 'progress', task: 'compare', done, label }),
        );
      } finally {
        comparing = undefined;
      }
      const run = { at, workload, ...figures };
      let saved: ComparisonRun;
      try {
        saved = store ? store.addComparison(run) : { ...run, id: nextId++ };
      } catch {
        saved = { ...run, id: nextId++ };
      }
      if (!store) memoryRuns.push(saved);
      emit({ type: 'progress', task: 'compare', done: 1, label: 'done' });
      return saved;
    },
    comparisons: async () => (store ? store.comparisons() : [...memoryRuns]),
    events: async (limit) => (store ? store.events(limit) : memoryEvents.slice(-limit)),
    machines: async () => (store ? store.machines() : []),
    async saveMachine(name, config) {
      if (!store) throw new Error(`machines cannot be saved: ${storeError}`);
      // The entry's name is `name`; a `name` inside the configuration is the boot's, not stored.
      const { name: _name, ...rest } = config;
      const full: MachineConfig = { ...DEMO_MACHINE, ...rest };
      const problem = checkConfig(full);
      if (problem) throw new Error(`machine '${name}': ${problem}`);
      return store.saveMachine(name, full);
    },
    async deleteMachine(name) {
      if (!store) throw new Error(`machines cannot be deleted: ${storeError}`);
      if (!store.deleteMachine(name)) throw new Error(`no saved machine named '${name}'`);
    },
    disks: () => working.list(),
    async resetDisk(name) {
      // A machine running from the disk has it open: power off, copy, boot the same machine again.
      const before = await engine.call('status');
      const open = before.state !== 'off';
      const inUse =
        open && before.config?.disks.some((d) => working.isWorkingDisk(d, name)) ? before.config : undefined;
      if (inUse) await service.powerOff();
      const disk = await working.reset(name);
      log({ guest: null, guestName: 'machine', kind: 'disk-reset', detail: `${disk.path} from ${disk.builtImage}` });
      if (inUse) await service.boot(inUse);
      return disk;
    },
    // Disk images in the data folder (docs/disks.md#disks-in-the-app): imageCalls.ts.
    ...imageCalls({
      library: new ImageLibrary(disksFolder(folder), join(disksFolder(folder), basename(DEFAULT_IMAGE))),
      working,
      demo: join(disksFolder(folder), basename(DEFAULT_IMAGE)),
      status: () => engine.call('status'),
      machines: () => store?.machines() ?? [],
      saveMachine: store ? (name, config) => store.saveMachine(name, config) : `${storeError}`,
      snapshots,
      guests: {
        listFiles: (guest) => service.listFiles(guest),
        readFile: (guest, name) => service.readFile(guest, name),
        writeFile: (guest, name, text) => service.writeFile(guest, name, text),
      },
      log: (kind, detail) => log({ guest: null, guestName: 'disks', kind, detail }),
    }),
    async snapshotSave(name) {
      if (snapshots().some((x) => x.name === name))
        throw new Error(`a snapshot named '${name}' exists already (remove it first)`);
      emit({ type: 'progress', task: 'snapshot', done: 0, label: `saving ${name}` });
      const r = await engine.call('snapshotSave', name, snapshotDir);
      const info: Omit<SnapshotInfo, 'id'> = {
        name,
        machine: machineName ?? null,
        createdAt: new Date().toISOString(),
        seconds: r.seconds,
        mode: r.mode,
        file: r.file,
        bytes: r.bytes,
        parent: parentSnapshot,
        disks: r.disks,
      };
      try {
        writeFileSync(consolesFile(name), JSON.stringify(r.consoles));
      } catch {
        // Only the thumbnail and the restored consoles' text are lost; the snapshot itself is whole.
      }
      let saved: SnapshotInfo;
      try {
        saved = store ? store.addSnapshot(info) : { ...info, id: nextId++ };
      } catch (e) {
        // Without its row nothing could find the file again: it goes (its disks' overlays stay
        // until the next removal prunes them).
        rmSync(r.file, { force: true });
        rmSync(consolesFile(name), { force: true });
        throw new Error(`snapshot '${name}' not saved: ${(e as Error).message}`);
      }
      if (!store) memorySnapshots.push(saved);
      parentSnapshot = name;
      emit({ type: 'progress', task: 'snapshot', done: 1, label: `saved ${name}` });
      log({
        guest: null,
        guestName: 'machine',
        kind: 'snapshot-saved',
        detail: `${name} at ${r.seconds.toFixed(3)} s of machine time, ${r.bytes} bytes, ${Math.round(r.ms)} ms`,
      });
      return { ...saved, consoles: r.consoles, current: true };
    },
    snapshotList: async () =>
      snapshots().map((x) => ({
        ...x,
        consoles: readConsoles(consolesFile(x.name)),
        current: x.name === parentSnapshot,
      })),
    async snapshotRestore(name) {
      const snap = snapshotNamed(name);
      const status = await engine.call('snapshotRestore', snap.file, snapshotDir);
      parentSnapshot = name;
      log({
        guest: null,
        guestName: 'machine',
        kind: 'snapshot-restored',
        detail: `${name} (${snap.seconds.toFixed(3)} s of machine time)`,
      });
      return status;
    },
    async snapshotRemove(name) {
      const snap = snapshotNamed(name);
      if (store) store.removeSnapshot(name);
      else memorySnapshots.splice(memorySnapshots.indexOf(snap), 1);
      rmSync(snap.file, { force: true });
      rmSync(consolesFile(name), { force: true });
      const removed = pruneOverlays(
        snapshotDir,
        snapshots().flatMap((x) => x.disks),
      );
      if (parentSnapshot === name) parentSnapshot = null;
      log({
        guest: null,
        guestName: 'machine',
        kind: 'snapshot-removed',
        detail: `${name}${removed.length ? ` and ${removed.length} overlay file(s) nothing needs` : ''}`,
      });
    },
    async recordStart(name) {
      if (recordings.has(name)) throw new Error(`a recording named '${name}' exists already`);
      const r = await engine.call('recordStart', name, recordings.dir);
      log({
        guest: null,
        guestName: 'machine',
        kind: 'record-started',
        detail: `${name} at ${r.seconds.toFixed(3)} s (pCPUs on one thread)`,
      });
      return r;
    },
    async recordStop() {
      const rec = await engine.call('recordStop');
      const summary = recordings.keep(rec);
      log({
        guest: null,
        guestName: 'machine',
        kind: 'record-stopped',
        detail: `${summary.name}: ${summary.seconds.toFixed(3)} s, ${summary.inputs} inputs, ${summary.bytes} bytes`,
      });
      return summary;
    },
    recordings: async () => recordings.list(),
    async replay(name) {
      const rec = recordings.load(name);
      emit({ type: 'progress', task: 'replay', done: 0, label: `replaying ${name}` });
      try {
        return await engine.call('replay', rec);
      } finally {
        emit({ type: 'progress', task: 'replay', done: 1, label: `replayed ${name}` });
      }
    },
    seek: (seconds) => engine.call('seek', seconds),
    seekTo: (guest, vcpu, retired, pc) =>
      engine.call('seekTo', { guest, vcpu, retired, ...(typeof pc === 'number' ? { pc } : {}) }),
    reverseStep: (guest, vcpu, kind) => engine.call('reverseStep', guest, vcpu, kind ?? 'instruction'),
    forwardStep: (guest, vcpu, kind) => engine.call('forwardStep', guest, vcpu, kind ?? 'instruction'),
    async reverseContinue(guest, addresses) {
      const list = addresses
        .split(',')
        .map((a) => a.trim())
        .filter((a) => a !== '');
      // No addresses: only the guest's watchpoints (the engine says so when it has none either).
      const nums = list.map((a) => Number(a));
      const bad = list.findIndex((_, i) => !Number.isInteger(nums[i]) || nums[i]! < 0 || nums[i]! > 0xffffffff);
      if (bad >= 0) throw new Error(`reverseContinue(): '${list[bad]}' is not an address`);
      return engine.call('reverseContinue', guest, nums);
    },
  };
  return service;
}

/** The file beside a snapshot that holds its consoles (docs/snapshots.md#consoles). */
const CONSOLES_EXT = '.consoles.json';

/** A snapshot's consoles, or none when the file is missing or not a list of consoles. */
function readConsoles(file: string): SnapshotConsole[] {
  let x: unknown;
  try {
    x = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return [];
  }
  if (!Array.isArray(x)) return [];
  return x.filter(
    (c): c is SnapshotConsole =>
      typeof c === 'object' &&
      c !== null &&
      Number.isInteger(c.guest) &&
      typeof c.name === 'string' &&
      typeof c.tail === 'string',
  );
}

/** Runs one comparison on its own worker thread; rejects with the runner's message. */
function runInWorker(
  choice: CompareChoice,
  disks: string[],
  progress: (done: number, label: string) => void,
): Promise<Pick<ComparisonRun, 'dualboot' | 'hypervisor'>> {
  return new Promise((resolve, reject) => {
    const w = new Worker(workerUrl('compare'), { workerData: { entry: 'compare', choice, disks } });
    let settled = false;
    w.on('message', (m: { progress?: number; label?: string; result?: ComparisonRun; error?: string }) => {
      if (m.progress !== undefined) progress(m.progress, m.label ?? '');
      else if (m.result) {
        settled = true;
        resolve({ dualboot: m.result.dualboot, hypervisor: m.result.hypervisor });
      } else if (m.error !== undefined) {
        settled = true;
        reject(new Error(m.error));
      }
    });
    w.on('error', (e) => {
      if (!settled) reject(e);
      settled = true;
    });
    w.on('exit', (code) => {
      if (!settled) reject(new Error(`the comparison stopped (exit code ${code})`));
      settled = true;
    });
  });
}
