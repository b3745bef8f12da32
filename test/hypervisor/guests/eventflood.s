# A client that floods the hypervisor's event paths (issue 13): request (memory and cpu, a new
# amount each time, so no two events are the same), msg_send to ctl, and share_offer of its page
# to ctl, in a loop; it counts its rounds in memory word ROUNDS (guest-physical 0x20000).
.equ ROUNDS, 0x20000
.org 0x100000
_start:
    li    s0, ROUNDS
    li    s1, 0
loop:
    addi  s1, s1, 1
    li    a0, 1
    mv    a1, s1
    hypercall 0x06             # request(mem, s1)
    li    a0, 0
    mv    a1, s1
    hypercall 0x06             # request(cpu, s1)
    li    a0, 0
    la    a1, text
    li    a2, 16
    hypercall 0x10             # msg_send(ctl, text, 16)
    li    a0, 0x30000
    li    a1, 0
    hypercall 0x14             # share_offer(page 0x30000, ctl)
    sw    s1, 0(s0)
    j     loop
text:
    .ascii "flood flood flood"
