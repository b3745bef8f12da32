# swap.s: swapping whole guests (M17; docs/hypercalls.md#control-api-partition-0-only,
# docs/guests.md#ctl-the-controlling-os). The mechanism is the hypervisor's (part_swap_out copies the
# guest to its swap store and appends its memory to ctl's end; part_swap_in takes memory of the same
# size from ctl at an address ctl names). The policy is here: which guest, when, and where its memory
# comes back from (the top of ctl's memory, like every other grant: image.s).
#
# ctl remembers the size a guest had when it went out (CR_SWAPPED), because part_query of a swapped
# guest says it has no memory.

.text

# swap ID out|in
cmd_swap:
    enter 3
    call  split
    li    t0, 2
    bne   a0, t0, 8f
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
    beqz  s2, 20f
    # ---- out: the guest (running or stopped) and all its memory go to the swap store
    mv    a0, s0
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
    mv    a0, s0
    call  part_label
    mv    a2, a0
    mv    a1, s0
    fmt   "ctl: swapped out %u (%s): "
    call  kprintf
    mv    a0, s1
    call  put_size
    print " back to ctl, the guest kept in the swap store\n"
    li    a0, 0
    j     9f
    # ---- in: memory of the size it had, from the top of ctl's memory; it resumes where it was
20: mv    a0, s0
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
    j     9f
8:  la    a0, u_swap
    call  usage
9:  leave 3

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
s_w_in:           .asciz "in"
s_part_swap_out:  .asciz "part_swap_out"
s_part_swap_in:   .asciz "part_swap_in"
u_swap:           .asciz "swap ID out|in"
.text
