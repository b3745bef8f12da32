# The hypercall round-trip bench (test/bench/hypervisor.ts): a client that makes N no-op hypercalls
# (hv_version) in a loop, or, built with HC=0, runs the same loop with a nop in its place, so that the
# difference between the two runs is the round trip alone. Then it shuts its partition down.
.org 0x100000
_start:
    li    s0, N
1:
.if HC
    hypercall 0
.else
    addi  zero, zero, 0
.endif
    addi  s0, s0, -1
    bnez  s0, 1b
    li    a0, 0
    hypercall 4
