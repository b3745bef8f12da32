# devs.s: devices as subtrees (M5) and taking vCPUs and devices back (M21, M18 dynamic
# reassignment; docs/hypercalls.md#device-subtrees, #hot-add-and-remove).
#
# ctl's device records mirror the hypervisor's ownership: a controller (blkctl, netctl) is owned by
# nobody (-1) until it is given whole, and then everything under it goes with it; when one device
# under an owned controller moves, that controller is nobody's again. `remove ID cpu` and
# `remove ID dev DEVICE` take a vCPU or a device back: at once from a partition that is not
# running, by asking a running one (a notice), which agrees (ctl hears `cpu-released`,
# `dev-released` and updates its records here) or refuses (a message).

.text

# dev_under(a0 = record, a1 = record of a possible ancestor) -> a0 = 1 when a0's node lies under a1's.
dev_under:
    lw    t0, DV_NODE(a0)
    lw    t1, DV_NODE(a1)
    lwg   t2, nodes
1:  slli  t3, t0, 5
    add   t3, t2, t3
    lw    t0, N_PARENT(t3)
    bltz  t0, 2f
    beq   t0, t1, 3f
    j     1b
2:  li    a0, 0
    ret
3:  li    a0, 1
    ret

# dev_owner_set(a0 = record, a1 = owner): what the hypervisor did on a move. The device and all under
# it go to the owner; a controller above it no longer has its whole subtree in one hand: nobody's.
dev_owner_set:
    enter 4
    mv    s0, a0
    mv    s1, a1
    sw    s1, DV_OWNER(s0)
    la    s2, devs
    lwg   s3, ndevs
1:  beqz  s3, 9f
    mv    a0, s2
    mv    a1, s0
    call  dev_under
    beqz  a0, 2f
    sw    s1, DV_OWNER(s2)
    j     3f
2:  mv    a0, s0
    mv    a1, s2
    call  dev_under
    beqz  a0, 3f
    li    t0, -1
    sw    t0, DV_OWNER(s2)
3:  addi  s2, s2, DV_SIZE
    addi  s3, s3, -1
    j     1b
9:  leave 4

# dev_ctl_keeps(a0 = record) -> a0 = the record of what ctl keeps in its subtree (itself or a device
# under it: console, boot disk, power), a1 = what ctl uses it for, in words; or a0 = 0.
dev_ctl_keeps:
    enter 4
    mv    s0, a0
    call  dev_role
    beqz  a0, 1f
    mv    a0, s0
    j     9f
1:  la    s1, devs
    lwg   s2, ndevs
2:  beqz  s2, 8f
    mv    a0, s1
    mv    a1, s0
    call  dev_under
    beqz  a0, 3f
    mv    a0, s1
    call  dev_role
    beqz  a0, 3f
    mv    a0, s1
    j     9f
3:  addi  s1, s1, DV_SIZE
    addi  s2, s2, -1
    j     2b
8:  li    a0, 0
9:  leave 4

# running(a0 = id) -> a0 = 1 when the hypervisor says the partition runs.
running:
    enter
    call  query
    bnez  a0, 1f
    la    t0, qbuf
    lw    t0, Q_STATE(t0)
    addi  t0, t0, -1
    seqz  a0, t0
    leave
1:  li    a0, 0
    leave

# move_busy(a0 = record, a1 = the partition it was to go to) -> a0 = EBUSY (reported): the
# hypervisor refused because a running partition holds it, or because the partition it goes to runs
# with a virtual device at that address (docs/hypercalls.md#hot-add-and-remove).
move_busy:
    enter 4
    mv    s0, a0
    mv    s1, a1
    lw    s2, DV_OWNER(s0)
    blez  s2, 1f
    mv    a0, s2
    call  running
    beqz  a0, 1f
    mv    a0, s2
    call  part_label
    mv    s3, a0
    call  fail_begin
    lw    a1, DV_NAME(s0)
    mv    a2, s2
    mv    a3, s3
    mv    a4, s2
    lw    a5, DV_NAME(s0)
    fmt   "%s belongs to %u (%s), which runs: ask for it (remove %u dev %s) or stop it first"
    call  kprintf
    j     8f
1:  mv    a0, s1
    call  part_label
    mv    s3, a0
    call  fail_begin
    mv    a1, s1
    mv    a2, s3
    lw    a3, DV_NAME(s0)
    fmt   "%u (%s) runs with a virtual device where %s would go: stop it first"
    call  kprintf
8:  li    a0, HV_EBUSY
    call  fail_end
    leave 4

# remove ID cpu | remove ID dev DEVICE
cmd_remove:
    enter 3
    call  split
    li    t0, 2
    blt   a0, t0, 8f
    li    t0, 3
    bgt   a0, t0, 8f
    mv    s2, a0
    arg   a0, 0
    li    a1, 0
    call  check_id
    bltz  a0, 9f
    mv    s0, a0
    call  known
    bnez  a0, 9f
    mv    a1, s0
    arg   a2, 1
    fmt   "remove %u %s"
    call  ctx_set
    arg   a0, 1
    la    a1, s_a_cpu
    call  strcmp
    beqz  a0, 1f
    arg   a0, 1
    la    a1, s_a_dev
    call  strcmp
    bnez  a0, 8f
    li    t0, 3
    bne   s2, t0, 8f
    arg   a0, 2
    mv    a1, s0
    call  remove_dev
    j     9f
1:  li    t0, 2
    bne   s2, t0, 8f
    mv    a0, s0
    call  remove_cpu
    j     9f
8:  la    a0, u_remove
    call  usage
9:  leave 3

# remove_cpu(a0 = id) -> a0 = 0 or an error (reported): its highest vCPU, never its last.
remove_cpu:
    enter 4
    mv    s0, a0
    call  query
    beqz  a0, 1f
    la    a1, s_part_query
    call  fail_hv
    j     9f
1:  la    t0, qbuf
    lw    s1, Q_VCPUS(t0)
    lw    s2, Q_STATE(t0)
    mv    a0, s0
    call  part_label
    mv    s3, a0
    li    t0, 1
    bgtu  s1, t0, 2f
    call  fail_begin
    mv    a1, s0
    mv    a2, s3
    fmt   "%u (%s) has one vCPU: the last one is never removed"
    call  kprintf
    li    a0, HV_EINVAL
    call  fail_end
    j     9f
2:  mv    a0, s0
    call  hc_remove_cpu
    beqz  a0, 3f
    la    a1, s_part_remove_cpu
    call  fail_hv
    j     9f
3:  li    t0, 1
    bne   s2, t0, 4f
    mv    a1, s0
    mv    a2, s3
    addi  a3, s1, -1
    fmt   "ctl: asked %u (%s) to give back vCPU %u (it agrees with cpu_release: a notice `cpu-released`; or it refuses)\n"
    call  kprintf
    j     8f
4:  addi  a1, s1, -1
    mv    a2, s0
    mv    a3, s3
    fmt   "ctl: vCPU %u of %u (%s) removed\n"
    call  kprintf
    mv    a0, s0
    call  pins_drop
8:  li    a0, 0
9:  leave 4

# pins_drop(a0 = id): its highest vCPU is gone.
pins_drop:
    enter
    call  rec_of
    lw    t0, CR_NVCPU(a0)
    beqz  t0, 1f
    addi  t0, t0, -1
    sw    t0, CR_NVCPU(a0)
1:  leave

# remove_dev(a0 = device name, a1 = id) -> a0 = 0 or an error (reported).
remove_dev:
    enter 5
    mv    s0, a0
    mv    s1, a1
    mv    a0, s1
    call  part_label
    mv    s4, a0
    mv    a0, s0
    call  dev_find
    bnez  a0, 1f
    call  fail_begin
    mv    a1, s0
    fmt   "no device '%s' (res lists them)"
    call  kprintf
    li    a0, HV_ENOENT
    call  fail_end
    j     9f
1:  mv    s2, a0
    lw    t0, DV_OWNER(s2)
    beq   t0, s1, 2f
    call  fail_begin
    mv    a1, s0
    mv    a2, s1
    mv    a3, s4
    fmt   "%s is not %u (%s)'s (res lists who owns what)"
    call  kprintf
    li    a0, HV_ENOENT
    call  fail_end
    j     9f
2:  mv    a0, s1
    call  running
    mv    s3, a0
    mv    a0, s1
    mv    a1, s0
    call  hc_remove_dev
    beqz  a0, 3f
    la    a1, s_part_remove_dev
    call  fail_hv
    j     9f
3:  beqz  s3, 4f
    mv    a1, s1
    mv    a2, s4
    mv    a3, s0
    fmt   "ctl: asked %u (%s) to give back %s (it agrees with dev_release: a notice `dev-released`; or it refuses)\n"
    call  kprintf
    j     8f
4:  mv    a0, s2
    li    a1, 0
    call  dev_owner_set
    mv    a1, s0
    mv    a2, s1
    mv    a3, s4
    fmt   "ctl: %s back from %u (%s)\n"
    call  kprintf
8:  li    a0, 0
9:  leave 5

# devs_notice(a0 = the notice's word, a1 = partition, a2 = the rest): a client agreed to give a device
# or a vCPU back (ctl's records follow), or asked for a device (M18): ctl's policy gives it when it
# is ctl's and not one ctl keeps (move_dev: hot-plugged into the running client), else says why.
devs_notice:
    enter 3
    mv    s0, a0
    mv    s1, a1
    mv    s2, a2
    la    a1, s_n_dev_released
    call  strcmp
    bnez  a0, 1f
    mv    a0, s2
    call  dev_find
    beqz  a0, 9f
    li    a1, 0
    call  dev_owner_set
    j     9f
1:  mv    a0, s0
    la    a1, s_n_cpu_released
    call  strcmp
    bnez  a0, 2f
    mv    a0, s1
    call  pins_drop
    j     9f
2:  mv    a0, s0                  # `request ID dev DEVICE`: ctl's policy gives what it can spare
    la    a1, s_n_request
    call  strcmp
    bnez  a0, 9f
    mv    a0, s2
    la    a1, s_n_dev
    call  word_is
    beqz  a0, 9f
    mv    s2, a0                  # the device
    mv    a1, s1
    mv    a2, s2
    fmt   "%u asked for %s"
    call  ctx_set                 # what a refusal names
    mv    a0, s2
    mv    a1, s1
    call  move_dev                # says what it did, or why not
9:  leave 3

# lp_serve(a0 = the sender of msg_buf's text, which waits for a reply) -> a0 = 1 when it was a
# call to ctl's printer: `lp TEXT` (M18, remote use: a device ctl owns, its console, served to the
# other partitions over messages). ctl prints the line as `lp ID (NAME): TEXT` and answers
# `ok BYTES`. Anything else: a0 = 0 (the message is shown and kept as before).
lp_serve:
    enter 3
    mv    s0, a0
    la    a0, msg_buf
    la    a1, s_lp
    call  word_is
    beqz  a0, 8f
    mv    s1, a0                  # the text to print
    mv    a0, s0
    call  part_label
    mv    a2, a0
    mv    a1, s0
    mv    a3, s1
    fmt   "\nlp %u (%s): %s\n"
    call  kprintf
    mv    a0, s1
    call  strlen
    mv    s2, a0
    la    a0, lp_reply            # "ok BYTES", through the capture of kprintf (chan.s)
    li    a1, 32
    call  cap_start
    mv    a1, s2
    fmt   "ok %u"
    call  kprintf
    call  cap_stop
    la    a0, lp_reply
    call  strlen
    mv    a2, a0
    mv    a0, s0
    la    a1, lp_reply
    call  hc_msg_reply
    li    a0, 1
    leave 3
8:  li    a0, 0
    leave 3

.section rodata
s_lp:               .asciz "lp "
s_c_remove:         .asciz "remove"
u_remove:           .asciz "remove ID cpu | remove ID dev DEVICE"
s_part_remove_cpu:  .asciz "part_remove_cpu"
s_part_remove_dev:  .asciz "part_remove_dev"
s_n_dev_released:   .asciz "dev-released"
s_n_cpu_released:   .asciz "cpu-released"
s_n_request:        .asciz "request"
s_n_dev:            .asciz "dev "
.text
