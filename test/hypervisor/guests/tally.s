# A client that counts on disk (M24, the fault lab): it writes its count into the last block of the
# disk partition it was granted (the word `part_no`, set by the test), and prints `tally N` only once
# the disk acknowledged that write (STATUS 1). A refused write prints `tally N: write error S` and
# the count stays where it was. So the last `tally N` on its console is what the disk must hold.
.include "lib.inc"
.equ BUF, 0x30000
.org 0x100000
_start:
    j     go
part_no: .word 0
go: li    sp, 0x40000
    li    t0, DISK
    sw    zero, 4(t0)              # block 0: the partition table
    li    t1, 1
    sw    t1, 8(t0)
    li    t1, BUF
    sw    t1, 12(t0)
    li    t1, 1                    # read
    sw    t1, 16(t0)
    la    t1, part_no
    lw    t1, 0(t1)
    addi  t1, t1, -1
    li    t2, 48                   # an entry's size (docs/disks.md)
    mul   t1, t1, t2
    li    t2, BUF + 16
    add   t1, t1, t2
    lw    t2, 8(t1)                # first block
    lw    t3, 12(t1)               # blocks
    add   s2, t2, t3
    addi  s2, s2, -1               # s2 = the tally's block
    li    s0, 0                    # s0 = the count the disk holds
loop:
    addi  s1, s0, 1
    li    t1, BUF
    sw    s1, 0(t1)
    li    t0, DISK
    sw    s2, 4(t0)
    li    t1, 1
    sw    t1, 8(t0)
    li    t1, BUF
    sw    t1, 12(t0)
    li    t1, 2                    # write
    sw    t1, 16(t0)
    lw    s3, 20(t0)               # STATUS: 1 done
    puts  s_tally
    mv    a0, s1
    call  putdec
    li    t1, 1
    beq   s3, t1, acked
    puts  s_err
    addi  t1, s3, '0'
    putc  t1
    j     line
acked:
    mv    s0, s1
line:
    li    t1, 10
    putc  t1
    li    t1, 300000               # a while
wait:
    addi  t1, t1, -1
    bnez  t1, wait
    j     loop

# putdec(a0): a0 in decimal (clobbers a0..a2, t1, t4..t6).
putdec:
    li    a1, 0                    # digits pushed
    li    t1, 10
1:  remu  a2, a0, t1
    addi  a2, a2, '0'
    addi  sp, sp, -4
    sw    a2, 0(sp)
    addi  a1, a1, 1
    divu  a0, a0, t1
    bnez  a0, 1b
2:  lw    a2, 0(sp)
    addi  sp, sp, 4
    putc  a2
    addi  a1, a1, -1
    bnez  a1, 2b
    ret

s_tally: .asciz "tally "
s_err:   .asciz ": write error "
