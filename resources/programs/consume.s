# consume [SHARE]: maps the page a `produce` offered (share SHARE, or the first offer waiting; it
# waits for one) and reads the ring in it in place: no byte is copied from one partition to the
# other. Prints the bytes, their sum, and bytes per second of machine time (M19;
# docs/guide.md#lab-m19-messages-and-shared-pages).
.org 0x00400000
.include "lib.inc"
.include "ring.inc"

_start:
    call  parse_dec
    li    s1, 0                   # s1 = the share (0: the first offer)
    beqz  a1, 1f
    mv    s1, a0
1:  la    s0, page
    li    s8, 0                   # said "waiting" already
2:  mv    a0, s1
    mv    a1, s0
    sys   SYS_SHARE_ACCEPT
    bgez  a0, 4f
    li    t0, -EAGAIN
    bne   a0, t0, 80f
    bnez  s8, 3f
    li    s8, 1
    la    a0, s_wait
    call  print
3:  li    a0, 10
    sys   SYS_SLEEP
    j     2b
4:  mv    s4, a0
    lw    t0, SH_MAGIC(s0)
    li    t1, RING_MAGIC
    bne   t0, t1, 81f
    lw    s3, SH_TOTAL(s0)        # s3 = bytes to read
    la    a0, s_mapped
    call  print
    mv    a0, s4
    call  print_dec
    la    a0, s_reading
    call  print
    mv    a0, s3
    call  print_dec
    la    a0, s_bytes
    call  print
    sys   SYS_TIME_US
    mv    s5, a0
    li    t0, 1
    sw    t0, SH_READY(s0)
    li    s6, 0                   # s6 = tail: bytes read
    li    s7, 0                   # s7 = their sum
    li    s9, 0                   # s9 = words that were not what produce writes
5:  bgeu  s6, s3, 7f
    lw    t2, SH_HEAD(s0)
    bne   t2, s6, 6f
    sys   SYS_YIELD               # empty: let produce run
    j     5b
6:  andi  t0, s6, RING_SIZE - 1   # read in place
    add   t0, s0, t0
    lw    t1, SH_RING(t0)
    add   s7, s7, t1
    srli  t3, s6, 2
    beq   t1, t3, 61f
    addi  s9, s9, 1
61: addi  s6, s6, 4
    bltu  s6, t2, 6b
    sw    s6, SH_TAIL(s0)
    j     5b
7:  sys   SYS_TIME_US
    sub   s5, a0, s5              # s5 = microseconds
    bnez  s5, 71f
    li    s5, 1
71: sw    s7, SH_SUM(s0)
    li    t0, 1
    sw    t0, SH_DONE(s0)
    la    a0, s_read
    call  print
    mv    a0, s3
    call  print_dec
    la    a0, s_in
    call  print
    mv    a0, s5
    call  print_dec
    la    a0, s_rate
    call  print
    srli  t0, s3, 10              # KiB (at most 4096) * 10^6 / us fits in 32 bits
    li    t1, 1000000
    mul   t0, t0, t1
    divu  s10, t0, s5             # KiB/s
    slli  a0, s10, 10
    call  print_dec
    la    a0, s_bps
    call  print
    mv    a0, s10
    call  print_dec
    la    a0, s_sum
    call  print
    mv    a0, s7
    call  print_dec
    la    a0, s_err
    call  print
    mv    a0, s9
    call  print_dec
    la    a0, s_end
    call  print
    li    a0, 0
    call  exit
80: mv    s4, a0
    la    a0, s_fail
    call  print
    mv    a0, s4
    call  print_err
    li    a0, 1
    call  exit
81: la    a0, s_notring
    call  print
    li    a0, 1
    call  exit

.data
s_wait:    .asciz "consume: waiting for an offer (run produce ID in the other cos)\n"
s_mapped:  .asciz "consume: share "
s_reading: .asciz " mapped; reading "
s_bytes:   .asciz " bytes in place\n"
s_read:    .asciz "consume: read "
s_in:      .asciz " bytes in "
s_rate:    .asciz " us of machine time: "
s_bps:     .asciz " bytes/s ("
s_sum:     .asciz " KiB/s), sum "
s_err:     .asciz ", "
s_end:     .asciz " errors, zero copies\n"
s_fail:    .asciz "consume: share_accept refused: "
s_notring: .asciz "consume: that page holds no produce ring\n"

.bss
.align 4096
page:      .space PAGE_SIZE
