# syscalls.s: the system calls (docs/guests.md#system-calls).
#
# A program puts the number in a7 and the arguments in a0..a2, and runs `syscall 0`; the result
# comes back in a0 (negative: an error code), every other register is preserved. Handlers get
# a0 = the PCB and a1..a3 = the program's a0..a2, and return the result in a0, or SYS_BLOCKED when
# the process blocked (its result is written later) or no longer exists. Every user pointer is
# checked against the process's page table before use: a bad one gives -EFAULT.

.text

# syscall_dispatch(a0 = PCB)
syscall_dispatch:
    enter 1
    mv    s0, a0
    lw    t0, R_A7(s0)
    li    t1, (syscall_table_end - syscall_table) / 4
    bgeu  t0, t1, 2f
    la    t1, syscall_table
    slli  t0, t0, 2
    add   t1, t1, t0
    lw    t1, 0(t1)
    lw    a1, R_A0(s0)
    lw    a2, R_A1(s0)
    lw    a3, R_A2(s0)
    jalr  t1
    li    t0, SYS_BLOCKED
    beq   a0, t0, 1f
    sw    a0, R_A0(s0)
1:  leave 1
2:  li    a0, -ENOSYS
    sw    a0, R_A0(s0)
    leave 1

.section rodata
.align 4
syscall_table:
    .word sys_exit, sys_write, sys_read, sys_open, sys_fread
    .word sys_close, sys_time, sys_yield, sys_sleep, sys_getpid
    .word sys_net_ping, sys_net_info   # 10, 11: the network (net.s)
    .word sys_msg_send, sys_msg_recv, sys_msg_call, sys_msg_reply   # 12..15: messages (mail.s)
    .word sys_share_offer, sys_share_accept, sys_time_us           # 16..18 (mail.s)
syscall_table_end:
.text

# 0 exit(code): does not return.
sys_exit:
    enter 1
    mv    s0, a0
    beqz  a1, 1f
    mv    a3, a1
    lw    a1, P_PID(s0)
    addi  a2, s0, P_NAME
    fmt   "cos: pid %u (%s) exited with code %d\n"
    call  kprintf
1:  mv    a0, s0
    call  proc_exit
    li    a0, SYS_BLOCKED
    leave 1

# 1 write(buf, len) -> len: the bytes go to the console.
sys_write:
    enter 4
    mv    s0, a0
    mv    s1, a1
    mv    s2, a2
    li    a0, -EINVAL
    bltz  s2, 9f
    mv    a0, s0
    mv    a1, s1
    mv    a2, s2
    li    a3, PTE_R
    call  user_range_ok
    beqz  a0, 8f
    mv    s3, s2                  # bytes left
1:  beqz  s3, 2f
    mv    a0, s0
    mv    a1, s1
    li    a2, PTE_R
    call  uva_to_pa
    andi  t0, s1, PAGE_SIZE - 1   # up to the end of this page
    li    t1, PAGE_SIZE
    sub   a1, t1, t0
    bleu  a1, s3, 3f
    mv    a1, s3
3:  sub   s3, s3, a1
    add   s1, s1, a1
    call  console_write
    j     1b
2:  mv    a0, s2
9:  leave 4
8:  li    a0, -EFAULT
    leave 4

# 2 read(buf, max) -> bytes (>= 1): one line of console input at most, with echo and backspace. The
# process blocks until a line is typed; only the foreground program gets console input (a
# background program that reads waits until it is killed).
sys_read:
    enter 1
    mv    s0, a0
    li    a0, -EINVAL
    bltz  a2, 9f
    li    a0, 0
    beqz  a2, 9f
    mv    a0, s0
    li    a3, PTE_W
    call  user_range_ok
    beqz  a0, 8f
    li    t0, PS_READING          # tty_deliver (tty.s) finishes the call
    sw    t0, P_STATE(s0)
    li    a0, SYS_BLOCKED
9:  leave 1
8:  li    a0, -EFAULT
    leave 1

# 3 open(name) -> fd: a file of cos's file system, for reading.
sys_open:
    enter 2
    addi  sp, sp, -32             # the name, copied in
    mv    s0, a0
    mv    a0, s0
    mv    a2, sp
    li    a3, DE_NAME_MAX
    call  copy_str_from_user
    bltz  a0, 9f
    mv    a0, sp
    call  fs_lookup
    bltz  a0, 9f
    addi  t0, s0, P_FILES
    li    t1, 0
1:  lw    t2, F_USED(t0)
    beqz  t2, 2f
    addi  t0, t0, 16
    addi  t1, t1, 1
    li    t2, NFILE
    blt   t1, t2, 1b
    li    a0, -EMFILE
    j     9f
2:  li    t2, 1
    sw    t2, F_USED(t0)
    sw    a1, F_LBA(t0)
    sw    a2, F_SIZE(t0)
    sw    zero, F_POS(t0)
    addi  a0, t1, FD_BASE
9:  addi  sp, sp, 32
    leave 2

# fd_slot(a0 = PCB, a1 = fd) -> a0 = its open-file slot, or 0.
fd_slot:
    addi  t0, a1, -FD_BASE
    li    t1, NFILE
    bgeu  t0, t1, 1f
    slli  t0, t0, 4
    add   t0, a0, t0
    addi  t0, t0, P_FILES
    lw    t1, F_USED(t0)
    beqz  t1, 1f
    mv    a0, t0
    ret
1:  li    a0, 0
    ret

# 4 read file(fd, buf, len) -> bytes read (0 at the end of the file).
sys_fread:
    enter 4
    mv    s0, a0
    mv    s2, a2
    mv    s3, a3
    call  fd_slot
    mv    s1, a0
    li    a0, -EBADF
    beqz  s1, 9f
    li    a0, -EINVAL
    bltz  s3, 9f
    mv    a0, s0
    mv    a1, s2
    mv    a2, s3
    li    a3, PTE_W
    call  user_range_ok
    beqz  a0, 8f
    lw    t0, F_SIZE(s1)
    lw    t1, F_POS(s1)
    sub   t0, t0, t1              # bytes left in the file
    bleu  s3, t0, 1f
    mv    s3, t0
1:  li    a0, 0
    beqz  s3, 9f
    mv    a0, s0
    lw    a1, F_LBA(s1)
    lw    a2, F_POS(s1)
    mv    a3, s2
    mv    a4, s3
    call  fs_read_to_user
    bltz  a0, 9f
    lw    t1, F_POS(s1)
    add   t1, t1, a0
    sw    t1, F_POS(s1)
9:  leave 4
8:  li    a0, -EFAULT
    leave 4

# 5 close(fd) -> 0
sys_close:
    enter
    call  fd_slot
    beqz  a0, 1f
    sw    zero, F_USED(a0)
    li    a0, 0
    leave
1:  li    a0, -EBADF
    leave

# 6 time() -> milliseconds since cos booted (machine time).
sys_time:
    enter
    call  now_ms
    leave

# 7 yield() -> 0: let the next ready process run (or, in a client partition with none, another
# partition: mail.s).
sys_yield:
    li    t0, 1
    swg   t0, need_resched
    enter
    call  mail_yield
    li    a0, 0
    leave

# 8 sleep(ms) -> 0: ready again at the first tick at or after now + ms.
sys_sleep:
    blez  a1, sys_yield
    enter 2
    mv    s0, a0
    mv    s1, a1
    call  now_ms
    add   a0, a0, s1
    sw    a0, P_WAKE(s0)
    sw    zero, R_A0(s0)          # its result when it wakes
    li    t0, PS_SLEEPING
    sw    t0, P_STATE(s0)
    li    a0, SYS_BLOCKED
    leave 2

# 9 getpid() -> pid
sys_getpid:
    lw    a0, P_PID(a0)
    ret
