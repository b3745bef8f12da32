# echo.s: reads bytes from the console and writes them back, upper-cased; 'q' exits with 0.
.equ UART, 0xf0000000
.equ SYSCTL, 0xf0001000
.equ RX, 4

_start:
    li    t0, UART
.poll:
    lw    a0, RX(t0)         # -1 while nothing has been typed
    bltz  a0, .poll
    li    t1, 'q'
    beq   a0, t1, .quit
    li    t1, 'a'
    blt   a0, t1, .out
    li    t1, 'z'
    bgt   a0, t1, .out
    addi  a0, a0, 'A' - 'a'
.out:
    sw    a0, 0(t0)
    j     .poll
.quit:
    li    t0, SYSCTL
    sw    zero, 0(t0)
