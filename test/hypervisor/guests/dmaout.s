# A guest that asks its (virtual) disk to DMA into memory it does not have: the transfer must be
# refused (STATUS 3, DMA fault) and nothing written. Prints the status digit.
.include "lib.inc"
.org 0x100000
_start:
    li    t0, DISK
    sw    zero, 4(t0)          # LBA 0 (block 0 is readable through the window)
    li    t1, 1
    sw    t1, 8(t0)            # COUNT 1
    li    t1, 0x01f00000       # 31 MiB: not this partition's memory
    sw    t1, 12(t0)           # DMA
    li    t1, 1
    sw    t1, 16(t0)           # CMD read
    lw    t1, 20(t0)           # STATUS
    addi  t1, t1, '0'
    puts  st
    putc  t1
    li    t1, 10
    putc  t1
1:  hypercall 3
    j     1b
st: .asciz "status "
