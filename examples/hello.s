# hello.s: the first program of docs/guide.md. Prints a line on the console UART and exits with 0.
.equ UART, 0xf0000000
.equ SYSCTL, 0xf0001000

_start:
    la    s0, message
    li    t0, UART
1:  lbu   a0, 0(s0)          # next byte
    beqz  a0, 2f             # NUL: done
    sw    a0, 0(t0)          # write it to the UART's TX register
    addi  s0, s0, 1
    j     1b
2:  li    t0, SYSCTL
    sw    zero, 0(t0)        # EXIT with code 0

message:
    .asciz "hello from HD32\n"
