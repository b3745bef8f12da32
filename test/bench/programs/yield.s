# The world-switch bench (test/bench/hypervisor.ts): two of these share one pCPU and each yields N
# times, so every yield switches the pCPU from one partition to the other. Then it shuts down.
.org 0x100000
_start:
    li    s0, N
1:  hypercall 3
    addi  s0, s0, -1
    bnez  s0, 1b
    li    a0, 0
    hypercall 4
