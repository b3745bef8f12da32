# notice.s: the hypervisor's notices (docs/hypercalls.md#notifications-and-messages) and giving
# memory back when asked (M21, docs/guests.md#notices-from-the-hypervisor).
#
# In a client partition (the boot info's partition id is not 0) cos listens to source 31 of its
# interrupt controller, which is high while its inbox holds messages. On that interrupt it takes
# every message (msg_recv) and acts on the hypervisor's (sender 255):
# - `mem-remove SIZE` (ctl's part_remove_mem asks for SIZE bytes back): cos agrees, with
#   mem_release, only when every page frame at the top of its memory that would go is free (or is
#   memory it was given but did not take); then those frames leave its free list and
#   its RAM shrinks. Otherwise it refuses: it says so on its console and sends ctl the message
#   `mem-remove SIZE refused`; it keeps all its memory.
# - `mem-added SIZE at GPA`, `cpu-added N`, `cpu-remove N`, `dev-added DEV`, `dev-remove DEV ...`:
#   hotplug.s (cos uses added memory and vCPUs at once, and gives vCPUs and devices back).
# - `share-offer ID from P`: kept for a program's share_accept (mail.s).
# Other partitions' messages go to the mailbox, or to the program waiting for one (mail.s).
# ctl, which includes this file, handles the notices itself (the os_notices hook).

.equ NOTIFY_SOURCE,   31                # docs/hypercalls.md: the inbox is not empty
.equ NOTICE_MAX,      256               # notice_buf has room for the NUL after it
.equ HV_SENDER_ID,    255               # msg_recv's sender id of the hypervisor's notices
.equ HC_MEM_RELEASE,  0x07
.ifndef HC_MSG_SEND
.equ HC_MSG_SEND,     0x10
.endif
.ifndef HC_MSG_RECV
.equ HC_MSG_RECV,     0x12
.endif

.text

# irq_enable(a0 = source): priority 1 and enabled in our intc context (there must be one).
irq_enable:
    lwg   t0, intc_base
    slli  t1, a0, 2
    add   t1, t0, t1
    li    t2, 1
    sw    t2, INTC_PRIORITY(t1)
    lwg   t0, intc_ctx
    lw    t1, INTC_ENABLE(t0)
    li    t2, 1
    sll   t2, t2, a0
    or    t1, t1, t2
    sw    t1, INTC_ENABLE(t0)
    ret

# notice_init: a client partition with interrupts listens to the notification source. (Bare, or as
# partition 0, nothing: ctl turns it on itself once it knows a hypervisor is there.)
notice_init:
    lwg   t0, intc_ctx
    beqz  t0, 9f
    lwg   t0, bi_addr
    lw    t0, BI_PARTITION(t0)
    beqz  t0, 9f
    li    a0, NOTIFY_SOURCE
    j     irq_enable
9:  ret

# notice_intr(a0 = a claimed interrupt source): for the notification source, take every message.
notice_intr:
    li    t0, NOTIFY_SOURCE
    bne   a0, t0, 1f
.ifdef OS_HOOKS
    j     os_notices              # hook: an including OS (ctl) acts on them itself
.else
    j     cos_notices
.endif
1:  ret

# word_is(a0 = text, a1 = a word followed by a space) -> a0 = the text after it, or 0.
word_is:
1:  lbu   t1, 0(a1)
    beqz  t1, 2f
    lbu   t0, 0(a0)
    bne   t0, t1, 3f
    addi  a0, a0, 1
    addi  a1, a1, 1
    j     1b
2:  ret
3:  li    a0, 0
    ret

# dec_prefix(a0 = text) -> a0 = the decimal number it starts with, a1 = its digits (0: none).
dec_prefix:
    li    t2, 0
    li    a1, 0
    li    t3, 10
1:  lbu   t0, 0(a0)
    addi  t0, t0, -'0'
    bgeu  t0, t3, 2f
    mul   t2, t2, t3
    add   t2, t2, t0
    addi  a1, a1, 1
    addi  a0, a0, 1
    j     1b
2:  mv    a0, t2
    ret

.ifndef OS_HOOKS
# cos_notices: every message in the inbox (msg_recv until EAGAIN); act on the hypervisor's.
cos_notices:
    enter 2
1:  la    a0, notice_buf
    li    a1, NOTICE_MAX
    hypercall HC_MSG_RECV
    bltz  a0, 9f                  # EAGAIN: none left
    la    t0, notice_buf
    add   t0, t0, a0
    sb    zero, 0(t0)
    li    t0, HV_SENDER_ID
    beq   a1, t0, 10f
    mv    t0, a0                  # another partition's message: the mailbox or a program (mail.s)
    mv    a0, a1
    mv    a1, t0
    call  mail_deliver
    j     1b
10: la    a0, notice_buf
    la    a1, s_n_offer
    call  word_is
    beqz  a0, 11f
    call  parse_word_uint         # share-offer ID from PARTITION: kept for share_accept
    beqz  a1, 1b
    mv    s0, a0
    mv    a0, a2
    la    a1, s_n_from
    call  word_is
    beqz  a0, 1b
    call  parse_word_uint
    beqz  a1, 1b
    mv    a1, a0
    mv    a0, s0
    call  mail_offer
    j     1b
11: la    a0, notice_buf
    la    a1, s_n_remove
    call  word_is
    beqz  a0, 2f
    call  dec_prefix
    beqz  a1, 1b
    call  mem_give_back
    j     8f
2:  la    a0, notice_buf
    la    a1, s_n_added
    call  word_is
    beqz  a0, 3f
    mv    s0, a0
    call  dec_prefix
    beqz  a1, 1b
    add   s0, s0, a1              # after the size: " at GPA"
    mv    s1, a0
    mv    a0, s0
    la    a1, s_n_at
    call  word_is
    li    t0, -1
    beqz  a0, 21f
    call  dec_prefix
    li    t0, -1
    beqz  a1, 21f
    mv    t0, a0
21: mv    a1, t0
    mv    a0, s1
    call  mem_grow                # hotplug.s: used at once
    j     8f
3:  la    a0, notice_buf          # vCPUs and devices (hotplug.s)
    call  hotplug_notice
    beqz  a0, 1b
8:  lwg   t0, fg_pid              # cos said something: the shell's prompt again, as after a command
    bnez  t0, 1b
    li    t0, 1
    swg   t0, prompt_pending
    j     1b
9:  leave 2

# mem_give_back(a0 = bytes the hypervisor asks back): agree (mem_release) if the frames at the top of
# memory that would go are all free, else refuse. Says which on the console.
mem_give_back:
    enter 4
    mv    s0, a0                  # s0 = bytes asked for
    li    t0, PAGE_SIZE - 1
    and   t0, s0, t0
    bnez  t0, 80f
    beqz  s0, 80f
    lwg   s1, ram_unused          # memory added while running goes first: cos never used it
    li    s2, 0                   # s2 = bytes of cos's own RAM that go
    bgeu  s1, s0, 5f
    sub   s2, s0, s1
    lwg   t0, ram_size
    bgeu  s2, t0, 80f             # not all of it
    lwg   t0, ram_base
    lwg   t1, ram_size
    add   s3, t0, t1
    sub   s3, s3, s2              # s3 = the new end of RAM
    la    t0, _end
    bltu  s3, t0, 81f             # it would cut into the kernel
    lwg   t0, free_head           # free frames at or above the new end
    li    t1, 0
1:  beqz  t0, 2f
    bltu  t0, s3, 11f
    addi  t1, t1, 1
11: lw    t0, 0(t0)
    j     1b
2:  srli  t2, s2, 12
    bne   t1, t2, 81f             # some are in use
    la    t0, free_head           # take them off the free list
3:  lw    t1, 0(t0)
    beqz  t1, 4f
    bltu  t1, s3, 31f
    lw    t2, 0(t1)
    sw    t2, 0(t0)
    j     3b
31: mv    t0, t1
    j     3b
4:  lwg   t0, free_frames
    srli  t1, s2, 12
    sub   t0, t0, t1
    swg   t0, free_frames
    lwg   t0, ram_size
    sub   t0, t0, s2
    swg   t0, ram_size
    li    s1, 0
    j     6f
5:  sub   s1, s1, s0
6:  swg   s1, ram_unused
    mv    a0, s0
    hypercall HC_MEM_RELEASE
    bnez  a0, 7f
    srli  a1, s0, 10
    lwg   a2, ram_size
    srli  a2, a2, 10
    fmt   "cos: gave %u KiB back to the hypervisor; %u KiB of RAM now\n"
    call  kprintf
    j     9f
7:  mv    s1, a0                  # refused by the hypervisor: put everything back
    lwg   t0, ram_unused
    add   t0, t0, s0
    sub   t0, t0, s2
    swg   t0, ram_unused
    lwg   t0, ram_size
    add   t0, t0, s2
    swg   t0, ram_size
71: beqz  s2, 72f
    mv    a0, s3
    call  frame_free
    li    t0, PAGE_SIZE
    add   s3, s3, t0
    sub   s2, s2, t0
    j     71b
72: srli  a1, s0, 10
    mv    a2, s1
    fmt   "cos: mem_release of %u KiB failed (%d): it keeps its memory\n"
    call  kprintf
    j     9f
80: mv    a1, s0
    fmt   "cos: refused mem-remove %u: not whole pages, or all of its memory\n"
    call  kprintf
    j     85f
81: srli  a1, s0, 10
    fmt   "cos: refused mem-remove of %u KiB: the top of its memory is in use; it keeps all its memory\n"
    call  kprintf
85: la    a0, notice_buf          # tell ctl: "mem-remove SIZE refused"
    call  strlen
    la    t0, notice_buf
    add   a0, t0, a0
    la    a1, s_n_refused
    li    a2, 9
    call  strncpy
    la    a0, notice_buf
    call  strlen
    mv    a2, a0
    li    a0, 0
    la    a1, notice_buf
    hypercall HC_MSG_SEND
9:  leave 4

.section rodata
s_n_remove:  .asciz "mem-remove "
s_n_added:   .asciz "mem-added "
s_n_at:      .asciz " at "
s_n_refused: .asciz " refused"
s_n_offer:   .asciz "share-offer "
s_n_from:    .asciz "from "
.text
.endif
