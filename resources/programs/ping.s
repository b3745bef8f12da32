# ping IP [COUNT]: ICMP echo requests to IP (a.b.c.d), one a second, COUNT of them (default 4),
# through the net_ping system call (docs/guests.md#network). For each reply:
#   64 bytes from 10.0.0.3: icmp_seq=1 time=0.213 ms
# (the round trip the kernel measured, in machine time), else `Request timeout for icmp_seq N` or
# `From OURS icmp_seq=N Destination Host Unreachable`; then a summary whose total time comes from
# the time system call. Exits 0 when a reply came, 1 otherwise.
.org 0x00400000
.include "lib.inc"

.equ SYS_NET_PING, 10                # net_ping(ip, seq) -> round trip in microseconds
.equ SYS_NET_INFO, 11                # net_info(buf) -> 0
.equ ENODEV, 19
.equ ETIMEDOUT, 110
.equ EHOSTUNREACH, 113
.equ INTERVAL_MS, 1000
.equ DEFAULT_COUNT, 4

# s0 target, s1 count, s2 sequence, s3 received, s4 min, s5 max, s6 sum (microseconds),
# s7 start time, s8 this ping's start, s9 our address
_start:
    addi  sp, sp, -64             # net_info's buffer
    call  parse_ip
    beqz  a1, usage
    mv    s0, a0
    mv    a0, a2
    call  skip_blanks
    li    s1, DEFAULT_COUNT
    lbu   t0, 0(a0)
    beqz  t0, 1f
    call  parse_dec
    beqz  a1, usage
    beqz  a0, usage
    mv    s1, a0
    mv    a0, a2
    call  skip_blanks
    lbu   t0, 0(a0)
    bnez  t0, usage
1:  mv    a0, sp                  # our own address, and is there a network at all?
    sys   SYS_NET_INFO
    bltz  a0, no_net
    lw    s9, 8(sp)
    la    a0, s_ping              # PING 10.0.0.3 56(84) bytes of data.
    call  print
    mv    a0, s0
    call  print_ip
    la    a0, s_bytes
    call  print
    li    s2, 1
    li    s3, 0
    li    s4, -1
    li    s5, 0
    li    s6, 0
    sys   SYS_TIME
    mv    s7, a0
.loop:
    sys   SYS_TIME
    mv    s8, a0
    mv    a0, s0
    mv    a1, s2
    sys   SYS_NET_PING
    bltz  a0, .failed
    mv    s11, a0                 # a reply: its round trip in microseconds
    addi  s3, s3, 1
    add   s6, s6, s11
    bgeu  s11, s4, 2f
    mv    s4, s11
2:  bleu  s11, s5, 3f
    mv    s5, s11
3:  la    a0, s_from
    call  print
    mv    a0, s0
    call  print_ip
    la    a0, s_colon_seq
    call  print
    mv    a0, s2
    call  print_dec
    la    a0, s_time
    call  print
    mv    a0, s11
    call  print_ms
    la    a0, s_ms
    call  print
    j     .next
.failed:
    li    t0, -ETIMEDOUT
    beq   a0, t0, .timeout
    li    t0, -EHOSTUNREACH
    beq   a0, t0, .unreach
    li    t0, -ENODEV
    beq   a0, t0, no_net
    li    t0, -EBUSY
    beq   a0, t0, .busy
    la    a0, s_bad               # -EINVAL: not an address one can ping
    call  print
    mv    a0, s0
    call  print_ip
    call  newline
    li    a0, 2
    call  exit
.busy:
    la    a0, s_busy
    call  print
    li    a0, 1
    call  exit
.timeout:
    la    a0, s_timeout           # Request timeout for icmp_seq 2
    call  print
    mv    a0, s2
    call  print_dec
    call  newline
    j     .next
.unreach:
    la    a0, s_from_unreach      # From 10.0.0.2 icmp_seq=1 Destination Host Unreachable
    call  print
    mv    a0, s9
    call  print_ip
    la    a0, s_seq
    call  print
    mv    a0, s2
    call  print_dec
    la    a0, s_unreach
    call  print
.next:
    bgeu  s2, s1, .summary
    addi  s2, s2, 1
    sys   SYS_TIME                # the next one a second after this one started
    sub   t0, a0, s8
    li    a0, INTERVAL_MS
    sub   a0, a0, t0
    blez  a0, .loop
    sys   SYS_SLEEP
    j     .loop

.summary:
    sys   SYS_TIME
    sub   s8, a0, s7              # s8 = the whole run, in milliseconds
    la    a0, s_stats1            # --- 10.0.0.3 ping statistics ---
    call  print
    mv    a0, s0
    call  print_ip
    la    a0, s_stats2
    call  print
    mv    a0, s1                  # 4 packets transmitted, 4 received, 0% packet loss, time 3001ms
    call  print_dec
    la    a0, s_transmitted
    call  print
    mv    a0, s3
    call  print_dec
    la    a0, s_received
    call  print
    sub   t0, s1, s3
    li    t1, 100
    mul   a0, t0, t1
    divu  a0, a0, s1
    call  print_dec
    la    a0, s_loss
    call  print
    mv    a0, s8
    call  print_dec
    la    a0, s_ms_nl
    call  print
    li    a0, 1
    beqz  s3, 4f
    la    a0, s_rtt               # rtt min/avg/max = 0.201/0.213/0.240 ms
    call  print
    mv    a0, s4
    call  print_ms
    li    a0, '/'
    call  print_char
    divu  a0, s6, s3
    call  print_ms
    li    a0, '/'
    call  print_char
    mv    a0, s5
    call  print_ms
    la    a0, s_ms
    call  print
    li    a0, 0
4:  call  exit

usage:
    la    a0, s_usage
    call  print
    li    a0, 2
    call  exit

no_net:
    la    a0, s_no_net
    call  print
    li    a0, 1
    call  exit

# parse_ip(a0 = text) -> a0 = the address a.b.c.d at its start (after spaces) as a number
# (10.0.0.3 = 0x0a000003), a1 = 1 (0: not an address), a2 = the text after it.
parse_ip:
    addi  sp, sp, -16
    sw    ra, 12(sp)
    sw    s0, 8(sp)
    sw    s1, 4(sp)
    sw    s2, 0(sp)
    mv    s0, a0
    li    s1, 0
    li    s2, 0
1:  mv    a0, s0
    call  parse_dec
    beqz  a1, 8f
    li    t0, 255
    bgtu  a0, t0, 8f
    slli  s1, s1, 8
    or    s1, s1, a0
    mv    s0, a2
    addi  s2, s2, 1
    li    t0, 4
    beq   s2, t0, 2f
    lbu   t0, 0(s0)
    li    t1, '.'
    bne   t0, t1, 8f
    addi  s0, s0, 1
    lbu   t0, 0(s0)               # a digit right after the dot
    addi  t0, t0, -'0'
    li    t1, 10
    bgeu  t0, t1, 8f
    j     1b
2:  lbu   t0, 0(s0)               # then the end or a space
    beqz  t0, 3f
    li    t1, ' '
    bne   t0, t1, 8f
3:  mv    a0, s1
    li    a1, 1
    mv    a2, s0
    j     9f
8:  li    a1, 0
9:  lw    ra, 12(sp)
    lw    s0, 8(sp)
    lw    s1, 4(sp)
    lw    s2, 0(sp)
    addi  sp, sp, 16
    ret

# skip_blanks(a0 = text) -> a0 = its first character that is not a space
skip_blanks:
    li    t1, ' '
1:  lbu   t0, 0(a0)
    bne   t0, t1, 2f
    addi  a0, a0, 1
    j     1b
2:  ret

# print_ip(a0 = address): a.b.c.d
print_ip:
    addi  sp, sp, -16
    sw    ra, 12(sp)
    sw    s0, 8(sp)
    sw    s1, 4(sp)
    mv    s0, a0
    li    s1, 24
1:  srl   a0, s0, s1
    andi  a0, a0, 0xff
    call  print_dec
    beqz  s1, 2f
    li    a0, '.'
    call  print_char
    addi  s1, s1, -8
    j     1b
2:  lw    ra, 12(sp)
    lw    s0, 8(sp)
    lw    s1, 4(sp)
    addi  sp, sp, 16
    ret

# print_ms(a0 = microseconds): as milliseconds with three decimals, 0.213
print_ms:
    addi  sp, sp, -16
    sw    ra, 12(sp)
    sw    s0, 8(sp)
    li    t0, 1000
    remu  s0, a0, t0
    divu  a0, a0, t0
    call  print_dec
    li    a0, '.'
    call  print_char
    li    t0, 100                 # three digits, leading zeros kept
    bgeu  s0, t0, 2f
    li    a0, '0'
    call  print_char
    li    t0, 10
    bgeu  s0, t0, 2f
    li    a0, '0'
    call  print_char
2:  mv    a0, s0
    call  print_dec
    lw    ra, 12(sp)
    lw    s0, 8(sp)
    addi  sp, sp, 16
    ret

s_ping:         .asciz "PING "
s_bytes:        .asciz " 56(84) bytes of data.\n"
s_from:         .asciz "64 bytes from "
s_seq:          .asciz " icmp_seq="
s_colon_seq:    .asciz ": icmp_seq="
s_time:         .asciz " time="
s_ms:           .asciz " ms\n"
s_ms_nl:        .asciz "ms\n"
s_timeout:      .asciz "Request timeout for icmp_seq "
s_from_unreach: .asciz "From "
s_unreach:      .asciz " Destination Host Unreachable\n"
s_stats1:       .asciz "\n--- "
s_stats2:       .asciz " ping statistics ---\n"
s_transmitted:  .asciz " packets transmitted, "
s_received:     .asciz " received, "
s_loss:         .asciz "% packet loss, time "
s_rtt:          .asciz "rtt min/avg/max = "
s_usage:        .asciz "usage: ping IP [COUNT]   (IP: a.b.c.d, COUNT: 1 or more, default 4)\n"
s_no_net:       .asciz "ping: no network interface\n"
s_busy:         .asciz "ping: another ping is waiting for its reply\n"
s_bad:          .asciz "ping: cannot ping "
