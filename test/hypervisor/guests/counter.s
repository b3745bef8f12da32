# A client that proves it makes progress: counts in memory word COUNT (guest-physical 0x20000) and
# prints its letter (a0 from the boot info? no: fixed 'x' + its partition id from hypercall 5) on its
# virtual console every 2^16 iterations.
.equ UART, 0xf0000000
.equ COUNT, 0x20000
.org 0x100000
_start:
    hypercall 5                # partition_id -> a0
    addi  s1, a0, '0'
    li    t0, UART
    li    s0, COUNT
loop:
    lw    t1, 0(s0)
    addi  t1, t1, 1
    sw    t1, 0(s0)
    li    t2, 0xffff
    and   t2, t1, t2
    bnez  t2, loop
    sw    s1, 0(t0)            # one character per 65536 iterations
    j     loop
