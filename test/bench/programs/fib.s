# Call-heavy recursion: a0 = fib(N), with a stack frame per call.
.org 0x100000
_start:
    li    a0, N
    call  fib
    syscall 0

fib:
    li    t0, 2
    blt   a0, t0, .base
    addi  sp, sp, -12
    sw    ra, 0(sp)
    sw    s0, 4(sp)
    sw    s1, 8(sp)
    mv    s0, a0
    addi  a0, a0, -1
    call  fib
    mv    s1, a0
    addi  a0, s0, -2
    call  fib
    add   a0, a0, s1
    lw    ra, 0(sp)
    lw    s0, 4(sp)
    lw    s1, 8(sp)
    addi  sp, sp, 12
.base:
    ret
