# tty.s: console input. The uart interrupt (or polling) moves bytes into a receive ring; the line
# editor takes bytes from the ring only when someone wants them, echoes them, handles backspace,
# and hands a finished line to its consumer: the shell when no program runs in the foreground,
# else the foreground program when it is blocked in read(). Bytes typed while the foreground program
# does not read wait in the ring (type-ahead), so a script of commands runs in order.
#
# Ctrl-C (byte 3) typed while a program runs in the foreground is taken out of the stream as it
# arrives and ends that program; typed at the shell it stays in the stream and drops the line.

.text

# uart_drain: move every byte the uart holds into the ring. When the ring is full the uart's
# interrupt is switched off (its level would stay high) until tty_service has made room.
uart_drain:
    lwg   t0, console_base
1:  lwg   t1, rx_head
    lwg   t2, rx_tail
    sub   t3, t2, t1
    li    t4, RXBUF_SIZE
    bgeu  t3, t4, 3f
    lw    t3, UART_RX(t0)
    bltz  t3, 4f                  # empty
    li    t4, 3                   # Ctrl-C while a program runs in the foreground: at once
    bne   t3, t4, 5f
    lwg   t4, fg_pid
    bnez  t4, 2f
5:  la    t4, rx_buf
    andi  t5, t2, RXBUF_SIZE - 1
    add   t4, t4, t5
    sb    t3, 0(t4)
    addi  t2, t2, 1
    swg   t2, rx_tail
    j     1b
2:  li    t4, 1                   # Ctrl-C
    swg   t4, ctrl_c
    j     1b
3:  sw    zero, UART_CTRL(t0)     # ring full
    li    t4, 1
    swg   t4, rx_throttled
4:  ret

# rx_pop -> a0 = the next byte of the ring, or -1.
rx_pop:
    lwg   t0, rx_head
    lwg   t1, rx_tail
    beq   t0, t1, 1f
    la    t2, rx_buf
    andi  t3, t0, RXBUF_SIZE - 1
    add   t2, t2, t3
    lbu   a0, 0(t2)
    addi  t0, t0, 1
    swg   t0, rx_head
    ret
1:  li    a0, -1
    ret

# tty_service: give waiting input to whoever may have it now (called on every kernel pass).
tty_service:
    enter 1
    lwg   t0, ctrl_c
    beqz  t0, .loop
    swg   zero, ctrl_c
    call  tty_interrupt
.loop:
    lwg   a0, fg_pid
    beqz  a0, .shell
    call  proc_find
    beqz  a0, .out
    mv    s0, a0
    lw    t0, P_STATE(s0)
    li    t1, PS_READING
    bne   t0, t1, .out            # the foreground program is not reading: input waits
    lwg   t0, line_done
    beqz  t0, .edit
    mv    a0, s0
    call  tty_deliver
    j     .loop
.shell:
    lwg   t0, prompt_pending
    beqz  t0, .edit
    swg   zero, prompt_pending
.ifdef OS_HOOKS
    lwg   t0, os_no_prompt        # hook: ctl about to be rebooted (fault crash) leaves the line empty
    bnez  t0, .edit               # for its banner (issue 15)
    la    a0, os_prompt           # hook: an including OS (ctl) has its own prompt
    call  kprintf
.else
    print "cos> "
.endif
.edit:
    call  rx_pop
    bltz  a0, .out
    call  tty_edit
    beqz  a0, .loop
    li    t0, 2
    bne   a0, t0, 3f
    li    t0, 1                   # the line was dropped: a fresh prompt
    swg   t0, prompt_pending
    j     .loop
3:  lwg   t0, fg_pid
    bnez  t0, 1f
    la    a0, line_buf            # a command line for the shell
    call  shell_line
    call  line_reset
    lwg   t0, fg_pid
    bnez  t0, .loop               # it started a foreground program, which now owns the console
    li    t0, 1
    swg   t0, prompt_pending
    j     .loop
1:  li    t0, 1                   # a line for the foreground program
    swg   t0, line_done
    j     .loop
.out:
    lwg   t0, rx_throttled        # room again in the ring: console interrupts back on
    beqz  t0, 2f
    lwg   t1, rx_head
    lwg   t2, rx_tail
    sub   t3, t2, t1
    li    t4, RXBUF_SIZE
    bgeu  t3, t4, 2f
    swg   zero, rx_throttled
    lwg   t0, console_polled
    bnez  t0, 2f                  # (a polled console never had its interrupt on)
    lwg   t0, console_base
    li    t1, 1
    sw    t1, UART_CTRL(t0)
2:  leave 1

# tty_edit(a0 = byte) -> a0 = 1 when it ended the line (line_buf then ends with '\n'), 2 when it
# dropped the line (Ctrl-C), else 0.
tty_edit:
    enter 1
    mv    s0, a0
    li    t1, 3
    bne   s0, t1, 6f
    print "^C\n"
    call  line_reset
    li    a0, 2
    leave 1
6:
    lwg   t0, last_cr
    swg   zero, last_cr
    li    t1, '\n'
    bne   s0, t1, 1f
    bnez  t0, .ignore             # the LF of a CR LF pair: the CR ended the line already
    j     .eol
1:  li    t1, '\r'
    bne   s0, t1, 2f
    li    t0, 1
    swg   t0, last_cr
.eol:
    li    a0, '\n'
    call  putc
    lwg   t0, line_len
    la    t1, line_buf
    add   t1, t1, t0
    li    t2, '\n'
    sb    t2, 0(t1)
    sb    zero, 1(t1)
    addi  t0, t0, 1
    swg   t0, line_len
    li    a0, 1
    leave 1
2:  li    t1, 8                   # backspace or DEL: rub out the last character
    beq   s0, t1, 3f
    li    t1, 127
    bne   s0, t1, 4f
3:  lwg   t0, line_len
    beqz  t0, .ignore
    addi  t0, t0, -1
    swg   t0, line_len
    li    a0, 8
    call  putc
    li    a0, ' '
    call  putc
    li    a0, 8
    call  putc
    j     .ignore
4:  li    t1, '\t'
    bne   s0, t1, 5f
    li    s0, ' '
5:  li    t1, ' '                 # other control characters and non-ASCII bytes are dropped
    blt   s0, t1, .ignore
    li    t1, 126
    bgt   s0, t1, .ignore
    lwg   t0, line_len
    li    t1, LINE_MAX - 2        # room for '\n' and the NUL
    bge   t0, t1, .ignore
    la    t1, line_buf
    add   t1, t1, t0
    sb    s0, 0(t1)
    addi  t0, t0, 1
    swg   t0, line_len
    mv    a0, s0
    call  putc
.ignore:
    li    a0, 0
    leave 1

# tty_deliver(a0 = PCB blocked in read): copy what is left of the finished line, up to its max, to
# its buffer (checked when it called read) and make it ready with the count as result.
tty_deliver:
    enter 2
    mv    s0, a0
    lwg   t0, line_pos
    lwg   t1, line_len
    sub   s1, t1, t0
    lw    t2, R_A1(s0)
    bleu  s1, t2, 1f
    mv    s1, t2
1:  mv    a0, s0
    lw    a1, R_A0(s0)
    la    a2, line_buf
    add   a2, a2, t0
    mv    a3, s1
    call  copy_to_user
    bltz  a0, 3f
    lwg   t0, line_pos
    add   t0, t0, s1
    swg   t0, line_pos
    lwg   t1, line_len
    bltu  t0, t1, 2f
    call  line_reset              # all of it delivered
2:  mv    a0, s1
3:  sw    a0, R_A0(s0)
    li    t0, PS_READY
    sw    t0, P_STATE(s0)
    leave 2

# tty_interrupt: Ctrl-C was typed while a program ran in the foreground: end it.
tty_interrupt:
    enter 1
    lwg   a0, fg_pid
    beqz  a0, 1f
    call  proc_find
    beqz  a0, 1f
    mv    s0, a0
    lw    a1, P_PID(s0)
    addi  a2, s0, P_NAME
    fmt   "^C\ncos: killed pid %u (%s): interrupted\n"
    call  kprintf
    mv    a0, s0
    call  proc_exit
1:  leave 1                       # (the program ended by itself meanwhile)

# tty_fg_done: the foreground program ended; the shell takes the console back with a fresh line.
tty_fg_done:
    enter
    call  line_reset
    li    t0, 1
    swg   t0, prompt_pending
    leave

# line_reset: empty the line editor.
line_reset:
    swg   zero, line_len
    swg   zero, line_pos
    swg   zero, line_done
    la    t0, line_buf
    sb    zero, 0(t0)
    ret
