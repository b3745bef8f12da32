# swap.s: swapping whole guests (M17; docs/hypercalls.md#control-api-partition-0-only,
# docs/guests.md#swapping-automatically). The mechanism is the hypervisor's (part_swap_out copies the
# guest to its swap store and appends its memory to ctl's end; part_swap_in takes memory of the same
# size from ctl at an address ctl names; part_idle says how long a client has been idle; the notice
# `input ID WHAT` says input came for a swapped guest). The policy is here: which guest, when, and
# where its memory comes back from (the top of ctl's memory, like every other grant: image.s).
#
# `swap auto` (on by default; `swap auto off` turns it off): when ctl's memory is short for a new
# partition (start, load), more memory (assign, resize) or a swap-in, the longest-idle running client
# goes to the swap store, as often as it takes; never ctl, the preferred guest, or the partition the
# memory is for, and nothing at all when swapping every candidate out would still not be enough (the
# request is refused as before). When input arrives for a guest ctl swapped out, ctl swaps it back in.
#
# ctl remembers the size a guest had when it went out (CR_SWAPPED), because part_query of a swapped
# guest says it has no memory.

.data
.align 4
swap_auto:       .word 1                  # swap auto on|off
.text

# swap ID out|in, swap auto [on|off]
cmd_swap:
    enter 3
    call  split
    mv    s2, a0
    beqz  s2, 8f
    arg   a0, 0
    la    a1, s_w_auto
    call  strcmp
    bnez  a0, 10f
    mv    a0, s2
    call  swap_auto_cmd
    j     9f
10: li    t0, 2
    bne   s2, t0, 8f
    arg   a0, 0
    li    a1, 1                   # 0 is parsed, then refused with the reason
    call  check_id
    bltz  a0, 9f
    mv    s0, a0
    mv    a1, s0
    arg   a2, 1
    fmt   "swap %u %s"
    call  ctx_set
    arg   a0, 1
    la    a1, s_w_out
    call  strcmp
    li    s2, 1                   # s2 = 1 out, 0 in
    beqz  a0, 1f
    arg   a0, 1
    la    a1, s_w_in
    call  strcmp
    bnez  a0, 8f
    li    s2, 0
1:  bnez  s0, 2f
    call  fail_begin              # the hypervisor refuses it too (EINVAL); say why
    print "ctl cannot be swapped: it is partition 0, it holds the memory and runs the swapping"
    li    a0, HV_EINVAL
    call  fail_end
    j     9f
2:  mv    a0, s0
    call  known
    bnez  a0, 9f
    mv    a0, s0
    beqz  s2, 20f
    call  swap_out_id
    bnez  a0, 9f
    mv    a0, s0
    call  part_label
    mv    a2, a0
    mv    a1, s0
    fmt   "ctl: swapped out %u (%s): "
    call  kprintf
    mv    a0, s0
    call  rec_of
    lw    a0, CR_SWAPPED(a0)
    call  put_size
    print " back to ctl, the guest kept in the swap store\n"
    li    a0, 0
    j     9f
20: call  swap_in_id
    j     9f
8:  la    a0, u_swap
    call  usage
9:  leave 3

# swap_auto_cmd(a0 = words: 1 `swap auto`, 2 `swap auto on|off`) -> a0 = 0 or EINVAL (reported).
# `swap auto` alone also lists how long each running client has been idle (part_idle): what the
# policy would choose by.
swap_auto_cmd:
    enter 2
    mv    s1, a0
    li    t0, 1
    beq   a0, t0, 5f
    li    t0, 2
    bne   a0, t0, 8f
    li    s0, 1
    arg   a0, 1
    la    a1, s_w_on
    call  strcmp
    beqz  a0, 4f
    li    s0, 0
    arg   a0, 1
    la    a1, s_w_off
    call  strcmp
    bnez  a0, 8f
4:  swg   s0, swap_auto
5:  lwg   t0, swap_auto
    beqz  t0, 6f
    print "ctl: swap auto on: when memory is short, the longest-idle client is swapped out; input for a swapped guest brings it back\n"
    j     7f
6:  print "ctl: swap auto off: a request for more memory than is free is refused; swap ID out|in by hand\n"
7:  li    t0, 1
    bne   s1, t0, 71f
    call  swap_idle_list
71: li    a0, 0
    leave 2
8:  la    a0, u_swap
    call  usage
    leave 2

# swap_idle_list: `  ID (NAME) idle TIME` for every running client ctl created (part_idle).
swap_idle_list:
    enter 1
    li    s0, 1
1:  li    t0, MAX_PARTS
    bgeu  s0, t0, 9f
    mv    a0, s0
    call  rec_of
    lw    t0, CR_USED(a0)
    beqz  t0, 3f
    mv    a0, s0
    call  query
    bnez  a0, 3f
    la    t0, qbuf
    lw    t1, Q_STATE(t0)
    li    t2, 1
    bne   t1, t2, 3f
    mv    a0, s0
    call  part_label
    mv    a2, a0
    mv    a1, s0
    fmt   "  %u (%s) idle "
    call  kprintf
    mv    a0, s0
    call  hc_idle
    call  put_idle
    lwg   t0, preferred_id
    bne   t0, s0, 2f
    print " (preferred: never swapped out)"
2:  print "\n"
3:  addi  s0, s0, 1
    j     1b
9:  leave 1

# swap_out_id(a0 = a client ctl knows) -> a0 = 0 when it is in the swap store (CR_SWAPPED = its
# memory), or an error (reported). Says nothing on success: the callers say why it went.
swap_out_id:
    enter 2
    mv    s0, a0
    call  query
    beqz  a0, 3f
    la    a1, s_part_query
    call  fail_hv
    j     9f
3:  la    t0, qbuf
    lw    s1, Q_MEM(t0)           # s1 = its memory
    lw    t1, Q_STATE(t0)
    li    t2, 1                   # running
    beq   t1, t2, 4f
    li    t2, 2                   # stopped
    beq   t1, t2, 4f
    call  fail_begin
    mv    a0, s0
    call  state_name
    mv    a2, a0
    mv    a1, s0
    fmt   "%u is %s: only a running or stopped partition can be swapped out"
    call  kprintf
    li    a0, HV_EBUSY
    call  fail_end
    j     9f
4:  mv    a0, s0
    call  hc_swap_out
    beqz  a0, 5f
    la    a1, s_part_swap_out
    call  fail_hv
    j     9f
5:  mv    a0, s0
    call  rec_of
    sw    s1, CR_SWAPPED(a0)
    li    a0, 0
9:  leave 2

# swap_in_id(a0 = a client ctl knows) -> a0 = 0 when it is back (says so), or an error (reported).
# Its memory comes from the top of ctl's (mem_take, which may swap an idle one out to make room).
swap_in_id:
    enter 2
    mv    s0, a0
    call  rec_of
    lw    s1, CR_SWAPPED(a0)
    bnez  s1, 21f
    call  fail_begin
    mv    a0, s0
    call  state_name
    mv    a2, a0
    mv    a1, s0
    fmt   "%u is %s, not swapped out"
    call  kprintf
    li    a0, HV_EBUSY
    call  fail_end
    j     9f
21: mv    a0, s1
    mv    a1, s0
    call  mem_take
    bltz  a0, 9f
    mv    a1, a0
    mv    a0, s0
    call  hc_swap_in
    beqz  a0, 22f
    la    a1, s_part_swap_in
    call  fail_hv
    j     9f
22: mv    a0, s0
    call  rec_of
    sw    zero, CR_SWAPPED(a0)
    mv    a0, s0
    call  part_label
    mv    a2, a0
    mv    a1, s0
    fmt   "ctl: swapped in %u (%s): "
    call  kprintf
    mv    a0, s1
    call  put_size
    print " from ctl, it goes on where it was\n"
    li    a0, 0
9:  leave 2

# swap_candidate(a0 = id) -> a0 = its memory when the policy may swap it out to make room: a running
# client ctl created, not swapped, not the preferred guest (M24), not a primary with a backup (M23)
# and not a1 (the one the memory is for); else 0.
swap_candidate:
    enter 2
    mv    s0, a0
    mv    s1, a1
    beq   s0, s1, 8f
    lwg   t0, preferred_id
    beq   s0, t0, 8f
    call  rec_of
    lw    t0, CR_USED(a0)
    beqz  t0, 8f
    lw    t0, CR_SWAPPED(a0)
    bnez  t0, 8f
    mv    a0, s0                  # nor a client with a backup (M23: the hypervisor refuses, ftol.s)
    call  fq
    bnez  a0, 7f
    la    t0, fq_buf
    lw    t0, FQ_BACKUP(t0)
    bgez  t0, 8f
7:  mv    a0, s0
    call  query
    bnez  a0, 8f
    la    t0, qbuf
    lw    t1, Q_STATE(t0)
    li    t2, 1
    bne   t1, t2, 8f
    lw    a0, Q_MEM(t0)
    leave 2
8:  li    a0, 0
    leave 2

# mem_room(a0 = bytes wanted, a1 = bytes free, a2 = the partition the memory is for) -> a0 = 0 when
# it swapped the longest-idle candidate out (and said so: look again), -1 when it did nothing (swap
# auto off, no candidate, or not enough even with every candidate out).
mem_room:
    enter 7
    mv    s0, a0
    mv    s1, a1
    mv    s6, a2
    lwg   t0, swap_auto
    beqz  t0, 8f
    li    s2, 0                   # s2 = the longest-idle candidate (0: none yet)
    li    s3, 0                   # s3 = its idle microseconds
    mv    s4, s1                  # s4 = free + every candidate's memory
    li    s5, 1
1:  li    t0, MAX_PARTS
    bgeu  s5, t0, 5f
    mv    a0, s5
    mv    a1, s6
    call  swap_candidate
    beqz  a0, 4f
    add   s4, s4, a0
    mv    a0, s5
    call  hc_idle
    bltz  a0, 4f
    beqz  s2, 3f
    bleu  a0, s3, 4f
3:  mv    s2, s5
    mv    s3, a0
4:  addi  s5, s5, 1
    j     1b
5:  beqz  s2, 8f
    bltu  s4, s0, 8f              # swapping them all would not be enough: touch nothing
    mv    a0, s2
    call  swap_out_id
    bnez  a0, 8f
    mv    a0, s2
    call  part_label
    mv    a2, a0
    mv    a1, s2
    fmt   "ctl: swapped out %u (%s, idle "
    call  kprintf
    mv    a0, s3
    call  put_idle
    print ") to make room for "
    mv    a0, s6
    call  part_label
    mv    a2, a0
    mv    a1, s6
    fmt   "%u (%s): "
    call  kprintf
    mv    a0, s0
    call  put_size
    print " wanted, "
    mv    a0, s1
    call  put_size
    print " were free (swap auto off turns this off)\n"
    li    a0, 0
    leave 7
8:  li    a0, -1
    leave 7

# put_idle(a0 = microseconds): "850 ms" below a second, else "12.3 s".
put_idle:
    enter
    li    t0, 1000000
    bgeu  a0, t0, 1f
    li    t0, 1000
    divu  a1, a0, t0
    fmt   "%u ms"
    call  kprintf
    leave
1:  divu  a1, a0, t0
    remu  a2, a0, t0
    li    t0, 100000
    divu  a2, a2, t0
    fmt   "%u.%u s"
    call  kprintf
    leave

# swap_notice(a0 = the notice's word, a1 = its partition, a2 = the rest): `input ID WHAT` (input
# came for a swapped-out guest): with swap auto on, bring it back when ctl swapped it out.
swap_notice:
    enter 2
    mv    s0, a1
    mv    s1, a2
    la    a1, s_w_input
    call  strcmp
    bnez  a0, 9f
    li    t0, MAX_PARTS
    bgeu  s0, t0, 9f
    mv    a0, s0
    call  rec_of
    lw    t0, CR_SWAPPED(a0)
    beqz  t0, 9f
    mv    a0, s0
    call  part_label
    mv    a2, a0
    mv    a1, s0
    mv    a3, s1
    lwg   t0, swap_auto
    bnez  t0, 1f
    fmt   "ctl: %u (%s) has %s input but stays swapped out: swap auto is off (swap %u in brings it back)\n"
    mv    a4, s0
    call  kprintf
    j     9f
1:  fmt   "ctl: %u (%s) has %s input: swapping it back in\n"
    call  kprintf
    mv    a1, s0
    fmt   "swap %u in"
    call  ctx_set
    mv    a0, s0
    call  swap_in_id
9:  leave 2

# res_swapped: res's line for the swap store ("8 MiB of 1 partition swapped out"), only when ctl has
# swapped a guest out; the sizes are ctl's records (CR_SWAPPED), what each guest had.
res_swapped:
    enter 2
    li    s0, 0                   # bytes
    li    s1, 0                   # partitions
    li    t3, 1
1:  li    t0, MAX_PARTS
    bgeu  t3, t0, 2f
    mv    a0, t3
    call  rec_of                  # touches a0 and t0 only
    lw    t1, CR_SWAPPED(a0)
    beqz  t1, 11f
    add   s0, s0, t1
    addi  s1, s1, 1
11: addi  t3, t3, 1
    j     1b
2:  beqz  s1, 9f
    print "         "
    mv    a0, s0
    call  put_size
    mv    a1, s1
    la    a2, str_s
    li    t0, 1
    bne   s1, t0, 3f
    la    a2, str_empty
3:  fmt   " of %u partition%s swapped out (swap ID in brings it back)\n"
    call  kprintf
9:  leave 2

# state_name(a0 = id) -> a0 = its state's name as part_query says it ("?" when it cannot).
state_name:
    enter
    call  query
    la    t1, s_state_unknown
    bnez  a0, 1f
    la    t0, qbuf
    lw    t0, Q_STATE(t0)
    li    t2, Q_NSTATES
    bgeu  t0, t2, 1f
    slli  t0, t0, 2
    la    t2, part_states
    add   t2, t2, t0
    lw    t1, 0(t2)
1:  mv    a0, t1
    leave

.section rodata
s_w_out:          .asciz "out"
s_w_auto:         .asciz "auto"
s_w_on:           .asciz "on"
s_w_off:          .asciz "off"
s_w_input:        .asciz "input"
s_w_in:           .asciz "in"
s_part_swap_out:  .asciz "part_swap_out"
s_part_swap_in:   .asciz "part_swap_in"
u_swap:           .asciz "swap ID out|in, swap auto [on|off]"
.text
