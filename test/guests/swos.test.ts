/**
 * swos, the shrink-wrapped OS (M11; resources/swos): booted in-process through the firmware, driven
 * through its console. swos ignores the boot info and finds its memory and devices by probing, so
 * most tests change the machine (RAM size, devices, disk layout) and check that swos finds exactly
 * what is there. Disks are built here from the swos sources with the disk library, so these tests do
 * not depend on the other OS on the default disk; one test boots the default disk as a user would.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConsoleDriver } from './driver.js';
import { BLOCK_SIZE, MemoryBlockBackend } from '../../src/main/emulator/devices/disk/BlockBackend.js';
import { Firmware } from '../../src/main/emulator/firmware/Firmware.js';
import { Machine, type StopReport } from '../../src/main/emulator/machine/Machine.js';
import { PowerOnError, powerOn } from '../../src/main/engine/powerOn.js';
import { DiskImage, DiskError, osImageBlocks, type SfsVolume } from '../../src/main/disk/index.js';
import { FAT_END } from '../../src/main/disk/sfs.js';
import type { FileSystem } from '../../src/main/disk/index.js';
import { assembleFile } from '../../src/main/host/assembleFile.js';
import { assemble } from '../../src/main/asm/index.js';
import { DmaTable, DMA_RW } from '../../src/main/emulator/dma/DmaTable.js';
import { PageTables } from '../../src/main/emulator/testing/harness.js';
import { PTE_R, PTE_RWX, PTE_V, PTE_W } from '../../src/main/emulator/mmu/pte.js';
import { EXC_DELEGABLE_MASK } from '../../src/shared/isa/csrs.js';
import { ROOT } from '../../src/main/host/disks.js';
import { bootGuest } from './boot.js';

const SWOS_DIR = join(ROOT, 'resources', 'swos');
const FILES_DIR = join(SWOS_DIR, 'files');
const README = readFileSync(join(FILES_DIR, 'readme.txt'));
const NOTES = readFileSync(join(FILES_DIR, 'notes.txt'));
const PROMPT = 'swos$ ';
const MiB = 1 << 20;

/** swos writes line ends as CR LF (like the boot loader); compare text with plain LF. */
const lf = (s: string) => s.replace(/\r\n/g, '\n');
const latin1 = (b: Uint8Array) => Buffer.from(b).toString('latin1');

function must<T>(v: T | DiskError | Error): T {
  if (v instanceof Error) throw v;
  return v;
}

const asm = assembleFile(join(SWOS_DIR, 'swos.s'));

interface DiskLayout {
  /** Partitions before the swos one: a cfs partition (non-bootable) and a raw one. */
  othersFirst?: boolean;
  /** Install swos in a raw partition with no file system anywhere. */
  noSfs?: boolean;
  /** Lay the files out so that one file's FAT chain is not contiguous. */
  fragment?: boolean;
  blocks?: number;
}

/** A disk with swos (and its files) built from resources/swos, as the disk builder would. */
function swosDisk(layout: DiskLayout = {}): Uint8Array {
  if (!asm.ok) throw new Error(`swos does not assemble: ${JSON.stringify(asm.diagnostics.slice(0, 3))}`);
  const blocks = layout.blocks ?? 16384;
  const backend = new MemoryBlockBackend(blocks);
  const disk = must(DiskImage.format(backend));
  let first = 8;
  if (layout.othersFirst) {
    must(disk.addPartition({ type: 'cfs', first, blocks: 1000, name: 'other', bootable: false }));
    must(disk.mkfs(1, { label: 'other' }));
    must(disk.addPartition({ type: 'raw', first: 1008, blocks: 1000, name: 'scratch', bootable: false }));
    first = 2008;
  }
  const type = layout.noSfs ? 'raw' : 'sfs';
  const p = must(disk.addPartition({ type, first, blocks: blocks - first, name: 'swos', bootable: true }));
  const fsOffset = layout.noSfs ? 0 : Math.ceil(osImageBlocks(asm.bytes.length) / 8) * 8;
  must(
    disk.installOsImage(p.number, {
      loadAddress: asm.base,
      entry: asm.entry,
      image: asm.bytes,
      fsOffset,
      flags: 0,
      name: 'swos 1.0',
    }),
  );
  if (!layout.noSfs) {
    const fs: FileSystem = must(disk.mkfs(p.number));
    if (layout.fragment) {
      // FILLER takes the first blocks, GAP one after; freeing FILLER leaves a hole that the next
      // file fills before it continues after GAP: a chain that jumps.
      must(fs.write('FILLER.BIN', new Uint8Array(2 * BLOCK_SIZE).fill(0x41)));
      must(fs.write('GAP.BIN', new Uint8Array(10).fill(0x42)));
      must(fs.remove('FILLER.BIN'));
    }
    must(fs.write('NOTES.TXT', NOTES));
    must(fs.write('README.TXT', README));
    if (layout.fragment) {
      // Make sure the layout did what it is for (it depends on how the sfs library allocates).
      const vol = fs as SfsVolume;
      const notes = vol.rawEntries().find((e) => e.name === 'NOTES.TXT');
      const chain = [notes?.first ?? 0];
      while (chain.length < 16 && vol.next(chain[chain.length - 1]) !== FAT_END)
        chain.push(vol.next(chain[chain.length - 1]));
      if (chain.every((b, i) => i === 0 || b === chain[i - 1] + 1))
        throw new Error(`NOTES.TXT is contiguous: ${chain}`);
    }
  }
  const problems = disk.fsck();
  if (problems.length) throw new Error(`test disk fails fsck: ${problems.join('; ')}`);
  return backend.data;
}

interface MachineOptions {
  memBytes?: number;
  /** Network cards (default 1, as on the standard board). */
  nics?: number;
  /** Blank disks after disk0. */
  extraDisks?: number;
  /** disk0's image (default: swosDisk()). */
  disk?: Uint8Array;
}

/** What the tests drive: GuestConsole (test/guests/boot.ts) or a ConsoleDriver (test/guests/driver.ts). */
interface Console {
  readonly machine: Machine;
  readonly output: string;
  type(s: string): void;
  expect(pattern: string | RegExp, maxCycles?: number): string;
  runToStop(maxCycles?: number): StopReport | null;
}

/** A machine with disk0 = a swos disk (and the devices asked for); the firmware boots swos at once. */
function bootSwos(o: MachineOptions = {}): ConsoleDriver {
  const image = o.disk ?? swosDisk();
  const disks = [new MemoryBlockBackend(image.length / BLOCK_SIZE, false, image)];
  for (let i = 0; i < (o.extraDisks ?? 0); i++) disks.push(new MemoryBlockBackend(2048));
  let fw: Firmware | undefined;
  return new ConsoleDriver(
    (console) => {
      const powered = powerOn(
        {
          mode: 'dualboot',
          cpus: 1,
          memBytes: o.memBytes ?? 32 * MiB,
          console,
          nics: o.nics ?? 1,
          rtcEpochSeconds: 1_800_000_000,
          select: 'swos',
        },
        disks,
      );
      if (powered instanceof PowerOnError) throw new Error(powered.message);
      fw = powered.fw!;
      return powered.machine;
    },
    (_m, cycles) => (fw as Firmware).run(cycles),
  );
}

/** Run a command and return what it printed (LF line ends), up to the next prompt. */
function run(c: Console, line: string): string {
  c.type(line + '\n');
  const out = lf(c.expect(PROMPT));
  const echoed = line + '\n';
  expect(out.startsWith(echoed)).toBe(true);
  return out.slice(echoed.length, out.length - PROMPT.length);
}

/** The boot messages, from the banner to the first prompt (LF line ends). */
function bootText(c: Console): string {
  const all = lf(c.expect(PROMPT));
  const i = all.indexOf('swos 1.0 (shrink-wrapped OS)\n');
  expect(i).toBeGreaterThanOrEqual(0);
  return all.slice(i, all.length - PROMPT.length);
}

const STANDARD_DEVICES = [
  'found uart at 0xF0000000',
  'found sysctl at 0xF0001000',
  'found rtc at 0xF0002000',
  'found uart at 0xF0003000',
  'found intc at 0xF0010000',
  'found disk at 0xF0020000 (16384 blocks)',
  'found nic at 0xF0030000',
];

describe('swos boots and probes', () => {
  it('prints the banner, the probed memory, every device and the file system, then the prompt', () => {
    const c = bootSwos();
    expect(bootText(c)).toBe(
      [
        'swos 1.0 (shrink-wrapped OS)',
        'memory: 32768 KiB (probed)',
        ...STANDARD_DEVICES,
        'file system: sfs on partition 1 (swos)',
        '',
      ].join('\n'),
    );
    expect(c.output.endsWith(PROMPT)).toBe(true);
  });

  it.each([
    [2 * MiB, 2048],
    [17 * MiB + 12 * 1024, 17420], // not a multiple of the 64 KiB probe step: the page walk finds it
    [64 * MiB, 65536],
  ])('finds exactly the RAM it is given (%i bytes)', (memBytes, kib) => {
    const c = bootSwos({ memBytes });
    expect(bootText(c)).toContain(`memory: ${kib} KiB (probed)\n`);
    const mem = run(c, 'mem');
    const last = (memBytes - 1).toString(16).toUpperCase().padStart(8, '0');
    expect(mem).toContain(`memory: ${kib} KiB (probed)\n  ram   0x00000000..0x${last}\n`);
  });

  it('finds only the devices that are there: no nic, a second disk', () => {
    const c = bootSwos({ nics: 0, extraDisks: 1 });
    const text = bootText(c);
    expect(text).not.toContain('nic');
    expect(text).toContain('found disk at 0xF0020000 (16384 blocks)\nfound disk at 0xF0021000 (2048 blocks)\n');
    // It uses the first disk for its files.
    expect(run(c, 'dir')).toContain('README.TXT');
    const devs = run(c, 'devs');
    expect(devs).toContain('  0xF0020000  disk    16384 blocks, file system\n');
    expect(devs).toContain('  0xF0021000  disk    2048 blocks\n');
  });

  it('ignores the boot info: wiped boot info and junk in a0..a2 change nothing', () => {
    const normal = bootSwos();
    const expected = bootText(normal);
    const c = bootSwos();
    // The firmware has loaded swos and written the boot info; swos has not run yet.
    c.machine.load(0x8000, new Uint8Array(0x4000));
    const cpu = c.machine.cpus[0];
    cpu.regs[10] = 0x12345678;
    cpu.regs[11] = -1;
    cpu.regs[12] = 7;
    expect(bootText(c)).toBe(expected);
  });

  it('sleeps in wfi while it waits for a key (the machine goes idle)', () => {
    const c = bootSwos();
    c.expect(PROMPT);
    const r = c.advance(1_000_000);
    expect(r?.kind).toBe('idle');
    expect(c.machine.cpus[0].waiting).toBe(true);
    // And a key wakes it.
    expect(run(c, 'ver')).toBe('swos 1.0 (shrink-wrapped OS)\n');
  });
  it('still sleeps when an OS before a reset left interrupts enabled', () => {
    const c = bootSwos();
    // Device state survives sysctl RESET: play a previous OS that left uart1 and disk0 interrupting.
    const m = c.machine;
    m.uarts[1].write(0x0c, 4, 1); // uart1 CTRL: interrupt while a byte waits...
    m.uarts[1].input([0x41]); // ...and one does, forever (nobody reads uart1)
    expect(m.devices.get('disk0')?.write(0x18, 4, 1)).toBe(true); // disk0 CTRL: interrupt on completion
    c.expect(PROMPT);
    expect(run(c, 'type notes.txt')).toBe(latin1(NOTES)); // disk reads that would raise disk0's line
    expect(c.advance(1_000_000)?.kind).toBe('idle');
    expect(run(c, 'ver')).toBe('swos 1.0 (shrink-wrapped OS)\n');
    expect(c.advance(1_000_000)?.kind).toBe('idle');
  });
});

describe('swos file system', () => {
  let c: Console;
  beforeAll(() => {
    c = bootSwos();
    c.expect(PROMPT);
  });

  it('dir lists NAME.EXT and size', () => {
    expect(run(c, 'dir')).toBe(
      [
        `  NOTES.TXT   ${String(NOTES.length).padStart(8)}`,
        `  README.TXT  ${String(README.length).padStart(8)}`,
        `  2 files, ${NOTES.length + README.length} bytes`,
        '',
      ].join('\n'),
    );
  });

  it('type prints a file, given in lower case with its dot', () => {
    expect(run(c, 'type readme.txt')).toBe(latin1(README));
  });

  it('type follows the FAT chain of a file longer than one block', () => {
    expect(NOTES.length).toBeGreaterThan(BLOCK_SIZE * 2);
    expect(run(c, 'type NOTES.TXT')).toBe(latin1(NOTES));
    expect(run(c, 'TYPE Notes.Txt')).toBe(latin1(NOTES));
  });

  it('type says why it cannot', () => {
    expect(run(c, 'type')).toBe('usage: type NAME (for example: type readme.txt)\n');
    expect(run(c, 'type missing.txt')).toBe('type: file not found: missing.txt\n');
    expect(run(c, 'type readme')).toBe('type: file not found: readme\n');
    expect(run(c, 'type toolongname.txt')).toBe('type: not an 8.3 file name: toolongname.txt\n');
    expect(run(c, 'type a.b.c')).toBe('type: not an 8.3 file name: a.b.c\n');
    expect(run(c, 'type .txt')).toBe('type: not an 8.3 file name: .txt\n');
  });

  it('follows a chain that is not contiguous', () => {
    const f = bootSwos({ disk: swosDisk({ fragment: true }) });
    f.expect(PROMPT);
    expect(run(f, 'dir')).toContain('  GAP.BIN           10\n');
    expect(run(f, 'type notes.txt')).toBe(latin1(NOTES));
  });

  it('finds the first sfs partition wherever it is', () => {
    const f = bootSwos({ disk: swosDisk({ othersFirst: true }) });
    expect(bootText(f)).toContain('file system: sfs on partition 3 (swos)\n');
    expect(run(f, 'type readme.txt')).toBe(latin1(README));
  });

  it('runs without a file system, and says so', () => {
    const f = bootSwos({ disk: swosDisk({ noSfs: true }) });
    expect(bootText(f)).toContain('file system: none (no sfs partition)\n');
    expect(run(f, 'dir')).toBe('no file system: no sfs partition\n');
    expect(run(f, 'type readme.txt')).toBe('no file system: no sfs partition\n');
    expect(run(f, 'ver')).toBe('swos 1.0 (shrink-wrapped OS)\n');
  });
});

describe('swos shell', () => {
  let c: Console;
  beforeAll(() => {
    c = bootSwos();
    c.expect(PROMPT);
  });

  it('help lists every command', () => {
    const help = run(c, 'help');
    for (const cmd of ['help', 'dir', 'type NAME', 'mem', 'devs', 'ver', 'primes \\[N\\]', 'reboot', 'halt']) {
      expect(help).toMatch(new RegExp(`^  ${cmd} `, 'm'));
    }
  });

  it('ver, mem, devs', () => {
    expect(run(c, 'ver')).toBe('swos 1.0 (shrink-wrapped OS)\n');
    expect(run(c, 'mem')).toMatch(
      /^memory: 32768 KiB \(probed\)\n {2}ram {3}0x00000000\.\.0x01FFFFFF\n {2}swos {2}0x00100000\.\.0x001[0-9A-F]{5} \(code, data, stack, buffers\)\n$/,
    );
    expect(run(c, 'devs')).toBe(
      [
        '  0xF0000000  uart    console',
        '  0xF0001000  sysctl  reboot, halt',
        '  0xF0002000  rtc',
        '  0xF0003000  uart',
        '  0xF0010000  intc    wakes the console wait',
        '  0xF0020000  disk    16384 blocks, file system',
        '  0xF0030000  nic',
        '  7 devices',
        '',
      ].join('\n'),
    );
  });

  it('primes counts the primes below N by trial division (a CPU-bound job), and refuses a bad N', () => {
    expect(run(c, 'primes 100')).toBe('25 primes below 100\n');
    expect(run(c, 'primes')).toBe('1229 primes below 10000\n');
    expect(run(c, 'PRIMES 2')).toBe('0 primes below 2\n');
    expect(run(c, 'primes 3')).toBe('1 primes below 3\n');
    const usage = 'usage: primes [N] (counts the primes below N; N up to 10000000, default 10000)\n';
    for (const bad of ['primes x', 'primes 12a', 'primes -5', 'primes 10000001', 'primes 123456789']) {
      expect(run(c, bad), bad).toBe(usage);
    }
    // It spends its time computing, not waiting: instructions retired grow with N.
    const before = c.machine.instructions();
    run(c, 'primes 2000');
    const small = c.machine.instructions() - before;
    run(c, 'primes 8000');
    expect(c.machine.instructions() - before - small).toBeGreaterThan(3 * small);
  });

  it('an unknown command is a bad command; an empty line is nothing', () => {
    expect(run(c, 'x')).toBe('bad command: x\n');
    expect(run(c, 'format c:')).toBe('bad command: format\n');
    expect(run(c, '')).toBe('');
    expect(run(c, '   ')).toBe('');
    expect(run(c, '  VER  ')).toBe('swos 1.0 (shrink-wrapped OS)\n');
  });

  it('edits the line: backspace and DEL erase, Ctrl-U kills, escape sequences are ignored', () => {
    c.type('vex\x7fr\r');
    expect(lf(c.expect(PROMPT))).toBe('vex\b \br\nswos 1.0 (shrink-wrapped OS)\nswos$ ');
    c.type('dix\br\r\n'); // CR LF ends one line, not two
    const dir = lf(c.expect(PROMPT));
    expect(dir.startsWith('dix\b \br\n  NOTES.TXT')).toBe(true);
    expect(dir.endsWith(' bytes\nswos$ ')).toBe(true);
    expect(dir.split(PROMPT)).toHaveLength(2); // one prompt: the LF did not run an empty line
    c.type('devs\x15v\x1b[Ae\x1bOBr\n');
    expect(lf(c.expect(PROMPT))).toBe('devs\b \b\b \b\b \b\b \bver\nswos 1.0 (shrink-wrapped OS)\nswos$ ');
  });

  it('a line stops growing at 79 characters', () => {
    const out = run(c, 'y'.repeat(79));
    expect(out).toBe(`bad command: ${'y'.repeat(79)}\n`);
    c.type('z'.repeat(100) + '\n');
    expect(lf(c.expect(PROMPT))).toBe(`${'z'.repeat(79)}\nbad command: ${'z'.repeat(79)}\nswos$ `);
  });
});

describe('swos power', () => {
  it('halt powers the machine off with exit code 0', () => {
    const c = bootSwos();
    c.expect(PROMPT);
    c.type('halt\n');
    const stop: StopReport | null = c.runToStop(100_000_000);
    expect(stop).toEqual({ kind: 'exit', exitCode: 0 });
  });

  it('reboot resets the machine: the boot loader comes back and swos boots again', () => {
    const c = bootSwos();
    c.expect(PROMPT);
    c.type('reboot\n');
    c.expect('hyperdesk boot loader');
    c.expect('Press 1-1');
    c.type('1');
    expect(bootText(c)).toContain('swos 1.0 (shrink-wrapped OS)\nmemory: 32768 KiB (probed)\n');
    expect(run(c, 'ver')).toBe('swos 1.0 (shrink-wrapped OS)\n');
  });

  it('an unexpected trap is reported and powers off with 128 + cause', () => {
    const c = bootSwos();
    c.expect(PROMPT);
    // swos cannot be changed, so break it from outside: an illegal word where `ver` starts.
    const at = asm.symbols.get('cmd_ver');
    expect(at).toBeDefined();
    c.machine.mem.write32(at as number, 0);
    c.type('ver\n');
    const pc = (at as number).toString(16).toUpperCase().padStart(8, '0');
    expect(lf(c.expect(/badaddr 0x[0-9A-F]{8}\r\n/))).toContain(`swos: unexpected trap: cause 0x00000000, pc 0x${pc}`);
    expect(c.runToStop(10_000_000)).toEqual({ kind: 'exit', exitCode: 128 });
  });
});

/**
 * What "shrink-wrapped" is for: the same image, unchanged, in a partition. There is no hypervisor
 * yet, so this test plays one: stage-2 translation gives swos 12 MiB + 20 KiB of host memory at
 * guest-physical 0 and only three device windows (uart0, sysctl, disk0), the disk's DMA domain covers
 * exactly that memory, and a few lines of hypervisor-mode code reflect every stage-2 fault to swos as
 * ACCESS_FAULT, which is what the notes ask of a hypervisor running a shrink-wrapped OS.
 */
describe('swos in a partition (stage 2 and a reflecting stub hypervisor)', () => {
  const PART_HOST = 32 * MiB; // where the partition's memory is in host RAM
  const PART_SIZE = 12 * MiB + 20 * 1024;
  const HV_CODE = 0x4000;
  const HV_SAVE = 0x5000;
  const S2_ROOT = 0x10000;
  const [UART0, SYSCTL, DISK0, UART1] = [0xf000_0000, 0xf000_1000, 0xf002_0000, 0xf000_3000];
  const OWNED = [UART0, SYSCTL, DISK0];

  const hypervisor = `
    .org ${HV_CODE}
    # htvec: a guest fault (11 fetch, 12 load, 13 store) becomes an ACCESS_FAULT (14) of the guest's
    # supervisor, as if taken there; anything else powers off with 200 + cause.
    hv_trap:
        csrrw t0, hscratch, t0        # t0 = save area, hscratch = guest t0
        sw    t1, 0(t0)
        csrr  t1, hcause
        addi  t1, t1, -11
        sltiu t1, t1, 3
        beqz  t1, other
        csrr  t1, hepc
        csrw  sepc, t1
        li    t1, 14
        csrw  scause, t1
        csrr  t1, hbadaddr
        csrw  sbadaddr, t1
        csrr  t1, sstatus             # PIE = IE, IE = 0, PM = supervisor
        andi  t1, t1, 1
        slli  t1, t1, 1
        ori   t1, t1, 4
        csrw  sstatus, t1
        csrr  t1, stvec
        csrw  hepc, t1                # eret goes to the guest's trap vector, in supervisor mode
        lw    t1, 0(t0)
        csrrw t0, hscratch, t0
        eret
    other:
        csrr  t1, hcause
        addi  t1, t1, 200
        li    t0, 0xF0001000
        sw    t1, 0(t0)
  `;

  /** The partition owns `owned` device windows; its console is uart `consoleUart`. */
  function partition(owned = OWNED, consoleUart = 0): ConsoleDriver {
    const hv = assemble(hypervisor);
    expect(hv.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const image = swosDisk();
    const disk = new MemoryBlockBackend(image.length / BLOCK_SIZE, false, image);
    return new ConsoleDriver(
      (console) => {
        const m = new Machine({
          cpus: 1,
          memBytes: 64 * MiB,
          ...(consoleUart === 0 ? { console } : { console1: console }),
          disks: [disk],
          rtcEpochSeconds: 0,
        });
        m.load(hv.base, hv.bytes);
        const s2 = new PageTables(m, S2_ROOT, S2_ROOT + 0x1000);
        s2.mapRange(0, PART_HOST, PART_SIZE, PTE_V | PTE_RWX);
        for (const d of owned) s2.map(d, d, PTE_V | PTE_R | PTE_W);
        m.setDmaDomain('disk0', new DmaTable().map(0, PART_HOST, PART_SIZE, DMA_RW));
        m.load(PART_HOST + asm.base, asm.bytes); // what a loader would do: swos at guest-physical 1 MiB
        const cpu = m.cpus[0];
        cpu.reset(asm.entry);
        cpu.htvec = HV_CODE;
        cpu.hscratch = HV_SAVE;
        cpu.s2ptbr = S2_ROOT | 1;
        cpu.vmid = 1;
        cpu.hdeleg = EXC_DELEGABLE_MASK;
        cpu.hideleg = 7;
        cpu.mode = 1;
        cpu.updateContext();
        return m;
      },
      (m, cycles) => m.run(cycles),
      consoleUart,
    );
  }

  it('finds exactly its partition: its memory and its three devices', () => {
    const c = partition();
    expect(bootText(c)).toBe(
      [
        'swos 1.0 (shrink-wrapped OS)',
        `memory: ${PART_SIZE / 1024} KiB (probed)`,
        'found uart at 0xF0000000',
        'found sysctl at 0xF0001000',
        'found disk at 0xF0020000 (16384 blocks)',
        'file system: sfs on partition 1 (swos)',
        '',
      ].join('\n'),
    );
    // Its disk reads land in its own memory through the partition's DMA domain.
    expect(run(c, 'type notes.txt')).toBe(latin1(NOTES));
    // No intc in the partition: swos polls instead of sleeping, and still answers.
    expect(run(c, 'devs')).toContain('  3 devices\n');
    c.type('halt\n');
    expect(c.runToStop(100_000_000)).toEqual({ kind: 'exit', exitCode: 0 });
    // And it never touched the host memory around its partition.
    expect(c.machine.mem.readBytes(PART_HOST + PART_SIZE, 4096).every((b) => b === 0)).toBe(true);
  });
  it('takes the first uart it finds as its console: a partition that was given uart1', () => {
    const c = partition([UART1, SYSCTL, DISK0], 1);
    const text = bootText(c);
    expect(text).toContain(`found uart at 0xF0003000\n`);
    expect(text).not.toContain('0xF0000000');
    expect(run(c, 'devs')).toContain('  0xF0003000  uart    console\n');
    expect(c.machine.uarts[0].metrics.txBytes).toBe(0); // nothing on the console it does not own
  });
});

describe('swos determinism', () => {
  it('the same input gives byte-identical output and the same machine state', () => {
    const script = 'dir\ntype notes.txt\nbad\nmem\ndevs\nhelp\nhalt\n';
    const once = () => {
      const c = bootSwos();
      c.expect(PROMPT);
      c.type(script);
      const stop = c.runToStop(200_000_000);
      return { out: c.output, stop, hash: c.machine.stateHash(), time: c.machine.time };
    };
    const a = once();
    const b = once();
    expect(a.stop).toEqual({ kind: 'exit', exitCode: 0 });
    expect(b.out).toBe(a.out);
    expect(b.hash).toBe(a.hash);
    expect(b.time).toBe(a.time);
  });
});

describe('swos on the default disk', () => {
  it('boots from disks/hyperdesk.img through the boot loader', async () => {
    const c = await bootGuest({ select: 'swos' });
    const text = bootText(c);
    expect(text).toMatch(/^swos 1\.0 \(shrink-wrapped OS\)\nmemory: 32768 KiB \(probed\)\nfound uart at 0xF0000000\n/);
    expect(text).toContain('file system: sfs on partition 2 (swos)\n');
    expect(run(c, 'type readme.txt')).toBe(latin1(README));
    c.type('halt\n');
    expect(c.runToStop(100_000_000)).toEqual({ kind: 'exit', exitCode: 0 });
  });
});
