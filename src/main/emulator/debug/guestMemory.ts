/**
 * A guest's memory as its debugger sees it (docs/debugger.md#memory): guest-physical addresses only
 * inside the guest's own memory (a partition's ranges, the whole RAM in dual boot), and
 * guest-virtual addresses through the guest's own page table, walked here in guest-physical memory
 * (docs/isa.md#paging) rather than through a pCPU's MMU. So the debugger can never reach a byte the
 * guest could not: it is no isolation hole (a page-table entry pointing outside the partition reads
 * as "outside its memory").
 */
import type { PhysicalMemory } from '../memory/PhysicalMemory.js';
import { PTE_RWX, PTE_V } from '../mmu/pte.js';

export interface GuestSpace {
  readonly mem: PhysicalMemory;
  /** Host-physical address of a guest-physical byte of the guest's own memory, or undefined. */
  host(gpa: number): number | undefined;
  /** The guest's page-table root register as it sees it (ptbr: root | enable), per vCPU. */
  ptbr(vcpu: number): number;
  /** The guest's name, for messages. */
  readonly name: string;
}

/** Guest-physical address of a guest-virtual one, or why there is none. */
export function virtToPhys(g: GuestSpace, ptbr: number, va: number): number | string {
  const addr = va >>> 0;
  if ((ptbr & 1) === 0) return addr; // translation off: virtual = guest-physical
  const root = (ptbr & ~0xfff) >>> 0;
  const pte1 = readPte(g, (root + ((addr >>> 22) << 2)) >>> 0);
  if (typeof pte1 === 'string') return pte1;
  if ((pte1 & PTE_V) === 0) return `0x${hex(addr)} is not mapped by ${g.name}'s page table`;
  if ((pte1 & PTE_RWX) !== 0) return ((pte1 & 0xffc00000) | (addr & 0x003fffff)) >>> 0;
  const pte2 = readPte(g, (((pte1 & ~0xfff) >>> 0) + (((addr >>> 12) & 0x3ff) << 2)) >>> 0);
  if (typeof pte2 === 'string') return pte2;
  if ((pte2 & PTE_V) === 0 || (pte2 & PTE_RWX) === 0) return `0x${hex(addr)} is not mapped by ${g.name}'s page table`;
  return ((pte2 & ~0xfff) | (addr & 0xfff)) >>> 0;
}

function readPte(g: GuestSpace, gpa: number): number | string {
  const h = g.host(gpa);
  if (h === undefined) return `${g.name}'s page table lies outside its memory (0x${hex(gpa)})`;
  return g.mem.i32[h >>> 2]!;
}

export interface ReadResult {
  bytes: Uint8Array;
  /** Offset of the first byte that could not be read, with the reason (bytes holds those before). */
  unreadableFrom?: number;
  reason?: string;
}

/** Read `length` bytes at a virtual (through vCPU `vcpu`'s page table) or guest-physical address. */
export function readGuest(
  g: GuestSpace,
  space: 'virtual' | 'physical',
  vcpu: number,
  address: number,
  length: number,
): ReadResult {
  const out = new Uint8Array(length);
  for (let i = 0; i < length;) {
    const h = hostOf(g, space, vcpu, (address + i) >>> 0);
    if (typeof h === 'string') return { bytes: out.slice(0, i), unreadableFrom: i, reason: h };
    const n = Math.min(length - i, 4096 - ((address + i) & 0xfff));
    out.set(g.mem.u8.subarray(h, h + n), i);
    i += n;
  }
  return { bytes: out };
}

/** Write bytes; all or nothing: returns an error message when any byte is outside the guest. */
export function writeGuest(
  g: GuestSpace,
  space: 'virtual' | 'physical',
  vcpu: number,
  address: number,
  bytes: Uint8Array,
): string | undefined {
  const pieces: [number, number, number][] = [];
  for (let i = 0; i < bytes.length;) {
    const h = hostOf(g, space, vcpu, (address + i) >>> 0);
    if (typeof h === 'string') return h;
    const n = Math.min(bytes.length - i, 4096 - ((address + i) & 0xfff));
    pieces.push([h, i, n]);
    i += n;
  }
  // writeBytes drops decoded code of the pages written (PhysicalMemory.invalidateCode).
  for (const [h, i, n] of pieces) g.mem.writeBytes(h, bytes.subarray(i, i + n));
  return undefined;
}

/** Host-physical address of one byte (its page is the guest's), or why not. */
export function hostOf(g: GuestSpace, space: 'virtual' | 'physical', vcpu: number, address: number): number | string {
  let gpa = address >>> 0;
  if (space === 'virtual') {
    const r = virtToPhys(g, g.ptbr(vcpu), address);
    if (typeof r === 'string') return r;
    gpa = r;
  }
  const h = g.host(gpa);
  if (h === undefined) return `guest-physical 0x${hex(gpa)} is outside ${g.name}'s memory`;
  return h;
}

export function hex(n: number): string {
  return (n >>> 0).toString(16).padStart(8, '0');
}
