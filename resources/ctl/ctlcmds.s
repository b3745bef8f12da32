# ctlcmds.s: the control commands (docs/guests.md#shell-1). Each gets a0 = its argument string and
# returns its status: 0, or the error it reported.

.text

# split(a0 = text) -> a0 = the number of words; argv holds the first ARGV_MAX of them, each
# NUL-terminated in place.
split:
    enter 1
    li    s0, 0
1:  call  skip_spaces
    lbu   t0, 0(a0)
    beqz  t0, 3f
    li    t1, ARGV_MAX
    bgeu  s0, t1, 2f
    slli  t1, s0, 2
    la    t2, argv
    add   t1, t2, t1
    sw    a0, 0(t1)
2:  addi  s0, s0, 1
    call  cut_word
    j     1b
3:  mv    a0, s0
    leave 1

# arg(N) -> a0 = word N of the last split
.macro arg rd, n
    la    \rd, argv
    lw    \rd, 4 * \n(\rd)
.endm

# ---------------------------------------------------------------- help

cmd_ctl_help:
    enter
    print "ctl commands (the Controlling OS: every policy of the hypervisor is here):\n"
    print "  parts                      partitions: id, name, state, memory, vCPUs, counters\n"
    print "  res                        resources: ctl's free memory, pCPUs, devices\n"
    print "  oses                       the bootable disk partitions (OS images)\n"
    print "  create ID NAME             a new, empty partition (ID 1..63)\n"
    print "  assign ID mem SIZE         memory (like 8M or 512K): given with its OS image, or added\n"
    print "  assign ID cpu N            a vCPU pinned to pCPU N\n"
    print "  assign ID dev DEVICE       a device (with its subtree), e.g. uart1\n"
    print "  assign ID disk N           its virtual disk may use disk partition N\n"
    print "  load ID OS [SIZE]          OS's image into SIZE (default 4M) of fresh memory for ID\n"
    print "  start ID [OS [SIZE]]       start it (creating and loading it first when OS is given)\n"
    print "  stop ID                    stop it (it keeps its memory)\n"
    print "  restart ID                 stop it and start it again at its entry\n"
    print "  destroy ID                 its memory and devices come back to ctl\n"
    print "  resize ID +SIZE|-SIZE      give it more memory, or ask it to give some back\n"
    print "  policy ID restart|stop     when it faults: restart it (3 times in a row at most) or not\n"
    print "  technique ID paravirtual|hardware|trap-emulate   how it is virtualized from its next start\n"
    print "  swap ID out|in             the whole guest to the swap store (its memory back to ctl), or back\n"
    print "  swap auto [on|off]         memory short: swap the longest-idle client out; input brings it back\n"
    print "  export disk N [rw] | none  serve disk0 partition N to the clients over messages (cos: remote disk)\n"
    print "  prefer ID|none             the preferred guest: a hypervisor crash keeps it, loses the others\n"
    print "  fault KIND ID              inject a fault: kernel, irqoff, wild, dma, fail, diskerr\n"
    print "  fault crash                crash the hypervisor (the preferred guest survives it)\n"
    print "  fail ID                    its processor fails (fail-stop), as fault fail ID\n"
    print "  ft ID on|off               a backup partition that takes over when ID fails (M23)\n"
    print "  ft                         the pairs: epoch, lag, held output, the last takeover\n"
    print "  move DEVICE ID             give a device (a controller: with all under it) to a partition\n"
    print "  remove ID cpu|dev DEVICE   take a vCPU or a device back (a running guest is asked)\n"
    print "  sched ID WEIGHT [SLICE_US] its share of a pCPU: weight 1..100, time slice in us\n"
    print "  msg ID TEXT                send a message to a partition\n"
    print "  inbox                      the messages and notices ctl received (the last 8)\n"
    print "  net                        the virtual network: each client's port and the bridge's counters\n"
    print "  @TAG COMMAND               answer in tagged lines, ending with @TAG ok or @TAG err\n"
    call  cmd_help                # cos's commands, under ctl's own heading (os_help_head)
    li    a0, 0
    leave

# ---------------------------------------------------------------- parts

cmd_parts:
    enter 3
    lwg   t0, tagged
    bnez  t0, 1f
    print "  ID NAME            STATE       MEMORY VCPUS DEVS WEIGHT   HCALLS     MMIO     IRQS SWITCHES    INSTRET EXIT\n"
1:  li    s0, 0
2:  li    t0, MAX_PARTS
    bgeu  s0, t0, 8f
    mv    a0, s0
    call  query
    li    t0, HV_ENOENT
    beq   a0, t0, 7f
    bnez  a0, 6f
    la    s1, qbuf
    lw    t0, Q_STATE(s1)
    la    s2, s_state_unknown
    li    t1, Q_NSTATES
    bgeu  t0, t1, 3f
    slli  t0, t0, 2
    la    t1, part_states
    add   t1, t1, t0
    lw    s2, 0(t1)
3:  lwg   t0, tagged
    bnez  t0, 4f
    lw    a0, Q_MEM(s1)
    call  fmt_size
    mv    a4, a0
    mv    a1, s0
    addi  a2, s1, Q_NAME
    mv    a3, s2
    lw    a5, Q_VCPUS(s1)
    lw    a6, Q_DEVS(s1)
    lw    a7, Q_WEIGHT(s1)
    fmt   "%4u %-15s %-8s %9s %5u %4u %6u "
    call  kprintf
    lw    a1, Q_HCALLS(s1)
    lw    a2, Q_MMIO(s1)
    lw    a3, Q_IRQS(s1)
    lw    a4, Q_SWITCHES(s1)
    lw    a5, Q_INSTRET(s1)
    lw    a6, Q_EXIT(s1)
    fmt   "%8u %8u %8u %8u %10u %4d"
    call  kprintf
    call  parts_emulated
    j     7f
4:  mv    a1, s0
    addi  a2, s1, Q_NAME
    mv    a3, s2
    lw    a4, Q_MEM(s1)
    lw    a5, Q_VCPUS(s1)
    lw    a6, Q_DEVS(s1)
    lw    a7, Q_WEIGHT(s1)
    fmt   "part id=%u name=%s state=%s mem=%u vcpus=%u devs=%u weight=%u"
    call  kprintf
    lw    a1, Q_HCALLS(s1)
    lw    a2, Q_MMIO(s1)
    lw    a3, Q_IRQS(s1)
    lw    a4, Q_SWITCHES(s1)
    lw    a5, Q_INSTRET(s1)
    lw    a6, Q_EXIT(s1)
    fmt   " hypercalls=%u mmio=%u irqs=%u switches=%u instret=%u exit=%d"
    call  kprintf
    call  parts_emulated
7:  addi  s0, s0, 1
    j     2b
6:  mv    s1, a0
    mv    a1, s0
    fmt   "parts: %u"
    call  ctx_set
    mv    a0, s1
    la    a1, s_part_query
    call  fail_hv
    j     9f
8:  li    a0, 0
9:  leave 3

# parts_emulated(s1 = part_query's answer): the end of a `parts` row. Only trap-and-emulate has the
# hypervisor emulate instructions (M7, docs/hypercalls.md#virtualization-techniques), so a row
# gets their count only when there are some: "  trap-emulate: N emulated", or " emulated=N" tagged.
parts_emulated:
    enter 0
    lw    a1, Q_EMULATED(s1)
    beqz  a1, 2f
    lwg   t0, tagged
    bnez  t0, 1f
    fmt   "  trap-emulate: %u emulated"
    call  kprintf
    j     2f
1:  fmt   " emulated=%u"
    call  kprintf
2:  print "\n"
    leave 0

# fmt_size(a0 = bytes) -> a0 = "8 MiB" (a buffer valid until the next call). Not while a failure
# message is being composed (it captures output too).
fmt_size:
    enter 1
    mv    s0, a0
    la    a0, size_buf
    li    a1, SIZEBUF_MAX
    call  cap_start
    mv    a0, s0
    call  put_size
    call  cap_stop
    la    a0, size_buf
    leave 1

# ---------------------------------------------------------------- res

cmd_res:
    enter 6
    call  ctl_mem_top
    bgez  a0, 1f
    la    a1, s_part_query
    call  fail_hv
    j     99f
1:  mv    s0, a0                  # ctl's memory
    li    s1, 0                   # given to partitions
    li    s2, 0                   # partitions
    li    s3, 1
2:  li    t0, MAX_PARTS
    bgeu  s3, t0, 3f
    mv    a0, s3
    call  query
    bnez  a0, 21f
    la    t0, qbuf
    lw    t0, Q_MEM(t0)
    add   s1, s1, t0
    addi  s2, s2, 1
21: addi  s3, s3, 1
    j     2b
3:  li    s3, CTL_KEEP            # kept (less when ctl has less)
    bleu  s3, s0, 30f
    mv    s3, s0
30: sub   s4, s0, s3              # free for partitions
31: lwg   t0, tagged
    beqz  t0, 4f
    mv    a1, s0
    mv    a2, s3
    mv    a3, s4
    mv    a4, s1
    mv    a5, s2
    fmt   "mem ctl=%u keep=%u free=%u given=%u partitions=%u\n"
    call  kprintf
    j     5f
4:  print "memory:  ctl has "
    mv    a0, s0
    call  put_size
    print ": "
    mv    a0, s3
    call  put_size
    print " kept for itself, "
    mv    a0, s4
    call  put_size
    print " free for partitions"
    beqz  s4, 33f
    mv    a1, s3
    mv    a2, s0
    fmt   " (0x%08x..0x%08x)"
    call  kprintf
33: print "\n"
    print "         "
    mv    a0, s1
    call  put_size
    mv    a1, s2
    la    a2, str_s
    li    t0, 1
    bne   s2, t0, 32f
    la    a2, str_empty
32: fmt   " given to %u partition%s\n"
    call  kprintf
    call  res_swapped             # swap.s: what is in the swap store, when anything is
    lwg   a1, ncpu
    fmt   "pCPUs:   %u\n"
    call  kprintf
5:  li    s0, 0                   # each pCPU: who has vCPUs there
6:  lwg   t0, ncpu
    bgeu  s0, t0, 10f
    lwg   t0, tagged
    beqz  t0, 7f
    mv    a0, s0
    call  cpu_load
    mv    a2, a0
    mv    a1, s0
    fmt   "cpu n=%u vcpus=%u\n"
    call  kprintf
    j     9f
7:  mv    a1, s0
    fmt   "  pCPU %u: ctl"
    call  kprintf
    li    s1, 1
71: li    t0, MAX_PARTS
    bgeu  s1, t0, 8f
    mv    a0, s1
    call  rec_of
    lw    t0, CR_USED(a0)
    beqz  t0, 74f
    lw    t1, CR_NVCPU(a0)
    addi  t2, a0, CR_PINS
72: beqz  t1, 74f
    lbu   t3, 0(t2)
    beq   t3, s0, 73f
    addi  t2, t2, 1
    addi  t1, t1, -1
    j     72b
73: addi  a2, a0, CR_NAME
    mv    a1, s1
    fmt   ", %u %s"
    call  kprintf
74: addi  s1, s1, 1
    j     71b
8:  print "\n"
9:  addi  s0, s0, 1
    j     6b
10: lwg   t0, tagged
    bnez  t0, 11f
    print "devices:\n"
11: la    s0, devs
    lwg   s1, ndevs
12: beqz  s1, 98f
    mv    a0, s0
    call  dev_role
    mv    s2, a0
    mv    s5, a1
    lw    s3, DV_OWNER(s0)
    lw    t0, DV_KIND(s0)
    la    s4, kind_names
    slli  t0, t0, 2
    add   s4, s4, t0
    lw    s4, 0(s4)               # its kind's name (cos's table)
    lwg   t0, tagged
    beqz  t0, 13f
    lw    a1, DV_NAME(s0)
    mv    a2, s4
    mv    a3, s3
    fmt   "dev name=%s kind=%s owner=%d"
    call  kprintf
    beqz  s2, 121f
    mv    a1, s2
    fmt   " role=%s"
    call  kprintf
121:print "\n"
    j     16f
13: lw    t0, DV_KIND(s0)
    li    t1, KIND_INTC
    bne   t0, t1, 14f
    lw    a1, DV_NAME(s0)         # the interrupt controller is the hypervisor's: each partition
    mv    a2, s4                  # (ctl too) has a virtual one
    fmt   "  %-8s %-10s virtual: each partition has its own\n"
    call  kprintf
    j     16f
14: lw    a1, DV_NAME(s0)
    mv    a2, s4
    fmt   "  %-8s %-10s "
    call  kprintf
    li    t0, -1
    bne   s3, t0, 141f
    print "nobody (move gives it with all under it)\n"
    j     16f
141:bnez  s3, 15f
    print "ctl"
    beqz  s2, 151f
    mv    a1, s5
    fmt   " (its %s)"
    call  kprintf
    j     151f
15: mv    a0, s3
    call  part_label
    mv    a2, a0
    mv    a1, s3
    fmt   "%u (%s)"
    call  kprintf
151:print "\n"
16: addi  s0, s0, DV_SIZE
    addi  s1, s1, -1
    j     12b
98: li    a0, 0
99: leave 6

# ---------------------------------------------------------------- oses

cmd_oses:
    enter 4
    call  read_table
    bnez  a0, 9f
    la    t0, pt_buf
    lw    s1, PT_COUNT(t0)
    li    s0, 1
1:  bgtu  s0, s1, 8f
    mv    a0, s0
    call  pt_entry
    mv    s2, a0
    lw    t0, PE_FLAGS(s2)
    andi  t0, t0, 1
    beqz  t0, 7f
    mv    a0, s0
    call  read_header
    la    s3, hdr_buf
    lw    t0, 0(s3)
    li    t1, HDOS_MAGIC
    bnez  a0, 2f
    beq   t0, t1, 3f
2:  mv    a1, s0
    addi  a2, s2, PE_NAME
    fmt   "%u %-8s (no OS image header)\n"
    call  kprintf
    j     7f
3:  mv    a1, s0
    addi  a2, s2, PE_NAME
    addi  a3, s3, OSH_NAME
    lw    a4, OSH_LOAD(s3)
    lw    a5, OSH_ENTRY(s3)
    lw    a6, OSH_SIZE(s3)
    la    a7, s_cooperative
    lw    t0, OSH_FLAGS(s3)
    andi  t0, t0, OS_COOPERATIVE
    bnez  t0, 4f
    la    a7, s_shrinkwrapped
4:  fmt   "%u %-8s %-16s load 0x%08x entry 0x%08x %6u bytes, %s\n"
    call  kprintf
7:  addi  s0, s0, 1
    j     1b
8:  li    a0, 0
9:  leave 4

# ---------------------------------------------------------------- create, assign, load, start

# create ID NAME
cmd_create:
    enter 2
    call  split
    li    t0, 2
    bne   a0, t0, 8f
    arg   a0, 0
    li    a1, 0
    call  check_id
    bltz  a0, 9f
    mv    s0, a0
    mv    a1, s0
    fmt   "create %u"
    call  ctx_set
    mv    a0, s0
    arg   a1, 1
    call  part_new
    bnez  a0, 9f
    mv    a0, s0
    call  part_label
    mv    a2, a0
    mv    a1, s0
    fmt   "ctl: created %u (%s)\n"
    call  kprintf
    li    a0, 0
    j     9f
8:  la    a0, u_create
    call  usage
9:  leave 2

# assign ID mem SIZE | cpu N | dev DEVICE | disk N
cmd_assign:
    enter 3
    call  split
    li    t0, 3
    bne   a0, t0, 98f
    arg   a0, 0
    li    a1, 0
    call  check_id
    bltz  a0, 99f
    mv    s0, a0
    call  known
    bnez  a0, 99f
    mv    a1, s0
    arg   a2, 1
    arg   a3, 2
    fmt   "assign %u %s %s"
    call  ctx_set
    arg   s1, 1
    arg   s2, 2
    mv    a0, s1
    la    a1, s_a_mem
    call  strcmp
    beqz  a0, .mem
    mv    a0, s1
    la    a1, s_a_cpu
    call  strcmp
    beqz  a0, .cpu
    mv    a0, s1
    la    a1, s_a_dev
    call  strcmp
    beqz  a0, .dev
    mv    a0, s1
    la    a1, s_a_disk
    call  strcmp
    beqz  a0, .disk
    j     98f
.mem:
    mv    a0, s2
    call  parse_size
    bnez  a1, 1f
    mv    a0, s2
    call  bad_size
    j     99f
1:  mv    a1, a0
    mv    a0, s0
    call  give_more
    j     99f
.cpu:
    mv    a0, s2
    call  parse_uint
    beqz  a1, 2f
    lwg   t0, ncpu
    bgeu  a0, t0, 2f
    mv    s2, a0
    mv    a1, a0
    mv    a0, s0
    call  give_cpu
    bltz  a0, 99f
    mv    a3, a0
    mv    a0, s0
    call  part_label
    mv    a2, a0
    mv    a1, s0
    mv    a4, s2
    fmt   "ctl: %u (%s) has vCPU %u on pCPU %u\n"
    call  kprintf
    li    a0, 0
    j     99f
2:  call  fail_begin
    mv    a1, s2
    lwg   a2, ncpu
    addi  a2, a2, -1
    fmt   "'%s' is not a pCPU (0..%u)"
    call  kprintf
    li    a0, HV_EINVAL
    call  fail_end
    j     99f
.dev:
    mv    a0, s2
    mv    a1, s0
    call  move_dev
    j     99f
.disk:
    mv    a0, s2
    call  parse_uint
    beqz  a1, 98f
    mv    s2, a0
    lwg   a0, boot_disk
    bgez  a0, 3f
    call  fail_begin
    print "ctl has no boot disk"
    li    a0, HV_ENOENT
    call  fail_end
    j     99f
3:  call  node_name
    mv    a1, a0
    mv    a0, s0
    mv    a2, s2
    call  hc_grant_disk
    beqz  a0, 4f
    la    a1, s_part_grant_disk
    call  fail_hv
    j     99f
4:  mv    a0, s0
    call  part_label
    mv    a2, a0
    mv    a1, s0
    lwg   a0, boot_disk
    call  node_name
    mv    a3, a0
    mv    a4, s2
    fmt   "ctl: %u (%s) may use %s partition %u (from its next start)\n"
    call  kprintf
    li    a0, 0
    j     99f
98: la    a0, u_assign
    call  usage
99: leave 3

# give_more(a0 = id, a1 = bytes) -> a0 = 0 or an error (reported). A partition without memory
# gets it with its OS image (the image goes into its first memory): ctl plans it. Otherwise the
# memory is given now, from the top of ctl's.
give_more:
    enter 3
    mv    s0, a0
    mv    s1, a1
    call  query
    beqz  a0, 1f
    la    a1, s_part_query
    call  fail_hv
    j     9f
1:  la    t0, qbuf
    lw    t0, Q_MEM(t0)
    bnez  t0, 2f
    mv    a0, s0
    call  rec_of
    sw    s1, CR_PLAN(a0)
    mv    a0, s0
    call  part_label
    mv    a2, a0
    mv    a1, s0
    fmt   "ctl: %u (%s) will get "
    call  kprintf
    mv    a0, s1
    call  put_size
    print " with its OS image (load or start)\n"
    li    a0, 0
    j     9f
2:  mv    a0, s1
    mv    a1, s0
    call  mem_take
    bltz  a0, 9f
    mv    a1, a0
    mv    a0, s0
    mv    a2, s1
    call  hc_assign_mem
    beqz  a0, 3f
    la    a1, s_part_assign_mem
    call  fail_hv
    j     9f
3:  mv    a0, s0
    call  part_label
    mv    a2, a0
    mv    a1, s0
    fmt   "ctl: %u (%s) has "
    call  kprintf
    mv    a0, s0
    call  query
    la    t0, qbuf
    lw    a0, Q_MEM(t0)
    call  put_size
    print " now (+"
    mv    a0, s1
    call  put_size
    print "; a running guest gets a notice `mem-added` and may use it at once)\n"
    li    a0, 0
9:  leave 3

# move_dev(a0 = device name, a1 = id) -> a0 = 0 or an error (reported): part_assign_dev. ctl keeps
# what it needs itself: its console, its boot disk, the power switch (sysctl), and a controller
# with one of them under it. A controller goes with its whole subtree (M5); a running partition
# gets the device at once and a notice (M21).
move_dev:
    enter 5
    mv    s0, a0
    mv    s1, a1
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
    beqz  s1, 2f                  # back to ctl: the hypervisor decides
    call  dev_ctl_keeps
    beqz  a0, 2f
    mv    s3, a0
    mv    s4, a1
    call  fail_begin
    mv    a1, s0
    beq   s3, s2, 11f
    lw    a2, DV_NAME(s3)
    mv    a3, s4
    fmt   "%s holds %s, ctl's %s: ctl keeps it"
    call  kprintf
    j     12f
11: mv    a2, s4
    fmt   "%s is ctl's %s: ctl keeps it"
    call  kprintf
12: li    a0, HV_EBUSY
    call  fail_end
    j     9f
2:  mv    a0, s1
    mv    a1, s0
    call  hc_assign_dev
    beqz  a0, 3f
    li    t0, HV_EBUSY
    bne   a0, t0, 21f
    mv    a0, s2
    mv    a1, s1
    call  move_busy               # why, in words (devs.s)
    j     9f
21: la    a1, s_part_assign_dev
    call  fail_hv
    j     9f
3:  mv    a0, s2
    mv    a1, s1
    call  dev_owner_set
    mv    a0, s1
    call  part_label
    mv    s3, a0
    li    s4, 0
    beqz  s1, 4f
    mv    a0, s1
    call  running
    mv    s4, a0
4:  mv    a1, s0
    mv    a2, s1
    mv    a3, s3
    bnez  s4, 5f
    fmt   "ctl: %s moved to %u (%s) (from its next start)\n"
    call  kprintf
    j     6f
5:  fmt   "ctl: %s moved to %u (%s): hot-plugged, it gets a notice\n"
    call  kprintf
6:  li    a0, 0
9:  leave 5

# load ID OS [SIZE]
cmd_load:
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
    fmt   "load %u"
    call  ctx_set
    li    s1, 0
    li    t0, 3
    bne   s2, t0, 1f
    arg   a0, 2
    call  parse_size
    mv    s1, a0
    bnez  a1, 1f
    arg   a0, 2
    call  bad_size
    j     9f
1:  mv    a0, s0
    arg   a1, 1
    mv    a2, s1
    call  part_load
    bnez  a0, 9f
    mv    a0, s0
    call  say_loaded
    li    a0, 0
    j     9f
8:  la    a0, u_load
    call  usage
9:  leave 3

# say_loaded(a0 = id): "ctl: loaded cos 0.1 into 3 (cos): 4 MiB, entry 0x00100000, boot info"
say_loaded:
    enter 1
    mv    s0, a0
    call  part_label
    mv    a3, a0
    la    a1, hdr_buf + OSH_NAME
    mv    a2, s0
    fmt   "ctl: loaded %s into %u (%s): "
    call  kprintf
    mv    a0, s0
    call  query
    la    t0, qbuf
    lw    a0, Q_MEM(t0)
    call  put_size
    mv    a0, s0
    call  rec_of
    lw    a1, CR_ENTRY(a0)
    la    a2, s_with_bi
    lw    t0, CR_FLAGS(a0)
    bnez  t0, 1f
    la    a2, s_without_bi
1:  fmt   ", entry 0x%08x, %s\n"
    call  kprintf
    leave 1

# start ID [OS [SIZE]]
cmd_start:
    enter 4
    call  split
    li    t0, 1
    blt   a0, t0, 98f
    li    t0, 3
    bgt   a0, t0, 98f
    mv    s3, a0
    arg   a0, 0
    li    a1, 0
    call  check_id
    bltz  a0, 99f
    mv    s0, a0
    mv    a1, s0
    fmt   "start %u"
    call  ctx_set
    li    s1, 0                   # the OS asked for
    li    s2, 0                   # bytes
    li    t0, 2
    blt   s3, t0, 1f
    arg   s1, 1
    li    t0, 3
    bne   s3, t0, 1f
    arg   a0, 2
    call  parse_size
    mv    s2, a0
    bnez  a1, 1f
    arg   a0, 2
    call  bad_size
    j     99f
1:  mv    a0, s0
    call  rec_of
    lw    t0, CR_USED(a0)
    bnez  t0, 3f
    bnez  s1, 2f                  # a new partition, named after its OS
    call  fail_begin
    mv    a1, s0
    mv    a2, s0
    fmt   "no partition %u (create it, or start %u OS)"
    call  kprintf
    li    a0, HV_ENOENT
    call  fail_end
    j     99f
2:  mv    a0, s1
    call  os_find
    bltz  a0, 99f
    la    a0, name_tmp            # its name: the first word of its image's name
    la    a1, hdr_buf + OSH_NAME
    li    a2, NAME_MAX
    call  strncpy
    la    a0, name_tmp
    call  cut_word
    la    a0, name_tmp            # taken (say, a second cos): the id goes after it ("cos3")
    call  name_taken
    bltz  a0, 21f
    la    a0, name_tmp
    call  strlen
    li    t0, NAME_MAX - 2
    bleu  a0, t0, 22f
    mv    a0, t0
22: la    t0, name_tmp
    add   a0, t0, a0
    li    t1, 10
    divu  t2, s0, t1
    remu  t3, s0, t1
    beqz  t2, 23f
    addi  t2, t2, '0'
    sb    t2, 0(a0)
    addi  a0, a0, 1
23: addi  t3, t3, '0'
    sb    t3, 0(a0)
    sb    zero, 1(a0)
21: mv    a0, s0
    la    a1, name_tmp
    mv    a2, s1
    mv    a3, s2
    li    a4, -1
    call  part_build
    j     99f
3:  beqz  s1, 5f                  # a partition ctl knows: load first when an OS is given
    lw    t0, CR_LOADED(a0)
    beqz  t0, 4f
    call  fail_begin
    mv    a1, s0
    fmt   "%u has an OS already (restart it, or destroy it first)"
    call  kprintf
    li    a0, HV_EBUSY
    call  fail_end
    j     99f
4:  mv    a0, s0
    mv    a1, s1
    mv    a2, s2
    call  part_load
    bnez  a0, 99f
5:  mv    a0, s0
    call  part_go
    j     99f
98: la    a0, u_start
    call  usage
99: leave 4

# ---------------------------------------------------------------- stop, restart, destroy, resize

# one_id(a0 = arguments, a1 = usage text) -> a0 = the id of a partition ctl knows, or an error
# (reported); the context is set to "WORD ID" from the usage text's first word.
one_id:
    enter 2
    mv    s1, a1
    call  split
    li    t0, 1
    bne   a0, t0, 8f
    arg   a0, 0
    li    a1, 0
    call  check_id
    bltz  a0, 9f
    mv    s0, a0
    call  known
    bnez  a0, 9f
    la    a0, word_tmp            # the command's name, from its usage text
    mv    a1, s1
    li    a2, 15
    call  strncpy
    la    a0, word_tmp
    call  cut_word
    la    a1, word_tmp
    mv    a2, s0
    fmt   "%s %u"
    call  ctx_set
    mv    a0, s0
    j     9f
8:  mv    a0, s1
    call  usage
9:  leave 2

cmd_stop:
    enter 1
    la    a1, u_stop
    call  one_id
    bltz  a0, 9f
    mv    s0, a0
    call  hc_stop
    beqz  a0, 1f
    la    a1, s_part_stop
    call  fail_hv
    j     9f
1:  mv    a0, s0
    call  part_label
    mv    a2, a0
    mv    a1, s0
    fmt   "ctl: stopped %u (%s)\n"
    call  kprintf
    li    a0, 0
9:  leave 1

cmd_restart:
    enter 1
    la    a1, u_restart
    call  one_id
    bltz  a0, 9f
    mv    s0, a0
    call  hc_restart
    beqz  a0, 1f
    la    a1, s_part_restart
    call  fail_hv
    j     9f
1:  mv    a0, s0                  # a restart by hand: the fault policy counts again (monitor.s)
    call  rec_of
    sw    zero, CR_RESTARTS(a0)
    mv    a0, s0
    call  part_label
    mv    a2, a0
    mv    a1, s0
    fmt   "ctl: restarted %u (%s)\n"
    call  kprintf
    li    a0, 0
9:  leave 1

cmd_destroy:
    enter 2
    la    a1, u_destroy
    call  one_id
    bltz  a0, 9f
    mv    s0, a0
    call  query
    li    s1, 0
    bnez  a0, 1f
    la    t0, qbuf
    lw    s1, Q_MEM(t0)
1:  mv    a0, s0
    call  hc_destroy
    beqz  a0, 2f
    la    a1, s_part_destroy
    call  fail_hv
    j     9f
2:  mv    a0, s0                  # its name before ctl forgets it
    call  part_label
    mv    a1, a0
    la    a0, name_tmp
    li    a2, NAME_MAX
    call  strncpy
    mv    a0, s0
    call  forget
    mv    a1, s0
    la    a2, name_tmp
    fmt   "ctl: destroyed %u (%s): "
    call  kprintf
    mv    a0, s1
    call  put_size
    print " back to ctl\n"
    li    a0, 0
9:  leave 2

# resize ID +SIZE
cmd_resize:
    enter 2
    call  split
    li    t0, 2
    bne   a0, t0, 8f
    arg   a0, 0
    li    a1, 0
    call  check_id
    bltz  a0, 9f
    mv    s0, a0
    call  known
    bnez  a0, 9f
    mv    a1, s0
    arg   a2, 1
    fmt   "resize %u %s"
    call  ctx_set
    arg   s1, 1
    lbu   t0, 0(s1)
    li    t1, '+'
    beq   t0, t1, 1f
    li    t1, '-'
    bne   t0, t1, 8f
    addi  a0, s1, 1               # less: ask the guest (part_remove_mem); it agrees or refuses
    call  parse_size
    bnez  a1, 3f
    addi  a0, s1, 1
    call  bad_size
    j     9f
3:  mv    s1, a0
    mv    a1, a0
    mv    a0, s0
    call  hc_remove_mem
    beqz  a0, 4f
    la    a1, s_part_remove_mem
    call  fail_hv
    j     9f
4:  mv    a0, s0
    call  part_label
    mv    a2, a0
    mv    a1, s0
    fmt   "ctl: asked %u (%s) to give back "
    call  kprintf
    mv    a0, s1
    call  put_size
    print " (it agrees with mem_release: a notice `released`; or it refuses)\n"
    li    a0, 0
    j     9f
1:  addi  a0, s1, 1
    call  parse_size
    bnez  a1, 2f
    addi  a0, s1, 1
    call  bad_size
    j     9f
2:  mv    a1, a0
    mv    a0, s0
    call  give_more
    j     9f
8:  la    a0, u_resize
    call  usage
9:  leave 2

# move DEVICE ID
cmd_move:
    enter 1
    call  split
    li    t0, 2
    bne   a0, t0, 8f
    arg   a0, 1
    li    a1, 1
    call  check_id
    bltz  a0, 9f
    mv    s0, a0
    beqz  s0, 1f
    call  known
    bnez  a0, 9f
1:  arg   a1, 0
    mv    a2, s0
    fmt   "move %s %u"
    call  ctx_set
    arg   a0, 0
    mv    a1, s0
    call  move_dev
    j     9f
8:  la    a0, u_move
    call  usage
9:  leave 1

# sched ID WEIGHT [SLICE_US]
cmd_sched:
    enter 4
    call  split
    li    t0, 2
    blt   a0, t0, 8f
    li    t0, 3
    bgt   a0, t0, 8f
    mv    s3, a0
    arg   a0, 0
    li    a1, 1
    call  check_id
    bltz  a0, 9f
    mv    s0, a0
    mv    a1, s0
    fmt   "sched %u"
    call  ctx_set
    arg   a0, 1
    call  parse_uint
    beqz  a1, 8f
    mv    s1, a0
    li    s2, 0
    li    t0, 3
    bne   s3, t0, 1f
    arg   a0, 2
    call  parse_uint
    beqz  a1, 8f
    mv    s2, a0
1:  mv    a0, s0
    mv    a1, s1
    mv    a2, s2
    call  hc_sched
    beqz  a0, 2f
    la    a1, s_sched_set
    call  fail_hv
    j     9f
2:  mv    a0, s0
    call  part_label
    mv    a2, a0
    mv    a1, s0
    mv    a3, s1
    fmt   "ctl: %u (%s): weight %u, "
    call  kprintf
    mv    a1, s2
    fmt   "time slice %u us\n"
    bnez  s2, 3f
    fmt   "the default time slice\n"
3:  call  kprintf
    li    a0, 0
    j     9f
8:  la    a0, u_sched
    call  usage
9:  leave 4

# ---------------------------------------------------------------- messages, network

# msg ID TEXT
cmd_msg:
    enter 3
    call  skip_spaces
    mv    s0, a0
    call  cut_word                # s0 = the id, s1 = the text
    mv    s1, a0
    lbu   t0, 0(s0)
    beqz  t0, 8f
    lbu   t0, 0(s1)
    beqz  t0, 8f
    mv    a0, s0
    li    a1, 1
    call  check_id
    bltz  a0, 9f
    mv    s0, a0
    mv    a1, s0
    fmt   "msg %u"
    call  ctx_set
    mv    a0, s1
    call  strlen
    mv    s2, a0
    li    t0, MSG_MAX
    bgtu  s2, t0, 7f
    mv    a0, s0
    mv    a1, s1
    mv    a2, s2
    call  hc_msg_send
    beqz  a0, 2f
    li    t0, HV_ENOSYS
    bne   a0, t0, 1f
    la    t0, ctx_buf             # the hypervisor has no messages (yet): say so, do not pretend
    sb    zero, 0(t0)
    call  fail_begin
    print "messages are not available yet"
    li    a0, HV_ENOSYS
    call  fail_end
    j     9f
1:  la    a1, s_msg_send
    call  fail_hv
    j     9f
2:  mv    a0, s0
    call  part_label
    mv    a3, a0
    mv    a1, s2
    mv    a2, s0
    fmt   "ctl: sent %u bytes to %u (%s)\n"
    call  kprintf
    li    a0, 0
    j     9f
7:  call  fail_begin
    li    a1, MSG_MAX
    fmt   "a message has at most %u bytes"
    call  kprintf
    li    a0, HV_EINVAL
    call  fail_end
    j     9f
8:  la    a0, u_msg
    call  usage
9:  leave 3

# inbox: the messages ctl received (the last LOG_N, kept by monitor.s as they came, each also
# printed then): the hypervisor's notices (sender 255: "shutdown 7 0", requests of clients...) and
# messages of clients. They leave the log.
cmd_inbox:
    enter 3
    li    s0, 0                   # messages
1:  la    a0, msg_buf
    call  log_take
    bltz  a0, 5f
    mv    s1, a1                  # the sender
    mv    s2, a2                  # it waits for a reply
3:  addi  s0, s0, 1
    lwg   t0, tagged
    beqz  t0, 4f
    mv    a1, s1
    mv    a2, s2
    la    a3, msg_buf
    fmt   "msg from=%u reply=%u text=%s\n"
    call  kprintf
    j     1b
4:  la    a2, s_hypervisor
    li    t0, HYPERVISOR_SENDER
    beq   s1, t0, 41f
    mv    a0, s1
    call  part_label
    mv    a2, a0
41: mv    a1, s1
    la    a3, msg_buf
    la    a4, str_empty
    beqz  s2, 42f
    la    a4, s_wants_reply
42: fmt   "from %u (%s): %s%s\n"
    call  kprintf
    j     1b
5:  li    a0, 0                   # none left
    bnez  s0, 9f
    lwg   t0, tagged
    bnez  t0, 9f
    print "no messages\n"
    li    a0, 0
9:  leave 3

# net: the hypervisor's virtual network (docs/hypercalls.md#network-m20): a bridge port for each
# client, which has a virtual nic unless it owns the physical one. What ctl cannot see, it says.
cmd_net:
    enter 4
    lwg   t0, tagged
    bnez  t0, 1f
    print "the hypervisor's bridge (a learning switch) has a port for each client; ctl is not on it\n"
    print "  PORT PARTITION           STATE    NIC\n"
1:  la    a0, s_nic0              # a client that owns the physical nic has no port
    call  dev_find
    li    s2, -1
    beqz  a0, 2f
    lw    s2, DV_OWNER(a0)
2:  li    s0, 1
3:  li    t0, MAX_PARTS
    bgeu  s0, t0, 8f
    mv    a0, s0
    call  query
    bnez  a0, 7f
    la    t0, qbuf
    lw    t0, Q_STATE(t0)
    la    s1, s_state_unknown
    li    t1, Q_NSTATES
    bgeu  t0, t1, 4f
    slli  t0, t0, 2
    la    t1, part_states
    add   t1, t1, t0
    lw    s1, 0(t1)
4:  mv    a0, s0
    call  part_label
    mv    s3, a0
    lwg   t0, tagged
    beqz  t0, 5f
    mv    a1, s0
    mv    a2, s0
    mv    a3, s1
    fmt   "port n=%u partition=%u state=%s "
    call  kprintf
    beq   s0, s2, 41f
    mv    a1, s0
    fmt   "nic=virtual mac=02:00:00:00:00:%02x\n"
    call  kprintf
    j     7f
41: print "nic=physical\n"
    j     7f
5:  la    a0, cell_buf            # "1 (cos)"
    li    a1, CELL_MAX
    call  cap_start
    mv    a1, s0
    mv    a2, s3
    fmt   "%u (%s)"
    call  kprintf
    call  cap_stop
    mv    a1, s0
    la    a2, cell_buf
    mv    a3, s1
    fmt   "  %4u %-19s %-8s "
    call  kprintf
    beq   s0, s2, 6f
    mv    a1, s0
    fmt   "virtual, MAC 02:00:00:00:00:%02x\n"
    call  kprintf
    j     7f
6:  print "the physical nic0 (not on the bridge)\n"
7:  addi  s0, s0, 1
    j     3b
8:  call  net_ports               # the bridge's counters (monitor.s)
    leave 4

.section rodata
.align 4
# The control commands: name, handler(a0 = arguments) -> a0 = status, 1 when it needs the
# hypervisor (the shell checks: booted bare, it answers ENOSYS). Looked up before cos's.
ctl_commands:
    .word s_c_help, cmd_ctl_help, 0
    .word s_c_parts, cmd_parts, 1
    .word s_c_res, cmd_res, 1
    .word s_c_oses, cmd_oses, 0
    .word s_c_create, cmd_create, 1
    .word s_c_assign, cmd_assign, 1
    .word s_c_load, cmd_load, 1
    .word s_c_start, cmd_start, 1
    .word s_c_stop, cmd_stop, 1
    .word s_c_restart, cmd_restart, 1
    .word s_c_destroy, cmd_destroy, 1
    .word s_c_resize, cmd_resize, 1
    .word s_c_move, cmd_move, 1
    .word s_c_sched, cmd_sched, 1
    .word s_c_msg, cmd_msg, 1
    .word s_c_inbox, cmd_inbox, 1
    .word s_c_net, cmd_net, 1
    .word s_c_policy, cmd_policy, 1
    .word s_c_technique, cmd_technique, 1
    .word s_c_swap, cmd_swap, 1
    .word s_c_export, cmd_export, 1
    .word s_c_remove, cmd_remove, 1
    .word s_f_prefer, cmd_prefer, 1
    .word s_f_fault, cmd_fault, 1
    .word s_f_fail, cmd_fail, 1
    .word s_c_ftol, cmd_ftol, 1
    .word 0, 0, 0
part_states:
    .word s_st0, s_st1, s_st2, s_st3, s_st4, s_st5
s_c_help:    .asciz "help"
s_c_parts:   .asciz "parts"
s_c_res:     .asciz "res"
s_c_oses:    .asciz "oses"
s_c_create:  .asciz "create"
s_c_assign:  .asciz "assign"
s_c_load:    .asciz "load"
s_c_start:   .asciz "start"
s_c_stop:    .asciz "stop"
s_c_restart: .asciz "restart"
s_c_destroy: .asciz "destroy"
s_c_resize:  .asciz "resize"
s_c_move:    .asciz "move"
s_c_sched:   .asciz "sched"
s_c_msg:     .asciz "msg"
s_c_inbox:   .asciz "inbox"
s_hypervisor: .asciz "the hypervisor"
s_wants_reply: .asciz " (waits for a reply)"
s_c_net:     .asciz "net"
s_c_policy:  .asciz "policy"
s_c_technique: .asciz "technique"
s_c_swap:    .asciz "swap"
s_c_export:  .asciz "export"
s_nic0:      .asciz "nic0"
s_st0:       .asciz "created"
s_st1:       .asciz "running"
s_st2:       .asciz "stopped"
s_st3:       .asciz "faulted"
s_st4:       .asciz "destroyed"
s_st5:       .asciz "swapped"
s_state_unknown: .asciz "?"
s_a_mem:       .asciz "mem"
s_a_cpu:       .asciz "cpu"
s_a_dev:       .asciz "dev"
s_a_disk:      .asciz "disk"
s_cooperative:   .asciz "cooperative"
s_shrinkwrapped: .asciz "shrink-wrapped"
s_with_bi:   .asciz "boot info at 0x8000"
s_without_bi: .asciz "no boot info (it probes)"
u_create:    .asciz "create ID NAME"
u_assign:    .asciz "assign ID mem SIZE | cpu N | dev DEVICE | disk N"
u_load:      .asciz "load ID OS [SIZE]"
u_start:     .asciz "start ID [OS [SIZE]]"
u_stop:      .asciz "stop ID"
u_restart:   .asciz "restart ID"
u_destroy:   .asciz "destroy ID"
u_resize:    .asciz "resize ID +SIZE|-SIZE"
u_move:      .asciz "move DEVICE ID"
u_sched:     .asciz "sched ID WEIGHT [SLICE_US]"
u_msg:       .asciz "msg ID TEXT"
.text
