# Two vCPUs sharing page tables (test/hypervisor/te-smp.test.ts): what an SMP kernel does with its
# MMU, checked from inside. vCPU 0 builds the tables, turns translation on and starts vCPU 1 (boot
# protocol: ap_entry + an IPI through sysctl); vCPU 1 joins the same address space. Then, in steps:
#   1. vCPU 0 writes through a window mapping; vCPU 1 reads it there and through the identity map.
#   2. vCPU 0 remaps the window page and shoots vCPU 1's TLB down (IPI; vCPU 1 flushes in its handler).
#   3. vCPU 0 maps 8 new pages one by one; vCPU 1 reads each, with one load instruction, without a
#      flush (it never saw them, so its TLB cannot hold them).
#   4. vCPU 0 unmaps a page vCPU 1 has used and shoots it down; vCPU 1's access faults.
#   5. vCPU 1 switches between the shared table and a private one (ptbr + tlbflush, then ptbr + asid),
#      yielding now and then while the private one is live, while vCPU 0 keeps reading the window.
#   6. More IPIs, then vCPU 1 spins for a while: every IPI sent is taken exactly once.
# The results are words at RES (the test reads them); vCPU 0 prints "pagesmp done" and shuts down.
.include "lib.inc"
.equ BOOTINFO, 0x8000
.equ L1A, 0x10000              # the shared address space: level 1
.equ L2A, 0x11000              #   the window's level 2
.equ L1B, 0x12000              # vCPU 1's private address space
.equ L2B, 0x13000
.equ SYNC, 0x20000             # handshakes
.equ S_FLUSHED, 0              #   shootdowns done (vCPU 1's IPI handler adds 1)
.equ S_STEP, 4                 #   the step vCPU 0 asks for
.equ S_DONE, 8                 #   the step vCPU 1 finished
.equ S_UP, 12                  #   vCPU 1 runs with translation on
.equ S_MAPPED, 16              #   step 3: pages mapped so far
.equ S_READ, 20                #   step 3: pages read so far
.equ S_STOP, 24                #   step 5: vCPU 1 finished its rounds
.equ RES, 0x21000              # results (offsets below; the test knows them)
.equ WIN, 0x400000             # the window: virtual 4 MiB + 4 KiB * n, through L2A / L2B
.equ PG, 0x200000              # the guest-physical pages behind it
.equ ROUNDS, 600               # step 5: rounds per way of switching
.equ IPIS, 5                   # shootdown IPIs vCPU 0 sends in all

# wait_eq BASE, OFF, VALUE: spin until word OFF(BASE) == VALUE (clobbers t5, t6).
.macro wait_eq base, off, value
    li    t6, \value
1:  lw    t5, \off(\base)
    bne   t5, t6, 1b
.endm

# store BASE, OFF, VALUE: OFF(BASE) = VALUE (clobbers t6).
.macro store base, off, value
    li    t6, \value
    sw    t6, \off(\base)
.endm

.org 0x100000
_start:
    li    s0, RES
    li    s1, SYNC
    csrr  t0, cpuid
    sw    t0, 0x00(s0)         # RES+0x00: vCPU 0's cpuid
    la    t0, trap0
    csrw  stvec, t0
    # The pages behind the window (translation is still off: physical = virtual).
    li    t0, PG
    store t0, 0x1000, 0x5a5a   # PG+0x1000: window page 1
    store t0, 0x2000, 0x2222   # PG+0x2000: vCPU 1's private window page 0
    store t0, 0x3000, 0x3333   # PG+0x3000: where page 0 is moved in step 2
    li    t1, 0
    li    t2, 0x4400
    li    t3, PG + 0x10000
1:  sw    t2, 0(t3)            # PG+0x10000+4K*k: 0x4400 + k (step 3)
    addi  t2, t2, 1
    li    t4, 0x1000
    add   t3, t3, t4
    addi  t1, t1, 1
    li    t4, 8
    bne   t1, t4, 1b
    # Shared tables: 0..4 MiB identity (superpage), the window through L2A, the devices.
    li    t0, L1A
    store t0, 0, 0x0000000f
    store t0, 4, L2A | 1
    store t0, (0xf0000000 >>> 22) * 4, 0xf0000007
    li    t0, L2A
    store t0, 0, PG | 7
    store t0, 4, (PG + 0x1000) | 7
    # vCPU 1's private tables: the same but the window page 0 is PG+0x2000.
    li    t0, L1B
    store t0, 0, 0x0000000f
    store t0, 4, L2B | 1
    store t0, (0xf0000000 >>> 22) * 4, 0xf0000007
    li    t0, L2B
    store t0, 0, (PG + 0x2000) | 7
    li    t0, L1A | 1
    csrw  ptbr, t0
    tlbflush
    # Start vCPU 1 (docs/hypercalls.md#starting-vcpus-the-boot-protocol).
    la    t0, ap
    li    t1, BOOTINFO
    sw    t0, 44(t1)
    li    t0, SYSCTL
    li    t1, 1
    sw    t1, 4(t0)
    wait_eq s1, S_UP, 1

    # Step 1: write through the window.
    li    t0, WIN
    li    t1, 0x1111
    sw    t1, 0(t0)
    store s1, S_STEP, 1
    wait_eq s1, S_DONE, 1

    # Step 2: move window page 0 to PG+0x3000; flush here, shoot vCPU 1 down.
    li    t0, L2A
    store t0, 0, (PG + 0x3000) | 7
    tlbflush
    li    t0, WIN
    lw    t1, 0(t0)
    sw    t1, 0x18(s0)         # RES+0x18: vCPU 0 sees the new page
    jal   shootdown
    store s1, S_STEP, 2
    wait_eq s1, S_DONE, 2

    # Step 3: map 8 new pages, one at a time; vCPU 1 reads each as soon as it is mapped.
    store s1, S_STEP, 3
    li    s2, 0                # k
    li    s3, L2A + 16 * 4     # the PTE of WIN + 0x10000
    li    s4, (PG + 0x10000) | 7
2:  sw    s4, 0(s3)
    tlbflush
    addi  s2, s2, 1
    sw    s2, S_MAPPED(s1)
3:  lw    t0, S_READ(s1)
    bne   t0, s2, 3b
    addi  s3, s3, 4
    li    t0, 0x1000
    add   s4, s4, t0
    li    t0, 8
    bne   s2, t0, 2b
    wait_eq s1, S_DONE, 3

    # Step 4: unmap window page 1 (vCPU 1 read it in step 1) and shoot vCPU 1 down.
    li    t0, L2A
    sw    zero, 4(t0)
    tlbflush
    jal   shootdown
    store s1, S_STEP, 4
    wait_eq s1, S_DONE, 4

    # Step 5: keep reading the window (and flushing now and then) while vCPU 1 switches tables.
    store s1, S_STEP, 5
    li    s2, 0                # rounds
    li    s3, 0                # bad reads
    li    s4, 0x3333
    li    s5, WIN
4:  lw    t0, 0(s5)
    beq   t0, s4, 5f
    addi  s3, s3, 1
5:  addi  s2, s2, 1
    andi  t0, s2, 255
    bnez  t0, 6f
    tlbflush
6:  lw    t0, S_STOP(s1)
    beqz  t0, 4b
    sw    s3, 0x30(s0)         # RES+0x30: vCPU 0's bad reads
    sw    s2, 0x80(s0)         # RES+0x80: vCPU 0's rounds (not compared: timing)
    wait_eq s1, S_DONE, 5

    # Step 6: the rest of the IPIs, then let vCPU 1 spin (ticks and world switches pass).
    li    s2, IPIS - 2
7:  jal   shootdown
    addi  s2, s2, -1
    bnez  s2, 7b
    store s1, S_STEP, 6
    wait_eq s1, S_DONE, 6
    puts  done
    li    a0, 0
    hypercall 4                # shutdown, exit code 0

# Ask vCPU 1 to flush its TLB and wait until it has (clobbers t0..t2, t5, t6).
shootdown:
    lw    t2, S_FLUSHED(s1)
    lw    t0, 0x34(s0)
    addi  t0, t0, 1
    sw    t0, 0x34(s0)         # RES+0x34: IPIs sent
    li    t0, SYSCTL
    li    t1, 1
    sw    t1, 4(t0)            # IPI to vCPU 1
1:  lw    t0, S_FLUSHED(s1)
    beq   t0, t2, 1b
    ret

trap0:                         # vCPU 0 takes no trap: shut down with 100 + the cause
    csrr  a0, scause
    addi  a0, a0, 100
    hypercall 4

# ------------------------------------------------------------------ vCPU 1 (a2 = its number)
ap:
    li    s0, RES
    li    s1, SYNC
    csrr  t0, cpuid
    sw    t0, 0x04(s0)         # RES+0x04: vCPU 1's cpuid
    sw    a2, 0x08(s0)         # RES+0x08: its a2
    la    t0, trap1
    csrw  stvec, t0
    li    t0, L1A | 1
    csrw  ptbr, t0
    tlbflush
    li    t0, 4
    csrw  sie, t0              # the ipi line
    li    t0, 1
    csrs  sstatus, t0          # interrupts on
    store s1, S_UP, 1

    wait_eq s1, S_STEP, 1
    li    t0, WIN
    lw    t1, 0(t0)
    sw    t1, 0x0c(s0)         # RES+0x0c: the window as vCPU 0 wrote it
    li    t0, PG
    lw    t1, 0(t0)
    sw    t1, 0x10(s0)         # RES+0x10: the same page through the identity map
    li    t0, WIN + 0x1000
    lw    t1, 0(t0)
    sw    t1, 0x14(s0)         # RES+0x14: window page 1
    store s1, S_DONE, 1

    wait_eq s1, S_STEP, 2      # (the shootdown came before this)
    li    t0, WIN
    lw    t1, 0(t0)
    sw    t1, 0x1c(s0)         # RES+0x1c: the moved page
    store s1, S_DONE, 2

    wait_eq s1, S_STEP, 3
    li    s2, 0                # k
    li    s3, 0                # good reads
    li    s4, WIN + 0x10000
    li    s5, 0x4400
1:  addi  t1, s2, 1
2:  lw    t0, S_MAPPED(s1)
    bne   t0, t1, 2b
    li    t0, -1
    lw    t0, 0(s4)            # one load instruction for all 8 pages
    bne   t0, s5, 3f
    addi  s3, s3, 1
3:  addi  s2, s2, 1
    sw    s2, S_READ(s1)
    addi  s5, s5, 1
    li    t0, 0x1000
    add   s4, s4, t0
    li    t0, 8
    bne   s2, t0, 1b
    sw    s3, 0x20(s0)         # RES+0x20: good reads (8)
    lw    t0, 0x3c(s0)
    sw    t0, 0x48(s0)         # RES+0x48: faults taken so far (0)
    store s1, S_DONE, 3

    wait_eq s1, S_STEP, 4
    li    t0, WIN + 0x1000
    li    t1, 0xdead
    lw    t1, 0(t0)            # unmapped: faults, the handler skips it
    sw    t1, 0x24(s0)         # RES+0x24: 0xdead
    store s1, S_DONE, 4

    wait_eq s1, S_STEP, 5
    li    s2, 0                # rounds
    li    s3, 0                # bad reads
    li    s4, WIN
    li    s5, L1A | 1
    li    s6, L1B | 1
    li    s7, 0x3333
    li    a3, 0x2222
    li    a4, 2                # the private table's asid (second way)
4:  csrw  ptbr, s6             # first way: one asid, tlbflush at each switch
    tlbflush
    lw    t0, 0(s4)
    beq   t0, a3, 5f
    addi  s3, s3, 1
5:  andi  t0, s2, 63
    bnez  t0, 6f
    hypercall 3                # yield with the private table live
6:  csrw  ptbr, s5
    tlbflush
    lw    t0, 0(s4)
    beq   t0, s7, 7f
    addi  s3, s3, 1
7:  addi  s2, s2, 1
    li    t0, ROUNDS
    bne   s2, t0, 4b
8:  csrw  ptbr, s6             # second way: an asid per table, no flush
    csrw  asid, a4
    lw    t0, 0(s4)
    beq   t0, a3, 9f
    addi  s3, s3, 1
9:  andi  t0, s2, 63
    bnez  t0, 10f
    hypercall 3
10: csrw  ptbr, s5
    csrw  asid, zero
    lw    t0, 0(s4)
    beq   t0, s7, 11f
    addi  s3, s3, 1
11: addi  s2, s2, 1
    li    t0, 2 * ROUNDS
    bne   s2, t0, 8b
    sw    s3, 0x28(s0)         # RES+0x28: vCPU 1's bad reads
    sw    s2, 0x2c(s0)         # RES+0x2c: its rounds
    store s1, S_STOP, 1
    store s1, S_DONE, 5

    wait_eq s1, S_STEP, 6
    li    t0, 0x400000         # spin: ticks and world switches pass, IPIs must not come back
12: addi  t0, t0, -1
    bnez  t0, 12b
    csrw  ptbr, s6             # and end in the private table
    tlbflush
    lw    t0, 0(s4)
    sw    t0, 0x4c(s0)         # RES+0x4c: 0x2222
    store s1, S_DONE, 6
13: wfi
    j     13b

# vCPU 1's traps: an IPI is a shootdown (clear it, flush, count); a fault is noted and skipped.
# Uses s8..s11 only.
trap1:
    csrr  s10, scause
    li    s11, RES
    bltz  s10, 1f
    sw    s10, 0x40(s11)       # RES+0x40: the last fault's cause
    csrr  s9, sbadaddr
    sw    s9, 0x44(s11)        # RES+0x44: its address
    lw    s9, 0x3c(s11)
    addi  s9, s9, 1
    sw    s9, 0x3c(s11)        # RES+0x3c: faults taken
    csrr  s9, sepc
    addi  s9, s9, 4
    csrw  sepc, s9
    eret
1:  csrw  sip, zero
    tlbflush
    lw    s9, 0x38(s11)
    addi  s9, s9, 1
    sw    s9, 0x38(s11)        # RES+0x38: IPIs taken
    li    s11, SYNC + S_FLUSHED
    li    s9, 1
    amoadd s8, s9, (s11)
    eret

done: .asciz "pagesmp done\n"
