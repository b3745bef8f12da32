# console.s: console output (the uart the boot info marks as console) and kprintf.
#
# The console is a terminal: a line ends with CR LF on the wire, so '\n' goes out as "\r\n", the
# same as the boot loader's output. User programs write '\n' and get the same treatment.

.text

# putc(a0 = byte). Clobbers t0, t1 only.
putc:
.ifdef OS_HOOKS
    lwg   t0, os_putc_filter      # hook: when set, an including OS (ctl) sees every byte first
    beqz  t0, putc_raw            # (it prefixes or captures lines, then calls putc_raw itself)
    jr    t0
putc_raw:
.endif
    lwg   t0, console_pv          # a client partition: the paravirtual console (one hypercall per
    bnez  t0, putc_pv             # byte, instead of a trapped status read and data write)
    lwg   t0, console_base
    li    t1, '\n'
    bne   a0, t1, 2f
1:  lw    t1, UART_STATUS(t0)
    andi  t1, t1, UART_ST_TX
    beqz  t1, 1b
    li    t1, '\r'
    sw    t1, UART_TX(t0)
2:  lw    t1, UART_STATUS(t0)
    andi  t1, t1, UART_ST_TX
    beqz  t1, 2b
    sw    a0, UART_TX(t0)
    ret

# The paravirtual console driver (docs/hypercalls.md: console_write, 0x01). The buffer is a kernel
# global: the kernel's identity map makes its address guest-physical, which the hypervisor expects.
putc_pv:
    addi  sp, sp, -8
    sw    a0, 0(sp)
    sw    a1, 4(sp)
    li    t1, '\n'
    bne   a0, t1, 1f
    li    t1, '\r'
    swg   t1, console_pvbuf
    addi  a0, gp, console_pvbuf - kvars
    li    a1, 1
    hypercall 1
1:  lw    t1, 0(sp)
    swg   t1, console_pvbuf
    addi  a0, gp, console_pvbuf - kvars
    li    a1, 1
    hypercall 1
    lw    a0, 0(sp)
    lw    a1, 4(sp)
    addi  sp, sp, 8
    ret

# puts(a0 = NUL-terminated string)
puts:
    enter 1
    mv    s0, a0
1:  lbu   a0, 0(s0)
    beqz  a0, 2f
    call  putc
    addi  s0, s0, 1
    j     1b
2:  leave 1

# console_write(a0 = buffer, a1 = length)
console_write:
    enter 2
    mv    s0, a0
    add   s1, a0, a1
1:  bgeu  s0, s1, 2f
    lbu   a0, 0(s0)
    call  putc
    addi  s0, s0, 1
    j     1b
2:  leave 2

# kprintf(a0 = format, a1..a7 = arguments): prints the format with its conversions replaced:
#   %s string, %d signed decimal, %u unsigned decimal, %x hex (lower case), %c character, %% a '%'
# each with optional flags '-' (left-align) and '0' (pad with zeros) and a width: "%-12s", "%08x".
.equ KP_ARGS, 0                   # frame: seven argument words
.equ KP_BUF,  28                  # 24 bytes for a converted number or character
.equ KP_SAVE, 52                  # ra, s0..s4
.equ KP_FRAME, 80
kprintf:
    addi  sp, sp, -KP_FRAME
    sw    ra, KP_SAVE + 0(sp)
    sw    s0, KP_SAVE + 4(sp)
    sw    s1, KP_SAVE + 8(sp)
    sw    s2, KP_SAVE + 12(sp)
    sw    s3, KP_SAVE + 16(sp)
    sw    s4, KP_SAVE + 20(sp)
    sw    a1, KP_ARGS + 0(sp)
    sw    a2, KP_ARGS + 4(sp)
    sw    a3, KP_ARGS + 8(sp)
    sw    a4, KP_ARGS + 12(sp)
    sw    a5, KP_ARGS + 16(sp)
    sw    a6, KP_ARGS + 20(sp)
    sw    a7, KP_ARGS + 24(sp)
    mv    s0, a0                  # format cursor
    addi  s1, sp, KP_ARGS         # next argument
.next:
    lbu   a0, 0(s0)
    addi  s0, s0, 1
    beqz  a0, .done
    li    t0, '%'
    beq   a0, t0, .conv
    call  putc
    j     .next
.conv:
    li    s2, 0                   # flags: 1 left-align, 2 zero-pad
    li    s3, 0                   # width
    lbu   t1, 0(s0)
    li    t0, '-'
    bne   t1, t0, 1f
    ori   s2, s2, 1
    addi  s0, s0, 1
    lbu   t1, 0(s0)
1:  li    t0, '0'
    bne   t1, t0, 2f
    ori   s2, s2, 2
    addi  s0, s0, 1
    lbu   t1, 0(s0)
2:  addi  t2, t1, -'0'            # width digits
    sltiu t3, t2, 10
    beqz  t3, 3f
    li    t4, 10
    mul   s3, s3, t4
    add   s3, s3, t2
    addi  s0, s0, 1
    lbu   t1, 0(s0)
    j     2b
3:  addi  s0, s0, 1               # t1 = the conversion
    li    t0, '%'
    beq   t1, t0, .percent
    lw    s4, 0(s1)               # its argument
    addi  s1, s1, 4
    li    t0, 's'
    beq   t1, t0, .string
    li    t0, 'c'
    beq   t1, t0, .char
    li    t0, 'd'
    beq   t1, t0, .signed
    li    t0, 'u'
    beq   t1, t0, .unsigned
    li    t0, 'x'
    beq   t1, t0, .hex
    mv    a0, t1                  # unknown conversion: print it as it is
    call  putc
    j     .next
.percent:
    li    a0, '%'
    call  putc
    j     .next
.char:
    sb    s4, KP_BUF(sp)
    addi  a0, sp, KP_BUF
    li    a1, 1
    j     .emit
.string:
    mv    a0, s4
    call  strlen
    mv    a1, a0
    mv    a0, s4
    j     .emit
.signed:
    li    a2, 1
    j     1f
.unsigned:
    li    a2, 0
1:  mv    a0, s4
    addi  a1, sp, KP_BUF
    call  fmt_dec
    j     .emit
.hex:
    mv    a0, s4
    addi  a1, sp, KP_BUF
    call  fmt_hex
.emit:                            # a0 = text, a1 = its length
    mv    a2, s3
    mv    a3, s2
    call  put_padded
    j     .next
.done:
    lw    ra, KP_SAVE + 0(sp)
    lw    s0, KP_SAVE + 4(sp)
    lw    s1, KP_SAVE + 8(sp)
    lw    s2, KP_SAVE + 12(sp)
    lw    s3, KP_SAVE + 16(sp)
    lw    s4, KP_SAVE + 20(sp)
    addi  sp, sp, KP_FRAME
    ret

# fmt_dec(a0 = value, a1 = a 12-byte buffer, a2 = 1 if signed) -> a0 = first digit, a1 = length.
fmt_dec:
    addi  t0, a1, 12              # digits are made backwards from the end
    mv    t1, t0
    li    t3, 0
    beqz  a2, 1f
    bgez  a0, 1f
    li    t3, 1
    neg   a0, a0
1:  li    t2, 10
2:  remu  t4, a0, t2
    divu  a0, a0, t2
    addi  t4, t4, '0'
    addi  t1, t1, -1
    sb    t4, 0(t1)
    bnez  a0, 2b
    beqz  t3, 3f
    li    t4, '-'
    addi  t1, t1, -1
    sb    t4, 0(t1)
3:  mv    a0, t1
    sub   a1, t0, t1
    ret

# fmt_hex(a0 = value, a1 = a 12-byte buffer) -> a0 = first digit, a1 = length (no "0x").
fmt_hex:
    addi  t0, a1, 12
    mv    t1, t0
    la    t2, hex_digits
1:  andi  t3, a0, 15
    add   t3, t2, t3
    lbu   t3, 0(t3)
    addi  t1, t1, -1
    sb    t3, 0(t1)
    srli  a0, a0, 4
    bnez  a0, 1b
    mv    a0, t1
    sub   a1, t0, t1
    ret

# put_padded(a0 = text, a1 = length, a2 = width, a3 = flags as in kprintf)
put_padded:
    enter 4
    mv    s0, a0
    mv    s1, a1
    sub   s2, a2, a1              # padding
    bgez  s2, 1f
    li    s2, 0
1:  mv    s3, a3
    andi  t0, s3, 1
    bnez  t0, 4f
    li    t0, ' '                 # right-aligned: pad first
    andi  t1, s3, 2
    beqz  t1, 2f
    li    t0, '0'
2:  mv    a0, t0
    mv    a1, s2
    call  put_repeat
4:  mv    a0, s0
    mv    a1, s1
    call  console_write
    andi  t0, s3, 1
    beqz  t0, 5f
    li    a0, ' '                 # left-aligned: pad after
    mv    a1, s2
    call  put_repeat
5:  leave 4

# put_repeat(a0 = byte, a1 = count)
put_repeat:
    enter 2
    mv    s0, a0
    mv    s1, a1
1:  blez  s1, 2f
    mv    a0, s0
    call  putc
    addi  s1, s1, -1
    j     1b
2:  leave 2

.section rodata
hex_digits: .ascii "0123456789abcdef"
.text
