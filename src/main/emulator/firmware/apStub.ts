/**
 * The firmware's waiting loop for secondary pCPUs (docs/boot.md#the-boot-loader-m9), as real HD32
 * code placed in RAM: each pCPU other than the boot one waits in hypervisor mode for an IPI, then
 * starts the OS at boot info `ap_entry` in supervisor mode with the same delegation as pCPU 0.
 * Built from the opcode table with the shared encoder (the emulator may not import the assembler).
 */
import { CSR, EXC_DELEGABLE_MASK } from '../../../shared/isa/csrs.js';
import { encode, type Operands } from '../../../shared/isa/encoding.js';
import { OPCODE_BY_MNEMONIC } from '../../../shared/isa/opcodes.js';
import { BI, BOOT_INFO_ADDR, BOOT_INFO_MAGIC } from './bootInfo.js';

export const AP_STUB_ADDR = 0x7000;

const T0 = 5;
const A0 = 10;
const A1 = 11;
const A2 = 12;

function ins(m: string, o: Partial<Operands>): number {
  const info = OPCODE_BY_MNEMONIC.get(m);
  if (!info) throw new Error(`apStub: no mnemonic ${m}`);
  return encode(info, { rd: 0, rs1: 0, rs2: 0, imm: 0, ...o });
}

/** The stub's words (position-dependent: it runs at AP_STUB_ADDR). */
export function apStubWords(): number[] {
  const hi = (x: number) => ((x + 0x8000) >>> 16) & 0xffff;
  const lo = (x: number) => ((x & 0xffff) ^ 0x8000) - 0x8000;
  const w: number[] = [
    /* 0  */ ins('wfi', {}),
    /* 4  */ ins('lui', { rd: A0, imm: hi(BOOT_INFO_ADDR) }),
    /* 8  */ ins('addi', { rd: A0, rs1: A0, imm: lo(BOOT_INFO_ADDR) }),
    /* 12 */ ins('lw', { rd: T0, rs1: A0, imm: BI.apEntry }),
    /* 16 */ ins('beq', { rs1: T0, rs2: 0, imm: -16 }), // no entry yet: wait again
    /* 20 */ ins('csrrw', { rd: 0, rs1: 0, imm: CSR.hip }), // consume the IPI
    /* 24 */ ins('csrrw', { rd: 0, rs1: T0, imm: CSR.hepc }),
    /* 28 */ ins('ori', { rd: T0, rs1: 0, imm: EXC_DELEGABLE_MASK }),
    /* 32 */ ins('csrrw', { rd: 0, rs1: T0, imm: CSR.hdeleg }),
    /* 36 */ ins('ori', { rd: T0, rs1: 0, imm: 7 }),
    /* 40 */ ins('csrrw', { rd: 0, rs1: T0, imm: CSR.hideleg }),
    /* 44 */ ins('ori', { rd: T0, rs1: 0, imm: 1 << 2 }), // previous mode: supervisor
    /* 48 */ ins('csrrw', { rd: 0, rs1: T0, imm: CSR.hstatus }),
    /* 52 */ ins('lui', { rd: A1, imm: BOOT_INFO_MAGIC >>> 16 }),
    /* 56 */ ins('ori', { rd: A1, rs1: A1, imm: BOOT_INFO_MAGIC & 0xffff }),
    /* 60 */ ins('csrrs', { rd: A2, rs1: 0, imm: CSR.cpuid }),
    /* 64 */ ins('eret', {}),
  ];
  return w;
}
