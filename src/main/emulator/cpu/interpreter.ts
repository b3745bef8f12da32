/**
 * The reference interpreter of HD32 (docs/architecture.md#execution). Everything else (the block
 * translator of a later issue) is tested against it.
 *
 * Shape, for speed: guest registers in an Int32Array (r0 stays zero because writes to it go to the
 * sink register 32), the pc in a local, decoded instructions fetched from the current page's array
 * with one compare per instruction, and loads/stores that hit the TLB done inline with one compare
 * and one add. Everything rare (TLB misses, devices, control registers, traps) calls into Cpu and
 * ends the slice, so interrupts and timers are always checked at exact instruction counts.
 *
 * `run` executes at most `budget` steps and returns how many it took. A step is one instruction
 * executed or one instruction that trapped.
 */
import { CAUSE } from '../../../shared/isa/csrs.js';
import { atomicOp, type Cpu } from './Cpu.js';
import { decodeInto, unpack, type CodePage } from './decode.js';

export function interpret(cpu: Cpu, budget: number): number {
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
  const ctx = cpu.ctxBase;
  const cx = cpu.ctxHash;
  let pc = cpu.pc | 0;
  if (cpu.fetchGeneration !== mem.codeGeneration) cpu.fetchVa = -1;
  let pageVa = cpu.fetchVa;
  let page: CodePage = cpu.fetchPage;
  let n = 0;
  cpu.breakSlice = false;
  cpu.sliceTraps = 0;

  loop: while (n < budget) {
    if ((pc & -4096) !== pageVa) {
      cpu.pc = pc;
      if (!cpu.refetch(pc)) {
        n++;
        break;
      }
      page = cpu.fetchPage;
      pageVa = cpu.fetchVa;
    }
    const slot = (pc >>> 1) & 2046;
    const w = page[slot];
    n++;
    switch (w & 255) {
      case 0: {
        // not decoded yet: decode from the physical page and dispatch again without counting.
        decodeInto(page, slot >>> 1, m32[(cpu.fetchHpa | (pc & 0xfff)) >>> 2]);
        n--;
        continue;
      }
      case 1: // illegal
        cpu.pc = pc;
        cpu.raise(CAUSE.ILLEGAL_INSTRUCTION, m32[(cpu.fetchHpa | (pc & 0xfff)) >>> 2]);
        break loop;
      case 2: regs[((w >>> 8) & 63)] = (regs[((w >>> 16) & 63)] + regs[(w >>> 24)]) | 0; pc = (pc + 4) | 0; continue;
      case 3: regs[((w >>> 8) & 63)] = (regs[((w >>> 16) & 63)] - regs[(w >>> 24)]) | 0; pc = (pc + 4) | 0; continue;
      case 4: regs[((w >>> 8) & 63)] = regs[((w >>> 16) & 63)] & regs[(w >>> 24)]; pc = (pc + 4) | 0; continue;
      case 5: regs[((w >>> 8) & 63)] = regs[((w >>> 16) & 63)] | regs[(w >>> 24)]; pc = (pc + 4) | 0; continue;
      case 6: regs[((w >>> 8) & 63)] = regs[((w >>> 16) & 63)] ^ regs[(w >>> 24)]; pc = (pc + 4) | 0; continue;
      case 7: regs[((w >>> 8) & 63)] = regs[((w >>> 16) & 63)] << (regs[(w >>> 24)] & 31); pc = (pc + 4) | 0; continue;
      case 8: regs[((w >>> 8) & 63)] = regs[((w >>> 16) & 63)] >>> (regs[(w >>> 24)] & 31); pc = (pc + 4) | 0; continue;
      case 9: regs[((w >>> 8) & 63)] = regs[((w >>> 16) & 63)] >> (regs[(w >>> 24)] & 31); pc = (pc + 4) | 0; continue;
      case 10: regs[((w >>> 8) & 63)] = regs[((w >>> 16) & 63)] < regs[(w >>> 24)] ? 1 : 0; pc = (pc + 4) | 0; continue;
      case 11: regs[((w >>> 8) & 63)] = regs[((w >>> 16) & 63)] >>> 0 < regs[(w >>> 24)] >>> 0 ? 1 : 0; pc = (pc + 4) | 0; continue;
      case 12: regs[((w >>> 8) & 63)] = Math.imul(regs[((w >>> 16) & 63)], regs[(w >>> 24)]); pc = (pc + 4) | 0; continue;
      case 13: regs[((w >>> 8) & 63)] = Number((BigInt(regs[((w >>> 16) & 63)]) * BigInt(regs[(w >>> 24)])) >> 32n) | 0; pc = (pc + 4) | 0; continue;
      case 14: regs[((w >>> 8) & 63)] = Number((BigInt(regs[((w >>> 16) & 63)] >>> 0) * BigInt(regs[(w >>> 24)] >>> 0)) >> 32n) | 0; pc = (pc + 4) | 0; continue;
      case 15: {
        const a = regs[((w >>> 16) & 63)], b = regs[(w >>> 24)];
        regs[((w >>> 8) & 63)] = b === 0 ? -1 : a === -2147483648 && b === -1 ? a : (a / b) | 0;
        pc = (pc + 4) | 0;
        continue;
      }
      case 16: {
        const a = regs[((w >>> 16) & 63)] >>> 0, b = regs[(w >>> 24)] >>> 0;
        regs[((w >>> 8) & 63)] = b === 0 ? -1 : (a / b) | 0;
        pc = (pc + 4) | 0;
        continue;
      }
      case 17: {
        const a = regs[((w >>> 16) & 63)], b = regs[(w >>> 24)];
        regs[((w >>> 8) & 63)] = b === 0 ? a : b === -1 ? 0 : a % b | 0;
        pc = (pc + 4) | 0;
        continue;
      }
      case 18: {
        const a = regs[((w >>> 16) & 63)] >>> 0, b = regs[(w >>> 24)] >>> 0;
        regs[((w >>> 8) & 63)] = b === 0 ? a | 0 : a % b | 0;
        pc = (pc + 4) | 0;
        continue;
      }
      case 19: // cas
      case 20: // amoswap
      case 21: { // amoadd
        const va = regs[((w >>> 16) & 63)];
        const vpn = va >>> 12;
        const i = (vpn ^ cx) & 1023;
        if (wTag[i] === ctx + vpn && (va & 3) === 0) {
          regs[((w >>> 8) & 63)] = atomicOp(m32, (tbase[i] | (va & 0xfff)) >>> 2, (w & 255), regs[((w >>> 8) & 63)], regs[(w >>> 24)]);
          pc = (pc + 4) | 0;
          continue;
        }
        cpu.pc = pc;
        const old = cpu.atomic((w & 255), va, regs[((w >>> 8) & 63)], regs[(w >>> 24)]);
        if (old === undefined) break loop;
        regs[((w >>> 8) & 63)] = old;
        pc = (pc + 4) | 0;
        if (cpu.breakSlice) break loop;
        continue;
      }
      case 22: regs[((w >>> 8) & 63)] = (regs[((w >>> 16) & 63)] + page[slot + 1]) | 0; pc = (pc + 4) | 0; continue;
      case 23: regs[((w >>> 8) & 63)] = regs[((w >>> 16) & 63)] < page[slot + 1] ? 1 : 0; pc = (pc + 4) | 0; continue;
      case 24: regs[((w >>> 8) & 63)] = regs[((w >>> 16) & 63)] >>> 0 < page[slot + 1] >>> 0 ? 1 : 0; pc = (pc + 4) | 0; continue;
      case 25: regs[((w >>> 8) & 63)] = regs[((w >>> 16) & 63)] & page[slot + 1]; pc = (pc + 4) | 0; continue;
      case 26: regs[((w >>> 8) & 63)] = regs[((w >>> 16) & 63)] | page[slot + 1]; pc = (pc + 4) | 0; continue;
      case 27: regs[((w >>> 8) & 63)] = regs[((w >>> 16) & 63)] ^ page[slot + 1]; pc = (pc + 4) | 0; continue;
      case 28: regs[((w >>> 8) & 63)] = regs[((w >>> 16) & 63)] << page[slot + 1]; pc = (pc + 4) | 0; continue;
      case 29: regs[((w >>> 8) & 63)] = regs[((w >>> 16) & 63)] >>> page[slot + 1]; pc = (pc + 4) | 0; continue;
      case 30: regs[((w >>> 8) & 63)] = regs[((w >>> 16) & 63)] >> page[slot + 1]; pc = (pc + 4) | 0; continue;
      case 31: regs[((w >>> 8) & 63)] = page[slot + 1]; pc = (pc + 4) | 0; continue;
      case 32: regs[((w >>> 8) & 63)] = (pc + page[slot + 1]) | 0; pc = (pc + 4) | 0; continue;
      case 33: // lb
      case 34: // lh
      case 35: // lw
      case 36: // lbu
      case 37: { // lhu
        const va = (regs[((w >>> 16) & 63)] + page[slot + 1]) | 0;
        const vpn = va >>> 12;
        const i = (vpn ^ cx) & 1023;
        const k = (w & 255);
        if (rTag[i] === ctx + vpn) {
          const pa = tbase[i] | (va & 0xfff);
          if (k === 35) {
            if ((va & 3) === 0) {
              regs[((w >>> 8) & 63)] = m32[pa >>> 2];
              pc = (pc + 4) | 0;
              continue;
            }
          } else if (k === 33) {
            regs[((w >>> 8) & 63)] = m8[pa];
            pc = (pc + 4) | 0;
            continue;
          } else if (k === 36) {
            regs[((w >>> 8) & 63)] = mu8[pa];
            pc = (pc + 4) | 0;
            continue;
          } else if ((va & 1) === 0) {
            regs[((w >>> 8) & 63)] = k === 34 ? m16[pa >>> 1] : mu16[pa >>> 1];
            pc = (pc + 4) | 0;
            continue;
          }
        }
        cpu.pc = pc;
        const v = cpu.loadSlow(va, k === 35 ? 4 : k === 34 || k === 37 ? 2 : 1, k === 33 || k === 34);
        if (v === undefined) break loop;
        regs[((w >>> 8) & 63)] = v;
        pc = (pc + 4) | 0;
        if (cpu.breakSlice) break loop;
        continue;
      }
      case 38: // sb
      case 39: // sh
      case 40: { // sw
        const va = (regs[((w >>> 16) & 63)] + page[slot + 1]) | 0;
        const vpn = va >>> 12;
        const i = (vpn ^ cx) & 1023;
        const k = (w & 255);
        if (wTag[i] === ctx + vpn) {
          const pa = tbase[i] | (va & 0xfff);
          if (k === 40) {
            if ((va & 3) === 0) {
              m32[pa >>> 2] = regs[(w >>> 24)];
              pc = (pc + 4) | 0;
              continue;
            }
          } else if (k === 38) {
            mu8[pa] = regs[(w >>> 24)];
            pc = (pc + 4) | 0;
            continue;
          } else if ((va & 1) === 0) {
            mu16[pa >>> 1] = regs[(w >>> 24)];
            pc = (pc + 4) | 0;
            continue;
          }
        }
        cpu.pc = pc;
        if (!cpu.storeSlow(va, k === 40 ? 4 : k === 39 ? 2 : 1, regs[(w >>> 24)])) break loop;
        pc = (pc + 4) | 0;
        if (cpu.breakSlice) break loop;
        continue;
      }
      case 41: pc = regs[((w >>> 16) & 63)] === regs[(w >>> 24)] ? (pc + page[slot + 1]) | 0 : (pc + 4) | 0; continue;
      case 42: pc = regs[((w >>> 16) & 63)] !== regs[(w >>> 24)] ? (pc + page[slot + 1]) | 0 : (pc + 4) | 0; continue;
      case 43: pc = regs[((w >>> 16) & 63)] < regs[(w >>> 24)] ? (pc + page[slot + 1]) | 0 : (pc + 4) | 0; continue;
      case 44: pc = regs[((w >>> 16) & 63)] >= regs[(w >>> 24)] ? (pc + page[slot + 1]) | 0 : (pc + 4) | 0; continue;
      case 45: pc = regs[((w >>> 16) & 63)] >>> 0 < regs[(w >>> 24)] >>> 0 ? (pc + page[slot + 1]) | 0 : (pc + 4) | 0; continue;
      case 46: pc = regs[((w >>> 16) & 63)] >>> 0 >= regs[(w >>> 24)] >>> 0 ? (pc + page[slot + 1]) | 0 : (pc + 4) | 0; continue;
      case 47: regs[((w >>> 8) & 63)] = (pc + 4) | 0; pc = (pc + page[slot + 1]) | 0; continue;
      case 48: { // jalr
        const target = (regs[((w >>> 16) & 63)] + page[slot + 1]) | 0;
        regs[((w >>> 8) & 63)] = (pc + 4) | 0;
        pc = target;
        if ((target & 3) !== 0) {
          cpu.pc = pc;
          cpu.raise(CAUSE.MISALIGNED_FETCH, pc);
          break loop;
        }
        continue;
      }
      case 49: // csrrw
      case 50: // csrrs
      case 51: // csrrc
        cpu.pc = pc;
        if (cpu.csrOp(unpack(w, page[slot + 1], m32[(cpu.fetchHpa | (pc & 0xfff)) >>> 2]), n - 1)) pc = (pc + 4) | 0;
        else break loop;
        if (cpu.breakSlice) break loop;
        continue;
      case 52: // syscall
        cpu.pc = pc;
        cpu.raise(CAUSE.SYSCALL, page[slot + 1]);
        break loop;
      case 53: // hypercall
        cpu.pc = pc;
        cpu.raise(CAUSE.HYPERCALL, page[slot + 1]);
        break loop;
      case 54: // brk
        cpu.pc = pc;
        cpu.raise(CAUSE.BREAKPOINT, page[slot + 1]);
        break loop;
      case 55: // eret
        cpu.pc = pc;
        if (cpu.mode < 1) {
          cpu.raise(CAUSE.PRIVILEGED_INSTRUCTION, m32[(cpu.fetchHpa | (pc & 0xfff)) >>> 2]);
          break loop;
        }
        cpu.eret();
        pc = cpu.pc;
        break loop;
      case 56: // wfi
        cpu.pc = pc;
        if (cpu.mode < 1) {
          cpu.raise(CAUSE.PRIVILEGED_INSTRUCTION, m32[(cpu.fetchHpa | (pc & 0xfff)) >>> 2]);
          break loop;
        }
        if (!cpu.wfi()) {
          // hstatus.TW: the hypervisor wants to see the guest idle, whatever it delegated.
          cpu.raise(CAUSE.PRIVILEGED_INSTRUCTION, m32[(cpu.fetchHpa | (pc & 0xfff)) >>> 2], true);
          break loop;
        }
        pc = (pc + 4) | 0;
        break loop;
      case 57: // tlbflush
        cpu.pc = pc;
        if (cpu.mode < 1) {
          cpu.raise(CAUSE.PRIVILEGED_INSTRUCTION, m32[(cpu.fetchHpa | (pc & 0xfff)) >>> 2]);
          break loop;
        }
        cpu.tlbflush(((w >>> 16) & 63), (w >>> 24));
        pc = (pc + 4) | 0;
        break loop;
      case 58: // hflush
        cpu.pc = pc;
        if (cpu.mode < 2) {
          cpu.raise(CAUSE.PRIVILEGED_INSTRUCTION, m32[(cpu.fetchHpa | (pc & 0xfff)) >>> 2]);
          break loop;
        }
        cpu.hflush(((w >>> 16) & 63));
        pc = (pc + 4) | 0;
        break loop;
      default:
        throw new Error(`interpreter: no case for decoded kind ${w & 255} (emulator bug)`);
    }
  }
  if (cpu.sliceTraps === 0) cpu.pc = pc;
  return n;
}
