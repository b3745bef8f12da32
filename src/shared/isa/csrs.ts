/**
 * Control registers and trap causes of HD32: the second half of the one ISA table
 * (docs/isa.md#control-registers, docs/isa.md#traps). Every control register is sensitive: reading
 * one reveals the configuration of the machine, writing one changes it. So every one is privileged:
 * an access below `read` (or `write`) traps with PRIVILEGED_INSTRUCTION and the instruction word in
 * badaddr, never silently ignored (the POPF mistake, ../notes/virtualizability.md).
 */
import type { Mode } from './opcodes.js';

export interface CsrInfo {
  readonly name: string;
  readonly number: number;
  /** Lowest mode that may read it. */
  readonly read: Mode;
  /** Lowest mode that may write it, or null when it is read-only (a write is ILLEGAL_INSTRUCTION). */
  readonly write: Mode | null;
  /** Bits software may change; other bits read as the hardware sets them. */
  readonly writableMask: number;
  readonly doc: string;
}

const S = 1 as const;
const H = 2 as const;
const ALL = 0xffffffff | 0;

export const CSR = {
  sstatus: 0x100,
  stvec: 0x101,
  sepc: 0x102,
  scause: 0x103,
  sbadaddr: 0x104,
  sscratch: 0x105,
  ptbr: 0x106,
  asid: 0x107,
  timecmp: 0x108,
  sie: 0x109,
  sip: 0x10a,
  cycle: 0x10b,
  cycleh: 0x10c,
  instret: 0x10d,
  instreth: 0x10e,
  cpuid: 0x10f,
  hstatus: 0x200,
  htvec: 0x201,
  hepc: 0x202,
  hcause: 0x203,
  hbadaddr: 0x204,
  hscratch: 0x205,
  hdeleg: 0x206,
  hideleg: 0x207,
  s2ptbr: 0x208,
  vmid: 0x209,
  hgpa: 0x20a,
  htimecmp: 0x20b,
  hcycle: 0x20c,
  hcycleh: 0x20d,
  hie: 0x20e,
  hip: 0x20f,
  hvip: 0x210,
  hvcpuid: 0x211,
} as const;
export type CsrName = keyof typeof CSR;

/** sstatus / hstatus bits. */
export const STATUS_IE = 1 << 0;
export const STATUS_PIE = 1 << 1;
/** Previous mode: sstatus bit 2 (0 = user, 1 = supervisor); hstatus bits 3:2 (0..2). */
export const STATUS_PM_SHIFT = 2;
/** hstatus.TW: wfi in supervisor mode traps to the hypervisor (so an idle guest yields its pCPU). */
export const HSTATUS_TW = 1 << 4;
/**
 * hstatus.TE: trap-and-emulate. Supervisor-level control-register accesses, eret and tlbflush in
 * supervisor mode trap to the hypervisor (PRIVILEGED_INSTRUCTION, the word in hbadaddr), so a
 * hypervisor can run a guest kernel that owns no sensitive state (docs/hypercalls.md).
 */
export const HSTATUS_TE = 1 << 5;

/** Page-table base registers (ptbr, s2ptbr): bit 0 enables, bits 31:12 hold the root table address. */
export const PTBR_ENABLE = 1;

/** Interrupt lines: bit numbers in sie/sip/hie/hip/hideleg, and the low bits of an interrupt cause. */
export const IRQ = { timer: 0, external: 1, ipi: 2, htimer: 3 } as const;
export const IRQ_NAMES = ['timer', 'external', 'ipi', 'htimer'] as const;
/** Lines the hypervisor may delegate to the supervisor; htimer never is (M16: a guest cannot mask it). */
export const IRQ_DELEGABLE_MASK = 0b0111;

export const CSRS: readonly CsrInfo[] = [
  {
    name: 'sstatus',
    number: CSR.sstatus,
    read: S,
    write: S,
    writableMask: 0b111,
    doc: 'IE (bit 0), PIE (bit 1), PM previous mode (bit 2)',
  },
  { name: 'stvec', number: CSR.stvec, read: S, write: S, writableMask: ~3, doc: 'supervisor trap vector (4-aligned)' },
  {
    name: 'sepc',
    number: CSR.sepc,
    read: S,
    write: S,
    writableMask: ALL,
    doc: 'pc of the instruction that trapped to the supervisor',
  },
  {
    name: 'scause',
    number: CSR.scause,
    read: S,
    write: S,
    writableMask: ALL,
    doc: 'cause of the last trap to the supervisor (bit 31: interrupt)',
  },
  {
    name: 'sbadaddr',
    number: CSR.sbadaddr,
    read: S,
    write: S,
    writableMask: ALL,
    doc: 'faulting address, or the instruction word, or the trap code',
  },
  {
    name: 'sscratch',
    number: CSR.sscratch,
    read: S,
    write: S,
    writableMask: ALL,
    doc: 'scratch word for the supervisor trap handler',
  },
  {
    name: 'ptbr',
    number: CSR.ptbr,
    read: S,
    write: S,
    writableMask: ~0xffe,
    doc: 'stage-1 page-table root (bits 31:12) and enable (bit 0)',
  },
  {
    name: 'asid',
    number: CSR.asid,
    read: S,
    write: S,
    writableMask: 0xff,
    doc: 'address-space id (8 bits) that tags stage-1 TLB entries',
  },
  {
    name: 'timecmp',
    number: CSR.timecmp,
    read: S,
    write: S,
    writableMask: ALL,
    doc: 'timer compare: the timer interrupt fires when cycle reaches it; a write re-arms',
  },
  {
    name: 'sie',
    number: CSR.sie,
    read: S,
    write: S,
    writableMask: IRQ_DELEGABLE_MASK,
    doc: 'supervisor interrupt enables (timer, external, ipi)',
  },
  {
    name: 'sip',
    number: CSR.sip,
    read: S,
    write: S,
    writableMask: 1 << IRQ.ipi,
    doc: 'pending interrupts (timer, external, ipi); writing 0 to ipi clears it',
  },
  {
    name: 'cycle',
    number: CSR.cycle,
    read: S,
    write: H,
    writableMask: ALL,
    doc: 'cycles, low word (one per instruction, plus idle time); the hypervisor virtualizes it',
  },
  { name: 'cycleh', number: CSR.cycleh, read: S, write: H, writableMask: ALL, doc: 'cycles, high word' },
  {
    name: 'instret',
    number: CSR.instret,
    read: S,
    write: H,
    writableMask: ALL,
    doc: 'instructions retired, low word; the hypervisor virtualizes it',
  },
  {
    name: 'instreth',
    number: CSR.instreth,
    read: S,
    write: H,
    writableMask: ALL,
    doc: 'instructions retired, high word',
  },
  {
    name: 'cpuid',
    number: CSR.cpuid,
    read: S,
    write: null,
    writableMask: 0,
    doc: 'this processor’s number; below hypervisor mode, hvcpuid (so a guest sees its vCPU number)',
  },
  {
    name: 'hstatus',
    number: CSR.hstatus,
    read: H,
    write: H,
    writableMask: 0b111111,
    doc: 'IE (0), PIE (1), PM previous mode (3:2), TW trap wfi (4), TE trap supervisor CSR accesses, eret and tlbflush (5)',
  },
  { name: 'htvec', number: CSR.htvec, read: H, write: H, writableMask: ~3, doc: 'hypervisor trap vector (4-aligned)' },
  {
    name: 'hepc',
    number: CSR.hepc,
    read: H,
    write: H,
    writableMask: ALL,
    doc: 'pc of the instruction that trapped to the hypervisor',
  },
  {
    name: 'hcause',
    number: CSR.hcause,
    read: H,
    write: H,
    writableMask: ALL,
    doc: 'cause of the last trap to the hypervisor',
  },
  {
    name: 'hbadaddr',
    number: CSR.hbadaddr,
    read: H,
    write: H,
    writableMask: ALL,
    doc: 'faulting (virtual) address, instruction word or trap code',
  },
  {
    name: 'hscratch',
    number: CSR.hscratch,
    read: H,
    write: H,
    writableMask: ALL,
    doc: 'scratch word for the hypervisor trap handler',
  },
  {
    name: 'hdeleg',
    number: CSR.hdeleg,
    read: H,
    write: H,
    writableMask: 0x45ff,
    doc: 'exception causes delegated to the supervisor (bit per cause)',
  },
  {
    name: 'hideleg',
    number: CSR.hideleg,
    read: H,
    write: H,
    writableMask: IRQ_DELEGABLE_MASK,
    doc: 'interrupt lines delegated to the supervisor',
  },
  {
    name: 's2ptbr',
    number: CSR.s2ptbr,
    read: H,
    write: H,
    writableMask: ~0xffe,
    doc: 'stage-2 (guest-physical to host-physical) root and enable',
  },
  {
    name: 'vmid',
    number: CSR.vmid,
    read: H,
    write: H,
    writableMask: 0xff,
    doc: 'virtual-machine id (8 bits) that tags TLB entries',
  },
  {
    name: 'hgpa',
    number: CSR.hgpa,
    read: H,
    write: H,
    writableMask: ALL,
    doc: 'guest-physical address of the last stage-2 fault',
  },
  {
    name: 'htimecmp',
    number: CSR.htimecmp,
    read: H,
    write: H,
    writableMask: ALL,
    doc: 'hypervisor timer compare (against hcycle); a write re-arms',
  },
  {
    name: 'hcycle',
    number: CSR.hcycle,
    read: H,
    write: null,
    writableMask: 0,
    doc: 'real cycles of this pCPU, low word (never virtualized)',
  },
  { name: 'hcycleh', number: CSR.hcycleh, read: H, write: null, writableMask: 0, doc: 'real cycles, high word' },
  {
    name: 'hie',
    number: CSR.hie,
    read: H,
    write: H,
    writableMask: 0b1111,
    doc: 'hypervisor interrupt enables (timer, external, ipi, htimer)',
  },
  {
    name: 'hip',
    number: CSR.hip,
    read: H,
    write: H,
    writableMask: 1 << IRQ.ipi,
    doc: 'pending interrupt lines; writing 0 to ipi clears it',
  },
  {
    name: 'hvip',
    number: CSR.hvip,
    read: H,
    write: H,
    writableMask: IRQ_DELEGABLE_MASK,
    doc: 'virtual interrupt lines the hypervisor injects into the supervisor (whatever hideleg says)',
  },
  {
    name: 'hvcpuid',
    number: CSR.hvcpuid,
    read: H,
    write: H,
    writableMask: ALL,
    doc: 'the processor number that cpuid gives below hypervisor mode (the vCPU’s; reset: the pCPU’s own)',
  },
];

export const CSR_BY_NUMBER: ReadonlyMap<number, CsrInfo> = new Map(CSRS.map((c) => [c.number, c]));
export const CSR_BY_NAME: ReadonlyMap<string, CsrInfo> = new Map(CSRS.map((c) => [c.name, c]));

export interface CauseInfo {
  readonly name: string;
  readonly code: number;
  readonly interrupt: boolean;
  /** Whether hdeleg/hideleg may send it to the supervisor. */
  readonly delegable: boolean;
  /** What badaddr holds when it is taken. */
  readonly badaddr: string;
  readonly doc: string;
}

export const CAUSE = {
  ILLEGAL_INSTRUCTION: 0,
  PRIVILEGED_INSTRUCTION: 1,
  MISALIGNED_FETCH: 2,
  MISALIGNED_LOAD: 3,
  MISALIGNED_STORE: 4,
  FETCH_PAGE_FAULT: 5,
  LOAD_PAGE_FAULT: 6,
  STORE_PAGE_FAULT: 7,
  SYSCALL: 8,
  HYPERCALL: 9,
  BREAKPOINT: 10,
  GUEST_FETCH_FAULT: 11,
  GUEST_LOAD_FAULT: 12,
  GUEST_STORE_FAULT: 13,
  ACCESS_FAULT: 14,
  INTERRUPT_TIMER: 0x80000000 | IRQ.timer | 0,
  INTERRUPT_EXTERNAL: 0x80000000 | IRQ.external | 0,
  INTERRUPT_IPI: 0x80000000 | IRQ.ipi | 0,
  INTERRUPT_HTIMER: 0x80000000 | IRQ.htimer | 0,
} as const;

export const CAUSES: readonly CauseInfo[] = [
  {
    name: 'ILLEGAL_INSTRUCTION',
    code: 0,
    interrupt: false,
    delegable: true,
    badaddr: 'instruction word',
    doc: 'unassigned opcode, stray bits, unknown or read-only control register',
  },
  {
    name: 'PRIVILEGED_INSTRUCTION',
    code: 1,
    interrupt: false,
    delegable: true,
    badaddr: 'instruction word',
    doc: 'a sensitive instruction or control-register access below its mode',
  },
  {
    name: 'MISALIGNED_FETCH',
    code: 2,
    interrupt: false,
    delegable: true,
    badaddr: 'the pc',
    doc: 'a jump or trap return to a pc that is not 4-aligned',
  },
  {
    name: 'MISALIGNED_LOAD',
    code: 3,
    interrupt: false,
    delegable: true,
    badaddr: 'virtual address',
    doc: 'a halfword or word load (or atomic) at an unaligned address',
  },
  {
    name: 'MISALIGNED_STORE',
    code: 4,
    interrupt: false,
    delegable: true,
    badaddr: 'virtual address',
    doc: 'a halfword or word store (or atomic) at an unaligned address',
  },
  {
    name: 'FETCH_PAGE_FAULT',
    code: 5,
    interrupt: false,
    delegable: true,
    badaddr: 'virtual address',
    doc: 'stage-1 translation for execute failed (invalid, not X, or U rules)',
  },
  {
    name: 'LOAD_PAGE_FAULT',
    code: 6,
    interrupt: false,
    delegable: true,
    badaddr: 'virtual address',
    doc: 'stage-1 translation for read failed',
  },
  {
    name: 'STORE_PAGE_FAULT',
    code: 7,
    interrupt: false,
    delegable: true,
    badaddr: 'virtual address',
    doc: 'stage-1 translation for write failed (atomics count as writes)',
  },
  {
    name: 'SYSCALL',
    code: 8,
    interrupt: false,
    delegable: true,
    badaddr: 'the syscall code',
    doc: 'syscall instruction',
  },
  {
    name: 'HYPERCALL',
    code: 9,
    interrupt: false,
    delegable: false,
    badaddr: 'the hypercall code',
    doc: 'hypercall instruction; always to the hypervisor',
  },
  { name: 'BREAKPOINT', code: 10, interrupt: false, delegable: true, badaddr: 'the brk code', doc: 'brk instruction' },
  {
    name: 'GUEST_FETCH_FAULT',
    code: 11,
    interrupt: false,
    delegable: false,
    badaddr: 'virtual address (hgpa: guest-physical)',
    doc: 'stage-2 translation for execute failed',
  },
  {
    name: 'GUEST_LOAD_FAULT',
    code: 12,
    interrupt: false,
    delegable: false,
    badaddr: 'virtual address (hgpa: guest-physical)',
    doc: 'stage-2 translation for read failed (page-table walks included)',
  },
  {
    name: 'GUEST_STORE_FAULT',
    code: 13,
    interrupt: false,
    delegable: false,
    badaddr: 'virtual address (hgpa: guest-physical)',
    doc: 'stage-2 translation for write failed',
  },
  {
    name: 'ACCESS_FAULT',
    code: 14,
    interrupt: false,
    delegable: true,
    badaddr: 'virtual address',
    doc: 'the physical address holds neither memory nor a device register',
  },
  {
    name: 'INTERRUPT_TIMER',
    code: CAUSE.INTERRUPT_TIMER,
    interrupt: true,
    delegable: true,
    badaddr: '0',
    doc: 'cycle reached timecmp',
  },
  {
    name: 'INTERRUPT_EXTERNAL',
    code: CAUSE.INTERRUPT_EXTERNAL,
    interrupt: true,
    delegable: true,
    badaddr: '0',
    doc: 'a device interrupt (from the interrupt controller)',
  },
  {
    name: 'INTERRUPT_IPI',
    code: CAUSE.INTERRUPT_IPI,
    interrupt: true,
    delegable: true,
    badaddr: '0',
    doc: 'an inter-processor interrupt',
  },
  {
    name: 'INTERRUPT_HTIMER',
    code: CAUSE.INTERRUPT_HTIMER,
    interrupt: true,
    delegable: false,
    badaddr: '0',
    doc: 'hcycle reached htimecmp; never delegated',
  },
];

/** Exception causes hdeleg may delegate (bit per code). */
export const EXC_DELEGABLE_MASK = CAUSES.filter((c) => !c.interrupt && c.delegable).reduce(
  (m, c) => m | (1 << c.code),
  0,
);

export function causeName(code: number): string {
  return CAUSES.find((c) => c.code === (code | 0))?.name ?? `cause ${code >>> 0}`;
}
