# type FILE: prints a file with the file system calls (open, fread, close), from user mode.
.org 0x00400000
.include "lib.inc"

.equ CHUNK, 128

_start:
    mv    s0, a0                  # the file name
    lbu   t0, 0(s0)
    beqz  t0, usage
    sys   SYS_OPEN
    bltz  a0, cannot
    mv    s1, a0                  # fd
1:  mv    a0, s1
    la    a1, buf
    li    a2, CHUNK
    sys   SYS_FREAD
    blez  a0, 2f
    mv    a1, a0
    la    a0, buf
    sys   SYS_WRITE
    j     1b
2:  mv    s2, a0                  # 0 at the end, else an error
    mv    a0, s1
    sys   SYS_CLOSE
    mv    a0, s2
    call  exit

usage:
    la    a0, usage_text
    call  print
    li    a0, 2
    call  exit

cannot:                           # a0 = the error
    mv    s1, a0
    la    a0, cannot1
    call  print
    mv    a0, s0
    call  print
    la    a0, cannot2
    call  print
    mv    a0, s1
    call  print_sdec
    call  newline
    li    a0, 1
    call  exit

usage_text: .asciz "usage: type FILE\n"
cannot1:    .asciz "type: cannot open "
cannot2:    .asciz ": error "

.bss
buf: .space CHUNK
