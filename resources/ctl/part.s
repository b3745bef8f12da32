# part.s: what ctl remembers of each partition (recs) and of each device (devs), the steps that
# build a partition (create, vCPU, load, disk, start), and the partition table file read at boot.
#
# The hypervisor holds the partitions' state (part_query); ctl keeps what only it knows: the entry
# and start flags of the image it loaded, the disk partition it came from, the pCPUs it pinned
# vCPUs to, and the memory planned for a partition that has none yet.

.text

# rec_of(a0 = id) -> a0 = its record
rec_of:
    slli  a0, a0, 6               # * CR_SIZE
    la    t0, recs
    add   a0, t0, a0
    ret

# part_label(a0 = id) -> a0 = its name: ctl's record, else what the hypervisor says, else "?".
part_label:
    enter 1
    mv    s0, a0
    la    a0, os_short_name
    beqz  s0, 9f
    li    t0, MAX_PARTS
    la    a0, s_unknown_name
    bgeu  s0, t0, 9f
    mv    a0, s0
    call  rec_of
    lw    t0, CR_USED(a0)
    addi  a0, a0, CR_NAME
    bnez  t0, 9f
    mv    a0, s0
    call  query
    bnez  a0, 8f
    la    a0, lbl_buf
    la    a1, qbuf + Q_NAME
    li    a2, NAME_MAX
    call  strncpy
    la    a0, lbl_buf
    j     9f
8:  la    a0, s_unknown_name
9:  leave 1

# check_id(a0 = the text of an id, a1 = 1 when 0 (ctl) is allowed) -> a0 = the id, or EINVAL
# (reported).
check_id:
    enter 2
    mv    s0, a0
    mv    s1, a1
    call  parse_uint
    beqz  a1, 1f
    li    t0, MAX_PARTS
    bgeu  a0, t0, 1f
    bnez  a0, 9f
    bnez  s1, 9f
    call  fail_begin
    print "0 is ctl itself"
    li    a0, HV_EINVAL
    call  fail_end
    j     9f
1:  call  fail_begin
    mv    a1, s0
    li    a2, MAX_PARTS - 1
    fmt   "'%s' is not a partition id (1..%u)"
    call  kprintf
    li    a0, HV_EINVAL
    call  fail_end
9:  leave 2

# known(a0 = id) -> a0 = 0 when ctl created partition id (and it still exists); else ENOENT
# (reported).
known:
    enter 1
    mv    s0, a0
    call  rec_of
    lw    t0, CR_USED(a0)
    li    a0, 0
    bnez  t0, 1f
    call  fail_begin
    mv    a1, s0
    fmt   "no partition %u (parts lists them)"
    call  kprintf
    li    a0, HV_ENOENT
    call  fail_end
1:  leave 1

# parse_size(a0 = text) -> a0 = bytes, a1 = 1; or a1 = 0 when it is not N, NK or NM (K, M in
# either case), a multiple of 4 KiB, at least 64 KiB, at most 2 GiB.
parse_size:
    li    t2, 0
    li    t3, 0                   # digits
    li    t4, 10
1:  lbu   t0, 0(a0)
    addi  t1, t0, -'0'
    bgeu  t1, t4, 2f
    li    t5, MAX_SIZE_K * 1024 / 10
    bgeu  t2, t5, 8f              # too many digits
    mul   t2, t2, t4
    add   t2, t2, t1
    addi  t3, t3, 1
    addi  a0, a0, 1
    j     1b
2:  beqz  t3, 8f
    ori   t0, t0, 0x20
    li    t1, 'k'
    bne   t0, t1, 3f
    li    t5, MAX_SIZE_K
    bgtu  t2, t5, 8f
    slli  t2, t2, 10
    addi  a0, a0, 1
    j     4f
3:  li    t1, 'm'
    bne   t0, t1, 5f
    li    t5, MAX_SIZE_K >> 10
    bgtu  t2, t5, 8f
    slli  t2, t2, 20
    addi  a0, a0, 1
    j     4f
5:  li    t1, 0x20                # no suffix: the text must end here (NUL | 0x20 is a space)
    bne   t0, t1, 8f
4:  lbu   t0, 0(a0)
    bnez  t0, 8f
    li    t0, PAGE_SIZE - 1
    and   t0, t2, t0
    bnez  t0, 8f
    li    t0, MIN_PART_MEM
    bltu  t2, t0, 8f
    li    t0, MAX_SIZE_K * 1024
    bgtu  t2, t0, 8f
    mv    a0, t2
    li    a1, 1
    ret
8:  li    a1, 0
    ret

# bad_size(a0 = the text) -> a0 = EINVAL (reported)
bad_size:
    enter 1
    mv    s0, a0
    call  fail_begin
    mv    a1, s0
    fmt   "'%s' is not a memory size (like 8M or 512K: a multiple of 4K, at least 64K)"
    call  kprintf
    li    a0, HV_EINVAL
    call  fail_end
    leave 1

# ---------------------------------------------------------------- pCPUs

# cpu_load(a0 = pCPU) -> a0 = vCPUs of ctl's partitions pinned there.
cpu_load:
    la    t0, recs + CR_SIZE      # (ctl's own vCPUs are one per pCPU: they do not tell pCPUs apart)
    li    t1, MAX_PARTS - 1
    li    t2, 0
1:  beqz  t1, 4f
    lw    t3, CR_USED(t0)
    beqz  t3, 3f
    lw    t3, CR_NVCPU(t0)
    addi  t4, t0, CR_PINS
2:  beqz  t3, 3f
    lbu   t5, 0(t4)
    bne   t5, a0, 5f
    addi  t2, t2, 1
5:  addi  t4, t4, 1
    addi  t3, t3, -1
    j     2b
3:  addi  t0, t0, CR_SIZE
    addi  t1, t1, -1
    j     1b
4:  mv    a0, t2
    ret

# least_loaded -> a0 = the pCPU with the fewest vCPUs of partitions (the lowest number on a tie).
least_loaded:
    enter 4
    li    s0, 0                   # pCPU
    li    s1, 0                   # best
    li    s2, -1                  # its load
1:  lwg   t0, ncpu
    bgeu  s0, t0, 3f
    mv    a0, s0
    call  cpu_load
    bgeu  a0, s2, 2f
    mv    s2, a0
    mv    s1, s0
2:  addi  s0, s0, 1
    j     1b
3:  mv    a0, s1
    leave 4

# give_cpu(a0 = id, a1 = pCPU) -> a0 = the number of a new vCPU pinned to that pCPU, or an error
# (reported).
give_cpu:
    enter 3
    mv    s0, a0
    mv    s1, a1
    call  hc_assign_cpu
    bgez  a0, 1f
    la    a1, s_part_assign_cpu
    call  fail_hv
    leave 3
1:  mv    s2, a0                  # the vCPU's number
    mv    a0, s0
    call  rec_of
    lw    t0, CR_NVCPU(a0)
    li    t1, MAX_PINS
    bgeu  t0, t1, 2f
    add   t1, a0, t0
    sb    s1, CR_PINS(t1)
    addi  t0, t0, 1
    sw    t0, CR_NVCPU(a0)
2:  mv    a0, s2
    leave 3

# put_pins(a0 = id): ", pCPU 0" or ", pCPUs 0 1" for the vCPUs ctl gave it.
put_pins:
    enter 3
    call  rec_of
    mv    s0, a0
    lw    s1, CR_NVCPU(s0)
    beqz  s1, 9f
    li    t0, 1
    bne   s1, t0, 1f
    lbu   a1, CR_PINS(s0)
    fmt   ", pCPU %u"
    call  kprintf
    j     9f
1:  print ", pCPUs"
    li    s2, 0
2:  bgeu  s2, s1, 9f
    add   t0, s0, s2
    lbu   a1, CR_PINS(t0)
    fmt   " %u"
    call  kprintf
    addi  s2, s2, 1
    j     2b
9:  leave 3

# ---------------------------------------------------------------- the steps

# part_new(a0 = id, a1 = name) -> a0 = 0, or an error (reported): part_create and a fresh record.
part_new:
    enter 3
    mv    s0, a0
    mv    s1, a1
    mv    a0, s1                  # a name of 1..15 characters
    call  strlen
    beqz  a0, 1f
    li    t0, NAME_MAX
    bgtu  a0, t0, 1f
    mv    a0, s1                  # names are unique (consoles are shown by name)
    call  name_taken
    bgez  a0, 3f
    mv    a0, s0
    mv    a1, s1
    call  hc_create
    beqz  a0, 2f
    la    a1, s_part_create
    call  fail_hv
    leave 3
3:  mv    s2, a0
    call  fail_begin
    mv    a1, s1
    mv    a2, s2
    fmt   "the name '%s' is taken by %u"
    call  kprintf
    li    a0, HV_EBUSY
    call  fail_end
    leave 3
2:  mv    a0, s0
    call  rec_of
    mv    s2, a0
    li    a1, 0
    li    a2, CR_SIZE
    call  memset
    li    t0, 1
    sw    t0, CR_USED(s2)
    addi  a0, s2, CR_NAME
    mv    a1, s1
    li    a2, NAME_MAX
    call  strncpy
    li    a0, 0
    leave 3
1:  call  fail_begin
    mv    a1, s1
    li    a2, NAME_MAX
    fmt   "'%s' is not a partition name (1..%u characters)"
    call  kprintf
    li    a0, HV_EINVAL
    call  fail_end
    leave 3

# name_taken(a0 = name) -> a0 = the id of the partition with that name (0: ctl), or -1.
name_taken:
    enter 2
    mv    s0, a0
    la    a1, os_short_name
    call  strcmp
    beqz  a0, 3f
    li    s1, 1
1:  li    t0, MAX_PARTS
    bgeu  s1, t0, 4f
    mv    a0, s1
    call  rec_of
    lw    t0, CR_USED(a0)
    beqz  t0, 2f
    addi  a1, a0, CR_NAME
    mv    a0, s0
    call  strcmp
    beqz  a0, 5f
2:  addi  s1, s1, 1
    j     1b
3:  li    a0, 0
    leave 2
4:  li    a0, -1
    leave 2
5:  mv    a0, s1
    leave 2

# part_load(a0 = id, a1 = the OS asked for, a2 = bytes of memory, 0: what was planned or 4 MiB)
#   -> a0 = 0, or an error (reported): the OS image in fresh memory given to the partition, the
#   partition allowed to use the OS's disk partition, the entry and start flags remembered.
part_load:
    enter 3
    mv    s0, a0
    mv    s1, a1
    mv    s2, a2
    mv    a0, s1
    call  os_find
    bltz  a0, 9f
    mv    a0, s0
    mv    a1, s2
    call  part_load_found
9:  leave 3

# part_load_found(a0 = id, a1 = bytes or 0; os_part and hdr_buf from os_find) -> a0 = 0 or an error.
part_load_found:
    enter 3
    mv    s0, a0
    call  rec_of
    mv    s2, a0
    bnez  a1, 1f
    lw    a1, CR_PLAN(s2)
    bnez  a1, 1f
    li    a1, DEFAULT_PART_MEM
1:  mv    s1, a1
    mv    a0, s0                  # the image must go to the partition's guest-physical load address,
    call  query                   # so its first memory must be this memory: it has none yet
    bnez  a0, 7f
    la    t0, qbuf
    lw    t0, Q_MEM(t0)
    bnez  t0, 6f
    mv    a0, s0
    mv    a1, s1
    call  load_image
    bnez  a0, 9f
    lwg   a0, boot_disk           # it reads its own file system through its virtual disk
    call  node_name
    mv    a1, a0
    mv    a0, s0
    lwg   a2, os_part
    call  hc_grant_disk
    bnez  a0, 8f
    la    t0, hdr_buf
    lw    t1, OSH_ENTRY(t0)
    sw    t1, CR_ENTRY(s2)
    lw    t1, OSH_FLAGS(t0)       # boot info for a cooperative OS only (docs/guests.md)
    andi  t1, t1, OS_COOPERATIVE
    sw    t1, CR_FLAGS(s2)
    lwg   t1, os_part
    sw    t1, CR_OSPART(s2)
    li    t1, 1
    sw    t1, CR_LOADED(s2)
    li    a0, 0
    j     9f
6:  call  fail_begin
    mv    a1, s0
    fmt   "%u has memory already: its OS image goes into the first memory it gets (destroy it and start again)"
    call  kprintf
    li    a0, HV_EBUSY
    call  fail_end
    j     9f
7:  la    a1, s_part_query
    call  fail_hv
    j     9f
8:  la    a1, s_part_grant_disk
    call  fail_hv
9:  leave 3

# part_go(a0 = id) -> a0 = 0, or an error (reported): part_start at the loaded entry (a vCPU on the
# least loaded pCPU first, if it has none), then `ctl: started ...`.
part_go:
    enter 2
    mv    s0, a0
    call  rec_of
    mv    s1, a0
    lw    t0, CR_LOADED(s1)
    bnez  t0, 1f
    call  fail_begin
    mv    a1, s0
    fmt   "no OS loaded into %u (start %u OS, or load it first)"
    mv    a2, s0
    call  kprintf
    li    a0, HV_EINVAL
    call  fail_end
    leave 2
1:  lw    t0, CR_NVCPU(s1)
    bnez  t0, 2f
    call  least_loaded
    mv    a1, a0
    mv    a0, s0
    call  give_cpu
    bltz  a0, 9f
2:  mv    a0, s0
    lw    a1, CR_ENTRY(s1)
    lw    a2, CR_FLAGS(s1)
    call  hc_start
    beqz  a0, 3f
    la    a1, s_part_start
    call  fail_hv
    leave 2
3:  mv    a0, s0
    call  say_started
    li    a0, 0
9:  leave 2

# say_started(a0 = id): "ctl: started 1 (cos): 8 MiB, pCPU 0"
say_started:
    enter 1
    mv    s0, a0
    call  part_label
    mv    a2, a0
    mv    a1, s0
    fmt   "ctl: started %u (%s): "
    call  kprintf
    mv    a0, s0
    call  query
    la    t0, qbuf
    lw    a0, Q_MEM(t0)
    call  put_size
    mv    a0, s0
    call  put_pins
    print "\n"
    leave 1

# part_drop(a0 = id): undo a partition that could not be built (part_destroy gives back whatever it
# got); a failure of that is reported too.
part_drop:
    enter 1
    mv    s0, a0
    call  hc_destroy
    beqz  a0, 1f
    mv    s0, a0
    la    t0, ctx_buf
    sb    zero, 0(t0)
    mv    a0, s0
    la    a1, s_part_destroy
    call  fail_hv
    leave 1
1:  mv    a0, s0
    call  forget
    leave 1

# forget(a0 = id): the partition is gone: clear its record; its devices are ctl's again.
forget:
    enter 1
    mv    s0, a0
    call  rec_of
    li    a1, 0
    li    a2, CR_SIZE
    call  memset
    la    t0, devs
    lwg   t1, ndevs
1:  beqz  t1, 2f
    lw    t2, DV_OWNER(t0)
    bne   t2, s0, 3f
    sw    zero, DV_OWNER(t0)
3:  addi  t0, t0, DV_SIZE
    addi  t1, t1, -1
    j     1b
2:  leave 1

# part_build(a0 = id, a1 = name, a2 = OS, a3 = bytes (0: 4 MiB), a4 = pCPU (-1: the least loaded))
#   -> a0 = 0, or an error (reported; whatever was built is destroyed again). Prints
#   `ctl: started ...` when it runs.
part_build:
    enter 6
    mv    s0, a0
    mv    s1, a1
    mv    s2, a2
    mv    s3, a3
    mv    s4, a4
    mv    a1, s0
    mv    a2, s1
    fmt   "cannot start %u (%s)"
    call  ctx_set
    mv    a0, s2                  # the OS first: nothing to undo when it is not there
    call  os_find
    bltz  a0, 9f
    mv    a0, s0
    mv    a1, s1
    call  part_new
    bnez  a0, 9f
    mv    a0, s0
    call  rec_of
    sw    s3, CR_PLAN(a0)
    bgez  s4, 1f
    call  least_loaded
    mv    s4, a0
1:  mv    a0, s0
    mv    a1, s4
    call  give_cpu
    bltz  a0, 8f
    mv    a0, s0
    mv    a1, s3
    call  part_load_found
    bnez  a0, 8f
    mv    a0, s0
    call  part_go
    bnez  a0, 8f
    li    a0, 0
    leave 6
8:  mv    s5, a0
    mv    a0, s0
    call  part_drop
    mv    a0, s5
9:  leave 6

# ---------------------------------------------------------------- devices

# dev_init: every device node of the boot info that can be given away (and the interrupt
# controller, which is the hypervisor's virtual one), owned by ctl; controllers owned by nobody
# until one is given whole (M5, devs.s).
dev_init:
    enter 3
    swg   zero, ndevs
    li    s0, 0
1:  lwg   t0, node_count
    bge   s0, t0, 9f
    slli  t1, s0, 5
    lwg   t2, nodes
    add   s1, t2, t1
    lw    t0, N_KIND(s1)
    li    t1, KIND_INTC
    blt   t0, t1, 2f              # memory, cpu, bus
    li    t1, KIND_MAX
    bgt   t0, t1, 2f
    lwg   t1, ndevs
    li    t2, MAX_DEVS
    bgeu  t1, t2, 9f
    li    t2, DV_SIZE
    mul   t2, t1, t2
    la    s2, devs
    add   s2, s2, t2
    addi  t1, t1, 1
    swg   t1, ndevs
    sw    t0, DV_KIND(s2)
    sw    zero, DV_OWNER(s2)
    sw    s0, DV_NODE(s2)
    li    t1, KIND_CONTROLLER
    bne   t0, t1, 3f
    li    t1, -1
    sw    t1, DV_OWNER(s2)
3:  mv    a0, s0
    call  node_name
    sw    a0, DV_NAME(s2)
2:  addi  s0, s0, 1
    j     1b
9:  leave 3

# dev_find(a0 = name) -> a0 = its record, or 0.
dev_find:
    enter 3
    mv    s0, a0
    la    s1, devs
    lwg   t0, ndevs
    li    t1, DV_SIZE
    mul   t0, t0, t1
    add   s2, s1, t0
1:  bgeu  s1, s2, 2f
    lw    a1, DV_NAME(s1)
    mv    a0, s0
    call  strcmp
    beqz  a0, 3f
    addi  s1, s1, DV_SIZE
    j     1b
2:  li    a0, 0
    leave 3
3:  mv    a0, s1
    leave 3

# dev_role(a0 = device record) -> a0 = what ctl uses it for, as a word ("console", "boot-disk",
# "power", "virtual"), a1 = the same in words for people; or a0 = 0.
dev_role:
    enter 1
    mv    s0, a0
    lw    t0, DV_KIND(s0)
    li    t1, KIND_INTC
    la    a0, s_virtual
    la    a1, h_virtual
    beq   t0, t1, 9f
    li    t1, KIND_SYSCTL
    la    a0, s_power
    la    a1, h_power
    beq   t0, t1, 9f
    lwg   a0, boot_disk
    bltz  a0, 1f
    call  node_name
    lw    a1, DV_NAME(s0)
    call  strcmp
    bnez  a0, 1f
    la    a0, s_boot_disk
    la    a1, h_boot_disk
    j     9f
1:  call  console_node_name
    beqz  a0, 8f
    lw    a1, DV_NAME(s0)
    call  strcmp
    bnez  a0, 8f
    la    a0, s_console
    la    a1, s_console
    j     9f
8:  li    a0, 0
9:  leave 1

# console_node_name -> a0 = the id of the uart the boot info marks as console, or 0.
console_node_name:
    enter 2
    li    s0, 0
1:  lwg   t0, node_count
    bge   s0, t0, 3f
    slli  t1, s0, 5
    lwg   t2, nodes
    add   t1, t2, t1
    lw    t2, N_KIND(t1)
    li    t3, KIND_UART
    bne   t2, t3, 2f
    lw    t2, N_X0(t1)
    li    t3, 1
    bne   t2, t3, 2f
    mv    a0, s0
    call  node_name
    leave 2
2:  addi  s0, s0, 1
    j     1b
3:  li    a0, 0
    leave 2

# ---------------------------------------------------------------- parttab

# parttab_boot: start every partition the file `parttab` of ctl's file system lists
# (docs/guests.md#parttab): one per line, `ID NAME OS MEM CPU`, `#` starts a comment.
parttab_boot:
    enter 6
    lwg   t0, fs_ok
    beqz  t0, 1f
    la    a0, s_parttab
    call  fs_lookup
    li    t0, -ENOENT
    beq   a0, t0, 1f
    bnez  a0, 2f
    mv    s0, a1                  # first block
    mv    s1, a2                  # size
    li    t0, TAB_MAX
    bgtu  s1, t0, 3f
    beqz  s1, 1f
    mv    a0, s0
    addi  a1, s1, BLOCK_SIZE - 1
    srli  a1, a1, BLOCK_SHIFT
    la    a2, tab_buf
    call  disk_read
    bltz  a0, 2f
    la    s0, tab_buf             # s0 = the next line
    add   t0, s0, s1
    sb    zero, 0(t0)
    li    s1, 0                   # s1 = its number
    li    s5, 0                   # s5 = partitions started
.line:
    lbu   t0, 0(s0)
    beqz  t0, .end
    addi  s1, s1, 1
    la    s2, tab_line            # copy it: tabs become spaces, CR goes, '#' starts a comment
    li    s3, 0
    li    t6, 0                   # in a comment
4:  lbu   t0, 0(s0)
    beqz  t0, 7f
    addi  s0, s0, 1
    li    t1, '\n'
    beq   t0, t1, 7f
    bnez  t6, 4b
    li    t1, '#'
    bne   t0, t1, 5f
    li    t6, 1
    j     4b
5:  li    t1, '\t'
    bne   t0, t1, 6f
    li    t0, ' '
6:  li    t1, '\r'
    beq   t0, t1, 4b
    li    t1, TABLINE_MAX - 1
    bgeu  s3, t1, 4b              # a line too long is cut
    add   t1, s2, s3
    sb    t0, 0(t1)
    addi  s3, s3, 1
    j     4b
7:  add   t1, s2, s3
    sb    zero, 0(t1)
    mv    a0, s2
    call  skip_spaces
    lbu   t0, 0(a0)
    beqz  t0, .line               # blank or only a comment
    la    s4, tab_fields          # split: ID NAME OS MEM CPU
    li    s3, 0
8:  call  skip_spaces
    lbu   t0, 0(a0)
    beqz  t0, 9f
    li    t1, 5
    bgeu  s3, t1, .bad            # a sixth field
    slli  t1, s3, 2
    add   t1, s4, t1
    sw    a0, 0(t1)
    addi  s3, s3, 1
    call  cut_word
    j     8b
9:  li    t1, 5
    bne   s3, t1, .bad
    mv    a1, s1
    fmt   "parttab line %u"
    call  ctx_set
    lw    a0, 0(s4)
    li    a1, 0
    call  check_id
    bltz  a0, .line
    mv    s2, a0                  # s2 = id
    mv    a0, s2                  # adopted at boot (fault.s: it came through a hypervisor restart)
    call  rec_of
    lw    t0, CR_USED(a0)
    beqz  t0, .fresh
    mv    a1, s2
    addi  a2, a0, CR_NAME
    fmt   "ctl: parttab: %u (%s) runs already: it came through the hypervisor's restart\n"
    call  kprintf
    j     .line
.fresh:
    lw    a0, 12(s4)
    call  parse_size
    bnez  a1, 10f
    lw    a0, 12(s4)
    call  bad_size
    j     .line
10: mv    s3, a0                  # s3 = bytes
    lw    a0, 16(s4)              # CPU: a pCPU number or "any"
    la    a1, s_any
    call  strcmp
    li    t0, -1
    beqz  a0, 11f
    lw    a0, 16(s4)
    call  parse_uint
    beqz  a1, .badcpu
    lwg   t0, ncpu
    bgeu  a0, t0, .badcpu
    mv    t0, a0
11: mv    a4, t0
    mv    a0, s2
    lw    a1, 4(s4)
    lw    a2, 8(s4)
    mv    a3, s3
    call  part_build
    bnez  a0, .line
    addi  s5, s5, 1
    j     .line
.badcpu:
    call  fail_begin
    lw    a1, 16(s4)
    lwg   a2, ncpu
    addi  a2, a2, -1
    fmt   "'%s' is not a pCPU (0..%u, or any)"
    call  kprintf
    li    a0, HV_EINVAL
    call  fail_end
    j     .line
.bad:
    mv    a1, s1
    fmt   "ctl: parttab line %u: expected ID NAME OS MEM CPU (EINVAL)\n"
    call  kprintf
    j     .line
.end:
    leave 6
1:  print "ctl: no parttab in ctl's file system: no partitions started\n"
    leave 6
2:  print "ctl: cannot read parttab (EIO)\n"
    leave 6
3:  li    a1, TAB_MAX
    fmt   "ctl: parttab is larger than %u bytes: no partitions started\n"
    call  kprintf
    leave 6

.section rodata
s_parttab:          .asciz "parttab"
s_any:              .asciz "any"
s_unknown_name:     .asciz "?"
s_virtual:          .asciz "virtual"
s_power:            .asciz "power"
s_boot_disk:        .asciz "boot-disk"
s_console:          .asciz "console"
h_virtual:          .asciz "interrupt controller, virtual"
h_power:            .asciz "power switch"
h_boot_disk:        .asciz "boot disk"
s_part_create:      .asciz "part_create"
s_part_assign_cpu:  .asciz "part_assign_cpu"
s_part_assign_mem:  .asciz "part_assign_mem"
s_part_assign_dev:  .asciz "part_assign_dev"
s_part_grant_disk:  .asciz "part_grant_disk"
s_part_start:       .asciz "part_start"
s_part_stop:        .asciz "part_stop"
s_part_destroy:     .asciz "part_destroy"
s_part_query:       .asciz "part_query"
s_part_restart:     .asciz "part_restart"
s_sched_set:        .asciz "sched_set"
s_msg_send:         .asciz "msg_send"
.text
