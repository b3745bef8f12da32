# Partition 1 of the message scenario: an asynchronous message, then a synchronous call to 2.
.include "lib.inc"
.org 0x100000
_start:
    li    a0, 2
    la    a1, hello
    li    a2, 5
    hypercall 0x10             # msg_send(2, "hello", 5)
    li    a0, 2
    la    a1, ping
    li    a2, 4
    la    a3, reply
    li    a4, 16
    hypercall 0x11             # msg_call(2, "ping", 4, reply, 16): blocks until 2 replies
    mv    s0, a0
    puts  got
    la    t0, reply
    add   t1, t0, s0
    sb    zero, 0(t1)
    puts  reply
    li    t0, 10
    putc  t0
1:  hypercall 3                # yield forever
    j     1b
hello: .ascii "hello"
ping:  .ascii "ping"
got:   .asciz "reply: "
.align 4
reply: .space 20
