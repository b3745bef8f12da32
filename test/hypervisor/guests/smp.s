# Hot-adding a vCPU (M21): vCPU 0 waits for the hypervisor's "cpu-added" notice, writes ap_entry in
# its boot info and sends the new vCPU an IPI through sysctl; the new vCPU prints "B<n>".
.include "lib.inc"
.equ BOOTINFO, 0x8000
.org 0x100000
_start:
    li    t0, 'A'
    putc  t0
wait:
    la    a0, buf
    li    a1, 64
    hypercall 0x12
    bgez  a0, added
    hypercall 3
    j     wait
added:
    la    t0, ap
    li    t1, BOOTINFO
    sw    t0, 44(t1)           # ap_entry
    li    t0, SYSCTL
    li    t1, 1
    sw    t1, 4(t0)            # IPI to vCPU 1
1:  hypercall 3
    j     1b
ap:                            # a2 = vCPU number
    li    t0, 'B'
    putc  t0
    addi  t0, a2, '0'
    putc  t0
2:  hypercall 3
    j     2b
.align 4
buf: .space 64
