# Sieve of Eratosthenes over N bytes at 0x200000, REPS times; a0 = number of primes below N.
.org 0x100000
_start:
    li    s2, REPS
again:
    li    s0, 0x200000
    li    s1, N
    li    t0, 0
    li    t1, 1
fill:
    add   t2, s0, t0
    sb    t1, 0(t2)
    addi  t0, t0, 1
    blt   t0, s1, fill
    sb    zero, 0(s0)
    sb    zero, 1(s0)
    li    t0, 2
outer:
    mul   t1, t0, t0
    bge   t1, s1, count
    add   t2, s0, t0
    lbu   t3, 0(t2)
    beqz  t3, next
inner:
    add   t2, s0, t1
    sb    zero, 0(t2)
    add   t1, t1, t0
    blt   t1, s1, inner
next:
    addi  t0, t0, 1
    j     outer
count:
    li    a0, 0
    li    t0, 0
cnt:
    add   t2, s0, t0
    lbu   t3, 0(t2)
    add   a0, a0, t3
    addi  t0, t0, 1
    blt   t0, s1, cnt
    addi  s2, s2, -1
    bnez  s2, again
    syscall 0
