/**
 * The headless command-line tool (`hyperdesk ...`). A face over the host layers: it parses
 * arguments (commander) and calls into asm, the emulator and the web server; it holds no logic of
 * its own beyond wiring files and terminals to them.
 */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import pkg from '../../../package.json' with { type: 'json' };

/** How guest code runs (docs/architecture.md#block-translation); both give the same machine state. */
const engineOption = () =>
  new Option('--engine <kind>', 'interp (the reference interpreter) or jit (the block translator)')
    .choices(['interp', 'jit'])
    .default('interp');

export async function main(argv: string[]): Promise<number> {
  let exitCode = 0;
  const program = new Command()
    .name('hyperdesk')
    .description('hyperdesk: an emulated machine with a virtualizable ISA and a partitioning hypervisor')
    .version(pkg.version, '-V, --version', "print hyperdesk's version")
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s), writeOut: (s) => process.stdout.write(s) });

  program
    .command('asm')
    .description('assemble FILE.s into a flat binary')
    .argument('<file>', 'assembly source')
    .requiredOption('-o, --output <file>', 'binary to write')
    .option('--list <file>', 'write a listing')
    .option('--symbols <file>', 'write a symbol file (default: OUTPUT with .sym)')
    .action(async (file: string, opts: { output: string; list?: string; symbols?: string }) => {
      const { asmCommand } = await import('./asm.js');
      exitCode = await asmCommand(file, opts);
    });

  program
    .command('run')
    .description('run a bare-metal program (FILE.s or FILE.bin) with its console on this terminal')
    .argument('<file>', 'assembly source or flat binary')
    .option('--max-instructions <n>', 'stop after this many instructions', (v) => parseCount(v, '--max-instructions'))
    .option('--base <addr>', 'load address of a .bin file', (v) => parseCount(v, '--base'), 0)
    .option('--cpus <n>', 'number of pCPUs', (v) => parseCount(v, '--cpus'), 1)
    .option('--mem <size>', 'memory size, e.g. 16M', '16M')
    .option('--trace', 'print each instruction executed to stderr')
    .addOption(engineOption())
    .option('--stats', 'print instructions, MIPS, traps by cause and translator counters to stderr at exit')
    .action(async (file: string, opts: RunOptions) => {
      const { runCommand } = await import('./run.js');
      exitCode = await runCommand(file, opts);
    });

  program
    .command('boot')
    .description('power on a machine with disks: the boot loader, then the chosen OS, console on this terminal')
    .option('--mode <mode>', 'dualboot (one OS owns the machine) or hypervisor (ctl and its partitions)', 'dualboot')
    .option(
      '--console <name>',
      'hypervisor mode: attach the terminal to this guest only (default: every console, prefixed; keys go to ctl)',
    )
    .option('--ctl <name>', 'hypervisor mode: the bootable partition that runs as the Controlling OS', 'ctl')
    .option('--pcap <file>', "hypervisor mode: write the virtual bridge's traffic to this pcap file at exit")
    .option('--disk <path...>', 'disk image(s) to attach (default: disks/hyperdesk.img, built when missing)', [])
    .option('--select <name>', 'boot this OS (name, first word of it, or diskN:P) without the menu')
    .option('--cpus <n>', 'number of pCPUs', (v) => parseCount(v, '--cpus'), 1)
    .option('--mem <size>', 'memory size, e.g. 32M', '32M')
    .option('--nics <n>', 'network cards on the board, 0..4 (nic0, nic1, ... under netctl)', (v) =>
      parseCount(v, '--nics'),
    )
    .option('--timeout <s>', 'seconds before the default entry boots', (v) => parseCount(v, '--timeout'), 5)
    .option('--read-only', 'open the disks read-only (guest writes fail)')
    .option('--unpaced', 'run as fast as possible instead of at wall-clock speed')
    .option(
      '--threads',
      'hypervisor mode: run each pCPU on a thread of its own (real SMP; not deterministic, docs/architecture.md#parallel-smp)',
    )
    .addOption(engineOption())
    .option('--restore <name>', 'start from this snapshot of the data folder (docs/snapshots.md)')
    .option('--save-at-exit <name>', 'save the machine as this snapshot when the console detaches or the machine stops')
    .option('--stats', 'print instructions, MIPS, traps by cause and translator counters to stderr at exit')
    .option(
      '--record <name>',
      'record the session (keys and checkpoints) in the data folder; replay it with hyperdesk record replay NAME',
    )
    .action(async (opts: import('./boot.js').BootOptions) => {
      const { bootCommand } = await import('./boot.js');
      exitCode = await bootCommand(opts);
    });

  program
    .command('docs')
    .description('regenerate docs/isa.md from the opcode table')
    .option('--check', 'fail if docs/isa.md is out of date instead of writing it')
    .action(async (opts: { check?: boolean }) => {
      const { docsCommand } = await import('./docs.js');
      exitCode = await docsCommand(opts);
    });

  program
    .command('serve')
    .description('serve the app over HTTP + WebSocket on 127.0.0.1 (the browser mode)')
    .option('--port <n>', 'port (0: any free port)', (v) => parseCount(v, '--port'), 0)
    .option('--no-boot', 'do not boot the demo machine at start (the page has a Boot button)')
    .action(async (opts: { port: number; boot: boolean }) => {
      const { serveCommand } = await import('./serve.js');
      exitCode = await serveCommand(opts);
    });

  program
    .command('dap')
    .description('a Debug Adapter Protocol server on stdin/stdout (VS Code, any DAP client): debug a guest program')
    .option('--port <n>', 'serve on 127.0.0.1:N instead (0: any free port)', (v) => parseCount(v, '--port'))
    .action(async (opts: { port?: number }) => {
      const { dapCommand } = await import('./dap.js');
      exitCode = await dapCommand(opts);
    });

  program
    .command('snapshot')
    .description('whole-machine snapshots of the running session (hyperdesk serve): save|list|restore|rm [NAME]')
    .argument('<action>', 'save NAME | list | restore NAME | rm NAME')
    .argument('[name]', 'the snapshot (1..64 of A-Z a-z 0-9 _ . -)')
    .action(async (action: string, name: string | undefined) => {
      const { snapshotCommand } = await import('./snapshot.js');
      exitCode = await snapshotCommand(action, name);
    });

  program
    .command('record')
    .description(
      'record the running session (hyperdesk serve), replay, seek and step back (docs/recording.md); list and replay also work on recordings of boot --record without a session',
    )
    .argument(
      '<action>',
      'start NAME | stop | list | replay NAME | seek S | seekto G V N [PC] | reverse-step G V [KIND] | forward-step G V [KIND] | reverse-continue G ADDRS',
    )
    .argument('[args...]', "the action's arguments")
    .action(async (action: string, args: string[]) => {
      const { recordCommand } = await import('./record.js');
      exitCode = await recordCommand(action, args);
    });

  program
    .command('disk')
    .description('create, partition and edit disk images (hyperdesk disk --help)')
    .argument(
      '[args...]',
      'create | part | mkfs | ls | put | get | rm | fsck | reset | list | import | delete | attach | detach, and their arguments',
    )
    .allowUnknownOption()
    .helpOption(false)
    .action(async (args: string[]) => {
      const { diskCommand } = await import('./disk.js');
      exitCode = await diskCommand(args);
    });

  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    throw e;
  }
  return exitCode;
}

export interface RunOptions {
  maxInstructions?: number;
  base: number;
  cpus: number;
  mem: string;
  trace?: boolean;
  engine: 'interp' | 'jit';
  stats?: boolean;
}

function parseCount(v: string, flag: string): number {
  const n = Number(v.replace(/_/g, ''));
  if (!Number.isSafeInteger(n) || n < 0) throw new InvalidArgumentError(`${flag} needs a whole number, got '${v}'`);
  return n;
}
