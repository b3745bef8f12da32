# The benchmark supervisor: a minimal guest kernel. It runs in supervisor mode with paging on
# (the harness builds the page tables, like a loader would), takes a timer tick every PERIOD
# cycles like a real guest, and drops into the user program, which ends with `syscall 0` and its
# result in a0. Any other trap ends the run with exit code 200 + cause.
.equ SYSCTL, 0xf0001000
.equ PERIOD, 1000000

.org 0x2000
kstart:                         # a0 = user entry, a1 = user stack
    la    t0, strap
    csrw  stvec, t0
    li    t0, PERIOD
    csrw  timecmp, t0
    li    t0, 1                 # timer line
    csrw  sie, t0
    csrw  sepc, a0
    li    t0, 2                 # PIE = 1 (eret enables interrupts), PM = user
    csrw  sstatus, t0
    mv    sp, a1
    eret

strap:
    csrw  sscratch, t6
    la    t6, save
    sw    t5, 0(t6)
    csrr  t5, scause
    blt   t5, zero, .tick
    li    t6, 8                 # SYSCALL
    bne   t5, t6, .fault
    li    t6, SYSCTL
    sw    a0, 0(t6)             # exit with the result
.fault:
    addi  t5, t5, 200
    li    t6, SYSCTL
    sw    t5, 0(t6)
.tick:
    csrr  t5, timecmp
    li    t6, PERIOD
    add   t5, t5, t6
    csrw  timecmp, t5
    la    t6, save
    lw    t5, 0(t6)
    csrr  t6, sscratch
    eret

.align 4
save: .word 0
