# cmds.s: the shell's built-in commands. Each gets a0 = its argument string.

.text

cmd_help:
    enter
.ifdef OS_HOOKS
    la    a0, os_help_head        # hook: an including OS (ctl) says whose commands these are
    call  kprintf
.else
    print "commands:\n"
.endif
    print "  help                    this list\n"
    print "  ls                      files: name, size, x = executable\n"
    print "  cat FILE                print a file\n"
    print "  run PROG [ARGS...] [&]  run a program; & runs it in the background\n"
    print "  PROG [ARGS...] [&]      the same\n"
    print "  ps                      processes: pid, state, name, ticks\n"
    print "  kill PID                end a process\n"
    print "  mem                     memory: total, used, free\n"
    print "  devs                    the devices of the boot info\n"
    print "  uptime                  time since cos booted\n"
    print "  date                    the date and time of the rtc (UTC)\n"
    print "  reboot                  reset the machine (back to the boot loader)\n"
    print "  halt                    power off\n"
    print "  crash                   make the kernel fault (it panics and powers off)\n"
    print "  mail [N|send ID TEXT|clear]  messages from other partitions (mailbox)\n"
.ifndef OS_HOOKS
    print "  want DEVICE             under a hypervisor: ask ctl for a device (it decides)\n"
    print "  remote TEXT             under a hypervisor: print TEXT on ctl's printer (its console)\n"
    print "  remote disk [read B | write B TEXT], remote ls, remote cat FILE: ctl's exported disk partition\n"
.endif
    print "  tally                   add one to a count kept on the disk, and print it\n"
    print "Ctrl-C ends the program running in the foreground.\n"
    leave

# ls: every file with its size and an x when it is executable.
cmd_ls:
    enter 4
    lwg   t0, fs_ok
    bnez  t0, 1f
    print "ls: no file system\n"
    leave 4
1:  call  fs_rewind
    li    s0, 0                   # entry index
    li    s1, 0                   # files
    li    s2, 0                   # bytes
2:  mv    a0, s0
    call  fs_dirent
    beqz  a0, 4f
    bltz  a0, 5f
    mv    s3, a0
    lw    t0, DE_FLAGS(s3)
    andi  t0, t0, DEF_USED
    beqz  t0, 3f
    la    a0, name_buf            # the name has at most 19 characters and a NUL; trust no disk
    mv    a1, s3
    li    a2, DE_NAME_MAX - 1
    call  strncpy
    lw    a2, DE_SIZE(s3)
    add   s2, s2, a2
    addi  s1, s1, 1
    la    a3, str_exec
    lw    t0, DE_FLAGS(s3)
    andi  t0, t0, DEF_EXEC
    bnez  t0, 6f
    la    a3, str_empty
6:  la    a1, name_buf
    fmt   "%-20s %8u%s\n"
    call  kprintf
3:  addi  s0, s0, 1
    j     2b
4:  mv    a1, s1
    mv    a2, s2
    fmt   "%u files, %u bytes\n"
    call  kprintf
    leave 4
5:  print "ls: disk error\n"
    leave 4

# cat FILE
cmd_cat:
    enter 5
    mv    s0, a0
    lbu   t0, 0(s0)
    bnez  t0, 1f
    print "usage: cat FILE\n"
    leave 5
1:  call  cut_word                # one file name; the rest is ignored
    mv    a0, s0
    call  fs_lookup
    beqz  a0, 2f
    mv    a1, s0
    fmt   "cat: %s: no such file\n"
    call  kprintf
    leave 5
2:  mv    s0, a1                  # first block
    mv    s1, a2                  # size
    li    s2, 0                   # offset, a multiple of BOUNCE_SIZE
    li    s3, '\n'                # last byte printed
3:  bgeu  s2, s1, 5f
    sub   s4, s1, s2
    li    t0, BOUNCE_SIZE
    bleu  s4, t0, 4f
    mv    s4, t0
4:  srli  a0, s2, BLOCK_SHIFT
    add   a0, s0, a0
    addi  a1, s4, BLOCK_SIZE - 1
    srli  a1, a1, BLOCK_SHIFT
    la    a2, bounce
    call  disk_read
    bltz  a0, 6f
    la    a0, bounce
    mv    a1, s4
    call  console_write
    la    t0, bounce
    add   t0, t0, s4
    lbu   s3, -1(t0)
    add   s2, s2, s4
    j     3b
5:  li    t0, '\n'                # keep the prompt at the start of a line
    beq   s3, t0, 7f
    li    a0, '\n'
    call  putc
7:  leave 5
6:  print "\ncat: disk error\n"
    leave 5

# run PROG [ARGS...] [&]
cmd_run:
    enter 1
    mv    s0, a0
    lbu   t0, 0(s0)
    bnez  t0, 1f
    print "usage: run PROG [ARGS...] [&]\n"
    leave 1
1:  call  cut_word
    mv    a1, a0
    mv    a0, s0
    li    a2, 1
    call  run_program
    leave 1

# ps: the processes.
cmd_ps:
    enter 2
    print "  PID STATE  NAME             TICKS\n"
    la    s0, procs
    li    s1, 0
1:  lw    t0, P_STATE(s0)
    beqz  t0, 3f
    la    a2, state_names
    slli  t0, t0, 2
    add   a2, a2, t0
    lw    a2, 0(a2)
    lw    a1, P_PID(s0)
    addi  a3, s0, P_NAME
    lw    a4, P_TICKS(s0)
    la    a5, str_empty
    lwg   t0, fg_pid
    beq   t0, a1, 2f
    la    a5, str_bg
2:  fmt   "%5u %-6s %-16s %5u%s\n"
    call  kprintf
3:  addi  s0, s0, P_SIZE
    addi  s1, s1, 1
    li    t0, NPROC
    blt   s1, t0, 1b
    leave 2

# kill PID
cmd_kill:
    enter 1
    call  parse_uint
    beqz  a1, 1f
    mv    s0, a0
    call  proc_find
    beqz  a0, 2f
    mv    s0, a0
    lw    a1, P_PID(s0)
    addi  a2, s0, P_NAME
    fmt   "cos: killed pid %u (%s)\n"
    call  kprintf
    mv    a0, s0
    call  proc_exit
    leave 1
1:  print "usage: kill PID\n"
    leave 1
2:  mv    a1, s0
    fmt   "kill: no process %u\n"
    call  kprintf
    leave 1

# mem: RAM in KiB: total, used (kernel, tables, programs, firmware area), free page frames.
cmd_mem:
    enter
    lwg   a1, ram_size
    srli  a1, a1, 10
    lwg   a3, free_frames
    slli  a3, a3, 2
    sub   a2, a1, a3
    fmt   "memory: %u KiB total, %u KiB used, %u KiB free\n"
    call  kprintf
    leave

# devs: the boot info's nodes: index, id, kind, base, size, interrupt source.
cmd_devs:
    enter 3
    print "NODE ID        KIND        BASE        SIZE        IRQ\n"
    li    s0, 0
1:  lwg   t0, node_count
    bge   s0, t0, 6f
    slli  s1, s0, 5
    lwg   t0, nodes
    add   s1, t0, s1              # s1 = the node
    mv    a0, s0
    call  node_name
    mv    a2, a0
    mv    a1, s0
    lw    t0, N_KIND(s1)
    la    a3, str_unknown
    li    t1, KIND_MAX
    bgtu  t0, t1, 2f
    la    a3, kind_names
    slli  t0, t0, 2
    add   a3, a3, t0
    lw    a3, 0(a3)
2:  lw    a4, N_BASE(s1)
    lw    a5, N_SIZE(s1)
    fmt   "%4u %-9s %-11s 0x%08x  0x%08x"
    call  kprintf
    lw    a1, N_IRQ(s1)
    beqz  a1, 3f
    fmt   "  %3u"
    call  kprintf
    j     4f
3:  print "    -"
4:  lwg   t0, boot_disk           # say which devices cos uses for what
    bne   t0, s0, 5f
    print "  boot disk"
5:  lw    t0, N_KIND(s1)
    li    t1, KIND_UART
    bne   t0, t1, 7f
    lw    t0, N_X0(s1)
    li    t1, 1
    bne   t0, t1, 7f
    print "  console"
7:  print "\n"
    addi  s0, s0, 1
    j     1b
6:
.ifndef OS_HOOKS
    call  hot_list                # what came while it ran (hotplug.s)
.endif
    leave 3

# uptime: machine time since cos booted.
cmd_uptime:
    enter 2
    call  now_ms
    li    t0, 1000
    divu  a1, a0, t0
    remu  a2, a0, t0
    mv    s0, a1
    mv    s1, a2
    call  proc_count
    mv    a3, a0
    la    a4, str_es
    li    t0, 1
    bne   a0, t0, 1f
    la    a4, str_empty
1:  lwg   a5, ticks
    mv    a1, s0
    mv    a2, s1
    fmt   "up %u.%03u s, %u process%s, %u ticks\n"
    call  kprintf
    leave 2

# date: the rtc's wall clock (docs/devices.md#rtc), as a UTC date and time.
cmd_date:
    enter 4
    lwg   t0, rtc_base
    bnez  t0, 1f
    print "date: no rtc in the boot info\n"
    leave 4
1:  lw    s0, RTC_SECONDS(t0)     # seconds, millis, seconds again: no second passed between
    lw    s1, RTC_MILLIS(t0)
    lw    t1, RTC_SECONDS(t0)
    bne   t1, s0, 1b
    li    t0, 86400
    divu  a0, s0, t0              # days since 1970-01-01
    remu  s2, s0, t0              # seconds into the day
    call  civil_from_days         # a0 = year, a1 = month, a2 = day
    li    t0, 3600
    divu  a3, s2, t0
    remu  s2, s2, t0
    li    t0, 60
    divu  a4, s2, t0
    remu  a5, s2, t0
    mv    a7, s1
    mv    a6, a5
    mv    a5, a4
    mv    a4, a3
    mv    a3, a2
    mv    a2, a1
    mv    a1, a0
    fmt   "%u-%02u-%02u %02u:%02u:%02u.%03u UTC\n"
    call  kprintf
    leave 4

# civil_from_days(a0 = days since 1970-01-01) -> a0 = year, a1 = month (1..12), a2 = day (1..31).
# The proleptic Gregorian calendar in 400-year eras (H. Hinnant's days_from_civil, inverted).
civil_from_days:
    li    t0, 719468              # days from 0000-03-01 to 1970-01-01
    add   a0, a0, t0
    li    t0, 146097              # days per era
    divu  t1, a0, t0              # era
    mul   t2, t1, t0
    sub   t2, a0, t2              # day of the era
    li    t0, 1460
    divu  t3, t2, t0
    sub   t3, t2, t3
    li    t0, 36524
    divu  t4, t2, t0
    add   t3, t3, t4
    li    t0, 146096
    divu  t4, t2, t0
    sub   t3, t3, t4
    li    t0, 365
    divu  t3, t3, t0              # year of the era
    mul   t4, t3, t0
    srli  t5, t3, 2
    add   t4, t4, t5
    li    t0, 100
    divu  t5, t3, t0
    sub   t4, t4, t5
    sub   t4, t2, t4              # day of the year, from March 1
    li    t0, 5
    mul   t5, t4, t0
    addi  t5, t5, 2
    li    t0, 153
    divu  t5, t5, t0              # month from March (0..11)
    li    t0, 153
    mul   t6, t5, t0
    addi  t6, t6, 2
    li    t0, 5
    divu  t6, t6, t0
    sub   a2, t4, t6
    addi  a2, a2, 1               # day
    li    t0, 400
    mul   a0, t1, t0
    add   a0, a0, t3              # year (of a March-based year)
    addi  a1, t5, 3
    li    t0, 12
    ble   a1, t0, 1f
    addi  a1, a1, -12
1:  li    t0, 2                   # January and February belong to the next year
    bgt   a1, t0, 2f
    addi  a0, a0, 1
2:  ret

cmd_reboot:
    enter
    print "cos: reboot\n"
    lwg   t0, sysctl_base
    beqz  t0, 2f
    li    t1, 1
    sw    t1, SYSCTL_RESET(t0)
1:  wfi                           # the machine resets under us
    j     1b
2:  print "reboot: no sysctl in the boot info\n"
    leave

cmd_halt:
.ifdef OS_HOOKS
    la    a0, os_halt_line        # hook: an including OS (ctl) names itself
    call  kprintf
.else
    print "cos: halt\n"
.endif
    li    a0, 0
    j     halt

# crash: a load from an address the kernel does not map, to see (and test) a kernel panic.
.equ CRASH_ADDRESS, 0xdead0000
cmd_crash:
    li    t0, CRASH_ADDRESS
    lw    t0, 0(t0)
    ret

.section rodata
.align 4
state_names: .word s_free, s_ready, s_read, s_sleep, s_mwait
kind_names:
    .word str_unknown, s_k1, s_k2, s_k3, s_k4, s_k5, s_k6, s_k7, s_k8, s_k9, s_k10
s_free:      .asciz "free"
s_ready:     .asciz "ready"
s_read:      .asciz "read"
s_sleep:     .asciz "sleep"
s_mwait:     .asciz "msgwait"
s_k1:        .asciz "memory"
s_k2:        .asciz "cpu"
s_k3:        .asciz "bus"
s_k4:        .asciz "intc"
s_k5:        .asciz "uart"
s_k6:        .asciz "sysctl"
s_k7:        .asciz "rtc"
s_k8:        .asciz "controller"
s_k9:        .asciz "disk"
s_k10:       .asciz "nic"
str_unknown: .asciz "?"
str_exec:    .asciz "  x"
str_bg:      .asciz " &"
str_es:      .asciz "es"
.text
