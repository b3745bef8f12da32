# lib.s: small routines: strings, memory, numbers, time arithmetic. All but now_ms are leaf
# functions that use only a0..a4 and t0..t6.

.text

# strlen(a0 = string) -> a0 = length
strlen:
    mv    t0, a0
1:  lbu   t1, 0(t0)
    beqz  t1, 2f
    addi  t0, t0, 1
    j     1b
2:  sub   a0, t0, a0
    ret

# strcmp(a0, a1) -> a0 = 0 when equal, else the difference of the first differing bytes
strcmp:
1:  lbu   t0, 0(a0)
    lbu   t1, 0(a1)
    bne   t0, t1, 2f
    beqz  t0, 2f
    addi  a0, a0, 1
    addi  a1, a1, 1
    j     1b
2:  sub   a0, t0, t1
    ret

# strncpy(a0 = destination, a1 = source, a2 = most characters): copies up to a2 characters and
# always NUL-terminates (the destination needs a2 + 1 bytes).
strncpy:
1:  beqz  a2, 2f
    lbu   t0, 0(a1)
    beqz  t0, 2f
    sb    t0, 0(a0)
    addi  a0, a0, 1
    addi  a1, a1, 1
    addi  a2, a2, -1
    j     1b
2:  sb    zero, 0(a0)
    ret

# memcpy(a0 = destination, a1 = source, a2 = bytes): words when all three are word-aligned.
memcpy:
    or    t0, a0, a1
    or    t0, t0, a2
    andi  t0, t0, 3
    add   t1, a0, a2              # end of the destination
    bnez  t0, 2f
1:  bgeu  a0, t1, 3f
    lw    t0, 0(a1)
    sw    t0, 0(a0)
    addi  a0, a0, 4
    addi  a1, a1, 4
    j     1b
2:  bgeu  a0, t1, 3f
    lbu   t0, 0(a1)
    sb    t0, 0(a0)
    addi  a0, a0, 1
    addi  a1, a1, 1
    j     2b
3:  ret

# memset(a0 = destination, a1 = byte, a2 = bytes)
memset:
    add   t1, a0, a2
1:  bgeu  a0, t1, 2f
    sb    a1, 0(a0)
    addi  a0, a0, 1
    j     1b
2:  ret

# line_start(a0 = a line ending with '\n' or NUL) -> a0 = its first non-space character; the newline
# becomes a NUL. Both shells (cos, ctl) begin a command line this way. Clobbers t0..t2.
line_start:
    mv    t2, a0
1:  lbu   t0, 0(t2)
    beqz  t0, 2f
    li    t1, '\n'
    beq   t0, t1, 3f
    addi  t2, t2, 1
    j     1b
3:  sb    zero, 0(t2)
2:  j     skip_spaces             # a0 is still the line; skip_spaces returns to our caller

# skip_spaces(a0 = text) -> a0 = first non-space
skip_spaces:
    li    t1, ' '
1:  lbu   t0, 0(a0)
    bne   t0, t1, 2f
    addi  a0, a0, 1
    j     1b
2:  ret

# parse_uint(a0 = text) -> a0 = the decimal number at its start (after spaces), a1 = digits read
# (0: no number, or something other than spaces after it).
parse_uint:
    li    t1, ' '
1:  lbu   t0, 0(a0)
    bne   t0, t1, 2f
    addi  a0, a0, 1
    j     1b
2:  li    t2, 0                   # value
    li    a1, 0
    li    t3, 10
3:  lbu   t0, 0(a0)
    addi  t0, t0, -'0'
    bgeu  t0, t3, 4f
    mul   t2, t2, t3
    add   t2, t2, t0
    addi  a1, a1, 1
    addi  a0, a0, 1
    j     3b
4:  lbu   t0, 0(a0)               # only spaces may follow
    beqz  t0, 5f
    li    t1, ' '
    bne   t0, t1, 6f
    addi  a0, a0, 1
    j     4b
6:  li    a1, 0
5:  mv    a0, t2
    ret

# read_cycles -> a1:a0 = the 64-bit cycle counter (high word read twice so a carry between the two
# reads is never seen half-done).
read_cycles:
1:  csrr  a1, cycleh
    csrr  a0, cycle
    csrr  t0, cycleh
    bne   a1, t0, 1b
    ret

# udiv64(a1:a0 = dividend, a2 = divisor, below 2^24) -> a1:a0 = quotient, a2 = remainder.
# Long division by bytes: the running remainder stays below 2^24, so remainder * 256 + byte
# fits in 32 bits.
udiv64:
    divu  t0, a1, a2              # high word of the quotient
    remu  t1, a1, a2
    li    t2, 0
    li    t3, 24
1:  srl   t4, a0, t3
    andi  t4, t4, 0xff
    slli  t1, t1, 8
    or    t1, t1, t4
    divu  t5, t1, a2
    remu  t1, t1, a2
    slli  t2, t2, 8
    or    t2, t2, t5
    addi  t3, t3, -8
    bgez  t3, 1b
    mv    a0, t2
    mv    a1, t0
    mv    a2, t1
    ret

# now_ms -> a0 = milliseconds of machine time since cos booted.
now_ms:
    enter
    call  read_cycles
    lwg   t0, boot_cycles_lo
    lwg   t1, boot_cycles_hi
    sltu  t2, a0, t0              # borrow
    sub   a0, a0, t0
    sub   a1, a1, t1
    sub   a1, a1, t2
    lwg   a2, ms_div
    call  udiv64
    leave
