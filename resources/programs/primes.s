# primes: the primes below 100 on one line and how many there are, then how many primes lie below
# 10000 (trial division, a few million instructions).
.org 0x00400000
.include "lib.inc"

_start:
    li    s0, 2                   # candidate
    li    s1, 0                   # primes found
1:  li    t0, 100
    bgeu  s0, t0, 3f
    mv    a0, s0
    call  is_prime
    beqz  a0, 2f
    beqz  s1, 4f                  # a space between numbers
    li    a0, ' '
    call  print_char
4:  mv    a0, s0
    call  print_dec
    addi  s1, s1, 1
2:  addi  s0, s0, 1
    j     1b
3:  call  newline
    mv    a0, s1
    call  print_dec
    la    a0, below_100
    call  print
    li    s2, 10000               # go on counting up to 10000
5:  bgeu  s0, s2, 7f
    mv    a0, s0
    call  is_prime
    add   s1, s1, a0
    addi  s0, s0, 1
    j     5b
7:  mv    a0, s1
    call  print_dec
    la    a0, below_10000
    call  print
    li    a0, 0
    call  exit

# is_prime(a0 = n >= 2) -> a0 = 1 when n is prime
is_prime:
    li    t0, 2
1:  mul   t1, t0, t0
    bgtu  t1, a0, 2f
    remu  t1, a0, t0
    beqz  t1, 3f
    addi  t0, t0, 1
    j     1b
2:  li    a0, 1
    ret
3:  li    a0, 0
    ret

below_100:   .asciz " primes below 100\n"
below_10000: .asciz " primes below 10000\n"
