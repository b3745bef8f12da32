# fault: stores to address 0, which no user page maps. cos kills it with a STORE_PAGE_FAULT report
# and the shell carries on.
.org 0x00400000
.include "lib.inc"

_start:
    la    a0, msg
    call  print
    sw    zero, 0(zero)
    la    a0, survived            # never printed
    call  print
    li    a0, 1
    call  exit

msg:      .asciz "about to fault\n"
survived: .asciz "fault: still alive?\n"
