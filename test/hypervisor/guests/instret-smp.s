# Two vCPUs of one partition (test/hypervisor/instret.test.ts) run the same yield loop at the same
# addresses, vCPU 0 with K = 1 turns of its inner loop, vCPU 1 with K = 40: a yield on one returns
# on the other at the same pc, in the same slice (Cpu.resumeInSlice). Each stores the instructions
# it retired over the loop (2 + ITER * (2K + 4)) at RESULT + 4 * its number, then yields forever.
.equ BOOTINFO, 0x8000
.equ SYSCTL, 0xf0001000
.equ RESULT, 0x20000
.org 0x100000
_start:
    la    t0, ap
    li    t1, BOOTINFO
    sw    t0, 44(t1)           # ap_entry
    li    t0, SYSCTL
    li    t1, 1
    sw    t1, 4(t0)            # IPI to vCPU 1: it starts at ap
    addi  a2, zero, 0
ap:                            # a2 = vCPU number
    addi  s4, zero, 1
    beqz  a2, 1f
    addi  s4, zero, 40
1:  csrr  s2, instret
    addi  s0, zero, 0
outer:
    addi  s0, s0, 1
    add   t1, s4, zero
inner:
    addi  t1, t1, -1
    bnez  t1, inner
    hypercall 3                # yield: the other vCPU goes on after its own yield, same pc
    addi  t0, zero, ITER
    bne   s0, t0, outer
    csrr  s3, instret
    sub   s3, s3, s2
    slli  t0, a2, 2
    li    t1, RESULT
    add   t0, t0, t1
    sw    s3, 0(t0)
2:  hypercall 3
    j     2b
