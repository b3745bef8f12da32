/**
 * The reference interpreter of HD32 (docs/architecture.md#execution). Everything else (the block
 * translator of a later issue) is tested against it.
 *
 * Shape, for speed (figures in docs/performance.md):
 * - guest registers in an Int32Array; r0 stays zero because writes to it go to the sink register 32;
 * - instructions are decoded once per physical page into packed typed arrays (decode.ts), and the
 *   interpreter walks a `slot` index in the current page instead of a pc: sequential flow is
 *   `slot += 2`; only taken branches and jumps (`continue outer`) and running off the end of the
 *   page (the sentinel kind 63) look up a page again; the pc is computed when something needs it;
 * - loads and stores that hit the TLB are done inline with one integer compare and one OR;
 * - everything rare (TLB misses, devices, control registers, traps) calls into Cpu and ends the
 *   slice, so interrupts and timers are always checked at exact instruction counts.
 *
 * `interpret` executes at most `budget` steps and returns how many it took. A step is one
 * instruction executed or one instruction that trapped. `start` (steps of this slice already done,
 * by the block translator of jit/) only offsets the count, so slow paths see the slice's exact time.
 */
import { CAUSE, HSTATUS_TE } from '../../../shared/isa/csrs.js';
import { atomicOp, type Cpu } from './Cpu.js';
import { decodeRun, unpack, type CodePage } from './decode.js';

export function interpret(cpu: Cpu, budget: number, start = 0): number {
  const regs = cpu.regs;
  const mem = cpu.mem;
  const m32 = mem.i32;
  const m16 = mem.i16;
  const mu16 = mem.u16;
  const m8 = mem.i8;
  const mu8 = mem.u8;
  const tlb = cpu.tlb;
  const rTag = tlb.rTag;
  const wTag = tlb.wTag;
  const tbase = tlb.base;
  const ctx = cpu.ctxTag;
  const cx = cpu.ctxHash;
  let pc = cpu.pc | 0;
  if (cpu.fetchGeneration !== mem.codeGeneration) cpu.fetchVa = -1;
  let pageVa = cpu.fetchVa;
  let page: CodePage = cpu.fetchPage;
  let slot = 0;
  let n = start;
  cpu.breakSlice = false;
  cpu.sliceTraps = 0;

  // `pc` is valid at the top of `outer`; inside `inner` the pc is pageVa + slot * 2.
  outer: while (n < budget) {
    if ((pc & -4096) !== pageVa) {
      cpu.pc = pc;
      cpu.sliceSteps = n; // a fetch fault's handler sees the exact time
      if (!cpu.refetch(pc)) {
        n++;
        break;
      }
      page = cpu.fetchPage;
      pageVa = cpu.fetchVa;
    }
    slot = (pc >>> 1) & 2046;
    while (n < budget) {
      const w = page[slot];
      n++;
      switch (w & 255) {
        case 0: // not decoded yet: decode from the physical page and dispatch again without counting.
          // With the slots after it, fusing pairs (decode.ts#decodeRun).
          decodeRun(page, slot >>> 1, m32, cpu.fetchHpa >>> 2);
          n--;
          continue;
        case 63: // ran off the end of the page (not an instruction: not counted)
          n--;
          pc = (pageVa + 4096) | 0;
          continue outer;
        case 1: // illegal
          cpu.pc = (pageVa + (slot << 1)) | 0;
          cpu.sliceSteps = n - 1;
          cpu.raise(CAUSE.ILLEGAL_INSTRUCTION, m32[(cpu.fetchHpa | (slot << 1)) >>> 2]);
          break outer;
        case 2:
          regs[(w >>> 8) & 63] = (regs[(w >>> 16) & 63] + regs[w >>> 24]) | 0;
          slot += 2;
          continue;
        case 3:
          regs[(w >>> 8) & 63] = (regs[(w >>> 16) & 63] - regs[w >>> 24]) | 0;
          slot += 2;
          continue;
        case 4:
          regs[(w >>> 8) & 63] = regs[(w >>> 16) & 63] & regs[w >>> 24];
          slot += 2;
          continue;
        case 5:
          regs[(w >>> 8) & 63] = regs[(w >>> 16) & 63] | regs[w >>> 24];
          slot += 2;
          continue;
        case 6:
          regs[(w >>> 8) & 63] = regs[(w >>> 16) & 63] ^ regs[w >>> 24];
          slot += 2;
          continue;
        case 7:
          regs[(w >>> 8) & 63] = regs[(w >>> 16) & 63] << (regs[w >>> 24] & 31);
          slot += 2;
          continue;
        case 8:
          regs[(w >>> 8) & 63] = regs[(w >>> 16) & 63] >>> (regs[w >>> 24] & 31);
          slot += 2;
          continue;
        case 9:
          regs[(w >>> 8) & 63] = regs[(w >>> 16) & 63] >> (regs[w >>> 24] & 31);
          slot += 2;
          continue;
        case 10:
          regs[(w >>> 8) & 63] = regs[(w >>> 16) & 63] < regs[w >>> 24] ? 1 : 0;
          slot += 2;
          continue;
        case 11:
          regs[(w >>> 8) & 63] = regs[(w >>> 16) & 63] >>> 0 < regs[w >>> 24] >>> 0 ? 1 : 0;
          slot += 2;
          continue;
        case 12:
          regs[(w >>> 8) & 63] = Math.imul(regs[(w >>> 16) & 63], regs[w >>> 24]);
          slot += 2;
          continue;
        case 13:
          regs[(w >>> 8) & 63] = mulh(regs[(w >>> 16) & 63], regs[w >>> 24]);
          slot += 2;
          continue;
        case 14:
          regs[(w >>> 8) & 63] = mulhu(regs[(w >>> 16) & 63], regs[w >>> 24]);
          slot += 2;
          continue;
        case 15: {
          const a = regs[(w >>> 16) & 63];
          const b = regs[w >>> 24];
          regs[(w >>> 8) & 63] = b === 0 ? -1 : a === -2147483648 && b === -1 ? a : (a / b) | 0;
          slot += 2;
          continue;
        }
        case 16: {
          const a = regs[(w >>> 16) & 63] >>> 0;
          const b = regs[w >>> 24] >>> 0;
          regs[(w >>> 8) & 63] = b === 0 ? -1 : (a / b) | 0;
          slot += 2;
          continue;
        }
        case 17: {
          const a = regs[(w >>> 16) & 63];
          const b = regs[w >>> 24];
          regs[(w >>> 8) & 63] = b === 0 ? a : b === -1 ? 0 : (a % b) | 0;
          slot += 2;
          continue;
        }
        case 18: {
          const a = regs[(w >>> 16) & 63] >>> 0;
          const b = regs[w >>> 24] >>> 0;
          regs[(w >>> 8) & 63] = b === 0 ? a | 0 : (a % b) | 0;
          slot += 2;
          continue;
        }
        case 19: // cas
        case 20: // amoswap
        case 21: {
          // amoadd
          const va = regs[(w >>> 16) & 63];
          const vpn = va >>> 12;
          const i = (vpn ^ cx) & 1023;
          const rd = (w >>> 8) & 63;
          if (wTag[i] === (ctx | vpn) && (va & 3) === 0) {
            regs[rd] = atomicOp(m32, (tbase[i] | (va & 0xfff)) >>> 2, w & 255, regs[rd], regs[w >>> 24]);
            slot += 2;
            continue;
          }
          cpu.pc = (pageVa + (slot << 1)) | 0;
          const old = cpu.atomic(w & 255, va, regs[rd], regs[w >>> 24]);
          if (old === undefined) break outer;
          regs[rd] = old;
          slot += 2;
          if (cpu.breakSlice) {
            pc = (pageVa + (slot << 1)) | 0;
            break outer;
          }
          continue;
        }
        case 22:
          regs[(w >>> 8) & 63] = (regs[(w >>> 16) & 63] + page[slot + 1]) | 0;
          slot += 2;
          continue;
        case 23:
          regs[(w >>> 8) & 63] = regs[(w >>> 16) & 63] < page[slot + 1] ? 1 : 0;
          slot += 2;
          continue;
        case 24:
          regs[(w >>> 8) & 63] = regs[(w >>> 16) & 63] >>> 0 < page[slot + 1] >>> 0 ? 1 : 0;
          slot += 2;
          continue;
        case 25:
          regs[(w >>> 8) & 63] = regs[(w >>> 16) & 63] & page[slot + 1];
          slot += 2;
          continue;
        case 26:
          regs[(w >>> 8) & 63] = regs[(w >>> 16) & 63] | page[slot + 1];
          slot += 2;
          continue;
        case 27:
          regs[(w >>> 8) & 63] = regs[(w >>> 16) & 63] ^ page[slot + 1];
          slot += 2;
          continue;
        case 28:
          regs[(w >>> 8) & 63] = regs[(w >>> 16) & 63] << page[slot + 1];
          slot += 2;
          continue;
        case 29:
          regs[(w >>> 8) & 63] = regs[(w >>> 16) & 63] >>> page[slot + 1];
          slot += 2;
          continue;
        case 30:
          regs[(w >>> 8) & 63] = regs[(w >>> 16) & 63] >> page[slot + 1];
          slot += 2;
          continue;
        case 31:
          regs[(w >>> 8) & 63] = page[slot + 1];
          slot += 2;
          continue;
        case 32:
          regs[(w >>> 8) & 63] = (pageVa + (slot << 1) + page[slot + 1]) | 0;
          slot += 2;
          continue;
        case 33: {
          // lb
          const va = (regs[(w >>> 16) & 63] + page[slot + 1]) | 0;
          const vpn = va >>> 12;
          const i = (vpn ^ cx) & 1023;
          if (rTag[i] === (ctx | vpn)) {
            const pa = tbase[i] | (va & 0xfff);
            regs[(w >>> 8) & 63] = m8[pa];
            slot += 2;
            continue;
          }
          cpu.pc = (pageVa + (slot << 1)) | 0;
          cpu.sliceSteps = n - 1; // devices that read the time (rtc) see it exactly
          const v = cpu.loadSlow(va, 1, true);
          if (v === undefined) break outer;
          regs[(w >>> 8) & 63] = v;
          slot += 2;
          if (cpu.breakSlice) {
            pc = (pageVa + (slot << 1)) | 0;
            break outer;
          }
          continue;
        }
        case 34: {
          // lh
          const va = (regs[(w >>> 16) & 63] + page[slot + 1]) | 0;
          const vpn = va >>> 12;
          const i = (vpn ^ cx) & 1023;
          if (rTag[i] === (ctx | vpn) && (va & 1) === 0) {
            const pa = tbase[i] | (va & 0xfff);
            regs[(w >>> 8) & 63] = m16[pa >>> 1];
            slot += 2;
            continue;
          }
          cpu.pc = (pageVa + (slot << 1)) | 0;
          cpu.sliceSteps = n - 1; // devices that read the time (rtc) see it exactly
          const v = cpu.loadSlow(va, 2, true);
          if (v === undefined) break outer;
          regs[(w >>> 8) & 63] = v;
          slot += 2;
          if (cpu.breakSlice) {
            pc = (pageVa + (slot << 1)) | 0;
            break outer;
          }
          continue;
        }
        case 35: {
          // lw
          const va = (regs[(w >>> 16) & 63] + page[slot + 1]) | 0;
          const vpn = va >>> 12;
          const i = (vpn ^ cx) & 1023;
          if (rTag[i] === (ctx | vpn) && (va & 3) === 0) {
            const pa = tbase[i] | (va & 0xfff);
            regs[(w >>> 8) & 63] = m32[pa >>> 2];
            slot += 2;
            continue;
          }
          cpu.pc = (pageVa + (slot << 1)) | 0;
          cpu.sliceSteps = n - 1; // devices that read the time (rtc) see it exactly
          const v = cpu.loadSlow(va, 4, false);
          if (v === undefined) break outer;
          regs[(w >>> 8) & 63] = v;
          slot += 2;
          if (cpu.breakSlice) {
            pc = (pageVa + (slot << 1)) | 0;
            break outer;
          }
          continue;
        }
        case 36: {
          // lbu
          const va = (regs[(w >>> 16) & 63] + page[slot + 1]) | 0;
          const vpn = va >>> 12;
          const i = (vpn ^ cx) & 1023;
          if (rTag[i] === (ctx | vpn)) {
            const pa = tbase[i] | (va & 0xfff);
            regs[(w >>> 8) & 63] = mu8[pa];
            slot += 2;
            continue;
          }
          cpu.pc = (pageVa + (slot << 1)) | 0;
          cpu.sliceSteps = n - 1; // devices that read the time (rtc) see it exactly
          const v = cpu.loadSlow(va, 1, false);
          if (v === undefined) break outer;
          regs[(w >>> 8) & 63] = v;
          slot += 2;
          if (cpu.breakSlice) {
            pc = (pageVa + (slot << 1)) | 0;
            break outer;
          }
          continue;
        }
        case 37: {
          // lhu
          const va = (regs[(w >>> 16) & 63] + page[slot + 1]) | 0;
          const vpn = va >>> 12;
          const i = (vpn ^ cx) & 1023;
          if (rTag[i] === (ctx | vpn) && (va & 1) === 0) {
            const pa = tbase[i] | (va & 0xfff);
            regs[(w >>> 8) & 63] = mu16[pa >>> 1];
            slot += 2;
            continue;
          }
          cpu.pc = (pageVa + (slot << 1)) | 0;
          cpu.sliceSteps = n - 1; // devices that read the time (rtc) see it exactly
          const v = cpu.loadSlow(va, 2, false);
          if (v === undefined) break outer;
          regs[(w >>> 8) & 63] = v;
          slot += 2;
          if (cpu.breakSlice) {
            pc = (pageVa + (slot << 1)) | 0;
            break outer;
          }
          continue;
        }
        case 38: {
          // sb
          const va = (regs[(w >>> 16) & 63] + page[slot + 1]) | 0;
          const vpn = va >>> 12;
          const i = (vpn ^ cx) & 1023;
          if (wTag[i] === (ctx | vpn)) {
            const pa = tbase[i] | (va & 0xfff);
            mu8[pa] = regs[w >>> 24];
            slot += 2;
            continue;
          }
          cpu.pc = (pageVa + (slot << 1)) | 0;
          cpu.sliceSteps = n - 1;
          if (!cpu.storeSlow(va, 1, regs[w >>> 24])) break outer;
          slot += 2;
          if (cpu.breakSlice) {
            pc = (pageVa + (slot << 1)) | 0;
            break outer;
          }
          continue;
        }
        case 39: {
          // sh
          const va = (regs[(w >>> 16) & 63] + page[slot + 1]) | 0;
          const vpn = va >>> 12;
          const i = (vpn ^ cx) & 1023;
          if (wTag[i] === (ctx | vpn) && (va & 1) === 0) {
            const pa = tbase[i] | (va & 0xfff);
            mu16[pa >>> 1] = regs[w >>> 24];
            slot += 2;
            continue;
          }
          cpu.pc = (pageVa + (slot << 1)) | 0;
          cpu.sliceSteps = n - 1;
          if (!cpu.storeSlow(va, 2, regs[w >>> 24])) break outer;
          slot += 2;
          if (cpu.breakSlice) {
            pc = (pageVa + (slot << 1)) | 0;
            break outer;
          }
          continue;
        }
        case 40: {
          // sw
          const va = (regs[(w >>> 16) & 63] + page[slot + 1]) | 0;
          const vpn = va >>> 12;
          const i = (vpn ^ cx) & 1023;
          if (wTag[i] === (ctx | vpn) && (va & 3) === 0) {
            const pa = tbase[i] | (va & 0xfff);
            m32[pa >>> 2] = regs[w >>> 24];
            slot += 2;
            continue;
          }
          cpu.pc = (pageVa + (slot << 1)) | 0;
          cpu.sliceSteps = n - 1;
          if (!cpu.storeSlow(va, 4, regs[w >>> 24])) break outer;
          slot += 2;
          if (cpu.breakSlice) {
            pc = (pageVa + (slot << 1)) | 0;
            break outer;
          }
          continue;
        }
        case 41: // beq
          if (regs[(w >>> 16) & 63] === regs[w >>> 24]) {
            const t = slot + (page[slot + 1] >> 1);
            if (t >>> 0 < 2048) {
              slot = t; // taken, within the page
              continue;
            }
            pc = (pageVa + (slot << 1) + page[slot + 1]) | 0;
            continue outer;
          }
          slot += 2;
          continue;
        case 42: // bne
          if (regs[(w >>> 16) & 63] !== regs[w >>> 24]) {
            const t = slot + (page[slot + 1] >> 1);
            if (t >>> 0 < 2048) {
              slot = t; // taken, within the page
              continue;
            }
            pc = (pageVa + (slot << 1) + page[slot + 1]) | 0;
            continue outer;
          }
          slot += 2;
          continue;
        case 43: // blt
          if (regs[(w >>> 16) & 63] < regs[w >>> 24]) {
            const t = slot + (page[slot + 1] >> 1);
            if (t >>> 0 < 2048) {
              slot = t; // taken, within the page
              continue;
            }
            pc = (pageVa + (slot << 1) + page[slot + 1]) | 0;
            continue outer;
          }
          slot += 2;
          continue;
        case 44: // bge
          if (regs[(w >>> 16) & 63] >= regs[w >>> 24]) {
            const t = slot + (page[slot + 1] >> 1);
            if (t >>> 0 < 2048) {
              slot = t; // taken, within the page
              continue;
            }
            pc = (pageVa + (slot << 1) + page[slot + 1]) | 0;
            continue outer;
          }
          slot += 2;
          continue;
        case 45: // bltu
          if (regs[(w >>> 16) & 63] >>> 0 < regs[w >>> 24] >>> 0) {
            const t = slot + (page[slot + 1] >> 1);
            if (t >>> 0 < 2048) {
              slot = t; // taken, within the page
              continue;
            }
            pc = (pageVa + (slot << 1) + page[slot + 1]) | 0;
            continue outer;
          }
          slot += 2;
          continue;
        case 46: // bgeu
          if (regs[(w >>> 16) & 63] >>> 0 >= regs[w >>> 24] >>> 0) {
            const t = slot + (page[slot + 1] >> 1);
            if (t >>> 0 < 2048) {
              slot = t; // taken, within the page
              continue;
            }
            pc = (pageVa + (slot << 1) + page[slot + 1]) | 0;
            continue outer;
          }
          slot += 2;
          continue;
        case 47: {
          // jal
          regs[(w >>> 8) & 63] = (pageVa + (slot << 1) + 4) | 0;
          const t = slot + (page[slot + 1] >> 1);
          if (t >>> 0 < 2048) {
            slot = t;
            continue;
          }
          pc = (pageVa + (slot << 1) + page[slot + 1]) | 0;
          continue outer;
        }
        case 48: {
          // jalr: read rs1 before writing rd (they may be the same register)
          const target = (regs[(w >>> 16) & 63] + page[slot + 1]) | 0;
          regs[(w >>> 8) & 63] = (pageVa + (slot << 1) + 4) | 0;
          if ((target & 3) !== 0) {
            cpu.pc = target;
            cpu.sliceSteps = n - 1; // as for every trap: a world switch settles instret with it
            cpu.raise(CAUSE.MISALIGNED_FETCH, target);
            break outer;
          }
          if ((target & -4096) === pageVa) {
            slot = (target >>> 1) & 2046; // returns and calls within the page
            continue;
          }
          pc = target;
          continue outer;
        }
        case 49: // csrrw
        case 50: // csrrs
        case 51: // csrrc
          cpu.pc = (pageVa + (slot << 1)) | 0;
          cpu.sliceSteps = n - 1; // what a trap (hstatus.TE) or a counter read sees
          if (!cpu.csrOp(unpack(w, page[slot + 1], m32[(cpu.fetchHpa | (slot << 1)) >>> 2]), n - 1)) break outer;
          slot += 2;
          if (cpu.breakSlice) {
            pc = (pageVa + (slot << 1)) | 0;
            break outer;
          }
          continue;
        case 52: // syscall
          cpu.pc = (pageVa + (slot << 1)) | 0;
          cpu.sliceSteps = n - 1;
          cpu.raise(CAUSE.SYSCALL, page[slot + 1]);
          break outer;
        case 53: {
          // hypercall: when the hypervisor answers on the spot, the slice goes on (Cpu.resumeInSlice).
          const at = (pageVa + (slot << 1)) | 0;
          cpu.pc = at;
          cpu.sliceSteps = n - 1;
          if (cpu.mode < 1) {
            // A user program's hypercall is its kernel's business (docs/isa.md#virtualizability).
            cpu.raise(CAUSE.PRIVILEGED_INSTRUCTION, m32[(cpu.fetchHpa | (slot << 1)) >>> 2]);
            break outer;
          }
          cpu.raise(CAUSE.HYPERCALL, page[slot + 1]);
          const paid = cpu.resumeInSlice(ctx, (at + 4) | 0, budget - n);
          if (paid < 0) break outer;
          n += paid; // the hypervisor's charged cycles, inside this slice (they retire nothing)
          slot += 2;
          continue;
        }
        case 54: // brk
          cpu.pc = (pageVa + (slot << 1)) | 0;
          cpu.sliceSteps = n - 1;
          cpu.raise(CAUSE.BREAKPOINT, page[slot + 1]);
          break outer;
        case 55: // eret
          cpu.pc = (pageVa + (slot << 1)) | 0;
          cpu.sliceSteps = n - 1;
          if (cpu.mode < 1) {
            cpu.raise(CAUSE.PRIVILEGED_INSTRUCTION, m32[(cpu.fetchHpa | (slot << 1)) >>> 2]);
            break outer;
          }
          if (cpu.mode === 1 && (cpu.hstatus & HSTATUS_TE) !== 0) {
            cpu.raise(CAUSE.PRIVILEGED_INSTRUCTION, m32[(cpu.fetchHpa | (slot << 1)) >>> 2], 'hypervisor');
            break outer;
          }
          cpu.eret();
          pc = cpu.pc;
          break outer;
        case 56: // wfi
          cpu.pc = (pageVa + (slot << 1)) | 0;
          cpu.sliceSteps = n - 1;
          if (cpu.mode < 1) {
            cpu.raise(CAUSE.PRIVILEGED_INSTRUCTION, m32[(cpu.fetchHpa | (slot << 1)) >>> 2]);
            break outer;
          }
          if (!cpu.wfi()) {
            // hstatus.TW: the hypervisor wants to see the guest idle, whatever it delegated.
            cpu.raise(CAUSE.PRIVILEGED_INSTRUCTION, m32[(cpu.fetchHpa | (slot << 1)) >>> 2], 'hypervisor');
            break outer;
          }
          pc = (pageVa + (slot << 1) + 4) | 0;
          break outer;
        case 57: // tlbflush
          cpu.pc = (pageVa + (slot << 1)) | 0;
          cpu.sliceSteps = n - 1;
          if (cpu.mode < 1) {
            cpu.raise(CAUSE.PRIVILEGED_INSTRUCTION, m32[(cpu.fetchHpa | (slot << 1)) >>> 2]);
            break outer;
          }
          if (cpu.mode === 1 && (cpu.hstatus & HSTATUS_TE) !== 0) {
            cpu.raise(CAUSE.PRIVILEGED_INSTRUCTION, m32[(cpu.fetchHpa | (slot << 1)) >>> 2], 'hypervisor');
            break outer;
          }
          cpu.tlbflush((w >>> 16) & 63, w >>> 24);
          pc = (pageVa + (slot << 1) + 4) | 0;
          break outer;
        case 58: // hflush
          cpu.pc = (pageVa + (slot << 1)) | 0;
          cpu.sliceSteps = n - 1;
          if (cpu.mode < 2) {
            cpu.raise(CAUSE.PRIVILEGED_INSTRUCTION, m32[(cpu.fetchHpa | (slot << 1)) >>> 2]);
            break outer;
          }
          cpu.hflush((w >>> 16) & 63);
          pc = (pageVa + (slot << 1) + 4) | 0;
          break outer;
        case 64: {
          // addi, then beq (fused: decode.ts#decodeRun)
          regs[(w >>> 8) & 63] = (regs[(w >>> 16) & 63] + page[slot + 1]) | 0;
          slot += 2;
          if (n >= budget) continue;
          n++;
          const w2 = page[slot];
          const a = regs[(w2 >>> 16) & 63];
          const b = regs[w2 >>> 24];
          if (a === b) {
            const t = slot + (page[slot + 1] >> 1);
            if (t >>> 0 < 2048) {
              slot = t;
              continue;
            }
            pc = (pageVa + (slot << 1) + page[slot + 1]) | 0;
            continue outer;
          }
          slot += 2;
          continue;
        }
        case 65: {
          // addi, then bne (fused: decode.ts#decodeRun)
          regs[(w >>> 8) & 63] = (regs[(w >>> 16) & 63] + page[slot + 1]) | 0;
          slot += 2;
          if (n >= budget) continue;
          n++;
          const w2 = page[slot];
          const a = regs[(w2 >>> 16) & 63];
          const b = regs[w2 >>> 24];
          if (a !== b) {
            const t = slot + (page[slot + 1] >> 1);
            if (t >>> 0 < 2048) {
              slot = t;
              continue;
            }
            pc = (pageVa + (slot << 1) + page[slot + 1]) | 0;
            continue outer;
          }
          slot += 2;
          continue;
        }
        case 66: {
          // addi, then blt (fused: decode.ts#decodeRun)
          regs[(w >>> 8) & 63] = (regs[(w >>> 16) & 63] + page[slot + 1]) | 0;
          slot += 2;
          if (n >= budget) continue;
          n++;
          const w2 = page[slot];
          const a = regs[(w2 >>> 16) & 63];
          const b = regs[w2 >>> 24];
          if (a < b) {
            const t = slot + (page[slot + 1] >> 1);
            if (t >>> 0 < 2048) {
              slot = t;
              continue;
            }
            pc = (pageVa + (slot << 1) + page[slot + 1]) | 0;
            continue outer;
          }
          slot += 2;
          continue;
        }
        case 67: {
          // addi, then bge (fused: decode.ts#decodeRun)
          regs[(w >>> 8) & 63] = (regs[(w >>> 16) & 63] + page[slot + 1]) | 0;
          slot += 2;
          if (n >= budget) continue;
          n++;
          const w2 = page[slot];
          const a = regs[(w2 >>> 16) & 63];
          const b = regs[w2 >>> 24];
          if (a >= b) {
            const t = slot + (page[slot + 1] >> 1);
            if (t >>> 0 < 2048) {
              slot = t;
              continue;
            }
            pc = (pageVa + (slot << 1) + page[slot + 1]) | 0;
            continue outer;
          }
          slot += 2;
          continue;
        }
        case 68: {
          // addi, then bltu (fused: decode.ts#decodeRun)
          regs[(w >>> 8) & 63] = (regs[(w >>> 16) & 63] + page[slot + 1]) | 0;
          slot += 2;
          if (n >= budget) continue;
          n++;
          const w2 = page[slot];
          const a = regs[(w2 >>> 16) & 63];
          const b = regs[w2 >>> 24];
          if (a >>> 0 < b >>> 0) {
            const t = slot + (page[slot + 1] >> 1);
            if (t >>> 0 < 2048) {
              slot = t;
              continue;
            }
            pc = (pageVa + (slot << 1) + page[slot + 1]) | 0;
            continue outer;
          }
          slot += 2;
          continue;
        }
        case 69: {
          // addi, then bgeu (fused: decode.ts#decodeRun)
          regs[(w >>> 8) & 63] = (regs[(w >>> 16) & 63] + page[slot + 1]) | 0;
          slot += 2;
          if (n >= budget) continue;
          n++;
          const w2 = page[slot];
          const a = regs[(w2 >>> 16) & 63];
          const b = regs[w2 >>> 24];
          if (a >>> 0 >= b >>> 0) {
            const t = slot + (page[slot + 1] >> 1);
            if (t >>> 0 < 2048) {
              slot = t;
              continue;
            }
            pc = (pageVa + (slot << 1) + page[slot + 1]) | 0;
            continue outer;
          }
          slot += 2;
          continue;
        }
        case 70: {
          // add, then beq (fused: decode.ts#decodeRun)
          regs[(w >>> 8) & 63] = (regs[(w >>> 16) & 63] + regs[w >>> 24]) | 0;
          slot += 2;
          if (n >= budget) continue;
          n++;
          const w2 = page[slot];
          const a = regs[(w2 >>> 16) & 63];
          const b = regs[w2 >>> 24];
          if (a === b) {
            const t = slot + (page[slot + 1] >> 1);
            if (t >>> 0 < 2048) {
              slot = t;
              continue;
            }
            pc = (pageVa + (slot << 1) + page[slot + 1]) | 0;
            continue outer;
          }
          slot += 2;
          continue;
        }
        case 71: {
          // add, then bne (fused: decode.ts#decodeRun)
          regs[(w >>> 8) & 63] = (regs[(w >>> 16) & 63] + regs[w >>> 24]) | 0;
          slot += 2;
          if (n >= budget) continue;
          n++;
          const w2 = page[slot];
          const a = regs[(w2 >>> 16) & 63];
          const b = regs[w2 >>> 24];
          if (a !== b) {
            const t = slot + (page[slot + 1] >> 1);
            if (t >>> 0 < 2048) {
              slot = t;
              continue;
            }
            pc = (pageVa + (slot << 1) + page[slot + 1]) | 0;
            continue outer;
          }
          slot += 2;
          continue;
        }
        case 72: {
          // add, then blt (fused: decode.ts#decodeRun)
          regs[(w >>> 8) & 63] = (regs[(w >>> 16) & 63] + regs[w >>> 24]) | 0;
          slot += 2;
          if (n >= budget) continue;
          n++;
          const w2 = page[slot];
          const a = regs[(w2 >>> 16) & 63];
          const b = regs[w2 >>> 24];
          if (a < b) {
            const t = slot + (page[slot + 1] >> 1);
            if (t >>> 0 < 2048) {
              slot = t;
              continue;
            }
            pc = (pageVa + (slot << 1) + page[slot + 1]) | 0;
            continue outer;
          }
          slot += 2;
          continue;
        }
        case 73: {
          // add, then bge (fused: decode.ts#decodeRun)
          regs[(w >>> 8) & 63] = (regs[(w >>> 16) & 63] + regs[w >>> 24]) | 0;
          slot += 2;
          if (n >= budget) continue;
          n++;
          const w2 = page[slot];
          const a = regs[(w2 >>> 16) & 63];
          const b = regs[w2 >>> 24];
          if (a >= b) {
            const t = slot + (page[slot + 1] >> 1);
            if (t >>> 0 < 2048) {
              slot = t;
              continue;
            }
            pc = (pageVa + (slot << 1) + page[slot + 1]) | 0;
            continue outer;
          }
          slot += 2;
          continue;
        }
        case 74: {
          // add, then bltu (fused: decode.ts#decodeRun)
          regs[(w >>> 8) & 63] = (regs[(w >>> 16) & 63] + regs[w >>> 24]) | 0;
          slot += 2;
          if (n >= budget) continue;
          n++;
          const w2 = page[slot];
          const a = regs[(w2 >>> 16) & 63];
          const b = regs[w2 >>> 24];
          if (a >>> 0 < b >>> 0) {
            const t = slot + (page[slot + 1] >> 1);
            if (t >>> 0 < 2048) {
              slot = t;
              continue;
            }
            pc = (pageVa + (slot << 1) + page[slot + 1]) | 0;
            continue outer;
          }
          slot += 2;
          continue;
        }
        case 75: {
          // add, then bgeu (fused: decode.ts#decodeRun)
          regs[(w >>> 8) & 63] = (regs[(w >>> 16) & 63] + regs[w >>> 24]) | 0;
          slot += 2;
          if (n >= budget) continue;
          n++;
          const w2 = page[slot];
          const a = regs[(w2 >>> 16) & 63];
          const b = regs[w2 >>> 24];
          if (a >>> 0 >= b >>> 0) {
            const t = slot + (page[slot + 1] >> 1);
            if (t >>> 0 < 2048) {
              slot = t;
              continue;
            }
            pc = (pageVa + (slot << 1) + page[slot + 1]) | 0;
            continue outer;
          }
          slot += 2;
          continue;
        }
        case 76: {
          // add, then sb on its fast path only (fused: decode.ts#decodeRun); else in its own slot
          regs[(w >>> 8) & 63] = (regs[(w >>> 16) & 63] + regs[w >>> 24]) | 0;
          slot += 2;
          if (n >= budget) continue;
          const w2 = page[slot];
          const va = (regs[(w2 >>> 16) & 63] + page[slot + 1]) | 0;
          const vpn = va >>> 12;
          const i = (vpn ^ cx) & 1023;
          if (wTag[i] === (ctx | vpn)) {
            mu8[tbase[i] | (va & 0xfff)] = regs[w2 >>> 24];
            n++;
            slot += 2;
          }
          continue;
        }
        case 77: {
          // add, then lbu on its fast path only (fused: decode.ts#decodeRun); else in its own slot
          regs[(w >>> 8) & 63] = (regs[(w >>> 16) & 63] + regs[w >>> 24]) | 0;
          slot += 2;
          if (n >= budget) continue;
          const w2 = page[slot];
          const va = (regs[(w2 >>> 16) & 63] + page[slot + 1]) | 0;
          const vpn = va >>> 12;
          const i = (vpn ^ cx) & 1023;
          if (rTag[i] === (ctx | vpn)) {
            regs[(w2 >>> 8) & 63] = mu8[tbase[i] | (va & 0xfff)];
            n++;
            slot += 2;
          }
          continue;
        }
        case 78: {
          // add, then lw on its fast path only (fused: decode.ts#decodeRun); else in its own slot
          regs[(w >>> 8) & 63] = (regs[(w >>> 16) & 63] + regs[w >>> 24]) | 0;
          slot += 2;
          if (n >= budget) continue;
          const w2 = page[slot];
          const va = (regs[(w2 >>> 16) & 63] + page[slot + 1]) | 0;
          const vpn = va >>> 12;
          const i = (vpn ^ cx) & 1023;
          if (rTag[i] === (ctx | vpn) && (va & 3) === 0) {
            regs[(w2 >>> 8) & 63] = m32[(tbase[i] | (va & 0xfff)) >>> 2];
            n++;
            slot += 2;
          }
          continue;
        }
        case 79: {
          // add, then sw on its fast path only (fused: decode.ts#decodeRun); else in its own slot
          regs[(w >>> 8) & 63] = (regs[(w >>> 16) & 63] + regs[w >>> 24]) | 0;
          slot += 2;
          if (n >= budget) continue;
          const w2 = page[slot];
          const va = (regs[(w2 >>> 16) & 63] + page[slot + 1]) | 0;
          const vpn = va >>> 12;
          const i = (vpn ^ cx) & 1023;
          if (wTag[i] === (ctx | vpn) && (va & 3) === 0) {
            m32[(tbase[i] | (va & 0xfff)) >>> 2] = regs[w2 >>> 24];
            n++;
            slot += 2;
          }
          continue;
        }
        case 80: {
          // addi, then sw on its fast path only (fused: decode.ts#decodeRun); else in its own slot
          regs[(w >>> 8) & 63] = (regs[(w >>> 16) & 63] + page[slot + 1]) | 0;
          slot += 2;
          if (n >= budget) continue;
          const w2 = page[slot];
          const va = (regs[(w2 >>> 16) & 63] + page[slot + 1]) | 0;
          const vpn = va >>> 12;
          const i = (vpn ^ cx) & 1023;
          if (wTag[i] === (ctx | vpn) && (va & 3) === 0) {
            m32[(tbase[i] | (va & 0xfff)) >>> 2] = regs[w2 >>> 24];
            n++;
            slot += 2;
          }
          continue;
        }
        case 81: {
          // addi, then lw on its fast path only (fused: decode.ts#decodeRun); else in its own slot
          regs[(w >>> 8) & 63] = (regs[(w >>> 16) & 63] + page[slot + 1]) | 0;
          slot += 2;
          if (n >= budget) continue;
          const w2 = page[slot];
          const va = (regs[(w2 >>> 16) & 63] + page[slot + 1]) | 0;
          const vpn = va >>> 12;
          const i = (vpn ^ cx) & 1023;
          if (rTag[i] === (ctx | vpn) && (va & 3) === 0) {
            regs[(w2 >>> 8) & 63] = m32[(tbase[i] | (va & 0xfff)) >>> 2];
            n++;
            slot += 2;
          }
          continue;
        }
        default:
          throw new Error(`interpreter: no case for decoded kind ${w & 255} (emulator bug)`);
      }
    }
    // The budget ran out inside the page.
    pc = (pageVa + (slot << 1)) | 0;
    break;
  }
  // After a trap Cpu already holds the pc (the trap vector); otherwise `pc` is where execution stopped.
  if (cpu.sliceTraps === 0) cpu.pc = pc;
  return n;
}

function mulh(a: number, b: number): number {
  return Number((BigInt(a) * BigInt(b)) >> 32n) | 0;
}

function mulhu(a: number, b: number): number {
  return Number((BigInt(a >>> 0) * BigInt(b >>> 0)) >> 32n) | 0;
}
