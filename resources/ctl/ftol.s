# ftol.s: fault tolerance (M23; docs/fault-tolerance.md, docs/guests.md#ctl-the-controlling-os). The
# mechanism is the hypervisor's (ft_on pairs a client with a backup partition that follows it epoch
# by epoch and takes over when `fail` stops it; ft_query says how far behind it is); ctl decides whom
# to pair, gives the backup its memory (from the top of ctl's memory, as for any partition) and its
# id (the highest one free), and says what happened.

.equ FQ_BACKUP,   0                       # ft_query's 32-byte answer (docs/fault-tolerance.md#ft_query)
.equ FQ_EPOCH,    4
.equ FQ_LAG,      8
.equ FQ_HELD,     12
.equ FQ_FRAMES,   16
.equ FQ_PAGES,    20
.equ FQ_TAKEOVER, 24
.equ FQ_PCPU,     28

.bss
.align 4
fq_buf:          .space 32

.text

# ft                list the pairs and the last takeover
# ft ID on|off      give ID a backup, or take it away
cmd_ftol:
    enter 5
    call  split
    beqz  a0, 20f
    li    t0, 2
    bne   a0, t0, 8f
    arg   a0, 0
    li    a1, 1
    call  check_id
    bltz  a0, 9f
    mv    s0, a0
    arg   a1, 1
    la    a0, s_on
    call  strcmp
    mv    s1, a0                  # s1 = 0: on
    beqz  s1, 1f
    arg   a1, 1
    la    a0, s_off
    call  strcmp
    bnez  a0, 8f
1:  arg   a2, 1
    mv    a1, s0
    fmt   "ft %u %s"
    call  ctx_set
    bnez  s0, 2f
    call  fail_begin
    print "ctl cannot have a backup: it is the one that pairs the others (and its failure is the machine's)"
    li    a0, HV_EINVAL
    call  fail_end
    j     9f
2:  mv    a0, s0
    call  known
    bnez  a0, 9f
    bnez  s1, 30f                 # off
    # ---- on: a running one-vCPU client, memory as much as it has, the highest free id
    mv    a0, s0
    call  query
    bnez  a0, 7f
    la    t0, qbuf
    lw    t1, Q_STATE(t0)
    li    t2, 1
    beq   t1, t2, 3f
    call  fail_begin
    mv    a0, s0
    call  state_name
    mv    a2, a0
    mv    a1, s0
    fmt   "%u is %s: a backup follows a running client"
    call  kprintf
    li    a0, HV_EBUSY
    call  fail_end
    j     9f
3:  lw    t1, Q_VCPUS(t0)
    li    t2, 1
    beq   t1, t2, 4f
    call  fail_begin
    la    t0, qbuf
    lw    a2, Q_VCPUS(t0)
    mv    a1, s0
    fmt   "%u has %u vCPUs: a backup follows a one-vCPU client only"
    call  kprintf
    li    a0, HV_EINVAL
    call  fail_end
    j     9f
4:  lw    s2, Q_MEM(t0)           # s2 = its size
    mv    a0, s0
    call  fq
    bnez  a0, 5f                  # no pair
    la    t0, fq_buf
    lw    t1, FQ_BACKUP(t0)
    bltz  t1, 5f                  # only a takeover of old
    call  fail_begin
    la    t0, fq_buf
    lw    a2, FQ_BACKUP(t0)
    mv    a1, s0
    fmt   "%u already has a backup (%u): ft lists the pairs"
    call  kprintf
    li    a0, HV_EBUSY
    call  fail_end
    j     9f
5:  li    s3, MAX_PARTS - 1       # s3 = the backup's id: the highest free one
51: beqz  s3, 52f
    mv    a0, s3
    call  rec_of
    lw    t0, CR_USED(a0)
    bnez  t0, 53f
    mv    a0, s3
    call  query
    li    t0, HV_ENOENT
    beq   a0, t0, 54f
53: addi  s3, s3, -1
    j     51b
52: call  fail_begin
    print "no partition id is free for the backup"
    li    a0, HV_EBUSY
    call  fail_end
    j     9f
54: mv    a0, s2
    mv    a1, s0                  # (swap auto never makes room by swapping the primary itself out)
    call  mem_take                # ENOMEM, reported with the sizes, when ctl has not that much
    bltz  a0, 9f
    mv    s4, a0
    mv    a0, s0
    mv    a1, s4
    mv    a2, s2
    mv    a3, s3
    call  hc_ft_on
    bltz  a0, 6f
    mv    a0, s0
    call  fq
    mv    a0, s0
    call  part_label
    mv    a2, a0
    mv    a1, s0
    mv    a3, s3
    la    t0, fq_buf
    lw    a4, FQ_PCPU(t0)
    fmt   "ctl: %u (%s) has a backup: %u on pCPU %u, brought to each epoch the primary ends; its output leaves once the backup has that epoch\n"
    call  kprintf
    li    a0, 0
    j     9f
6:  la    a1, s_ft_on
    call  fail_hv
    j     9f
    # ---- off
30: mv    a0, s0
    call  hc_ft_off
    bnez  a0, 31f
    mv    a0, s0
    call  part_label
    mv    a2, a0
    mv    a1, s0
    fmt   "ctl: %u (%s) has no backup any more; its memory came back to ctl\n"
    call  kprintf
    li    a0, 0
    j     9f
31: li    t0, HV_ENOENT
    bne   a0, t0, 32f
    call  fail_begin
    mv    a1, s0
    fmt   "%u has no backup (ft %u on gives it one)"
    mv    a2, s0
    call  kprintf
    li    a0, HV_ENOENT
    call  fail_end
    j     9f
32: la    a1, s_ft_off
    call  fail_hv
    j     9f
    # ---- the list
20: li    s0, 1
    li    s1, 0                   # s1 = lines
21: li    t0, MAX_PARTS
    bgeu  s0, t0, 25f
    mv    a0, s0
    call  fq
    bnez  a0, 24f
    addi  s1, s1, 1
    mv    a0, s0
    call  part_label
    mv    s2, a0
    la    s3, fq_buf
    lw    t0, FQ_BACKUP(s3)
    bltz  t0, 22f
    mv    a1, s0
    mv    a2, s2
    lw    a3, FQ_BACKUP(s3)
    lw    a4, FQ_PCPU(s3)
    lw    a5, FQ_EPOCH(s3)
    lw    a6, FQ_LAG(s3)
    fmt   "ft: %u (%s) backup %u on pCPU %u: epoch %u, %u instructions ahead of it, "
    call  kprintf
    lw    a1, FQ_HELD(s3)
    lw    a2, FQ_FRAMES(s3)
    lw    a3, FQ_PAGES(s3)
    fmt   "%u bytes and %u frames held, %u pages copied at the last epoch\n"
    call  kprintf
22: lw    t0, FQ_TAKEOVER(s3)
    bltz  t0, 24f
    mv    a1, s0
    mv    a2, s2
    lw    a3, FQ_PCPU(s3)
    lw    a4, FQ_TAKEOVER(s3)
    fmt   "ft: %u (%s) was taken over by its backup (now on pCPU %u) in %u cycles\n"
    call  kprintf
24: addi  s0, s0, 1
    j     21b
25: bnez  s1, 26f
    print "ft: no client has a backup (ft ID on gives one)\n"
26: li    a0, 0
    j     9f
7:  la    a1, s_part_query
    call  fail_hv
    j     9f
8:  la    a0, u_ftol
    call  usage
9:  leave 5

# fq(a0 = id) -> a0 = ft_query's result; fq_buf holds the answer when it is 0.
fq:
    la    a1, fq_buf
    j     hc_ft_query

.data
s_c_ftol:       .asciz "ft"
s_on:           .asciz "on"
s_off:          .asciz "off"
s_ft_on:        .asciz "ft_on"
s_ft_off:       .asciz "ft_off"
u_ftol:         .asciz "ft [ID on|off]"
.text
