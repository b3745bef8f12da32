# mail.s: cos's mailbox, messages for user programs, and shared pages (M19;
# docs/guests.md#messages-and-shared-pages).
#
# In a client partition, messages from other partitions (notice.s takes them off the hypervisor's
# inbox) go to the program waiting in msg_recv if there is one, else into the mailbox: the newest
# MBOX_N messages with their sender, kept for the next msg_recv or for the `mail` command. A call
# (the sender waits in msg_call) is never left unanswered: when no program listens (no process has
# called msg_recv, or it ended), cos answers it at once with an empty reply, and a call a program
# took but did not answer is answered empty when that program ends. So a synchronous call from
# another partition cannot hang because of cos.
#
# Shared pages: a program offers one of its pages to a partition (share_offer: the hypervisor maps
# the same frame in both, zero copy); cos keeps that frame out of its free list for good, since the
# other partition may still map it. A program accepts an offer (share_accept): cos asks the
# hypervisor to map the page at the next address of its share window (above its RAM) and maps that
# into the program at the address it gave.
#
# Booted bare there is no hypervisor: these system calls answer -ENOSYS without a hypercall.

.equ MBOX_N,          8                 # messages kept (a power of two)
.equ MB_FROM,         0
.equ MB_FLAGS,        4
.equ MB_LEN,          8
.equ MB_TIME,         12                # ms since boot when it came
.equ MB_DATA,         16
.equ MB_SIZE,         16 + 256
.equ MBF_CALL,        1                 # the sender waits for a reply
.equ MBF_ANSWERED,    2                 # cos answered it (empty: nobody listened)
.ifndef MSG_MAX                         # (ctl's defs.inc has it too)
.equ MSG_MAX,         256               # docs/hypercalls.md: a message holds 0..256 bytes
.endif
.equ MSG_HDR,         8                 # msg_recv's buffer: +0 sender, +4 flags, +8 the text
.equ OWED_N,          8                 # calls taken by programs and not answered yet
.equ SHARE_N,         8                 # pages shared out, and into the share window
.equ OFFER_N,         8                 # offers received and not accepted yet
.equ SHARE_WINDOW,    0x40000000        # guest-physical addresses of accepted pages
.equ PS_MSGWAIT,      4                 # blocked in msg_recv
# (hotplug.s, included before, names some of these hypercalls too)
.ifndef HC_YIELD
.equ HC_YIELD,        0x03
.endif
.ifndef HC_MSG_CALL
.equ HC_MSG_CALL,     0x11
.endif
.ifndef HC_MSG_REPLY
.equ HC_MSG_REPLY,    0x13
.endif
.equ HC_SHARE_OFFER,  0x14
.equ HC_SHARE_ACCEPT, 0x15
.ifndef EPERM
.equ EPERM,           1
.endif
.ifndef EBUSY
.equ EBUSY,           16
.endif
.ifndef ENOSPC
.equ ENOSPC,          28
.endif

.text

# mail_client -> a0 = 1 in a client partition (a hypervisor answers hypercalls), else 0.
mail_client:
    lwg   t0, bi_addr
    lw    a0, BI_PARTITION(t0)
    snez  a0, a0
    ret

# hv_errno(a0 = a hypervisor error code, -1..-9) -> a0 = the negated POSIX code a program sees.
hv_errno:
    neg   t0, a0
    li    t1, 10
    bgeu  t0, t1, 1f
    slli  t0, t0, 2
    la    t1, hv_errno_table
    add   t1, t1, t0
    lw    a0, 0(t1)
    neg   a0, a0
    ret
1:  li    a0, -EINVAL
    ret

# mail_slot(a0 = index, 0 = the oldest) -> a0 = that message's slot.
mail_slot:
    lwg   t0, mbox_head
    add   t0, t0, a0
    andi  t0, t0, MBOX_N - 1
    li    t1, MB_SIZE
    mul   t0, t0, t1
    la    a0, mbox
    add   a0, a0, t0
    ret

# reply_empty(a0 = partition id): an empty reply, which frees a caller waiting in msg_call.
reply_empty:
    la    a1, msg_rbuf
    li    a2, 0
    hypercall HC_MSG_REPLY
    ret

# mail_pop(a0 = 1 to answer the oldest message first if it is a call nobody answered): drop it.
mail_pop:
    enter
    beqz  a0, 1f
    li    a0, 0
    call  mail_slot
    lw    t0, MB_FLAGS(a0)
    andi  t0, t0, MBF_CALL | MBF_ANSWERED
    li    t1, MBF_CALL
    bne   t0, t1, 1f
    lw    a0, MB_FROM(a0)
    call  reply_empty
1:  lwg   t0, mbox_head
    addi  t0, t0, 1
    andi  t0, t0, MBOX_N - 1
    swg   t0, mbox_head
    lwg   t0, mbox_count
    addi  t0, t0, -1
    swg   t0, mbox_count
    leave

# mail_waiter_get -> a0 = the PCB of the program waiting in msg_recv, or 0 (a wait that ended, by
# a kill say, is forgotten).
mail_waiter_get:
    lwg   a0, mail_waiter
    beqz  a0, 9f
    lw    t1, P_STATE(a0)
    li    t2, PS_MSGWAIT
    bne   t1, t2, 8f
    lw    t1, P_PID(a0)
    lwg   t2, mail_waiter_pid
    beq   t1, t2, 9f
8:  swg   zero, mail_waiter
    li    a0, 0
9:  ret

# mail_listening -> a0 = 1 while the program that last called msg_recv is alive.
mail_listening:
    enter
    lwg   a0, mail_listener
    beqz  a0, 1f
    call  proc_find
    snez  a0, a0
1:  leave

# owe_add(a0 = caller's partition, a1 = pid that took its call)
owe_add:
    la    t0, owed
    li    t2, OWED_N
1:  lw    t1, 0(t0)
    beqz  t1, 2f
    addi  t0, t0, 8
    addi  t2, t2, -1
    bnez  t2, 1b
    ret                           # full: not tracked (a program holding 8 unanswered calls)
2:  addi  t1, a0, 1               # partition + 1: 0 marks a free entry
    sw    t1, 0(t0)
    sw    a1, 4(t0)
    ret

# owe_clear(a0 = caller's partition): its call was answered.
owe_clear:
    la    t0, owed
    li    t2, OWED_N
    addi  a0, a0, 1
1:  lw    t1, 0(t0)
    bne   t1, a0, 2f
    sw    zero, 0(t0)
2:  addi  t0, t0, 8
    addi  t2, t2, -1
    bnez  t2, 1b
    ret

# mail_proc_exit(a0 = PCB of a process that ends): the calls it took and did not answer are answered
# empty; if it was the listener, so are the calls that wait in the mailbox. (proc.s calls this.)
mail_proc_exit:
    enter 3
    lw    s0, P_PID(a0)
    la    s1, owed
    li    s2, OWED_N
1:  lw    t0, 0(s1)
    beqz  t0, 2f
    lw    t1, 4(s1)
    bne   t1, s0, 2f
    sw    zero, 0(s1)
    addi  a0, t0, -1
    call  reply_empty
2:  addi  s1, s1, 8
    addi  s2, s2, -1
    bnez  s2, 1b
    lwg   t0, mail_listener
    bne   t0, s0, 9f
    swg   zero, mail_listener
    li    s1, 0
3:  lwg   t0, mbox_count
    bgeu  s1, t0, 9f
    mv    a0, s1
    call  mail_slot
    lw    t0, MB_FLAGS(a0)
    andi  t1, t0, MBF_CALL | MBF_ANSWERED
    li    t2, MBF_CALL
    bne   t1, t2, 4f
    ori   t0, t0, MBF_ANSWERED
    sw    t0, MB_FLAGS(a0)
    lw    a0, MB_FROM(a0)
    call  reply_empty
4:  addi  s1, s1, 1
    j     3b
9:  leave 3

# mail_give(a0 = PCB waiting in msg_recv, a1 = sender, a2 = 1 for a call it must answer, a3 = text,
# a4 = length): the header and as much of the text as fits into its buffer (checked when it called
# msg_recv); it is ready again with the length as result.
mail_give:
    enter 5
    addi  sp, sp, -16
    mv    s0, a0
    mv    s1, a1
    mv    s2, a2
    mv    s3, a3
    mv    s4, a4
    sw    s1, 0(sp)
    sw    s2, 4(sp)
    mv    a0, s0
    lw    a1, R_A0(s0)
    mv    a2, sp
    li    a3, MSG_HDR
    call  copy_to_user
    bltz  a0, 2f
    lw    t0, R_A1(s0)
    addi  t0, t0, -MSG_HDR
    bleu  s4, t0, 1f
    mv    s4, t0
1:  mv    a0, s0
    lw    a1, R_A0(s0)
    addi  a1, a1, MSG_HDR
    mv    a2, s3
    mv    a3, s4
    call  copy_to_user
    bltz  a0, 2f
    mv    a0, s4
2:  sw    a0, R_A0(s0)
    li    t0, PS_READY
    sw    t0, P_STATE(s0)
    swg   zero, mail_waiter
    beqz  s2, 9f
    bltz  a0, 3f
    mv    a0, s1                  # the program owes the caller a reply
    lw    a1, P_PID(s0)
    call  owe_add
    j     9f
3:  mv    a0, s1                  # it could not have the call: answer it empty
    call  reply_empty
9:  addi  sp, sp, 16
    leave 5

# mail_deliver(a0 = sender, a1 = length, a2 = 1 when the sender waits for a reply): a message of
# another partition, its text in notice_buf (notice.s).
mail_deliver:
    enter 4
    mv    s0, a0
    mv    s1, a1
    mv    s2, a2
    lwg   t0, mbox_total
    addi  t0, t0, 1
    swg   t0, mbox_total
    call  mail_waiter_get         # a program waiting in msg_recv has it at once
    beqz  a0, 1f
    mv    a1, s0
    mv    a2, s2
    la    a3, notice_buf
    mv    a4, s1
    call  mail_give
    leave 4
1:  li    s3, 0                   # s3 = its flags in the mailbox
    beqz  s2, 2f
    li    s3, MBF_CALL
    call  mail_listening
    bnez  a0, 2f
    mv    a0, s0                  # a call nobody listens for: answered at once, empty
    call  reply_empty
    li    s3, MBF_CALL | MBF_ANSWERED
2:  lwg   t0, mbox_count
    li    t1, MBOX_N
    bltu  t0, t1, 3f
    lwg   t0, mbox_lost           # full: the oldest goes (a call in it is answered first)
    addi  t0, t0, 1
    swg   t0, mbox_lost
    li    a0, 1
    call  mail_pop
3:  lwg   a0, mbox_count
    call  mail_slot
    mv    s2, a0
    sw    s0, MB_FROM(s2)
    sw    s3, MB_FLAGS(s2)
    sw    s1, MB_LEN(s2)
    call  now_ms
    sw    a0, MB_TIME(s2)
    addi  a0, s2, MB_DATA
    la    a1, notice_buf
    mv    a2, s1
    call  memcpy
    lwg   t0, mbox_count
    addi  t0, t0, 1
    swg   t0, mbox_count
    leave 4

# mail_offer(a0 = share id, a1 = the offering partition): kept for share_accept (the oldest goes
# when OFFER_N are waiting).
mail_offer:
    la    t0, offers
    li    t2, OFFER_N
1:  lw    t1, 0(t0)
    beqz  t1, 2f
    addi  t0, t0, 8
    addi  t2, t2, -1
    bnez  t2, 1b
    la    t0, offers              # full: forget the first
2:  sw    a0, 0(t0)
    sw    a1, 4(t0)
    ret

# share_kept(a0 = physical page) -> a0 = 1 when proc_release must not free it: a page shared out
# (another partition may map it) or one outside RAM (a page shared in).
share_kept:
    lwg   t0, ram_base
    bltu  a0, t0, 8f
    lwg   t1, ram_size
    add   t0, t0, t1
    bgeu  a0, t0, 8f
    la    t0, share_out
    li    t2, SHARE_N
1:  lw    t1, 0(t0)
    beq   t1, a0, 8f
    addi  t0, t0, 8
    addi  t2, t2, -1
    bnez  t2, 1b
    li    a0, 0
    ret
8:  li    a0, 1
    ret

# ---------------------------------------------------------------- system calls 12..18

# 12 msg_send(to, buf, len) -> 0; 14 msg_call(to, buf, len) -> the reply's length: the reply is
# written over buf, which must have MSG_MAX writable bytes. A call blocks all of cos (its one vCPU
# waits in the hypervisor) until the reply. A message longer than MSG_MAX goes to the hypervisor
# with its length, which refuses it (-EINVAL) and logs why.
sys_msg_send:
    li    a4, 0
    j     msg_out
sys_msg_call:
    li    a4, 1
msg_out:
    enter 5
    mv    s0, a0
    mv    s1, a1
    mv    s2, a2
    mv    s3, a3
    mv    s4, a4
    call  mail_client
    beqz  a0, 6f
    li    a0, -EINVAL
    bltz  s3, 9f
    mv    a3, s3
    li    t0, MSG_MAX
    bleu  a3, t0, 1f
    mv    a3, t0
1:  mv    a0, s0
    mv    a1, s2
    la    a2, msg_kbuf
    call  copy_from_user
    bltz  a0, 9f
    beqz  s4, 2f
    mv    a0, s0                  # room for the reply
    mv    a1, s2
    li    a2, MSG_MAX
    li    a3, PTE_W
    call  user_range_ok
    beqz  a0, 8f
    mv    a0, s1
    la    a1, msg_kbuf
    mv    a2, s3
    la    a3, msg_rbuf
    li    a4, MSG_MAX
    hypercall HC_MSG_CALL
    bltz  a0, 7f
    mv    s3, a0
    mv    a0, s0
    mv    a1, s2
    la    a2, msg_rbuf
    mv    a3, s3
    call  copy_to_user
    bltz  a0, 9f
    mv    a0, s3
    leave 5
2:  mv    a0, s1
    la    a1, msg_kbuf
    mv    a2, s3
    hypercall HC_MSG_SEND
    bgez  a0, 9f
7:  call  hv_errno
9:  leave 5
8:  li    a0, -EFAULT
    leave 5
6:  li    a0, -ENOSYS
    leave 5

# 13 msg_recv(buf, max) -> the text's length: +0 the sender's partition, +4 flags (bit 0: a call,
# answer it with msg_reply), +8 the text (at most max - 8 bytes of it). The oldest message of the
# mailbox, else it waits for the next one. The caller becomes the listener: calls wait for it.
sys_msg_recv:
    enter 2
    mv    s0, a0
    call  mail_client
    beqz  a0, 6f
    li    a0, -EINVAL
    li    t0, MSG_HDR
    blt   a2, t0, 9f
    mv    a0, s0
    li    a3, PTE_W
    call  user_range_ok
    beqz  a0, 8f
    lw    t0, P_PID(s0)
    swg   t0, mail_listener
    li    t0, PS_MSGWAIT
    sw    t0, P_STATE(s0)
    lwg   t0, mbox_count
    beqz  t0, 1f
    li    a0, 0                   # the oldest waiting message
    call  mail_slot
    mv    s1, a0
    lw    a1, MB_FROM(s1)
    lw    t0, MB_FLAGS(s1)
    andi  t1, t0, MBF_ANSWERED
    li    a2, 0
    bnez  t1, 2f
    andi  a2, t0, MBF_CALL
2:  addi  a3, s1, MB_DATA
    lw    a4, MB_LEN(s1)
    mv    a0, s0
    call  mail_give
    li    a0, 0
    call  mail_pop
    li    a0, SYS_BLOCKED         # its result is written already
    leave 2
1:  swg   s0, mail_waiter
    lw    t0, P_PID(s0)
    swg   t0, mail_waiter_pid
    li    a0, SYS_BLOCKED
9:  leave 2
8:  li    a0, -EFAULT
    leave 2
6:  li    a0, -ENOSYS
    leave 2

# 15 msg_reply(to, buf, len) -> 0: answers the call partition `to` waits in.
sys_msg_reply:
    enter 4
    mv    s0, a0
    mv    s1, a1
    mv    s2, a2
    mv    s3, a3
    call  mail_client
    beqz  a0, 6f
    li    a0, -EINVAL
    bltz  s3, 9f
    mv    a3, s3
    li    t0, MSG_MAX
    bleu  a3, t0, 1f
    mv    a3, t0
1:  mv    a0, s0
    mv    a1, s2
    la    a2, msg_kbuf
    call  copy_from_user
    bltz  a0, 9f
    mv    a0, s1
    la    a1, msg_kbuf
    mv    a2, s3
    hypercall HC_MSG_REPLY
    bltz  a0, 7f
    mv    a0, s1
    call  owe_clear
    li    a0, 0
    leave 4
7:  call  hv_errno
9:  leave 4
6:  li    a0, -ENOSYS
    leave 4

# 16 share_offer(page, to) -> the share id: offers the program's page at `page` (page-aligned,
# its own and writable) to partition `to`, which accepts it with share_accept. The frame stays
# out of cos's free list for good (-ENOSPC after SHARE_N pages).
sys_share_offer:
    enter 4
    mv    s0, a0
    mv    s1, a1
    mv    s2, a2
    call  mail_client
    beqz  a0, 6f
    li    a0, -EINVAL
    andi  t0, s1, PAGE_SIZE - 1
    bnez  t0, 9f
    mv    a0, s0
    mv    a1, s1
    li    a2, PTE_W
    call  uva_to_pa
    beqz  a0, 8f                  # not a page of the program's
    mv    s3, a0
    call  share_kept              # a page shared in, or already shared out: not cos's to offer
    li    t0, 0
    bnez  a0, 5f
    la    s1, share_out           # s1 = a free entry
    li    t0, SHARE_N
1:  lw    t1, 0(s1)
    beqz  t1, 2f
    addi  s1, s1, 8
    addi  t0, t0, -1
    bnez  t0, 1b
    li    a0, -ENOSPC
    leave 4
2:  mv    a0, s3
    mv    a1, s2
    hypercall HC_SHARE_OFFER
    bltz  a0, 7f
    sw    s3, 0(s1)
    sw    a0, 4(s1)
    leave 4
5:  li    a0, -EBUSY
    leave 4
7:  call  hv_errno
9:  leave 4
8:  li    a0, -EFAULT
    leave 4
6:  li    a0, -ENOSYS
    leave 4

# 17 share_accept(id, page) -> the share id: maps the page offered as share `id` (0: the oldest
# offer waiting) at the program's address `page` (page-aligned, below its stack; what was there is
# freed). -EAGAIN when no offer waits.
sys_share_accept:
    enter 5
    mv    s0, a0
    mv    s1, a1
    mv    s2, a2
    call  mail_client
    beqz  a0, 6f
    li    a0, -EINVAL
    andi  t0, s2, PAGE_SIZE - 1
    bnez  t0, 9f
    li    t0, USER_BASE
    bltu  s2, t0, 9f
    li    t0, USTACK_BASE
    bgeu  s2, t0, 9f
    la    s3, offers              # s3 = the offer
    li    t2, OFFER_N
1:  lw    t1, 0(s3)
    beqz  t1, 2f
    beqz  s1, 3f
    beq   t1, s1, 3f
2:  addi  s3, s3, 8
    addi  t2, t2, -1
    bnez  t2, 1b
    li    a0, -EAGAIN             # no such offer (yet)
    leave 5
3:  lw    s1, 0(s3)
    lwg   s4, share_in_next
    li    t0, SHARE_N
    li    a0, -ENOSPC
    bgeu  s4, t0, 9f
    slli  s4, s4, PAGE_SHIFT
    li    t0, SHARE_WINDOW
    add   s4, s4, t0              # s4 = its guest-physical address here
    mv    a0, s1
    mv    a1, s4
    hypercall HC_SHARE_ACCEPT
    bltz  a0, 7f
    sw    zero, 0(s3)
    lwg   t0, share_in_next
    addi  t0, t0, 1
    swg   t0, share_in_next
    mv    a0, s0                  # what the program had there goes back to the free list
    mv    a1, s2
    li    a2, PTE_R
    call  uva_to_pa
    beqz  a0, 4f
    mv    s3, a0
    call  share_kept
    bnez  a0, 4f
    mv    a0, s3
    call  frame_free
4:  lw    a0, P_L1(s0)
    mv    a1, s2
    ori   a2, s4, PTE_V | PTE_R | PTE_W | PTE_U
    call  map_page
    bltz  a0, 9f
    tlbflush
    mv    a0, s1
    leave 5
7:  call  hv_errno
9:  leave 5
6:  li    a0, -ENOSYS
    leave 5

# 18 time_us() -> microseconds of machine time since cos booted (low 32 bits).
sys_time_us:
    enter
    call  read_cycles
    lwg   t0, boot_cycles_lo
    lwg   t1, boot_cycles_hi
    sltu  t2, a0, t0
    sub   a0, a0, t0
    sub   a1, a1, t1
    sub   a1, a1, t2
    lwg   a2, ms_div
    li    t0, 1000
    divu  a2, a2, t0              # cycles per microsecond
    bnez  a2, 1f
    li    a2, 1
1:  call  udiv64
    leave

# mail_yield: a program yields; when no other process is ready and the hypervisor offers its
# paravirtual interface (the boot info's console mark, as for console_write), the pCPU goes to
# another partition's vCPU (the yield hypercall) instead of coming straight back. Without the mark
# (bare, or a technique without paravirtual devices) it is a plain yield.
mail_yield:
    enter
    lwg   t0, console_pv
    beqz  t0, 9f
    lwg   t3, current
    la    t0, procs
    li    t1, NPROC * P_SIZE
    add   t1, t0, t1
1:  beq   t0, t3, 2f
    lw    t2, P_STATE(t0)
    li    a0, PS_READY
    beq   t2, a0, 9f              # another process will run
2:  addi  t0, t0, P_SIZE
    bltu  t0, t1, 1b
    hypercall HC_YIELD
9:  leave

# ---------------------------------------------------------------- the mail command

# mail                 the mailbox: every message kept, oldest first, and the offers waiting
# mail N               message N in full
# mail send ID TEXT    send TEXT to partition ID (msg_send)
# mail clear           empty it (calls in it that wait are answered, empty)
cmd_mail:
    enter 5
    addi  sp, sp, -48
    mv    s0, a0
    call  mail_client
    bnez  a0, 1f
    print "mail: only in a client partition (bare there is no hypervisor; ctl has inbox)\n"
    j     99f
1:  lbu   t0, 0(s0)
    beqz  t0, 20f
    mv    a0, s0
    la    a1, s_m_send
    call  word_is
    bnez  a0, 40f
    mv    a0, s0
    la    a1, s_m_clear
    call  strcmp
    beqz  a0, 30f
    mv    a0, s0                  # mail N
    call  parse_uint
    beqz  a1, 90f
    addi  s1, a0, -1
    lwg   t0, mbox_count
    bgeu  s1, t0, 91f
    mv    a0, s1
    call  mail_slot
    mv    s2, a0
    addi  a1, s1, 1
    lw    a2, MB_FROM(s2)
    lw    a3, MB_LEN(s2)
    lw    a4, MB_TIME(s2)
    fmt   "message %u from partition %u, %u bytes, at %u ms:\n"
    call  kprintf
    addi  a0, s2, MB_DATA
    lw    a1, MB_LEN(s2)
    call  console_write
    li    a0, '\n'
    call  putc
    j     99f
20: lwg   a1, mbox_count          # the list
    li    a2, MBOX_N
    lwg   a3, mbox_lost
    fmt   "mailbox: %u messages (the newest %u are kept; %u lost)\n"
    call  kprintf
    li    s1, 0
21: lwg   t0, mbox_count
    bgeu  s1, t0, 25f
    mv    a0, s1
    call  mail_slot
    mv    s2, a0
    lw    t1, MB_LEN(s2)          # its first 40 characters, printable
    li    t0, 40
    bleu  t1, t0, 22f
    mv    t1, t0
22: li    t2, 0
23: bgeu  t2, t1, 24f
    add   t3, s2, t2
    lbu   t4, MB_DATA(t3)
    li    t5, 0x20
    bltu  t4, t5, 28f
    li    t5, 0x7f
    bltu  t4, t5, 29f
28: li    t4, '.'
29: add   t3, sp, t2
    sb    t4, 0(t3)
    addi  t2, t2, 1
    j     23b
24: add   t3, sp, t2
    sb    zero, 0(t3)
    la    a3, s_m_msg
    lw    t0, MB_FLAGS(s2)
    andi  t1, t0, MBF_CALL
    beqz  t1, 32f
    la    a3, s_m_call
    andi  t1, t0, MBF_ANSWERED
    beqz  t1, 32f
    la    a3, s_m_called
32: addi  a1, s1, 1
    lw    a2, MB_FROM(s2)
    lw    a4, MB_LEN(s2)
    mv    a5, sp
    fmt   "%3u from %-3u %-14s %3u bytes: %s\n"
    call  kprintf
    addi  s1, s1, 1
    j     21b
25: la    s1, offers              # offers waiting
    li    s2, OFFER_N
26: lw    a1, 0(s1)
    beqz  a1, 27f
    lw    a2, 4(s1)
    fmt   "share %u offered by partition %u: a program accepts it (consume)\n"
    call  kprintf
27: addi  s1, s1, 8
    addi  s2, s2, -1
    bnez  s2, 26b
    call  mail_listening
    beqz  a0, 99f
    lwg   a1, mail_listener
    fmt   "pid %u listens: msg_recv takes the oldest message\n"
    call  kprintf
    j     99f
30: lwg   t0, mbox_count          # mail clear
    beqz  t0, 31f
    li    a0, 1
    call  mail_pop
    j     30b
31: print "mailbox emptied\n"
    j     99f
40: call  parse_word_uint         # mail send ID TEXT
    beqz  a1, 92f
    mv    s1, a0
    mv    s2, a2
    mv    a0, s2
    call  strlen
    mv    a2, a0
    mv    a0, s1
    mv    a1, s2
    hypercall HC_MSG_SEND
    bltz  a0, 41f
    mv    a1, s1
    fmt   "mail: sent to partition %u\n"
    call  kprintf
    j     99f
41: call  hv_errno
    neg   a2, a0
    mv    a1, s1
    fmt   "mail: send to partition %u failed (error %u: see the hypervisor's log)\n"
    call  kprintf
    j     99f
90: print "usage: mail | mail N | mail send ID TEXT | mail clear\n"
    j     99f
91: addi  a1, s1, 1
    fmt   "mail: no message %u (mail lists them)\n"
    call  kprintf
    j     99f
92: print "usage: mail send ID TEXT\n"
99: addi  sp, sp, 48
    leave 5

# parse_word_uint(a0 = text) -> a0 = the decimal number at its start (after spaces), a1 = digits
# (0: none, or no space or end after it), a2 = the text after it and its spaces.
parse_word_uint:
    li    t1, ' '
1:  lbu   t0, 0(a0)
    bne   t0, t1, 2f
    addi  a0, a0, 1
    j     1b
2:  li    t2, 0
    li    a1, 0
    li    t3, 10
3:  lbu   t0, 0(a0)
    addi  t0, t0, -'0'
    bgeu  t0, t3, 4f
    mul   t2, t2, t3
    add   t2, t2, t0
    addi  a1, a1, 1
    addi  a0, a0, 1
    j     3b
4:  lbu   t0, 0(a0)
    beqz  t0, 6f
    beq   t0, t1, 7f
    li    a1, 0                   # something else right after the digits
    j     6f
7:  addi  a0, a0, 1
    lbu   t0, 0(a0)
    beq   t0, t1, 7b
6:  mv    a2, a0
    mv    a0, t2
    ret

.section rodata
.align 4
hv_errno_table:
    .word 0, EPERM, EINVAL, ENOENT, EBUSY, ENOMEM, EFAULT, EAGAIN, ENOSYS, ENOSPC
s_m_send:   .asciz "send "
s_m_clear:  .asciz "clear"
s_m_msg:    .asciz "message"
s_m_call:   .asciz "call"
s_m_called: .asciz "call, answered"
.text
