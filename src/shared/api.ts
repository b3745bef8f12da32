/**
 * The host API: what the UI may ask of the app, and the events it is told. Defined once here (types
 * plus one table of argument checks, `API_ARGS`) and implemented once in src/main/host. The Electron
 * shell carries calls over IPC (one `ipcMain.handle` per method, one named preload method per call)
 * and events over `hyperdesk:event`; the web mode carries calls over HTTP (`POST /api/<method>`, a
 * JSON array of arguments in, a JSON value out) and events over a WebSocket (`/api/events`: JSON
 * text, console output as binary frames, consoleFrame.ts).
 *
 * Guests are named by partition id: 0 is the Controlling OS in hypervisor mode, and the one OS of
 * the machine in dual-boot mode. Errors a user can cause (a bad command, a file that is not there)
 * come back as values (`ok: false` with a message) where the call has a result type for them, and
 * as a rejected promise with a clear message otherwise; they never stop the machine.
 */
import type { DebugApi, DebugEvent, StepKind } from './debugApi.js';
import { guestFileNameProblem } from './guestFileNames.js';

/** Which face the UI is talking to. */
export type HostMode = 'electron' | 'web';

export interface HostInfo {
  /** Product name: `hyperdesk`. */
  name: string;
  /** The app's version (package.json). */
  version: string;
  /** Size of the instruction set, counted from the opcode table in src/shared/isa. */
  isa: { opcodes: number; csrs: number };
  mode: HostMode;
  /** Where the app keeps its SQLite store, and why it is not in use if it is not. */
  store: { path: string; error?: string };
  /** The workloads `compare` knows. */
  workloads: string[];
  /** What each workload runs, in a sentence (the Compare view explains the one picked). */
  workloadTitles?: Record<string, string>;
  /** The assembler's directives and pseudo-instructions, for the editor (they live in src/main/asm). */
  asm: { directives: AsmWord[]; pseudos: AsmWord[] };
}

/** A word of the assembly language beyond the opcode table, documented for the editor. */
export interface AsmWord {
  name: string;
  syntax: string;
  doc: string;
}

// ---------------------------------------------------------------------------------------------
// The machine

/** Dual boot: one OS owns the machine. Hypervisor: ctl and its clients run concurrently. */
export type MachineMode = 'dualboot' | 'hypervisor';
/** How guest code is executed: the reference interpreter or the block translator (issue 6). */
export type EngineKind = 'interp' | 'jit';

export interface MachineConfig {
  mode: MachineMode;
  /** Number of pCPUs, 1..8. */
  cpus: number;
  /** Memory in MiB, 4..1024. */
  memMiB: number;
  /**
   * Disk image paths; empty means the app's working copy of the demo image (docs/disks.md#working-disks:
   * `<data folder>/disks/hyperdesk.img`, copied from the built disks/hyperdesk.img when missing).
   */
  disks: string[];
  /**
   * Network cards on the board, 0..4 (default 1): nic0, nic1, ... under `netctl` (M18: "one device
   * per partition" with real devices; docs/devices.md).
   */
  nics?: number;
  /** Dual boot: the OS the loader boots (`cos`, `swos`, `ctl`). Ignored in hypervisor mode. */
  boot?: string;
  engine?: EngineKind;
  /**
   * Hypervisor mode: run each pCPU on a thread of its own (docs/architecture.md#parallel-smp), faster
   * with several busy pCPUs but not deterministic. Default false: every pCPU on the engine's thread.
   */
  threads?: boolean;
  /**
   * The saved machine this configuration boots (the Machines view's entry, docs/app.md#layout): the
   * host saves the boot under this name and the top bar shows it. Absent: `demo` in hypervisor mode,
   * `dual boot OS` in dual boot.
   */
  name?: string;
}

export type GuestState = 'created' | 'running' | 'stopped' | 'faulted' | 'swapped' | 'halted';

export interface GuestInfo {
  id: number;
  name: string;
  state: GuestState;
  memBytes: number;
  vcpus: number;
  engine: EngineKind;
  /** How the hypervisor virtualizes it (hypervisor mode; ctl's `technique` command changes it). */
  technique?: 'paravirtual' | 'hardware' | 'trap-emulate';
  /** The disk partition it boots from (1-based), 0 if none: where the editor finds its files. */
  bootPartition: number;
}

export interface MachineStatus {
  state: 'off' | 'booting' | 'running' | 'failed';
  config?: MachineConfig;
  guests: GuestInfo[];
  /** Machine time in seconds (cycles / timebase). */
  seconds: number;
  /** Why the machine failed to boot or stopped, in words. */
  error?: string;
  /** Present while the machine is a replay of a recording (docs/recording.md#the-scrubber). */
  replay?: ReplayStatus;
}

/**
 * A replay as the app's scrubber shows it: the recording's span in machine time, where checkpoints
 * and inputs fall (each list at most REPLAY_MARKS entries: nearby ones are merged), and whether
 * every checkpoint has been verified (seek works only then).
 */
export interface ReplayStatus {
  name: string;
  startSeconds: number;
  endSeconds: number;
  verified: boolean;
  /** Why the replay stopped verifying (it diverged from the recording), in words. */
  error?: string;
  checkpoints: number[];
  /** `what`: `keys to cos (5)`, `disk 0 write`, `debugPause` ...; `count` merged inputs. */
  inputs: { seconds: number; what: string; count: number }[];
}

/** At most this many checkpoint marks and input marks in a ReplayStatus. */
export const REPLAY_MARKS = 300;

// ---------------------------------------------------------------------------------------------
// Editor

export interface Diagnostic {
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based. */
  col: number;
  /** 1-based, exclusive; absent: to the end of the word at `col`. */
  endCol?: number;
  severity: 'error' | 'warning';
  message: string;
}

export interface AssembleResult {
  ok: boolean;
  diagnostics: Diagnostic[];
  /** Size of the program image, when ok. */
  bytes?: number;
}

export interface DeployResult extends AssembleResult {
  /** Where the program was written (`disks/hyperdesk.img:1 hello`), when ok. */
  written?: string;
  /** The guest was rebooted (it is not when assembly failed: then nothing is written). */
  rebooted: boolean;
  /** Why writing or rebooting failed, in words. */
  error?: string;
}

export interface GuestFile {
  /** The file's name in the guest's file system. */
  name: string;
  size: number;
  /** `source` files (`.s`, `.inc`) open in the editor with our language; `text` as plain text. */
  kind: 'source' | 'text' | 'binary';
}

// ---------------------------------------------------------------------------------------------
// Controlling-OS panel

/** The answer to one command sent to ctl over its management channel (docs/guests.md). */
export interface CtlReply {
  ok: boolean;
  /** The answer's lines without the tag. */
  lines: string[];
  /** `ENOENT`, `EINVAL` ... and ctl's message, when not ok. */
  error?: { name: string; message: string };
}

/**
 * What a client's virtualization technique cost so far, counted by the hypervisor since it was
 * created (M7; docs/hypercalls.md#virtualization-techniques). Every field counts for every technique;
 * the ones that tell the techniques apart are `emulated` and `shadowBuilds` (trap-and-emulate only:
 * zero otherwise) against `exits` (what hardware assist and paravirtualization still take).
 */
export interface TechniqueCounters {
  technique: 'paravirtual' | 'hardware' | 'trap-emulate';
  /** Exits to the hypervisor: hypercalls, MMIO accesses and faults it handled. */
  exits: number;
  hypercalls: number;
  mmioExits: number;
  /** Trap-and-emulate: privileged instructions the hypervisor emulated. */
  emulated: number;
  /** Trap-and-emulate: shadow page tables built (at start, on a ptbr write, on tlbflush). */
  shadowBuilds: number;
  /** Trap-and-emulate: faults handed back to the guest's own handler (its own page faults). */
  reflected: number;
}

/** Who owns what, read-only from the hypervisor (owner = partition id; null = the hypervisor). */
export interface Ownership {
  /**
   * `counters`: a client's technique and its counts (absent for ctl, which is not virtualized).
   * `idleSeconds`: a running client's machine time since its last activity (part_idle, M17: what
   * ctl's `swap auto` swaps out by; docs/hypercalls.md#idle-time-and-input-while-swapped).
   */
  partitions: { id: number; name: string; state: GuestState; counters?: TechniqueCounters; idleSeconds?: number }[];
  cpus: { index: number; running: number | null; pinned: number[] }[];
  memory: { base: number; size: number; owner: number | null; what: string }[];
  devices: {
    id: string;
    name: string;
    kind: string;
    base: number;
    size: number;
    owner: number | null;
    parent?: string;
  }[];
  totalBytes: number;
  /** M24: the preferred guest (absent: none), and how many hypervisor crashes were recovered from. */
  preferred?: number;
  recoveries?: number;
  /** M23: fault-tolerant pairs and the last takeover (docs/fault-tolerance.md; absent: none). */
  ft?: FtView;
}

/** A client and its backup (M23, docs/fault-tolerance.md#ft_query). */
export interface FtPairView {
  primary: number;
  backup: number;
  backupName: string;
  /** The backup's pCPU. */
  pcpu: number;
  /** Epochs the backup has; instructions the primary retired since the last one (the lag). */
  epoch: number;
  lagInstructions: number;
  /** Output of the open epoch, held until the backup has it. */
  heldBytes: number;
  heldFrames: number;
  heldBlocks: number;
  /** Pages copied to the backup at the last epoch, and in all. */
  lastDirtyPages: number;
  pagesCopied: number;
}

export interface FtView {
  pairs: FtPairView[];
  /** The last takeover: who, from which epoch, on which pCPU, and how long it took (null: not yet run). */
  lastTakeover?: {
    id: number;
    name: string;
    epoch: number;
    pcpu: number;
    cycles: number | null;
    replayedBytes: number;
    replayedFrames: number;
    discardedBytes: number;
    /** Wall milliseconds the emulator took from the failure to the backup's first instruction (the app's host measures it). */
    wallMs?: number;
  };
}

// ---------------------------------------------------------------------------------------------
// Network and performance

export interface NetPort {
  port: number;
  guest: number;
  guestName: string;
  mac: string;
  rxFrames: number;
  rxBytes: number;
  txFrames: number;
  txBytes: number;
  drops: number;
}

export interface NetworkView {
  ports: NetPort[];
  /** The bridge's learned table. */
  macs: { mac: string; port: number }[];
  frames: number;
  flooded: number;
  filtered: number;
  /** Frames held in the capture buffer. */
  captured: number;
  /** Frames the bounded capture ring let go (the oldest first; docs/security.md#floods). */
  captureDropped: number;
}

/**
 * One message between partitions (M19), from the hypervisor's event log
 * (docs/hypercalls.md#the-message-log): the Network view's message sequence.
 */
export interface MessageRow {
  /** Machine time of the send, call or reply, in seconds. */
  seconds: number;
  from: number;
  fromName: string;
  to: number;
  toName: string;
  /** send: asynchronous; call: synchronous (the sender waits); reply: the answer to a call. */
  op: 'send' | 'call' | 'reply';
  bytes: number;
  /** The first bytes, printable ASCII. */
  text: string;
  /** The hypervisor refused it: its error and reason (`ENOENT: no partition 9`). */
  error?: string;
  /** For a call: machine time until its reply, in seconds (absent while it waits, or when none came). */
  replySeconds?: number;
  /** The same message again this many times in a row. */
  repeat?: number;
}

export interface MessagesView {
  /** The newest messages, oldest first (at most MAX_MESSAGE_ROWS). */
  rows: MessageRow[];
  /** Messages the log still holds beyond those rows, and events the bounded log let go. */
  older: number;
  eventsDropped: number;
  /** Partitions that exist, for the lifelines. */
  partitions: { id: number; name: string }[];
}

export const MAX_MESSAGE_ROWS = 200;

export interface Capture {
  /** A suggested file name: `hyperdesk-<date>.pcap`. */
  name: string;
  /** The pcap file, base64. */
  base64: string;
  frames: number;
  /** Older frames the bounded capture ring had already let go. */
  dropped: number;
}

export interface GuestPerf {
  id: number;
  name: string;
  mips: number;
  /** 0..1 of all pCPU time in the sample. */
  cpuShare: number;
  /**
   * 0..1 of all pCPU time in the sample that the hypervisor's work for this guest took
   * (docs/hypercalls.md#what-the-hypervisor-costs); absent in dual boot.
   */
  hvShare?: number;
  trapsPerSec: number;
  irqsPerSec: number;
  hypercallsPerSec: number;
  /** Trap-and-emulate's emulated instructions and shadow builds per second (M7; absent for ctl). */
  emulatedPerSec?: number;
  shadowBuildsPerSec?: number;
  /** The client's technique and its counts at the end of the sample (absent for ctl). */
  counters?: TechniqueCounters;
}

export interface PerfSample {
  /** Wall clock, ms since the epoch. */
  wall: number;
  /** Machine time, seconds. */
  seconds: number;
  guests: GuestPerf[];
}

export interface TimelineEntry {
  /** Machine time in seconds. */
  seconds: number;
  kind: 'trap' | 'interrupt' | 'hypercall';
  /** e.g. `hypercall CONSOLE_WRITE`, `interrupt uart`, `trap page fault @0x1000`. */
  detail: string;
}

// ---------------------------------------------------------------------------------------------
// Dual boot vs hypervisor, and the store

export interface RunFigures {
  /** Machine seconds until every job had finished. */
  seconds: number;
  /** Jobs finished per machine second. */
  jobsPerSecond: number;
  instructions: number;
  reboots: number;
  /** 0..1: busy pCPU time over all pCPU time. */
  utilisation: number;
  /**
   * 0..1: pCPU time spent on the hypervisor's own work over all pCPU time (docs/hypercalls.md#what-the-hypervisor-costs);
   * 0 in dual boot. Absent in runs stored before the hypervisor's work was charged.
   */
  hypervisorShare?: number;
}

/** What a comparison runs (HostApi.compareWith): `workload`, or both `cos` and `swos`. */
export interface CompareChoice {
  /** A workload the app offers (`info().workloads`). */
  workload?: string;
  /** The user's own commands, typed at cos's and swos's prompts; each job ends at the next prompt. */
  cos?: string;
  swos?: string;
  /** The pCPUs' engine in both runs (the figures are machine time: the same for both engines). */
  engine?: 'interp' | 'jit';
  /** How the hypervisor run virtualizes cos and swos (M7; default paravirtual). */
  technique?: 'paravirtual' | 'hardware' | 'trap-emulate';
}

export interface ComparisonRun {
  id: number;
  /** ISO time the run started. */
  at: string;
  workload: string;
  dualboot: RunFigures;
  hypervisor: RunFigures;
}

export interface LogEvent {
  id: number;
  /** ISO time. */
  at: string;
  guest: number | null;
  guestName: string;
  /** created, started, stopped, faulted, restarted, destroyed, device-moved, swapped, booted ... */
  kind: string;
  detail: string;
}

/** A working disk: the app's own copy, in its data folder, of a built image (docs/disks.md#working-disks). */
export interface WorkingDisk {
  /** File name, e.g. `hyperdesk.img`. */
  name: string;
  /** The copy the machine runs from. */
  path: string;
  /** The built image it is a copy of (the repository's disks/hyperdesk.img). */
  builtImage: string;
  /** ISO time the copy was made (absent for a copy the app did not make). */
  copiedAt?: string;
  /** The built image was rebuilt after the copy was made: the copy has older guests. */
  outdated: boolean;
}

export interface SavedMachine {
  id: number;
  name: string;
  config: MachineConfig;
  updatedAt: string;
}

/**
 * A partition of a disk image in the data folder's disks/ (docs/disks.md#disks-in-the-app), as the
 * Disks view shows it: the table entry, the OS image a bootable one starts with, its file system.
 */
export interface ImagePartition {
  /** 1-based (`IMAGE:n`). */
  number: number;
  type: 'cfs' | 'sfs' | 'raw';
  name: string;
  first: number;
  blocks: number;
  bootable: boolean;
  /** The OS image's name (`cos 0.1`) of a bootable partition whose header checks. */
  os?: string;
  /** The file system, when one opens (cfs or sfs partitions after mkfs). */
  fs?: { kind: 'cfs' | 'sfs'; files: number; freeBlocks: number; warnings: string[] };
  /** Why the OS image or the file system does not open (`partition 2: sfs: superblock ...`). */
  problem?: string;
}

/** A disk image file in the data folder's disks/ folder (images()). */
export interface ImageInfo {
  /** The file name (`lab.img`): how every image call names it. */
  name: string;
  path: string;
  bytes: number;
  /** Blocks the partition table describes (its disk size field). */
  blocks: number;
  partitions: ImagePartition[];
  /** Unused runs of blocks (block 0 is the table), where a new partition fits. */
  free: { first: number; blocks: number }[];
  /** Why the partition table does not open (nothing below it is shown). */
  problem?: string;
  /** Saved machines whose disks list it (a machine with no disks uses the demo working copy). */
  usedBy: string[];
  /** Disk index in the running machine, when it runs from this image. */
  runningDisk?: number;
  /** Snapshots that go on from this file (writing it would strand them: docs/disks.md#copy-on-write-disks). */
  snapshots: string[];
  /** Set for the working copy of a built image: `resetDisk(name)` makes it fresh. */
  working?: WorkingDisk;
}

/** The files of one partition of an image (imageFiles). */
export interface ImageFiles {
  image: string;
  partition: number;
  kind: 'cfs' | 'sfs';
  files: GuestFile[];
  /** Blocks no file uses (absent when read through a running guest). */
  freeBlocks?: number;
  /** What fsck would report (the sound files still read; writes may be refused). */
  warnings: string[];
  /**
   * Set when the image runs: the files were read through the running guest that boots from this
   * partition (`cos`), and reads and writes go through it (the guest-file calls).
   */
  via?: { guest: number; name: string };
}

/** A new partition: `start` absent means the first free run that holds it (4 KiB aligned). */
export interface NewImagePartition {
  type: 'cfs' | 'sfs' | 'raw';
  blocks: number;
  name: string;
  start?: number;
  bootable?: boolean;
}

/** A saved whole-machine snapshot (docs/snapshots.md). */
export interface SnapshotInfo {
  id: number;
  /** Unique: 1..64 of A-Z a-z 0-9 _ . - starting with a letter or digit. */
  name: string;
  /** The saved machine it was taken of (`demo`, `dual boot cos`), or null when unknown. */
  machine: string | null;
  /** ISO time it was taken. */
  createdAt: string;
  /** Machine time at the snapshot, seconds. */
  seconds: number;
  mode: MachineMode;
  /** The snapshot file in the data folder, and its size. */
  file: string;
  bytes: number;
  /** The snapshot the machine had last been saved as or restored from when this one was taken. */
  parent: string | null;
  /** Each disk's frozen file, which a restore goes on from. */
  disks: string[];
  /**
   * The end of each guest's console when it was taken (the last ~4 KB, from a line start): the
   * Snapshots view's thumbnail, and what a restore writes back into the consoles. Absent for
   * snapshots taken before consoles were recorded.
   */
  consoles?: SnapshotConsole[];
  /** True for the snapshot the running machine was last saved as or restored from ("you are here"). */
  current?: boolean;
}

/** One guest's console at a snapshot (docs/snapshots.md#consoles). */
export interface SnapshotConsole {
  guest: number;
  name: string;
  /** The console's last bytes, as the terminal got them (escape sequences included). */
  tail: string;
}

/** A recording of the machine (docs/recording.md), as recordings() lists it. */
export interface RecordingSummary {
  name: string;
  createdAt: string;
  mode: MachineMode;
  /** Machine time covered, seconds (from its start checkpoint to its end), and where it starts. */
  seconds: number;
  startSeconds: number;
  /** Inputs logged (keys, disk writes, ...) and checkpoints. */
  inputs: number;
  checkpoints: number;
  /** Bytes of the stored (compressed) log. */
  bytes: number;
}

/** What a replay verified: every checkpoint's state hash, the consoles' bytes and the bridge's frames. */
export interface ReplayReport {
  name: string;
  verified: boolean;
  checkpoints: number;
  startSeconds: number;
  endSeconds: number;
  /** Console bytes compared, by guest id. */
  consoleBytes: Record<string, number>;
  frames: number;
}

/** Where a replay stands after seek or a reverse command; `stop` when at a vCPU's exact instruction. */
export interface ReplayPosition {
  seconds: number;
  stop?: import('./debugApi.js').DebugStop;
}

/** The pattern of a snapshot's name (file-name safe). */
export const SNAPSHOT_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

// ---------------------------------------------------------------------------------------------
// Events

export type HostEvent =
  /**
   * Console bytes of one guest, batched per tick. `end` counts all bytes so far (see consoleHistory).
   * `reset`: `data` is the console's whole content, to show instead of what is shown (a replay
   * moved to another moment: docs/recording.md#the-scrubber).
   */
  | { type: 'console'; guest: number; data: string; end: number; reset?: true }
  | { type: 'status'; status: MachineStatus }
  | { type: 'perf'; sample: PerfSample }
  | { type: 'log'; event: LogEvent }
  /** Progress of a long action (`compare`, `boot`), 0..1. */
  | { type: 'progress'; task: string; done: number; label: string }
  /** A guest stopped under the debugger, or went on (docs/debugger.md). */
  | DebugEvent;

/** The host API; the debugger's calls (DebugApi, src/shared/debugApi.ts) are part of it. */
export interface HostApi extends DebugApi {
  /** What this app is and which instruction set it emulates. */
  info(): Promise<HostInfo>;

  status(): Promise<MachineStatus>;
  /** Powers off what runs and boots a machine (the demo when config is empty). */
  boot(config: Partial<MachineConfig>): Promise<MachineStatus>;
  powerOff(): Promise<MachineStatus>;

  /**
   * How the emulator runs a guest's code (interpreter or block translator); both give the same
   * machine state. In dual boot the guest is the machine. Takes effect at the guest's next slice.
   */
  setEngine(guest: number, engine: EngineKind): Promise<MachineStatus>;

  /** Keys typed into a guest's console. */
  consoleInput(guest: number, data: string): Promise<void>;
  /** A guest's console so far (bounded), and the byte count it ends at. */
  consoleHistory(guest: number): Promise<{ data: string; end: number }>;

  /** Files of the guest's boot partition. */
  listFiles(guest: number): Promise<GuestFile[]>;
  readFile(guest: number, name: string): Promise<string>;
  /**
   * Saves a text file (source or text; not a program image) into the guest's file system, without
   * a reboot; `written` says where (`<disk>:<partition> <name>`).
   */
  writeFile(guest: number, name: string, text: string): Promise<{ written: string }>;
  /** Assembles a source (diagnostics only; nothing is written). */
  assemble(file: string, source: string): Promise<AssembleResult>;
  /** Assembles, writes the source and the program into the guest's file system, reboots that guest. */
  deploy(guest: number, name: string, source: string): Promise<DeployResult>;

  /** One command to ctl over its management channel (hypervisor mode). */
  ctl(command: string): Promise<CtlReply>;
  ownership(): Promise<Ownership>;

  network(): Promise<NetworkView>;
  capture(): Promise<Capture>;
  /** Messages between partitions, newest last (M19: the Network view's sequence). */
  messages(): Promise<MessagesView>;

  /** The recent performance samples (about a minute). */
  perf(): Promise<PerfSample[]>;
  /** The guest's recent traps, interrupts and hypercalls, newest last. */
  timeline(guest: number): Promise<TimelineEntry[]>;

  /** Runs a workload in dual-boot and in hypervisor mode (on fresh machines) and stores the figures. */
  compare(workload: string): Promise<ComparisonRun>;
  /**
   * The same, with the user's choices (issue 16): a named workload or their own commands for cos
   * and swos (programs on the disk: `run NAME`, or any command), the engine, the technique.
   */
  compareWith(choice: CompareChoice): Promise<ComparisonRun>;
  comparisons(): Promise<ComparisonRun[]>;
  events(limit: number): Promise<LogEvent[]>;
  machines(): Promise<SavedMachine[]>;
  /** Saves a machine under `name` (replacing one of that name); missing settings are the demo's. */
  saveMachine(name: string, config: Partial<MachineConfig>): Promise<SavedMachine>;
  /** Deletes the saved machine `name` (and its partition tables). */
  deleteMachine(name: string): Promise<void>;

  /** The app's working disks (copies of built images in the data folder). */
  disks(): Promise<WorkingDisk[]>;
  /**
   * Replaces a working disk with a fresh copy of its built image; a machine running from it is
   * powered off first and booted again afterwards.
   */
  resetDisk(name: string): Promise<WorkingDisk>;

  /**
   * Disk images in the data folder's disks/ folder (docs/disks.md#disks-in-the-app), named by file
   * name. The same work as `hyperdesk disk ...` (src/main/disk/imageOps.ts). An image the running
   * machine uses is changed only through its guests: its files through the guest that boots from
   * the partition (the guest-file calls), and nothing else until it is powered off.
   */
  images(): Promise<ImageInfo[]>;
  /** A new image of `size` (`16M`, `512K`, bytes) with an empty partition table; never overwrites. */
  imageCreate(name: string, size: string): Promise<ImageInfo>;
  /** Copies a host file into the data folder as `name`, after checking it is a disk image. */
  imageImport(hostPath: string, name: string): Promise<ImageInfo>;
  /** Deletes an image; refused while a saved machine lists it, the machine runs from it, or a snapshot needs it. */
  imageDelete(name: string): Promise<void>;
  imagePartitionAdd(name: string, partition: NewImagePartition): Promise<ImageInfo>;
  /** Removes partition `number`; later ones move up one number; the blocks are left as they are. */
  imagePartitionRemove(name: string, number: number): Promise<ImageInfo>;
  /** An empty file system of the partition's type (cfs or sfs) over it. */
  imageMkfs(name: string, partition: number, label: string): Promise<ImageInfo>;
  imageFiles(name: string, partition: number): Promise<ImageFiles>;
  imageReadFile(name: string, partition: number, file: string): Promise<string>;
  /** Saves a text file; `written` says where (`lab.img:1 notes.txt`). */
  imageWriteFile(name: string, partition: number, file: string, text: string): Promise<{ written: string }>;
  imageDeleteFile(name: string, partition: number, file: string): Promise<void>;
  /** Adds the image to a saved machine's disks (a machine with none keeps the demo disk as disk 0). */
  machineAttach(machine: string, image: string): Promise<SavedMachine>;
  machineDetach(machine: string, image: string): Promise<SavedMachine>;

  /**
   * Whole-machine snapshots (docs/snapshots.md): save the running machine (paused between two
   * ticks) with its disks frozen copy-on-write; list; restore (all or nothing: a damaged file or
   * one of another machine changes nothing); remove (its file, and the overlays no one needs).
   */
  snapshotSave(name: string): Promise<SnapshotInfo>;
  snapshotList(): Promise<SnapshotInfo[]>;
  snapshotRestore(name: string): Promise<MachineStatus>;
  snapshotRemove(name: string): Promise<void>;

  /**
   * Record, replay, reverse (docs/recording.md). recordStart records the running machine (pCPUs on
   * one thread) from a snapshot of it now; recordStop keeps the log in the store. replay(name)
   * powers the recording's start on in place of what runs and answers once every checkpoint matched
   * (or with where it did not). seek, seekTo, reverseStep and reverseContinue move the replay;
   * `addresses` are guest-virtual pcs, `0x...` or decimal, separated by commas.
   */
  recordStart(name: string): Promise<{ name: string; seconds: number; threads: false }>;
  recordStop(): Promise<RecordingSummary>;
  recordings(): Promise<RecordingSummary[]>;
  replay(name: string): Promise<ReplayReport>;
  seek(seconds: number): Promise<ReplayPosition>;
  /** With `pc`, the first moment at that count and pc (a debugger's stop: docs/recording.md#points). */
  seekTo(guest: number, vcpu: number, retired: number, pc?: number): Promise<ReplayPosition>;
  /**
   * One instruction back (`kind` 'instruction', the default), back over a whole call to the
   * previous instruction of this frame ('over'), or back to the call that entered this function
   * ('out'): docs/recording.md#seek-and-reverse.
   */
  reverseStep(guest: number, vcpu: number, kind?: StepKind): Promise<ReplayPosition>;
  /** reverseStep's mirror: the next instruction in the vCPU's mode (handlers run through), over a call, or out. */
  forwardStep(guest: number, vcpu: number, kind?: StepKind): Promise<ReplayPosition>;
  reverseContinue(guest: number, addresses: string): Promise<ReplayPosition>;
}

/** In the main process: the host's events, which the faces forward to the page. */
export interface HostEventSource {
  /** Calls the listener with every event from now on; returns the unsubscribe function. */
  subscribe(listener: (e: HostEvent) => void): () => void;
}

/** The host as the faces hold it: the API, its events, and shutting it down. */
export type HostService = HostApi & HostEventSource & { close(): Promise<void> };

/** What the page holds: the API plus a way to listen to events. */
export interface HostClient extends HostApi {
  /** Calls the listener with every event from now on; returns the unsubscribe function. */
  onEvent(listener: (e: HostEvent) => void): () => void;
}

/** The name of one host API call. */
export type HostMethod = keyof HostApi;

/** The IPC channel that carries one host API call in the Electron shell. */
export type HostChannel = `hyperdesk:${HostMethod}`;
/** The IPC channel that carries HostEvents to the window. */
export const EVENT_CHANNEL = 'hyperdesk:event';

/** How one argument is checked. */
export type ArgSpec =
  /** `optional`: a last argument the caller may leave out (or pass as undefined or null). */
  | { kind: 'int'; name: string; min: number; max: number; optional?: boolean }
  | {
      kind: 'string';
      name: string;
      maxLength: number;
      pattern?: RegExp;
      /** As an int's: a last argument the caller may leave out. */
      optional?: boolean;
      /** A check past the pattern: why the value is refused, or undefined. */
      check?: (value: string) => string | undefined;
    }
  | { kind: 'bool'; name: string }
  /** A list, each element checked by `item` (the debugger's breakpoint and watchpoint lists). */
  | { kind: 'list'; name: string; maxItems: number; item: ArgSpec }
  /** A plain object with only these keys, each checked by its spec; `optional` ones may be absent. */
  | { kind: 'object'; name: string; fields: readonly { key: string; spec: ArgSpec; optional?: boolean }[] }
  | { kind: 'config'; name: string }
  | { kind: 'number'; name: string; min: number; max: number };

const guestArg: ArgSpec = { kind: 'int', name: 'guest', min: 0, max: 0xffff };
/**
 * A file name in a guest's file system (cfs and sfs names are short, no slashes), and none of the
 * names that mean something else where guest files go (`..`, `CON`: docs/disks.md#file-names).
 */
const fileName: ArgSpec = {
  kind: 'string',
  name: 'name',
  maxLength: 64,
  pattern: /^[A-Za-z0-9_.-]+$/,
  check: guestFileNameProblem,
};

/** A saved machine's name: 1..100 characters, no line breaks, not starting or ending with a space. */
const machineName: ArgSpec = { kind: 'string', name: 'name', maxLength: 100, pattern: /^[^\s](?:[^\r\n]*[^\s])?$/ };
/** An image in the data folder's disks/: a file name ending in .img (docs/disks.md#disks-in-the-app). */
const imageName: ArgSpec = {
  kind: 'string',
  name: 'image',
  maxLength: 64,
  pattern: /^[A-Za-z0-9][A-Za-z0-9_.-]{0,59}\.img$/,
};
const partNumber: ArgSpec = { kind: 'int', name: 'partition', min: 1, max: 8 };
const imageFile: ArgSpec = { ...fileName, name: 'file' };
const snapshotName: ArgSpec = { kind: 'string', name: 'name', maxLength: 64, pattern: SNAPSHOT_NAME_PATTERN };

// The debugger's arguments (docs/debugger.md#host-api).
const vcpuArg: ArgSpec = { kind: 'int', name: 'vcpu', min: 0, max: 255 };
const addressArg: ArgSpec = { kind: 'int', name: 'address', min: 0, max: 0xffffffff };
const spaceArg: ArgSpec = { kind: 'string', name: 'space', maxLength: 8, pattern: /^(virtual|physical)$/ };
const breakpointArg: ArgSpec = {
  kind: 'object',
  name: 'breakpoint',
  fields: [
    { key: 'address', spec: addressArg, optional: true },
    { key: 'file', spec: { ...fileName, name: 'file' }, optional: true },
    { key: 'line', spec: { kind: 'int', name: 'line', min: 1, max: 1_000_000 }, optional: true },
    {
      key: 'condition',
      spec: { kind: 'string', name: 'condition', maxLength: 100, pattern: /^[^\r\n]*$/ },
      optional: true,
    },
  ],
};
const watchpointArg: ArgSpec = {
  kind: 'object',
  name: 'watchpoint',
  fields: [
    { key: 'address', spec: addressArg },
    { key: 'length', spec: { kind: 'int', name: 'length', min: 1, max: 4096 } },
    { key: 'access', spec: { kind: 'string', name: 'access', maxLength: 9, pattern: /^(read|write|readwrite)$/ } },
    { key: 'space', spec: spaceArg },
  ],
};

/** The kind of a replay's step (reverseStep, forwardStep): as a debugger step's, and optional. */
const replayStepKind: ArgSpec = {
  kind: 'string',
  name: 'kind',
  maxLength: 11,
  pattern: /^(instruction|over|out)$/,
  optional: true,
};

/** The arguments of every call, checked by the preload, the IPC handlers and the web server alike. */
export const API_ARGS: { readonly [M in HostMethod]: readonly ArgSpec[] } = {
  info: [],
  status: [],
  boot: [{ kind: 'config', name: 'config' }],
  powerOff: [],
  setEngine: [guestArg, { kind: 'string', name: 'engine', maxLength: 6, pattern: /^(interp|jit)$/ }],
  consoleInput: [guestArg, { kind: 'string', name: 'data', maxLength: 65536 }],
  consoleHistory: [guestArg],
  listFiles: [guestArg],
  readFile: [guestArg, fileName],
  writeFile: [guestArg, fileName, { kind: 'string', name: 'text', maxLength: 1 << 20 }],
  assemble: [
    { kind: 'string', name: 'file', maxLength: 256 },
    { kind: 'string', name: 'source', maxLength: 1 << 20 },
  ],
  deploy: [guestArg, fileName, { kind: 'string', name: 'source', maxLength: 1 << 20 }],
  ctl: [{ kind: 'string', name: 'command', maxLength: 200, pattern: /^[^\r\n]*$/ }],
  ownership: [],
  network: [],
  capture: [],
  messages: [],
  perf: [],
  timeline: [guestArg],
  compare: [{ kind: 'string', name: 'workload', maxLength: 64, pattern: /^[a-z0-9-]+$/ }],
  compareWith: [
    {
      kind: 'object',
      name: 'choice',
      fields: [
        {
          key: 'workload',
          spec: { kind: 'string', name: 'workload', maxLength: 64, pattern: /^[a-z0-9-]+$/ },
          optional: true,
        },
        { key: 'cos', spec: { kind: 'string', name: 'cos', maxLength: 64, pattern: /^[\x20-\x7e]+$/ }, optional: true },
        {
          key: 'swos',
          spec: { kind: 'string', name: 'swos', maxLength: 64, pattern: /^[\x20-\x7e]+$/ },
          optional: true,
        },
        {
          key: 'engine',
          spec: { kind: 'string', name: 'engine', maxLength: 6, pattern: /^(interp|jit)$/ },
          optional: true,
        },
        {
          key: 'technique',
          spec: { kind: 'string', name: 'technique', maxLength: 12, pattern: /^(paravirtual|hardware|trap-emulate)$/ },
          optional: true,
        },
      ],
    },
  ],
  comparisons: [],
  events: [{ kind: 'int', name: 'limit', min: 1, max: 10000 }],
  machines: [],
  saveMachine: [machineName, { kind: 'config', name: 'config' }],
  deleteMachine: [machineName],
  disks: [],
  resetDisk: [{ kind: 'string', name: 'name', maxLength: 255, pattern: /^[A-Za-z0-9_.-]+$/ }],
  images: [],
  imageCreate: [imageName, { kind: 'string', name: 'size', maxLength: 16, pattern: /^\d+[kKmMgG]?$/ }],
  imageImport: [{ kind: 'string', name: 'hostPath', maxLength: 4096, pattern: /^[^\0\r\n]+$/ }, imageName],
  imageDelete: [imageName],
  imagePartitionAdd: [
    imageName,
    {
      kind: 'object',
      name: 'partition',
      fields: [
        { key: 'type', spec: { kind: 'string', name: 'type', maxLength: 3, pattern: /^(cfs|sfs|raw)$/ } },
        { key: 'blocks', spec: { kind: 'int', name: 'blocks', min: 1, max: 0xffffffff } },
        { key: 'name', spec: { kind: 'string', name: 'name', maxLength: 31, pattern: /^[\x20-\x7e]+$/ } },
        { key: 'start', spec: { kind: 'int', name: 'start', min: 1, max: 0xffffffff }, optional: true },
        { key: 'bootable', spec: { kind: 'bool', name: 'bootable' }, optional: true },
      ],
    },
  ],
  imagePartitionRemove: [imageName, partNumber],
  imageMkfs: [imageName, partNumber, { kind: 'string', name: 'label', maxLength: 31, pattern: /^[\x20-\x7e]*$/ }],
  imageFiles: [imageName, partNumber],
  imageReadFile: [imageName, partNumber, imageFile],
  imageWriteFile: [imageName, partNumber, imageFile, { kind: 'string', name: 'text', maxLength: 1 << 20 }],
  imageDeleteFile: [imageName, partNumber, imageFile],
  machineAttach: [{ ...machineName, name: 'machine' }, imageName],
  machineDetach: [{ ...machineName, name: 'machine' }, imageName],
  snapshotSave: [snapshotName],
  snapshotList: [],
  snapshotRestore: [snapshotName],
  snapshotRemove: [snapshotName],
  debugState: [guestArg],
  debugPause: [guestArg],
  debugContinue: [guestArg],
  debugStep: [guestArg, vcpuArg, { kind: 'string', name: 'kind', maxLength: 11, pattern: /^(instruction|over|out)$/ }],
  debugRunTo: [guestArg, { ...breakpointArg, name: 'target' }],
  debugRegisters: [guestArg, vcpuArg],
  debugSetRegister: [
    guestArg,
    vcpuArg,
    { kind: 'string', name: 'reg', maxLength: 8, pattern: /^[A-Za-z][A-Za-z0-9]*$/ },
    { kind: 'int', name: 'value', min: -0x80000000, max: 0xffffffff },
  ],
  debugReadMemory: [guestArg, spaceArg, addressArg, { kind: 'int', name: 'length', min: 1, max: 65536 }],
  debugWriteMemory: [
    guestArg,
    spaceArg,
    addressArg,
    { kind: 'string', name: 'hex', maxLength: 8192, pattern: /^(?:[0-9a-fA-F]{2})+$/ },
  ],
  debugDisassemble: [guestArg, vcpuArg, addressArg, { kind: 'int', name: 'count', min: 1, max: 1000 }],
  debugStack: [guestArg, vcpuArg],
  debugSetBreakpoints: [guestArg, { kind: 'list', name: 'list', maxItems: 256, item: breakpointArg }],
  debugSetWatchpoints: [guestArg, { kind: 'list', name: 'list', maxItems: 64, item: watchpointArg }],
  debugSetTrapBreaks: [
    guestArg,
    {
      kind: 'list',
      name: 'causes',
      maxItems: 32,
      item: { kind: 'string', name: 'cause', maxLength: 40, pattern: /^[A-Za-z_]+$/ },
    },
  ],
  debugDeploy: [
    guestArg,
    fileName,
    { kind: 'string', name: 'source', maxLength: 1 << 20 },
    { kind: 'bool', name: 'stopOnEntry' },
  ],
  debugMachine: [{ kind: 'bool', name: 'paused' }],
  recordStart: [snapshotName],
  recordStop: [],
  recordings: [],
  replay: [snapshotName],
  seek: [{ kind: 'number', name: 'seconds', min: 0, max: 1e9 }],
  seekTo: [
    guestArg,
    { kind: 'int', name: 'vcpu', min: 0, max: 255 },
    { kind: 'int', name: 'retired', min: 0, max: Number.MAX_SAFE_INTEGER },
    { kind: 'int', name: 'pc', min: 0, max: 0xffffffff, optional: true },
  ],
  reverseStep: [guestArg, { kind: 'int', name: 'vcpu', min: 0, max: 255 }, replayStepKind],
  forwardStep: [guestArg, { kind: 'int', name: 'vcpu', min: 0, max: 255 }, replayStepKind],
  reverseContinue: [guestArg, { kind: 'string', name: 'addresses', maxLength: 4096, pattern: /^[\s,0-9a-fA-Fx]*$/ }],
};

export const HOST_METHODS = Object.keys(API_ARGS) as HostMethod[];

/**
 * Checks a call's arguments against API_ARGS; returns a message naming the method and the argument,
 * or undefined when they are fine.
 */
export function checkArgs(method: string, args: readonly unknown[]): string | undefined {
  if (!Object.hasOwn(API_ARGS, method)) return `no such API method: ${method}`;
  const specs = API_ARGS[method as HostMethod];
  const optional = (s: ArgSpec | undefined) => (s?.kind === 'int' || s?.kind === 'string') && s.optional === true;
  let required = specs.length;
  while (required > 0 && optional(specs[required - 1])) required--;
  if (args.length < required || args.length > specs.length)
    return `${method}() takes ${required === specs.length ? specs.length : `${required}..${specs.length}`} argument(s), got ${args.length}`;
  for (let i = 0; i < specs.length; i++) {
    if (i >= required && (args[i] === undefined || args[i] === null)) continue;
    const problem = checkArg(specs[i]!, args[i]);
    if (problem) return `${method}(): ${specs[i]!.name} ${problem}`;
  }
  return undefined;
}

function checkArg(spec: ArgSpec, value: unknown): string | undefined {
  switch (spec.kind) {
    case 'int':
      if (typeof value !== 'number' || !Number.isInteger(value)) return 'must be an integer';
      if (value < spec.min || value > spec.max) return `must be ${spec.min}..${spec.max}, got ${value}`;
      return undefined;
    case 'string':
      if (typeof value !== 'string') return 'must be a string';
      if (value.length > spec.maxLength) return `is too long (${value.length} > ${spec.maxLength})`;
      if (spec.pattern && !spec.pattern.test(value)) return `has characters it may not have (${spec.pattern})`;
      return spec.check?.(value);
    case 'bool':
      return typeof value === 'boolean' ? undefined : 'must be true or false';
    case 'list': {
      if (!Array.isArray(value)) return 'must be a list';
      if (value.length > spec.maxItems) return `has too many items (${value.length} > ${spec.maxItems})`;
      for (let i = 0; i < value.length; i++) {
        const p = checkArg(spec.item, value[i]);
        if (p) return `[${i}]: ${spec.item.name} ${p}`;
      }
      return undefined;
    }
    case 'object': {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'must be an object';
      const o = value as Record<string, unknown>;
      for (const k of Object.keys(o))
        if (!spec.fields.some((f) => f.key === k)) return `has a key it may not have (${k})`;
      for (const f of spec.fields) {
        if (o[f.key] === undefined) {
          if (f.optional) continue;
          return `needs ${f.key}`;
        }
        const p = checkArg(f.spec, o[f.key]);
        if (p) return `.${f.key} ${p}`;
      }
      return undefined;
    }
    case 'config':
      return checkConfig(value);
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) return 'must be a number';
      if (value < spec.min || value > spec.max) return `must be ${spec.min}..${spec.max}, got ${value}`;
      return undefined;
  }
}

const CONFIG_KEYS = new Set(['mode', 'cpus', 'memMiB', 'disks', 'nics', 'boot', 'engine', 'threads', 'name']);

/** A partial MachineConfig: only known keys, each of the right type and range. */
export function checkConfig(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'must be an object';
  const c = value as Record<string, unknown>;
  for (const k of Object.keys(c)) if (!CONFIG_KEYS.has(k)) return `has an unknown key '${k}'`;
  if (c.mode !== undefined && c.mode !== 'dualboot' && c.mode !== 'hypervisor')
    return 'mode must be dualboot or hypervisor';
  if (c.cpus !== undefined && !(Number.isInteger(c.cpus) && (c.cpus as number) >= 1 && (c.cpus as number) <= 8))
    return 'cpus must be an integer 1..8';
  if (
    c.memMiB !== undefined &&
    !(Number.isInteger(c.memMiB) && (c.memMiB as number) >= 4 && (c.memMiB as number) <= 1024)
  )
    return 'memMiB must be an integer 4..1024';
  if (
    c.disks !== undefined &&
    !(
      Array.isArray(c.disks) &&
      c.disks.length <= 4 &&
      c.disks.every((d) => typeof d === 'string' && d.length > 0 && d.length < 4096)
    )
  )
    return 'disks must be a list of at most 4 paths';
  if (c.nics !== undefined && !(Number.isInteger(c.nics) && (c.nics as number) >= 0 && (c.nics as number) <= 4))
    return 'nics must be an integer 0..4';
  if (c.boot !== undefined && !(typeof c.boot === 'string' && /^[a-z0-9]{1,16}$/.test(c.boot)))
    return 'boot must be an OS name like cos';
  if (c.engine !== undefined && c.engine !== 'interp' && c.engine !== 'jit') return 'engine must be interp or jit';
  if (c.threads !== undefined && typeof c.threads !== 'boolean') return 'threads must be true or false';
  if (c.threads === true && c.mode === 'dualboot') return 'threads needs hypervisor mode';
  if (
    c.name !== undefined &&
    !(typeof c.name === 'string' && c.name.length <= 100 && /^[^\s](?:[^\r\n]*[^\s])?$/.test(c.name))
  )
    return 'name must be a machine name (one line, no spaces at either end)';
  return undefined;
}
