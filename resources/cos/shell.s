# shell.s: the shell, in the kernel. tty.s hands it each finished line; it splits off the command
# word and runs a built-in command (cmds.s) or a program of the same name from the file system.
# The rest of the line is the command's argument string.

.text

shell_init:
    li    t0, 1
    swg   t0, prompt_pending
    ret

# shell_line(a0 = the line, ending with '\n')
shell_line:
.ifdef OS_HOOKS
    j     os_shell_line           # hook: an including OS (ctl) parses and dispatches its lines itself
.endif
    enter 3
    call  line_start              # the command, without its newline and leading spaces
    mv    s0, a0
    lbu   t0, 0(s0)
    beqz  t0, 9f                  # an empty line
    call  cut_word                # s0 = the command word, a0 = the rest
    mv    s1, a0
    la    s2, commands
4:  lw    a1, 0(s2)
    beqz  a1, 5f
    mv    a0, s0
    call  strcmp
    beqz  a0, 6f
    addi  s2, s2, 8
    j     4b
5:  mv    a0, s0                  # not a built-in: a program with that name?
    mv    a1, s1
    li    a2, 0
    call  run_program
9:  leave 3
6:  lw    t0, 4(s2)
    mv    a0, s1
    jalr  t0
    leave 3

# cut_word(a0 = text at a word) -> a0 = the text after the word and its spaces; the word is
# NUL-terminated in place.
cut_word:
    enter
1:  lbu   t0, 0(a0)
    beqz  t0, 3f
    li    t1, ' '
    beq   t0, t1, 2f
    addi  a0, a0, 1
    j     1b
2:  sb    zero, 0(a0)
    addi  a0, a0, 1
    call  skip_spaces
3:  leave

# run_program(a0 = program name, a1 = its argument string, a2 = 1 when typed as "run PROG")
# A trailing '&' runs it in the background; else the shell waits until it ends.
run_program:
    enter 5
    mv    s0, a0
    mv    s1, a1
    mv    s2, a2
    mv    a0, s1
    call  strip_bg
    mv    s3, a0
    lbu   t0, 0(s1)
    bnez  t0, 1f
    bnez  s3, 1f
    mv    a0, s0                  # "run prog&": the '&' sticks to the name
    call  strip_bg
    mv    s3, a0
1:  mv    a0, s0
    mv    a1, s1
    mv    a2, s3
    call  proc_spawn
    bltz  a0, 3f
    beqz  s3, 2f
    mv    a1, a0
    mv    a2, s0
    fmt   "[%u] %s\n"
    call  kprintf
2:  leave 5
3:  mv    s4, a0                  # why it could not run
    mv    a1, s0
    li    t0, -ENOENT
    bne   s4, t0, 4f
    fmt   "cos: unknown command '%s' (try help)\n"
    beqz  s2, 8f
    fmt   "cos: run: no such program '%s'\n"
    j     8f
4:  li    t0, -ENOEXEC
    bne   s4, t0, 5f
    fmt   "cos: %s: not an executable (no HDX1 header)\n"
    j     8f
5:  li    t0, -EINVAL
    bne   s4, t0, 6f
    fmt   "cos: %s: bad executable header (load address, entry or size outside the user region)\n"
    j     8f
6:  li    t0, -EAGAIN
    bne   s4, t0, 7f
    li    a2, NPROC
    fmt   "cos: %s: too many processes (%u)\n"
    j     8f
7:  li    t0, -ENOMEM
    bne   s4, t0, 10f
    fmt   "cos: %s: out of memory\n"
    j     8f
10: li    t0, -EIO
    bne   s4, t0, 11f
    lwg   a2, disk_status
    fmt   "cos: %s: disk error (status %u)\n"
    j     8f
11: mv    a2, s4
    fmt   "cos: %s: error %d\n"
8:  call  kprintf
    leave 5

# strip_bg(a0 = text) -> a0 = 1 when it ended with '&' (removed, with the spaces before it);
# trailing spaces go in any case.
strip_bg:
    mv    t0, a0
1:  lbu   t1, 0(t0)               # t0 = its end
    beqz  t1, 2f
    addi  t0, t0, 1
    j     1b
2:  li    t3, 0
3:  beq   t0, a0, 5f
    lbu   t1, -1(t0)
    li    t2, ' '
    beq   t1, t2, 4f
    li    t2, '&'
    bne   t1, t2, 5f
    bnez  t3, 5f                  # only one '&'
    li    t3, 1
4:  addi  t0, t0, -1
    sb    zero, 0(t0)
    j     3b
5:  mv    a0, t3
    ret

.section rodata
.align 4
# The built-in commands: name, handler(a0 = argument string).
commands:
    .word s_help, cmd_help
    .word s_ls, cmd_ls
    .word s_cat, cmd_cat
    .word s_run, cmd_run
    .word s_ps, cmd_ps
    .word s_kill, cmd_kill
    .word s_mem, cmd_mem
    .word s_devs, cmd_devs
    .word s_uptime, cmd_uptime
    .word s_date, cmd_date
    .word s_reboot, cmd_reboot
    .word s_halt, cmd_halt
    .word s_crash, cmd_crash
.ifndef OS_HOOKS
    .word s_want, cmd_want        # hotplug.s (a client asks ctl for a device)
    .word s_remote, cmd_remote    # hotplug.s (ctl's printer, over messages)
.endif
    .word s_tally, cmd_tally
    .word s_mail, cmd_mail
    .word 0, 0
s_help:   .asciz "help"
s_ls:     .asciz "ls"
s_cat:    .asciz "cat"
s_run:    .asciz "run"
s_ps:     .asciz "ps"
s_kill:   .asciz "kill"
s_mem:    .asciz "mem"
s_devs:   .asciz "devs"
s_uptime: .asciz "uptime"
s_date:   .asciz "date"
s_reboot: .asciz "reboot"
s_halt:   .asciz "halt"
s_crash:  .asciz "crash"
s_want:   .asciz "want"
s_remote: .asciz "remote"
s_tally:  .asciz "tally"
s_mail:   .asciz "mail"
.text
