# echocli ID [COUNT] [TEXT]: calls partition ID COUNT times (default 1) with TEXT (default "ping"),
# synchronously (msg_call: cos waits for the reply), and prints each reply with its round trip in
# machine time, then the average and the fastest (M19; docs/guide.md#lab-m19-messages-and-shared-pages).
.org 0x00400000
.include "lib.inc"

_start:
    call  parse_dec
    beqz  a1, 90f
    mv    s1, a0                  # s1 = the partition
    mv    a0, a2
    call  parse_dec
    li    s2, 1                   # s2 = calls
    beqz  a1, 1f
    mv    s2, a0
    beqz  s2, 90f
1:  mv    s3, a2                  # s3 = the text
    li    t1, ' '
2:  lbu   t0, 0(s3)
    bne   t0, t1, 3f
    addi  s3, s3, 1
    j     2b
3:  bnez  t0, 4f
    la    s3, s_ping
4:  mv    t0, s3                  # s4 = its length (at most MSG_MAX: more goes to the hypervisor, which refuses it)
5:  lbu   t1, 0(t0)
    beqz  t1, 6f
    addi  t0, t0, 1
    j     5b
6:  sub   s4, t0, s3
    li    s5, 0                   # calls made
    li    s6, 0                   # microseconds in all
    li    s7, -1                  # the fastest
10: bgeu  s5, s2, 50f
    la    a0, buf                 # the request (the reply comes back over it)
    mv    a1, s3
    mv    a2, s4
    li    t0, MSG_MAX
    bleu  a2, t0, 11f
    mv    a2, t0
11: call  copy
    sys   SYS_TIME_US
    mv    s8, a0
    mv    a0, s1
    la    a1, buf
    mv    a2, s4
    sys   SYS_MSG_CALL
    mv    s9, a0
    sys   SYS_TIME_US
    sub   s10, a0, s8             # the round trip
    bltz  s9, 80f
    beqz  s9, 81f
    addi  s5, s5, 1
    add   s6, s6, s10
    bgeu  s10, s7, 12f
    mv    s7, s10
12: la    a0, s_call
    call  print
    mv    a0, s5
    call  print_dec
    la    a0, s_reply
    call  print
    la    a0, buf
    mv    a1, s9
    sys   SYS_WRITE
    la    a0, s_in
    call  print
    mv    a0, s10
    call  print_dec
    la    a0, s_us
    call  print
    j     10b
50: la    a0, s_sum
    call  print
    mv    a0, s5
    call  print_dec
    la    a0, s_sum2
    call  print
    mv    a0, s1
    call  print_dec
    la    a0, s_avg
    call  print
    divu  a0, s6, s5
    call  print_dec
    la    a0, s_min
    call  print
    mv    a0, s7
    call  print_dec
    la    a0, s_us
    call  print
    li    a0, 0
    call  exit
80: la    a0, s_fail
    call  print
    mv    a0, s1
    call  print_dec
    la    a0, s_colon
    call  print
    mv    a0, s9
    call  print_err
    li    a0, 1
    call  exit
81: la    a0, s_empty
    call  print
    mv    a0, s1
    call  print_dec
    la    a0, s_empty2
    call  print
    li    a0, 1
    call  exit
90: la    a0, s_usage
    call  print
    li    a0, 2
    call  exit

# copy(a0 = destination, a1 = source, a2 = bytes)
copy:
1:  beqz  a2, 2f
    lbu   t0, 0(a1)
    sb    t0, 0(a0)
    addi  a0, a0, 1
    addi  a1, a1, 1
    addi  a2, a2, -1
    j     1b
2:  ret

.data
s_ping:   .asciz "ping"
s_call:   .asciz "echocli: call "
s_reply:  .asciz ": reply \""
s_in:     .asciz "\" in "
s_us:     .asciz " us of machine time\n"
s_sum:    .asciz "echocli: "
s_sum2:   .asciz " calls to partition "
s_avg:    .asciz ", round trip average "
s_min:    .asciz " us, fastest "
s_fail:   .asciz "echocli: msg_call to partition "
s_colon:  .asciz " refused: "
s_empty:  .asciz "echocli: an empty reply from partition "
s_empty2: .asciz ": nobody listens there (run echosrv & in it)\n"
s_usage:  .asciz "usage: echocli ID [COUNT] [TEXT]\n"

.bss
.align 4
buf:      .space MSG_MAX
