# ALU loop: ITER iterations of eight register-only instructions.
.org 0x100000
_start:
    li    t0, ITER
    li    a0, 0x12345
    li    a1, 0x6789
loop:
    add   a0, a0, a1
    xor   a1, a1, a0
    slli  a2, a0, 3
    srli  a3, a1, 5
    sub   a0, a0, a2
    or    a1, a1, a3
    addi  t0, t0, -1
    bne   t0, zero, loop
    syscall 0
