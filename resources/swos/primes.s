# primes.s: the swos command "primes N": counts the primes below N by trial division and prints
# "1229 primes below 10000". It is swos's CPU-bound job: the app's dual-boot vs hypervisor
# comparison (docs/architecture.md#the-comparison) types it at swos while cos runs a job of its own.
# The same algorithm as cos's primes program (resources/programs/primes.s), so the two OSes do
# comparable work per number.

.equ PRIMES_MAX,      10000000       # a bigger N is refused (it would run for minutes)
.equ PRIMES_DEFAULT,  10000          # N when none is given

.text

# primes: a0 = the argument ("" or a decimal number).
cmd_primes:
    push  ra
    push  s0
    push  s1
    push  s2
    lbu   t0, 0(a0)
    li    s2, PRIMES_DEFAULT
    beqz  t0, 2f
    call  parse_udec
    bnez  a1, .usage
    li    t0, PRIMES_MAX
    bgtu  a0, t0, .usage
    mv    s2, a0                     # s2: N
2:  li    s0, 2                      # s0: candidate
    li    s1, 0                      # s1: primes found
3:  bgeu  s0, s2, 4f
    mv    a0, s0
    call  is_prime
    add   s1, s1, a0
    addi  s0, s0, 1
    j     3b
4:  mv    a0, s1
    call  putdec
    la    a0, msg_primes_below
    call  puts
    mv    a0, s2
    call  putdec
    call  putnl
    j     .out
.usage:
    la    a0, msg_primes_usage
    call  puts
.out:
    pop   s2
    pop   s1
    pop   s0
    pop   ra
    ret

# is_prime: a0 = n -> a0 = 1 when n >= 2 is prime, else 0. Trial division by 2, 3, 4 ... while d*d <= n.
is_prime:
    li    t0, 2
    bltu  a0, t0, 3f
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

# parse_udec: a0 = string -> a0 = its value, a1 = 0; a1 = 1 when it is not all decimal digits (1 to
# 8 of them: at most 99999999, so the value fits in 32 bits).
parse_udec:
    mv    t0, a0
    li    a0, 0
    li    t3, 0                      # digits
    li    t2, 10
1:  lbu   t1, 0(t0)
    beqz  t1, 2f
    addi  t1, t1, -'0'
    bgeu  t1, t2, 3f                 # not a digit (below '0' wraps around)
    mul   a0, a0, t2
    add   a0, a0, t1
    addi  t0, t0, 1
    addi  t3, t3, 1
    li    t1, 8
    bgtu  t3, t1, 3f
    j     1b
2:  beqz  t3, 3f
    li    a1, 0
    ret
3:  li    a1, 1
    ret

.data
msg_primes_below: .asciz " primes below "
msg_primes_usage: .asciz "usage: primes [N] (counts the primes below N; N up to 10000000, default 10000)\n"
.text
