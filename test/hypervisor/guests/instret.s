# Counts its own retired instructions (test/hypervisor/instret.test.ts): ITER times, K turns of an
# inner loop and a yield, so the pCPU switches partitions in the middle of every slice. Exits with
# the instret it read at the end (2 + ITER * (2K + 4): a hypercall traps, it does not retire), or -1
# when the first read was not 0. Assembled with ITER and K defined (1..2047: one addi each).
.org 0x100000
_start:
    csrr  s2, instret          # nothing retired before it: 0
    addi  s0, zero, 0
outer:
    addi  s0, s0, 1
    addi  t1, zero, K
inner:
    addi  t1, t1, -1
    bnez  t1, inner
    hypercall 3                # yield: the other partition runs on this pCPU
    addi  t0, zero, ITER
    bne   s0, t0, outer
    csrr  s3, instret
    add   a0, s3, zero
    beqz  s2, 1f
    addi  a0, zero, -1
1:  hypercall 4                # shutdown with a0
