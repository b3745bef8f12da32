# burner [N]: burns CPU. Without an argument it runs its loop for about 2 s of machine time; with N
# it runs N iterations. Then it prints the iterations, the time they took (time(), which counts
# machine time, so other programs running beside it make it slower) and the speed in millions of
# instructions per second of its inner loop.
.org 0x00400000
.include "lib.inc"

.equ LOOP_INSNS, 4                # instructions per iteration of spin's loop
.equ CHUNK, 250000                # iterations between two looks at the clock (~1M instructions)
.equ DEFAULT_MS, 2000

_start:
    call  parse_dec               # a0 = N, a1 = digits
    mv    s0, a0
    mv    s3, a1
    sys   SYS_TIME
    mv    s1, a0                  # start time
    beqz  s3, timed
    mv    a0, s0                  # N iterations
    call  spin
    j     report
timed:
    li    s0, 0                   # iterations so far
1:  li    a0, CHUNK
    call  spin
    li    t0, CHUNK
    add   s0, s0, t0
    sys   SYS_TIME
    sub   t0, a0, s1
    li    t1, DEFAULT_MS
    blt   t0, t1, 1b
report:
    sys   SYS_TIME
    sub   s2, a0, s1              # elapsed ms
    bnez  s2, 1f
    li    s2, 1                   # (too fast to measure: call it 1 ms)
1:  la    a0, msg1
    call  print
    mv    a0, s0
    call  print_dec
    la    a0, msg2
    call  print
    mv    a0, s2
    call  print_dec
    la    a0, msg3
    call  print
    # Minstr/s = iterations * LOOP_INSNS / ms / 1000, shown with one decimal: tenths =
    # (iterations / ms) * LOOP_INSNS / 100 (dividing first keeps it within 32 bits).
    divu  t0, s0, s2
    li    t1, LOOP_INSNS
    mul   t0, t0, t1
    li    t1, 100
    divu  s3, t0, t1              # tenths of Minstr/s
    li    t1, 10
    divu  a0, s3, t1
    call  print_dec
    li    a0, '.'
    call  print_char
    li    t1, 10
    remu  a0, s3, t1
    call  print_dec
    la    a0, msg4
    call  print
    li    a0, 0
    call  exit

# spin(a0 = iterations): LOOP_INSNS instructions per iteration, nothing else.
spin:
    beqz  a0, 2f
    li    t1, 0
1:  addi  t1, t1, 3
    xor   t2, t2, t1
    addi  a0, a0, -1
    bnez  a0, 1b
2:  ret

msg1: .asciz "burner: "
msg2: .asciz " iterations in "
msg3: .asciz " ms ("
msg4: .asciz " Minstr/s)\n"
