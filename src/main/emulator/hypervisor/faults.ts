/**
 * Fault injection (docs/hypercalls.md#fault-injection): one mechanism for every fault the design
 * covers, so that each containment path can be seen working on a real guest. The hypervisor only
 * makes the fault happen; what contains it is the ordinary machinery (stage 2, the watchdog, the DMA
 * domain, the guest's own kernel, the virtual disk's status), never code written for the lab.
 *
 * - `kernel`: the guest's kernel takes a load page fault at 0xdead0000, as if it had followed a wild
 *   pointer (cos's `crash` does the same by itself). Its own trap handler gets it; cos panics and
 *   shuts its partition down with an error code, and ctl's fault policy decides.
 * - `irqoff`: the kernel's trap entry is overwritten with a jump to itself and the vCPU sent there
 *   with interrupts off: a hung kernel. The watchdog stops it after WATCHDOG_TICKS (M22).
 * - `wild`: a page-table entry of the guest's own table is pointed outside its memory (va 0xffc00000)
 *   and its kernel stores there: stage 2 refuses it and the partition is stopped (M22).
 * - `dma`: its virtual disk is told to DMA block 0 just past the end of its memory: the partition's
 *   DMA domain refuses the transfer (STATUS 3) and nothing is written (M5).
 * - `diskerr`: its virtual disk's next write fails (STATUS 4, an I/O error) and writes nothing.
 * - `fail`: its processor fails (fail-stop): every vCPU stops, the partition is `faulted`.
 * - `crash`: the hypervisor itself crashes (Hypervisor.crashAndRecover, M24).
 */
import { CAUSE, STATUS_IE, STATUS_PIE } from '../../../shared/isa/csrs.js';
import { encode } from '../../../shared/isa/encoding.js';
import { OPCODE_BY_MNEMONIC } from '../../../shared/isa/opcodes.js';
import { DISK_CMD, DISK_CMD_READ, DISK_COUNT, DISK_DMA, DISK_LBA, DISK_STATUS } from '../devices/disk/DiskDevice.js';
import { ADDR } from '../machine/board.js';
import { E, fail, type HvError } from './errors.js';
import type { Partition } from './Partition.js';
import { guestPhysical } from './trapEmulate.js';
import type { Vcpu } from './Vcpu.js';
import type { PhysicalMemory } from '../memory/PhysicalMemory.js';

/** fault_inject's a0, in this order (docs/hypercalls.md#fault-injection). */
export const FAULT_KINDS = ['kernel', 'irqoff', 'wild', 'dma', 'fail', 'crash', 'diskerr'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** The faults that act when the victim's vCPU next runs (they change its kernel's state). */
export type VcpuFault = 'kernel' | 'irqoff' | 'wild';

/** The address the injected kernel fault "loads" from (cos's `crash` uses the same). */
export const KERNEL_FAULT_ADDRESS = 0xdead0000;
/** The virtual address the `wild` fault maps outside the guest's memory (the top 4 MiB). */
export const WILD_ADDRESS = 0xffc00000;
/** Machine cycles between fault_inject(crash) and the crash: ctl has time to answer the command. */
export const CRASH_DELAY_CYCLES = 250_000;

const op = (mnemonic: string, rd: number, rs1: number, rs2: number, imm: number): number =>
  encode(OPCODE_BY_MNEMONIC.get(mnemonic)!, { rd, rs1, rs2, imm });
const T0 = 5;
/** `jal r0, 0`: a jump to itself. */
const SPIN = op('jal', 0, 0, 0, 0);

/** What the injector needs of the hypervisor (kept narrow: the faults change only the victim). */
export interface FaultHost {
  readonly mem: PhysicalMemory;
  writeGuest(p: Partition, gpa: number, bytes: Uint8Array): boolean;
  flushTlb(p: Partition): void;
}

/** The checks before a fault is accepted: the victim must be a running client that can take it. */
export function checkVictim(p: Partition | undefined, id: number, kind: FaultKind): HvError | undefined {
  if (!p || p.state === 'destroyed') return fail(E.NOENT, `no partition ${id}`);
  if (id === 0) return fail(E.INVAL, 'faults are injected into clients, not into ctl');
  if (p.state !== 'running') return fail(E.BUSY, `partition ${id} is not running (${p.state})`);
  if ((kind === 'dma' || kind === 'diskerr') && !p.vbus.find(ADDR.disk0))
    return fail(E.NOENT, `partition ${id} has no virtual disk`);
  return undefined;
}

/** The guest's translation root as its kernel sees it (trap-and-emulate keeps it virtual). */
function guestPtbr(v: Vcpu, p: Partition): number {
  return p.technique === 'trap-emulate' ? (v.te?.vptbr ?? 0) : v.csr.ptbr;
}

/** Write words over the guest's code at virtual address `va` (through its own table); false if unmapped. */
function plant(h: FaultHost, v: Vcpu, p: Partition, va: number, code: number[]): boolean {
  const gpa = guestPhysical(h.mem, p, guestPtbr(v, p), va);
  if (gpa < 0) return false;
  const b = new Uint8Array(code.length * 4);
  const dv = new DataView(b.buffer);
  code.forEach((w, i) => dv.setUint32(i * 4, w >>> 0, true));
  return h.writeGuest(p, gpa, b);
}

/**
 * A vCPU fault, applied to `v`'s saved state just before it runs again. Returns undefined when the
 * guest now runs into the fault, or the reason to contain it at once (a kernel with no trap handler
 * or no code the fault could be planted in).
 */
export function applyVcpuFault(h: FaultHost, v: Vcpu, p: Partition, kind: VcpuFault): string | undefined {
  const entry = v.csr.stvec >>> 0;
  if (entry === 0) return `injected ${kind} fault, and no trap handler (stvec 0)`;
  if (kind === 'kernel') {
    // As the hardware raises a fault in supervisor mode (Hypervisor.reflect): its own handler runs.
    const ie = v.csr.sstatus & STATUS_IE;
    v.csr.sepc = v.pc;
    v.csr.scause = CAUSE.LOAD_PAGE_FAULT;
    v.csr.sbadaddr = KERNEL_FAULT_ADDRESS | 0;
    v.csr.sstatus = (ie ? STATUS_PIE : 0) | (1 << 2);
    v.pc = entry;
    v.mode = 1;
    return undefined;
  }
  if (kind === 'irqoff') {
    if (!plant(h, v, p, entry, [SPIN])) return 'injected irqoff fault: its trap entry is not mapped';
    v.csr.sstatus &= ~(STATUS_IE | STATUS_PIE);
    // It ran with interrupts on (that is what the watchdog watches: a kernel that used them).
    v.sawInterruptsOn = true;
    v.pc = entry;
    v.mode = 1;
    return undefined;
  }
  // wild: its own table gets a 4 MiB leaf pointing outside its memory, and its kernel stores there.
  const ptbr = guestPtbr(v, p);
  if ((ptbr & 1) === 0) return undefined; // refused at injection (checkWild); never reached
  const l1 = ((ptbr & ~0xfff) >>> 0) + (WILD_ADDRESS >>> 22) * 4;
  const pte = new Uint8Array(4);
  new DataView(pte.buffer).setUint32(0, (WILD_ADDRESS | 0x7) >>> 0, true); // V R W, superpage
  if (!h.writeGuest(p, l1, pte)) return 'injected wild fault: its page table lies outside its memory';
  const code = [op('lui', T0, 0, 0, WILD_ADDRESS >>> 16), op('sw', 0, T0, 0, 0), SPIN];
  if (!plant(h, v, p, entry, code)) return 'injected wild fault: its trap entry is not mapped';
  h.flushTlb(p);
  if (v.te) v.te.stale = true;
  v.csr.sstatus &= ~STATUS_IE;
  v.pc = entry;
  v.mode = 1;
  return undefined;
}

/**
 * `wild` needs the guest's own translation on: with it off, a store outside its memory is an access
 * fault the guest handles itself, as a probing OS expects (docs/hypercalls.md#fault-containment-m22).
 */
export function checkWild(v: Vcpu, p: Partition, id: number): HvError | undefined {
  if ((guestPtbr(v, p) & 1) === 0)
    return fail(
      E.INVAL,
      `partition ${id} runs with its translation off: a store outside its memory would be an access fault it handles itself`,
    );
  return undefined;
}

/**
 * `dma`: the partition's virtual disk reads block 0 into guest-physical memory just past its end,
 * through its registers as a driver would; the DMA domain refuses it. Returns the disk's STATUS.
 */
export function injectDma(p: Partition): number {
  const disk = p.vbus.find(ADDR.disk0)!;
  const d = disk.device;
  d.write(DISK_LBA, 4, 0);
  d.write(DISK_COUNT, 4, 1);
  d.write(DISK_DMA, 4, p.memBytes);
  d.write(DISK_CMD, 4, DISK_CMD_READ);
  return d.read(DISK_STATUS, 4) ?? -1;
}
