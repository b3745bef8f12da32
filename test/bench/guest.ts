/**
 * A benchmark guest, set up the way a real one runs (docs/performance.md#method): a supervisor
 * kernel with paging on and a timer tick, a user-mode program on 4 KiB user pages, and stage-2
 * translation placing the whole guest at host-physical 16 MiB. The harness plays the loader and the
 * hypervisor's part: it builds both stages' tables and starts the kernel in supervisor mode.
 */
import { fileURLToPath } from 'node:url';
import { EXC_DELEGABLE_MASK, IRQ } from '../../src/shared/isa/csrs.js';
import { formatDiagnostic } from '../../src/main/asm/index.js';
import { Machine, type StopReport } from '../../src/main/emulator/machine/Machine.js';
import { PTE_R, PTE_U, PTE_V, PTE_W, PTE_X } from '../../src/main/emulator/mmu/pte.js';
import { PageTables } from '../../src/main/emulator/testing/harness.js';
import { assembleFile } from '../../src/main/host/assembleFile.js';

const GUEST_HOST_BASE = 16 << 20;
const S2_ROOT = 0x100000;
const S1_ROOT = 0x10000;
const KERNEL = 0x2000;
const USER_CODE = 0x100000;
const USER_DATA = 0x200000;
const USER_STACK_TOP = 0x400000;
const SYSCTL_PAGE = 0xf0001000;

function build(name: string, defines: Record<string, number>) {
  const path = fileURLToPath(new URL(`./programs/${name}.s`, import.meta.url));
  const r = assembleFile(path, defines);
  if (!r.ok) throw new Error(`${name}: ${r.readError ?? r.diagnostics.map(formatDiagnostic).join('\n')}`);
  return r;
}

export interface GuestResult {
  stop: StopReport | null;
  instructions: number;
  ms: number;
}

/** Build a fresh machine with `program` loaded; return a function that runs it to the end. */
export function prepareGuest(
  program: string,
  defines: Record<string, number>,
  dataBytes: number,
  engine: 'interp' | 'jit' = 'interp',
): () => GuestResult {
  const m = buildGuest(program, defines, dataBytes, engine);
  const cpu = m.cpus[0];
  return () => {
    const t0 = performance.now();
    let stop: StopReport | null = null;
    while (!stop) stop = m.run(50_000_000);
    const ms = performance.now() - t0;
    return { stop, instructions: cpu.instret, ms };
  };
}

/** The machine of a benchmark guest, ready to run (also used by the translator's tests). */
export function buildGuest(
  program: string,
  defines: Record<string, number>,
  dataBytes: number,
  engine: 'interp' | 'jit' = 'interp',
): Machine {
  const kernel = build('kernel', {});
  const prog = build(program, defines);
  const m = new Machine({ cpus: 1, memBytes: 32 << 20, engine });
  // Stage 2: guest-physical [0, 8 MiB) -> host-physical [16, 24) MiB, plus the system controller.
  const s2 = new PageTables(m, S2_ROOT, S2_ROOT + 0x1000);
  const RWX = PTE_V | PTE_R | PTE_W | PTE_X;
  s2.mapSuper(0, GUEST_HOST_BASE, RWX).mapSuper(4 << 20, GUEST_HOST_BASE + (4 << 20), RWX);
  s2.map(SYSCTL_PAGE, SYSCTL_PAGE, PTE_V | PTE_R | PTE_W);
  // Stage 1 (the guest's own tables, in guest-physical memory): kernel, user code, data, stack.
  const s1 = new PageTables(m, S1_ROOT, S1_ROOT + 0x1000, GUEST_HOST_BASE);
  s1.map(KERNEL, KERNEL, RWX);
  s1.map(SYSCTL_PAGE, SYSCTL_PAGE, PTE_V | PTE_R | PTE_W);
  s1.mapRange(USER_CODE, USER_CODE, 0x10000, PTE_V | PTE_R | PTE_X | PTE_U);
  s1.mapRange(USER_DATA, USER_DATA, Math.max(4096, Math.ceil(dataBytes / 4096) * 4096), PTE_V | PTE_R | PTE_W | PTE_U);
  s1.mapRange(USER_STACK_TOP - 0x10000, USER_STACK_TOP - 0x10000, 0x10000, PTE_V | PTE_R | PTE_W | PTE_U);
  m.load(GUEST_HOST_BASE + kernel.base, kernel.bytes);
  m.load(GUEST_HOST_BASE + prog.base, prog.bytes);
  const cpu = m.cpus[0];
  cpu.hdeleg = EXC_DELEGABLE_MASK;
  cpu.hideleg = 1 << IRQ.timer;
  cpu.s2ptbr = S2_ROOT | 1;
  cpu.vmid = 1;
  cpu.ptbr = S1_ROOT | 1;
  cpu.asid = 1;
  cpu.mode = 1;
  cpu.updateContext();
  cpu.pc = kernel.symbols.get('kstart') as number;
  cpu.regs[10] = prog.entry;
  cpu.regs[11] = USER_STACK_TOP;
  return m;
}
