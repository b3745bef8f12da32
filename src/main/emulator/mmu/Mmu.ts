/**
 * Address translation (docs/isa.md#paging): stage 1 (virtual -> guest-physical, owned by the
 * supervisor through ptbr/asid) and stage 2 (guest-physical -> host-physical, owned by the hypervisor
 * through s2ptbr/vmid), both two-level tables of 4 KiB pages with optional 4 MiB superpages. Stage-1
 * table walks are themselves stage-2 translated, so a guest cannot use its page tables to reach
 * memory outside its partition (M4).
 *
 * Faults are values: `translate` returns a cause code (or -1 for success) and fills `out`; nothing
 * here throws on guest input.
 */
import { CAUSE } from '../../../shared/isa/csrs.js';
import type { PhysicalMemory } from '../memory/PhysicalMemory.js';
import { ACCESS_EXEC, ACCESS_WRITE, PTE_G, PTE_R, PTE_RWX, PTE_U, PTE_V, PTE_W, PTE_X, type Access } from './pte.js';

/** The translation context: what the CPU's control registers say. */
export interface MmuContext {
  mode: number;
  /** ptbr: root | enable. */
  ptbr: number;
  /** s2ptbr: root | enable (only honoured below hypervisor mode). */
  s2ptbr: number;
}

export interface Translation {
  /** Host-physical address. */
  hpa: number;
  /** Guest-physical address (after stage 1). */
  gpa: number;
  /** Effective permissions of the page in this context (PTE_R|PTE_W|PTE_X), both stages combined. */
  perms: number;
  global: boolean;
}

const PAGE_FAULT = [CAUSE.LOAD_PAGE_FAULT, CAUSE.STORE_PAGE_FAULT, CAUSE.FETCH_PAGE_FAULT];
const GUEST_FAULT = [CAUSE.GUEST_LOAD_FAULT, CAUSE.GUEST_STORE_FAULT, CAUSE.GUEST_FETCH_FAULT];
const NEED = [PTE_R, PTE_W, PTE_X];

export class Mmu {
  /** Guest-physical address of the last stage-2 fault (for hgpa). */
  faultGpa = 0;
  walks = 0;

  constructor(private readonly mem: PhysicalMemory) {}

  private readPte(hpa: number): number | undefined {
    if (!this.mem.isRam(hpa) || (hpa & 3) !== 0) return undefined;
    return this.mem.i32[hpa >>> 2];
  }

  /**
   * Stage 2: gpa -> hpa. Returns the leaf permissions (R|W|X), or -1 when the gpa is unmapped.
   * `out.hpa` gets the host-physical address.
   */
  private stage2(gpa: number, s2ptbr: number, out: { hpa: number }): number {
    if ((s2ptbr & 1) === 0) {
      out.hpa = gpa >>> 0;
      return PTE_RWX;
    }
    const root = (s2ptbr & ~0xfff) >>> 0;
    const pte1 = this.readPte((root + ((gpa >>> 22) << 2)) >>> 0);
    if (pte1 === undefined || (pte1 & PTE_V) === 0) return -1;
    if ((pte1 & PTE_RWX) !== 0) {
      if ((pte1 & 0x003ff000) !== 0) return -1;
      out.hpa = ((pte1 & 0xffc00000) | (gpa & 0x003fffff)) >>> 0;
      return pte1 & PTE_RWX;
    }
    const pte2 = this.readPte((((pte1 & ~0xfff) >>> 0) + (((gpa >>> 12) & 0x3ff) << 2)) >>> 0);
    if (pte2 === undefined || (pte2 & PTE_V) === 0 || (pte2 & PTE_RWX) === 0) return -1;
    out.hpa = ((pte2 & ~0xfff) | (gpa & 0xfff)) >>> 0;
    return pte2 & PTE_RWX;
  }

  private readonly s2out = { hpa: 0 };

  /** Read a stage-1 PTE at a guest-physical address, through stage 2. Undefined = guest fault. */
  private readGuestPte(gpa: number, s2ptbr: number): number | undefined | null {
    const p = this.stage2(gpa, s2ptbr, this.s2out);
    if (p < 0 || (p & PTE_R) === 0) {
      this.faultGpa = gpa >>> 0;
      return null; // stage-2 fault
    }
    return this.readPte(this.s2out.hpa);
  }

  /**
   * Translate `va` for `access` in context `ctx`. Returns -1 and fills `out` on success, else the
   * trap cause (page fault, guest fault, or ACCESS_FAULT when a page table lies outside RAM).
   */
  translate(va: number, access: Access, ctx: MmuContext, out: Translation): number {
    this.walks++;
    const addr = va >>> 0;
    if (ctx.mode === 2) {
      out.hpa = addr;
      out.gpa = addr;
      out.perms = PTE_RWX;
      out.global = true;
      return -1;
    }
    let gpa = addr;
    let perms1 = PTE_RWX;
    let global = false;
    if ((ctx.ptbr & 1) !== 0) {
      const root = (ctx.ptbr & ~0xfff) >>> 0;
      let pte = this.readGuestPte((root + ((addr >>> 22) << 2)) >>> 0, ctx.s2ptbr);
      if (pte === null) return GUEST_FAULT[access];
      if (pte === undefined) return CAUSE.ACCESS_FAULT;
      if ((pte & PTE_V) === 0) return PAGE_FAULT[access];
      if ((pte & PTE_RWX) !== 0) {
        if ((pte & 0x003ff000) !== 0) return PAGE_FAULT[access];
        gpa = ((pte & 0xffc00000) | (addr & 0x003fffff)) >>> 0;
      } else {
        pte = this.readGuestPte((((pte & ~0xfff) >>> 0) + (((addr >>> 12) & 0x3ff) << 2)) >>> 0, ctx.s2ptbr);
        if (pte === null) return GUEST_FAULT[access];
        if (pte === undefined) return CAUSE.ACCESS_FAULT;
        if ((pte & PTE_V) === 0 || (pte & PTE_RWX) === 0) return PAGE_FAULT[access];
        gpa = ((pte & ~0xfff) | (addr & 0xfff)) >>> 0;
      }
      global = (pte & PTE_G) !== 0;
      perms1 = pte & PTE_RWX;
      // User rules: user mode needs U; supervisor may read/write user pages but never execute them.
      if (ctx.mode === 0) {
        if ((pte & PTE_U) === 0) perms1 = 0;
      } else if ((pte & PTE_U) !== 0) {
        perms1 &= ~PTE_X;
      }
      if ((perms1 & NEED[access]) === 0) return PAGE_FAULT[access];
    }
    const perms2 = this.stage2(gpa, ctx.s2ptbr, this.s2out);
    if (perms2 < 0 || (perms2 & NEED[access]) === 0) {
      this.faultGpa = gpa;
      return GUEST_FAULT[access];
    }
    out.hpa = this.s2out.hpa;
    out.gpa = gpa;
    out.perms = perms1 & perms2;
    out.global = global;
    return -1;
  }
}

export { ACCESS_EXEC, ACCESS_WRITE };
