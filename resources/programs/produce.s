# produce ID [KIB]: offers one of its pages to partition ID (share_offer) and, once `consume` there
# has mapped it, streams KIB KiB (default 256, at most 4096) through a ring in that page: the bytes
# are written once, into the page both partitions map, and never copied (M19;
# docs/guide.md#lab-m19-messages-and-shared-pages). The page's layout is consume.s's.
.org 0x00400000
.include "lib.inc"
.include "ring.inc"

_start:
    call  parse_dec
    beqz  a1, 90f
    mv    s1, a0                  # s1 = the partition
    mv    a0, a2
    call  parse_dec
    li    s2, 256                 # s2 = KiB
    beqz  a1, 1f
    mv    s2, a0
1:  beqz  s2, 90f
    li    t0, 4096
    bgtu  s2, t0, 90f
    slli  s3, s2, 10              # s3 = bytes
    la    s0, page
    li    t0, RING_MAGIC
    sw    t0, SH_MAGIC(s0)
    sw    s3, SH_TOTAL(s0)
    sw    zero, SH_HEAD(s0)
    sw    zero, SH_TAIL(s0)
    sw    zero, SH_READY(s0)
    sw    zero, SH_DONE(s0)
    mv    a0, s0
    mv    a1, s1
    sys   SYS_SHARE_OFFER
    bltz  a0, 80f
    mv    s4, a0                  # the share id
    la    a0, s_offered
    call  print
    mv    a0, s1
    call  print_dec
    la    a0, s_as
    call  print
    mv    a0, s4
    call  print_dec
    la    a0, s_wait
    call  print
2:  lw    t0, SH_READY(s0)        # consume maps it and says so in the page
    bnez  t0, 3f
    sys   SYS_YIELD
    j     2b
3:  la    a0, s_go
    call  print
    mv    a0, s2
    call  print_dec
    la    a0, s_kib
    call  print
    sys   SYS_TIME_US
    mv    s5, a0
    li    s6, 0                   # s6 = head: bytes written
    li    s7, 0                   # s7 = the sum of the words written
4:  bgeu  s6, s3, 7f
    lw    t0, SH_TAIL(s0)
    sub   t1, s6, t0              # bytes in the ring
    li    t2, RING_SIZE
    sub   t2, t2, t1              # room
    bnez  t2, 5f
    sys   SYS_YIELD               # full: let consume run
    j     4b
5:  sub   t3, s3, s6
    bleu  t2, t3, 6f
    mv    t2, t3
6:  add   t2, s6, t2              # write words up to t2
61: andi  t0, s6, RING_SIZE - 1
    add   t0, s0, t0
    srli  t1, s6, 2               # word n holds n
    sw    t1, SH_RING(t0)
    add   s7, s7, t1
    addi  s6, s6, 4
    bltu  s6, t2, 61b
    sw    s6, SH_HEAD(s0)
    j     4b
7:  lw    t0, SH_DONE(s0)         # consume has read it all
    bnez  t0, 8f
    sys   SYS_YIELD
    j     7b
8:  sys   SYS_TIME_US
    sub   s5, a0, s5
    la    a0, s_wrote
    call  print
    mv    a0, s3
    call  print_dec
    la    a0, s_sum
    call  print
    mv    a0, s7
    call  print_dec
    la    a0, s_in
    call  print
    mv    a0, s5
    call  print_dec
    la    a0, s_us
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
90: la    a0, s_usage
    call  print
    li    a0, 2
    call  exit

.data
s_offered: .asciz "produce: offered a page to partition "
s_as:      .asciz " (share "
s_wait:    .asciz "); waiting for consume there\n"
s_go:      .asciz "produce: consume mapped it; writing "
s_kib:     .asciz " KiB into the shared page\n"
s_wrote:   .asciz "produce: wrote "
s_sum:     .asciz " bytes (sum "
s_in:      .asciz ") in "
s_us:      .asciz " us of machine time, no copies\n"
s_fail:    .asciz "produce: share_offer refused: "
s_usage:   .asciz "usage: produce ID [KIB] (KIB 1..4096, default 256)\n"

.bss
.align 4096
page:      .space PAGE_SIZE
