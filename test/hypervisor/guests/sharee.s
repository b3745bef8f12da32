# The accepting side (partition 2): reads the hypervisor's notice "share-offer N from 1", accepts
# the page at guest-physical 0x40000000 (outside its memory), prints what 1 wrote, answers in place.
.include "lib.inc"
.equ AT, 0x40000000
.org 0x100000
_start:
wait:
    la    a0, buf
    li    a1, 64
    hypercall 0x12             # msg_recv
    bgez  a0, offered
    hypercall 3
    j     wait
offered:
    la    t0, buf              # "share-offer N from 1": N is at offset 12
    lbu   a0, 12(t0)
    addi  a0, a0, -'0'
    li    a1, AT
    hypercall 0x15             # share_accept(N, AT)
    bnez  a0, bad
    puts  got
    puts  AT
    li    t0, 10
    putc  t0
    li    t0, AT
    li    t1, 1
    sw    t1, 8(t0)            # the answer, in the same page
1:  hypercall 3
    j     1b
bad:
    puts  refused
2:  j     2b
got:     .asciz "2 reads: "
refused: .asciz "share_accept refused\n"
.align 4
buf: .space 64
