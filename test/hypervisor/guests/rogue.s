# A client whose kernel turns on paging with a table that maps a page outside its partition, then
# writes there: the hypervisor must stop it (M22) while the other guests go on.
.equ UART, 0xf0000000
.equ L1, 0x10000
.equ L2, 0x11000
.org 0x100000
_start:
    la    t0, trap
    csrw  stvec, t0
    li    t0, L1
    li    t1, 0x000000 | 0xf       # va 0..4M -> pa 0..4M (superpage, V R W X)
    sw    t1, 0(t0)
    li    t1, L2 | 1
    sw    t1, 4(t0)                # va 4M.. -> L2
    li    t1, 0xf0000000 | 7       # the device windows (superpage, V R W)
    sw    t1, (0xf0000000 >>> 22) * 4(t0)
    li    t2, L2
    li    t1, 0x1f00000 | 7        # va 4M -> guest-physical 31 MiB (not this partition's)
    sw    t1, 0(t2)
    li    t0, L1 | 1
    csrw  ptbr, t0
    tlbflush
    li    t0, UART
    li    t1, '!'
    sw    t1, 0(t0)
    li    t0, 0x400000
    sw    t1, 0(t0)                # outside its memory
    li    t0, UART
    li    t1, '?'
    sw    t1, 0(t0)                # never reached
1:  j     1b
trap:
    j     trap
