# A client that floods its emulated console UART (issue 13): one byte per store, in a loop, never
# looking at the status register. Each store traps to the hypervisor's virtual UART, which charges
# it like console_write (docs/hypercalls.md#the-console-costs-machine-time).
.equ UART, 0xf0000000
.org 0x100000
_start:
    li    t0, UART
    li    s1, 'U'
loop:
    sw    s1, 0(t0)
    j     loop
