# echo [WORDS...]: prints its arguments; with none, reads one line from the console and prints it.
.org 0x00400000
.include "lib.inc"

.equ BUF_SIZE, 256

_start:
    lbu   t0, 0(a0)
    beqz  t0, read_line
    call  print                   # a0 = the argument string
    call  newline
    li    a0, 0
    call  exit

# read() returns at most one line, but maybe not all of it (a short buffer): read until '\n'.
read_line:
    la    s0, buf
    li    s1, 0                   # bytes in buf
1:  add   a0, s0, s1
    li    a1, BUF_SIZE
    sub   a1, a1, s1
    beqz  a1, 2f                  # buffer full
    sys   SYS_READ
    blez  a0, 3f
    add   s1, s1, a0
    add   t0, s0, s1
    lbu   t0, -1(t0)
    li    t1, '\n'
    bne   t0, t1, 1b
2:  mv    a0, s0
    mv    a1, s1
    sys   SYS_WRITE
    li    a0, 0
    call  exit
3:  li    a0, 1                   # read failed
    call  exit

.bss
buf: .space BUF_SIZE
