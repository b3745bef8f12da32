# chan.s: ctl's shell lines and the management channel (docs/guests.md#the-management-channel).
#
# The app's requests come through the hypervisor's management mailbox (mgmt_serve, below), not the
# console. On the console a line is a command, or `@TAG command`: then every line of the answer
# starts with `@TAG ` and the answer ends with `@TAG ok` or `@TAG err ENAME message`. The tag is put
# in front of each line by a filter on console output (os_putc_filter, a cos hook in putc), so cos's
# own commands answer in the same form. The same filter can capture output into a buffer instead:
# that is how an error message is composed with kprintf, then printed as `ctl: message (ENAME)` or
# kept for the status line, and how a management request's whole answer is collected (chan_buf).
#
# Every control command returns a status in a0: 0, or an error code (a hypervisor error, or EIO).
# A command that fails reports why with fail_begin ... fail_end (or fail_hv for a hypervisor error),
# which also gives it the code to return.

.text

# os_shell_line(a0 = the line, ending with '\n') (cos hook: the shell hands ctl every line)
os_shell_line:
    enter 4
    call  line_start              # the command, without its newline and leading spaces
    mv    s0, a0
    swg   zero, cmd_status
    la    t0, ctx_buf
    sb    zero, 0(t0)
    lbu   t0, 0(s0)
    beqz  t0, .done               # an empty line
    li    t1, '@'
    bne   t0, t1, .dispatch
    la    t2, tag_buf             # "@TAG": up to the first space
    li    t3, 0
4:  lbu   t0, 0(s0)
    beqz  t0, 5f
    li    t1, ' '
    beq   t0, t1, 5f
    li    t1, TAG_MAX - 1
    bgeu  t3, t1, .badtag
    add   t4, t2, t3
    sb    t0, 0(t4)
    addi  t3, t3, 1
    addi  s0, s0, 1
    j     4b
5:  add   t4, t2, t3
    sb    zero, 0(t4)
    li    t1, 2
    blt   t3, t1, .badtag         # "@" alone
    li    t0, 1
    swg   t0, tagged
    swg   t0, tag_bol
    la    t0, ctl_putc
    swg   t0, os_putc_filter
    mv    a0, s0
    call  skip_spaces
    mv    s0, a0
    lbu   t0, 0(s0)
    bnez  t0, .dispatch
    call  fail_begin
    print "empty command"
    li    a0, HV_EINVAL
    call  fail_end
    j     .status
.badtag:
    call  fail_begin
    li    a1, TAG_MAX - 1
    fmt   "a tag is '@' and 1..%u characters, then a space and the command"
    call  kprintf
    li    a0, HV_EINVAL
    call  fail_end
    j     .done
.dispatch:
    mv    a0, s0
    call  shell_run
.status:
    lwg   t0, tagged              # the tagged answer's last line
    beqz  t0, .done
    lwg   t0, tag_bol
    bnez  t0, 14f
    li    a0, '\n'
    call  putc
14: lwg   a0, cmd_status
    bnez  a0, 15f
    print "ok\n"
    j     16f
15: call  err_name
    mv    a1, a0
    la    a2, errmsg
    fmt   "err %s %s\n"
    call  kprintf
16: swg   zero, tagged
    swg   zero, os_putc_filter
.done:
    leave 4

# shell_run(a0 = a command line without its newline and leading spaces, not empty): run it, as a
# typed line, a tagged line (`tagged`) or a management request (`chan_on`) alike; its status goes to
# cmd_status (0 for cos's commands and programs).
shell_run:
    enter 4
    mv    s0, a0
    mv    a0, s0
    call  cut_word                # s0 = the command word, s1 = the rest
    mv    s1, a0
    la    s2, ctl_commands
6:  lw    a1, 0(s2)
    beqz  a1, 7f
    mv    a0, s0
    call  strcmp
    beqz  a0, 8f
    addi  s2, s2, 12
    j     6b
8:  lw    t0, 8(s2)               # a control command: it returns its status
    beqz  t0, 81f
    call  need_hv
    bnez  a0, 82f
81: lw    t0, 4(s2)
    mv    a0, s1
    jalr  t0
82: swg   a0, cmd_status
    j     .sr_done
7:  la    s2, commands            # one of cos's commands (cmds.s): it always succeeds
9:  lw    a1, 0(s2)
    beqz  a1, 10f
    mv    a0, s0
    call  strcmp
    beqz  a0, 11f
    addi  s2, s2, 8
    j     9b
11: lw    t0, 4(s2)
    mv    a0, s1
    jalr  t0
    j     .sr_done
10: mv    a0, s0                  # a program of that name in ctl's file system?
    call  fs_lookup
    bnez  a0, 12f
    lwg   t0, tagged
    bnez  t0, 13f
    mv    a0, s0
    mv    a1, s1
    li    a2, 0
    call  run_program
    j     .sr_done
13: call  fail_begin
    mv    a1, s0
    fmt   "%s: programs run only from untagged lines"
    call  kprintf
    li    a0, HV_EINVAL
    call  fail_end
    j     .sr_done
12: call  fail_begin
    mv    a1, s0
    fmt   "unknown command '%s' (try help)"
    call  kprintf
    li    a0, HV_ENOENT
    call  fail_end
.sr_done:
    leave 4

# ctl_putc (the os_putc_filter while a tag or a capture is on): a0 = the byte; putc's contract:
# clobbers t0 and t1 only; returns to putc's caller.
ctl_putc:
    lwg   t0, cap_on
    beqz  t0, .tag
    li    t0, '\n'                # capturing: a message is one line
    beq   a0, t0, 1f
    lwg   t0, cap_len
    lwg   t1, cap_max
    bgeu  t0, t1, 1f
    addi  t1, t0, 1
    swg   t1, cap_len
    lwg   t1, cap_buf
    add   t1, t1, t0
    sb    a0, 0(t1)
1:  ret
.tag:
    lwg   t0, chan_on             # answering a management request: into chan_buf (mgmt.s)
    beqz  t0, .tagged
    lwg   t0, chan_len
    li    t1, CHAN_MAX
    bgeu  t0, t1, 5f
    addi  t1, t0, 1
    swg   t1, chan_len
    la    t1, chan_buf
    add   t1, t1, t0
    sb    a0, 0(t1)
    ret
5:  li    t0, 1
    swg   t0, chan_over
    ret
.tagged:
    lwg   t0, tag_bol
    beqz  t0, .raw
    swg   zero, tag_bol           # first byte of a line: "@TAG " before it
    addi  sp, sp, -16
    sw    ra, 12(sp)
    sw    a0, 8(sp)
    sw    s0, 4(sp)
    la    s0, tag_buf
2:  lbu   a0, 0(s0)
    beqz  a0, 3f
    call  putc_raw
    addi  s0, s0, 1
    j     2b
3:  li    a0, ' '
    call  putc_raw
    lw    ra, 12(sp)
    lw    a0, 8(sp)
    lw    s0, 4(sp)
    addi  sp, sp, 16
.raw:
    li    t0, '\n'
    bne   a0, t0, 4f
    li    t0, 1
    swg   t0, tag_bol
4:  j     putc_raw

# mgmt_serve (from os_notices, in the kernel loop, never inside a command): answer the app's
# management requests (docs/guests.md#the-management-channel). Each is taken with mgmt_recv, run as
# a tagged line would be (key=value answers, errors kept for the reply) with everything it prints
# captured into chan_buf instead of the console, and answered with mgmt_reply: the id, the status,
# the output and the error message. Nothing reaches ctl's console, so a line being typed there,
# output that interleaves or another prompt cannot disturb it.
mgmt_serve:
    enter 2
1:  la    a0, mreq_buf
    li    a1, MREQ_MAX
    call  hc_mgmt_recv
    bltz  a0, 9f                  # EAGAIN: none waits (ENOSYS: no hypervisor)
    mv    s1, a1                  # the request's id
    la    t0, mreq_buf
    add   t0, t0, a0
    sb    zero, 0(t0)
    swg   zero, cmd_status
    swg   zero, chan_len
    swg   zero, chan_over
    la    t0, ctx_buf
    sb    zero, 0(t0)
    la    t0, errmsg
    sb    zero, 0(t0)
    li    t0, 1
    swg   t0, tagged
    swg   t0, chan_on
    la    t0, ctl_putc
    swg   t0, os_putc_filter
    la    a0, mreq_buf
    call  skip_spaces
    lbu   t0, 0(a0)
    bnez  t0, 2f
    call  fail_begin              # (the hypervisor refuses empty requests; spaces only get here)
    print "empty command"
    li    a0, HV_EINVAL
    call  fail_end
    j     3f
2:  call  shell_run
3:  swg   zero, chan_on
    swg   zero, tagged
    swg   zero, os_putc_filter
    lwg   t0, chan_over           # cut: say so in the room kept for it
    beqz  t0, 4f
    la    a0, chan_buf
    lwg   t0, chan_len
    add   a0, a0, t0
    la    a1, s_chan_cut
    li    a2, CHAN_BUF - CHAN_MAX - 1
    call  strncpy
    la    a0, s_chan_cut
    call  strlen
    lwg   t0, chan_len
    add   t0, t0, a0
    swg   t0, chan_len
4:  la    a0, errmsg
    call  strlen
    mv    a5, a0
    lwg   a1, cmd_status
    bnez  a1, 5f
    li    a5, 0                   # ok: no message
5:  mv    a0, s1
    la    a2, chan_buf
    lwg   a3, chan_len
    la    a4, errmsg
    call  hc_mgmt_reply
    j     1b
9:  leave 2

.section rodata
s_chan_cut: .asciz "\n(ctl: the answer was longer than its buffer and was cut here)\n"
.text

# cap_start(a0 = buffer, a1 = its size): console output goes into the buffer (NUL-terminated by
# cap_stop) until cap_stop.
cap_start:
    swg   a0, cap_buf
    addi  a1, a1, -1
    swg   a1, cap_max
    swg   zero, cap_len
    li    t0, 1
    swg   t0, cap_on
    la    t0, ctl_putc
    swg   t0, os_putc_filter
    ret

cap_stop:
    lwg   t0, cap_buf
    lwg   t1, cap_len
    add   t0, t0, t1
    sb    zero, 0(t0)
    swg   zero, cap_on
    li    t0, 0
    lwg   t1, tagged
    beqz  t1, 1f
    la    t0, ctl_putc
1:  swg   t0, os_putc_filter
    ret

# ctx_set(a0 = format, a1..a5 = arguments): what the current command is about ("start 3"); every
# error message of the command starts with it. The shell clears it before each line.
ctx_set:
    enter 6
    mv    s0, a0
    mv    s1, a1
    mv    s2, a2
    mv    s3, a3
    mv    s4, a4
    mv    s5, a5
    la    a0, ctx_buf
    li    a1, CTX_MAX
    call  cap_start
    mv    a0, s0
    mv    a1, s1
    mv    a2, s2
    mv    a3, s3
    mv    a4, s4
    mv    a5, s5
    call  kprintf
    call  cap_stop
    leave 6

# fail_begin: start composing an error message (kprintf / print what went wrong); the context comes
# first. End with fail_end.
fail_begin:
    enter
    la    a0, errmsg
    li    a1, ERRMSG_MAX
    call  cap_start
    la    a1, ctx_buf
    lbu   t0, 0(a1)
    beqz  t0, 1f
    fmt   "%s: "
    call  kprintf
1:  leave

# fail_end(a0 = error code) -> a0 = the code. Untagged, prints `ctl: MESSAGE (ENAME)`; tagged, the
# message goes into the status line `@TAG err ENAME MESSAGE`.
fail_end:
    enter 1
    mv    s0, a0
    swg   s0, cmd_status
    call  cap_stop
    lwg   t0, tagged
    bnez  t0, 1f
    mv    a0, s0
    call  err_name
    mv    a2, a0
    la    a1, errmsg
    fmt   "ctl: %s (%s)\n"
    call  kprintf
1:  mv    a0, s0
    leave 1

# fail_hv(a0 = the hypervisor's error, a1 = the hypercall's name) -> a0 = the code: a whole error
# report, "CONTEXT: CALL: MEANING (ENAME)".
fail_hv:
    enter 2
    mv    s0, a0
    mv    s1, a1
    call  fail_begin
    mv    a0, s0
    call  err_name
    mv    a2, a1
    mv    a1, s1
    fmt   "%s: %s"
    call  kprintf
    mv    a0, s0
    call  fail_end
    leave 2

# usage(a0 = the usage text) -> a0 = EINVAL, reported as an error.
usage:
    enter 1
    mv    s0, a0
    call  fail_begin
    mv    a1, s0
    fmt   "usage: %s"
    call  kprintf
    li    a0, HV_EINVAL
    call  fail_end
    leave 1

# need_hv -> a0 = 0 when ctl runs under the hypervisor; else reports ENOSYS and returns it.
need_hv:
    enter
    li    a0, 0
    lwg   t0, hv_mode
    bnez  t0, 1f
    call  fail_begin
    print "no hypervisor: ctl was booted bare (dual boot)"
    li    a0, HV_ENOSYS
    call  fail_end
1:  leave

# put_size(a0 = bytes): "8 MiB" when a whole number of MiB, else "520 KiB".
put_size:
    enter
    li    t0, 0xfffff
    and   t0, a0, t0
    bnez  t0, 1f
    srli  a1, a0, 20
    fmt   "%u MiB"
    call  kprintf
    leave
1:  srli  a1, a0, 10
    fmt   "%u KiB"
    call  kprintf
    leave
