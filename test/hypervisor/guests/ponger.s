# Partition 2 of the message scenario: prints every message, answers calls with "pong".
.include "lib.inc"
.org 0x100000
_start:
loop:
    la    a0, buf
    li    a1, 64
    hypercall 0x12             # msg_recv(buf, 64): a0 = length, a1 = sender, a2 = wants reply
    bltz  a0, idle
    mv    s0, a0
    mv    s1, a1
    mv    s2, a2
    la    t0, buf
    add   t0, t0, s0
    sb    zero, 0(t0)
    puts  from
    addi  t0, s1, '0'
    putc  t0
    li    t0, ':'
    putc  t0
    puts  buf
    li    t0, 10
    putc  t0
    beqz  s2, loop
    mv    a0, s1
    la    a1, pong
    li    a2, 4
    hypercall 0x13             # msg_reply(sender, "pong", 4)
    j     loop
idle:
    hypercall 3                # yield
    j     loop
from: .asciz "msg from "
pong: .ascii "pong"
.align 4
buf:  .space 80
