/**
 * A small hypervisor machine for the isolation fuzz campaigns (docs/security.md). Partitions run an
 * *agent*: a few instructions of guest code that, told so through a mailbox in its own memory,
 * issues one `hypercall N` with a0..a5 from supervisor or user mode and reports what came back. So
 * every fuzzed call is a real hypercall from guest code, trapped and answered by the hypervisor
 * (docs/hypercalls.md#calling-convention); only what ctl would do as a loader (writing an image
 * into memory, starting a fresh client after a campaign broke one) is done directly, as
 * test/hypervisor/harness.ts does.
 */
import { assemble, formatDiagnostic } from '../../src/main/asm/index.js';
import { Hypervisor } from '../../src/main/emulator/hypervisor/Hypervisor.js';
import type { Partition } from '../../src/main/emulator/hypervisor/Partition.js';
import { Machine } from '../../src/main/emulator/machine/Machine.js';
import { ins, words } from '../../src/main/emulator/testing/harness.js';

/** Where the agent lives in every partition's guest-physical memory (ctl's too: gpa = hpa there). */
export const AGENT = 0x10000;
/** The page holding the one hypercall the agent runs next (rewritten for each call). */
export const SLOT = 0x11000;
/**
 * The mailbox: +0 go flag, +4 mode (0 kernel, 1 user), +8..+28 a0..a5, +32..+40 a0..a2 after,
 * +44 scause, +48 sepc (of a trap from user mode), +52 how many times (kernel mode: a flood).
 */
export const MBOX = 0x12000;
/** First byte after the agent's pages: memory below this is the agent's own. */
export const AGENT_END = 0x13000;

const agentSource = (spin: string): string => `
.equ MBOX, ${MBOX}
.equ SLOT, ${SLOT}
.org ${AGENT}
_start:
    li   s0, MBOX
    la   t0, utrap
    csrw stvec, t0
loop:
    lw   t0, 0(s0)
    bnez t0, go
    ${spin}
    j    loop
go:
    lw   t1, 4(s0)
    lw   t3, 52(s0)
again:
    lw   a0, 8(s0)
    lw   a1, 12(s0)
    lw   a2, 16(s0)
    lw   a3, 20(s0)
    lw   a4, 24(s0)
    lw   a5, 28(s0)
    li   t2, SLOT
    bnez t1, user
    jalr ra, 0(t2)
    addi t3, t3, -1
    bgtz t3, again
    j    done
user:
    csrw sepc, t2
    csrw sstatus, zero
    eret
utrap:
    csrr t2, scause
    sw   t2, 44(s0)
    csrr t2, sepc
    sw   t2, 48(s0)
done:
    sw   a0, 32(s0)
    sw   a1, 36(s0)
    sw   a2, 40(s0)
    sw   zero, 0(s0)
    j    loop
`;

const agentImages = new Map<boolean, Uint8Array>();
/**
 * The agent's bytes, loaded at AGENT (entry AGENT). While it waits it yields the pCPU (several
 * agents share one), or with `spin` it keeps it (the only one running: 4x faster calls).
 */
export function agent(spin = false): Uint8Array {
  let img = agentImages.get(spin);
  if (!img) {
    const r = assemble(agentSource(spin ? 'nop' : 'hypercall 3'), { filename: 'agent.s' });
    if (!r.ok) throw new Error(r.diagnostics.map(formatDiagnostic).join('\n'));
    img = r.bytes;
    agentImages.set(spin, img);
  }
  return img;
}

/** A guest that sleeps for good (wfi with nothing enabled), at AGENT. */
export const IDLE = words(ins('wfi'), ins('jal', { rd: 0, imm: -4 }));

export type Mode = 'kernel' | 'user';

export interface CallResult {
  /** done: the agent reported back; stopped: the caller is no longer running; blocked: it waits in msg_call; timeout. */
  status: 'done' | 'stopped' | 'blocked' | 'timeout' | 'no-agent';
  a0: number;
  a1: number;
  a2: number;
  /** User mode: the trap the guest's kernel took (scause, sepc), -1 when none. */
  scause: number;
  sepc: number;
}

export interface WorldOptions {
  cpus?: number;
  memBytes?: number;
  reserveBytes?: number;
  /** ctl runs the agent (it makes control calls) or sleeps (the test never needs it to). */
  ctl: 'agent' | 'idle';
}

/** Cycles run between looks at the mailbox. */
const CHUNK = 256;

/**
 * Machine cycles a call may take before it counts as lost. The hypervisor's work is charged in
 * machine cycles (docs/hypercalls.md#what-the-hypervisor-costs): swapping a partition out copies its
 * memory (2 cycles a word, 0.5 M cycles for 1 MiB), so a call gets 2 M; a call that finishes
 * sooner returns at once.
 */
const CALL_BUDGET = 2_000_000;

export class FuzzWorld {
  readonly machine: Machine;
  readonly hv: Hypervisor;
  readonly ctl: Partition;
  /** ctl's memory is handed out downward from here (as test/hypervisor/harness.ts does). */
  nextTop: number;

  constructor(opts: WorldOptions) {
    this.machine = new Machine({ cpus: opts.cpus ?? 1, memBytes: opts.memBytes ?? 8 << 20, nics: 1 });
    this.hv = new Hypervisor(this.machine, {
      consoleFor: () => ({ write: () => undefined }),
      reserveBytes: opts.reserveBytes,
    });
    const bytes = opts.ctl === 'agent' ? agent() : IDLE;
    this.ctl = this.hv.bootControllingOs({ loadAddress: AGENT, entry: AGENT, bytes, name: 'ctl' });
    this.nextTop = this.hv.usableBytes;
  }

  /**
   * What ctl does to start a client (as a loader; the control campaign does it by hypercalls):
   * create it, one vCPU, `memBytes` of ctl's memory from the top with `image` at AGENT, start.
   */
  launch(id: number, image: Uint8Array, memBytes = 256 << 10, cpu = 0): Partition {
    this.nextTop -= memBytes;
    const base = this.nextTop;
    const hv = this.hv;
    const p = hv.create(id, `p${id}`);
    hv.addVcpu(p, cpu);
    hv.writeGuest(this.ctl, base, new Uint8Array(memBytes));
    hv.writeGuest(this.ctl, base + AGENT, image);
    const err = hv.moveMemory(this.ctl, p, base, memBytes) ?? hv.start(id, AGENT, 0);
    if (err) throw new Error(`cannot launch partition ${id}: ${err}`);
    return p;
  }

  private mbox(p: Partition, off: number): number | undefined {
    const h = p.hostAddress(MBOX + off);
    return h === undefined ? undefined : this.machine.mem.read32(h);
  }

  /** Issue `hypercall nr` with `args` (a0..a5) from partition `p`'s agent, in `mode`. */
  call(
    p: Partition,
    nr: number,
    args: readonly number[],
    mode: Mode = 'kernel',
    budget = CALL_BUDGET,
    repeat = 1,
  ): CallResult {
    const hv = this.hv;
    const tail = mode === 'kernel' ? ins('jalr', { rd: 0, rs1: 'ra', imm: 0 }) : ins('syscall', { imm: 0 });
    const box = new Int32Array(14);
    box[0] = 1;
    box[1] = mode === 'user' ? 1 : 0;
    for (let i = 0; i < 6; i++) box[2 + i] = args[i] ?? 0;
    box[11] = -1;
    box[12] = -1;
    box[13] = repeat;
    // The mailbox's flag goes last: the agent may look at it at any moment.
    const body = new Uint8Array(box.buffer);
    if (
      p.state !== 'running' ||
      !hv.writeGuest(p, SLOT, words(ins('hypercall', { imm: nr & 0xffff }), tail)) ||
      !hv.writeGuest(p, MBOX + 4, body.subarray(4)) ||
      !hv.writeGuest(p, MBOX, body.subarray(0, 4))
    )
      return this.result(p, 'no-agent');
    return this.wait(p, budget);
  }

  /** Run until `p`'s agent reports (or stops, blocks, or `budget` cycles pass). */
  wait(p: Partition, budget = CALL_BUDGET): CallResult {
    for (let spent = 0; spent < budget; spent += CHUNK) {
      this.machine.run(CHUNK);
      if (this.mbox(p, 0) === 0) return this.result(p, 'done');
      if (p.state !== 'running' || this.machine.stopped) return this.result(p, 'stopped');
      if (p.vcpus.some((v) => v.waitingReplyFrom >= 0)) return this.result(p, 'blocked');
    }
    return this.result(p, 'timeout');
  }

  private result(p: Partition, status: CallResult['status']): CallResult {
    return {
      status,
      a0: this.mbox(p, 32) ?? 0,
      a1: this.mbox(p, 36) ?? 0,
      a2: this.mbox(p, 40) ?? 0,
      scause: this.mbox(p, 44) ?? -1,
      sepc: this.mbox(p, 48) ?? -1,
    };
  }

  /** Partitions that are not destroyed, by id. */
  live(): Partition[] {
    return [...this.hv.partitions.values()].filter((p) => p.state !== 'destroyed');
  }
}
