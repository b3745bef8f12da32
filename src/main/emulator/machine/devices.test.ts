/**
 * The devices as a guest sees them, end to end: the machine built from the I/O tree, ACCESS_FAULT for
 * missing registers, interrupts through the intc, disk commands from guest code, reset, the rtc, and
 * machine snapshots with device state (docs/devices.md).
 */
import { describe, expect, it } from 'vitest';
import { CSR, IRQ, STATUS_IE } from '../../../shared/isa/csrs.js';
import { BLOCK_SIZE, MemoryBlockBackend } from '../devices/disk/BlockBackend.js';
import { DmaFault, DmaTable } from '../dma/DmaTable.js';
import { ins, li, words } from '../testing/harness.js';
import { ADDR, DEVICE_ID, flatten, ID_OFFSET, TIMEBASE, VERSION_OFFSET } from './board.js';
import { Machine, type MachineDescription, type MachineState } from './Machine.js';

const SYSCTL = ADDR.sysctl;
const exit = () => [li('t6', SYSCTL), ins('sw', { rs2: 0, rs1: 't6', imm: 0 })].flat();
const pattern = (blocks: number) => Uint8Array.from({ length: blocks * BLOCK_SIZE }, (_, i) => (i * 13 + 1) & 0xff);

/** States equal; RAM compared as bytes (a framework diff of a whole RAM image is very slow). */
function expectSameState(a: MachineState, b: MachineState) {
  const { memory: ma, ...ra } = a;
  const { memory: mb, ...rb } = b;
  expect(rb).toEqual(ra);
  expect(mb.size).toBe(ma.size);
  expect(mb.bytes.every((x, i) => x === ma.bytes[i])).toBe(true);
}

function make(d: Partial<MachineDescription> = {}) {
  let out = '';
  let out1 = '';
  const m = new Machine({
    cpus: 1,
    memBytes: 1 << 20,
    console: { write: (b) => (out += String.fromCharCode(b)) },
    console1: { write: (b) => (out1 += String.fromCharCode(b)) },
    ...d,
  });
  return { m, cpu: m.cpus[0], out: () => out, out1: () => out1 };
}

describe('the machine built from the I/O tree', () => {
  it('has a device per window, each with its identity and version', () => {
    const { m } = make({ disks: [new MemoryBlockBackend(8), new MemoryBlockBackend(8)], nics: 2 });
    expect([...m.devices.keys()]).toEqual([
      'uart0',
      'sysctl',
      'rtc',
      'uart1',
      'intc',
      'disk0',
      'disk1',
      'nic0',
      'nic1',
    ]);
    expect(m.tree.id).toBe('sysbus');
    expect(m.uart).toBe(m.uarts[0]);
    expect(m.devices.get('disk1')).toBe(m.disks[1]);
    for (const { node } of flatten(m.tree)) {
      if (node.base === undefined || node.kind === 'bus' || node.kind === 'controller') continue;
      expect(m.bus.read(node.base + ID_OFFSET, 4)).toBe(DEVICE_ID[node.kind] | 0);
      expect(m.bus.read(node.base + VERSION_OFFSET, 4)).toBe(1);
    }
    expect(m.nics.map((n) => [...n.mac])).toEqual([
      [2, 0, 0, 0, 0, 1],
      [2, 0, 0, 0, 0, 2],
    ]);
  });

  it('defaults: one nic, no disk; description options', () => {
    const { m } = make({ nicMacs: ['0a:0b:0c:0d:0e:0f'] });
    expect(m.disks).toEqual([]);
    expect(m.nics.length).toBe(1);
    expect([...m.nics[0].mac]).toEqual([10, 11, 12, 13, 14, 15]);
    expect(make({ nics: 0 }).m.devices.has('nic0')).toBe(false);
    expect(() => make({ disks: Array.from({ length: 9 }, () => new MemoryBlockBackend(1)) })).toThrow(RangeError);
    expect(() => make({ nics: 5 })).toThrow(RangeError);
    expect(() => make({ nicMacs: ['nope'] })).toThrow(RangeError);
    expect(() => make({ rtcEpochSeconds: -1 })).toThrow(RangeError);
  });

  it('uart1 is the second console', () => {
    const { m, out, out1 } = make({ stopOnUnsetVector: true });
    m.load(
      0,
      words(li('t0', ADDR.uart1), ins('addi', { rd: 't1', imm: 0x5a }), ins('sw', { rs2: 't1', rs1: 't0' }), exit()),
    );
    expect(m.run(100)?.kind).toBe('exit');
    expect([out(), out1()]).toEqual(['', 'Z']);
  });
});

describe('bad accesses from the guest', () => {
  const trapAt = (code: number[]) => {
    const t = make({ stopOnUnsetVector: true });
    t.m.load(0, words(code));
    return { r: t.m.run(100), m: t.m };
  };

  it('a lw from a missing register traps ACCESS_FAULT and is counted by the device', () => {
    const { r, m } = trapAt([...li('t0', ADDR.uart0), ins('lw', { rd: 'a0', rs1: 't0', imm: 0x20 })]);
    expect(r?.trap?.causeName).toBe('ACCESS_FAULT');
    expect(r?.trap?.pc).toBe(8);
    expect((r?.trap?.badaddr ?? 0) >>> 0).toBe(ADDR.uart0 + 0x20);
    expect(m.uart.metrics.badAccesses).toBe(1);
  });

  it('byte accesses to registers, writes to read-only registers and empty windows trap too', () => {
    expect(trapAt([...li('t0', ADDR.uart0), ins('lbu', { rd: 'a0', rs1: 't0', imm: 8 })]).r?.trap?.causeName).toBe(
      'ACCESS_FAULT',
    );
    expect(trapAt([...li('t0', ADDR.rtc), ins('sw', { rs2: 'a0', rs1: 't0', imm: 0 })]).r?.trap?.causeName).toBe(
      'ACCESS_FAULT',
    );
    const { r, m } = trapAt([...li('t0', 0xf000_4000), ins('lw', { rd: 'a0', rs1: 't0', imm: 0 })]);
    expect(r?.trap?.causeName).toBe('ACCESS_FAULT');
    expect(m.bus.unhandled).toBe(1);
  });
});

/** Echo machine: the external-interrupt handler claims from the intc and stores each byte at s1. */
function uartIrqMachine() {
  const t = make();
  t.m.load(
    0x1000,
    words(
      li('t0', ADDR.intc),
      ins('addi', { rd: 't1', imm: 1 << 1 }),
      ins('sw', { rs2: 't1', rs1: 't0', imm: 0x100 }), // ENABLE source 1 (uart0) for pCPU 0
      li('t2', ADDR.uart0),
      ins('addi', { rd: 't1', imm: 1 }),
      ins('sw', { rs2: 't1', rs1: 't2', imm: 0x0c }), // CTRL: rx interrupt
      ins('wfi'),
      ins('jal', { rd: 0, imm: -4 }),
    ),
  );
  t.m.load(
    0x2000,
    words(
      ins('lw', { rd: 'a0', rs1: 't0', imm: 0x108 }), // CLAIM
      ins('lw', { rd: 'a1', rs1: 't2', imm: 4 }), // RX
      ins('sb', { rs2: 'a1', rs1: 's1', imm: 0 }),
      ins('addi', { rd: 's1', rs1: 's1', imm: 1 }),
      ins('addi', { rd: 's2', rs1: 's2', imm: 1 }),
      ins('sw', { rs2: 'a0', rs1: 't0', imm: 0x108 }), // complete
      ins('eret'),
    ),
  );
  t.cpu.pc = 0x1000;
  t.cpu.htvec = 0x2000;
  t.cpu.hie = 1 << IRQ.external;
  t.cpu.hstatus = STATUS_IE;
  t.cpu.regs[9] = 0x8000;
  return t;
}

describe('interrupts end to end', () => {
  it('uart input raises the external interrupt; the handler claims source 1, reads, completes', () => {
    const { m, cpu } = uartIrqMachine();
    expect(m.run(1000)?.kind).toBe('idle');
    m.uart.input([0x68, 0x69]);
    m.run(1000);
    expect(m.mem.readBytes(0x8000, 3)).toEqual(Uint8Array.of(0x68, 0x69, 0));
    expect(cpu.regs[18]).toBe(2); // one interrupt per byte: the level stays high while bytes wait
    expect(cpu.regs[10]).toBe(1);
    expect(m.intc.metrics).toMatchObject({ claims: 2, completions: 2 });
    expect(m.intc.pending).toBe(0);
    expect(cpu.waiting).toBe(true);
  });

  it('is deterministic: input at the same instruction count gives the same state, however time is sliced', () => {
    const a = uartIrqMachine();
    a.m.run(700);
    a.m.uart.input([1, 2, 3]);
    a.m.run(900);
    const b = uartIrqMachine();
    for (let i = 0; i < 100; i++) b.m.run(7);
    b.m.uart.input([1, 2, 3]);
    for (let left = 900; left > 0; left -= 13) b.m.run(Math.min(13, left));
    expect(b.m.stateHash()).toBe(a.m.stateHash());
  });

  it('IPI through the intc wakes another pCPU; the timer still interrupts', () => {
    const { m } = make({ cpus: 2, quantum: 100 });
    const [c0, c1] = m.cpus;
    m.load(
      0x1000,
      words(
        li('t0', ADDR.intc),
        ins('addi', { rd: 't1', imm: 1 }),
        ins('sw', { rs2: 't1', rs1: 't0', imm: 0x10c }), // context 0's IPI register: pCPU 1
        ins('jal', { rd: 0, imm: 0 }),
      ),
    );
    m.load(0x1100, words(ins('wfi'), ins('jal', { rd: 0, imm: -4 })));
    // pCPU 1's handler counts and lowers ipi; pCPU 0's counts timer ticks and disarms the timer.
    m.load(0x3000, words(ins('addi', { rd: 's3', rs1: 's3', imm: 1 }), ins('csrrw', { imm: CSR.hip }), ins('eret')));
    m.load(
      0x3800,
      words(ins('addi', { rd: 's4', rs1: 's4', imm: 1 }), ins('csrrw', { imm: CSR.timecmp }), ins('eret')),
    );
    c0.pc = 0x1000;
    c0.htvec = 0x3800;
    c0.hie = 1 << IRQ.timer;
    c0.hstatus = STATUS_IE;
    c0.writeCsr(CSR.timecmp, 300);
    c1.pc = 0x1100;
    c1.htvec = 0x3000;
    c1.hie = 1 << IRQ.ipi;
    c1.hstatus = STATUS_IE;
    m.run(1000);
    expect(c1.regs[19]).toBe(1);
    expect((c1.ip >> IRQ.ipi) & 1).toBe(0);
    expect(c0.regs[20]).toBe(1);
    expect(m.intc.metrics.ipis).toBe(1);
  });
});

describe('disk from guest code', () => {
  it('read, write and flush with polled STATUS', () => {
    const backend = new MemoryBlockBackend(16, false, pattern(16));
    const { m, cpu } = make({ disks: [backend], stopOnUnsetVector: true });
    const sw = (reg: string, off: number) => ins('sw', { rs2: reg, rs1: 't0', imm: off });
    const set = (off: number, v: number) => [...li('t1', v), sw('t1', off)];
    m.mem.writeBytes(0x9000, new Uint8Array(BLOCK_SIZE).fill(0x3c));
    m.load(
      0,
      words(
        li('t0', ADDR.disk0),
        set(4, 2),
        set(8, 1),
        set(0xc, 0x8000),
        set(0x10, 1),
        ins('lw', { rd: 'a0', rs1: 't0', imm: 0x14 }),
        set(4, 5),
        set(0xc, 0x9000),
        set(0x10, 2),
        ins('lw', { rd: 'a1', rs1: 't0', imm: 0x14 }),
        set(0x10, 3),
        ins('lw', { rd: 'a2', rs1: 't0', imm: 0x14 }),
        exit(),
      ),
    );
    expect(m.run(1000)).toEqual({ kind: 'exit', exitCode: 0 });
    expect([cpu.regs[10], cpu.regs[11], cpu.regs[12]]).toEqual([1, 1, 1]);
    expect(m.mem.readBytes(0x8000, BLOCK_SIZE)).toEqual(backend.data.slice(2 * BLOCK_SIZE, 3 * BLOCK_SIZE));
    expect(backend.data.slice(5 * BLOCK_SIZE, 6 * BLOCK_SIZE)).toEqual(new Uint8Array(BLOCK_SIZE).fill(0x3c));
    expect(backend.flushes).toBe(1);
  });

  it('code loaded by disk DMA over code that already ran is what runs next', () => {
    const image = new Uint8Array(BLOCK_SIZE);
    image.set(words(ins('addi', { rd: 'a0', imm: 77 }), ins('jalr', { rd: 0, rs1: 'ra' })));
    const { m, cpu } = make({ disks: [new MemoryBlockBackend(1, false, image)], stopOnUnsetVector: true });
    m.load(0x4000, words(ins('addi', { rd: 'a0', imm: 11 }), ins('jalr', { rd: 0, rs1: 'ra' })));
    const code: number[] = [];
    const call = () => code.push(ins('jal', { rd: 'ra', imm: 0x4000 - code.length * 4 }));
    call();
    code.push(ins('addi', { rd: 's1', rs1: 'a0' }));
    code.push(...li('t0', ADDR.disk0), ...li('t1', 0x4000), ins('sw', { rs2: 't1', rs1: 't0', imm: 0xc }));
    code.push(ins('addi', { rd: 't1', imm: 1 }), ins('sw', { rs2: 't1', rs1: 't0', imm: 8 }));
    code.push(ins('sw', { rs2: 't1', rs1: 't0', imm: 0x10 }));
    call();
    code.push(ins('addi', { rd: 's2', rs1: 'a0' }), ...exit());
    m.load(0, words(code));
    expect(m.run(1000)?.kind).toBe('exit');
    expect([cpu.regs[9], cpu.regs[18]]).toEqual([11, 77]);
  });
});

describe('sysctl and rtc from guest code', () => {
  it('RESET stops the machine with kind reset', () => {
    const { m } = make();
    m.load(0, words(li('t0', SYSCTL), ins('sw', { rs2: 0, rs1: 't0', imm: 0xc })));
    expect(m.run(100)).toEqual({ kind: 'reset', exitCode: 0 });
  });

  it('the rtc counts from the epoch in emulated time', () => {
    const { m, cpu } = make({ rtcEpochSeconds: 1_700_000_000 });
    m.load(
      0,
      words(li('t0', ADDR.rtc), ins('lw', { rd: 'a0', rs1: 't0' }), ins('lw', { rd: 'a1', rs1: 't0', imm: 4 })),
    );
    cpu.hcycle = 2.5 * TIMEBASE;
    m.run(5);
    expect([cpu.regs[10], cpu.regs[11]]).toEqual([1_700_000_002, 500]);
  });
});

/** Issues a disk read with the completion interrupt enabled but interrupts masked, counts to 500,
 *  then unmasks: the handler claims source 3, acknowledges the disk and completes. */
function diskIrqMachine() {
  const t = make({ disks: [new MemoryBlockBackend(4, false, pattern(4))] });
  const sw = (reg: string | number, base: string, off: number) => ins('sw', { rs2: reg, rs1: base, imm: off });
  t.m.load(
    0,
    words(
      li('t0', ADDR.disk0),
      li('t3', ADDR.intc),
      ins('addi', { rd: 't1', imm: 1 << 3 }),
      sw('t1', 't3', 0x100),
      ins('addi', { rd: 't1', imm: 1 }),
      sw('t1', 't0', 0x18), // CTRL
      sw('t1', 't0', 4), // LBA 1
      sw('t1', 't0', 8), // COUNT 1
      li('t1', 0x8000),
      sw('t1', 't0', 0xc),
      ins('addi', { rd: 't1', imm: 1 }),
      sw('t1', 't0', 0x10), // CMD read
      ins('addi', { rd: 'a4', imm: 500 }),
      ins('addi', { rd: 'a5', rs1: 'a5', imm: 1 }), // loop
      ins('blt', { rs1: 'a5', rs2: 'a4', imm: -4 }),
      ins('csrrs', { rs1: 't1', imm: CSR.hstatus }),
      ins('jal', { rd: 0, imm: 0 }),
    ),
  );
  t.m.load(
    0x2000,
    words(
      ins('lw', { rd: 'a0', rs1: 't3', imm: 0x108 }),
      sw(0, 't0', 0x1c), // IRQACK
      sw('a0', 't3', 0x108),
      ins('addi', { rd: 's3', rs1: 's3', imm: 1 }),
      ins('eret'),
    ),
  );
  t.cpu.htvec = 0x2000;
  t.cpu.hie = 1 << IRQ.external;
  return t;
}

describe('machine snapshots with device state', () => {
  it('a snapshot with a disk completion pending restores into a fresh machine and runs on identically', () => {
    const a = diskIrqMachine();
    a.m.run(300);
    expect(a.m.intc.pending).toBe(1 << 3);
    expect((a.cpu.ip >> IRQ.external) & 1).toBe(1);
    const snap = structuredClone(a.m.saveState());
    expect(snap.devices.disk0).toMatchObject({ irq: true, status: 1, lba: 1, count: 1, dma: 0x8000 });
    const b = diskIrqMachine();
    b.m.restoreState(snap);
    expectSameState(b.m.saveState(), a.m.saveState());
    expect(b.m.stateHash()).toBe(a.m.stateHash());
    a.m.run(5000);
    b.m.run(5000);
    expect(b.m.stateHash()).toBe(a.m.stateHash());
    expect([a.cpu.regs[19], a.cpu.regs[10]]).toEqual([1, 3]);
    expect(a.m.intc.pending).toBe(0);
  });

  it('every device’s state and the DMA domains round-trip (shared tables stay shared)', () => {
    const t = uartIrqMachine();
    t.m.run(500);
    t.m.uart.input([5, 6, 7]);
    t.m.uarts[1].input([8]);
    const shared = t.m.dmaDomain('nic0');
    shared.unmap(0x1000, 0x1000);
    const fresh = make();
    fresh.m.restoreState(structuredClone(t.m.saveState()));
    expectSameState(fresh.m.saveState(), t.m.saveState());
    expect(fresh.m.uarts[1].pendingInput).toBe(1);
    expect(fresh.m.dmaDomain('nic0').translate(0x1000, 1)).not.toBe(0x1000);
    expect(() => make({ nics: 0 }).m.restoreState(t.m.saveState())).toThrow(/devices/);
    expect(() => make({ nics: 2 }).m.restoreState(t.m.saveState())).toThrow(/nic1/);
    expect(t.m.stateHash()).toBe(fresh.m.stateHash());
  });
});

describe('DMA domains in snapshots', () => {
  it('a table shared by two devices is still shared after a restore', () => {
    const a = make({ nics: 2 });
    a.m.setDmaDomain('nic1', a.m.dmaDomain('nic0'));
    const b = make({ nics: 2 });
    b.m.restoreState(structuredClone(a.m.saveState()));
    expect(b.m.dmaDomain('nic1')).toBe(b.m.dmaDomain('nic0'));
    b.m.dmaDomain('nic0').unmap(0, 0x1000);
    expect(b.m.dmaDomain('nic1').translate(0, 1)).toBeInstanceOf(DmaFault);
  });
});

describe('device reset', () => {
  it('resetDevices returns registers, interrupt state and DMA domains to power-on', () => {
    const a = diskIrqMachine();
    a.m.run(300);
    a.m.setDmaDomain('disk0', DmaTable.identity(0));
    a.m.uart.input([1]);
    a.m.resetDevices();
    const fresh = diskIrqMachine();
    fresh.m.uart.input([1]);
    const strip = (s: MachineState) =>
      JSON.parse(JSON.stringify(s.devices, (k, v) => (k === 'metrics' ? undefined : v)));
    expect(strip(a.m.saveState())).toEqual(strip(fresh.m.saveState()));
    expect(a.m.saveState().dma).toEqual(fresh.m.saveState().dma);
    expect((a.cpu.ip >> IRQ.external) & 1).toBe(0);
  });
});
