# A tiny kernel: builds stage-1 page tables, drops to user mode, and checks from the supervisor
# that user faults and syscalls arrive with the right cause and address.
.include "lib.inc"
.equ L1, 0x20000
.equ L2, 0x21000
.equ UPAGE, 0x400000             # user code, mapped at va 4 MiB from pa 0x30000
.equ V, 1
.equ R, 2
.equ W, 4
.equ X, 8
.equ U, 16

_start:
    li    sp, 0x10000
    # Hypervisor part: delegate everything delegable, enter supervisor mode at `kernel`.
    li    t0, 0x45ff
    csrw  hdeleg, t0
    la    t0, kernel
    csrw  hepc, t0
    li    t0, 1 << 2               # PM = supervisor
    csrw  hstatus, t0
    eret

kernel:
    la    t0, strap
    csrw  stvec, t0
    # L1[0] -> a superpage mapping va 0..4M to pa 0..4M, kernel only (R W X).
    li    t0, L1
    li    t1, V | R | W | X
    sw    t1, 0(t0)
    # Device registers: a superpage at 0xf0000000 so the library can print.
    li    t1, 0xf0000000 | V | R | W
    sw    t1, (0xf0000000 >>> 22) * 4(t0)
    # L1[1] -> L2 table; L2[0] maps UPAGE -> pa 0x30000 user R X; L2[1] is user read-only data.
    li    t1, L2 | V
    sw    t1, 4(t0)
    li    t2, L2
    li    t1, 0x30000 | V | R | X | U
    sw    t1, 0(t2)
    li    t1, 0x31000 | V | R | U
    sw    t1, 4(t2)
    # Copy the user program to pa 0x30000.
    la    a1, user
    la    a2, user_end
    li    a3, 0x30000
1:  lw    t1, 0(a1)
    sw    t1, 0(a3)
    addi  a1, a1, 4
    addi  a3, a3, 4
    blt   a1, a2, 1b
    li    t1, 0x31000
    li    t2, 1234
    sw    t2, 0(t1)
    li    t0, L1 | 1
    csrw  ptbr, t0
    tlbflush
    li    t0, UPAGE
    csrw  sepc, t0
    csrw  sstatus, zero            # PM = user
    li    s4, 0                    # which step of the user program we are at
    eret

strap:
    csrr  s2, scause
    csrr  s3, sbadaddr
    addi  s4, s4, 1
    li    t0, 1
    beq   s4, t0, step1
    li    t0, 2
    beq   s4, t0, step2
    li    t0, 3
    beq   s4, t0, step3
    j     step4

step1:                              # the user read its data page: a0 = 1234, then syscall 7
    expect s2, 8
    expect s3, 7
    expect a0, 1234
    j     resume
step2:                              # the user stored to its read-only page
    expect s2, 7                    # STORE_PAGE_FAULT
    expect s3, UPAGE + 0x1000
    j     resume
step3:                              # the user read kernel memory (no U bit)
    expect s2, 6                    # LOAD_PAGE_FAULT
    expect s3, 0x100
    j     resume
step4:                              # the user tried a privileged instruction
    expect s2, 1                    # PRIVILEGED_INSTRUCTION
    csrr  t0, sepc
    li    t1, UPAGE
    sub   t0, t0, t1
    expect t0, 32                   # the csrr: the ninth user instruction
    pass

resume:
    csrr  t0, sepc
    addi  t0, t0, 4
    csrw  sepc, t0
    eret

.align 4
user:                               # runs at UPAGE in user mode
    li    t0, UPAGE + 0x1000
    lw    a0, 0(t0)
    syscall 7
    li    t0, UPAGE + 0x1000         # (the test kernel does not preserve temporaries)
    sw    a0, 0(t0)
    lw    a1, 0x100(zero)
    csrr  a2, sstatus
user_end:
