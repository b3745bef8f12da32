# A client that tries the control API (part_create) and reports what the hypervisor said, then
# shuts down with that code negated (so 1 = EPERM).
.equ UART, 0xf0000000
.org 0x100000
_start:
    li    a0, 9
    la    a1, name
    hypercall 0x100            # part_create: only partition 0 may
    mv    s0, a0
    li    t0, UART
    li    t1, 'r'
    sw    t1, 0(t0)
    li    t1, '='
    sw    t1, 0(t0)
    sub   a1, zero, s0
    addi  a1, a1, '0'
    li    t1, '-'
    sw    t1, 0(t0)
    sw    a1, 0(t0)
    li    t1, 10
    sw    t1, 0(t0)
    sub   a0, zero, s0
    hypercall 4                # shutdown(code)
name: .asciz "evil"
