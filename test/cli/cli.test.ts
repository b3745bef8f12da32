/**
 * The `hyperdesk` command end to end, as a user runs it (a child process, real files, real stdin).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const bin = join(root, 'bin/hyperdesk.js');
const tmp = mkdtempSync(join(tmpdir(), 'hyperdesk-cli-'));

function hd(args: string[], input = '') {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: root, input, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function file(name: string, text: string): string {
  const p = join(tmp, name);
  writeFileSync(p, text);
  return p;
}

describe('hyperdesk run', () => {
  it('runs a program with its console on stdout and exits with its code', () => {
    const r = hd(['run', 'examples/hello.s']);
    expect(r.out).toBe('hello from HD32\n');
    expect(r.code).toBe(0);
  });
  it('feeds stdin to the console', () => {
    const r = hd(['run', 'examples/echo.s'], 'abc\nq');
    expect(r.out).toBe('ABC\n');
    expect(r.code).toBe(0);
  });
  it('reports an unhandled trap with cause, pc and disassembly', () => {
    const p = file('fault.s', '_start:\n  li a0, 0x1000\n  lw a1, 2(a0)\n');
    const r = hd(['run', p]);
    expect(r.code).toBe(128 + 3);
    expect(r.err).toContain('unhandled trap MISALIGNED_LOAD');
    expect(r.err).toContain('at pc 0x00000004: lw a1, 2(a0)');
    expect(r.err).toContain('badaddr 0x00001002');
  });
  it('stops at --max-instructions', () => {
    const p = file('loop.s', '_start: j _start\n');
    const r = hd(['run', p, '--max-instructions', '1000']);
    expect(r.code).toBe(124);
    expect(r.err).toMatch(/stopped after 1000 instructions/);
  });
  it('runs on the block translator with --engine jit, same output, and says what it compiled', () => {
    expect(hd(['run', 'examples/hello.s', '--engine', 'jit'])).toMatchObject({ out: 'hello from HD32\n', code: 0 });
    const p = file('spin.s', '_start: j _start\n');
    const jit = hd(['run', p, '--engine', 'jit', '--max-instructions', '100000']);
    expect(jit.code).toBe(124);
    expect(jit.err).toBe('stopped after 100000 instructions (--max-instructions, translator: 1 region(s) compiled)\n');
    expect(hd(['run', p, '--max-instructions', '1000']).err).toBe(
      'stopped after 1000 instructions (--max-instructions)\n',
    );
    const bad = hd(['run', p, '--engine', 'fast']);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/option '--engine <kind>' argument 'fast' is invalid\. Allowed choices are interp, jit\./);
  });
  it('--stats prints instructions, the rate and traps by cause at exit', () => {
    const loop = hd(['run', file('spin.s', '_start: j _start\n'), '--max-instructions', '5000', '--stats']);
    expect(loop.err).toMatch(/^stats: 5000 instructions in \d+\.\d{3} s \(\d+\.\d\d MIPS\), 1 pCPU, engine interp$/m);
    expect(loop.err).toMatch(/^traps: none$/m);
    const fault = hd(['run', file('fault2.s', '_start:\n  li a0, 0x1000\n  lw a1, 2(a0)\n'), '--stats']);
    expect(fault.err).toMatch(/^traps: MISALIGNED_LOAD 1$/m);
    expect(fault.code).toBe(128 + 3);
  });
  it('rejects bad options and missing files clearly', () => {
    expect(hd(['run', 'nope.s']).err).toMatch(/nope\.s: error: cannot read file: ENOENT/);
    const r = hd(['run', 'examples/hello.s', '--mem', 'lots']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--mem needs a size/);
  });
});

describe('hyperdesk --version', () => {
  it("prints package.json's version", () => {
    const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
    for (const flag of ['--version', '-V']) expect(hd([flag])).toMatchObject({ out: `${version}\n`, code: 0 });
  });
});

describe('a reader that closes the pipe early', () => {
  it('ends the command quietly, without an EPIPE stack trace', () => {
    // `head -c 1` reads one byte and exits while the program is still printing its 200,000.
    const loud = file(
      'loud.s',
      '_start:\n  li t0, 0xf0000000\n  li t1, 200000\n  li t2, 65\n1:\n  sw t2, 0(t0)\n  addi t1, t1, -1\n  bnez t1, 1b\n  li t0, 0xf0001000\n  sw zero, 0(t0)\n',
    );
    const r = spawnSync('sh', ['-c', `"${process.execPath}" "${bin}" run "${loud}" | head -c 1`], {
      cwd: root,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.stdout.length).toBe(1);
    expect(r.stderr).not.toMatch(/EPIPE|Unhandled 'error' event/);
  });
});

describe('hyperdesk asm', () => {
  it('writes the binary, symbols and listing', () => {
    const out = join(tmp, 'hello.bin');
    const r = hd(['asm', 'examples/hello.s', '-o', out, '--list', join(tmp, 'hello.lst')]);
    expect(r.code).toBe(0);
    const bin = readFileSync(out);
    expect(bin.length).toBeGreaterThan(40);
    expect(readFileSync(join(tmp, 'hello.sym'), 'utf8')).toMatch(/^0000002c message label$/m);
    expect(readFileSync(join(tmp, 'hello.lst'), 'utf8')).toContain('la    s0, message');
    const run = hd(['run', out]);
    expect(run.out).toBe('hello from HD32\n');
  });
  it('reports every error as file:line:col and writes nothing', () => {
    const src = file('bad.s', '_start: addx a0, a1\n  li a0, 0x1ffff\n  addi a0, a0, 99999\n');
    const out = join(tmp, 'bad.bin');
    const r = hd(['asm', src, '-o', out]);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`${src}:1:9: error: unknown instruction 'addx'`);
    expect(r.err).toContain(`${src}:3:16: error: immediate 99999 out of range -32768..32767`);
    expect(existsSync(out)).toBe(false);
  });
});

describe('hyperdesk boot', () => {
  it('boots the selected OS from the default disk, takes console input, exits 0 on halt', () => {
    const r = hd(['boot', '--select', 'swos'], 'ver\rhalt\r');
    expect(r.out).toContain('Booting swos 1.0 from disk0 partition 2');
    expect(r.out).toContain('swos$ ver\r\nswos 1.0');
    expect(r.code).toBe(0);
  });
  it('--stats counts the booted OS: its instructions and the traps it took, by cause', () => {
    const r = hd(['boot', '--select', 'swos', '--unpaced', '--stats'], 'ver\rhalt\r');
    expect(r.code).toBe(0);
    const m = /^stats: (\d+) instructions in \d+\.\d{3} s \([\d.]+ MIPS\), 1 pCPU, engine interp$/m.exec(r.err);
    expect(Number(m?.[1])).toBeGreaterThan(10_000);
    // swos probes for RAM and devices (resources/swos/probe.s): "nothing there" is an ACCESS_FAULT it handles.
    expect(r.err).toMatch(/^traps: ([A-Z_]+ [1-9]\d*)(, [A-Z_]+ [1-9]\d*)*$/m);
    expect(r.err).toMatch(/\bACCESS_FAULT [1-9]\d*/);
  });
  it('says clearly when a disk cannot be opened', () => {
    const r = hd(['boot', '--disk', join(tmp, 'missing.img')]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/missing\.img: cannot open: ENOENT/);
  });
  it('refuses an unknown mode', () => {
    const r = hd(['boot', '--mode', 'turbo']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--mode must be dualboot or hypervisor/);
  });
  it('hypervisor mode runs the Controlling OS with its console prefixed by name', () => {
    const r = hd(['boot', '--mode', 'hypervisor', '--ctl', 'cos', '--unpaced'], 'mem\rhalt\r');
    expect(r.out).toMatch(/^cos +\| cos 0\.1 \(cooperative OS\) on hyperdesk$/m);
    expect(r.out).toMatch(/^cos +\| memory: 31744 KiB total/m);
    expect(r.code).toBe(0);
  });
  it('--threads runs the pCPUs on threads of their own: ctl and its clients come up and answer', () => {
    const r = hd(
      ['boot', '--mode', 'hypervisor', '--cpus', '2', '--mem', '64M', '--threads', '--unpaced'],
      'parts\rhalt\r',
    );
    expect(r.out).toMatch(/^ctl +\| +1 cos +running/m);
    expect(r.out).toMatch(/^ctl +\| +2 swos +running/m);
    expect(r.out).toMatch(/^ctl +\| +3 cos2 +running/m);
    expect(r.out).toMatch(/^swos +\| swos\$ /m);
    expect(r.code).toBe(0);
  });
});

describe('console input from a pipe', () => {
  it('a paste longer than the UART FIFO reaches the guest whole', () => {
    const lines = Array.from(
      { length: 40 },
      (_, i) => `echo line ${i} of a long paste, longer than the receive fifo\r`,
    ).join('');
    const r = hd(['boot', '--select', 'cos', '--unpaced'], lines + 'halt\r');
    expect(r.out.match(/^line \d+ of a long paste/gm)?.length).toBe(40);
    expect(r.code).toBe(0);
  });
});
