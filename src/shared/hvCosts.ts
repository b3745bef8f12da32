/**
 * What the hypervisor's work costs in machine cycles (docs/hypercalls.md#what-the-hypervisor-costs).
 *
 * The hypervisor is TypeScript, so its work took no machine time and a partition looked as fast as
 * dual boot (issue 16). Each event below is charged to the pCPU it happens on (Cpu.charge; runCpu
 * lets the cycles pass before the guest goes on), with the number of HD32 instructions a
 * hypervisor written for this machine would run for it: one cycle an instruction, as everywhere in
 * the machine. This table is the one source: `npm run docs` writes it into docs/hypercalls.md.
 */

/** One kind of hypervisor work: its cycles per unit, the unit, and the instructions that make it. */
export interface HvCost {
  cycles: number;
  unit: string;
  instructions: string;
}

export const HV_COSTS = {
  trapEntry: {
    cycles: 38,
    unit: 'trap (every trap and interrupt taken to hypervisor mode)',
    instructions:
      'csrrw sp, hscratch for the vCPU save area (1); sw of x1..x31 (31); csrr of hcause, hepc, hbadaddr (3); ' +
      'index the handler table by cause and jump: slli, lw, jalr (3)',
  },
  trapExit: {
    cycles: 35,
    unit: 'trap (the return to a guest, or to the idle loop)',
    instructions: 'csrw of hepc and hstatus (2); lw of x1..x31 (31); csrrw sp, hscratch (1); eret (1)',
  },
  hypercall: {
    cycles: 14,
    unit: 'hypercall',
    instructions:
      'range check of the number (2); lw of its table entry (2); caller class check: lw, and, beq (3); ' +
      'target state check (3); call and return (2); write a0 (1); hepc += 4 (1)',
  },
  worldSwitch: {
    cycles: 66,
    unit: 'switch to another vCPU',
    instructions:
      'save the outgoing vCPU: csrr + sw of its 10 supervisor CSRs (20), cycle offset and instret (4), timer (2); ' +
      'load the incoming one the same way (26); vmid, s2ptbr and hvip (6); pick the next runnable vCPU ' +
      'from the pCPU run queue (8). Its registers are the trap exit above, from the other save area',
  },
  interrupt: {
    cycles: 12,
    unit: 'interrupt taken by the hypervisor (timer tick, IPI, external)',
    instructions:
      'decode the line (3); clear or acknowledge it (2); re-arm htimecmp or read the sources (4); ' +
      'update hvip of the current vCPU (3)',
  },
  irqRoute: {
    cycles: 10,
    unit: 'physical interrupt source routed to its owner',
    instructions:
      'claim at the interrupt controller: lw (2); owner of the source from a table (3); ' +
      'set the line in the owner virtual controller (5)',
  },
  mmio: {
    cycles: 40,
    unit: 'emulated access to a virtual device (trap and emulate of MMIO)',
    instructions:
      'hgpa to the virtual device window by a bounds table (6); the guest instruction at hepc through its ' +
      'page table and stage 2 (10); decode the load or store (8); the device register access (10); ' +
      'write rd or take the value, hepc += 4 (6)',
  },
  emulate: {
    cycles: 25,
    unit: 'privileged instruction emulated (trap-and-emulate: csr access, eret, tlbflush)',
    instructions:
      'decode the word from hbadaddr (8); dispatch on the CSR number (6); read or write the virtual CSR in ' +
      'the vCPU save area (6); write rd (2); hepc += 4 (3)',
  },
  reflect: {
    cycles: 12,
    unit: 'fault reflected into the guest supervisor',
    instructions: 'csrw of sepc, scause, sbadaddr, sstatus with its mode bits (8); hepc = stvec, hstatus mode (4)',
  },
  tablePage: {
    cycles: 1_536,
    unit: 'page of a stage-2 or shadow table (zeroed)',
    instructions: '4 KiB of zeros: 256 times four sw, addi, bne (6)',
  },
  tableEntry: {
    cycles: 6,
    unit: 'table entry written',
    instructions:
      'the index from the address: srli, andi, slli (3); the entry: or with the flags (1); sw (1); loop (1)',
  },
  shadowScan: {
    cycles: 8,
    unit: 'guest page-table entry read while building a shadow table',
    instructions: 'lw (1); valid and leaf tests (3); guest-physical to host through the partition memory ranges (4)',
  },
  zeroPage: {
    cycles: 1_536,
    unit: 'page of memory zeroed for a partition that gets it',
    instructions: 'as tablePage: 256 times four sw, addi, bne (6)',
  },
  copyWord: {
    cycles: 2,
    unit: 'word copied between guest memory and the hypervisor (console, messages, frames, swap)',
    instructions: 'lw, sw (the loop unrolled by four: its addi and bne come to less than one a word)',
  },
  control: {
    cycles: 120,
    unit: 'control operation planned and checked (create, assign, move, start, stop, destroy)',
    instructions:
      'check the caller and the target (10); the next layout: copy the changed entries (30); check overlap ' +
      'and over-commit of the ranges it changes (60); commit the ownership (20)',
  },
} as const satisfies Record<string, HvCost>;

export type HvCostKind = keyof typeof HV_COSTS;

export const HV_COST_KINDS = Object.keys(HV_COSTS) as HvCostKind[];

/** Events and cycles charged by kind, since power-on (the performance view and the comparison). */
export type HvCostCounts = Record<HvCostKind, { events: number; cycles: number }>;

export function newCostCounts(): HvCostCounts {
  const c = {} as HvCostCounts;
  for (const k of HV_COST_KINDS) c[k] = { events: 0, cycles: 0 };
  return c;
}

/** The table as markdown, for docs/hypercalls.md (src/main/docs/hypercallsDoc.ts). */
export function costTableMarkdown(): string {
  const rows = HV_COST_KINDS.map((k) => {
    const c: HvCost = HV_COSTS[k];
    return `| \`${k}\` | ${c.cycles.toLocaleString('en-US')} | ${c.unit} | ${c.instructions} |`;
  });
  return ['| work | cycles | per | the instructions (one cycle each) |', '|---|---|---|---|', ...rows].join('\n');
}
