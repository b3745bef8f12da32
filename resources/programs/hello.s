# hello: the smallest cos program.
.org 0x00400000
.include "lib.inc"

_start:
    la    a0, greeting
    call  print
    li    a0, 0
    call  exit

greeting: .asciz "Hello from user mode!\n"
