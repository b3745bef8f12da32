/**
 * The machine's firmware (its ROM, written in TypeScript): at power-on it finds the bootable
 * partitions of every disk, shows the dual-boot menu on console 0 (M9), loads the chosen OS image,
 * writes the boot info (M8) and starts the OS on pCPU 0 with the whole machine
 * (docs/boot.md). Everything it does is driven by machine time, so a run is deterministic: the
 * countdown is counted in cycles and keys are read from the console UART's receive FIFO.
 */
import { EXC_DELEGABLE_MASK, IRQ } from '../../../shared/isa/csrs.js';
import { checkOsImage, parseOsImageHeader, OS_FLAG_COOPERATIVE, type OsImageHeader } from '../../../shared/osImage.js';
import { BLOCK_SIZE, type BlockBackend } from '../devices/disk/BlockBackend.js';
import { TIMEBASE } from '../machine/board.js';
import type { Machine, StopReport } from '../machine/Machine.js';
import { AP_STUB_ADDR, apStubWords } from './apStub.js';
import { BOOT_INFO_ADDR, BOOT_INFO_MAGIC, buildBootInfo } from './bootInfo.js';
import { bootablePartitions } from './partitions.js';

export interface BootEntry {
  /** Index of the disk (disk0 = 0). */
  disk: number;
  partition: number;
  header: OsImageHeader;
  /** What the menu shows. */
  label: string;
  /** First block and size of the disk partition. */
  start: number;
  blocks: number;
}

export interface FirmwareOptions {
  /** Boot the entry with this name (or "diskN:P") at once, without a menu. */
  select?: string;
  /** Seconds of machine time before the default boots (default 5). */
  timeoutSeconds?: number;
}

type State = 'menu' | 'running' | 'failed';

/** The firmware's own state as plain data (a snapshot of a dual-boot machine, docs/snapshots.md). */
export interface FirmwareState {
  entries: BootEntry[];
  problems: string[];
  state: State;
  /** Index into `entries` of the OS that was booted, or -1. */
  booted: number;
  defaultIndex: number;
  menuCycles: number;
  countdown: boolean;
  shownSeconds: number;
  select: string | null;
}

const UART_TX = 0;
const UART_RX = 4;

export class Firmware {
  entries: BootEntry[] = [];
  /** Problems found while scanning (shown on the console too). */
  readonly problems: string[] = [];
  state: State = 'menu';
  booted: BootEntry | undefined;
  private defaultIndex = 0;
  private menuCycles = 0;
  private countdown = true;
  private shownSeconds = -1;
  private readonly timeout: number;

  constructor(
    readonly machine: Machine,
    readonly opts: FirmwareOptions = {},
  ) {
    this.timeout = (opts.timeoutSeconds ?? 5) * TIMEBASE;
  }

  private get disks(): readonly BlockBackend[] {
    return this.machine.desc.disks ?? [];
  }

  private print(s: string): void {
    for (let i = 0; i < s.length; i++) this.machine.uart.write(UART_TX, 4, s.charCodeAt(i) & 0xff);
  }

  saveState(): FirmwareState {
    return structuredClone({
      entries: this.entries,
      problems: this.problems,
      state: this.state,
      booted: this.booted ? this.entries.indexOf(this.booted) : -1,
      defaultIndex: this.defaultIndex,
      menuCycles: this.menuCycles,
      countdown: this.countdown,
      shownSeconds: this.shownSeconds,
      select: this.opts.select ?? null,
    });
  }

  /** Restore saved state (the machine's own state is restored by the caller, Machine.restoreState). */
  restoreState(s: FirmwareState): void {
    const st = structuredClone(s);
    this.entries = st.entries;
    this.problems.length = 0;
    this.problems.push(...st.problems);
    this.state = st.state;
    this.booted = st.booted >= 0 ? this.entries[st.booted] : undefined;
    this.defaultIndex = st.defaultIndex;
    this.menuCycles = st.menuCycles;
    this.countdown = st.countdown;
    this.shownSeconds = st.shownSeconds;
    this.opts.select = st.select ?? undefined;
  }

  /** Power on (or reset): scan the disks and either boot the selected entry or show the menu. */
  powerOn(): void {
    this.machine.resetDevices();
    this.scan();
    for (const c of this.machine.cpus) {
      c.reset(0);
      c.waiting = true; // nothing runs until the loader starts an OS
    }
    this.machine.stopped = null;
    this.print('\r\nhyperdesk boot loader\r\n');
    for (const p of this.problems) this.print(`  (${p})\r\n`);
    if (this.entries.length === 0) {
      this.print('No bootable partition found. Attach a disk with an OS (npm run disks) and reset.\r\n');
      this.state = 'failed';
      return;
    }
    if (this.opts.select !== undefined) {
      const i = this.find(this.opts.select);
      if (i < 0) {
        this.print(`No boot entry named '${this.opts.select}'.\r\n`);
      } else {
        this.boot(i);
        return;
      }
    }
    this.entries.forEach((e, i) => this.print(`  ${i + 1}) ${e.label}\r\n`));
    this.state = 'menu';
    this.menuCycles = 0;
    this.countdown = true;
    this.shownSeconds = -1;
    this.tickMenu(0);
  }

  private find(name: string): number {
    const n = name.toLowerCase();
    return this.entries.findIndex(
      (e) =>
        e.header.name.toLowerCase() === n ||
        e.header.name.toLowerCase().split(' ')[0] === n ||
        `disk${e.disk}:${e.partition}` === n,
    );
  }

  private scan(): void {
    const r = scanBootEntries(this.disks, this.machine.mem.size);
    this.entries = r.entries;
    this.problems.length = 0;
    this.problems.push(...r.problems);
  }

  private tickMenu(cycles: number): void {
    this.menuCycles += cycles;
    // Keys: a digit picks, Enter boots the default, anything else stops the countdown.
    for (;;) {
      const b = this.machine.uart.read(UART_RX, 4);
      if (b === undefined || b < 0) break;
      const digit = b - 0x30;
      if (digit >= 1 && digit <= this.entries.length) {
        this.print(`${digit}\r\n`);
        return this.boot(digit - 1);
      }
      if (b === 13 || b === 10) {
        this.print('\r\n');
        return this.boot(this.defaultIndex);
      }
      if (this.countdown) {
        this.countdown = false;
        this.print(
          `\r\nCountdown stopped. Press 1-${this.entries.length} to choose, Enter for ${this.defaultIndex + 1}.\r\n`,
        );
      }
    }
    if (!this.countdown) return;
    const left = Math.max(0, Math.ceil((this.timeout - this.menuCycles) / TIMEBASE));
    if (left !== this.shownSeconds) {
      this.shownSeconds = left;
      this.print(
        `\rBoot ${this.defaultIndex + 1} in ${left} s. Press 1-${this.entries.length} to choose, Enter for the default. `,
      );
    }
    if (this.menuCycles >= this.timeout) {
      this.print('\r\n');
      this.boot(this.defaultIndex);
    }
  }

  /** Load entry `i` and start it on pCPU 0 with the whole machine. */
  private boot(i: number): void {
    const e = this.entries[i];
    const where = `disk${e.disk} partition ${e.partition}`;
    const image = readBootImage(this.disks, e);
    if (typeof image === 'string') return this.fail(image);
    this.print(`Booting ${e.header.name} from ${where}...\r\n`);
    const m = this.machine;
    m.load(e.header.loadAddress, image);
    const extra: Record<string, [number, number]> = { uart0: [1, 0] };
    this.disks.forEach((d, n) => (extra[`disk${n}`] = [d.blocks, 0]));
    m.nics.forEach((nic, n) => {
      const mac = nic.mac; // kind-specific words of a nic node: its MAC (docs/boot.md)
      extra[`nic${n}`] = [(mac[0] | (mac[1] << 8) | (mac[2] << 16) | (mac[3] << 24)) >>> 0, mac[4] | (mac[5] << 8)];
    });
    const info = buildBootInfo({
      ramBase: 0,
      ramSize: m.mem.size,
      cpus: m.cpus.map((c) => c.id),
      tree: m.tree,
      extra,
      bootCpu: 0,
      partitionId: 0,
      bootDisk: `disk${e.disk}`,
      bootPartition: e.partition,
    });
    m.load(BOOT_INFO_ADDR, info);
    m.load(AP_STUB_ADDR, new Uint8Array(new Uint32Array(apStubWords()).buffer));
    m.cpus.forEach((c, n) => {
      c.reset(n === 0 ? e.header.entry : AP_STUB_ADDR);
      if (n === 0) {
        c.hdeleg = EXC_DELEGABLE_MASK;
        c.hideleg = (1 << IRQ.timer) | (1 << IRQ.external) | (1 << IRQ.ipi);
        c.mode = 1;
        c.regs[10] = BOOT_INFO_ADDR;
        c.regs[11] = BOOT_INFO_MAGIC;
        c.regs[12] = 0;
        c.updateContext();
      } else {
        c.hie = 1 << IRQ.ipi; // the stub's wfi wakes on an IPI; hstatus.IE stays 0
      }
    });
    this.defaultIndex = i;
    this.booted = e;
    this.state = 'running';
  }

  private fail(msg: string): void {
    this.problems.push(msg);
    this.print(`${msg}\r\n`);
    this.countdown = false;
    this.state = this.entries.length > 1 ? 'menu' : 'failed';
    if (this.state === 'menu') this.print(`Press 1-${this.entries.length} to choose another entry.\r\n`);
  }

  /**
   * Advance the machine by `cycles`: the menu while it is shown, else the OS. A reset of the machine
   * brings the menu back (with the last OS as default); other stops are returned to the caller.
   */
  run(cycles: number): StopReport | null {
    if (this.state === 'failed') return { kind: 'idle', exitCode: 0 };
    if (this.state === 'menu') {
      this.tickMenu(cycles);
      return null;
    }
    const r = this.machine.run(cycles);
    if (r?.kind === 'reset') {
      // Back to the menu; the OS that ran stays the default, and the user chooses again.
      const select = this.opts.select;
      this.opts.select = undefined;
      this.powerOn();
      this.opts.select = select;
      return null;
    }
    return r;
  }
}

/** The bootable partitions of `disks` whose OS image header is valid for `ramSize` bytes of RAM. */
export function scanBootEntries(
  disks: readonly BlockBackend[],
  ramSize: number,
): { entries: BootEntry[]; problems: string[] } {
  const entries: BootEntry[] = [];
  const problems: string[] = [];
  disks.forEach((disk, d) => {
    const block0 = disk.read(0, 1);
    if (block0 instanceof Error) return problems.push(`disk${d}: cannot read block 0: ${block0.message}`);
    const parts = bootablePartitions(block0, disk.blocks);
    if (typeof parts === 'string') return problems.push(`disk${d}: ${parts}`);
    for (const p of parts) {
      const hb = disk.read(p.start, 1);
      if (hb instanceof Error) {
        problems.push(`disk${d} partition ${p.number}: cannot read: ${hb.message}`);
        continue;
      }
      const h = parseOsImageHeader(hb, { partitionBlocks: p.blocks, ramBase: 0, ramSize });
      if (h instanceof Error) {
        problems.push(`disk${d} partition ${p.number}: ${h.message}`);
        continue;
      }
      const label = `${h.name.padEnd(16)} disk${d} partition ${p.number}${h.flags & OS_FLAG_COOPERATIVE ? '' : ' (shrink-wrapped)'}`;
      entries.push({ disk: d, partition: p.number, header: h, label, start: p.start, blocks: p.blocks });
    }
  });
  return { entries, problems };
}

/** The checked image bytes of a boot entry, or a message naming the disk and partition. */
export function readBootImage(disks: readonly BlockBackend[], e: BootEntry): Uint8Array | string {
  const where = `disk${e.disk} partition ${e.partition}`;
  const disk = disks[e.disk];
  const data = disk ? disk.read(e.start + 1, Math.ceil(e.header.imageSize / BLOCK_SIZE)) : new Error('no such disk');
  if (data instanceof Error) return `${where}: cannot read the image: ${data.message}`;
  const image = data.subarray(0, e.header.imageSize);
  const ok = checkOsImage(e.header, image);
  return ok === true ? image : `${where}: ${ok.message}`;
}
