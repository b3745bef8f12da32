# lib.s: console output and input, numbers, strings, crc32.
#
# Calling convention (RISC-V style, used by every swos file): arguments and results in a0..a7;
# a call may clobber t0..t6 and a0..a7; it preserves s0..s11 and sp; ra holds the return address.
#
# The console is the first uart that scan_devices found (`console`, 0 when there is none: output is
# then dropped). No interrupt is ever taken: output goes straight to TX (its FIFO never fills), input
# is read from RX, and between keys getc sleeps in wfi when the hardware can wake it (console_init).

.text

# console_init: lets getc sleep (wfi) instead of spinning while no key is pressed. That needs the
# uart to raise its interrupt line while a byte waits, and the interrupt controller to pass the line
# on to this pCPU's external line; the interrupt itself is never taken (sstatus.IE stays 0), it only
# ends the wfi. When any part is missing (no intc, an older uart without CTRL), swos just polls.
console_init:
    push  ra
    push  s0
    push  s1
    la    t0, console_idle
    sw    zero, 0(t0)
    la    t0, console
    lw    s0, 0(t0)
    beqz  s0, .done                  # no console: nothing to wait for
    la    t0, intc_base
    lw    t0, 0(t0)
    beqz  t0, .done
    # This pCPU's context of the interrupt controller: deliver every source, threshold 0. (Which
    # source is the uart's only the boot info would say; the other devices stay quiet, since swos
    # never enables their interrupts. A line left high would only make wfi return at once: polling.)
    csrr  t1, cpuid
    li    t2, INTC_CONTEXT_SIZE
    mul   t1, t1, t2
    add   t0, t0, t1
    addi  s1, t0, INTC_CONTEXT
    la    t0, intc_context
    sw    s1, 0(t0)
    addi  a0, s1, INTC_THRESHOLD
    li    a1, 0
    call  probe_write
    bnez  a0, .done
    addi  a0, s1, INTC_ENABLE
    li    a1, INTC_ALL_SOURCES
    call  probe_write
    bnez  a0, .done
    # The uart raises its line while its receive FIFO holds a byte.
    addi  a0, s0, UART_CTRL
    li    a1, UART_CTRL_RXIRQ
    call  probe_write
    bnez  a0, .done
    li    t0, SIE_EXTERNAL
    csrw  sie, t0
    la    t0, console_idle
    li    t1, 1
    sw    t1, 0(t0)
.done:
    pop   s1
    pop   s0
    pop   ra
    ret

# getc: waits for a byte from the console -> a0 = byte (0..255). Without a console it waits forever.
getc:
    la    t0, console
    lw    t0, 0(t0)
    la    t1, console_idle
    lw    t1, 0(t1)
    beqz  t0, .sleep
.poll:
    lw    a0, UART_RX(t0)            # -1 while nothing has been typed
    bgez  a0, .got
    beqz  t1, .poll                  # no interrupt path: spin
.sleep:
    wfi                              # wakes when the uart's line is raised (a byte is waiting)
    beqz  t0, .sleep
    lw    t2, UART_STATUS(t0)
    andi  t2, t2, UART_STATUS_RX_READY
    bnez  t2, .poll
    # Woken, yet no byte: another device holds its line high (left enabled by an OS that ran before
    # a reset). Stop listening to every source pending now. The console's own line is not among
    # them, since no byte waits: bytes arrive, and only getc takes them away.
    la    t2, intc_base
    lw    t2, 0(t2)
    lw    t3, INTC_PENDING(t2)
    lw    t2, UART_STATUS(t0)        # (unless a byte came in meanwhile: then keep everything)
    andi  t2, t2, UART_STATUS_RX_READY
    bnez  t2, .poll
    la    t2, intc_context
    lw    t2, 0(t2)
    lw    t4, INTC_ENABLE(t2)
    not   t3, t3
    and   t4, t4, t3
    sw    t4, INTC_ENABLE(t2)
    j     .sleep
.got:
    ret

# putc: a0 = byte. A line end (LF) goes out as CR LF, the way a serial terminal wants it (the boot
# loader's lines end the same way). Clobbers t0, t1.
putc:
    la    t0, console
    lw    t0, 0(t0)
    beqz  t0, 2f
.if CONSOLE_CRLF
    li    t1, NL
    bne   a0, t1, 1f
    li    t1, CR
    sw    t1, UART_TX(t0)
1:
.endif
    sw    a0, UART_TX(t0)
    la    t0, last_out
    sb    a0, 0(t0)
2:  ret

# putnl: end the line.
putnl:
    li    a0, NL
    j     putc

# puts: a0 = NUL-terminated string.
puts:
    push  ra
    push  s0
    mv    s0, a0
1:  lbu   a0, 0(s0)
    beqz  a0, 2f
    call  putc
    addi  s0, s0, 1
    j     1b
2:  pop   s0
    pop   ra
    ret

# putn: a0 = address, a1 = number of bytes: writes them as they are.
putn:
    push  ra
    push  s0
    push  s1
    mv    s0, a0
    add   s1, a0, a1
1:  bgeu  s0, s1, 2f
    lbu   a0, 0(s0)
    call  putc
    addi  s0, s0, 1
    j     1b
2:  pop   s1
    pop   s0
    pop   ra
    ret

# strlen: a0 = NUL-terminated string -> a0 = its length.
strlen:
    mv    t0, a0
1:  lbu   t1, 0(t0)
    beqz  t1, 2f
    addi  t0, t0, 1
    j     1b
2:  sub   a0, t0, a0
    ret

# putspaces: a0 = count (nothing when <= 0).
putspaces:
    push  ra
    push  s0
    mv    s0, a0
1:  blez  s0, 2f
    li    a0, SPACE
    call  putc
    addi  s0, s0, -1
    j     1b
2:  pop   s0
    pop   ra
    ret

# putdec: a0 = unsigned number, in decimal.
putdec:
    li    a1, 0
# putdec_w: a0 = unsigned number, a1 = field width: right-aligned, padded with spaces.
putdec_w:
    push  ra
    push  s0
    push  s1
    addi  sp, sp, -16                # digit buffer: up to 10 digits, built backwards from its end
    addi  s0, sp, 12
    mv    s1, s0
    li    t2, 10
1:  remu  t3, a0, t2
    addi  t3, t3, '0'
    addi  s0, s0, -1
    sb    t3, 0(s0)
    divu  a0, a0, t2
    bnez  a0, 1b
    sub   t3, s1, s0                 # number of digits
    sub   a0, a1, t3
    call  putspaces
    mv    a0, s0
    sub   a1, s1, s0
    call  putn
    addi  sp, sp, 16
    pop   s1
    pop   s0
    pop   ra
    ret

# puthex: a0 = number: "0x" and 8 upper-case hex digits (the way the device lines show addresses).
puthex:
    push  ra
    push  s0
    push  s1
    mv    s0, a0
    li    a0, '0'
    call  putc
    li    a0, 'x'
    call  putc
    li    s1, 28                     # shift of the next digit, most significant first
1:  srl   t1, s0, s1
    andi  t1, t1, 15
    la    t2, hex_digits
    add   t2, t2, t1
    lbu   a0, 0(t2)
    call  putc
    addi  s1, s1, -4
    bgez  s1, 1b
    pop   s1
    pop   s0
    pop   ra
    ret

# to_upper: a0 = byte -> a0 = that byte, upper case if it was a lower-case letter.
to_upper:
    li    t0, 'a'
    blt   a0, t0, 1f
    li    t0, 'z'
    bgt   a0, t0, 1f
    addi  a0, a0, 'A' - 'a'
1:  ret

# to_lower: a0 = byte -> a0 = that byte, lower case if it was an upper-case letter.
to_lower:
    li    t0, 'A'
    blt   a0, t0, 1f
    li    t0, 'Z'
    bgt   a0, t0, 1f
    addi  a0, a0, 'a' - 'A'
1:  ret

# str_eq: a0, a1 = NUL-terminated strings -> a0 = 1 when equal, else 0.
str_eq:
1:  lbu   t0, 0(a0)
    lbu   t1, 0(a1)
    bne   t0, t1, 2f
    beqz  t0, 3f
    addi  a0, a0, 1
    addi  a1, a1, 1
    j     1b
2:  li    a0, 0
    ret
3:  li    a0, 1
    ret

# mem_eq: a0, a1 = addresses, a2 = length -> a0 = 1 when the bytes are equal, else 0.
mem_eq:
1:  beqz  a2, 3f
    lbu   t0, 0(a0)
    lbu   t1, 0(a1)
    bne   t0, t1, 2f
    addi  a0, a0, 1
    addi  a1, a1, 1
    addi  a2, a2, -1
    j     1b
2:  li    a0, 0
    ret
3:  li    a0, 1
    ret

# crc32: a0 = address, a1 = length -> a0 = CRC-32 (IEEE 802.3, reflected, the zlib one).
# Bit by bit: slow but small, and it only checks the 400-byte partition table.
.equ CRC32_POLY, 0xEDB88320
crc32:
    li    t0, -1                     # crc
    li    t3, CRC32_POLY
    add   a1, a0, a1                 # end
1:  bgeu  a0, a1, 4f
    lbu   t1, 0(a0)
    xor   t0, t0, t1
    li    t2, 8
2:  andi  t1, t0, 1
    srli  t0, t0, 1
    beqz  t1, 3f
    xor   t0, t0, t3
3:  addi  t2, t2, -1
    bnez  t2, 2b
    addi  a0, a0, 1
    j     1b
4:  not   a0, t0
    ret

.data
hex_digits:
    .ascii "0123456789ABCDEF"

.align 4
console:      .word 0      # base of the console uart (first uart found), 0 when there is none
console_idle: .word 0      # 1 when getc may sleep in wfi (see console_init)
intc_context: .word 0      # this pCPU's context of the intc (console_init)
last_out:     .word 0      # the last byte written to the console (its low byte)
.text
