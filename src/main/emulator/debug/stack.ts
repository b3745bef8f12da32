/**
 * A vCPU's call stack (docs/debugger.md#call-stack). HD32 code keeps no frame pointer (s0 is an
 * ordinary saved register in cos's programs and lib.inc), so frames are walked as gdb's prologue
 * analysers do, bounded by the deployed program's symbols:
 *
 * - The program's **functions** start at its entry and at every target of a linking `jal` (a
 *   `call`) found in its code (the line map's addresses). The function holding pc is the nearest
 *   start at or below it; an address outside the program's code ends the walk.
 * - Its **frame** comes from the function's prologue, scanned from its start up to pc: each
 *   `addi sp, sp, -N` moves sp down, and a `sw ra, K(sp)` says where the return address was
 *   saved. The scan ends at the first jump or call (`j`, `call`, `ret`). A function that saved no ra is a leaf: its return
 *   address is still in ra, which only the innermost frame can use.
 * - The innermost frame may stand in its **epilogue**: scanning forward from pc to a `ret` (no
 *   jump in between), the `lw ra, K(sp)` and `addi sp, sp, N` still to come say where ra and the
 *   caller's sp are.
 * - The **caller** stands at the return address minus 4, which must hold a `jal ra` or `jalr ra`,
 *   else the walk stops and says why (a function entered without a call, a stack the heuristic
 *   misread). At most MAX_FRAMES frames.
 */
import type { DebugFrame, DebugStack } from '../../../shared/debugApi.js';
import { decodeWord } from '../../../shared/isa/encoding.js';
import { hostOf } from './guestMemory.js';
import { lineAt, type ProgramInfo } from './program.js';
import type { Target } from './targets.js';

export const MAX_FRAMES = 64;
/** Instructions scanned for a prologue (from a function's start) and an epilogue (from pc). */
const PROLOGUE_MAX = 64;
const EPILOGUE_MAX = 8;
const RA = 1;
const SP = 2;
const ZERO = 0;

type Word = (address: number) => number | undefined;

/** Where the return address is, and how far the caller's sp is above this frame's sp. */
interface FrameRule {
  /** Bytes from this frame's sp to the caller's. */
  size: number;
  /** The return address is saved at sp + raAt (undefined: still in ra). */
  raAt: number | undefined;
}

/** The program's function starts (entry and call targets), sorted, and its code's range. */
export function functionStarts(prog: ProgramInfo, word: Word): { starts: number[]; lo: number; hi: number } {
  const lo = prog.lines.length ? prog.lines[0]!.address : prog.entry;
  // A statement's words span up to the next line's address; the last one gets a pseudo's length.
  const hi = (prog.lines.length ? prog.lines[prog.lines.length - 1]!.address : prog.entry) + 16;
  const starts = new Set<number>([prog.entry >>> 0]);
  for (let a = lo; a < hi; a += 4) {
    const w = word(a);
    const d = w === undefined ? undefined : decodeWord(w);
    if (d?.info.mnemonic === 'jal' && d.rd === RA) {
      const target = (a + d.imm) >>> 0;
      if (target >= lo && target < hi) starts.add(target);
    }
  }
  return { starts: [...starts].sort((x, y) => x - y), lo, hi };
}

/** The frame rule at `pc` of the function starting at `start` (docs above). */
export function frameRule(start: number, pc: number, innermost: boolean, word: Word): FrameRule {
  if (innermost) {
    // An epilogue ahead: the loads and the sp moves before the ret are still to come.
    let d = 0;
    let raAt: number | undefined;
    for (let i = 0, a = pc; i < EPILOGUE_MAX; i++, a += 4) {
      const w = word(a);
      const x = w === undefined ? undefined : decodeWord(w);
      if (!x) break;
      const m = x.info.mnemonic;
      if (m === 'jalr' && x.rd === ZERO && x.rs1 === RA && x.imm === 0) return { size: d, raAt };
      if (m === 'lw' && x.rd === RA && x.rs1 === SP) raAt = d + x.imm;
      else if (m === 'addi' && x.rd === SP && x.rs1 === SP) d += x.imm;
      else if (m === 'jal' || m === 'jalr' || x.info.group === 'branch' || x.info.format === 'SYS') break;
    }
  }
  let delta = 0;
  let raEntry: number | undefined;
  for (let i = 0, a = start; i < PROLOGUE_MAX && a < pc; i++, a += 4) {
    const w = word(a);
    const x = w === undefined ? undefined : decodeWord(w);
    if (!x) break;
    const m = x.info.mnemonic;
    // Only the set-up counts: an early return's `lw ra` and `addi sp, sp, +N` come before its
    // `ret`, which ends the scan; code after it runs in the frame set up here.
    if (m === 'addi' && x.rd === SP && x.rs1 === SP && x.imm < 0) delta += x.imm;
    else if (m === 'sw' && x.rs2 === RA && x.rs1 === SP && raEntry === undefined) raEntry = delta + x.imm;
    else if (m === 'jal' || m === 'jalr') break; // the first call or jump ends the prologue
  }
  return { size: -delta, raAt: raEntry === undefined ? undefined : raEntry - delta };
}

function nearestAtOrBelow(sorted: readonly number[], a: number): number | undefined {
  let best: number | undefined;
  for (const x of sorted) {
    if (x > a) break;
    best = x;
  }
  return best;
}

/**
 * The call stack of vCPU `vcpu` of a guest, with the deployed program `prog` (without one, only the
 * frame where it stands).
 */
export function stackOf(t: Target, vcpu: number, prog: ProgramInfo | undefined): DebugStack {
  const word: Word = (a) => {
    const h = hostOf(t, 'virtual', vcpu, a >>> 0);
    return typeof h === 'string' ? undefined : t.mem.i32[h >>> 2]! >>> 0;
  };
  const v = t.view(vcpu);
  let pc = v.pc >>> 0;
  let sp = v.regs[SP]! >>> 0;
  const frames: DebugFrame[] = [];
  const code = prog ? functionStarts(prog, word) : undefined;
  const nameOf = (a: number) => prog?.labels.find((l) => l.address >>> 0 === a)?.name;
  for (;;) {
    const index = frames.length;
    const frame: DebugFrame = { index, pc, sp };
    const inCode = code !== undefined && pc >= code.lo && pc < code.hi;
    const start = inCode ? nearestAtOrBelow(code.starts, pc) : undefined;
    if (start !== undefined) {
      frame.function = nameOf(start) ?? hex(start);
      frame.offset = pc - start;
    }
    const exact = prog && nameOf(pc);
    if (exact) frame.label = exact;
    const where = prog && lineAt(prog, pc);
    if (where) {
      frame.file = where.file;
      frame.line = where.line;
    }
    frames.push(frame);
    if (!prog)
      return { frames, stopped: 'no program with symbols is deployed in this guest: only the frame it stands in' };
    if (start === undefined)
      return index === 0
        ? { frames, stopped: `pc ${hex(pc)} is outside the deployed program (${prog.file})` }
        : { frames, stopped: `the return address ${hex(pc + 4)} is outside the deployed program` };
    if (start === prog.entry >>> 0) return { frames }; // the program's entry is called by no one
    if (frames.length >= MAX_FRAMES) return { frames, stopped: `more than ${MAX_FRAMES} frames` };
    const rule = frameRule(start, pc, index === 0, word);
    let ra: number | undefined;
    if (rule.raAt !== undefined) ra = word((sp + rule.raAt) >>> 0);
    else if (index === 0) ra = v.regs[RA]! >>> 0;
    const fname = frame.function;
    if (ra === undefined)
      return { frames, stopped: `${fname} keeps its return address in ra, which a call since has changed` };
    const call = (ra - 4) >>> 0;
    const w = word(call);
    const x = w === undefined ? undefined : decodeWord(w);
    if (!x || !((x.info.mnemonic === 'jal' || x.info.mnemonic === 'jalr') && x.rd === RA))
      return { frames, stopped: `the return address of ${fname} (${hex(ra)}) does not follow a call` };
    const callerSp = (sp + rule.size) >>> 0;
    if (call === pc && callerSp === sp) return { frames, stopped: 'the walk went round in a circle' };
    pc = call;
    sp = callerSp;
  }
}

function hex(n: number): string {
  return `0x${(n >>> 0).toString(16).padStart(8, '0')}`;
}
