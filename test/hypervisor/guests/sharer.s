# The offering side of the shared-page scenario (partition 1): offers its page 0x30000 to 2,
# writes a greeting there, then waits until 2 writes back into the same page (zero copy).
.include "lib.inc"
.equ PAGE, 0x30000
.org 0x100000
_start:
    li    a0, PAGE
    li    a1, 2
    hypercall 0x14             # share_offer(PAGE, 2) -> share id (2 is told by a notice)
    li    t0, PAGE
    li    t1, 0x6c6c6568       # "hell"
    sw    t1, 0(t0)
    li    t1, 0x0000216f       # "o!"
    sw    t1, 4(t0)
wait:
    hypercall 3
    li    t0, PAGE
    lw    t1, 8(t0)
    beqz  t1, wait
    puts  seen
1:  hypercall 3
    j     1b
seen: .asciz "1 sees the answer\n"
