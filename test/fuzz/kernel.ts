/**
 * The kernel campaign (docs/security.md#kernel): random instruction words run in a client's
 * supervisor mode: its own kernel gone wild. Each program is a page of words (most of them valid
 * instructions with random operands, from the opcode table; the rest any 32-bit word) behind a trap
 * handler that steps over whatever traps and stays in the page. Programs run under each
 * virtualization technique (hardware-assisted and trap-and-emulate with shadow tables). After
 * every program: other partitions' memory and the hypervisor's state outside the client unchanged
 * (by hash), and the invariants of invariants.ts.
 */
import { encode } from '../../src/shared/isa/encoding.js';
import { OPCODES } from '../../src/shared/isa/opcodes.js';
import type { Partition } from '../../src/main/emulator/hypervisor/Partition.js';
import { ins, li, words } from '../../src/main/emulator/testing/harness.js';
import type { CampaignSpec, Outcome, StepEscape } from './campaign.js';
import { hostException } from './campaign.js';
import { checkInvariants, digest, firstDifference, foreignState, hashMemory, hex, hostRanges } from './invariants.js';
import { Rng } from './rng.js';
import { FuzzWorld, IDLE } from './world.js';

export interface KernelOp {
  /** The program's words come from this seed (program(seed) rebuilds them). */
  seed: number;
  technique: 'paravirtual' | 'hardware' | 'trap-emulate';
}

const CALLER = 1;
const OTHER = 2;
const CLIENT_MEM = 512 << 10;
/** The random page, the handler, the entry. */
const CODE = 0x10000;
const CODE_WORDS = 1024;
const HANDLER = 0xf000;
const ENTRY = 0xe000;
/** Cycles each program runs. */
export const PROGRAM_CYCLES = 300_000;
export const EPISODE_PROGRAMS = 8;

/** The words of program `seed`: mostly valid instructions, some raw words, a jump back at the end. */
export function program(seed: number): Uint32Array {
  const rng = new Rng(seed);
  const out = new Uint32Array(CODE_WORDS);
  for (let i = 0; i < CODE_WORDS - 1; i++) {
    if (rng.chance(0.25)) {
      out[i] = rng.u32();
      continue;
    }
    const info = rng.pick(OPCODES);
    const imm =
      info.format === 'B' ? rng.int(-64, 64) * 4 : info.format === 'J' ? rng.int(-512, 512) * 4 : rng.u32() | 0;
    out[i] = encode(info, {
      rd: rng.int(0, 31),
      rs1: rng.int(0, 31),
      rs2: rng.int(0, 31),
      imm: info.format === 'CSR' ? rng.int(0, 0x220) : imm,
    });
  }
  out[CODE_WORDS - 1] = ins('jal', { rd: 0, imm: -(CODE_WORDS - 1) * 4 });
  return out;
}

/** The kernel's trap handler: step over the trapping word, wrapped into the page (t5, t6 are its). */
const handler = words(
  ins('csrrs', { rd: 't6', imm: 0x102 }), // sepc
  ins('addi', { rd: 't6', rs1: 't6', imm: 4 }),
  ins('andi', { rd: 't6', rs1: 't6', imm: CODE_WORDS * 4 - 1 }),
  ins('lui', { rd: 't5', imm: CODE >>> 16 }),
  ins('or', { rd: 't6', rs1: 't6', rs2: 't5' }),
  ins('csrrw', { rs1: 't6', imm: 0x102 }),
  ins('eret'),
);
const entry = words(
  li('t6', HANDLER),
  ins('csrrw', { rs1: 't6', imm: 0x101 }),
  li('t6', CODE),
  ins('jalr', { rd: 0, rs1: 't6', imm: 0 }),
);

function generate(rng: Rng): KernelOp[] {
  const ops: KernelOp[] = [];
  for (let i = 0; i < EPISODE_PROGRAMS; i++)
    ops.push({ seed: rng.u32(), technique: rng.pick(['paravirtual', 'hardware', 'trap-emulate'] as const) });
  return ops;
}

export function show(o: KernelOp): string {
  return `${o.technique} program(${hex(o.seed)})`;
}

/** Instructions the client retired since its start. */
function retired(p: Partition): number {
  return p.vcpus.reduce((s, v) => s + v.instret, 0);
}

function play(ops: readonly KernelOp[]): Outcome {
  const out: Outcome = { steps: 0, instructions: 0, escapes: [], exceptions: [], counters: { programs: 0 } };
  const w = new FuzzWorld({ ctl: 'idle', memBytes: 4 << 20 });
  const hv = w.hv;
  w.launch(OTHER, IDLE, 256 << 10);
  w.machine.run(20_000);
  const c = w.launch(CALLER, IDLE, CLIENT_MEM);
  w.machine.run(20_000);
  const span = hostRanges(c.memory)[0];
  const others = hostRanges([...w.ctl.memory, ...(hv.partitions.get(OTHER) as Partition).memory]);
  const memBefore = hashMemory(w.machine.mem, others);
  const stateBefore = foreignState(hv, CALLER, span);
  const digestBefore = digest(stateBefore);
  for (let i = 0; i < ops.length; i++) {
    const o = ops[i];
    const found: StepEscape[] = [];
    const esc = (invariant: string, detail: string): void => void found.push({ invariant, detail, step: i });
    try {
      // ctl loads the next program into the client and starts it (as a loader: not fuzzed).
      if (c.state === 'running') hv.stop(CALLER);
      if (c.memBytes < CLIENT_MEM / 2) break; // it gave most of its memory back: nothing to load into
      hv.writeGuest(c, 0, new Uint8Array(c.memBytes));
      hv.writeGuest(c, ENTRY, entry);
      hv.writeGuest(c, HANDLER, handler);
      hv.writeGuest(c, CODE, new Uint8Array(program(o.seed).buffer));
      c.pristine = undefined;
      c.technique = o.technique;
      const err = hv.start(CALLER, ENTRY, 0);
      if (err) throw new Error(`cannot start the client: ${err}`);
      w.machine.run(PROGRAM_CYCLES);
      if (c.state === 'running') hv.stop(CALLER);
      out.steps++;
      if (out.counters) out.counters.programs++;
      out.instructions = (out.instructions ?? 0) + retired(c);
      for (const x of checkInvariants(hv)) esc(x.invariant, x.detail);
      const now = foreignState(hv, CALLER, span);
      if (digest(now) !== digestBefore)
        esc(
          'foreign-state',
          `the hypervisor's state outside partition ${CALLER} changed: ${firstDifference(stateBefore, now)}`,
        );
      if (hashMemory(w.machine.mem, others) !== memBefore)
        esc('foreign-memory', `memory of ctl or partition ${OTHER} changed`);
      if (w.machine.stopped) esc('machine', `the machine stopped: ${JSON.stringify(w.machine.stopped)}`);
    } catch (e) {
      out.exceptions.push(hostException(show(o), e, i));
      return out;
    }
    if (found.length) {
      out.escapes.push(...found);
      return out;
    }
  }
  return out;
}

export const kernelCampaign: CampaignSpec<KernelOp> = {
  name: 'kernel',
  generate,
  play,
  show,
  inputs: (o) => o.instructions ?? 0,
};
