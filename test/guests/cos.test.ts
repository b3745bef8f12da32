/**
 * cos, the cooperative OS (M11; resources/cos, resources/programs, docs/guests.md): booted in-process
 * through the firmware and driven through its console. Most tests boot a disk built here from the
 * cos sources with the disk library (as the disk builder lays out partition 1), so they do not depend
 * on the other OS of the default disk; one boots disks/hyperdesk.img as a user would. cos writes line
 * ends as CR LF; the tests compare text with plain LF.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConsoleDriver, STEP } from './driver.js';
import { assemble } from '../../src/main/asm/index.js';
import { BLOCK_SIZE, MemoryBlockBackend } from '../../src/main/emulator/devices/disk/BlockBackend.js';
import { DmaTable, DMA_RW } from '../../src/main/emulator/dma/DmaTable.js';
import { Firmware } from '../../src/main/emulator/firmware/Firmware.js';
import { buildBootInfo, BOOT_INFO_ADDR, BOOT_INFO_MAGIC } from '../../src/main/emulator/firmware/bootInfo.js';
import { standardIoTree, type IoNode } from '../../src/main/emulator/machine/board.js';
import { Machine } from '../../src/main/emulator/machine/Machine.js';
import { PowerOnError, powerOn } from '../../src/main/engine/powerOn.js';
import { PTE_R, PTE_RWX, PTE_V, PTE_W } from '../../src/main/emulator/mmu/pte.js';
import { PageTables } from '../../src/main/emulator/testing/harness.js';
import { buildCosExecutable, DiskImage, OS_FLAG_COOPERATIVE, osImageBlocks } from '../../src/main/disk/index.js';
import { assembleFile } from '../../src/main/host/assembleFile.js';
import { EXC_DELEGABLE_MASK } from '../../src/shared/isa/csrs.js';
import { ROOT } from '../../src/main/host/disks.js';
import { bootGuest } from './boot.js';

const COS_DIR = join(ROOT, 'resources', 'cos');
const PROGRAMS_DIR = join(ROOT, 'resources', 'programs');
const MOTD = readFileSync(join(COS_DIR, 'files', 'motd.txt'), 'latin1');
const PROMPT = 'cos> ';
const MiB = 1 << 20;

const lf = (s: string) => s.replace(/\r\n/g, '\n');

function must<T>(v: T | Error): T {
  if (v instanceof Error) throw v;
  return v;
}

const cos = assembleFile(join(COS_DIR, 'cos.s'));

function program(file: string): { name: string; bytes: Uint8Array } {
  const r = assembleFile(join(PROGRAMS_DIR, file));
  if (!r.ok) throw new Error(`${file} does not assemble: ${JSON.stringify(r.diagnostics.slice(0, 3))}`);
  return { name: basename(file, '.s'), bytes: buildCosExecutable(r.bytes, r.base, r.entry) };
}
const PROGRAMS = readdirSync(PROGRAMS_DIR)
  .filter((f) => f.endsWith('.s'))
  .sort()
  .map(program);

/** A disk whose partition 1 is cos with its programs and files, as `npm run disks` lays it out. */
function cosDisk(extra: { name: string; data: Uint8Array; executable?: boolean }[] = []): Uint8Array {
  if (!cos.ok) throw new Error(`cos does not assemble: ${JSON.stringify(cos.diagnostics.slice(0, 3))}`);
  const blocks = 8192;
  const backend = new MemoryBlockBackend(blocks);
  const disk = must(DiskImage.format(backend));
  must(disk.addPartition({ type: 'cfs', first: 8, blocks: blocks - 8, name: 'cos', bootable: true }));
  const fsOffset = Math.ceil(osImageBlocks(cos.bytes.length) / 8) * 8;
  must(
    disk.installOsImage(1, {
      loadAddress: cos.base,
      entry: cos.entry,
      image: cos.bytes,
      fsOffset,
      flags: OS_FLAG_COOPERATIVE,
      name: 'cos 0.1',
    }),
  );
  const fs = must(disk.mkfs(1, { label: 'cos' }));
  for (const p of PROGRAMS) must(fs.write(p.name, p.bytes, { executable: true }));
  must(fs.write('motd.txt', Buffer.from(MOTD, 'latin1')));
  for (const e of extra) must(fs.write(e.name, e.data, { executable: e.executable ?? false }));
  const problems = disk.fsck();
  if (problems.length) throw new Error(`test disk fails fsck: ${problems.join('; ')}`);
  return backend.data;
}

interface BootOptions {
  memBytes?: number;
  rtcEpochSeconds?: number;
  cpus?: number;
  disk?: Uint8Array;
}

/** A machine with disk0 = a cos disk; the firmware boots cos at once. */
function bootCos(o: BootOptions = {}): ConsoleDriver & { firmware: Firmware } {
  const image = o.disk ?? cosDisk();
  const disk = new MemoryBlockBackend(image.length / BLOCK_SIZE, false, image);
  let fw: Firmware | undefined;
  const d = new ConsoleDriver(
    (console) => {
      const powered = powerOn(
        {
          mode: 'dualboot',
          cpus: o.cpus ?? 1,
          memBytes: o.memBytes ?? 32 * MiB,
          console,
          rtcEpochSeconds: o.rtcEpochSeconds ?? 1_800_000_000,
          select: 'cos',
        },
        [disk],
      );
      if (powered instanceof PowerOnError) throw new Error(powered.message);
      fw = powered.fw!;
      return powered.machine;
    },
    (_m, cycles) => (fw as Firmware).run(cycles),
  );
  return Object.assign(d, { firmware: fw as Firmware });
}

/** Boot, and return what cos printed up to its first prompt (LF line ends). */
function bootText(c: ConsoleDriver): string {
  c.expect('Booting cos 0.1 from disk0 partition 1...\r\n');
  return lf(c.expect(PROMPT)).slice(0, -PROMPT.length);
}

/** Type a command and return what it printed up to the next prompt (its echo left out). */
function run(c: ConsoleDriver, command: string, maxCycles?: number): string {
  c.type(command + '\n');
  c.expect(command + '\r\n');
  return lf(c.expect(PROMPT, maxCycles)).slice(0, -PROMPT.length);
}

const BANNER = 'cos 0.1 (cooperative OS) on hyperdesk\n';
const KILL_FAULT =
  /^about to fault\ncos: killed pid (\d+) \(fault\): STORE_PAGE_FAULT at pc 0x0040000c, address 0x00000000\n$/;

describe('cos boots', () => {
  it('is an image at 64 KiB that ends below the user region and leaves most of 1 MiB free', () => {
    expect(cos.ok).toBe(true);
    expect(cos.base).toBe(0x10000); // above the boot info (0x8000..0xc000) and the wait loop (0x7000)
    expect(cos.entry).toBe(cos.symbols.get('_start'));
    // Every process maps its first 4 MiB; a 1 MiB partition keeps at least 768 KiB of page frames.
    expect(cos.symbols.get('_end')).toBeLessThanOrEqual(0x40000);
  });

  it('prints the banner, a line with memory and pCPUs, then the prompt', () => {
    const c = bootCos();
    expect(bootText(c)).toBe(BANNER + '32 MiB RAM, 1 pCPU (cos runs on pCPU 0), booted from disk0 partition 1\n');
  });

  it('takes memory and pCPUs from the boot info: 6 MiB, 3 pCPUs', () => {
    const c = bootCos({ memBytes: 6 * MiB, cpus: 3 });
    expect(bootText(c)).toBe(BANNER + '6 MiB RAM, 3 pCPUs (cos runs on pCPU 0), booted from disk0 partition 1\n');
    expect(run(c, 'mem')).toMatch(/^memory: 6144 KiB total, \d+ KiB used, \d+ KiB free\n$/);
    // The user region (0x00400000) is where the kernel's identity map of RAM has 4..6 MiB: programs
    // still run, and their memory comes back when they end.
    const before = run(c, 'mem');
    expect(run(c, 'hello')).toBe('Hello from user mode!\n');
    expect(run(c, 'primes')).toContain('1229 primes below 10000\n');
    expect(run(c, 'mem')).toBe(before);
  });

  it('waits for input in wfi with no timer armed: the machine goes idle', () => {
    const c = bootCos();
    bootText(c);
    c.advance(STEP);
    expect(c.advance(STEP)).toEqual({ kind: 'idle', exitCode: 0 });
    expect(c.machine.cpus[0].mode).toBe(1);
    c.type('hello\n');
    expect(lf(c.expect(PROMPT))).toBe('hello\nHello from user mode!\ncos> ');
  });
});

describe('cos shell', () => {
  it('help lists every command', () => {
    const c = bootCos();
    bootText(c);
    const help = run(c, 'help');
    for (const cmd of [
      'help',
      'ls',
      'cat FILE',
      'run PROG',
      'ps',
      'kill PID',
      'mem',
      'devs',
      'uptime',
      'reboot',
      'halt',
    ]) {
      expect(help).toContain(`  ${cmd}`);
    }
  });

  it('booted bare, mail and the message calls say there is no hypervisor, and make no hypercall (M19)', () => {
    const c = bootCos();
    bootText(c);
    expect(run(c, 'mail')).toBe('mail: only in a client partition (bare there is no hypervisor; ctl has inbox)\n');
    expect(run(c, 'echocli 3')).toMatch(
      /^echocli: msg_call to partition 3 refused: ENOSYS: no hypervisor \(cos runs bare\)\ncos: pid \d+ \(echocli\) exited with code 1\n$/,
    );
    expect(run(c, 'produce 3 1')).toMatch(/^produce: share_offer refused: ENOSYS: no hypervisor \(cos runs bare\)\n/);
    expect(c.machine.cpus[0]!.stats.hypercalls).toBe(0);
  });

  it('ls shows name, size and x for the executables', () => {
    const c = bootCos();
    bootText(c);
    const ls = run(c, 'ls');
    for (const p of PROGRAMS) expect(ls).toContain(`${p.name.padEnd(20)} ${String(p.bytes.length).padStart(8)}  x\n`);
    expect(ls).toContain(`${'motd.txt'.padEnd(20)} ${String(MOTD.length).padStart(8)}\n`);
    expect(ls).toMatch(new RegExp(`\\n${PROGRAMS.length + 1} files, \\d+ bytes\\n$`));
  });

  it('cat prints a file; a missing one is named', () => {
    const c = bootCos();
    bootText(c);
    expect(run(c, 'cat motd.txt')).toBe(MOTD);
    expect(run(c, 'cat nothere')).toBe('cat: nothere: no such file\n');
    expect(run(c, 'cat')).toBe('usage: cat FILE\n');
  });

  it('cat and the file system calls read files of many blocks', () => {
    const big = Buffer.alloc(10_000);
    for (let i = 0; i < big.length; i++) big[i] = i % 64 === 63 ? 10 : 0x41 + ((i * 7) % 26);
    const c = bootCos({ disk: cosDisk([{ name: 'big.txt', data: big }]) });
    bootText(c);
    // cat ends what it printed with a newline when the file does not, so the prompt starts a line.
    expect(run(c, 'cat big.txt')).toBe(big.toString('latin1') + '\n');
    expect(run(c, 'type big.txt')).toBe(big.toString('latin1'));
  });

  it('an unknown command is named, an empty line does nothing', () => {
    const c = bootCos();
    bootText(c);
    expect(run(c, 'frobnicate now')).toBe("cos: unknown command 'frobnicate' (try help)\n");
    expect(run(c, '')).toBe('');
    expect(run(c, '   ')).toBe('');
    expect(run(c, 'run nothere')).toBe("cos: run: no such program 'nothere'\n");
    expect(run(c, 'run')).toBe('usage: run PROG [ARGS...] [&]\n');
  });

  it('refuses a file without the HDX1 magic, and a header outside the user region', () => {
    const hdr = new Uint8Array(64);
    const v = new DataView(hdr.buffer);
    v.setUint32(0, 0x31584448, true);
    v.setUint32(4, 0x00100000, true); // over the kernel
    v.setUint32(8, 0x00100000, true);
    v.setUint32(12, 0x1000, true);
    const c = bootCos({ disk: cosDisk([{ name: 'evil', data: hdr, executable: true }]) });
    bootText(c);
    expect(run(c, 'motd.txt')).toBe('cos: motd.txt: not an executable (no HDX1 header)\n');
    expect(run(c, 'run motd.txt')).toBe('cos: motd.txt: not an executable (no HDX1 header)\n');
    expect(run(c, 'evil')).toBe(
      'cos: evil: bad executable header (load address, entry or size outside the user region)\n',
    );
  });

  it('edits the line: backspace and DEL erase, CR LF is one line end', () => {
    const c = bootCos();
    bootText(c);
    c.type('helxx\b\x7flo\r\n');
    expect(lf(c.expect(PROMPT))).toBe('helxx\b \b\b \blo\nHello from user mode!\ncos> ');
    c.type('\r');
    expect(lf(c.expect(PROMPT))).toBe('\ncos> ');
  });

  it('mem, uptime and devs', () => {
    const c = bootCos();
    bootText(c);
    expect(run(c, 'mem')).toMatch(/^memory: 32768 KiB total, \d+ KiB used, \d+ KiB free\n$/);
    expect(run(c, 'uptime')).toMatch(/^up \d+\.\d{3} s, 0 processes, \d+ ticks\n$/);
    const devs = run(c, 'devs');
    expect(devs).toContain('   0 memory    memory      0x00000000  0x02000000    -\n');
    expect(devs).toContain('   3 uart0     uart        0xf0000000  0x00001000    1  console\n');
    expect(devs).toContain('   7 intc      intc        0xf0010000  0x00002000    -\n');
    expect(devs).toContain('   9 disk0     disk        0xf0020000  0x00001000    3  boot disk\n');
  });
});

describe('cos date', () => {
  it('date shows the rtc as a UTC date and time, leap days included', () => {
    for (const epoch of [0, 951_782_400, 1_709_251_199, 1_800_000_000, 4_102_444_800 - 1, 4_107_542_400]) {
      const c = bootCos({ rtcEpochSeconds: epoch });
      bootText(c);
      const out = run(c, 'date');
      const when = new Date(epoch * 1000).toISOString().slice(0, 19).replace('T', ' ');
      expect(out).toMatch(new RegExp(`^${when}\\.\\d{3} UTC\\n$`));
    }
  });
});

describe('cos programs', () => {
  it('hello, run hello, and echo with arguments or a typed line', () => {
    const c = bootCos();
    bootText(c);
    expect(run(c, 'run hello')).toBe('Hello from user mode!\n');
    expect(run(c, 'hello')).toBe('Hello from user mode!\n');
    expect(run(c, 'echo one  two three')).toBe('one  two three\n');
    expect(run(c, 'run echo a b')).toBe('a b\n');
    c.type('echo\n');
    c.expect('echo\r\n');
    c.type('typed line\n');
    expect(lf(c.expect(PROMPT))).toBe('typed line\ntyped line\ncos> ');
  });

  it('primes', () => {
    const c = bootCos();
    bootText(c);
    expect(run(c, 'primes')).toBe(
      '2 3 5 7 11 13 17 19 23 29 31 37 41 43 47 53 59 61 67 71 73 79 83 89 97\n' +
        '25 primes below 100\n1229 primes below 10000\n',
    );
  });

  it('a faulting program is killed with a report and the shell goes on', () => {
    const c = bootCos();
    bootText(c);
    const before = run(c, 'mem');
    expect(run(c, 'fault')).toMatch(KILL_FAULT);
    expect(run(c, 'hello')).toBe('Hello from user mode!\n');
    expect(run(c, 'ps')).toBe('  PID STATE  NAME             TICKS\n');
    expect(run(c, 'mem')).toBe(before);
  });

  it('kills any program that faults, whatever the fault, and never faults itself', () => {
    // Each program does one bad thing right away (`li` of a value with a zero low half is one lui).
    const bad: [string, string, RegExp][] = [
      ['illegal', '.word 0', /ILLEGAL_INSTRUCTION at pc 0x00400000, address 0x00000000/],
      ['priv', 'csrr t0, sstatus', /PRIVILEGED_INSTRUCTION at pc 0x00400000/],
      ['wfi', 'wfi', /PRIVILEGED_INSTRUCTION at pc 0x00400000/],
      ['kread', 'li t0, 0x100000\n lw t0, 0(t0)', /LOAD_PAGE_FAULT at pc 0x00400004, address 0x00100000/],
      ['kjump', 'li t0, 0x100000\n jr t0', /FETCH_PAGE_FAULT at pc 0x00100000, address 0x00100000/],
      ['mis', 'li t0, 0x400002\n lw t0, 0(t0)', /MISALIGNED_LOAD at pc 0x00400008, address 0x00400002/],
      ['dev', 'li t0, 0xf0000000\n sw t0, 0(t0)', /STORE_PAGE_FAULT at pc 0x00400004, address 0xf0000000/],
      ['brk', 'brk 7', /BREAKPOINT at pc 0x00400000, address 0x00000007/],
      ['deep', 'li sp, 0x0043c000\n sw zero, -4(sp)', /STORE_PAGE_FAULT at pc 0x00400008, address 0x0043bffc/],
    ];
    const extra = bad.map(([name, code]) => {
      const r = assemble(`.org 0x00400000\n_start:\n ${code}\n`);
      expect(r.ok).toBe(true);
      return { name, data: buildCosExecutable(r.bytes, r.base, r.entry), executable: true };
    });
    const c = bootCos({ disk: cosDisk(extra) });
    bootText(c);
    for (const [name, , report] of bad) {
      const out = run(c, name);
      expect(out).toMatch(/^cos: killed pid \d+ \(fault\): /);
      expect(out).toMatch(report);
    }
    expect(run(c, 'hello')).toBe('Hello from user mode!\n');
  });

  it('checks every user pointer: syscheck gets its error codes', () => {
    const c = bootCos();
    bootText(c);
    expect(run(c, 'syscheck')).toBe('syscheck: 27 checks passed\n');
  });

  it('burner reports iterations, machine time and speed', () => {
    const c = bootCos();
    bootText(c);
    // 1,000,000 iterations of 4 instructions at 250 MHz: 16 ms.
    expect(run(c, 'burner 1000000')).toBe('burner: 1000000 iterations in 16 ms (250.0 Minstr/s)\n');
    // Without an argument: about 2 s of machine time.
    const out = run(c, 'burner', 2_000_000_000);
    const m = /^burner: (\d+) iterations in (\d+) ms \((\d+)\.\d Minstr\/s\)\n$/.exec(out);
    expect(m).not.toBeNull();
    expect(Number(m![2])).toBeGreaterThanOrEqual(2000);
    expect(Number(m![2])).toBeLessThan(2100);
    expect(Number(m![3])).toBeGreaterThan(240);
  });
});

describe('cos processes', () => {
  it('runs a burner in the background; ps shows it, kill ends it, its memory comes back', () => {
    const c = bootCos();
    bootText(c);
    const before = run(c, 'mem');
    expect(run(c, 'run burner &')).toMatch(/^\[(\d+)\] burner\n$/);
    const pid = /\[(\d+)\]/.exec(c.output)![1];
    c.advance(50 * STEP); // let it run a while (0.2 s)
    const ps = run(c, 'ps');
    const row = new RegExp(`^  PID STATE  NAME             TICKS\\n +${pid} ready  burner +(\\d+) &\\n$`).exec(ps);
    expect(row).not.toBeNull();
    expect(Number(row![1])).toBeGreaterThan(5);
    expect(run(c, 'uptime')).toMatch(/^up \d+\.\d{3} s, 1 process, \d+ ticks\n$/);
    expect(run(c, `kill ${pid}`)).toBe(`cos: killed pid ${pid} (burner)\n`);
    expect(run(c, 'ps')).toBe('  PID STATE  NAME             TICKS\n');
    expect(run(c, 'mem')).toBe(before);
    expect(run(c, 'kill 99')).toBe('kill: no process 99\n');
    expect(run(c, 'kill x')).toBe('usage: kill PID\n');
  });

  it('shares the pCPU round-robin among 12 processes and refuses a 17th', () => {
    const c = bootCos();
    bootText(c);
    for (let i = 1; i <= 12; i++) expect(run(c, 'run burner 2000000 &')).toBe(`[${i}] burner\n`);
    c.advance(40 * STEP); // 16 ticks: each has had its turn
    const ps = run(c, 'ps').split('\n').slice(1, -1);
    expect(ps.length).toBe(12);
    // Every one of them has had ticks: the tick preempts, and the next one runs.
    for (const row of ps) expect(Number(/(\d+) &$/.exec(row)![1])).toBeGreaterThan(0);
    for (let i = 13; i <= 16; i++) run(c, 'run echo &'); // background readers wait forever
    expect(run(c, 'hello')).toBe('cos: hello: too many processes (16)\n');
    // Each burner: 8M instructions in a twelfth of the pCPU: about 20 Minstr/s.
    for (let i = 0; i < 12; i++) {
      expect(lf(c.expect(/burner: 2000000 iterations in \d+ ms \(\d+\.\d Minstr\/s\)\r\n/))).toBeTruthy();
    }
    const left = run(c, 'ps').split('\n').slice(1, -1);
    expect(left.map((r) => r.split(/ +/).slice(2, 4).join(' '))).toEqual(Array(4).fill('read echo'));
  });

  it('Ctrl-C ends the foreground program; at the prompt it drops the line', () => {
    const c = bootCos();
    bootText(c);
    c.type('burner\n');
    c.expect('burner\r\n');
    c.advance(20 * STEP);
    c.type('\x03');
    expect(lf(c.expect(PROMPT))).toMatch(/^\^C\ncos: killed pid \d+ \(burner\): interrupted\ncos> $/);
    c.type('hel\x03hello\n');
    expect(lf(c.expect(PROMPT))).toBe('hel^C\ncos> ');
    expect(lf(c.expect(PROMPT))).toBe('hello\nHello from user mode!\ncos> ');
    expect(run(c, 'ps')).toBe('  PID STATE  NAME             TICKS\n');
  });

  it('type-ahead waits for the foreground program, then goes to the shell in order', () => {
    const c = bootCos();
    bootText(c);
    // A script longer than the uart's 256-byte FIFO, typed in pieces as a terminal would.
    const lines = ['burner 200000', 'hello', 'echo one', 'primes', 'echo two', 'fault', 'echo three'];
    const script = (lines.join('\n') + '\n').repeat(3);
    for (let i = 0; i < script.length; i += 100) {
      c.type(script.slice(i, i + 100));
      c.advance(STEP / 4);
    }
    for (let k = 0; k < 3; k++) {
      expect(lf(c.expect(/echo three\r\nthree\r\ncos> /))).toMatch(
        /burner 200000\nburner: 200000 iterations in \d+ ms .*\ncos> hello\nHello from user mode!\ncos> echo one\none\ncos> primes\n2 3 5 [^\n]*\n25 primes below 100\n1229 primes below 10000\ncos> echo two\ntwo\ncos> fault\nabout to fault\ncos: killed pid \d+ \(fault\)[^\n]*\ncos> echo three\nthree\ncos> $/,
      );
    }
  });
});

describe('cos console input', () => {
  it('holds back a flood of type-ahead without an interrupt storm, and loses none of it', () => {
    const c = bootCos();
    bootText(c);
    c.type('burner 3000000\n'); // 12M instructions: 48 ms alone
    c.expect('burner 3000000\r\n');
    // 19 lines of 65 bytes while it runs: more than cos's 1 KiB ring; the uart's FIFO keeps the rest
    // while cos has its interrupt off.
    const line = (i: number) => `echo ${String(i).padStart(2, '0')}${'x'.repeat(57)}\n`;
    for (let i = 0; i < 19; i++) {
      c.type(line(i));
      c.advance(STEP / 10);
    }
    const report = /burner: 3000000 iterations in (\d+) ms/.exec(c.expect(/burner: .*\r\n/));
    expect(Number(report![1])).toBeLessThan(52); // the program was not starved
    expect(c.expect(PROMPT)).toBe(PROMPT);
    for (let i = 0; i < 19; i++) {
      const text = line(i).slice(5, -1);
      expect(lf(c.expect(PROMPT))).toBe(`echo ${text}\n${text}\ncos> `);
    }
    expect(c.machine.uart.metrics.rxDropped).toBe(0);
  });
});

describe('cos stops', () => {
  it('halt powers off with exit code 0', () => {
    const c = bootCos();
    bootText(c);
    c.type('halt\n');
    expect(c.runToStop(100_000_000)).toEqual({ kind: 'exit', exitCode: 0 });
    expect(lf(c.output)).toMatch(/cos> halt\ncos: halt\n$/);
  });

  it('reboot resets the machine: the boot loader comes back and boots cos again', () => {
    const c = bootCos();
    bootText(c);
    run(c, 'hello');
    c.type('reboot\n');
    c.expect('cos: reboot\r\n');
    c.expect('hyperdesk boot loader');
    c.type('\r'); // Enter: boot the default (cos)
    expect(bootText(c)).toBe(BANNER + '32 MiB RAM, 1 pCPU (cos runs on pCPU 0), booted from disk0 partition 1\n');
    expect(run(c, 'hello')).toBe('Hello from user mode!\n');
  });

  it('a fault in the kernel panics with cause, pc and address, and powers off with exit code 1', () => {
    const c = bootCos();
    bootText(c);
    c.type('crash\n');
    expect(c.runToStop(100_000_000)).toEqual({ kind: 'exit', exitCode: 1 });
    expect(lf(c.output)).toMatch(
      /\ncos: PANIC: kernel trap LOAD_PAGE_FAULT at pc 0x0001[0-9a-f]{4}, address 0xdead0000 \(cause 0x6\)\n$/,
    );
  });
});

describe('cos boot info checks', () => {
  /** cos loaded by hand at its load address and started as the firmware would, with a0..a2 given. */
  function handStart(regs: { a0: number; a1: number }, info?: Uint8Array): ConsoleDriver {
    return new ConsoleDriver(
      (console) => {
        const m = new Machine({ cpus: 1, memBytes: 16 * MiB, console, disks: [], rtcEpochSeconds: 0 });
        m.load(cos.base, cos.bytes);
        if (info) m.load(BOOT_INFO_ADDR, info);
        const cpu = m.cpus[0];
        cpu.reset(cos.entry);
        cpu.hdeleg = EXC_DELEGABLE_MASK;
        cpu.hideleg = 7;
        cpu.mode = 1;
        cpu.regs[10] = regs.a0;
        cpu.regs[11] = regs.a1;
        cpu.updateContext();
        return m;
      },
      (m, cycles) => m.run(cycles),
    );
  }

  it('a wrong magic in a1 or in the boot info is reported, and cos stops', () => {
    const c = handStart({ a0: BOOT_INFO_ADDR, a1: 0x12345678 });
    expect(c.runToStop(10_000_000)).toEqual({ kind: 'exit', exitCode: 1 });
    expect(c.output).toBe(
      "cos: not started by a hyperdesk boot loader: a1 is not 'HDBI' (0x49424448) but 0x12345678\r\n",
    );
    const d = handStart({ a0: BOOT_INFO_ADDR, a1: BOOT_INFO_MAGIC }); // no boot info written there
    expect(d.runToStop(10_000_000)).toEqual({ kind: 'exit', exitCode: 1 });
    expect(d.output).toBe("cos: bad boot info: no 'HDBI' magic at 0x00008000\r\n");
  });

  it('runs without a boot disk, and says so', () => {
    const m = new Machine({ cpus: 1, memBytes: 8 * MiB, disks: [] });
    const info = buildBootInfo({
      ramBase: 0,
      ramSize: 16 * MiB,
      cpus: [0],
      tree: m.tree,
      extra: { uart0: [1, 0] },
      bootCpu: 0,
      partitionId: 0,
    });
    const c = handStart({ a0: BOOT_INFO_ADDR, a1: BOOT_INFO_MAGIC }, info);
    expect(lf(c.expect(PROMPT))).toBe(
      BANNER +
        '16 MiB RAM, 1 pCPU (cos runs on pCPU 0), no boot disk\ncos: no file system: the boot info names no boot disk\ncos> ',
    );
    expect(run(c, 'ls')).toBe('ls: no file system\n');
    expect(run(c, 'hello')).toBe("cos: unknown command 'hello' (try help)\n");
  });
});

/**
 * What "cooperative" is for: the same image, unchanged, in a partition that the boot info describes.
 * There is no hypervisor yet, so this test plays one: stage-2 translation gives cos 6 MiB of host
 * memory (at host 32 MiB) as guest-physical 0.., and three device windows: uart1 as its console,
 * sysctl and disk0; no interrupt controller, so cos must poll its console. The boot info says exactly
 * that. Any stage-2 fault (cos touching what is not its own) powers the machine off with 200 + cause.
 */
describe('cos in a partition (stage 2, a boot info of its own)', () => {
  const PART_HOST = 32 * MiB;
  const PART_SIZE = 6 * MiB;
  const HV_CODE = 0x4000;
  const S2_ROOT = 0x10000;
  const [UART1, SYSCTL, DISK0] = [0xf000_3000, 0xf000_1000, 0xf002_0000];

  const hypervisor = `
    .org ${HV_CODE}
    hv_trap:
        csrr  t1, hcause
        addi  t1, t1, 200
        li    t0, 0xF0001000
        sw    t1, 0(t0)
  `;

  /** The partition's view of the I/O tree: uart1, sysctl and the block controller with disk0. */
  function partitionTree(full: IoNode): IoNode {
    const keep = new Set(['uart1', 'sysctl', 'blkctl', 'disk0']);
    const prune = (n: IoNode): IoNode => ({ ...n, children: n.children.filter((ch) => keep.has(ch.id)).map(prune) });
    return prune(full);
  }

  function partition(): ConsoleDriver {
    const hv = assemble(hypervisor);
    expect(hv.ok).toBe(true);
    const image = cosDisk();
    const disk = new MemoryBlockBackend(image.length / BLOCK_SIZE, false, image);
    return new ConsoleDriver(
      (console) => {
        const m = new Machine({ cpus: 1, memBytes: 64 * MiB, console1: console, disks: [disk], rtcEpochSeconds: 0 });
        m.load(hv.base, hv.bytes);
        const s2 = new PageTables(m, S2_ROOT, S2_ROOT + 0x1000);
        s2.mapRange(0, PART_HOST, PART_SIZE, PTE_V | PTE_RWX);
        for (const d of [UART1, SYSCTL, DISK0]) s2.map(d, d, PTE_V | PTE_R | PTE_W);
        m.setDmaDomain('disk0', new DmaTable().map(0, PART_HOST, PART_SIZE, DMA_RW));
        // What a loader does: the image at guest-physical 1 MiB, the boot info at 0x8000.
        m.load(PART_HOST + cos.base, cos.bytes);
        const info = buildBootInfo({
          ramBase: 0,
          ramSize: PART_SIZE,
          cpus: [0],
          tree: partitionTree(standardIoTree({ disks: 1, nics: 1 })),
          extra: { uart1: [1, 0], disk0: [disk.blocks, 0] },
          bootCpu: 0,
          partitionId: 1,
          bootDisk: 'disk0',
          bootPartition: 1,
        });
        m.load(PART_HOST + BOOT_INFO_ADDR, info);
        const cpu = m.cpus[0];
        cpu.reset(cos.entry);
        cpu.htvec = HV_CODE;
        cpu.s2ptbr = S2_ROOT | 1;
        cpu.vmid = 1;
        cpu.hdeleg = EXC_DELEGABLE_MASK;
        cpu.hideleg = 7;
        cpu.mode = 1;
        cpu.regs[10] = BOOT_INFO_ADDR;
        cpu.regs[11] = BOOT_INFO_MAGIC;
        cpu.updateContext();
        return m;
      },
      (m, cycles) => m.run(cycles),
      1,
    );
  }

  it('uses exactly what the boot info gives it: its memory, uart1, no intc', () => {
    const c = partition();
    expect(lf(c.expect(PROMPT))).toBe(
      BANNER + '6 MiB RAM, 1 pCPU (cos runs on pCPU 0), booted from disk0 partition 1\ncos> ',
    );
    expect(run(c, 'mem')).toMatch(/^memory: 6144 KiB total/);
    const devs = run(c, 'devs');
    expect(devs).toContain('uart1     uart        0xf0003000  0x00001000    2  console\n');
    expect(devs).not.toContain('intc');
    expect(run(c, 'cat motd.txt')).toBe(MOTD);
    expect(run(c, 'primes')).toContain('25 primes below 100\n');
    expect(run(c, 'fault')).toMatch(KILL_FAULT);
    expect(run(c, 'syscheck')).toBe('syscheck: 27 checks passed\n');
    expect(run(c, 'run burner 100000 &')).toMatch(/^\[\d+\] burner\n/);
    c.expect(/burner: 100000 iterations/);
    c.type('halt\n');
    expect(c.runToStop(100_000_000)).toEqual({ kind: 'exit', exitCode: 0 });
    expect(c.machine.uarts[0].metrics.txBytes).toBe(0); // nothing on the console it was not given
    // It never touched the host memory after its partition.
    expect(c.machine.mem.readBytes(PART_HOST + PART_SIZE, 4096).every((b) => b === 0)).toBe(true);
  });
});

describe('cos determinism', () => {
  it('the same input gives byte-identical output and the same machine state', () => {
    const script = ['ls', 'run burner 300000 &', 'primes', 'echo a b c', 'ps', 'fault', 'uptime', 'mem', 'halt'];
    const once = () => {
      const c = bootCos();
      bootText(c);
      for (const line of script) {
        c.type(line + '\n');
        c.expect(line + '\r\n');
      }
      const stop = c.runToStop(500_000_000);
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

describe('cos on the default disk', () => {
  it('boots from disks/hyperdesk.img through the boot loader and runs its programs', async () => {
    const c = await bootGuest({ select: 'cos' });
    c.expect('Booting cos 0.1 from disk0 partition 1...\r\n');
    expect(lf(c.expect(PROMPT))).toBe(
      BANNER + '32 MiB RAM, 1 pCPU (cos runs on pCPU 0), booted from disk0 partition 1\ncos> ',
    );
    c.type('cat motd.txt\n');
    expect(lf(c.expect(PROMPT))).toBe(`cat motd.txt\n${MOTD}cos> `);
    c.type('run hello\n');
    expect(lf(c.expect(PROMPT))).toBe('run hello\nHello from user mode!\ncos> ');
    c.type('halt\n');
    expect(c.runToStop(100_000_000)).toEqual({ kind: 'exit', exitCode: 0 });
  });
});
