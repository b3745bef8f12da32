# A client that floods its paravirtual console (issue 13): console_write(buf, 4096) in a loop,
# counting its calls in memory word CALLS (guest-physical 0x20000). The hypervisor charges each
# byte in machine time (docs/hypercalls.md#the-console-costs-machine-time).
.equ CALLS, 0x20000
.org 0x100000
_start:
    li    s0, CALLS
    la    s1, buf
loop:
    mv    a0, s1
    li    a1, 4096
    hypercall 1                # console_write(buf, 4096)
    lw    t1, 0(s0)
    addi  t1, t1, 1
    sw    t1, 0(s0)
    j     loop
.align 4096
buf:
    .space 4096, 'F'
