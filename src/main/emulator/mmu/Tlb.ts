/**
 * The TLB of one pCPU (docs/isa.md#tlb): direct-mapped, caching the whole two-stage translation of a
 * page (virtual page -> host-physical page) together with the permissions the current context has.
 *
 * Each entry is tagged with a context that folds in everything a translation depends on: mode
 * (hypervisor / supervisor / user), whether stage 1 and stage 2 are on, the ASID and the VMID. The
 * CPU numbers the contexts it meets 1..4094 (see Cpu.updateContext) and the tag is
 * `id << 20 | vpn`, an int32, so one integer comparison checks page and context. Separate
 * tag arrays for read, write and execute mean a hit already implies the permission: the interpreter's
 * fast path is one compare and one add. Flushes follow the instructions: tlbflush (page and/or ASID,
 * current VMID, sparing global pages when flushing by ASID) and hflush (a VMID, or all).
 */
import type { CodePageListener } from '../memory/PhysicalMemory.js';

export const TLB_SIZE = 1024;
export const TLB_MASK = TLB_SIZE - 1;
/** Context ids the tag can hold (1..4094; 4095 << 20 | 0xfffff would be -1, the empty tag). */
export const MAX_CONTEXT_IDS = 4094;

export class Tlb implements CodePageListener {
  /** Tag per entry for reads, writes and executes; -1 = empty. */
  readonly rTag = new Int32Array(TLB_SIZE).fill(-1);
  readonly wTag = new Int32Array(TLB_SIZE).fill(-1);
  readonly xTag = new Int32Array(TLB_SIZE).fill(-1);
  /** Host-physical byte address of the page. */
  readonly base = new Int32Array(TLB_SIZE);
  readonly vpn = new Int32Array(TLB_SIZE);
  /** For flushes: asid, vmid, global flag, and whether the context had stage 1 on. */
  readonly asid = new Int32Array(TLB_SIZE);
  readonly vmid = new Int32Array(TLB_SIZE);
  readonly global = new Uint8Array(TLB_SIZE);
  readonly stage1 = new Uint8Array(TLB_SIZE);
  /**
   * Per VMID, at least as many entries as are live (a hypervisor that lends VMIDs flushes one at
   * nearly every world switch: with none of its entries left, that costs no scan).
   */
  private readonly live = new Int32Array(256);
  /** Hits are counted by nobody (the fast path must stay lean); misses and flushes are. */
  misses = 0;
  flushes = 0;

  /** A number naming the translation context (unique per combination). */
  static context(mode: number, paging: boolean, stage2: boolean, asid: number, vmid: number): number {
    if (mode === 2) return 1;
    return 2 + mode + (paging ? 4 : 0) + (stage2 ? 8 : 0) + 16 * (asid & 0xff) + 4096 * (vmid & 0xff);
  }

  /** Slot spreading per context (see the class comment). */
  static hash(asid: number, vmid: number): number {
    return (Math.imul((asid & 0xff) + 1, 0x9e) ^ Math.imul((vmid & 0xff) + 1, 0x2b5)) & TLB_MASK;
  }

  fill(
    ctxTag: number,
    ctxHash: number,
    vpn: number,
    hpaBase: number,
    r: boolean,
    w: boolean,
    x: boolean,
    meta: { asid: number; vmid: number; global: boolean; stage1: boolean },
  ): void {
    const i = (vpn ^ ctxHash) & TLB_MASK;
    const tag = ctxTag | vpn;
    if (this.isLive(i)) this.live[this.vmid[i] & 0xff]--;
    if (r || w || x) this.live[meta.vmid & 0xff]++;
    this.rTag[i] = r ? tag : -1;
    this.wTag[i] = w ? tag : -1;
    this.xTag[i] = x ? tag : -1;
    this.base[i] = hpaBase;
    this.vpn[i] = vpn;
    this.asid[i] = meta.asid;
    this.vmid[i] = meta.vmid;
    this.global[i] = meta.global ? 1 : 0;
    this.stage1[i] = meta.stage1 ? 1 : 0;
  }

  private isLive(i: number): boolean {
    return this.rTag[i] !== -1 || this.wTag[i] !== -1 || this.xTag[i] !== -1;
  }

  private clear(i: number): void {
    if (this.isLive(i)) this.live[this.vmid[i] & 0xff]--;
    this.rTag[i] = -1;
    this.wTag[i] = -1;
    this.xTag[i] = -1;
  }

  flushAll(): void {
    this.rTag.fill(-1);
    this.wTag.fill(-1);
    this.xTag.fill(-1);
    this.live.fill(0);
    this.flushes++;
  }

  /** tlbflush: stage-1 entries of the current VMID; `vpn`/`asid` undefined mean all. */
  flushStage1(vpn: number | undefined, asid: number | undefined, vmid: number): void {
    this.flushes++;
    for (let i = 0; i < TLB_SIZE; i++) {
      if (this.rTag[i] === -1 && this.wTag[i] === -1 && this.xTag[i] === -1) continue;
      if (this.vmid[i] !== vmid) continue;
      if (vpn !== undefined && this.vpn[i] !== vpn) continue;
      if (asid !== undefined && (this.asid[i] !== asid || this.global[i])) continue;
      this.clear(i);
    }
  }

  /** hflush: every entry of a VMID (both stages), or all entries. */
  flushVmid(vmid: number | undefined): void {
    if (vmid === undefined) return this.flushAll();
    this.flushes++;
    const v = vmid & 0xff;
    for (let i = 0; i < TLB_SIZE && this.live[v] > 0; i++) if (this.vmid[i] === vmid) this.clear(i);
  }

  /** A page became a code page: stores to it must take the slow path from now on. */
  revokeWrite(ppn: number): void {
    const base = ppn * 4096;
    for (let i = 0; i < TLB_SIZE; i++) if (this.base[i] === base) this.wTag[i] = -1;
  }
}
