# Loads, stores and atomics, checked from inside the guest.
.include "lib.inc"
.equ BUF, 0x8000
_start:
    li    sp, 0x10000
    li    s0, BUF
    li    a1, 0x80ff7f01
    sw    a1, 0(s0)
    lb    a2, 3(s0)
    expect a2, 0xffffff80          # sign-extended
    lbu   a2, 3(s0)
    expect a2, 0x80
    lh    a2, 2(s0)
    expect a2, 0xffff80ff
    lhu   a2, 2(s0)
    expect a2, 0x80ff
    lb    a2, 0(s0)
    expect a2, 1
    sb    zero, 1(s0)
    lw    a2, 0(s0)
    expect a2, 0x80ff0001          # little-endian byte 1
    sh    a1, 2(s0)
    lw    a2, 0(s0)
    expect a2, 0x7f010001
    li    a3, 5
    sw    a3, 4(s0)
    addi  a4, s0, 4
    li    a0, 5
    li    a5, 9
    cas   a0, a5, (a4)
    expect a0, 5                   # old value
    lw    a2, 4(s0)
    expect a2, 9                   # swapped
    li    a0, 4
    cas   a0, zero, (a4)
    expect a0, 9                   # failed compare returns current
    lw    a2, 4(s0)
    expect a2, 9
    li    a5, -10
    amoadd a0, a5, (a4)
    expect a0, 9
    lw    a2, 4(s0)
    expect a2, -1
    amoswap a0, zero, (a4)
    expect a0, -1
    lw    a2, 4(s0)
    expect a2, 0
    pass
